import { BUCKET_RECORD_SIZE, decodeBucketRecord } from '../page/bucket-record.js'
import type { BTreeError } from '../base/errors.js'
import type { FileHandle } from '../io/file-handle.js'
import { branchEntryOffset, branchKeyField, branchKeyStart } from '../page/branch-page.js'
import { checksumOk } from '../page/checksum.js'
import { decodeFreeList, type ReclaimEntry } from '../page/freelist-page.js'
import { compareKeys } from '../page/key-compare.js'
import {
  HEADER_SIZE,
  LONG_KEY_REF_SIZE,
  MAX_KEY_SIZE,
  PAGE_TYPE_NAMES,
  PageType,
  SLOT_SIZE,
  isLongKeyField,
  keyPartSize,
  longKeyLength,
  longKeyPage,
  longKeyTxid,
  maxInlineKeySize,
  pageCount,
  pageId,
  pageTxid,
  pageType,
} from '../page/layout.js'
import {
  isOverflowWord,
  leafEntryOffset,
  leafKeyField,
  leafKeyStart,
  leafValueStart,
  leafValueWord,
  overflowRefPage,
  overflowRefTxid,
  storedValueSize,
  valueWordLength,
} from '../page/leaf-page.js'
import { type Meta, type PageRef, decodeMeta } from '../page/meta-page.js'
import { walkTree } from '../page/tree-walk.js'
import { overflowPageCount } from '../page/overflow-page.js'
import { searchIndexMatches } from '../page/search-index.js'
import type { Pager } from '../store/pager.js'
import type { CheckProblem, CheckResult } from '../base/types.js'

export interface CheckInput {
  file: FileHandle
  pager: Pager
  meta: Meta
  /** The slot `meta` was read from or last written to. */
  slot: 0 | 1
  freelist: { free: readonly number[]; pending: readonly number[] }
  freelistError: BTreeError | undefined
  reclaim: readonly ReclaimEntry[]
}

const REACHABLE = 1
const FREE = 2
const PENDING = 3
const RECLAIM = 4
const USE_NAMES = ['', 'reachable', 'free', 'pending', 'awaiting reclaim']

/**
 * The consistency check, as thorough as bbolt's tx_check: every page is read from disk (not the
 * cache) and verified (checksum, id, txid its parent recorded, type, slot bounds); keys are ordered
 * within pages and bounded by their parents' separators; all leaves of a tree are at one depth;
 * overflow runs are whole; bucket records are well formed and their key counts right; and every page
 * below the high-water mark is exactly one of reachable, free, pending or awaiting reclaim; and every
 * search index the page cache keeps is true to its page. O(pages); it allocates one byte per page.
 */
export function runCheck(input: CheckInput): CheckResult {
  return new Checker(input).run()
}

class Checker {
  readonly #in: CheckInput
  readonly #use: Uint8Array
  readonly #errors: CheckProblem[] = []
  readonly #pageSize: number
  #leafDepth = -1
  #keys = 0
  /** Set while walking a tree that must hold no overflow value: what says so. */
  #noOverflow: string | undefined

  constructor(input: CheckInput) {
    this.#in = input
    this.#pageSize = input.pager.pageSize
    this.#use = new Uint8Array(input.meta.highWater)
  }

  run(): CheckResult {
    const { meta } = this.#in
    this.#use[0] = REACHABLE
    this.#use[1] = REACHABLE
    this.#checkActiveMeta()
    this.#walkTree(meta.catalog.pgid, meta.catalog.txid, REACHABLE, 'catalog', true)
    this.#checkFreeList()
    for (const e of this.#in.reclaim) {
      if (e.kind === 'run') {
        this.#markRun(e.pgid, e.pages, RECLAIM, 'reclaim run')
        continue
      }
      this.#noOverflow = e.kind === 'subtree' ? 'a dropped subtree recorded without overflow values' : undefined
      this.#walkTree(e.pgid, e.txid, RECLAIM, 'dropped bucket', false)
      if (e.kind === 'subtree' && this.#leafDepth !== -1 && this.#leafDepth !== e.height) {
        this.#problem(e.pgid, `dropped subtree recorded at height ${e.height}, its leaves are ${this.#leafDepth} below`)
      }
      this.#noOverflow = undefined
    }
    this.#checkSearchIndexes()
    const counts = [0, 0, 0, 0, 0]
    for (let p = 0; p < this.#use.length; p++) counts[this.#use[p]!]!++
    if (this.#in.freelistError === undefined) {
      for (let p = 2; p < this.#use.length; p++) {
        if (this.#use[p] === 0) this.#problem(p, 'leaked: neither reachable, free, pending nor awaiting reclaim')
      }
    }
    return {
      ok: this.#errors.length === 0,
      errors: this.#errors,
      warnings: [],
      pages: {
        total: this.#use.length,
        reachable: counts[REACHABLE]!,
        free: counts[FREE]!,
        pending: counts[PENDING]!,
        reclaiming: counts[RECLAIM]!,
      },
    }
  }

  /**
   * Every search index the page cache keeps is its page's (page/search-index.ts): built from it and
   * true to it, as a cached page is never modified. A commit or checkpoint caches its pages with
   * indexes built then, a leaf written ahead with one built when it was written.
   */
  #checkSearchIndexes(): void {
    const { cache } = this.#in.pager
    cache.forEachSearchIndex((pgid, index) => {
      if (!cache.holds(pgid, index.page)) this.#problem(pgid, 'cached search index of a page no longer cached')
      else if (!searchIndexMatches(index)) this.#problem(pgid, 'cached search index does not match its page')
    })
  }

  #problem(pageId: number | undefined, message: string): void {
    this.#errors.push({ pageId, message: pageId === undefined ? message : `page ${pageId}: ${message}` })
  }

  #checkActiveMeta(): void {
    const { meta } = this.#in
    for (const slot of [0, 1] as const) {
      const page = Buffer.alloc(this.#pageSize)
      try {
        this.#in.file.readSync(page, 0, this.#pageSize, slot * this.#pageSize)
      } catch (err) {
        this.#problem(slot, `unreadable meta: ${(err as Error).message}`)
        continue
      }
      const m = decodeMeta(page, slot)
      if (typeof m === 'string') {
        // By slot, not by the page's txid: a zeroed or torn page reads as txid 0, which is the
        // txid of a new file's second meta when a crash during creation leaves only that one.
        if (slot === this.#in.slot) this.#problem(slot, `active meta invalid: ${m}`)
        continue
      }
      const same =
        m.txid === meta.txid &&
        m.catalog.pgid === meta.catalog.pgid &&
        m.freelist.pgid === meta.freelist.pgid &&
        m.highWater === meta.highWater
      if (slot === this.#in.slot && !same)
        this.#problem(slot, `active meta on disk (txid ${m.txid}) differs from the open state (txid ${meta.txid})`)
    }
  }

  /** Reads a page from disk and verifies it; undefined (and a problem) when it fails. */
  #read(pgid: number, txid: number | undefined): Buffer | undefined {
    if (pgid < 2 || pgid >= this.#use.length) {
      this.#problem(pgid, `reference past the high-water mark (${this.#use.length}) or into the metas`)
      return undefined
    }
    let page: Buffer
    try {
      page = this.#in.pager.readRaw(pgid, 1)
    } catch (err) {
      this.#problem(pgid, (err as Error).message)
      return undefined
    }
    if (!checksumOk(page)) return this.#fail(pgid, 'checksum mismatch')
    if (pageId(page) !== pgid) return this.#fail(pgid, `header names page ${pageId(page)}`)
    if (txid !== undefined && pageTxid(page) !== txid >>> 0) {
      return this.#fail(pgid, `written by txid ${pageTxid(page)}, its parent expects ${txid >>> 0}`)
    }
    return page
  }

  #fail(pgid: number, message: string): undefined {
    this.#problem(pgid, message)
    return undefined
  }

  #mark(pgid: number, use: number, what: string): boolean {
    if (pgid < 2 || pgid >= this.#use.length) {
      this.#problem(pgid, `${what} out of range [2, ${this.#use.length})`)
      return false
    }
    const was = this.#use[pgid]!
    if (was !== 0) {
      this.#problem(pgid, `${what} is already ${USE_NAMES[was]} (double use)`)
      return false
    }
    this.#use[pgid] = use
    return true
  }

  #markRun(pgid: number, count: number, use: number, what: string): void {
    for (let i = 0; i < count; i++) this.#mark(pgid + i, use, what)
  }

  #walkTree(pgid: number, txid: number, use: number, what: string, catalog: boolean): void {
    this.#leafDepth = -1
    const before = this.#keys
    this.#keys = 0
    this.#walk({ pgid, txid }, use, what, catalog)
    this.#keys = before
  }

  /**
   * Walks a tree (page/tree-walk.ts), each page read from disk and verified; keys in order, and
   * between the separators around them in the parent; leaves at one depth. Counts keys in #keys.
   */
  #walk(root: PageRef, use: number, what: string, catalog: boolean): void {
    // Per depth: the bounds [lower, upper) of the page there, and a branch's keys for its children.
    const lower: Array<Uint8Array | undefined> = [undefined]
    const upper: Array<Uint8Array | undefined> = [undefined]
    const keysAt: Uint8Array[][] = []
    walkTree(root, {
      read: (pgid, txid) => {
        if (!this.#mark(pgid, use, `${what} page`)) return undefined
        const page = this.#read(pgid, txid)
        if (page === undefined) return undefined
        const type = pageType(page)
        if (type === PageType.branch || type === PageType.leaf) return page
        this.#problem(pgid, `${what}: expected a branch or leaf page, found ${PAGE_TYPE_NAMES[type] ?? `type ${type}`}`)
        return undefined
      },
      page: (page, pgid, depth) => {
        const branch = pageType(page) === PageType.branch
        const keys = this.#entries(page, !branch, use, catalog)
        if (keys === undefined) return false
        this.#checkOrder(pgid, keys, branch, lower[depth], upper[depth])
        if (branch) {
          if (keys.length === 0) this.#problem(pgid, 'empty branch')
          keysAt[depth] = keys
          return true
        }
        if (this.#leafDepth === -1) this.#leafDepth = depth
        else if (this.#leafDepth !== depth) this.#problem(pgid, `leaf at depth ${depth}, others at ${this.#leafDepth}`)
        for (let i = 0; i < keys.length; i++) this.#leafEntry(page, pgid, i, keys[i]!, use, catalog)
        this.#keys += keys.length
        // Its runs were checked with its entries.
        return false
      },
      child: (_pgid, _txid, i, depth) => {
        const keys = keysAt[depth]!
        lower[depth + 1] = i === 0 ? lower[depth] : keys[i]
        upper[depth + 1] = i + 1 < keys.length ? keys[i + 1] : upper[depth]
        return true
      },
    })
  }

  /** Keys ascending within the page and in [lower, upper); a branch's entry 0 holds no key. */
  #checkOrder(
    pgid: number,
    keys: Uint8Array[],
    branch: boolean,
    lower: Uint8Array | undefined,
    upper: Uint8Array | undefined,
  ): void {
    for (let i = branch ? 1 : 0; i < keys.length; i++) {
      const k = keys[i]!
      if (i > (branch ? 1 : 0) && compareKeys(keys[i - 1]!, k) >= 0)
        this.#problem(pgid, `keys out of order at index ${i}`)
      if (lower !== undefined && compareKeys(k, lower) < 0)
        this.#problem(pgid, `key at index ${i} below its parent's separator`)
      if (upper !== undefined && compareKeys(k, upper) >= 0)
        this.#problem(pgid, `key at index ${i} not below the next separator`)
    }
  }

  /**
   * Bounds-checks every slot of a page and returns its keys (views, or out-of-line keys read whole
   * from their runs), or undefined if malformed.
   */
  #entries(page: Buffer, leaf: boolean, use: number, catalog: boolean): Uint8Array[] | undefined {
    const pgid = pageId(page)
    const n = pageCount(page)
    if (HEADER_SIZE + SLOT_SIZE * n > this.#pageSize) return this.#fail(pgid, `count ${n} overflows the page`)
    const keys: Uint8Array[] = []
    for (let i = 0; i < n; i++) {
      const off = leaf ? leafEntryOffset(page, i) : branchEntryOffset(page, i)
      const keyStart = leaf ? leafKeyStart(off) : branchKeyStart(page, i)
      if (off < HEADER_SIZE + SLOT_SIZE * n || keyStart > this.#pageSize)
        return this.#fail(pgid, `slot ${i} points outside the page`)
      const field = leaf ? leafKeyField(page, off) : branchKeyField(page, i)
      const part = keyPartSize(field)
      const end = keyStart + part + (leaf ? storedValueSize(leafValueWord(page, off)) : 0)
      if (end > this.#pageSize) return this.#fail(pgid, `entry ${i} runs past the page`)
      if (!isLongKeyField(field)) {
        if (part > maxInlineKeySize(this.#pageSize))
          this.#problem(pgid, `inline key at index ${i} of ${part} bytes, past the inline limit`)
        keys.push(page.subarray(keyStart, keyStart + part))
        continue
      }
      if (!leaf && i === 0) this.#problem(pgid, 'entry 0 of a branch has an out-of-line key')
      if (part < LONG_KEY_REF_SIZE) return this.#fail(pgid, `entry ${i}: out-of-line key part of ${part} bytes`)
      keys.push(this.#longKey(page, pgid, i, keyStart, part, use, catalog))
    }
    return keys
  }

  /**
   * FORMAT.md §10: an out-of-line key: its run is marked and verified page by page, its length is
   * within limits and past the inline ones, and its inline prefix matches the whole key. Returns the
   * whole key, or the prefix when the run cannot be read (a problem is reported then).
   */
  #longKey(page: Buffer, pgid: number, i: number, at: number, part: number, use: number, catalog: boolean): Uint8Array {
    const length = longKeyLength(page, at)
    const first = longKeyPage(page, at)
    const txid = longKeyTxid(page, at)
    const prefix = page.subarray(at + LONG_KEY_REF_SIZE, at + part)
    if (catalog) this.#problem(pgid, `bucket name at index ${i} stored out of line`)
    if (this.#noOverflow !== undefined) this.#problem(pgid, `out-of-line key at index ${i} in ${this.#noOverflow}`)
    if (length <= maxInlineKeySize(this.#pageSize) || length > MAX_KEY_SIZE || prefix.length > length) {
      this.#problem(pgid, `out-of-line key at index ${i} of ${length} bytes`)
      return prefix
    }
    const payload = this.#pageSize - HEADER_SIZE
    const count = overflowPageCount(this.#pageSize, length)
    const full = Buffer.alloc(length)
    let whole = true
    for (let j = 0; j < count; j++) {
      if (!this.#mark(first + j, use, 'key overflow page')) return prefix
      const run = this.#read(first + j, txid)
      if (run === undefined) {
        whole = false
        continue
      }
      if (pageType(run) !== PageType.overflow) {
        this.#problem(first + j, `expected an overflow page, found ${PAGE_TYPE_NAMES[pageType(run)] ?? 'unknown type'}`)
        whole = false
        continue
      }
      run.copy(full, j * payload, HEADER_SIZE, HEADER_SIZE + Math.min(payload, length - j * payload))
    }
    if (!whole) return prefix
    if (Buffer.compare(prefix, full.subarray(0, prefix.length)) !== 0)
      this.#problem(pgid, `out-of-line key at index ${i}: inline prefix differs from the key in its run`)
    return full
  }

  #leafEntry(page: Buffer, pgid: number, i: number, key: Uint8Array, use: number, catalog: boolean): void {
    const off = leafEntryOffset(page, i)
    const word = leafValueWord(page, off)
    const vstart = leafValueStart(page, off)
    if (isOverflowWord(word)) {
      const length = valueWordLength(word)
      const first = overflowRefPage(page, vstart)
      const txid = overflowRefTxid(page, vstart)
      if (catalog) this.#problem(pgid, `bucket record at index ${i} stored as overflow`)
      if (this.#noOverflow !== undefined) this.#problem(pgid, `overflow value at index ${i} in ${this.#noOverflow}`)
      this.#checkOverflow(first, txid, length, use)
      return
    }
    if (!catalog) return
    // Keys may be empty (they sort first); bucket names may not.
    if (key.length === 0) this.#problem(pgid, `empty bucket name at index ${i}`)
    const name = new TextDecoder().decode(key)
    if (word !== BUCKET_RECORD_SIZE) {
      this.#problem(pgid, `bucket '${name}': record of ${word} bytes`)
      return
    }
    const rec = decodeBucketRecord(page.subarray(vstart, vstart + word), pgid)
    const saveDepth = this.#leafDepth
    const saveKeys = this.#keys
    this.#leafDepth = -1
    this.#keys = 0
    this.#noOverflow = rec.mayOverflow ? undefined : `bucket '${name}', whose record says it has none`
    this.#walk(rec.root, use, `bucket '${name}'`, false)
    this.#noOverflow = undefined
    if (use === REACHABLE && this.#keys !== rec.count)
      this.#problem(pgid, `bucket '${name}' records ${rec.count} keys, holds ${this.#keys}`)
    this.#leafDepth = saveDepth
    this.#keys = saveKeys
  }

  #checkOverflow(first: number, txid: number, length: number, use: number): void {
    const count = overflowPageCount(this.#pageSize, length)
    for (let j = 0; j < count; j++) {
      if (!this.#mark(first + j, use, 'overflow page')) return
      const page = this.#read(first + j, txid)
      if (page !== undefined && pageType(page) !== PageType.overflow) {
        this.#problem(
          first + j,
          `expected an overflow page, found ${PAGE_TYPE_NAMES[pageType(page)] ?? 'unknown type'}`,
        )
      }
    }
  }

  #checkFreeList(): void {
    const { meta, freelist, freelistError } = this.#in
    if (freelistError !== undefined) {
      this.#problem(freelistError.pageId, `free list unreadable: ${freelistError.message}`)
      return
    }
    let onDisk: number[] = []
    if (meta.freelist.pgid !== 0) {
      this.#markRun(meta.freelist.pgid, meta.freelistPages, REACHABLE, 'free-list page')
      const payload = this.#pageSize - HEADER_SIZE
      const body = Buffer.alloc(payload * meta.freelistPages)
      let ok = true
      for (let i = 0; i < meta.freelistPages; i++) {
        const page = this.#read(meta.freelist.pgid + i, meta.freelist.txid)
        if (page === undefined) {
          ok = false
          continue
        }
        if (pageType(page) !== PageType.freelist) {
          this.#problem(meta.freelist.pgid + i, 'expected a free-list page')
          ok = false
        }
        page.copy(body, i * payload, HEADER_SIZE)
      }
      if (!ok) return
      const rec = decodeFreeList(body)
      if (typeof rec === 'string') {
        this.#problem(meta.freelist.pgid, rec)
        return
      }
      onDisk = rec.free
    }
    for (const p of freelist.free) this.#mark(p, FREE, 'free page')
    for (const p of freelist.pending) this.#mark(p, PENDING, 'pending page')
    const inMemory = new Set<number>([...freelist.free, ...freelist.pending])
    const disk = new Set(onDisk)
    if (disk.size !== onDisk.length) this.#problem(meta.freelist.pgid, 'free list names a page twice')
    for (let i = 1; i < onDisk.length; i++)
      if (onDisk[i - 1]! >= onDisk[i]!) this.#problem(meta.freelist.pgid, 'free list not in ascending order')
    for (const p of disk) if (!inMemory.has(p)) this.#problem(p, 'in the free list on disk but not in memory')
    for (const p of inMemory) if (!disk.has(p)) this.#problem(p, 'free in memory but not in the free list on disk')
  }
}
