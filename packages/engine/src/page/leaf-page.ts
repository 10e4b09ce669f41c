import { comparePageKeyFrom, lastCommonPrefix } from './key-compare.js'
import {
  HEADER_SIZE,
  LEAF_ENTRY_HEADER,
  OVERFLOW_FLAG,
  SLOT_SIZE,
  pageCount,
  setU16,
  setU32,
  u16,
  u32,
} from './layout.js'

/**
 * FORMAT.md §4, leaf pages, read in place. Entry i starts at the u16 slot `16 + 2i`:
 * u16 keyLength, u32 valueWord (bit 31: overflow; low 31 bits: value length), key, then the value
 * inline or an overflow reference (u32 first page id, u32 txid).
 */

export function leafEntryOffset(page: Uint8Array, i: number): number {
  return u16(page, HEADER_SIZE + SLOT_SIZE * i)
}

export function leafKey(page: Buffer, i: number): Buffer {
  const off = leafEntryOffset(page, i)
  const start = off + LEAF_ENTRY_HEADER
  return page.subarray(start, start + u16(page, off))
}

export function leafIsOverflow(page: Uint8Array, i: number): boolean {
  const off = leafEntryOffset(page, i)
  return page[off + 5]! >= 0x80
}

/** The value's length (for an overflow value, its full length). */
export function leafValueLength(page: Uint8Array, i: number): number {
  const off = leafEntryOffset(page, i)
  return u32(page, off + 2) % OVERFLOW_FLAG
}

/** The inline value bytes (a view), or the 8-byte overflow reference for an overflow value. */
export function leafValueBytes(page: Buffer, i: number): Buffer {
  const off = leafEntryOffset(page, i)
  const word = u32(page, off + 2)
  const start = off + LEAF_ENTRY_HEADER + u16(page, off)
  return page.subarray(start, start + (word >= OVERFLOW_FLAG ? 8 : word))
}

/** The overflow reference of entry i: [first page id, txid32]. */
export function leafOverflowRef(page: Uint8Array, i: number): [number, number] {
  const off = leafEntryOffset(page, i)
  const start = off + LEAF_ENTRY_HEADER + u16(page, off)
  return [u32(page, start), u32(page, start + 4)]
}

/** Index of the first key >= `key` (count when none); `exact` tells whether it is equal. */
export function leafSearch(page: Buffer, key: Uint8Array): { index: number; exact: boolean } {
  const i = leafFind(page, key)
  return i >= 0 ? { index: i, exact: true } : { index: -1 - i, exact: false }
}

/**
 * Index of `key`, or -1-index of the first key above it when absent; the allocation-free hot path
 * of get. Binary search that skips the prefix the key shares with both bounds; `known`: a prefix
 * the key shares with every key of the page (from the parent's search).
 */
export function leafFind(page: Buffer, key: Uint8Array, known = 0): number {
  let lo = 0
  let hi = pageCount(page) - 1
  let loPrefix = known
  let hiPrefix = known
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1
    const off = leafEntryOffset(page, mid)
    const c = comparePageKeyFrom(page, off + LEAF_ENTRY_HEADER, u16(page, off), key, loPrefix < hiPrefix ? loPrefix : hiPrefix)
    if (c < 0) {
      lo = mid + 1
      loPrefix = lastCommonPrefix
    } else if (c > 0) {
      hi = mid - 1
      hiPrefix = lastCommonPrefix
    } else return mid
  }
  return -1 - lo
}

/** A value stored in overflow pages, as a leaf entry references it (FORMAT.md §4). */
export interface OverflowRefLike {
  readonly pgid: number
  readonly txid: number
  readonly length: number
}

/**
 * Writes the entries after the header (which the caller writes): values inline, or overflow
 * references. Returns the end offset. One pass, no per-entry allocation.
 */
export function encodeLeafEntries(page: Uint8Array, keys: readonly Uint8Array[], vals: readonly (Uint8Array | OverflowRefLike)[]): number {
  const n = keys.length
  let off = HEADER_SIZE + SLOT_SIZE * n
  for (let i = 0; i < n; i++) {
    const key = keys[i]!
    const v = vals[i]!
    const klen = key.length
    setU16(page, HEADER_SIZE + SLOT_SIZE * i, off)
    setU16(page, off, klen)
    page.set(key, off + LEAF_ENTRY_HEADER)
    const at = off + LEAF_ENTRY_HEADER + klen
    if (v instanceof Uint8Array) {
      setU32(page, off + 2, v.length)
      page.set(v, at)
      off = at + v.length
    } else {
      setU32(page, off + 2, OVERFLOW_FLAG + v.length)
      setU32(page, at, v.pgid)
      setU32(page, at + 4, v.txid)
      off = at + 8
    }
  }
  return off
}
