import { type KeyReader, compareLongPageKey, comparePageKeyFrom, sharedPrefix } from './key-compare.js'
import { type OverflowRefLike, writeKeyPart } from './leaf-page.js'
import {
  BRANCH_ENTRY_HEADER,
  HEADER_SIZE,
  LONG_KEY_FLAG,
  SLOT_SIZE,
  pageCount,
  setU16,
  setU32,
  u16,
  u32,
} from './layout.js'

/**
 * FORMAT.md §5, branch pages, read in place. Entry i starts at the u16 slot `16 + 2i`:
 * u32 child page id, u32 child txid32, u16 key field, key part (the key, or an out-of-line
 * reference and prefix, FORMAT.md §10). Entry 0's key is stored empty and means "below every key";
 * for i >= 1, every key in child i-1 < key i <= every key in child i.
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

/** The key-length field of entry i (bit 15: out of line; keyPartSize gives its bytes). */
export function branchKeyField(page: Uint8Array, i: number): number {
  return u16(page, branchEntryOffset(page, i) + 8)
}

/** Where entry i's key part starts. */
export function branchKeyStart(page: Uint8Array, i: number): number {
  return branchEntryOffset(page, i) + BRANCH_ENTRY_HEADER
}

/** Bytes entry i takes after its slot: header and key part. */
export function branchEntrySize(page: Uint8Array, i: number): number {
  return BRANCH_ENTRY_HEADER + (branchKeyField(page, i) & 0x7fff)
}

/** Every child a branch page references, in order: (page id, txid32, index). */
export function forEachChild(page: Uint8Array, fn: (pgid: number, txid: number, i: number) => void): void {
  const n = pageCount(page)
  for (let i = 0; i < n; i++) fn(branchChild(page, i), branchChildTxid(page, i), i)
}

/** Separator i: a view into the page, or an out-of-line key read through `reader` (FORMAT.md §10). */
export function branchKey(page: Buffer, i: number, reader: KeyReader): Uint8Array {
  const off = branchEntryOffset(page, i)
  const field = u16(page, off + 8)
  const start = off + BRANCH_ENTRY_HEADER
  if (field >= LONG_KEY_FLAG) return reader.readKey(u32(page, start + 4), u32(page, start + 8), u32(page, start))
  return page.subarray(start, start + field)
}

/** The key run of separator i when it is out of line: [first page id, txid32, key length]. */
export function branchKeyRun(page: Uint8Array, i: number): [number, number, number] | undefined {
  const off = branchEntryOffset(page, i)
  if (u16(page, off + 8) < LONG_KEY_FLAG) return undefined
  const start = off + BRANCH_ENTRY_HEADER
  return [u32(page, start + 4), u32(page, start + 8), u32(page, start)]
}

/**
 * One step down a tree, packed in a number so that the hot descent allocates nothing and passes
 * nothing through module state: the child to descend into (stepChild) and the prefix the key shares
 * with every key in that child (stepPrefix), which the next level's search may skip.
 */
export function packStep(child: number, prefix: number): number {
  return prefix * STEP + child
}

export function stepChild(step: number): number {
  return step % STEP
}

export function stepPrefix(step: number): number {
  return (step - (step % STEP)) / STEP
}

/** Children per node stay below this (a page holds at most pageSize / 12 entries). */
const STEP = 0x10000

/** The child to descend into for `key` (branchStep's child). */
export function branchSearch(page: Buffer, key: Uint8Array, known: number, reader: KeyReader): number {
  return stepChild(branchStep(page, key, known, reader))
}

/**
 * The step down from this branch page for `key`: the last entry whose key <= `key` (entry 0 when
 * none), packed with the prefix the key shares with both separators around it (packStep). Binary
 * search that skips the prefix the key shares with both bounds; `known`: a prefix the key is known
 * to share with every key of this page (from the parent's step). An out-of-line separator is
 * loaded through `reader` only when its inline prefix ties.
 */
export function branchStep(page: Buffer, key: Uint8Array, known: number, reader: KeyReader): number {
  return branchStepIn(page, key, known, reader, 1, pageCount(page) - 1)
}

/**
 * branchStep among separators [lo, hi] only (lo >= 1), the caller knowing that `key` shares
 * `known` bytes with each of them: the last of them <= `key`, or lo - 1 when none is, packed with
 * the prefix the key shares with the separators around it inside the range (`known` at its ends).
 */
export function branchStepIn(
  page: Buffer,
  key: Uint8Array,
  known: number,
  reader: KeyReader,
  lo: number,
  hi: number,
): number {
  let found = lo - 1
  let loPrefix = known
  let hiPrefix = known
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1
    const c = branchCompare(page, branchEntryOffset(page, mid), key, loPrefix < hiPrefix ? loPrefix : hiPrefix, reader)
    if (c <= 0) {
      found = mid
      lo = mid + 1
      loPrefix = c === 0 ? key.length : sharedPrefix(c)
    } else {
      hi = mid - 1
      hiPrefix = sharedPrefix(c)
    }
  }
  return packStep(found, loPrefix < hiPrefix ? loPrefix : hiPrefix)
}

/**
 * Compares the separator of the branch entry at `off` with `key`, both known to agree on their
 * first `from` bytes: 0, or ±(1 + common prefix) (key-compare.ts). An out-of-line separator is
 * loaded through `reader` only when its inline prefix ties.
 */
export function branchCompare(page: Buffer, off: number, key: Uint8Array, from: number, reader: KeyReader): number {
  const field = u16(page, off + 8)
  return field < LONG_KEY_FLAG
    ? comparePageKeyFrom(page, off + BRANCH_ENTRY_HEADER, field, key, from)
    : compareLongPageKey(page, off + BRANCH_ENTRY_HEADER, field & 0x7fff, key, from, reader)
}

/**
 * Writes `n` entries after the header; entry 0's key is written empty; a separator is out of line
 * when `keyRun(i)` names its run (null: all inline). Returns the end offset.
 */
export function encodeBranchEntries(
  page: Uint8Array,
  n: number,
  keyAt: (i: number) => Uint8Array,
  childAt: (i: number) => number,
  childTxidAt: (i: number) => number,
  keyRun: ((i: number) => OverflowRefLike | undefined) | null,
): number {
  let off = HEADER_SIZE + SLOT_SIZE * n
  for (let i = 0; i < n; i++) {
    setU16(page, HEADER_SIZE + SLOT_SIZE * i, off)
    setU32(page, off, childAt(i))
    setU32(page, off + 4, childTxidAt(i) >>> 0)
    const field =
      i === 0
        ? writeKeyPart(page, off + BRANCH_ENTRY_HEADER, EMPTY, undefined)
        : writeKeyPart(page, off + BRANCH_ENTRY_HEADER, keyAt(i), keyRun === null ? undefined : keyRun(i))
    setU16(page, off + 8, field)
    off += BRANCH_ENTRY_HEADER + (field & 0x7fff)
  }
  return off
}

const EMPTY = new Uint8Array(0)
