/**
 * A page-sized buffer that is an allocation of its own, exactly a page, for pages that enter the
 * page cache (tree pages read from disk, a commit's and a checkpoint's new pages, leaves written
 * ahead). The cache keeps and drops pages one at a time, so a page carved from a slab shared with
 * other pages keeps the whole slab alive for as long as the cache (or a view handed out) keeps
 * it, and the cache's byte count understates what it holds: after a 1,000,000-key random fill
 * checkpointed seven times, the cache counted 314 MiB and held 448 MiB of slabs (16 pages each);
 * after 1,000,000 random gets through a 64 MiB cache, 58 MiB counted and 88 MiB held (4-page
 * slabs). An own allocation costs ~1.5 µs more than a slab's view (a 4 KiB page). Contents are
 * not zeroed: callers overwrite every byte. `ownPages.taken` counts them (the tests' check that
 * cached pages share no allocation).
 */
export function ownPage(pageSize: number): Buffer {
  ownPages.taken++
  return Buffer.allocUnsafeSlow(pageSize)
}

/** Pages handed out by ownPage since the process started. */
export const ownPages = { taken: 0 }
