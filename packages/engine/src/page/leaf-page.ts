import { sealPage } from './checksum.js'
import { type KeyReader, compareLongPageKey, comparePageKeyFrom, sharedPrefix } from './key-compare.js'
import {
  HEADER_SIZE,
  LEAF_ENTRY_HEADER,
  LONG_KEY_FIELD,
  LONG_KEY_FLAG,
  LONG_KEY_PREFIX,
  LONG_KEY_REF_SIZE,
  OVERFLOW_FLAG,
  OVERFLOW_REF_SIZE,
  SLOT_SIZE,
  pageCount,
  setU16,
  setU32,
  u16,
  u32,
  PageType,
  writeHeader,
} from './layout.js'

/**
 * FORMAT.md §4, leaf pages, read in place. Entry i starts at the u16 slot `16 + 2i`:
 * u16 key field, u32 valueWord (bit 31: overflow; low 31 bits: value length), the key part, then
 * the value inline or an overflow reference (u32 first page id, u32 txid). The key part is the key
 * itself, or for an out-of-line key (bit 15 of the key field, FORMAT.md §10) u32 length, u32 first
 * page, u32 txid32 of its overflow run, and the key's first LONG_KEY_PREFIX bytes.
 */

export function leafEntryOffset(page: Uint8Array, i: number): number {
  return u16(page, HEADER_SIZE + SLOT_SIZE * i)
}

/** The key-length field of the entry at `off` (bit 15: out of line; keyPartSize gives its bytes). */
export function leafKeyField(page: Uint8Array, off: number): number {
  return u16(page, off)
}

/** The value word of the entry at `off`: bit 31 marks an overflow value, the low 31 bits its length. */
export function leafValueWord(page: Uint8Array, off: number): number {
  return u32(page, off + 2)
}

/** Whether a value word marks an overflow value (its low 31 bits are then the value's length). */
export function isOverflowWord(word: number): boolean {
  return word >= OVERFLOW_FLAG
}

/** The length of the value a word describes, inline or overflow. */
export function valueWordLength(word: number): number {
  return word >= OVERFLOW_FLAG ? word - OVERFLOW_FLAG : word
}

/** Bytes the value part takes in the entry: the value inline, or its overflow reference. */
export function storedValueSize(word: number): number {
  return word >= OVERFLOW_FLAG ? OVERFLOW_REF_SIZE : word
}

/** FORMAT.md §4: the first page of the overflow run referenced at `at` (a value's start). */
export function overflowRefPage(page: Uint8Array, at: number): number {
  return u32(page, at)
}

/** FORMAT.md §4: the txid32 that wrote the overflow run referenced at `at`. */
export function overflowRefTxid(page: Uint8Array, at: number): number {
  return u32(page, at + 4)
}

/** Where the key part of the entry at `off` starts. */
export function leafKeyStart(off: number): number {
  return off + LEAF_ENTRY_HEADER
}

/** Bytes entry i takes after its slot: header, key part, and the value or its overflow reference. */
export function leafEntrySize(page: Uint8Array, i: number): number {
  return leafEntrySizeAt(page, leafEntryOffset(page, i))
}

/** leafEntrySize of the entry at offset `off`. */
export function leafEntrySizeAt(page: Uint8Array, off: number): number {
  const word = u32(page, off + 2)
  return LEAF_ENTRY_HEADER + (u16(page, off) & 0x7fff) + (word >= OVERFLOW_FLAG ? OVERFLOW_REF_SIZE : word)
}

/** Whether entry i's key is stored out of line (FORMAT.md §10). */
export function leafIsLongKey(page: Uint8Array, i: number): boolean {
  return u16(page, leafEntryOffset(page, i)) >= LONG_KEY_FLAG
}

/**
 * Entry i's key: a view into the page, or for an out-of-line key, the whole key read through
 * `reader` (FORMAT.md §10).
 */
export function leafKey(page: Buffer, i: number, reader: KeyReader): Uint8Array {
  const off = leafEntryOffset(page, i)
  const field = u16(page, off)
  const start = off + LEAF_ENTRY_HEADER
  if (field >= LONG_KEY_FLAG) return reader.readKey(u32(page, start + 4), u32(page, start + 8), u32(page, start))
  return page.subarray(start, start + field)
}

/** The key run of entry i when its key is out of line: [first page id, txid32, key length]. */
export function leafKeyRun(page: Uint8Array, i: number): [number, number, number] | undefined {
  const off = leafEntryOffset(page, i)
  if (u16(page, off) < LONG_KEY_FLAG) return undefined
  const start = off + LEAF_ENTRY_HEADER
  return [u32(page, start + 4), u32(page, start + 8), u32(page, start)]
}

/** Where the value (or overflow reference) of the entry at `off` starts: after the key part. */
export function leafValueStart(page: Uint8Array, off: number): number {
  return off + LEAF_ENTRY_HEADER + (u16(page, off) & 0x7fff)
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
  const start = leafValueStart(page, off)
  return page.subarray(start, start + (word >= OVERFLOW_FLAG ? 8 : word))
}

/** The overflow reference of entry i: [first page id, txid32]. */
export function leafOverflowRef(page: Uint8Array, i: number): [number, number] {
  const start = leafValueStart(page, leafEntryOffset(page, i))
  return [u32(page, start), u32(page, start + 4)]
}

/** Index of the first key >= `key` (count when none); `exact` tells whether it is equal. */
export function leafSearch(page: Buffer, key: Uint8Array, reader: KeyReader): { index: number; exact: boolean } {
  const i = leafFind(page, key, 0, reader)
  return i >= 0 ? { index: i, exact: true } : { index: -1 - i, exact: false }
}

/**
 * Index of `key`, or -1-index of the first key above it when absent; the allocation-free hot path
 * of get. Binary search that skips the prefix the key shares with both bounds; `known`: a prefix
 * the key shares with every key of the page (from the parent's search). An out-of-line key is
 * loaded through `reader` only when its inline prefix ties (FORMAT.md §10). `count`: the slots to
 * search (a page being built keeps its count elsewhere than in its header).
 */
export function leafFind(
  page: Buffer,
  key: Uint8Array,
  known: number,
  reader: KeyReader,
  count: number = pageCount(page),
): number {
  return leafFindIn(page, key, known, reader, 0, count)
}

/**
 * leafFind among entries [lo, end) only, the caller knowing that `key` sorts after entry lo - 1
 * and before entry `end`, and that it shares `known` bytes with every entry between: the index of
 * `key`, or -1 - the first index above it (lo..end).
 */
export function leafFindIn(
  page: Buffer,
  key: Uint8Array,
  known: number,
  reader: KeyReader,
  lo: number,
  end: number,
): number {
  let hi = end - 1
  let loPrefix = known
  let hiPrefix = known
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1
    const c = leafCompare(page, leafEntryOffset(page, mid), key, loPrefix < hiPrefix ? loPrefix : hiPrefix, reader)
    if (c < 0) {
      lo = mid + 1
      loPrefix = sharedPrefix(c)
    } else if (c > 0) {
      hi = mid - 1
      hiPrefix = sharedPrefix(c)
    } else return mid
  }
  return -1 - lo
}

/**
 * Compares the key of the leaf entry at `off` with `key`, both known to agree on their first
 * `from` bytes: 0, or ±(1 + common prefix) (key-compare.ts). An out-of-line key is loaded through
 * `reader` only when its inline prefix ties.
 */
export function leafCompare(page: Buffer, off: number, key: Uint8Array, from: number, reader: KeyReader): number {
  const field = u16(page, off)
  return field < LONG_KEY_FLAG
    ? comparePageKeyFrom(page, off + LEAF_ENTRY_HEADER, field, key, from)
    : compareLongPageKey(page, off + LEAF_ENTRY_HEADER, field & 0x7fff, key, from, reader)
}

/** A run of overflow pages as an entry references it (FORMAT.md §4, §10). */
export interface OverflowRefLike {
  readonly pgid: number
  readonly txid: number
  readonly length: number
}

/**
 * Writes a key part at `at` (FORMAT.md §4, §10): the key, or, when `run` is given, the out-of-line
 * reference and the prefix. Returns the key field to store; the caller has checked which form.
 */
export function writeKeyPart(page: Uint8Array, at: number, key: Uint8Array, run: OverflowRefLike | undefined): number {
  if (run === undefined) {
    page.set(key, at)
    return key.length
  }
  setU32(page, at, key.length)
  setU32(page, at + 4, run.pgid)
  setU32(page, at + 8, run.txid >>> 0)
  page.set(key.subarray(0, LONG_KEY_PREFIX), at + LONG_KEY_REF_SIZE)
  return LONG_KEY_FIELD
}

/**
 * Writes the entries after the header (which the caller writes): values inline, or overflow
 * references; keys inline, or out of line when `keyRun(i)` names their run (null: all inline).
 * Returns the end offset. A number in `vals` is a node's value slot (tree/node.ts:ValueSlot): the
 * offset of an entry of `base`, copied as it is, or (below 0) an inline value of −1 − v bytes
 * that follows its key's bytes in a journal record (FORMAT.md §11). One pass.
 */
export function encodeLeafEntries(
  page: Uint8Array,
  keys: readonly Uint8Array[],
  vals: readonly (Uint8Array | OverflowRefLike | number)[],
  keyRun: ((i: number) => OverflowRefLike | undefined) | null,
  base: Buffer | null = null,
): number {
  const n = keys.length
  let off = HEADER_SIZE + SLOT_SIZE * n
  for (let i = 0; i < n; i++) {
    const key = keys[i]!
    const v = vals[i]!
    setU16(page, HEADER_SIZE + SLOT_SIZE * i, off)
    const run = keyRun === null ? undefined : keyRun(i)
    if (typeof v === 'number' && v >= 0 && run === undefined && u16(base!, v) < LONG_KEY_FLAG) {
      // An entry as the node's page had it, inline key and value: copied whole, one set.
      const bytes = LEAF_ENTRY_HEADER + u16(base!, v) + u32(base!, v + 2)
      page.set(new Uint8Array(base!.buffer, base!.byteOffset + v, bytes), off)
      off += bytes
      continue
    }
    const field = writeKeyPart(page, off + LEAF_ENTRY_HEADER, key, run)
    setU16(page, off, field)
    const at = off + LEAF_ENTRY_HEADER + (field & 0x7fff)
    if (typeof v === 'number' && v < 0) {
      // An inline value of -1 − v bytes right after its key's bytes in a journal record (FORMAT.md
      // §11; a record slot, tree/node.ts).
      const length = -1 - v
      setU32(page, off + 2, length)
      page.set(new Uint8Array(key.buffer, key.byteOffset + key.length + 4, length), at)
      off = at + length
    } else if (typeof v === 'number') {
      // The value of entry `v` of `base`, inline there (an offset slot, tree/node.ts).
      const length = u32(base!, v + 2)
      const from = v + LEAF_ENTRY_HEADER + (u16(base!, v) & 0x7fff)
      setU32(page, off + 2, length)
      page.set(new Uint8Array(base!.buffer, base!.byteOffset + from, length), at)
      off = at + length
    } else if (v instanceof Uint8Array) {
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

/**
 * FORMAT.md §4: a sealed leaf page with no entries (a new file's catalog), in a fresh buffer. The
 * same bytes as encoding an empty node (tree/spill.ts:encodeNode), without the tree layer.
 */
export function encodeEmptyLeaf(pgid: number, txid: number, pageSize: number): Buffer {
  const page = Buffer.alloc(pageSize)
  writeHeader(page, pgid, txid, PageType.leaf, 0)
  encodeLeafEntries(page, [], [], null)
  sealPage(page)
  return page
}

/**
 * FORMAT.md §4: writes an entry with an inline key and an inline value at `off` (the caller has
 * checked both are inline: key ≤ maxInlineKeySize, entry ≤ maxInlineEntry). Slots may name entries
 * anywhere past them, in any order; a leaf built by appends (tree/node.ts, a packed leaf) puts
 * each new entry below the previous one, from the page's end down.
 */
export function writeInlineEntry(page: Uint8Array, off: number, key: Uint8Array, value: Uint8Array): void {
  const kl = key.length
  setU16(page, off, kl)
  setU32(page, off + 2, value.length)
  page.set(key, off + LEAF_ENTRY_HEADER)
  page.set(value, off + LEAF_ENTRY_HEADER + kl)
}

/** The bytes an entry with an inline key and value takes, its slot not included. */
export function inlineEntrySize(keyLength: number, valueLength: number): number {
  return LEAF_ENTRY_HEADER + keyLength + valueLength
}

/** Sets slot i to `off`. */
export function setLeafEntryOffset(page: Uint8Array, i: number, off: number): void {
  setU16(page, HEADER_SIZE + SLOT_SIZE * i, off)
}
