import { BTreeError, corruption, ioError } from '../base/errors.js'
import type { FileHandle } from '../io/file-handle.js'
import { checksumOk } from '../page/checksum.js'
import type { KeyReader } from '../page/key-compare.js'
import {
  HEADER_SIZE,
  MAX_KEY_SIZE,
  PAGE_TYPE_NAMES,
  PageType,
  overflowPayload,
  pageId,
  pageTxid,
  pageTxidIs,
  pageType,
} from '../page/layout.js'
import { overflowPageCount } from '../page/overflow-page.js'
import { type SearchIndex, buildSearchIndex } from '../page/search-index.js'
import { PageCache } from './page-cache.js'
import { ownPage } from './page-slab.js'

/** Runs up to this many bytes are read into the pager's reused scratch buffer. */
const SCRATCH_LIMIT = 1024 * 1024

/**
 * Reads pages through the cache. Every page read from disk is verified once (checksum, its own id,
 * the txid its parent expects, its type) before it is cached or used; a failure is BTREE_CORRUPTION
 * naming the page, and an I/O failure is BTREE_IO. Nothing unverified enters the cache.
 */
export class Pager implements KeyReader {
  readonly file: FileHandle
  readonly pageSize: number
  readonly cache: PageCache
  /** Pages at or past this id do not exist in the current state (FORMAT.md §3, highWater). */
  highWater = 0
  /** Runs (overflow values, the free list) are read here, verified, and copied out once. */
  #scratch: Buffer = Buffer.alloc(0)

  constructor(file: FileHandle, pageSize: number, cacheSize: number) {
    this.file = file
    this.pageSize = pageSize
    this.cache = new PageCache(cacheSize)
  }

  /**
   * A branch or leaf page as written by txid32 `txid`. The hot read path: one Map lookup and two
   * header compares on a hit.
   */
  treePage(pgid: number, txid: number): Buffer {
    const cached = this.cache.get(pgid)
    if (cached !== undefined) {
      // The header's txid32 (an int32 compare): this check runs on every page visit.
      if (!pageTxidIs(cached, txid)) {
        throw this.#stale(pgid, cached, txid)
      }
      return cached
    }
    // Read into a page of its own (it goes to the cache: store/page-slab.ts) and verified once,
    // here; cache hits never verify again.
    const page = this.#readInto(ownPage(this.pageSize), pgid, 1)
    this.verify(page, pgid, txid)
    const type = pageType(page)
    if (type !== PageType.branch && type !== PageType.leaf) {
      throw corruption(pgid, `expected a branch or leaf page, found ${PAGE_TYPE_NAMES[type] ?? `type ${type}`}`)
    }
    this.cache.set(pgid, page)
    return page
  }

  /**
   * Caches a branch or leaf page a commit or checkpoint wrote, with its search index
   * (page/search-index.ts) built now rather than by the first search that meets it. Built here
   * the index costs less: the build is hot in the JIT and the page was just written, where the
   * first random gets after a fill each met a page no search had indexed (200,000 gets on a
   * 200,000-key file after its fill took 18 % more CPU on that first pass than on later ones:
   * 811 against 687 ms, `node dist/bench/fill-cpu.js`).
   * An index is ~8 % of its page's bytes, counted by the cache. A leaf written ahead of its
   * checkpoint comes with the index built when it was written (tx/early-pages.ts): `index`.
   */
  cacheWritten(pgid: number, page: Buffer, index: SearchIndex = buildSearchIndex(page)): void {
    this.cache.set(pgid, page)
    this.cache.setSearchIndex(pgid, index)
  }

  /** Reads one page from disk, bypassing the cache, and verifies its checksum, id and txid. */
  readVerified(pgid: number, txid: number | undefined): Buffer {
    const page = this.readRaw(pgid, 1)
    this.verify(page, pgid, txid)
    return page
  }

  verify(page: Buffer, pgid: number, txid: number | undefined): void {
    if (!checksumOk(page)) throw corruption(pgid, 'checksum mismatch')
    if (pageId(page) !== pgid) throw corruption(pgid, `header names page ${pageId(page)}`)
    if (txid !== undefined && pageTxid(page) !== txid >>> 0) {
      throw corruption(pgid, `written by txid ${pageTxid(page)}, expected ${txid >>> 0} (lost or misdirected write)`)
    }
  }

  /**
   * Reads `count` consecutive pages from disk into one buffer, unverified. One page is an
   * allocation of its own (it may go to the cache, #keyPage): Buffer.allocUnsafe carves pages
   * under 4 KiB from a shared pool.
   */
  readRaw(pgid: number, count: number): Buffer {
    const buf = count === 1 ? ownPage(this.pageSize) : Buffer.allocUnsafe(this.pageSize * count)
    return this.#readInto(buf, pgid, count)
  }

  /** Reads `count` pages into `buf` (at least that long), unverified; returns the bytes read as a view. */
  #readInto(buf: Buffer, pgid: number, count: number): Buffer {
    if (pgid < 2) throw corruption(pgid, 'reference to a meta page')
    if (pgid + count > this.highWater && this.highWater > 0) {
      throw corruption(pgid, `page past the high-water mark ${this.highWater}`)
    }
    const bytes = this.pageSize * count
    let n: number
    try {
      n = this.file.readSync(buf, 0, bytes, pgid * this.pageSize)
    } catch (err) {
      throw ioError(`read of page ${pgid}`, err)
    }
    if (n < bytes) throw corruption(pgid + Math.floor(n / this.pageSize), 'page past the end of the file')
    return buf.length === bytes ? buf : buf.subarray(0, bytes)
  }

  /**
   * Reads a run of `count` pages of `type` written by `txid`, verifies each, and returns the
   * concatenated payloads. Used for overflow values and the free list; never cached.
   */
  readRun(pgid: number, count: number, txid: number, type: PageType): Buffer {
    // Small runs are read into a reused buffer: the payloads are copied out anyway. Huge values
    // (up to 2 GiB) get a buffer of their own rather than a scratch that never shrinks.
    const bytes = this.pageSize * count
    let raw: Buffer
    if (bytes <= SCRATCH_LIMIT) {
      if (this.#scratch.length < bytes) this.#scratch = Buffer.allocUnsafeSlow(Math.max(bytes, 4 * this.pageSize))
      raw = this.#readInto(this.#scratch, pgid, count)
    } else {
      raw = this.readRaw(pgid, count)
    }
    const payload = this.pageSize - HEADER_SIZE
    const out = Buffer.allocUnsafe(payload * count)
    for (let i = 0; i < count; i++) {
      const page = raw.subarray(i * this.pageSize, (i + 1) * this.pageSize)
      this.verify(page, pgid + i, txid)
      if (pageType(page) !== type) {
        throw corruption(
          pgid + i,
          `expected a ${PAGE_TYPE_NAMES[type]} page, found ${PAGE_TYPE_NAMES[pageType(page)] ?? `type ${pageType(page)}`}`,
        )
      }
      page.copy(out, i * payload, HEADER_SIZE)
    }
    return out
  }

  /** An overflow value of `length` bytes starting at `pgid` (FORMAT.md §6). */
  readOverflow(pgid: number, txid: number, length: number): Buffer {
    const count = overflowPageCount(this.pageSize, length)
    if (count * overflowPayload(this.pageSize) < length) throw corruption(pgid, 'overflow run too short')
    return this.readRun(pgid, count, txid, PageType.overflow).subarray(0, length)
  }

  /**
   * An out-of-line key (FORMAT.md §10) from its overflow run. Its pages go through the cache like
   * tree pages, since searches among keys that share a long prefix read them on every visit; a key
   * of one page comes back as a view into the cached page, a longer one is assembled.
   */
  readKey(pgid: number, txid: number, length: number): Uint8Array {
    const payload = overflowPayload(this.pageSize)
    if (length > MAX_KEY_SIZE) throw corruption(pgid, `out-of-line key of ${length} bytes`)
    if (length <= payload) return this.#keyPage(pgid, txid).subarray(HEADER_SIZE, HEADER_SIZE + length)
    const out = Buffer.allocUnsafe(length)
    for (let at = 0, p = pgid; at < length; at += payload, p++) {
      this.#keyPage(p, txid).copy(out, at, HEADER_SIZE, HEADER_SIZE + Math.min(payload, length - at))
    }
    return out
  }

  #keyPage(pgid: number, txid: number): Buffer {
    const cached = this.cache.get(pgid)
    if (cached !== undefined) {
      if (pageTxid(cached) !== txid >>> 0) throw this.#stale(pgid, cached, txid)
      if (pageType(cached) !== PageType.overflow)
        throw corruption(
          pgid,
          `expected an overflow page, found ${PAGE_TYPE_NAMES[pageType(cached)] ?? `type ${pageType(cached)}`}`,
        )
      return cached
    }
    const page = this.readVerified(pgid, txid)
    if (pageType(page) !== PageType.overflow) {
      throw corruption(
        pgid,
        `expected an overflow page, found ${PAGE_TYPE_NAMES[pageType(page)] ?? `type ${pageType(page)}`}`,
      )
    }
    this.cache.set(pgid, page)
    return page
  }

  #stale(pgid: number, page: Buffer, txid: number): BTreeError {
    return corruption(pgid, `cached page written by txid ${pageTxid(page)}, expected ${txid >>> 0}`)
  }
}
