import { expect } from 'chai'
import { open } from '../../src/index.js'
import type { Database } from '../../src/db/database.js'
import { type MemoryFile, MemoryFileSystem } from '../../src/io/memory-file.js'
import { RECORD_HEADER } from '../../src/page/journal-record.js'
import { PowerLossFileSystem } from '../doubles/power-loss-file.js'

const k = (i: number): Buffer => Buffer.from(`k${String(i).padStart(7, '0')}`)
const v = (i: number, n = 100): Buffer => Buffer.alloc(n, i % 251)

/**
 * The same commits on every database: ascending and random puts, deletes, a savepoint rolled back
 * below what the record had streamed, a group whose middle callback throws, a 'none' commit, a
 * bucket created and one dropped. Returns the contents as the model.
 */
async function workload(db: Database): Promise<Map<string, string>> {
  await db.update((tx) => {
    const a = tx.createBucket('a')
    for (let i = 0; i < 400; i++) a.put(k(i), v(i))
  })
  await db.update((tx) => {
    const a = tx.bucket('a')!
    for (let i = 0; i < 300; i++) a.put(k((i * 7919) % 1000), v(i, 40 + (i % 90)))
    for (let i = 0; i < 100; i += 3) a.delete(k(i))
  })
  const tx = await db.beginWrite()
  const a = tx.bucket('a')!
  for (let i = 1000; i < 1200; i++) a.put(k(i), v(i))
  const sp = tx.savepoint()
  for (let i = 1200; i < 1600; i++) a.put(k(i), v(i))
  tx.rollbackTo(sp)
  for (let i = 2000; i < 2050; i++) a.put(k(i), v(i))
  await tx.commit()
  const group = [0, 1, 2].map((g) =>
    db.update((t) => {
      const b = t.createBucketIfNotExists('b')
      for (let i = 0; i < 150; i++) b.put(k(g * 1000 + i), v(i, 70))
      if (g === 1) throw new Error('undo me')
    }),
  )
  const outcomes = await Promise.allSettled(group)
  expect(outcomes.map((o) => o.status)).to.deep.equal(['fulfilled', 'rejected', 'fulfilled'])
  await db.update((t) => t.bucket('b')!.put(k(5), v(5)), { durability: 'none' })
  await db.update((t) => {
    t.createBucket('c').put(k(1), v(1))
    t.deleteBucket('b')
  })
  return contents(db)
}

/** Where the journal's records end: the first header whose length is zero. */
function recordsEnd(journal: Uint8Array): number {
  const view = Buffer.from(journal.buffer, journal.byteOffset, journal.byteLength)
  let at = 0
  while (at + RECORD_HEADER <= view.length && view.readUInt32LE(at + 4) !== 0) at += view.readUInt32LE(at + 4)
  return at
}

/**
 * check() passes on `db`, fails once bytes that would read as a record header follow the last
 * record in `journal` (a crash would read a torn record there), and passes again once the zeros
 * are back.
 */
function expectsTerminator(db: Database, journal: MemoryFile): void {
  expect(db.check().ok).to.equal(true)
  const end = recordsEnd(journal.bytes())
  journal.writevSync([Buffer.alloc(RECORD_HEADER, 0xff)], end)
  const result = db.check()
  expect(result.ok).to.equal(false)
  expect(result.errors.map((e) => e.message).join('\n')).to.match(/no terminator after its last record/)
  journal.writevSync([Buffer.alloc(RECORD_HEADER)], end)
  expect(db.check().ok).to.equal(true)
}

function contents(db: Database): Map<string, string> {
  const m = new Map<string, string>()
  db.view((tx) => {
    for (const name of ['a', 'b', 'c']) {
      const c = tx.bucket(name)?.cursor()
      if (c === undefined) continue
      for (let ok = c.first(); ok; ok = c.next())
        m.set(`${name}/${Buffer.from(c.key!).toString()}`, Buffer.from(c.value!).toString('hex'))
    }
  })
  return m
}

describe('integration: records streamed ahead of their commits (FORMAT.md §11, journalStream)', () => {
  it('the journal holds the same bytes whether records stream (in any step) or not; the contents are the same', async () => {
    const journals: Uint8Array[] = []
    const models: Array<Map<string, string>> = []
    for (const journalStream of [0, 64, 1000, 16 * 1024]) {
      const fs = new PowerLossFileSystem()
      // No checkpoint before the end: every commit stays in the journal.
      const db = await open('/s.db', { fileSystem: fs, lock: false, journalStream, journalSize: 1 << 30 })
      models.push(await workload(db))
      expect(db.check().ok).to.equal(true)
      if (journalStream === 64) expect(fs.journalWritebacks, 'records streamed').to.be.greaterThan(20)
      if (journalStream === 0) expect(fs.journalWritebacks).to.equal(0)
      const journal = fs.file('/s.db-journal').bytes()
      // The records and the terminator after them (past it: allocation, or what a record that
      // was reset streamed, which no scan reads).
      journals.push(journal.subarray(0, recordsEnd(journal) + RECORD_HEADER))
      await db.close()
    }
    for (let i = 1; i < journals.length; i++) {
      expect(models[i]).to.deep.equal(models[0])
      expect(Buffer.from(journals[i]!).equals(Buffer.from(journals[0]!)), `journal ${i}`).to.equal(true)
    }
  })

  it('a journal whose file declines writebacks ahead takes each record whole, the same bytes; streaming resumes once it takes them', async () => {
    const streamed = new PowerLossFileSystem()
    const s = await open('/w.db', { fileSystem: streamed, lock: false, journalStream: 64, journalSize: 1 << 30 })
    const model = await workload(s)
    expect(streamed.journalWritebacks, 'records streamed').to.be.greaterThan(20)
    const expected = streamed.file('/w.db-journal').bytes()
    await s.close()

    const declining = new PowerLossFileSystem()
    declining.onCreate = (file, path) => {
      if (path.endsWith('-journal')) file.writesAhead = false
    }
    const db = await open('/w.db', { fileSystem: declining, lock: false, journalStream: 64, journalSize: 1 << 30 })
    expect(await workload(db)).to.deep.equal(model)
    expect(declining.journalWritebacks, 'nothing streamed').to.equal(0)
    const journal = declining.file('/w.db-journal')
    const end = recordsEnd(journal.bytes()) + RECORD_HEADER
    expect(Buffer.from(journal.bytes().subarray(0, end)).equals(Buffer.from(expected.subarray(0, end)))).to.equal(true)
    expect(db.check().ok).to.equal(true)

    journal.writesAhead = true
    await db.update((tx) => {
      const a = tx.bucket('a')!
      for (let i = 0; i < 200; i++) a.put(k(5000 + i), v(i))
    })
    expect(declining.journalWritebacks, 'streamed again').to.be.greaterThan(0)
    declining.reopenAllAfterCrash({ mode: 'drop-all' })
    const again = await open('/w.db', { fileSystem: declining, lock: false })
    expect(Buffer.from(again.view((tx) => tx.bucket('a')!.get(k(5199)))!).equals(v(199))).to.equal(true)
    expect(again.check().ok).to.equal(true)
    await again.close()
  })

  it('after a power loss, open replays the streamed records: every acknowledged commit is there', async () => {
    for (const mode of ['drop-all', 'keep-all'] as const) {
      const fs = new PowerLossFileSystem()
      const db = await open('/p.db', { fileSystem: fs, lock: false, journalStream: 64, journalSize: 1 << 30 })
      const model = await workload(db)
      // The 'none' commit was followed by a 'full' one, which synced it.
      fs.reopenAllAfterCrash({ mode })
      const again = await open('/p.db', { fileSystem: fs, lock: false })
      expect(contents(again), mode).to.deep.equal(model)
      expect(again.check().ok).to.equal(true)
      expect(again.info().skipped).to.deep.equal([])
      await again.close()
    }
  })

  it("journalStream must be a number of bytes; 'none' commits never stream", async () => {
    const fs = new MemoryFileSystem()
    let err: unknown
    try {
      await open('/o.db', { fileSystem: fs, lock: false, journalStream: -1 })
    } catch (e) {
      err = e
    }
    expect((err as { code?: unknown }).code).to.equal('BTREE_INVALID_ARGUMENT')
    const plfs = new PowerLossFileSystem()
    const db = await open('/n.db', { fileSystem: plfs, lock: false, journalStream: 64, durability: 'none' })
    await db.update((tx) => {
      const a = tx.createBucket('a')
      for (let i = 0; i < 500; i++) a.put(k(i), v(i))
    })
    expect(plfs.journalWritebacks).to.equal(0)
    await db.update((tx) => tx.bucket('a')!.put(k(1), v(2)), { durability: 'full' })
    await db.update(
      (tx) => {
        for (let i = 0; i < 500; i++) tx.bucket('a')!.put(k(i), v(i + 1))
      },
      { durability: 'full' },
    )
    expect(plfs.journalWritebacks).to.be.greaterThan(0)
    await db.close()
  })

  it('check() reports a journal whose last record is not followed by its terminator (a crash would read a torn record there)', async () => {
    const fs = new MemoryFileSystem()
    const db = await open('/t.db', { fileSystem: fs, lock: false, journalStream: 64 })
    await db.update((tx) => {
      const a = tx.createBucket('a')
      for (let i = 0; i < 100; i++) a.put(k(i), v(i))
    })
    expectsTerminator(db, fs.files.get('/t.db-journal')!)
    await db.close()
  })

  it('after open skipped a torn journal tail: a read-only open reports it as a warning; a writable one empties the journal and check() asks for the terminator again', async () => {
    const fs = new MemoryFileSystem()
    const writer = await open('/s.db', { fileSystem: fs, lock: false })
    for (let c = 0; c < 3; c++)
      await writer.update((tx) => {
        const a = tx.createBucketIfNotExists('a')
        for (let i = 0; i < 20; i++) a.put(k(c * 20 + i), v(c))
      })
    // The writer is left open, as a crash leaves it; its last record gets a flipped byte.
    const journal = fs.files.get('/s.db-journal')!
    const end = recordsEnd(journal.bytes())
    const bytes = Buffer.from(journal.bytes().subarray(end - 10, end - 9))
    bytes[0]! ^= 0x40
    journal.writevSync([bytes], end - 10)

    const reader = await open('/s.db', { fileSystem: fs, lock: false, readOnly: true })
    expect(reader.info().skipped).to.have.length(1)
    const seen = reader.check()
    expect(seen.ok, seen.errors.map((e) => e.message).join('\n')).to.equal(true)
    expect(seen.warnings.map((w) => w.message).join('\n')).to.match(/journal: /)
    await reader.close()

    const db = await open('/s.db', { fileSystem: fs, lock: false })
    expect(db.info().skipped).to.have.length(1)
    expect(contents(db).size).to.equal(40)
    await db.update((tx) => tx.bucket('a')!.put(k(99), v(9)))
    expectsTerminator(db, fs.files.get('/s.db-journal')!)
    await db.close()
  })
})
