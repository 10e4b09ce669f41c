/**
 * Whether writebacks begun ahead of a sync pay on a device (FORMAT.md §11, "Streamed records"),
 * decided by measuring both, since the answer is the disk's, not the engine's. A writeback ahead
 * lets the device work while the commit's JavaScript runs, and costs the caller's thread and the
 * CPU (~25 µs a start here, the thread pool's wake-up; the kernel's work on the pool; a second
 * flush queued before the commit's own). On a disk that answers a sync after a pause slowly
 * (round s34: 700–900 µs, against 80 µs back to back) that buys a commit several times its cost;
 * on one that answers every sync in ~100 µs (round s40) it only costs: groups of 64 single-put
 * updates took 119–137 ms a round with writebacks and 80–91 ms without, an ascending fill 313 against
 * 250 ms (issue 9).
 *
 * So the syncs of a device run in cycles of CYCLE: the first WINDOW without writebacks ahead, the
 * next WINDOW with them, the rest as the faster of the two windows was. "Faster" is the median time
 * from the end of one sync to the end of the next (the commit's whole cycle: its JavaScript, its
 * writes and its sync, and what the writebacks cost in them), the first of each window left out (a
 * writeback begun in the window before may still run). Writebacks must win by WIN (5 %): a tie
 * costs their starts for nothing. A cycle's 2 × WINDOW probes keep the choice current as the disk's
 * phases change (this machine's change within minutes) at a cost of at most 1/16 of the syncs run
 * the slower way.
 */
export class WritebackPolicy {
  /** Syncs since the cycle began. */
  #position = 0
  /** When the last sync ended (performance.now()), or undefined before the first. */
  #lastEnd: number | undefined
  readonly #without: number[] = []
  readonly #with: number[] = []
  /** Writebacks ahead outside the probe windows. */
  #ahead = true

  /** Whether a writeback ahead of a sync asked for now should start. */
  get allows(): boolean {
    const p = this.#position
    if (p < WINDOW) return false
    if (p < 2 * WINDOW) return true
    return this.#ahead
  }

  /** Writebacks ahead outside the probe windows (what the last probes chose). */
  get chosen(): boolean {
    return this.#ahead
  }

  /** A sync of the device ended at `now` (performance.now()). */
  noteSync(now: number): void {
    const p = this.#position
    const period = this.#lastEnd === undefined ? undefined : now - this.#lastEnd
    this.#lastEnd = now
    if (period !== undefined && p % WINDOW !== 0 && p < 2 * WINDOW)
      (p < WINDOW ? this.#without : this.#with).push(period)
    if (p === 2 * WINDOW - 1) this.#choose()
    this.#position = p + 1 === CYCLE ? 0 : p + 1
  }

  #choose(): void {
    if (this.#without.length > 0 && this.#with.length > 0) {
      this.#ahead = median(this.#with) < median(this.#without) * (1 - WIN)
    }
    this.#without.length = 0
    this.#with.length = 0
  }
}

/** Syncs in a probe window (each cycle has one without writebacks ahead, then one with). */
export const WINDOW = 8
/** Syncs in a cycle, its two probe windows included. */
export const CYCLE = 256
/** The share of time by which writebacks ahead must be faster to be chosen. */
const WIN = 0.05

function median(xs: number[]): number {
  xs.sort((a, b) => a - b)
  const mid = xs.length >> 1
  return xs.length % 2 === 1 ? xs[mid]! : (xs[mid - 1]! + xs[mid]!) / 2
}
