import { listBuckets } from '../bucket/catalog.js'
import { branchChild, branchChildTxid, branchEntryOffset } from '../page/branch-page.js'
import { RECLAIM_NO_OVERFLOW, type ReclaimEntry } from '../page/freelist-page.js'
import {
  BRANCH_ENTRY_HEADER,
  HEADER_SIZE,
  LEAF_ENTRY_HEADER,
  PageType,
  SLOT_SIZE,
  keyPartSize,
  pageCount,
  pageType,
  u16,
} from '../page/layout.js'
import { forEachRun } from '../page/page-runs.js'
import { leafEntryOffset, leafIsOverflow, leafValueLength } from '../page/leaf-page.js'
import type { Meta, PageRef } from '../page/meta-page.js'
import { overflowPageCount } from '../page/overflow-page.js'
import type { Pager } from '../store/pager.js'
import type { BucketStats, Stats } from '../base/types.js'

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
  for (const e of extra.reclaim) reclaimingPages += e.run > 0 && e.run < RECLAIM_NO_OVERFLOW ? e.run : 1
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

function walk(pager: Pager, ref: PageRef, s: Totals, depth: number): void {
  const page = pager.treePage(ref.pgid, ref.txid)
  const n = pageCount(page)
  s.depth = Math.max(s.depth, depth)
  let used = HEADER_SIZE + SLOT_SIZE * n
  if (pageType(page) === PageType.branch) {
    s.branchPages++
    for (let i = 0; i < n; i++) {
      used += BRANCH_ENTRY_HEADER + keyPartSize(u16(page, branchEntryOffset(page, i) + 8))
      walk(pager, { pgid: branchChild(page, i), txid: branchChildTxid(page, i) }, s, depth + 1)
    }
  } else {
    s.leafPages++
    s.keys += n
    for (let i = 0; i < n; i++) {
      const off = leafEntryOffset(page, i)
      const overflow = leafIsOverflow(page, i)
      used += LEAF_ENTRY_HEADER + keyPartSize(u16(page, off)) + (overflow ? 8 : leafValueLength(page, i))
    }
  }
  // Value runs and out-of-line keys' runs (FORMAT.md §10).
  forEachRun(page, pageType(page) === PageType.leaf, (_pgid, _txid, length) => {
    s.overflowPages += overflowPageCount(pager.pageSize, length)
  })
  s.bytesUsed += used
  s.fillHistogram[Math.min(9, Math.floor((used / pager.pageSize) * 10))]!++
}
