/**
 * Page layout constants and little-endian field access (FORMAT.md §2). Pages are Buffers so that
 * key comparison can use `Buffer.compare` ranges without allocating.
 */

/** FORMAT.md §2: every page starts with this 16-byte header. */
export const HEADER_SIZE = 16
export const OFF_CRC = 0
export const OFF_PGID = 4
export const OFF_TXID = 8
export const OFF_TYPE = 12
export const OFF_FLAGS = 13
export const OFF_COUNT = 14

/** FORMAT.md §2: page types. */
export const PageType = {
  meta: 1,
  branch: 2,
  leaf: 3,
  overflow: 4,
  freelist: 5,
} as const
export type PageType = (typeof PageType)[keyof typeof PageType]

export const PAGE_TYPE_NAMES: Record<number, string> = {
  1: 'meta',
  2: 'branch',
  3: 'leaf',
  4: 'overflow',
  5: 'freelist',
}

export const MIN_PAGE_SIZE = 1024
export const MAX_PAGE_SIZE = 65536
export const DEFAULT_PAGE_SIZE = 4096

export function isValidPageSize(n: number): boolean {
  return Number.isInteger(n) && n >= MIN_PAGE_SIZE && n <= MAX_PAGE_SIZE && (n & (n - 1)) === 0
}

/** FORMAT.md §4: a leaf entry costs a 2-byte slot plus this header before its key. */
export const LEAF_ENTRY_HEADER = 6
/** FORMAT.md §5: a branch entry costs a 2-byte slot plus this header before its key. */
export const BRANCH_ENTRY_HEADER = 10
export const SLOT_SIZE = 2
/** FORMAT.md §4: an overflow reference stored in place of a value: page id and txid. */
export const OVERFLOW_REF_SIZE = 8
/** FORMAT.md §4: bit 31 of a leaf entry's length word marks an overflow value. */
export const OVERFLOW_FLAG = 0x80000000
/** The largest value: 31 bits of length. */
export const MAX_VALUE_SIZE = 0x7fffffff

/** Bytes of a page available to slots and entries. */
export function pageCapacity(pageSize: number): number {
  return pageSize - HEADER_SIZE
}

/**
 * The largest entry (slot included) kept inline: a quarter of the capacity, so that any node over
 * capacity can be split into two that fit, and a branch always holds at least four keys.
 */
export function maxInlineEntry(pageSize: number): number {
  return Math.floor(pageCapacity(pageSize) / 4)
}

/**
 * FORMAT.md §4: the longest key stored inline: an entry with the key and an overflow reference must
 * stay inline. Longer keys are stored out of line (FORMAT.md §10). 1004 bytes at 4096-byte pages.
 */
export function maxInlineKeySize(pageSize: number): number {
  return maxInlineEntry(pageSize) - SLOT_SIZE - Math.max(LEAF_ENTRY_HEADER + OVERFLOW_REF_SIZE, BRANCH_ENTRY_HEADER)
}

/** FORMAT.md §10: the longest key, at every page size: 64 KiB. */
export const MAX_KEY_SIZE = 65536

/** The longest key a database of this page size accepts (FORMAT.md §10): MAX_KEY_SIZE at every size. */
export function maxKeySize(_pageSize: number): number {
  return MAX_KEY_SIZE
}

/** FORMAT.md §10: bit 15 of a key-length field marks a key stored out of line. */
export const LONG_KEY_FLAG = 0x8000
/** FORMAT.md §10: the first bytes of an out-of-line key kept in the entry, to compare without loading it. */
export const LONG_KEY_PREFIX = 64
/** FORMAT.md §10: an out-of-line key's reference before its prefix: u32 length, u32 first page id, u32 txid32. */
export const LONG_KEY_REF_SIZE = 12
/** The key-length field of an out-of-line key: the flag and the bytes its key part takes. */
export const LONG_KEY_FIELD = LONG_KEY_FLAG | (LONG_KEY_REF_SIZE + LONG_KEY_PREFIX)

/** Whether a key-length field marks a key stored out of line (FORMAT.md §10). */
export function isLongKeyField(field: number): boolean {
  return field >= LONG_KEY_FLAG
}

/** FORMAT.md §10: the length of the out-of-line key whose reference starts at `at`. */
export function longKeyLength(b: Uint8Array, at: number): number {
  return u32(b, at)
}

/** FORMAT.md §10: the first page of the run holding the out-of-line key referenced at `at`. */
export function longKeyPage(b: Uint8Array, at: number): number {
  return u32(b, at + 4)
}

/** FORMAT.md §10: the txid32 that wrote the run of the out-of-line key referenced at `at`. */
export function longKeyTxid(b: Uint8Array, at: number): number {
  return u32(b, at + 8)
}

/** Whether a key of this length is stored out of line at this page size (FORMAT.md §10). */
export function isLongKey(pageSize: number, keyLength: number): boolean {
  return keyLength > maxInlineKeySize(pageSize)
}

/** Bytes a key takes inside a leaf or branch entry: itself, or an out-of-line reference and prefix. */
export function storedKeySize(pageSize: number, keyLength: number): number {
  return keyLength > maxInlineKeySize(pageSize) ? LONG_KEY_REF_SIZE + LONG_KEY_PREFIX : keyLength
}

/** Bytes of the key part an entry's key-length field says follow the entry header (§4, §5, §10). */
export function keyPartSize(field: number): number {
  return field & 0x7fff
}

/** Whether a value of `valueLength` next to a key of `keyLength` goes to overflow pages. */
export function isOverflowValue(pageSize: number, keyLength: number, valueLength: number): boolean {
  return SLOT_SIZE + LEAF_ENTRY_HEADER + storedKeySize(pageSize, keyLength) + valueLength > maxInlineEntry(pageSize)
}

/** FORMAT.md §6: payload bytes an overflow page carries. */
export function overflowPayload(pageSize: number): number {
  return pageSize - HEADER_SIZE
}

export function u16(b: Uint8Array, o: number): number {
  return b[o]! | (b[o + 1]! << 8)
}

export function u32(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16)) + b[o + 3]! * 0x1000000
}

export function setU16(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 0xff
  b[o + 1] = (v >>> 8) & 0xff
}

export function setU32(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 0xff
  b[o + 1] = (v >>> 8) & 0xff
  b[o + 2] = (v >>> 16) & 0xff
  b[o + 3] = (v >>> 24) & 0xff
}

/**
 * A 53-bit integer as two u32 words (low, high). A high word of 0 (every txid and length below
 * 2^32) gives the low word as it is: the product with 2^32, not a small integer, made every result
 * a heap number, and a txid stored as one changed its field's representation in the objects that
 * hold txids, which makes V8 discard the code it optimized for them (see tree/leaf-states.ts).
 */
export function u64(b: Uint8Array, o: number): number {
  const high = u32(b, o + 4)
  return high === 0 ? u32(b, o) : u32(b, o) + high * 0x100000000
}

export function setU64(b: Uint8Array, o: number, v: number): void {
  setU32(b, o, v >>> 0)
  setU32(b, o + 4, Math.floor(v / 0x100000000))
}

/** The low 32 bits of a txid, as stored in page headers and references (FORMAT.md §2). */
export function txid32(txid: number): number {
  return txid >>> 0
}

/**
 * Widens a stored 32-bit txid to the full txid, given a full txid known to be at or after it
 * (the commit that references it).
 */
export function widenTxid(stored: number, atOrAfter: number): number {
  const diff = (txid32(atOrAfter) - stored) >>> 0
  return atOrAfter - diff
}

export function pageType(page: Uint8Array): number {
  return page[OFF_TYPE]!
}

export function pageCount(page: Uint8Array): number {
  return u16(page, OFF_COUNT)
}

/**
 * Whether the header names txid32 `txid` as the page's writer: the check on every cached page
 * visit, compared as int32 so that it stays a few integer operations.
 */
export function pageTxidIs(page: Uint8Array, txid: number): boolean {
  return (
    (page[OFF_TXID]! | (page[OFF_TXID + 1]! << 8) | (page[OFF_TXID + 2]! << 16) | (page[OFF_TXID + 3]! << 24)) ===
    (txid | 0)
  )
}

export function pageId(page: Uint8Array): number {
  return u32(page, OFF_PGID)
}

export function pageTxid(page: Uint8Array): number {
  return u32(page, OFF_TXID)
}

/** Fills in a fresh page's header; the checksum is sealed later (checksum.ts). */
export function writeHeader(
  page: Uint8Array,
  pgid: number,
  txid: number,
  type: PageType,
  count: number,
  flags = 0,
): void {
  setU32(page, OFF_PGID, pgid)
  setU32(page, OFF_TXID, txid32(txid))
  page[OFF_TYPE] = type
  page[OFF_FLAGS] = flags
  setU16(page, OFF_COUNT, count)
}
