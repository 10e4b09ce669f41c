import { expect } from 'chai'
import { type Database, type ReadTransaction, open } from '../../src/index.js'
import { MemoryFileSystem } from '../../src/io/memory-file.js'
import { ownPages } from '../../src/store/page-slab.js'
import { expectCheck, numKey, useTempDir } from './helpers.js'

/**
 * A checkpoint writes a packed leaf from the page the leaf already reads when that page was made
 * in memory and is laid out as a page (Node.sealInPlace): its private copy of the state shares the
 * page with the published leaf, and the seal writes only the header and the free middle, which no
 * reader of the leaf reads. These pin that it takes no new page for such leaves, that snapshots
 * reading the published leaves meanwhile see every value, and that a page the cache holds as
 * another page id is never sealed under a new one.
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

  // Commits written as pages (`journal: false`) spill their leaves at every commit through the same
  // code as a checkpoint: a leaf whose page the cache already holds as another page id is copied.
  // Sealed where it lay, its header named the new page under the cache's old entry, and the strict
  // check after commit 23 failed ("cached search index does not match its page").
  it('never seals a page the cache holds as another page (commits written as pages, strict)', async () => {
    const key = (n: number): Buffer => Buffer.from(`k${String(n).padStart(8, '0')}`)
    const model = new Map<string, Buffer>()
    const db = await open('/db', {
      fileSystem: new MemoryFileSystem(),
      lock: false,
      pageSize: 1024,
      strict: true,
      journal: false,
    })
    for (let i = 0; i < 30; i++) {
      await db.update((tx) => {
        const a = tx.createBucketIfNotExists('a')
        const put = (n: number, length: number, fill: number): void => {
          const v = Buffer.alloc(length, fill & 0xff)
          a.put(key(n), v)
          model.set(key(n).toString(), v)
        }
        for (let j = 0; j < 3; j++) put(i * 3 + j, 10 + j * 7, i * 3 + j)
        tx.createBucketIfNotExists('b').put(key(i), Buffer.alloc(30, i))
        if (i > 0) put(i - 1, 12, 5000 + i)
        if (i > 1) {
          a.delete(key((i - 2) * 3 + 2))
          model.delete(key((i - 2) * 3 + 2).toString())
        }
      })
    }
    db.view((tx) => {
      const a = tx.bucket('a')!
      expect(a.size).to.equal(model.size)
      for (const [k, v] of model) expect(a.get(Buffer.from(k)), k).to.deep.equal(v)
    })
    expectCheck(db)
    await db.close()
  })
})
