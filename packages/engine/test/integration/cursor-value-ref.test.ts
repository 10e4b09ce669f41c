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
  return seen
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

describe('integration: cursor.valueRef (values in place)', () => {
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
