import { expect } from 'chai'
import type { Database, ReadBucket } from '../../src/index.js'
import { expectCheck, numKey, thrown, useTempDir } from './helpers.js'

/**
 * `getView(key)`: a bucket's value where it lies, not a copy (ReadBucket.getView). The bytes are
 * the value's as long as the transaction is open: a snapshot's pages and packed leaves are never
 * modified while it is open, and a write transaction that lent a view overwrites no value in place
 * for the rest of its life, as after opening a cursor.
 */
describe('integration: getView, a value where it lies', () => {
  const t = useTempDir()
  const N = 3000
  const value = (i: number, round: number): Buffer => Buffer.alloc(64, (i * 7 + round * 13) & 0xff)
  const LONG = Buffer.alloc(10_000, 0x5a)
  const PROBES = [0, 1, 17, 1499, N - 1]

  /** N keys in ascending order over three commits (and a long value at key N); checkpointed or not. */
  async function filled(checkpoint: boolean): Promise<Database> {
    const db = await t.open({ durability: 'none' })
    for (let start = 0; start < N; start += 1000)
      await db.update((tx) => {
        const b = tx.createBucketIfNotExists('t')
        for (let i = start; i < start + 1000; i++) b.put(numKey(i), value(i, 0))
      })
    await db.update((tx) => tx.bucket('t')!.put(numKey(N), LONG))
    if (checkpoint) await db.checkpoint()
    return db
  }

  /** Every probe's view equals get's copy; two views of one value alias the same bytes. */
  function expectViews(b: ReadBucket, round: number, label: string): void {
    for (const i of PROBES) {
      const view = b.getView(numKey(i))
      expect(view, `${label}: key ${i}`).to.not.equal(undefined)
      expect(Buffer.from(view!).equals(value(i, round)), `${label}: key ${i}'s bytes`).to.equal(true)
      expect(Buffer.from(view!).equals(b.get(numKey(i))!), `${label}: key ${i}, as get`).to.equal(true)
      const again = b.getView(numKey(i))!
      expect(
        again.buffer === view!.buffer && again.byteOffset === view!.byteOffset,
        `${label}: key ${i}, a view`,
      ).to.equal(true)
    }
    expect(Buffer.from(b.getView(numKey(N))!).equals(LONG), `${label}: the overflow value`).to.equal(true)
    expect(b.getView(numKey(N + 1)), `${label}: a missing key`).to.equal(undefined)
  }

  for (const checkpoint of [true, false]) {
    const where = checkpoint ? 'pages' : 'commits not yet checkpointed'
    it(`a snapshot's views (${where}) keep their bytes after a writer changes the keys`, async () => {
      const db = await filled(checkpoint)
      const snap = db.begin()
      const b = snap.bucket('t')!
      expectViews(b, 0, 'snapshot')
      const views = PROBES.map((i) => b.getView(numKey(i))!)
      // Overwrites of the same length (in place where no snapshot can reach the leaf) and deletes.
      await db.update((tx) => {
        const w = tx.bucket('t')!
        for (const i of PROBES) w.put(numKey(i), value(i, 1))
      })
      await db.update((tx) => {
        const w = tx.bucket('t')!
        for (const i of PROBES) w.delete(numKey(i))
      })
      for (const [k, i] of PROBES.entries())
        expect(Buffer.from(views[k]!).equals(value(i, 0)), `key ${i}, after the writes`).to.equal(true)
      expectViews(b, 0, 'snapshot, after the writes')
      snap.close()
      expect(thrown(() => b.getView(numKey(0))).code).to.equal('BTREE_TX_CLOSED')
      expectCheck(db)
      await db.close()
    })

    it(`a write transaction's views (${where}) keep their bytes through its own later puts of the same length`, async () => {
      const db = await filled(checkpoint)
      // A commit that overwrote every probe: its leaves own their pages, which a later transaction
      // would edit in place (WriteTx.adopt, Node.overwritePacked).
      await db.update((tx) => {
        const w = tx.bucket('t')!
        for (const i of PROBES) w.put(numKey(i), value(i, 1))
      })
      const tx = await db.beginWrite()
      const w = tx.bucket('t')!
      expectViews(w, 1, 'write transaction')
      for (const i of PROBES) {
        const view = w.getView(numKey(i))!
        w.put(numKey(i), value(i, 2))
        expect(Buffer.from(view).equals(value(i, 1)), `key ${i}: the view, after a put`).to.equal(true)
        expect(Buffer.from(w.getView(numKey(i))!).equals(value(i, 2)), `key ${i}: a new view`).to.equal(true)
        w.put(numKey(i), value(i, 3))
        expect(Buffer.from(view).equals(value(i, 1)), `key ${i}: the view, after a second put`).to.equal(true)
      }
      await tx.commit()
      db.view((r) => expectViews(r.bucket('t')!, 3, 'committed'))
      expectCheck(db)
      await db.close()
    })
  }

  it('a key that is not bytes is BTREE_INVALID_ARGUMENT, in a snapshot and in a write transaction', async () => {
    const db = await filled(false)
    const bad = 42 as unknown as Uint8Array
    db.view((tx) => expect(thrown(() => tx.bucket('t')!.getView(bad)).code).to.equal('BTREE_INVALID_ARGUMENT'))
    await db.update((tx) => {
      expect(thrown(() => tx.bucket('t')!.getView(bad)).code).to.equal('BTREE_INVALID_ARGUMENT')
    })
    await db.close()
  })
})
