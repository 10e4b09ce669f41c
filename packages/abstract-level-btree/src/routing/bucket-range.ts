import { compare, startsWith, toBytes } from '../bytes.js'

/** One end of a range. */
export interface Bound {
  readonly key: Uint8Array
  readonly inclusive: boolean
}

/** A range over keys: `undefined` ends are open. */
export interface KeyRange {
  readonly lower: Bound | undefined
  readonly upper: Bound | undefined
}

export const FULL_RANGE: KeyRange = { lower: undefined, upper: undefined }

/** The range options abstract-level passes to the private API, already encoded. */
export interface RangeOptions {
  gt?: string | Uint8Array
  gte?: string | Uint8Array
  lt?: string | Uint8Array
  lte?: string | Uint8Array
}

/**
 * The range of abstract-level's options. A present option counts even when empty (abstract-level
 * accepts empty and nullish range options); `gte` wins over `gt` and `lte` over `lt`.
 */
export function rangeOf(options: RangeOptions): KeyRange {
  const lower =
    'gte' in options
      ? { key: toBytes(options.gte!), inclusive: true }
      : 'gt' in options
        ? { key: toBytes(options.gt!), inclusive: false }
        : undefined
  const upper =
    'lte' in options
      ? { key: toBytes(options.lte!), inclusive: true }
      : 'lt' in options
        ? { key: toBytes(options.lt!), inclusive: false }
        : undefined
  return { lower, upper }
}

export function isFull(range: KeyRange): boolean {
  return range.lower === undefined && range.upper === undefined
}

/** Whether `key` lies within `range`. */
export function inRange(key: Uint8Array, range: KeyRange): boolean {
  return aboveLower(key, range.lower) && belowUpper(key, range.upper)
}

export function aboveLower(key: Uint8Array, lower: Bound | undefined): boolean {
  if (lower === undefined) return true
  const c = compare(key, lower.key)
  return lower.inclusive ? c >= 0 : c > 0
}

export function belowUpper(key: Uint8Array, upper: Bound | undefined): boolean {
  if (upper === undefined) return true
  const c = compare(key, upper.key)
  return upper.inclusive ? c <= 0 : c < 0
}

/**
 * The part of `range` (over full keys) that falls in the bucket holding the keys under `prefix`,
 * in the bucket's own keys (the prefix stripped), or undefined when none does. A bound that does
 * not start with the prefix either lies before every key under it (no bound in the bucket) or
 * after every one (nothing in the bucket). O(bound length).
 */
export function localRange(range: KeyRange, prefix: Uint8Array): KeyRange | undefined {
  if (prefix.byteLength === 0) return range
  let lower: Bound | undefined
  const lo = range.lower
  if (lo !== undefined) {
    if (startsWith(lo.key, prefix)) {
      const key = lo.key.subarray(prefix.byteLength)
      // `>= prefix` holds for every key in the bucket: no bound at all.
      lower = key.byteLength === 0 && lo.inclusive ? undefined : { key, inclusive: lo.inclusive }
    } else if (compare(lo.key, prefix) > 0) {
      return undefined
    }
  }
  let upper: Bound | undefined
  const hi = range.upper
  if (hi !== undefined) {
    if (startsWith(hi.key, prefix)) {
      const key = hi.key.subarray(prefix.byteLength)
      if (key.byteLength === 0 && !hi.inclusive) return undefined
      upper = { key, inclusive: hi.inclusive }
    } else if (compare(hi.key, prefix) < 0) {
      return undefined
    }
  }
  return { lower, upper }
}

/** Where a seek target (a full key) lands in the bucket under `prefix`. */
export type LocalTarget =
  | { kind: 'key'; key: Uint8Array }
  /** Before every key under the prefix. */
  | { kind: 'before' }
  /** After every key under the prefix. */
  | { kind: 'after' }

export function localTarget(target: Uint8Array, prefix: Uint8Array): LocalTarget {
  if (startsWith(target, prefix)) return { kind: 'key', key: target.subarray(prefix.byteLength) }
  return compare(target, prefix) < 0 ? { kind: 'before' } : { kind: 'after' }
}
