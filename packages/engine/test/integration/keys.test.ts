import { expect } from 'chai'
import fs from 'node:fs'
import { sealPage } from '../../src/page/checksum.js'
import { Prng } from '../../src/io/prng.js'
import type { Database } from '../../src/index.js'
import type { RangeOptions, ReadBucket } from '../../src/base/types.js'
import { b, expectCheck, numKey, useTempDir } from './helpers.js'

const EMPTY = new Uint8Array(0)
const hex = (u: Uint8Array): string => Buffer.from(u).toString('hex')

/** The sorted model of a bucket: keys by hex (hex order is byte order), values. */
type Model = Map<string, Buffer>

function sortedKeys(model: Model): string[] {
  return [...model.keys()].sort((x, y) => Buffer.compare(Buffer.from(x, 'hex'), Buffer.from(y, 'hex')))
}

/** What `entries(options)` must return, computed from the model. */
function expected(model: Model, o: RangeOptions): string[] {
  const inRange = (k: Buffer): boolean => {
    if (
      o.gte !== undefined
        ? Buffer.compare(k, Buffer.from(o.gte)) < 0
        : o.gt !== undefined && Buffer.compare(k, Buffer.from(o.gt)) <= 0
    )
      return false
    if (
      o.lte !== undefined
        ? Buffer.compare(k, Buffer.from(o.lte)) > 0
        : o.lt !== undefined && Buffer.compare(k, Buffer.from(o.lt)) >= 0
    )
      return false
    return true
  }
  let keys = sortedKeys(model).filter((k) => inRange(Buffer.from(k, 'hex')))
  if (o.reverse === true) keys.reverse()
  if (o.limit !== undefined && o.limit >= 0) keys = keys.slice(0, o.limit)
  return keys
}

/**
 * Compares a bucket with its model: get/has of every key, full scans both ways, cursor walks both
 * ways, seeks to every key, and ranges whose bounds are the empty key, model keys and their neighbours.
 */
export function expectBucketMatches(bucket: ReadBucket, model: Model, rng: Prng): void {
  const keys = sortedKeys(model)
  expect(bucket.size).to.equal(keys.length)
  for (const k of keys) {
    const kb = Buffer.from(k, 'hex')
    expect(bucket.has(kb), `has ${k.slice(0, 40)}`).to.equal(true)
    expect(hex(bucket.get(kb)!)).to.equal(hex(model.get(k)!))
  }
  expect([...bucket.entries()].map(([k]) => hex(k))).to.deep.equal(keys)
  expect([...bucket.entries({ reverse: true })].map(([k]) => hex(k))).to.deep.equal([...keys].reverse())
  const c = bucket.cursor()
  const fwd: string[] = []
  for (let ok = c.first(); ok; ok = c.next()) fwd.push(hex(c.key!))
  expect(fwd).to.deep.equal(keys)
  const back: string[] = []
  for (let ok = c.last(); ok; ok = c.prev()) back.push(hex(c.key!))
  expect(back).to.deep.equal([...keys].reverse())
  for (const k of keys) {
    expect(c.seek(Buffer.from(k, 'hex'))).to.equal(true)
    expect(hex(c.key!)).to.equal(k)
    expect(hex(c.value!)).to.equal(hex(model.get(k)!))
  }
  const bounds: Uint8Array[] = [EMPTY, Buffer.from([0]), Buffer.from([0xff, 0xff])]
  for (let i = 0; i < 6 && keys.length > 0; i++) {
    const k = Buffer.from(keys[rng.int(keys.length)]!, 'hex')
    bounds.push(k, Buffer.concat([k, Buffer.from([0])]), k.subarray(0, Math.max(0, k.length - 1)))
  }
  for (let i = 0; i < 24; i++) {
    const lo = bounds[rng.int(bounds.length)]!
    const hi = bounds[rng.int(bounds.length)]!
    const o: RangeOptions = { reverse: rng.int(2) === 1 }
    if (rng.int(3) > 0) o[rng.int(2) === 0 ? 'gt' : 'gte'] = lo
    if (rng.int(3) > 0) o[rng.int(2) === 0 ? 'lt' : 'lte'] = hi
    if (rng.int(3) === 0) o.limit = rng.int(5)
    expect(
      [...bucket.entries(o)].map(([k]) => hex(k)),
      JSON.stringify({
        ...o,
        gt: o.gt && hex(o.gt),
        gte: o.gte && hex(o.gte),
        lt: o.lt && hex(o.lt),
        lte: o.lte && hex(o.lte),
      }),
    ).to.deep.equal(expected(model, o))
  }
}

/** Pages the buckets' trees use (branch, leaf, overflow), free-list pages aside. */
function treePages(db: Database): number {
  const s = db.stats().total
  return s.branchPages + s.leafPages + s.overflowPages
}

async function expectAll(db: Database, models: Map<string, Model>, rng: Prng): Promise<void> {
  db.view((tx) => {
    for (const [name, model] of models) expectBucketMatches(tx.bucket(name)!, model, rng)
  })
  // The same through a write transaction, whose reads go through nodes rather than pages.
  const tx = await db.beginWrite()
  for (const [name, model] of models) expectBucketMatches(tx.bucket(name)!, model, rng)
  tx.rollback()
  expectCheck(db)
}

describe('integration: keys (empty keys)', () => {
  const t = useTempDir()

  for (const pageSize of [1024, 4096, 65536]) {
    it(`page size ${pageSize}: the empty key works in every bucket, sorts first, and bounds ranges`, async () => {
      const seed = 7100 + pageSize
      const rng = new Prng(seed)
      let db = await t.open({ pageSize }, `empty-${pageSize}.db`)
      const models = new Map<string, Model>()
      // Bucket 'one' holds only the empty key; 'many' holds it with enough keys for a deep tree.
      await db.update((tx) => {
        tx.createBucket('one').put(EMPTY, b('only'))
        const many = tx.createBucket('many')
        many.put(EMPTY, b('first'))
        for (let i = 0; i < 3000; i++) many.put(numKey(i), Buffer.alloc(i % 7, i))
      })
      models.set('one', new Map([['', b('only')]]))
      const many: Model = new Map([['', b('first')]])
      for (let i = 0; i < 3000; i++) many.set(hex(numKey(i)), Buffer.alloc(i % 7, i))
      models.set('many', many)
      db.view((tx) => {
        const m = tx.bucket('many')!
        expect(m.get(EMPTY)!.toString()).to.equal('first')
        expect(m.has(EMPTY)).to.equal(true)
        const c = m.cursor()
        expect(c.first()).to.equal(true)
        expect(c.key!.length).to.equal(0)
        expect(c.seek(EMPTY)).to.equal(true)
        expect(c.key!.length).to.equal(0)
        expect(c.prev()).to.equal(false)
        expect(c.last()).to.equal(true)
        // Reverse from the top ends on the empty key; gt the empty key skips it.
        const rev = [...m.entries({ reverse: true })]
        expect(rev[rev.length - 1]![0].length).to.equal(0)
        expect([...m.entries({ gt: EMPTY, limit: 1 })][0]![0].toString()).to.equal('00000000')
        expect([...m.entries({ lte: EMPTY })].map(([k, v]) => [k.length, v.toString()])).to.deep.equal([[0, 'first']])
        expect([...m.entries({ lt: EMPTY })]).to.deep.equal([])
        expect([...m.entries({ lt: EMPTY, reverse: true })]).to.deep.equal([])
        expect([...m.entries({ lte: EMPTY, reverse: true })].length).to.equal(1)
      })
      await expectAll(db, models, rng)

      // Overwrite, a big (overflow) value, delete and re-put, inside one bucket among others.
      await db.update((tx) => {
        tx.bucket('many')!.put(EMPTY, Buffer.alloc(pageSize * 3, 9))
        expect(tx.bucket('one')!.delete(EMPTY)).to.equal(true)
        expect(tx.bucket('one')!.delete(EMPTY)).to.equal(false)
        tx.createBucket('later').put(EMPTY, EMPTY)
      })
      many.set('', Buffer.alloc(pageSize * 3, 9))
      models.get('one')!.delete('')
      models.set('later', new Map([['', Buffer.alloc(0)]]))
      await expectAll(db, models, rng)

      // A savepoint rolled back restores the empty key; deleting everything else leaves it alone.
      await db.update((tx) => {
        const m = tx.bucket('many')!
        const sp = tx.savepoint()
        m.delete(EMPTY)
        expect(m.has(EMPTY)).to.equal(false)
        tx.rollbackTo(sp)
        expect(m.get(EMPTY)!.length).to.equal(pageSize * 3)
        for (let i = 0; i < 3000; i += 2) m.delete(numKey(i))
      })
      for (let i = 0; i < 3000; i += 2) many.delete(hex(numKey(i)))
      await db.close()
      db = await t.open({ pageSize }, `empty-${pageSize}.db`)
      await expectAll(db, models, rng)
      await db.update((tx) => {
        const m = tx.bucket('many')!
        for (let i = 1; i < 3000; i += 2) m.delete(numKey(i))
      })
      for (let i = 1; i < 3000; i += 2) many.delete(hex(numKey(i)))
      await expectAll(db, models, rng)
      expect(db.view((tx) => tx.bucket('many')!.size)).to.equal(1)
    })
  }
})

/** A key of `length` bytes: `prefix` repeated, then the tag, so keys sharing long prefixes sort by tag. */
function longKey(length: number, tag: number, fill = 'p'): Buffer {
  const k = Buffer.alloc(length, fill)
  const t = Buffer.alloc(4)
  t.writeUInt32BE(tag >>> 0)
  t.copy(k, Math.max(0, length - 4), Math.max(0, 4 - length))
  return k
}

describe('integration: keys (out-of-line keys)', () => {
  const t = useTempDir()

  it('db.maxKeySize is 64 KiB at every page size; one byte more is BTREE_KEY_TOO_LARGE and changes nothing', async () => {
    for (const pageSize of [1024, 65536]) {
      const db = await t.open({ pageSize }, `max-${pageSize}.db`)
      expect(db.maxKeySize).to.equal(65536)
      await db.update((tx) => tx.createBucket('a').put(Buffer.alloc(65536, 1), b('max')))
      const err = await db
        .update((tx) => tx.bucket('a')!.put(Buffer.alloc(65537, 1), b('v')))
        .then(
          () => undefined,
          (e: { code?: string }) => e,
        )
      expect(err?.code).to.equal('BTREE_KEY_TOO_LARGE')
      db.view((tx) => {
        expect(tx.bucket('a')!.size).to.equal(1)
        expect(tx.bucket('a')!.get(Buffer.alloc(65536, 1))!.toString()).to.equal('max')
      })
      expectCheck(db)
    }
  })

  for (const pageSize of [1024, 4096, 16384]) {
    it(`page size ${pageSize}: 1 KiB, 2 KiB and 64 KiB keys among short ones, sharing long prefixes, sort exactly; reopen; overwrite and delete give their pages back`, async () => {
      const seed = 9100 + pageSize
      const rng = new Prng(seed)
      const name = `long-${pageSize}.db`
      // Pages given back commit by commit: the page path (the journal's path is in the crash tests).
      let db = await t.open({ pageSize, journal: false }, name)
      await db.update((tx) => tx.createBucket('plain').put(b('x'), b('y')))
      expectCheck(db)
      const baseline = treePages(db)
      const model: Model = new Map()
      const put = (k: Buffer, v: Buffer): void => void model.set(hex(k), v)
      const keys: Buffer[] = [EMPTY as Buffer, b('a'), b('p'), b('pp'), b('q'), numKey(5)]
      for (const len of [1024, 2048, 65536]) {
        for (let i = 0; i < (len === 65536 ? 3 : 40); i++) keys.push(longKey(len, i * 7919))
        // Keys that share everything but the last byte with a long one, and its prefixes.
        keys.push(longKey(len, 1).subarray(0, len - 1), Buffer.concat([longKey(len, 1).subarray(0, len - 1), b('z')]))
      }
      // Keys around the inline limit and the inline prefix (64 bytes).
      for (const len of [63, 64, 65, 200, 236, 237, 1004, 1005, 4080, 4081]) keys.push(longKey(len, len, 'p'))
      for (let i = 0; i < 300; i++) keys.push(longKey(rng.range(1, 3000), i, rng.int(2) === 0 ? 'p' : 'q'))
      rng.shuffle(keys)
      for (let at = 0; at < keys.length; at += 60) {
        const batch = keys.slice(at, at + 60)
        await db.update((tx) => {
          const bkt = tx.bucket('long') ?? tx.createBucket('long')
          for (const k of batch) {
            const v = rng.int(8) === 0 ? Buffer.alloc(rng.range(1, pageSize * 2), 3) : Buffer.from(hex(k).slice(0, 16))
            bkt.put(k, v)
            put(k, v)
          }
        })
      }
      await expectAll(db, new Map([['long', model]]), rng)
      await db.close()
      db = await t.open({ pageSize, journal: false }, name)
      await expectAll(db, new Map([['long', model]]), rng)

      // Overwrite half, with values big and small, then delete in random order over a few commits.
      const present = sortedKeys(model).map((h) => Buffer.from(h, 'hex'))
      await db.update((tx) => {
        const bkt = tx.bucket('long')!
        for (const k of present.filter((_, i) => i % 2 === 0)) {
          const v = Buffer.alloc(rng.int(3) === 0 ? pageSize * 3 : 5, 1)
          bkt.put(k, v)
          put(k, v)
        }
      })
      await expectAll(db, new Map([['long', model]]), rng)
      rng.shuffle(present)
      for (let at = 0; at < present.length; at += 97) {
        await db.update((tx) => {
          for (const k of present.slice(at, at + 97)) {
            expect(tx.bucket('long')!.delete(k)).to.equal(true)
            model.delete(hex(k))
          }
        })
        expectCheck(db)
      }
      await expectAll(db, new Map([['long', model]]), rng)
      await db.update((tx) => tx.deleteBucket('long'))
      // Pages freed by the commits are back in the free list: only 'plain' and the catalog remain.
      for (let i = 0; i < 3; i++) await db.update((tx) => tx.bucket('plain')!.put(b('x'), b(String(i))))
      expectCheck(db)
      expect(treePages(db)).to.equal(baseline)
    })
  }

  it('a dropped bucket of long keys (leaves and separators) is reclaimed page for page', async () => {
    const db = await t.open({ pageSize: 1024, reclaimPerCommit: 16, journal: false })
    await db.update((tx) => tx.createBucket('plain').put(b('x'), b('y')))
    expectCheck(db)
    const baseline = treePages(db)
    await db.update((tx) => {
      const bkt = tx.createBucket('long')
      for (let i = 0; i < 400; i++) bkt.put(longKey(600, i), b('v'))
    })
    expectCheck(db)
    const full = treePages(db)
    expect(db.stats().buckets.find((s) => s.name === 'long')!.depth).to.be.at.least(2)
    await db.update((tx) => tx.deleteBucket('long'))
    let reclaiming = expectCheck(db).pages.reclaiming
    expect(reclaiming).to.be.greaterThan(400)
    for (let i = 0; reclaiming > 0 && i < 200; i++) {
      await db.update((tx) => tx.bucket('plain')!.put(b('x'), b(String(i))))
      reclaiming = expectCheck(db).pages.reclaiming
    }
    expect(reclaiming).to.equal(0)
    const after = expectCheck(db)
    expect(treePages(db)).to.equal(baseline)
    expect(after.pages.free + after.pages.pending).to.be.at.least(full - baseline)
  })

  it('a version 1 file (from before out-of-line keys) opens, takes long keys, and then carries version 2', async () => {
    let db = await t.open({ pageSize: 4096 }, 'v1.db')
    await db.update((tx) => tx.createBucket('a').put(b('old'), b('1')))
    await db.close()
    const file = t.dir().file('v1.db')
    const bytes = fs.readFileSync(file)
    for (const slot of [0, 1]) {
      const meta = bytes.subarray(slot * 4096, (slot + 1) * 4096)
      meta.writeUInt16LE(1, 20)
      sealPage(meta)
    }
    fs.writeFileSync(file, bytes)
    db = await t.open({}, 'v1.db')
    expect(db.view((tx) => tx.bucket('a')!.get(b('old'))!.toString())).to.equal('1')
    await db.update((tx) => tx.bucket('a')!.put(longKey(5000, 1), b('long')))
    expect(db.view((tx) => tx.bucket('a')!.get(longKey(5000, 1))!.toString())).to.equal('long')
    expectCheck(db)
    await db.close()
    const versions = [0, 1].map((slot) => fs.readFileSync(file).readUInt16LE(slot * 4096 + 20))
    expect(versions).to.include(2)
  })

  it('snapshots keep reading long keys the writer deletes; a savepoint brings a deleted long key back', async () => {
    const db = await t.open({ pageSize: 1024 })
    const keys = Array.from({ length: 50 }, (_, i) => longKey(3000, i))
    await db.update((tx) => {
      const bkt = tx.createBucket('a')
      for (const k of keys) bkt.put(k, k.subarray(2996))
    })
    const snap = db.begin()
    await db.update((tx) => {
      const bkt = tx.bucket('a')!
      const sp = tx.savepoint()
      for (const k of keys) bkt.delete(k)
      expect(bkt.size).to.equal(0)
      tx.rollbackTo(sp)
      expect(bkt.size).to.equal(50)
      for (const k of keys.slice(0, 25)) bkt.delete(k)
    })
    const got = [...snap.bucket('a')!.entries()].map(([k]) => hex(k))
    expect(got).to.deep.equal(keys.map(hex))
    snap.close()
    db.view((tx) => expect([...tx.bucket('a')!.entries()].map(([k]) => hex(k))).to.deep.equal(keys.slice(25).map(hex)))
    expectCheck(db)
  })
})
