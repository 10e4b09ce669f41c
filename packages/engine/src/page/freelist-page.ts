import { sealPage } from './checksum.js'
import { HEADER_SIZE, PageType, setU32, u32, writeHeader } from './layout.js'

/**
 * FORMAT.md §7: the free list, written by every commit to a fresh run of pages. Its payload, across
 * the run: u32 freeCount, freeCount page ids ascending; u32 reclaimCount, reclaimCount triples
 * (u32 page id, u32 txid32, u32 runLength) naming subtrees of dropped buckets still to be given back
 * (runLength 0: a tree page whose children are reclaimed after it; >0: an overflow run).
 */

/**
 * FORMAT.md §7: a reclaim entry's run field at or above this names a subtree known to hold no
 * overflow values; the bits below are its height (0: a leaf, freed without being read).
 */
const RECLAIM_NO_OVERFLOW = 0x80000000

/**
 * A part of a dropped tree still to give back (FORMAT.md §7), by what its run field says; `txid` is
 * the txid32 that wrote it. Decoded here only: the walkers switch on `kind`.
 */
export type ReclaimEntry =
  /** Run field 0: a branch or leaf page, read to find its children and overflow runs. */
  | { readonly kind: 'page'; readonly pgid: number; readonly txid: number }
  /** Run field 1 … 2^31-1: an overflow run of that many pages, freed without being read. */
  | { readonly kind: 'run'; readonly pgid: number; readonly txid: number; readonly pages: number }
  /**
   * Run field RECLAIM_NO_OVERFLOW + height: a subtree known to hold no overflow values; its
   * leaves (height 0) are freed from their parents' child lists without being read.
   */
  | { readonly kind: 'subtree'; readonly pgid: number; readonly txid: number; readonly height: number }

/** The run field that stores `e` (FORMAT.md §7). */
function reclaimRunField(e: ReclaimEntry): number {
  switch (e.kind) {
    case 'page':
      return 0
    case 'run':
      return e.pages
    case 'subtree':
      return RECLAIM_NO_OVERFLOW + e.height
  }
}

/** The entry a stored triple names. */
function decodeReclaimEntry(pgid: number, txid: number, run: number): ReclaimEntry {
  if (run === 0) return { kind: 'page', pgid, txid }
  if (run < RECLAIM_NO_OVERFLOW) return { kind: 'run', pgid, txid, pages: run }
  return { kind: 'subtree', pgid, txid, height: run - RECLAIM_NO_OVERFLOW }
}

/** Pages `e` stands for until it is reclaimed: a run's pages, else its root page alone. */
export function reclaimEntryPages(e: ReclaimEntry): number {
  return e.kind === 'run' ? e.pages : 1
}

export interface FreeListRecord {
  free: number[]
  reclaim: ReclaimEntry[]
}

export function freelistBytes(freeCount: number, reclaimCount: number): number {
  return 8 + 4 * freeCount + 12 * reclaimCount
}

export function freelistPageCount(pageSize: number, freeCount: number, reclaimCount: number): number {
  return Math.ceil(freelistBytes(freeCount, reclaimCount) / (pageSize - HEADER_SIZE))
}

export function encodeFreeList(
  rec: FreeListRecord,
  pgid: number,
  txid: number,
  pageSize: number,
  pages: number,
): Buffer[] {
  const body = Buffer.alloc(pages * (pageSize - HEADER_SIZE))
  let o = 0
  setU32(body, o, rec.free.length)
  o += 4
  for (const id of rec.free) {
    setU32(body, o, id)
    o += 4
  }
  setU32(body, o, rec.reclaim.length)
  o += 4
  for (const r of rec.reclaim) {
    setU32(body, o, r.pgid)
    setU32(body, o + 4, r.txid >>> 0)
    setU32(body, o + 8, reclaimRunField(r))
    o += 12
  }
  const out: Buffer[] = []
  const payload = pageSize - HEADER_SIZE
  for (let i = 0; i < pages; i++) {
    const page = Buffer.alloc(pageSize)
    writeHeader(page, pgid + i, txid, PageType.freelist, 0)
    body.copy(page, HEADER_SIZE, i * payload, (i + 1) * payload)
    sealPage(page)
    out.push(page)
  }
  return out
}

/** Decodes the concatenated payloads of a free-list run; a string describes a malformed one. */
export function decodeFreeList(body: Uint8Array): FreeListRecord | string {
  if (body.length < 8) return 'free list too short'
  const n = u32(body, 0)
  if (8 + 4 * n > body.length) return `free count ${n} past the run`
  const free = new Array<number>(n)
  for (let i = 0; i < n; i++) free[i] = u32(body, 4 + 4 * i)
  let o = 4 + 4 * n
  const m = u32(body, o)
  o += 4
  if (o + 12 * m > body.length) return `reclaim count ${m} past the run`
  const reclaim: ReclaimEntry[] = []
  for (let i = 0; i < m; i++, o += 12) {
    reclaim.push(decodeReclaimEntry(u32(body, o), u32(body, o + 4), u32(body, o + 8)))
  }
  return { free, reclaim }
}
