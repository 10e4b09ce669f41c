import { keepShapes } from '../base/shapes.js'
import { branchEntryOffset, branchStepIn, packStep, stepChild } from './branch-page.js'
import { type KeyReader, sharedPrefix } from './key-compare.js'
import { leafCompare, leafEntryOffset, leafFindIn } from './leaf-page.js'
import {
  BRANCH_ENTRY_HEADER,
  HEADER_SIZE,
  LEAF_ENTRY_HEADER,
  LONG_KEY_FLAG,
  LONG_KEY_PREFIX,
  LONG_KEY_REF_SIZE,
  OFF_TXID,
  PageType,
  pageCount,
  pageType,
  SLOT_SIZE,
  u16,
  u32,
} from './layout.js'

/**
 * A search index of a cached branch or leaf page: what a binary search reads, packed in one typed
 * array instead of spread over the page. A search of the page bytes touches a slot and an entry,
 * two cache lines, per probe, and a random get's probes land on lines nothing else touched; here
 * the probes read 4 bytes each, side by side, and a branch's children come from the same array.
 *
 * Keys are compared by window: the 4 bytes after the prefix every key of the page shares (8 in a
 * branch, whose keys lie further apart), read big-endian with missing bytes as 0 (keyWindow). Two
 * keys with the same prefix whose windows differ are ordered as their windows are; equal windows
 * (always so for the key found) are settled by comparing the page's bytes from the end of the
 * window on, as the plain search does. Nothing of the format changes: the index is built from the page,
 * O(entries), as a commit or checkpoint caches a page it wrote (pager.ts:cacheWritten), or else when a
 * search first meets the page in the cache (page-cache.ts keeps it beside the page, and drops it with
 * the page).
 *
 * A page whose out-of-line keys would need bytes past their inline prefix for a window (FORMAT.md
 * §10), or with too few keys to gain, gets an index that only carries its children or entry offsets
 * (`prefix` < 0), and is searched as bytes.
 *
 * The index is its own array (an Int32Array with the page's fields on it), so that a search meets
 * one object per page: the cache's slot, then the index's fields and its data pointer together,
 * then the windows. An index that held its array as a field cost one dependent load more per page,
 * a cache miss on every cold page of a random get (~45,000 leaves at 1,000,000 keys): the medians
 * of a random get on such a file went from 2.46, 2.19 and 2.36 µs to 2.24, 2.14 and 2.24 µs (three
 * runs, both builds alternating on one file in one process; issue 9).
 *
 * Layout: a leaf: [0, count) entry i's window, then each entry's offset in the page. A branch
 * (entry 0's slots unused): each separator's window, the window after it (branches hold keys that
 * differ further apart), its key-length field, then each child's page id and txid32 (two int32s
 * per child). Then the `prefix` bytes, one per int32 (at `head`). Nothing may call the methods
 * that make a new array of the same kind (`subarray`, `slice`, `map`...): they would call this
 * constructor with other arguments.
 */
export class SearchIndex extends Int32Array {
  readonly page: Buffer
  /** The header's txid32 as an int32 (layout.ts:pageTxidIs compares the same way). */
  readonly txid: number
  readonly branch: boolean
  readonly count: number
  /** Bytes every key of the page starts with (a branch's entry 0 has no key); -1: not indexed. */
  readonly prefix: number

  constructor(length: number, page: Buffer, txid: number, branch: boolean, count: number, prefix: number) {
    super(length)
    this.page = page
    this.txid = txid
    this.branch = branch
    this.count = count
    this.prefix = prefix
  }

  /** Where the prefix bytes start. */
  get head(): number {
    return this.branch ? 5 * this.count : 2 * this.count
  }

  /** What the index adds to the page in memory (counted by the cache). */
  get bytes(): number {
    return INDEX_OVERHEAD + this.byteLength
  }

  /** A leaf's entry i: where it starts in the page (leaf-page.ts:leafEntryOffset). */
  entryOffset(i: number): number {
    return this[this.count + i]!
  }

  /** A branch's child i: its page id. */
  childPage(i: number): number {
    return this[3 * this.count + 2 * i]! >>> 0
  }

  /** A branch's child i: the txid32 that wrote it. */
  childTxid(i: number): number {
    return this[3 * this.count + 2 * i + 1]! >>> 0
  }
}

/** Bytes of a key a window holds. */
export const WINDOW = 4

/** Below this many keys a page is searched as bytes: a window search would not touch fewer lines. */
const MIN_INDEXED_KEYS = 8

/** A rough size of the index's objects (the index, its typed arrays' headers). */
const INDEX_OVERHEAD = 160

const SIGN = -0x80000000

/**
 * Bytes [at, at + 4) of `key` as an int32 that orders as the bytes do (big-endian, sign bit
 * flipped); bytes past the key's end count as 0, so that of two keys sharing `at` bytes, a
 * smaller window means a smaller key. Equal windows say nothing.
 */
export function keyWindow(key: Uint8Array, at: number): number {
  if (at + WINDOW <= key.length) {
    return ((key[at]! << 24) | (key[at + 1]! << 16) | (key[at + 2]! << 8) | key[at + 3]!) ^ SIGN
  }
  // The bytes the key has from `at` on (none when it ends before): no read past its end.
  return bytesWindow(key, at, key.length - at)
}

/** keyWindow of the `length` bytes at `start` in `b`. */
function bytesWindow(b: Uint8Array, start: number, length: number): number {
  if (length >= WINDOW) return ((b[start]! << 24) | (b[start + 1]! << 16) | (b[start + 2]! << 8) | b[start + 3]!) ^ SIGN
  let w = 0
  for (let i = 0; i < WINDOW; i++) w = (w << 8) | (i < length ? b[start + i]! : 0)
  return w ^ SIGN
}

/** The index of a branch or leaf page (SearchIndex). O(entries). */
export function buildSearchIndex(page: Buffer): SearchIndex {
  const branch = pageType(page) === PageType.branch
  const count = pageCount(page)
  const txid = page[OFF_TXID]! | (page[OFF_TXID + 1]! << 8) | (page[OFF_TXID + 2]! << 16) | (page[OFF_TXID + 3]! << 24)
  const first = branch ? 1 : 0
  const prefix = count - first >= MIN_INDEXED_KEYS ? sharedPrefixOf(page, branch, first, count) : -1
  const head = branch ? 5 * count : 2 * count
  const index = new SearchIndex(head + (prefix > 0 ? prefix : 0), page, txid, branch, count, prefix)
  // One pass over the slots: each entry's offset read once (the format's accessors would reread it).
  const fieldAt = branch ? 8 : 0
  const keyAt = branch ? BRANCH_ENTRY_HEADER : LEAF_ENTRY_HEADER
  for (let i = 0; i < count; i++) {
    const off = u16(page, HEADER_SIZE + SLOT_SIZE * i)
    if (branch) {
      index[3 * count + 2 * i] = u32(page, off)
      index[3 * count + 2 * i + 1] = u32(page, off + 4)
    } else index[count + i] = off
    if (prefix < 0 || i < first) continue
    const field = u16(page, off + fieldAt)
    const long = field >= LONG_KEY_FLAG
    const at = off + keyAt + (long ? LONG_KEY_REF_SIZE : 0) + prefix
    const length = (long ? LONG_KEY_PREFIX : field) - prefix
    index[i] = bytesWindow(page, at, length)
    if (branch) {
      index[count + i] = bytesWindow(page, at + WINDOW, length - WINDOW)
      index[2 * count + i] = field
    }
  }
  if (prefix < 0) return index
  const at = keyBytes(page, branch, first)
  for (let i = 0; i < prefix; i++) index[head + i] = page[at + i]!
  return index
}

/**
 * Whether `index` is what buildSearchIndex makes of its page now (check(): a page cached with its
 * index is never modified, page-cache.ts; an index built ahead, tx/early-pages.ts, must be its page's).
 */
export function searchIndexMatches(index: SearchIndex): boolean {
  const fresh = buildSearchIndex(index.page)
  if (
    fresh.txid !== index.txid ||
    fresh.branch !== index.branch ||
    fresh.count !== index.count ||
    fresh.prefix !== index.prefix ||
    fresh.length !== index.length
  )
    return false
  for (let i = 0; i < fresh.length; i++) if (fresh[i] !== index[i]) return false
  return true
}

/** Entry i's key-length field (bit 15: out of line). */
function keyField(page: Uint8Array, branch: boolean, i: number): number {
  return branch ? u16(page, branchEntryOffset(page, i) + 8) : u16(page, leafEntryOffset(page, i))
}

/** Where entry i's key bytes (or, out of line, its inline prefix) start. */
function keyBytes(page: Uint8Array, branch: boolean, i: number): number {
  const start = branch ? branchEntryOffset(page, i) + BRANCH_ENTRY_HEADER : leafEntryOffset(page, i) + LEAF_ENTRY_HEADER
  return keyField(page, branch, i) >= LONG_KEY_FLAG ? start + LONG_KEY_REF_SIZE : start
}

/** How many of entry i's key bytes the page holds: the key, or an out-of-line key's prefix. */
function keyBytesLength(page: Uint8Array, branch: boolean, i: number): number {
  const field = keyField(page, branch, i)
  return field >= LONG_KEY_FLAG ? LONG_KEY_PREFIX : field
}

/**
 * The prefix every key of entries [first, count) shares (the first and last keys' common prefix,
 * the keys being sorted), or -1 when an out-of-line key's window would reach past its inline
 * prefix (FORMAT.md §10).
 */
function sharedPrefixOf(page: Buffer, branch: boolean, first: number, count: number): number {
  const a = keyBytes(page, branch, first)
  const b = keyBytes(page, branch, count - 1)
  const la = keyBytesLength(page, branch, first)
  const lb = keyBytesLength(page, branch, count - 1)
  const n = la < lb ? la : lb
  let prefix = 0
  while (prefix < n && page[a + prefix] === page[b + prefix]) prefix++
  if (prefix + (branch ? 2 * WINDOW : WINDOW) <= LONG_KEY_PREFIX) return prefix
  for (let i = first; i < count; i++) if (keyField(page, branch, i) >= LONG_KEY_FLAG) return -1
  return prefix
}

/**
 * Where `key` falls against the head of an index: 0 when it starts with the shared prefix (its
 * first `known` bytes are known to), else -1 when it sorts below every key of the page, 1 above.
 */
function againstHead(ix: SearchIndex, key: Uint8Array, known: number): number {
  const head = ix.head
  const p = ix.prefix
  for (let i = known; i < p; i++) {
    if (i >= key.length) return -1
    const d = key[i]! - ix[head + i]!
    if (d !== 0) return d < 0 ? -1 : 1
  }
  return 0
}

/**
 * leaf-page.ts:leafFind through an index (prefix >= 0): the index of `key`, or -1 - the index of
 * the first key above it. `known`: a prefix the key shares with every key of the page.
 *
 * The windows are searched before the key is checked against the page's prefix: the branch above
 * hands down its own prefix, shorter than the leaf's, for ~98 % of a random get's leaves (1,000,000
 * keys), and the prefix bytes lie on a line of the index that nothing else reads. A key whose window
 * is one entry's is compared with that entry from `known` on, which checks the prefix as well; only
 * the other cases (no entry or several with the key's window) read the prefix bytes (againstHead).
 */
export function indexedLeafFind(ix: SearchIndex, key: Uint8Array, known: number, reader: KeyReader): number {
  const n = ix.count
  const p = ix.prefix
  // The key's window at the page's prefix; meaningless when the key lacks that prefix, which the
  // compare below or againstHead then finds.
  const w = keyWindow(key, p)
  const win: Int32Array = ix
  let lo = 0
  let hi = n
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (win[mid]! < w) lo = mid + 1
    else hi = mid
  }
  if (lo < n && win[lo] === w && (lo + 1 === n || win[lo + 1] !== w)) {
    // One entry with the key's window (the usual case): one compare, its offset at hand.
    const c = leafCompare(ix.page, win[n + lo]!, key, known, reader)
    if (c === 0) return lo
    if (sharedPrefix(c) >= p) return c < 0 ? -2 - lo : -1 - lo
    // The key differs from the page's keys within their prefix: it sorts before or after them all.
    return c < 0 ? -1 - n : -1
  }
  const side = againstHead(ix, key, known)
  if (side !== 0) return side < 0 ? -1 : -1 - n
  if (lo === n || win[lo] !== w) return -1 - lo
  // The entries whose windows equal the key's: their bytes decide, from the window's end on.
  let end = lo + 1
  hi = n
  while (end < hi) {
    const mid = (end + hi) >>> 1
    if (win[mid]! <= w) end = mid + 1
    else hi = mid
  }
  return leafFindIn(ix.page, key, p + WINDOW, reader, lo, end)
}

/**
 * branch-page.ts:branchStep through an index (prefix >= 0): the child for `key`, packed with a
 * prefix the key shares with every key in it (packStep). `known`: a prefix the key shares with
 * every key of the page.
 */
export function indexedBranchStep(ix: SearchIndex, key: Uint8Array, known: number, reader: KeyReader): number {
  const n = ix.count
  const side = againstHead(ix, key, known)
  if (side !== 0) return packStep(side < 0 ? 0 : n - 1, known)
  const p = ix.prefix
  const w = keyWindow(key, p)
  const w2 = keyWindow(key, p + WINDOW)
  const win: Int32Array = ix
  // The last separator whose windows are <= the key's (0: none).
  let lo = 1
  let hi = n
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    const h = win[mid]!
    if (h < w || (h === w && win[n + mid]! <= w2)) lo = mid + 1
    else hi = mid
  }
  let found = lo - 1
  if (found >= 1 && win[found] === w && win[n + found] === w2) {
    // Separators whose windows equal the key's: their bytes decide, from the windows' end on.
    const end = p + 2 * WINDOW
    let start = found
    if (start > 1 && win[start - 1] === w && win[n + start - 1] === w2) {
      lo = 1
      while (lo < start) {
        const mid = (lo + start) >>> 1
        const h = win[mid]!
        if (h < w || (h === w && win[n + mid]! < w2)) lo = mid + 1
        else start = mid
      }
    }
    const length = win[2 * n + found]!
    if (start === found && length <= end && key.length <= end) {
      // One separator, and both keys end inside the windows: equal but for trailing zero bytes,
      // so the shorter is the smaller (an inline key's field is its length).
      if (length > key.length) found--
    } else found = stepChild(branchStepIn(ix.page, key, end, reader, start, found))
  }
  // Between two separators of the page the keys share its prefix; at either end, only `known`.
  return packStep(found, found === 0 || found === n - 1 ? known : ix.prefix)
}

// base/shapes.ts: a page's index lives as long as the page in the cache, which a close empties.
keepShapes('page/search-index', [new SearchIndex(0, Buffer.alloc(0), 0, false, 0, -1)])
