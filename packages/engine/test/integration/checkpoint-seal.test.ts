import { expect } from 'chai'
import type { Database, ReadTransaction } from '../../src/index.js'
import { ownPages } from '../../src/store/page-slab.js'
import { expectCheck, numKey, useTempDir } from './helpers.js'

/**
 * A checkpoint writes a packed leaf from the page the leaf already reads when that page was made
 * in memory and is laid out as a page (Node.sealInPlace): its private copy of the state shares the
 * page with the published leaf, and the seal writes only the header and the free middle, which no
 * reader of the leaf reads. These pin that it takes no new page for such leaves, that snapshots
 * reading the published leaves meanwhile see every value, and that a page of the cache (a leaf
 * spilled unchanged) is never sealed under a new id.
 */
describe('integration: a checkpoint seals packed leaves in their own pages', () => {
  const t = useTempDir()
  const N = 20000
  const val = (i: number, round: number): Buffer => Buffer.alloc(40 + ((i + round) % 30), (i * 7 + round) & 0xff)

  /** N keys in random order, 'none' commits of 500, with no checkpoint yet. */
  async function randomFill(db: Database): Promise<void> {
    const order = Array.from({ length: N }, (_, i) => i)
    let x = 7
    for (let i = N - 1; i > 0; i--) {
      x = (x * 1103515245 + 12345) & 0x7fffffff
      const j = x % (i + 1)
      ;[order[i], order[j]] = [order[j]!, order[i]!]
    }
    for (let s = 0; s < N; s += 500)
      await db.update((tx) => {
        const b = tx.createBucketIfNotExists('t')
        for (let j = s; j < s + 500; j++) b.put(numKey(order[j]!), val(order[j]!, 0))
      })
  }

  function expectAll(tx: ReadTransaction, round: (i: number) => number, label: string): void {
    const b = tx.bucket('t')!
    expect(b.size, label).to.equal(N)
    for (let i = 0; i < N; i++) {
      const got = b.get(numKey(i))
      if (got === undefined || Buffer.compare(got, val(i, round(i))) !== 0) expect.fail(`${label}: key ${i}`)
    }
  }

  it('takes no new page for most leaves, and snapshots of the published leaves read every value', async () => {
    const db = await t.open({ durability: 'none' })
    await randomFill(db)
    const before = db.begin()
    const taken = ownPages.taken
    await db.checkpoint()
    const leaves = db.stats().buckets.find((s) => s.name === 't')!.leafPages
    // Copying every leaf took a page each: leaves with garbage (a put that replaced an entry)
    // still do.
    expect(ownPages.taken - taken, `pages taken for ${leaves} leaves`).to.be.lessThan(leaves / 4)
    expectAll(before, () => 0, 'a snapshot opened before the checkpoint')
    before.close()
    db.view((tx) => expectAll(tx, () => 0, 'after the checkpoint'))
    expectCheck(db)
    await db.close()
    const again = await t.open()
    again.view((tx) => expectAll(tx, () => 0, 'reopened'))
    expectCheck(again)
  })

  it('never seals a page of the cache: a leaf read on the way down and spilled unchanged', async () => {
    const db = await t.open({ durability: 'none' })
    await randomFill(db)
    await db.checkpoint()
    const rounds = new Array<number>(N).fill(0)
    // Deletes of keys that are not there read leaves from the cache and change none of them; the
    // puts change every tenth leaf or so.
    await db.update((tx) => {
      const b = tx.bucket('t')!
      for (let i = 0; i < N; i += 7) b.delete(Buffer.concat([numKey(i), Buffer.from('x')]))
      for (let i = 0; i < N; i += 97) {
        rounds[i] = 1
        b.put(numKey(i), val(i, 1))
      }
    })
    const snapshot = db.begin()
    await db.checkpoint()
    expectAll(snapshot, (i) => rounds[i]!, 'a snapshot opened before the second checkpoint')
    snapshot.close()
    db.view((tx) => expectAll(tx, (i) => rounds[i]!, 'after the second checkpoint'))
    expectCheck(db)
    await db.close()
    const again = await t.open()
    again.view((tx) => expectAll(tx, (i) => rounds[i]!, 'reopened'))
    expectCheck(again)
  })
})
