import { decodeBucketRecord } from '../page/bucket-record.js'
import { branchChild, branchChildTxid } from '../page/branch-page.js'
import { RECLAIM_NO_OVERFLOW, decodeFreeList } from '../page/freelist-page.js'
import { PageType, pageCount, pageType, widenTxid } from '../page/layout.js'
import { leafValueBytes } from '../page/leaf-page.js'
import { forEachRun } from '../page/page-runs.js'
import type { Meta } from '../page/meta-page.js'
import type { Pager } from './pager.js'

/**
 * FORMAT.md §8: a commit made without a sync may name pages whose writes never reached the disk.
 * Every page such a commit can reach that was written after its `durableTxid` is read and
 * verified (checksum, id, and the txid its parent recorded); pages at or before `durableTxid` were
 * synced and are not read. Throws BTREE_CORRUPTION at the first page that fails. Cost: the pages
 * written since the last durable commit: the newest commit's own pages when every commit is made
 * with durability 'full' (each meta names the previous one as its durable base).
 */
export function verifyCommit(pager: Pager, meta: Meta): void {
  const recent = (t32: number): boolean => widenTxid(t32, meta.txid) > meta.durableTxid
  if (meta.freelist.pgid !== 0 && recent(meta.freelist.txid)) {
    const list = decodeFreeList(
      pager.readRun(meta.freelist.pgid, meta.freelistPages, meta.freelist.txid, PageType.freelist),
    )
    // Dropped trees awaiting reclaim are reachable too: later commits read them to find the pages
    // to give back, so an unsynced one lost to the crash would leak its pages and fail check().
    if (typeof list !== 'string') {
      for (const e of list.reclaim)
        if ((e.run === 0 || e.run >= RECLAIM_NO_OVERFLOW) && recent(e.txid)) walk(pager, e.pgid, e.txid, recent, false)
    }
  }
  walk(pager, meta.catalog.pgid, meta.catalog.txid, recent, true)
}

function walk(pager: Pager, pgid: number, txid: number, recent: (t: number) => boolean, catalog: boolean): void {
  // Read around the cache: a cached copy proves nothing about the disk.
  pager.cache.delete(pgid)
  const page = pager.treePage(pgid, txid)
  const n = pageCount(page)
  const branch = pageType(page) === PageType.branch
  // Value runs and out-of-line keys' runs (FORMAT.md §10), read from disk like the pages.
  forEachRun(page, !branch, (opg, ot, length) => {
    if (recent(ot)) pager.readOverflow(opg, ot, length)
  })
  if (branch) {
    for (let i = 0; i < n; i++) {
      const t = branchChildTxid(page, i)
      if (recent(t)) walk(pager, branchChild(page, i), t, recent, catalog)
    }
    return
  }
  if (!catalog) return
  for (let i = 0; i < n; i++) {
    const rec = decodeBucketRecord(leafValueBytes(page, i), pgid)
    if (recent(rec.root.txid)) walk(pager, rec.root.pgid, rec.root.txid, recent, false)
  }
}
