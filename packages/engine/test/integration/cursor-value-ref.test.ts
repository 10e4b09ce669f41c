import { expect } from 'chai'
import { Prng } from '../../src/io/prng.js'
import type { Cursor, Database, ValueRef } from '../../src/index.js'
import { expectCheck, numKey, thrown, useTempDir } from './helpers.js'

/** Value i: its length varies from empty to several overflow pages (at 1 KiB pages), its bytes tell i. */
function valueOf(i: number, seed: number): Uint8Array {
  const length = i % 97 === 0 ? 3000 + (i % 5) * 1000 : (i * 31 + seed) % 60
  const v = new Uint8Array(length)
  for (let k = 0; k < length; k++) v[k] = (i * 7 + k + seed) & 0xff
  return v
}

/**
 * Walks the whole bucket, checking that valueRef locates exactly the bytes `value` returns, and
 * that it leaves the ref alone and returns false off an entry. Returns the entries seen.
 */
function expectRefsMatchValues(c: Cursor, want: Map<string, Uint8Array>): number {
  const ref: ValueRef = { bytes: new Uint8Array(0), offset: -1, length: -1 }
  expect(c.valueRef(ref)).to.equal(false)
  expect(ref.offset).to.equal(-1)
  let seen = 0
  for (let ok = c.first(); ok; ok = c.next()) {
    expect(c.valueRef(ref)).to.equal(true)
    const key = Buffer.from(c.key!).toString()
    const value = Buffer.from(c.value!)
    expect(ref.offset + ref.length).to.be.at.most(ref.bytes.length)
    const inPlace = Buffer.from(ref.bytes.buffer, ref.bytes.byteOffset + ref.offset, ref.length)
    expect(inPlace.equals(value), key).to.equal(true)
    expect(inPlace.equals(want.get(key)!), key).to.equal(true)
    seen++
  }
  expect(c.valueRef(ref)).to.equal(false)
  // The same walk a leaf at a time: the same values in the same order, the cursor left on the
  // last one visited each time.
  const values: Buffer[] = []
  const copy = (r: ValueRef): void => void values.push(Buffer.from(r.bytes.subarray(r.offset, r.offset + r.length)))
  let counted = 0
  for (let ok = c.first(); ok; ok = c.next()) {
    const n = c.leafValueRefs(ref, copy)
    expect(n).to.be.greaterThan(0)
    counted += n
    expect(Buffer.from(c.value!).equals(values[values.length - 1]!)).to.equal(true)
  }
  expect(counted).to.equal(seen)
  expect(c.leafValueRefs(ref, copy)).to.equal(0)
  const keys = [...want.keys()].sort()
  expect(values.map((v, i) => v.equals(want.get(keys[i]!)!))).to.not.include(false)
  expect(expectKeyRefs(c)).to.deep.equal(keys)
  return seen
}

/** The bytes `ref` locates, copied. */
function refBytes(r: ValueRef): Buffer {
  return Buffer.from(r.bytes.subarray(r.offset, r.offset + r.length))
}

/**
 * Walks the whole bucket twice, checking that keyRef locates exactly the bytes `key` returns (and
 * leaves the ref alone off an entry), then that leafKeyRefs visits the same keys a leaf at a time,
 * leaving the cursor on the last it visited. Returns the keys, as latin1 strings.
 */
function expectKeyRefs(c: Cursor): string[] {
  const ref: ValueRef = { bytes: new Uint8Array(0), offset: -1, length: -1 }
  c.last()
  c.next()
  expect(c.keyRef(ref)).to.equal(false)
  expect(ref.offset).to.equal(-1)
  const one: string[] = []
  for (let ok = c.first(); ok; ok = c.next()) {
    expect(c.keyRef(ref)).to.equal(true)
    expect(ref.offset + ref.length).to.be.at.most(ref.bytes.length)
    expect(refBytes(ref).equals(Buffer.from(c.key!))).to.equal(true)
    one.push(refBytes(ref).toString('latin1'))
  }
  const leafwise: string[] = []
  const copy = (r: ValueRef): void => void leafwise.push(refBytes(r).toString('latin1'))
  for (let ok = c.first(); ok; ok = c.next()) {
    expect(c.leafKeyRefs(ref, copy)).to.be.greaterThan(0)
    expect(Buffer.from(c.key!).toString('latin1')).to.equal(leafwise[leafwise.length - 1])
  }
  expect(c.leafKeyRefs(ref, copy)).to.equal(0)
  expect(leafwise).to.deep.equal(one)
  return one
}

async function fill(db: Database, seed: number, order: readonly number[]): Promise<Map<string, Uint8Array>> {
  const want = new Map<string, Uint8Array>()
  await db.update((tx) => {
    const a = tx.createBucketIfNotExists('a')
    for (const i of order) {
      const v = valueOf(i, seed)
      a.put(numKey(i), v)
      want.set(numKey(i).toString(), v)
    }
  })
  return want
}

describe('integration: cursor.valueRef and keyRef (values and keys in place)', () => {
  const t = useTempDir()
  const n = 1500

  it('reads an overflow value only while the transaction is open (BTREE_TX_CLOSED after)', async () => {
    // journal: false: the commit writes pages, so the value is an overflow run in the file.
    const db = await t.open({ pageSize: 1024, journal: false })
    await db.update((tx) => void tx.createBucket('a').put(numKey(1), new Uint8Array(5000).fill(7)))
    const tx = db.begin()
    const c = tx.bucket('a')!.cursor()
    const ref: ValueRef = { bytes: new Uint8Array(0), offset: 0, length: 0 }
    expect(c.first()).to.equal(true)
    expect(c.valueRef(ref)).to.equal(true)
    expect(ref.length).to.equal(5000)
    tx.close()
    expect(thrown(() => c.valueRef(ref))?.code).to.equal('BTREE_TX_CLOSED')
    expectCheck(db)
  })

  for (const kind of ['leafValueRefs', 'leafKeyRefs'] as const) {
    it(`${kind} after a write in the same transaction goes on from the current key`, async () => {
      const db = await t.open({ pageSize: 1024, journal: false })
      await db.update((tx) => {
        const a = tx.createBucket('a')
        for (let i = 0; i < 500; i++) a.put(numKey(i * 2), numKey(i * 2))
      })
      await db.update((tx) => {
        const a = tx.bucket('a')!
        const c = a.cursor()
        const ref: ValueRef = { bytes: new Uint8Array(0), offset: 0, length: 0 }
        const seen: string[] = []
        const visit = (r: ValueRef): void => void seen.push(refBytes(r).toString())
        expect(c.seek(numKey(100))).to.equal(true)
        // Writes before and after the position: the leaf the cursor held is replaced.
        for (let i = 0; i < 200; i++) a.put(numKey(i * 2 + 1), numKey(i * 2 + 1))
        for (let ok = true; ok; ok = c.next()) c[kind](ref, visit)
        // Keys and values are the same bytes here.
        const want = [...a.entries({ gte: numKey(100) })].map(([k]) => Buffer.from(k).toString())
        expect(seen).to.deep.equal(want)
      })
      expectCheck(db)
    })
  }

  it('keyRef and leafKeyRefs: long keys out of line (FORMAT.md §10) among inline ones, in the write transaction, committed, after reopen', async () => {
    for (const journal of [true, false]) {
      const name = `long-keys-${journal}.db`
      const db = await t.open({ pageSize: 1024, journal }, name)
      const keyOf = (i: number): Buffer =>
        i % 7 === 0 ? Buffer.concat([numKey(i), Buffer.alloc(600 + (i % 5) * 300, i & 0xff)]) : numKey(i)
      const want = new Map<string, Uint8Array>()
      await db.update((tx) => {
        const a = tx.createBucket('a')
        for (let i = 0; i < 300; i++) {
          a.put(keyOf(i), numKey(i))
          want.set(keyOf(i).toString('latin1'), numKey(i))
        }
        expect(expectKeyRefs(a.cursor())).to.deep.equal([...want.keys()].sort())
      })
      const sorted = [...want.keys()].sort()
      db.view((tx) => expect(expectKeyRefs(tx.bucket('a')!.cursor())).to.deep.equal(sorted))
      await db.checkpoint()
      db.view((tx) => expect(expectKeyRefs(tx.bucket('a')!.cursor())).to.deep.equal(sorted))
      expectCheck(db)
      await db.close()
      const again = await t.open({ pageSize: 1024, journal }, name)
      again.view((tx) => expect(expectKeyRefs(tx.bucket('a')!.cursor())).to.deep.equal(sorted))
      expectCheck(again)
      await again.close()
    }
  })

  for (const journal of [true, false]) {
    it(`locates every value as \`value\` reads it: ascending and random loads, in the write transaction, committed, after reopen (journal: ${journal})`, async () => {
      const seed = process.env['SEED'] !== undefined ? Number(process.env['SEED']) : Prng.randomSeed()
      console.log(`      valueRef seed: ${seed} (replay with SEED=<n>)`)
      const prng = new Prng(seed)
      const order = Array.from({ length: n }, (_, i) => i)
      for (let i = order.length - 1; i > 0; i--) {
        const j = prng.int(i + 1)
        ;[order[i], order[j]] = [order[j]!, order[i]!]
      }
      const ctx = `seed ${seed}`
      const db = await t.open({ pageSize: 1024, journal })
      // Ascending keys build packed leaves; the shuffled rewrite of half of them and the
      // deletes then mix record slots, page offsets and overflow values in one tree.
      const want = await fill(
        db,
        seed,
        Array.from({ length: n }, (_, i) => i),
      )
      await db.update((tx) => {
        const a = tx.bucket('a')!
        for (const i of order.slice(0, n / 2)) {
          const v = valueOf(i, seed + 1)
          a.put(numKey(i), v)
          want.set(numKey(i).toString(), v)
        }
        for (const i of order.slice(n / 2, n / 2 + 100)) {
          a.delete(numKey(i))
          want.delete(numKey(i).toString())
        }
        // In the transaction that wrote them: its own nodes.
        expect(expectRefsMatchValues(a.cursor(), want), ctx).to.equal(want.size)
      })
      db.view((tx) => expect(expectRefsMatchValues(tx.bucket('a')!.cursor(), want), ctx).to.equal(want.size))
      expectCheck(db)
      await db.close()
      const again = await t.open({ pageSize: 1024, journal })
      again.view((tx) => expect(expectRefsMatchValues(tx.bucket('a')!.cursor(), want), ctx).to.equal(want.size))
      expectCheck(again)
    })
  }
})
