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
/** A cached page, where the ring holds it, and whether it was read since the hand passed. */
interface Slot {
  page: Buffer
  used: boolean
  readonly pgid: number
  readonly at: number
}

export class PageCache {
  /** The slot of each cached page id: a hit is this one lookup and a flag. */
  readonly #index = new Map<number, Slot>()
  /** The ring the hand sweeps; a freed position is reused. */
  readonly #ring: Array<Slot | undefined> = []
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
    slot.used = true
    return slot.page
  }

  set(pgid: number, page: Buffer): void {
    let slot = this.#index.get(pgid)
    if (slot !== undefined) {
      this.#bytes -= slot.page.length
      slot.page = page
      slot.used = false
    } else {
      const at = this.#free.pop() ?? this.#ring.length
      slot = { page, used: false, pgid, at }
      this.#ring[at] = slot
      this.#index.set(pgid, slot)
    }
    this.#bytes += page.length
    if (this.#bytes > this.#limit) this.#evict(slot.at)
  }

  delete(pgid: number): void {
    const slot = this.#index.get(pgid)
    if (slot !== undefined) this.#drop(slot)
  }

  clear(): void {
    this.#index.clear()
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
      const slot = this.#ring[at]
      if (at === keep || slot === undefined) continue
      if (slot.used) slot.used = false
      else this.#drop(slot)
    }
    if (this.#bytes > this.#limit) this.#drop(this.#ring[keep]!)
  }

  #drop(slot: Slot): void {
    this.#bytes -= slot.page.length
    this.#ring[slot.at] = undefined
    this.#index.delete(slot.pgid)
    this.#free.push(slot.at)
  }
}
