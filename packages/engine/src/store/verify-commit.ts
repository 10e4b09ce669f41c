import { decodeBucketRecord } from '../page/bucket-record.js'
import { decodeFreeList } from '../page/freelist-page.js'
import { PageType, pageCount, pageType, widenTxid } from '../page/layout.js'
import { leafValueBytes } from '../page/leaf-page.js'
import type { Meta, PageRef } from '../page/meta-page.js'
import { walkTree } from '../page/tree-walk.js'
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
      for (const e of list.reclaim) if (e.kind !== 'run' && recent(e.txid)) verifyTree(pager, e, recent, false)
    }
  }
  verifyTree(pager, meta.catalog, recent, true)
}

/** Verifies the recent pages and runs of one tree; of the catalog's, each bucket's tree too. */
function verifyTree(pager: Pager, root: PageRef, recent: (t: number) => boolean, catalog: boolean): void {
  walkTree(root, {
    read: (pgid, txid) => {
      // Read around the cache: a cached copy proves nothing about the disk.
      pager.cache.delete(pgid)
      return pager.treePage(pgid, txid)
    },
    // Value runs and out-of-line keys' runs (FORMAT.md §10), read from disk like the pages.
    run: (pgid, txid, length) => {
      if (recent(txid)) pager.readOverflow(pgid, txid, length)
    },
    child: (_pgid, txid) => recent(txid),
    page: (page, pgid) => {
      if (!catalog || pageType(page) !== PageType.leaf) return
      for (let i = 0, n = pageCount(page); i < n; i++) {
        const rec = decodeBucketRecord(leafValueBytes(page, i), pgid)
        if (recent(rec.root.txid)) verifyTree(pager, rec.root, recent, false)
      }
    },
  })
}
