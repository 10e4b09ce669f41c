import { expect } from 'chai'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { type Database, open } from '../../src/db/database.js'
import { MemoryFileSystem } from '../../src/io/memory-file.js'
import { sealPage } from '../../src/page/checksum.js'
import { fingerprintDb, key, value } from '../crash/model.js'

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'crash', 'child-writer.js')

type Coded = Error & { code?: unknown }

function thrownBy(fn: () => unknown): Coded {
  try {
    fn()
  } catch (err) {
    return err as Coded
  }
  throw new Error('expected the call to throw')
}

async function rejectionOf(p: Promise<unknown>): Promise<Coded> {
  try {
    await p
  } catch (err) {
    return err as Coded
  }
  throw new Error('expected the promise to reject')
}

/** An error with the code, of the class the style guide asks for. */
function expectCode(err: Coded, code: string, cls?: ErrorConstructor): void {
  expect(err.code, `${err.name}: ${err.message}`).to.equal(code)
  if (cls !== undefined) expect(err).to.be.instanceOf(cls)
  expect(err.message.length).to.be.greaterThan(10)
}

const any = (v: unknown): never => v as never

describe('bad input gets a coded error and changes nothing', () => {
  let mem: MemoryFileSystem
  let db: Database
  let before: string

  beforeEach(async () => {
    mem = new MemoryFileSystem()
    db = await open('/bad/db', { fileSystem: mem, lock: false, pageSize: 1024 })
    await db.update((tx) => {
      const b = tx.createBucket('b')
      for (let i = 0; i < 50; i++) b.put(key(i), value(i, 20))
    })
    before = fingerprintDb(db)
  })

  afterEach(async () => {
    if (!db.closed) {
      expect(fingerprintDb(db)).to.equal(before)
      const ck = db.check()
      expect(ck.ok, JSON.stringify(ck.errors)).to.equal(true)
      await db.close()
    }
  })

  it('open: wrong path and option types and ranges', async () => {
    expectCode(await rejectionOf(open(any(123))), 'BTREE_INVALID_ARGUMENT', TypeError)
    expectCode(await rejectionOf(open('')), 'BTREE_INVALID_ARGUMENT', TypeError)
    expectCode(await rejectionOf(open('/x', any(null))), 'BTREE_INVALID_ARGUMENT', TypeError)
    for (const options of [
      { pageSize: 1000 },
      { pageSize: 512 },
      { pageSize: 131072 },
      { durability: 'sometimes' },
      { reclaimPerCommit: 0 },
      { reclaimPerCommit: 1.5 },
      { cacheSize: -1 },
    ]) {
      expectCode(
        await rejectionOf(open('/x', { fileSystem: mem, lock: false, ...(options as object) })),
        'BTREE_INVALID_ARGUMENT',
        RangeError,
      )
    }
    for (const options of [
      { journal: 'yes' },
      { inlineSync: 1 },
      { readOnly: 'no' },
      { strict: 0 },
      { pageSize: '4096' },
      { cacheSize: 'big' },
      { journalSize: 'x' },
      { dirtySize: null },
      { journalStream: true },
      { reclaimPerCommit: '1' },
      { durability: 5 },
    ]) {
      expectCode(
        await rejectionOf(open('/x', { fileSystem: mem, lock: false, ...(options as object) })),
        'BTREE_INVALID_ARGUMENT',
        TypeError,
      )
    }
    expect(mem.exists('/x')).to.equal(false)
  })

  it('open: a file that is not a database, and a missing file opened read-only', async () => {
    const f = mem.open('/junk', { readOnly: false, create: true })
    await f.writev([Buffer.alloc(8192, 0x41)], 0)
    expectCode(await rejectionOf(open('/junk', { fileSystem: mem, lock: false })), 'BTREE_NOT_A_DATABASE')
    expectCode(await rejectionOf(open('/missing', { fileSystem: mem, lock: false, readOnly: true })), 'BTREE_IO')
    expect(mem.exists('/missing')).to.equal(false)
  })

  it('open: a file a newer format version wrote is BTREE_NOT_A_DATABASE, in either meta slot, and stays as it was', async () => {
    await db.close()
    for (const slots of [[0], [1], [0, 1]]) {
      const file = mem.open('/bad/db', { readOnly: false, create: false })
      const image = Buffer.from(file.bytes())
      for (const slot of slots) {
        const meta = Buffer.from(image.subarray(slot * 1024, (slot + 1) * 1024))
        meta.writeUInt16LE(3, 20) // FORMAT.md §3: the format version at offset 20
        sealPage(meta)
        file.writeNow(meta, slot * 1024)
      }
      const written = Buffer.from(file.bytes())
      const err = await rejectionOf(open('/bad/db', { fileSystem: mem, lock: false }))
      expectCode(err, 'BTREE_NOT_A_DATABASE')
      expect((err as Error).message)
        .to.contain('/bad/db')
        .and.contain('format version 3')
      expect(Buffer.from(mem.open('/bad/db', { readOnly: true, create: false }).bytes()).equals(written)).to.equal(true)
      file.writeNow(image, 0)
    }
    db = await open('/bad/db', { fileSystem: mem, lock: false })
  })

  it('keys and values: wrong types and oversized keys', async () => {
    const max = db.maxKeySize
    const cases: Array<[() => void, string]> = [
      [() => db.view((tx) => tx.bucket('b')!.get(any('k00000001'))), 'BTREE_INVALID_ARGUMENT'],
      [() => db.view((tx) => tx.bucket('b')!.has(any(7))), 'BTREE_INVALID_ARGUMENT'],
    ]
    for (const [fn, code] of cases) expectCode(thrownBy(fn), code, TypeError)
    const writes: Array<[(tx: import('../../src/base/types.js').WriteTransaction) => void, string]> = [
      [(tx) => tx.bucket('b')!.put(any('string key'), value(1, 4)), 'BTREE_INVALID_ARGUMENT'],
      [(tx) => tx.bucket('b')!.put(key(1), any('string value')), 'BTREE_INVALID_ARGUMENT'],
      [(tx) => tx.bucket('b')!.put(key(1), any(undefined)), 'BTREE_INVALID_ARGUMENT'],
      [(tx) => tx.bucket('b')!.put(Buffer.alloc(max + 1, 1), value(1, 4)), 'BTREE_KEY_TOO_LARGE'],
      [(tx) => tx.bucket('b')!.delete(any(null)), 'BTREE_INVALID_ARGUMENT'],
    ]
    for (const [i, [fn, code]] of writes.entries()) {
      // The callback made a good change first: the failed one takes it back with it.
      const p = db.update((tx) => {
        tx.bucket('b')!.put(key(999), value(999, 5))
        fn(tx)
      })
      const err = await rejectionOf(p).catch((e: Error) => {
        throw new Error(`write case ${i} (${fn.toString()}): ${e.message}`)
      })
      expectCode(err, code)
    }
    // The empty key is a key like any other: absent until put.
    expect(await db.update((tx) => tx.bucket('b')!.delete(new Uint8Array(0)))).to.equal(false)
    // A key of exactly maxKeySize is fine (and then removed, to leave the state as it was).
    await db.update((tx) => tx.bucket('b')!.put(Buffer.alloc(max, 2), value(1, 4)))
    await db.update((tx) => tx.bucket('b')!.delete(Buffer.alloc(max, 2)))
  })

  it('a failed put inside an explicit transaction leaves the transaction as it was', async () => {
    const tx = db.begin({ writable: true })
    tx.bucket('b')!.put(key(500), value(500, 10))
    expectCode(
      thrownBy(() => tx.bucket('b')!.put(Buffer.alloc(db.maxKeySize + 1), value(1, 1))),
      'BTREE_KEY_TOO_LARGE',
    )
    expect(tx.bucket('b')!.size).to.equal(51)
    tx.rollback()
  })

  it('bucket names: wrong type, empty, oversized, existing, missing', async () => {
    const long = 'n'.repeat(db.maxKeySize + 1)
    const cases: Array<[(tx: import('../../src/base/types.js').WriteTransaction) => unknown, string]> = [
      [(tx) => tx.createBucket(any(42)), 'BTREE_INVALID_ARGUMENT'],
      [(tx) => tx.bucket(any({})), 'BTREE_INVALID_ARGUMENT'],
      [(tx) => tx.createBucket(''), 'BTREE_BUCKET_NAME_INVALID'],
      [(tx) => tx.createBucketIfNotExists(long), 'BTREE_BUCKET_NAME_INVALID'],
      [(tx) => tx.deleteBucket(''), 'BTREE_BUCKET_NAME_INVALID'],
      [(tx) => tx.createBucket('b'), 'BTREE_BUCKET_EXISTS'],
      [(tx) => tx.deleteBucket('nope'), 'BTREE_BUCKET_NOT_FOUND'],
    ]
    for (const [fn, code] of cases) {
      const err = await rejectionOf(
        db.update((tx) => {
          tx.createBucket('side')
          fn(tx)
        }),
      )
      expectCode(err, code)
    }
    expectCode(
      thrownBy(() => db.view((tx) => tx.bucket(''))),
      'BTREE_BUCKET_NAME_INVALID',
    )
    expectCode(
      thrownBy(() => db.view((tx) => tx.bucket(long))),
      'BTREE_BUCKET_NAME_INVALID',
    )
  })

  it('update, view and begin with wrong argument types', async () => {
    expectCode(await rejectionOf(db.update(any('not a function'))), 'BTREE_INVALID_ARGUMENT', TypeError)
    expectCode(
      await rejectionOf(db.update(() => {}, any({ durability: 'eventually' }))),
      'BTREE_INVALID_ARGUMENT',
      RangeError,
    )
    expectCode(await rejectionOf(db.update(() => {}, any(5))), 'BTREE_INVALID_ARGUMENT', TypeError)
    expectCode(await rejectionOf(db.update(() => {}, any({ durability: 7 }))), 'BTREE_INVALID_ARGUMENT', TypeError)
    expectCode(
      thrownBy(() => db.view(any(null))),
      'BTREE_INVALID_ARGUMENT',
      TypeError,
    )
    expectCode(
      thrownBy(() => db.begin(any('yes'))),
      'BTREE_INVALID_ARGUMENT',
      TypeError,
    )
  })

  it('savepoints: released, rolled past, or from another transaction', async () => {
    const err = await rejectionOf(
      db.update((tx) => {
        const sp = tx.savepoint()
        tx.bucket('b')!.put(key(700), value(7, 7))
        tx.release(sp)
        tx.rollbackTo(sp)
      }),
    )
    expectCode(err, 'BTREE_SAVEPOINT_INVALID')
    let foreign: import('../../src/base/types.js').Savepoint | undefined
    await db.update((tx) => {
      foreign = tx.savepoint()
    })
    expectCode(await rejectionOf(db.update((tx) => tx.rollbackTo(foreign!))), 'BTREE_SAVEPOINT_INVALID')
    expectCode(await rejectionOf(db.update((tx) => tx.rollbackTo(any({ id: 'x' })))), 'BTREE_SAVEPOINT_INVALID')
  })

  it('a closed transaction: read snapshot, committed and rolled-back write transactions, a leaked update tx', async () => {
    const snap = db.begin()
    const b = snap.bucket('b')!
    const cursor = b.cursor()
    snap.close()
    expectCode(
      thrownBy(() => snap.bucket('b')),
      'BTREE_TX_CLOSED',
    )
    expectCode(
      thrownBy(() => snap.buckets()),
      'BTREE_TX_CLOSED',
    )
    expectCode(
      thrownBy(() => b.get(key(1))),
      'BTREE_TX_CLOSED',
    )
    expectCode(
      thrownBy(() => cursor.first()),
      'BTREE_TX_CLOSED',
    )

    const w = db.begin({ writable: true })
    const wb = w.bucket('b')!
    w.rollback()
    expectCode(
      thrownBy(() => wb.put(key(1), value(1, 1))),
      'BTREE_TX_CLOSED',
    )
    expectCode(
      thrownBy(() => w.createBucket('x')),
      'BTREE_TX_CLOSED',
    )
    expectCode(await rejectionOf(w.commit()), 'BTREE_TX_CLOSED')

    const w2 = await db.beginWrite()
    w2.bucket('b')!.put(key(1), value(1, 20))
    w2.bucket('b')!.put(key(1), value(1, 20)) // the same value: no visible change
    await w2.commit()
    expectCode(await rejectionOf(w2.commit()), 'BTREE_TX_CLOSED')
    expectCode(
      thrownBy(() => w2.bucket('b')),
      'BTREE_TX_CLOSED',
    )

    let leaked: import('../../src/base/types.js').WriteTransaction | undefined
    await db.update((tx) => {
      leaked = tx
    })
    expectCode(
      thrownBy(() => leaked!.createBucket('late')),
      'BTREE_TX_CLOSED',
    )
    expectCode(
      thrownBy(() => leaked!.bucket('b')),
      'BTREE_TX_CLOSED',
    )
  })

  it('a second writer in the same process: BTREE_BUSY for begin, queued for update', async () => {
    const w = db.begin({ writable: true })
    expectCode(
      thrownBy(() => db.begin({ writable: true })),
      'BTREE_BUSY',
    )
    w.rollback()
  })

  // A read snapshot has no write methods in its type; JavaScript (or a cast) that calls one gets a
  // coded error, not "is not a function", and no write.
  it('a read-only transaction cannot write: each write method is BTREE_TX_READONLY', async () => {
    const snap = db.begin()
    try {
      const s = snap as unknown as Record<string, unknown>
      const b = snap.bucket('b') as unknown as Record<string, unknown>
      const calls: Array<[Record<string, unknown>, string, unknown[]]> = [
        [s, 'createBucket', ['x']],
        [s, 'createBucketIfNotExists', ['x']],
        [s, 'deleteBucket', ['b']],
        [s, 'savepoint', []],
        [s, 'commit', []],
        [b, 'put', [key(1), value(1, 1)]],
        [b, 'delete', [key(1)]],
      ]
      for (const [target, name, args] of calls) {
        const fn = target[name]
        expect(fn, name).to.be.a('function')
        const err = thrownBy(() => (fn as (...a: unknown[]) => unknown).apply(target, args))
        expectCode(err, 'BTREE_TX_READONLY')
      }
    } finally {
      snap.close()
    }
  })

  it('a closed database: every call is BTREE_CLOSED', async () => {
    await db.close()
    await db.close() // twice is fine
    expectCode(await rejectionOf(db.update(() => {})), 'BTREE_CLOSED')
    expectCode(await rejectionOf(db.beginWrite()), 'BTREE_CLOSED')
    expectCode(
      thrownBy(() => db.view(() => 1)),
      'BTREE_CLOSED',
    )
    expectCode(
      thrownBy(() => db.begin()),
      'BTREE_CLOSED',
    )
    expectCode(
      thrownBy(() => db.check()),
      'BTREE_CLOSED',
    )
    expectCode(
      thrownBy(() => db.stats()),
      'BTREE_CLOSED',
    )
    const again = await open('/bad/db', { fileSystem: mem, lock: false })
    expect(fingerprintDb(again)).to.equal(before)
    expect(again.check().ok).to.equal(true)
    await again.close()
  })

  it('a read-only database: every write is BTREE_TX_READONLY', async () => {
    await db.close()
    const ro = await open('/bad/db', { fileSystem: mem, lock: false, readOnly: true })
    try {
      expectCode(await rejectionOf(ro.update((tx) => tx.createBucket('x'))), 'BTREE_TX_READONLY')
      expectCode(await rejectionOf(ro.beginWrite()), 'BTREE_TX_READONLY')
      expectCode(
        thrownBy(() => ro.begin({ writable: true })),
        'BTREE_TX_READONLY',
      )
      expect(fingerprintDb(ro)).to.equal(before)
      expect(ro.check().ok).to.equal(true)
    } finally {
      await ro.close()
    }
  })
})

describe('the write lock', function () {
  this.timeout(30_000)
  let dir: string
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'btree-lock-'))))
  after(() => fs.rmSync(dir, { recursive: true, force: true }))

  it('a second open in the same process is BTREE_LOCKED and changes nothing', async () => {
    const file = path.join(dir, 'same.db')
    const db = await open(file, { pageSize: 1024 })
    await db.update((tx) => tx.createBucket('a').put(key(1), value(1, 8)))
    const before = fingerprintDb(db)
    const err = await rejectionOf(open(file))
    expectCode(err, 'BTREE_LOCKED')
    // Through another spelling of the same path, too.
    expectCode(await rejectionOf(open(path.join(dir, '.', 'same.db'))), 'BTREE_LOCKED')
    // The first handle is unaffected and still holds the lock.
    await db.update((tx) => tx.bucket('a')!.put(key(2), value(2, 8)))
    expect(fingerprintDb(db)).to.not.equal(before)
    expect(db.check().ok).to.equal(true)
    await db.close()
    const again = await open(file)
    expect(again.view((tx) => tx.bucket('a')!.size)).to.equal(2)
    expect(again.check().ok).to.equal(true)
    await again.close()
  })

  it('a second writer process gets BTREE_LOCKED; once the holder closes it opens', async () => {
    const file = path.join(dir, 'proc.db')
    const db = await open(file, { pageSize: 1024 })
    await db.update((tx) => tx.createBucket('a').put(key(1), value(1, 8)))
    const before = fingerprintDb(db)
    const child = spawnSync(process.execPath, [CHILD, 'open', file], { encoding: 'utf8' })
    expect(child.stderr).to.equal('')
    expect(child.stdout.trim()).to.equal('BTREE_LOCKED')
    expect(fingerprintDb(db)).to.equal(before)
    expect(db.check().ok).to.equal(true)
    await db.close()
    const later = spawnSync(process.execPath, [CHILD, 'open', file], { encoding: 'utf8' })
    expect(later.stdout.trim()).to.equal('ok')
    const again = await open(file)
    expect(fingerprintDb(again)).to.equal(before)
    expect(again.check().ok).to.equal(true)
    await again.close()
  })
})
