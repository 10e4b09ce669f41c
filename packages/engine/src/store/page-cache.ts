import os from 'node:os'
import type { SearchIndex } from '../page/search-index.js'
import { keepShapes } from '../base/shapes.js'

const MiB = 1024 * 1024

/**
 * The default `cacheSize`: an eighth of the machine's memory, at least 64 MiB and at most 2 GiB.
 * Reads that miss the cache cost a system call, a checksum and an eviction each; a cache too small
 * for the working set made random gets on a 1,000,000-key file (123 MiB) 3-4x slower than with the
 * file cached (160k/s with 64 MiB, 500k/s with 512 MiB). Like WiredTiger's default, it follows the memory there is (a share, so
 * other processes keep theirs) with a cap; `cacheSize` still wins. The cache fills only as pages
 * are read or written, so a small database never takes the whole budget. The cap of 2 GiB holds a
 * 5,000,000-key tree (~850 MiB of pages after a random fill) with room for the copies a checkpoint
 * leaves behind; 1 GiB left it barely.
 */
export function defaultCacheSize(totalMemory: number = os.totalmem()): number {
  return Math.min(2048 * MiB, Math.max(64 * MiB, Math.floor(totalMemory / 8)))
}

/** Page ids per chunk of the index (a power of two). */
const CHUNK_BITS = 12
const CHUNK = 1 << CHUNK_BITS
const CHUNK_MASK = CHUNK - 1

/**
 * The index entries of CHUNK consecutive page ids: the cached page, its search index once a search
 * built one, whether it was read since the hand passed, and its position in the ring. A chunk goes
 * when its last page does.
 */
class Chunk {
  readonly pages: Array<Buffer | undefined> = new Array<Buffer | undefined>(CHUNK).fill(undefined)
  readonly search: Array<SearchIndex | undefined> = new Array<SearchIndex | undefined>(CHUNK).fill(undefined)
  readonly used = new Uint8Array(CHUNK)
  readonly at = new Int32Array(CHUNK)
  count = 0
}

/**
 * Verified pages kept in memory, bounded in bytes, evicted by CLOCK (second chance): a hit only
 * sets a flag, so the hot read path does no bookkeeping beyond two array loads.
 *
 * The index is direct: page id -> chunk -> slot, arrays all, no hashing and no object per page (a
 * Map from page id to a slot object cost a hash probe and two dependent loads per page visit, a
 * tenth of a random get's time on a 1,000,000-key file). A chunk covers 4,096 page ids (16 MiB of
 * 4 KiB pages) for 52 KiB of index, and exists only while it holds a page. The ring the hand sweeps
 * holds page ids; freed positions are reused. (An earlier version kept the order in a Map and swept
 * it from its start: a V8 Map keeps deleted entries as holes until it is rehashed, so each eviction
 * skipped every hole left by the ones before.)
 *
 * Invariant: a cached page's bytes are never modified. A page id that is rewritten gets a new
 * buffer, so views handed out earlier (cursor keys and values) stay intact, and a search index
 * built from a cached page (page/search-index.ts) stays true until the page leaves; its bytes
 * count with the page's.
 */
export class PageCache {
  /** Chunk k indexes page ids [k * CHUNK, (k + 1) * CHUNK); grown by push so it stays a dense array. */
  readonly #chunks: Array<Chunk | undefined> = []
  /** The page id at each ring position, -1 where free. */
  readonly #ring: number[] = []
  readonly #free: number[] = []
  #hand = 0
  readonly #limit: number
  #bytes = 0
  hits = 0
  misses = 0

  constructor(limitBytes: number) {
    this.#limit = limitBytes
  }

  get bytes(): number {
    return this.#bytes
  }

  get limit(): number {
    return this.#limit
  }

  get(pgid: number): Buffer | undefined {
    const chunk = this.#chunks[pgid >>> CHUNK_BITS]
    const page = chunk?.pages[pgid & CHUNK_MASK]
    if (page === undefined) {
      this.misses++
      return undefined
    }
    this.hits++
    chunk!.used[pgid & CHUNK_MASK] = 1
    return page
  }

  /** The search index of a cached page, when one was built (a hit, as get's). */
  searchIndex(pgid: number): SearchIndex | undefined {
    const chunk = this.#chunks[pgid >>> CHUNK_BITS]
    const index = chunk?.search[pgid & CHUNK_MASK]
    if (index === undefined) return undefined
    this.hits++
    chunk!.used[pgid & CHUNK_MASK] = 1
    return index
  }

  /** Whether `page` is the page cached as `pgid` (no hit counted, no flag set). */
  holds(pgid: number, page: Buffer): boolean {
    return this.#chunks[pgid >>> CHUNK_BITS]?.pages[pgid & CHUNK_MASK] === page
  }

  /** Calls `fn` with each cached page's search index, where one was built (check()); no hit counted. */
  forEachSearchIndex(fn: (pgid: number, index: SearchIndex) => void): void {
    for (let k = 0; k < this.#chunks.length; k++) {
      const chunk = this.#chunks[k]
      if (chunk === undefined) continue
      for (let i = 0; i < CHUNK; i++) {
        const index = chunk.search[i]
        if (index !== undefined) fn(k * CHUNK + i, index)
      }
    }
  }

  /** Keeps the search index of page `pgid`, if that page (`index.page`) is the one cached. */
  setSearchIndex(pgid: number, index: SearchIndex): void {
    const chunk = this.#chunks[pgid >>> CHUNK_BITS]
    const i = pgid & CHUNK_MASK
    if (chunk === undefined || chunk.pages[i] !== index.page) return
    const old = chunk.search[i]
    if (old !== undefined) this.#bytes -= old.bytes
    chunk.search[i] = index
    this.#bytes += index.bytes
    if (this.#bytes > this.#limit) this.#evict(chunk.at[i]!)
  }

  set(pgid: number, page: Buffer): void {
    const k = pgid >>> CHUNK_BITS
    const i = pgid & CHUNK_MASK
    while (this.#chunks.length <= k) this.#chunks.push(undefined)
    let chunk = this.#chunks[k]
    if (chunk === undefined) chunk = this.#chunks[k] = new Chunk()
    const old = chunk.pages[i]
    if (old !== undefined) {
      this.#bytes -= old.length
      this.#dropSearch(chunk, i)
    } else {
      const at = this.#free.pop() ?? this.#ring.length
      this.#ring[at] = pgid
      chunk.at[i] = at
      chunk.count++
    }
    chunk.pages[i] = page
    chunk.used[i] = 0
    this.#bytes += page.length
    if (this.#bytes > this.#limit) this.#evict(chunk.at[i]!)
  }

  delete(pgid: number): void {
    const chunk = this.#chunks[pgid >>> CHUNK_BITS]
    if (chunk?.pages[pgid & CHUNK_MASK] !== undefined) this.#drop(pgid)
  }

  clear(): void {
    this.#chunks.length = 0
    this.#ring.length = 0
    this.#free.length = 0
    this.#hand = 0
    this.#bytes = 0
  }

  /**
   * Sweeps the hand until the cache fits: a page read since the last pass loses its flag, one not
   * read goes. The page just set (at `keep`) goes only when nothing else is left. Two rounds at most.
   */
  #evict(keep: number): void {
    const n = this.#ring.length
    for (let steps = 0; steps < 2 * n && this.#bytes > this.#limit; steps++) {
      const at = this.#hand
      this.#hand = at + 1 === n ? 0 : at + 1
      const pgid = this.#ring[at]!
      if (at === keep || pgid < 0) continue
      const chunk = this.#chunks[pgid >>> CHUNK_BITS]!
      const i = pgid & CHUNK_MASK
      if (chunk.used[i] === 1) chunk.used[i] = 0
      else this.#drop(pgid)
    }
    if (this.#bytes > this.#limit) this.#drop(this.#ring[keep]!)
  }

  /** Removes a cached page from the index and the ring. */
  #drop(pgid: number): void {
    const k = pgid >>> CHUNK_BITS
    const i = pgid & CHUNK_MASK
    const chunk = this.#chunks[k]!
    this.#bytes -= chunk.pages[i]!.length
    chunk.pages[i] = undefined
    this.#dropSearch(chunk, i)
    const at = chunk.at[i]!
    this.#ring[at] = -1
    this.#free.push(at)
    if (--chunk.count === 0) this.#chunks[k] = undefined
  }

  #dropSearch(chunk: Chunk, i: number): void {
    const index = chunk.search[i]
    if (index === undefined) return
    this.#bytes -= index.bytes
    chunk.search[i] = undefined
  }
}

// base/shapes.ts: a chunk goes with its last page, and a closed database's cache is emptied (52 KiB).
keepShapes('store/page-cache', [new Chunk()])
