import {
  CountAccumulator,
  SumAccumulator,
  type AggregateCall,
  type SingleAccumulator,
} from '../expression/aggregates.js'

/** A lane's state: summing integers exactly, summing doubles, or handed to its accumulator. */
export const EXACT = 0
export const APPROX = 1
export const SPILLED = 2

/** What a call's lane keeps: nothing (its accumulator steps), a count, or a sum. */
export const NONE = 0
export const COUNT = 1
export const SUM = 2

const TWO52 = 4503599627370496

/**
 * The running state of a direct grouping's count(x), sum, total and avg calls kept in typed
 * arrays, one entry per group and call, so that a number read from a stored row is added without
 * a call into an accumulator object (executor/group-by.ts). A sum lane keeps exactly what a
 * SumAccumulator keeps for the same values (SQLite's sumStep: integers summed exactly, from the
 * first real on a Kahan-Babuska-Neumaier sum of doubles) while the values stay within what it can
 * hold without a BigInt; at the first value it cannot take, it hands its state to the group's
 * accumulator (spill), which steps on from there. A count lane counts the numbers; the
 * accumulator counts the other values, and finish adds the two. count(*) counts the group's rows.
 */
export class AggregateLanes {
  // The arrays are public for GroupTable.addBytes's loop, which steps the usual cases in place
  // (the same arithmetic as stepNumber) without a call per value.
  /** Per call: NONE, COUNT or SUM. */
  readonly kinds: Uint8Array
  /** Calls per group. */
  readonly width: number
  #capacity = 0
  /** Per group: the rows added (count(*)). */
  rows = new Float64Array(0)
  /** Per group and call (group * width + call): EXACT, APPROX or SPILLED. */
  mode = new Uint8Array(0)
  /** Per group and call: values counted (count lanes) or summed (sum lanes). */
  count = new Float64Array(0)
  /** Per group and call: the exact integer sum (EXACT), the double sum and its error (APPROX). */
  small = new Float64Array(0)
  sum = new Float64Array(0)
  err = new Float64Array(0)

  /**
   * `args`: per call, the slot of its argument, or -1 for count(*). `groups`: the groups expected
   * (the statement's last run made that many): room for them is made at once, not by doubling
   * from 16 (six arrays made and copied per doubling were ~5% of a hundred-group query).
   */
  constructor(calls: readonly AggregateCall[], args: Int32Array, groups = 0) {
    this.width = calls.length
    this.kinds = Uint8Array.from(calls, (c, i) =>
      args[i]! < 0 ? NONE : c.lane === 'count' ? COUNT : c.lane === 'sum' ? SUM : NONE,
    )
    if (groups > 0) this.ensure(groups - 1)
  }

  /** Makes room for group `g` (groups are numbered from 0 as they are created). */
  ensure(g: number): void {
    if (g < this.#capacity) return
    const capacity = Math.max(16, this.#capacity * 2, g + 1)
    const size = capacity * this.width
    this.rows = grown64(this.rows, capacity)
    this.mode = grown8(this.mode, size)
    this.count = grown64(this.count, size)
    this.small = grown64(this.small, size)
    this.sum = grown64(this.sum, size)
    this.err = grown64(this.err, size)
    this.#capacity = capacity
  }

  /**
   * Zeroes the state of groups 0 … groups − 1 (every group a run made, finished): the lanes of a
   * finished run serve the statement's next run (GroupLayout.takeLanes) as if new.
   */
  clear(groups: number): void {
    const g = Math.min(groups, this.#capacity)
    const size = g * this.width
    this.rows.fill(0, 0, g)
    this.mode.fill(EXACT, 0, size)
    this.count.fill(0, 0, size)
    this.small.fill(0, 0, size)
    this.sum.fill(0, 0, size)
    this.err.fill(0, 0, size)
  }

  /** A row of group `g` (count(*)). */
  addRow(g: number): void {
    this.rows[g]!++
  }

  /**
   * Adds the number `n` (`real`: stored as a float64, else an integer within ±2^53) to call `i`
   * of group `g`. False when the lane does not take it: the caller then spills the lane and steps
   * the accumulator with it.
   */
  stepNumber(g: number, i: number, n: number, real: boolean): boolean {
    const kind = this.kinds[i]!
    const lane = g * this.width + i
    if (kind === SUM && this.mode[lane] === APPROX && (real || (n > -TWO52 && n < TWO52))) {
      // Summing doubles already (the usual case after a group's first real): a KBN step.
      this.count[lane]!++
      const s = this.sum[lane]!
      const t = s + n
      if (Math.abs(s) > Math.abs(n)) this.err[lane]! += s - t + n
      else this.err[lane]! += n - t + s
      this.sum[lane] = t
      return true
    }
    if (kind === COUNT) {
      this.count[lane]!++
      return true
    }
    return kind === SUM && this.stepExact(lane, n, real)
  }

  /** stepNumber of a sum lane that is not summing doubles: EXACT (false once spilled). */
  stepExact(lane: number, n: number, real: boolean): boolean {
    if (this.mode[lane] !== EXACT) return false
    if (!real) {
      const s = this.small[lane]! + n
      if (!Number.isSafeInteger(s)) return false
      this.small[lane] = s
      this.count[lane]!++
      return true
    }
    // The first real: the exact sum becomes the double sum's start, as SumAccumulator's #init,
    // and the real its first double.
    const small = this.small[lane]!
    const rest = small <= -TWO52 || small >= TWO52 ? small % 16384 : 0
    const s = small - rest
    const t = s + n
    this.err[lane] = rest + (Math.abs(s) > Math.abs(n) ? s - t + n : n - t + s)
    this.sum[lane] = t
    this.count[lane]!++
    this.mode[lane] = APPROX
    return true
  }

  /** Before call `i`'s accumulator of group `g` steps: a sum lane hands it its state, once. */
  spill(g: number, i: number, accumulator: SingleAccumulator): void {
    if (this.kinds[i] !== SUM) return
    const lane = g * this.width + i
    if (this.mode[lane] === SPILLED) return
    this.#handOver(lane, accumulator)
  }

  #handOver(lane: number, accumulator: SingleAccumulator): void {
    ;(accumulator as SumAccumulator).absorb(
      this.count[lane]!,
      this.small[lane]!,
      this.mode[lane] === APPROX,
      this.sum[lane]!,
      this.err[lane]!,
    )
    this.mode[lane] = SPILLED
  }

  /** Hands group `g`'s lanes and rows to its accumulators, once, before they finish. */
  finish(g: number, accumulators: readonly SingleAccumulator[], args: Int32Array): void {
    const w = this.width
    for (let i = 0; i < w; i++) {
      const lane = g * w + i
      if (args[i]! < 0) accumulators[i]!.stepMany(this.rows[g]!)
      else if (this.kinds[i] === COUNT) {
        ;(accumulators[i] as CountAccumulator).addCounted(this.count[lane]!)
        this.count[lane] = 0
      } else if (this.kinds[i] === SUM && this.mode[lane] !== SPILLED) this.#handOver(lane, accumulators[i]!)
    }
    this.rows[g] = 0
  }
}

/** `old`'s values in a new array of `size` entries (zeros after them). */
function grown64(old: Float64Array, size: number): Float64Array<ArrayBuffer> {
  const next = new Float64Array(size)
  if (old.length > 0) next.set(old)
  return next
}

function grown8(old: Uint8Array, size: number): Uint8Array<ArrayBuffer> {
  const next = new Uint8Array(size)
  if (old.length > 0) next.set(old)
  return next
}
