import { outOfRange } from './errors.js'

/**
 * A small seeded pseudo-random generator (mulberry32) for tests: the same seed gives the same
 * sequence on every run and platform, so a failing seed can be printed and replayed. Not for
 * anything that needs unpredictability.
 *
 * The state is 32 bits, so a sequence repeats after at most 2^32 draws; plenty for test workloads.
 */
export class Prng {
  /** The seed this generator started from, reduced to 32 bits; print it when a test fails. */
  readonly seed: number
  #state: number

  /** Any finite number is accepted; only its low 32 integer bits matter. */
  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw outOfRange(`seed must be a finite number, got ${seed}`)
    this.seed = Math.trunc(seed) >>> 0
    this.#state = this.seed
  }

  /** A seed for a new run when none is given; print it so the run can be replayed. */
  static randomSeed(): number {
    return Math.floor(Math.random() * 2 ** 32)
  }

  /** A float in [0, 1). O(1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0
    let t = this.#state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }

  /** An integer in [0, n), for a positive integer n up to 2^32. */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 2 ** 32) {
      throw outOfRange(`int(n) needs an integer 1 <= n <= 2^32, got ${n}`)
    }
    return Math.floor(this.next() * n)
  }

  /** An integer in [min, max], both inclusive. */
  range(min: number, max: number): number {
    if (!Number.isInteger(min) || !Number.isInteger(max) || max < min) {
      throw outOfRange(`range(min, max) needs integers with min <= max, got ${min}, ${max}`)
    }
    return min + this.int(max - min + 1)
  }

  /** True with probability p (default one half). p = 0 is never true, p = 1 always. */
  bool(p = 0.5): boolean {
    if (!(p >= 0 && p <= 1)) throw outOfRange(`bool(p) needs 0 <= p <= 1, got ${p}`)
    // Draw even when the answer is certain, so changing a probability does not shift later draws.
    return this.next() < p
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw outOfRange('pick() needs a non-empty array')
    return items[this.int(items.length)]!
  }

  /** Shuffles `items` in place (Fisher-Yates) and returns it. O(n). */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1)
      const t = items[i]!
      items[i] = items[j]!
      items[j] = t
    }
    return items
  }

  /** `length` random bytes. */
  bytes(length: number): Uint8Array {
    if (!Number.isInteger(length) || length < 0) throw outOfRange(`bytes(length) needs an integer >= 0, got ${length}`)
    const out = new Uint8Array(length)
    for (let i = 0; i < length; i++) out[i] = this.int(256)
    return out
  }

  /**
   * An independent generator seeded from this one: a sub-task (one crash image, one worker) gets
   * its own stream, so adding draws to it does not shift the parent's later draws.
   */
  fork(): Prng {
    return new Prng(this.int(2 ** 32))
  }
}
