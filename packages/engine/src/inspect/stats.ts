import type { BucketStats, Stats } from '../base/types.js'
import { listBuckets } from '../bucket/catalog.js'
import { type ReclaimEntry, reclaimEntryPages } from '../page/freelist-page.js'
import { PageType, pageCount, pageType } from '../page/layout.js'
import type { Meta, PageRef } from '../page/meta-page.js'
import { overflowPageCount } from '../page/overflow-page.js'
import { pageBytesUsed } from '../page/page-fill.js'
import { walkTree } from '../page/tree-walk.js'
import type { Pager } from '../store/pager.js'

type Totals = Omit<BucketStats, 'name'>

function emptyTotals(): Totals {
  return {
    keys: 0,
    depth: 0,
    branchPages: 0,
    leafPages: 0,
    overflowPages: 0,
    bytesUsed: 0,
    fill: 0,
    fillHistogram: new Array<number>(10).fill(0),
  }
}

/** Walks every bucket (through the cache) and sums its pages. O(pages). */
export function collectStats(
  pager: Pager,
  meta: Meta,
  extra: { fileSize: number; freePages: number; pendingPages: number; reclaim: readonly ReclaimEntry[] },
): Stats {
  const buckets: BucketStats[] = []
  const total = emptyTotals()
  for (const [name, rec] of listBuckets(pager, meta.catalog)) {
    const s = emptyTotals()
    walk(pager, rec.root, s, 1)
    s.fill = fillOf(s, pager.pageSize)
    buckets.push({ name, ...s })
    total.keys += s.keys
    total.depth = Math.max(total.depth, s.depth)
    total.branchPages += s.branchPages
    total.leafPages += s.leafPages
    total.overflowPages += s.overflowPages
    total.bytesUsed += s.bytesUsed
    for (let i = 0; i < 10; i++) total.fillHistogram[i]! += s.fillHistogram[i]!
  }
  total.fill = fillOf(total, pager.pageSize)
  let reclaimingPages = 0
  for (const e of extra.reclaim) reclaimingPages += reclaimEntryPages(e)
  return {
    pageSize: pager.pageSize,
    txid: meta.txid,
    fileSize: extra.fileSize,
    highWater: meta.highWater,
    freePages: extra.freePages,
    pendingPages: extra.pendingPages,
    reclaimingPages,
    buckets,
    total,
    cache: { bytes: pager.cache.bytes, limit: pager.cache.limit, hits: pager.cache.hits, misses: pager.cache.misses },
  }
}

function fillOf(s: Totals, pageSize: number): number {
  const pages = s.branchPages + s.leafPages
  return pages === 0 ? 0 : s.bytesUsed / (pages * pageSize)
}

/** Sums the pages of the tree at `root` into `s` (its root at `depth`). */
function walk(pager: Pager, root: PageRef, s: Totals, depth: number): void {
  walkTree(
    root,
    {
      read: (pgid, txid) => pager.treePage(pgid, txid),
      page: (page, _pgid, d) => {
        s.depth = Math.max(s.depth, d)
        const used = pageBytesUsed(page)
        if (pageType(page) === PageType.branch) s.branchPages++
        else {
          s.leafPages++
          s.keys += pageCount(page)
        }
        s.bytesUsed += used
        s.fillHistogram[Math.min(9, Math.floor((used / pager.pageSize) * 10))]!++
      },
      // Value runs and out-of-line keys' runs (FORMAT.md §10).
      run: (_pgid, _txid, length) => {
        s.overflowPages += overflowPageCount(pager.pageSize, length)
      },
    },
    depth,
  )
}
