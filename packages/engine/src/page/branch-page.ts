import { comparePageKeyFrom, lastCommonPrefix } from './key-compare.js'
import { BRANCH_ENTRY_HEADER, HEADER_SIZE, SLOT_SIZE, pageCount, setU16, setU32, u16, u32 } from './layout.js'

/**
 * FORMAT.md §5, branch pages, read in place. Entry i starts at the u16 slot `16 + 2i`:
 * u32 child page id, u32 child txid32, u16 keyLength, key. Entry 0's key is stored empty and means
 * "below every key"; for i >= 1, every key in child i-1 < key i <= every key in child i.
 */

export function branchEntryOffset(page: Uint8Array, i: number): number {
  return u16(page, HEADER_SIZE + SLOT_SIZE * i)
}

export function branchChild(page: Uint8Array, i: number): number {
  return u32(page, branchEntryOffset(page, i))
}

export function branchChildTxid(page: Uint8Array, i: number): number {
  return u32(page, branchEntryOffset(page, i) + 4)
}

export function branchKey(page: Buffer, i: number): Buffer {
  const off = branchEntryOffset(page, i)
  const start = off + BRANCH_ENTRY_HEADER
  return page.subarray(start, start + u16(page, off + 8))
}

/**
 * The child to descend into for `key`: the last entry whose key <= `key` (entry 0 when none).
 * Binary search that skips the prefix the key shares with both bounds; `known`: a prefix the key is
 * known to share with every key of this page (from the parent's search).
 */
export function branchSearch(page: Buffer, key: Uint8Array, known = 0): number {
  let lo = 1
  let hi = pageCount(page) - 1
  let found = 0
  let loPrefix = known
  let hiPrefix = known
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1
    const off = branchEntryOffset(page, mid)
    const c = comparePageKeyFrom(page, off + BRANCH_ENTRY_HEADER, u16(page, off + 8), key, loPrefix < hiPrefix ? loPrefix : hiPrefix)
    if (c <= 0) {
      found = mid
      lo = mid + 1
      loPrefix = lastCommonPrefix
    } else {
      hi = mid - 1
      hiPrefix = lastCommonPrefix
    }
  }
  lastSearchPrefix = loPrefix < hiPrefix ? loPrefix : hiPrefix
  return found
}

/**
 * After branchSearch: the prefix the key shares with both separators around the chosen child, and
 * so with every key in it. Passed down as `known`, it spares each level re-reading that prefix.
 */
export let lastSearchPrefix = 0

/** Writes `n` entries after the header; entry 0's key is written empty. Returns the end offset. */
export function encodeBranchEntries(
  page: Uint8Array,
  n: number,
  keyAt: (i: number) => Uint8Array,
  childAt: (i: number) => number,
  childTxidAt: (i: number) => number,
): number {
  let off = HEADER_SIZE + SLOT_SIZE * n
  for (let i = 0; i < n; i++) {
    const key = i === 0 ? EMPTY : keyAt(i)
    setU16(page, HEADER_SIZE + SLOT_SIZE * i, off)
    setU32(page, off, childAt(i))
    setU32(page, off + 4, childTxidAt(i) >>> 0)
    setU16(page, off + 8, key.length)
    page.set(key, off + BRANCH_ENTRY_HEADER)
    off += BRANCH_ENTRY_HEADER + key.length
  }
  return off
}

const EMPTY = new Uint8Array(0)
