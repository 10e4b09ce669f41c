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
 * So the syncs of a device run in cycles, each beginning with PROBE syncs in windows of WINDOW,
 * without writebacks ahead or with them in the order ORDER, then the rest of the cycle as the faster
 * of the two arms was. Without them, records do not stream either (NodeFile.writesAhead): each is
 * written whole at its commit. "Faster" is the median time from the end of one sync to the end of the next
 * (the commit's whole cycle: its JavaScript, its writes and its sync, and what the writebacks cost in
 * them), the first of each window left out (a writeback begun in the window before may still run).
 * The windows interleave (ORDER: each arm as early as the other on average, and as early squared)
 * because the commits speed up as the process warms: with the arm without writebacks probed first,
 * a fresh process's first choice saw its coldest commits there (a median of 4.0 ms a cycle against
 * 1.7 with writebacks, then 0.85 against 1.25 once warm) and kept writebacks that cost for the 240
 * syncs after it, most of an ascending fill. Writebacks must win by WIN (5 %): a tie costs their
 * starts for nothing. The first cycles are short (FIRST_CYCLE, doubling up to CYCLE), so that a
 * choice made while the process was cold is soon made again; then a cycle's probes keep the choice
 * current as the disk's phases change (this machine's change within minutes), at a cost of 1/16 of
 * the syncs run the slower way.
 */
export class WritebackPolicy {
  /** Syncs since the cycle began. */
  #position = 0
  /** This cycle's length in syncs: FIRST_CYCLE, doubling each cycle up to CYCLE. */
  #cycle = FIRST_CYCLE
  /** When the last sync ended (performance.now()), or undefined before the first. */
  #lastEnd: number | undefined
  readonly #without: number[] = []
  readonly #with: number[] = []
  /** Writebacks ahead outside the probe windows. */
  #ahead = true

  /** Whether a writeback ahead of a sync asked for now should start. */
  get allows(): boolean {
    const p = this.#position
    return p < PROBE ? ORDER[(p / WINDOW) | 0]! : this.#ahead
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
    if (period !== undefined && p % WINDOW !== 0 && p < PROBE)
      (ORDER[(p / WINDOW) | 0] ? this.#with : this.#without).push(period)
    if (p === PROBE - 1) this.#choose()
    if (p + 1 < this.#cycle) {
      this.#position = p + 1
    } else {
      this.#position = 0
      this.#cycle = Math.min(2 * this.#cycle, CYCLE)
    }
  }

  #choose(): void {
    if (this.#without.length > 0 && this.#with.length > 0) {
      this.#ahead = median(this.#with) < median(this.#without) * (1 - WIN)
    }
    this.#without.length = 0
    this.#with.length = 0
  }
}

/** Syncs in a probe window. */
export const WINDOW = 4
/**
 * Whether each probe window takes writebacks ahead: without, with, with, without, with, without,
 * without, with (the Thue-Morse sequence: the two arms' windows have the same mean position and the
 * same mean square, so a trend in the commits' speed that is linear or quadratic weighs on both alike).
 */
export const ORDER: readonly boolean[] = [false, true, true, false, true, false, false, true]
/** Syncs probed at the start of each cycle. */
export const PROBE = WINDOW * ORDER.length
/** Syncs in a cycle, its probes included, once the first cycles are over. */
export const CYCLE = 256
/** Syncs in a device's first cycle; each cycle after is twice as long, up to CYCLE. */
export const FIRST_CYCLE = 64
/** The share of time by which writebacks ahead must be faster to be chosen. */
const WIN = 0.05

function median(xs: number[]): number {
  xs.sort((a, b) => a - b)
  const mid = xs.length >> 1
  return xs.length % 2 === 1 ? xs[mid]! : (xs[mid - 1]! + xs[mid]!) / 2
}
