import { checksumOk, sealPage } from './checksum.js'
import {
  HEADER_SIZE,
  PageType,
  pageType,
  setU16,
  setU32,
  setU64,
  u16,
  u32,
  u64,
  writeHeader,
  pageId,
  pageTxid,
  txid32,
} from './layout.js'

/** FORMAT.md §3: the magic number 'BTRS' and the format version this code writes. */
export const MAGIC = 0x53525442
/** FORMAT.md §3, §10: version 2 may hold empty and out-of-line keys; version 1 files read as they are. */
export const FORMAT_VERSION = 2
/** The oldest format version this code reads: version 1 is version 2 without out-of-line keys. */
export const MIN_FORMAT_VERSION = 1

/** A reference to a page (or the first page of a run) and the txid32 that wrote it. */
export interface PageRef {
  pgid: number
  txid: number
}

/** FORMAT.md §3: the meta record, one per slot (pages 0 and 1). */
export interface Meta {
  txid: number
  pageSize: number
  /** Root of the catalog tree. */
  catalog: PageRef
  /** First page of the free-list run; pgid 0 when the list is empty. */
  freelist: PageRef
  freelistPages: number
  /** Pages in use: every page id is below it. */
  highWater: number
  /** The newest commit known to be on stable storage when this one was written (FORMAT.md §8). */
  durableTxid: number
}

const OFF_MAGIC = HEADER_SIZE
const OFF_VERSION = 20
const OFF_PAGE_SIZE = 24
const OFF_META_TXID = 28
const OFF_CATALOG = 36
const OFF_FREELIST = 44
const OFF_FREELIST_PAGES = 52
const OFF_HIGH_WATER = 56
const OFF_DURABLE = 60

export function encodeMeta(meta: Meta, slot: 0 | 1): Buffer {
  const page = Buffer.alloc(meta.pageSize)
  writeHeader(page, slot, meta.txid, PageType.meta, 0)
  setU32(page, OFF_MAGIC, MAGIC)
  setU16(page, OFF_VERSION, FORMAT_VERSION)
  setU32(page, OFF_PAGE_SIZE, meta.pageSize)
  setU64(page, OFF_META_TXID, meta.txid)
  setU32(page, OFF_CATALOG, meta.catalog.pgid)
  setU32(page, OFF_CATALOG + 4, txid32(meta.catalog.txid))
  setU32(page, OFF_FREELIST, meta.freelist.pgid)
  setU32(page, OFF_FREELIST + 4, txid32(meta.freelist.txid))
  setU32(page, OFF_FREELIST_PAGES, meta.freelistPages)
  setU32(page, OFF_HIGH_WATER, meta.highWater)
  setU64(page, OFF_DURABLE, meta.durableTxid)
  sealPage(page)
  return page
}

/** The page size a meta page claims, read before its checksum can be checked; 0 when not a meta. */
/** Whether the bytes start like a meta page of this format (its magic), valid or not. */
export function hasMetaMagic(bytes: Uint8Array): boolean {
  return bytes.length >= OFF_MAGIC + 4 && u32(bytes, OFF_MAGIC) === MAGIC
}

export function peekPageSize(bytes: Uint8Array): number {
  if (bytes.length < OFF_PAGE_SIZE + 4) return 0
  if (u32(bytes, OFF_MAGIC) !== MAGIC || pageType(bytes) !== PageType.meta) return 0
  return u32(bytes, OFF_PAGE_SIZE)
}

/**
 * FORMAT.md §3, "Versions": the format version of a meta page whose magic and checksum hold, when
 * it is newer than this code reads; undefined otherwise (an older or damaged page included).
 */
export function newerFormatVersion(page: Uint8Array): number | undefined {
  if (page.length < OFF_VERSION + 2 || u32(page, OFF_MAGIC) !== MAGIC || !checksumOk(page)) return undefined
  const version = u16(page, OFF_VERSION)
  return version > FORMAT_VERSION ? version : undefined
}

/** Decodes and validates a meta page; returns a problem description instead when invalid. */
export function decodeMeta(page: Uint8Array, slot: 0 | 1): Meta | string {
  if (u32(page, OFF_MAGIC) !== MAGIC) return 'bad magic'
  if (!checksumOk(page)) return 'checksum mismatch'
  if (pageType(page) !== PageType.meta) return 'not a meta page'
  if (pageId(page) !== slot) return `page id ${pageId(page)} in slot ${slot}`
  const version = u16(page, OFF_VERSION)
  if (version < MIN_FORMAT_VERSION || version > FORMAT_VERSION)
    return `format version ${version} (this code reads ${MIN_FORMAT_VERSION} to ${FORMAT_VERSION})`
  const pageSize = u32(page, OFF_PAGE_SIZE)
  if (pageSize !== page.length) return `page size ${pageSize} in a ${page.length}-byte page`
  const txid = u64(page, OFF_META_TXID)
  if (txid32(txid) !== pageTxid(page)) return 'txid mismatch'
  const meta: Meta = {
    txid,
    pageSize,
    catalog: { pgid: u32(page, OFF_CATALOG), txid: u32(page, OFF_CATALOG + 4) },
    freelist: { pgid: u32(page, OFF_FREELIST), txid: u32(page, OFF_FREELIST + 4) },
    freelistPages: u32(page, OFF_FREELIST_PAGES),
    highWater: u32(page, OFF_HIGH_WATER),
    durableTxid: u64(page, OFF_DURABLE),
  }
  if (meta.highWater < 3 || meta.catalog.pgid < 2 || meta.catalog.pgid >= meta.highWater)
    return 'catalog root out of range'
  if (meta.freelist.pgid !== 0 && meta.freelist.pgid + meta.freelistPages > meta.highWater)
    return 'free list out of range'
  if (meta.durableTxid > meta.txid) return 'durable txid after txid'
  return meta
}
