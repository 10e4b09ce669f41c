import os from 'node:os'

const MiB = 1024 * 1024

/**
 * The default `cacheSize`: an eighth of the machine's memory, at least 64 MiB and at most 1 GiB.
 * Reads that miss the cache cost a system call, a checksum and an eviction each; a cache too small
 * for the working set made random gets on a 1,000,000-key file (123 MiB) 3-4x slower than with the
 * file cached (160k/s with 64 MiB, 500k/s with 512 MiB). Like WiredTiger's default, it follows the memory there is (a share, so
 * other processes keep theirs) with a cap; `cacheSize` still wins. The cache fills only as pages
 * are read or written, so a small database never takes the whole budget.
 */
export function defaultCacheSize(totalMemory: number = os.totalmem()): number {
  return Math.min(1024 * MiB, Math.max(64 * MiB, Math.floor(totalMemory / 8)))
}

/**
 * Verified pages kept in memory, bounded in bytes, evicted by CLOCK (second chance): a hit only
 * sets a flag, so the hot read path does no bookkeeping beyond one Map lookup.
 *
 * The pages sit in slots of a ring that the hand sweeps; a Map finds a page's slot, and freed slots
 * are reused. (An earlier version kept the order in the Map itself and swept it from its start: a
 * V8 Map keeps deleted entries as holes until it is rehashed, so each eviction skipped every hole
 * left by the ones before, and a full cache of 250,000 pages spent seconds per checkpoint there.)
 *
 * Invariant: a cached page's bytes are never modified. A page id that is rewritten gets a new
 * buffer, so views handed out earlier (cursor keys and values) stay intact.
 */
export class PageCache {
  /** Slot of each cached page id. */
  readonly #index = new Map<number, number>()
  /** Per slot: the page (undefined when the slot is free), and whether it was read since the hand passed. */
  readonly #pages: Array<Buffer | undefined> = []
  readonly #used: number[] = []
  readonly #ids: number[] = []
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
    const slot = this.#index.get(pgid)
    if (slot === undefined) {
      this.misses++
      return undefined
    }
    this.hits++
    this.#used[slot] = 1
    return this.#pages[slot]
  }

  set(pgid: number, page: Buffer): void {
    let slot = this.#index.get(pgid)
    if (slot !== undefined) {
      this.#bytes -= this.#pages[slot]!.length
    } else {
      slot = this.#free.pop()
      if (slot === undefined) {
        slot = this.#pages.length
        this.#pages.push(undefined)
        this.#used.push(0)
        this.#ids.push(0)
      }
      this.#index.set(pgid, slot)
      this.#ids[slot] = pgid
    }
    this.#pages[slot] = page
    this.#used[slot] = 0
    this.#bytes += page.length
    if (this.#bytes > this.#limit) this.#evict(slot)
  }

  delete(pgid: number): void {
    const slot = this.#index.get(pgid)
    if (slot !== undefined) this.#drop(slot)
  }

  clear(): void {
    this.#index.clear()
    this.#pages.length = 0
    this.#used.length = 0
    this.#ids.length = 0
    this.#free.length = 0
    this.#hand = 0
    this.#bytes = 0
  }

  /**
   * Sweeps the hand until the cache fits: a page read since the last pass loses its flag, one not
   * read goes. The page just set (`keep`) goes only when nothing else is left. Two rounds at most.
   */
  #evict(keep: number): void {
    const n = this.#pages.length
    for (let steps = 0; steps < 2 * n && this.#bytes > this.#limit; steps++) {
      const slot = this.#hand
      this.#hand = slot + 1 === n ? 0 : slot + 1
      if (slot === keep || this.#pages[slot] === undefined) continue
      if (this.#used[slot] === 1) this.#used[slot] = 0
      else this.#drop(slot)
    }
    if (this.#bytes > this.#limit) this.#drop(keep)
  }

  #drop(slot: number): void {
    this.#bytes -= this.#pages[slot]!.length
    this.#pages[slot] = undefined
    this.#index.delete(this.#ids[slot]!)
    this.#free.push(slot)
  }
}
