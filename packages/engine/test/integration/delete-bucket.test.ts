import { expect } from 'chai'
import { b, expectCheck, numKey, useTempDir } from './helpers.js'

describe('integration: dropping a large bucket', () => {
  const t = useTempDir()

  it('deleteBucket of 200,000 entries reads no leaf pages; later commits reclaim every page', async function () {
    this.timeout(120_000)
    const reclaimPerCommit = 64
    let db = await t.open({ durability: 'none', journal: false })
    await db.update(
      (tx) => {
        const big = tx.createBucket('big')
        for (let i = 0; i < 200_000; i++) big.put(numKey(i), Buffer.alloc(20, i & 0xff))
        big.put(b('overflow'), Buffer.alloc(50_000, 1))
        tx.createBucket('small').put(b('k'), b('v'))
      },
      { durability: 'full' },
    )
    // Open verifies the pages written since the newest commit's durable base (FORMAT.md §8): make
    // the newest a small commit after a durable one.
    await db.update((tx) => tx.bucket('small')!.put(b('k'), b('v0')), { durability: 'full' })
    const treePages = db.stats().buckets.find((s) => s.name === 'big')!
    expect(treePages.leafPages).to.be.greaterThan(1000)
    await db.close()
    // A fresh cache: every page the drop touches is a miss.
    db = await t.open({ reclaimPerCommit, durability: 'none', journal: false })
    const oldSnapshot = db.begin()
    const started = Date.now()
    await db.update((tx) => tx.deleteBucket('big'))
    const dropMs = Date.now() - started
    // stats() walks the buckets through the cache, so it is first called after the drop, when only
    // the small bucket is left: the misses are the drop's page reads plus one or two.
    const read = db.stats().cache.misses
    // The catalog path and at most one reclaim budget of dropped pages, not the 1000+ leaves.
    expect(read).to.be.at.most(reclaimPerCommit + 8)
    const right = expectCheck(db).pages
    expect(right.reclaiming).to.be.greaterThan(1000)
    db.view((tx) => expect(tx.buckets()).to.deep.equal(['small']))

    const emptyStarted = Date.now()
    await db.update((tx) => tx.bucket('small')!.put(b('k'), b('w')))
    const emptyMs = Date.now() - emptyStarted
    console.log(`        drop commit ${dropMs} ms, a one-key commit ${emptyMs} ms, ${read} page reads`)

    let commits = 0
    let last = right.reclaiming
    while (db.stats().reclaimingPages > 0) {
      await db.update((tx) => tx.bucket('small')!.put(b('n'), numKey(commits)))
      commits++
      if (commits % 10 === 0) {
        const pages = expectCheck(db).pages
        expect(pages.reclaiming).to.be.lessThan(last)
        last = pages.reclaiming
        // The snapshot from before the drop still reads the whole bucket.
        expect(oldSnapshot.bucket('big')!.size).to.equal(200_001)
        expect(oldSnapshot.bucket('big')!.get(numKey(199_999))).to.deep.equal(Buffer.alloc(20, 199_999 & 0xff))
      }
      expect(commits).to.be.below(1000)
    }
    expect(commits).to.be.at.least(Math.floor(treePages.leafPages / reclaimPerCommit) - 1)
    let n = 0
    for (const _ of oldSnapshot.bucket('big')!.entries()) n++
    expect(n).to.equal(200_001)
    oldSnapshot.close()
    await db.update((tx) => tx.bucket('small')!.put(b('k'), b('x')), { durability: 'full' })
    const end = expectCheck(db).pages
    expect(end.reclaiming).to.equal(0)
    expect(end.reachable + end.free + end.pending).to.equal(end.total)
    expect(end.free + end.pending).to.be.greaterThan(treePages.leafPages)
    await db.close()
    db = await t.open({ journal: false })
    expect(expectCheck(db).pages.reclaiming).to.equal(0)
  })

  it('reclaim state survives reopen in the middle', async () => {
    let db = await t.open({ reclaimPerCommit: 5, pageSize: 1024, journal: false })
    await db.update((tx) => {
      const a = tx.createBucket('a')
      for (let i = 0; i < 5000; i++) a.put(numKey(i), Buffer.alloc(30, 1))
      for (let i = 0; i < 5; i++) a.put(numKey(-i - 1), Buffer.alloc(3000, 2))
      tx.createBucket('s')
    })
    await db.update((tx) => tx.deleteBucket('a'))
    await db.update((tx) => tx.bucket('s')!.put(b('1'), b('1')))
    const mid = expectCheck(db).pages.reclaiming
    expect(mid).to.be.greaterThan(0)
    await db.close()
    db = await t.open({ reclaimPerCommit: 500, journal: false })
    expect(expectCheck(db).pages.reclaiming).to.equal(mid)
    for (let i = 0; i < 30 && db.stats().reclaimingPages > 0; i++)
      await db.update((tx) => tx.bucket('s')!.put(b('1'), numKey(i)))
    expect(expectCheck(db).pages.reclaiming).to.equal(0)
  })
})
