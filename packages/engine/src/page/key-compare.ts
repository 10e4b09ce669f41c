import { LONG_KEY_REF_SIZE, u32 } from './layout.js'

/**
 * Bytewise key order. Short keys compare with a byte loop (no call overhead), long ones with
 * `Buffer.compare` over ranges, which allocates nothing.
 */

const LONG_KEY = 48

/** Compares `a` and `b` bytewise: negative, zero or positive. */
export function compareKeys(a: Uint8Array, b: Uint8Array): number {
  const la = a.length
  const lb = b.length
  const n = la < lb ? la : lb
  if (n > LONG_KEY) {
    return Buffer.compare(a, b)
  }
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!
    if (d !== 0) return d
  }
  return la - lb
}

/*
 * The `...From` compares return more than an order: 0 when the keys are equal, else the sign of the
 * order times (1 + the length of the prefix the two share). Binary searches keep the prefix the
 * search key shares with both bounds and skip it in later compares (keys with long shared
 * prefixes, like zero-padded counters, compare in a few bytes).
 */

/** The common prefix length a `...From` compare's result `c` (c !== 0) encodes. */
export function sharedPrefix(c: number): number {
  return (c < 0 ? -c : c) - 1
}

/**
 * Compares the key stored in `page` at [off, off+len) with `key`, both known to agree on their
 * first `from` bytes: 0, or ±(1 + common prefix). Allocation-free.
 */
export function comparePageKeyFrom(page: Buffer, off: number, len: number, key: Uint8Array, from: number): number {
  const lk = key.length
  const n = len < lk ? len : lk
  for (let i = from; i < n; i++) {
    const d = page[off + i]! - key[i]!
    if (d !== 0) return d < 0 ? -1 - i : 1 + i
  }
  return len === lk ? 0 : len < lk ? -1 - n : 1 + n
}

/** `compareKeys` for keys known to agree on their first `from` bytes: 0, or ±(1 + common prefix). */
export function compareKeysFrom(a: Uint8Array, b: Uint8Array, from: number): number {
  const la = a.length
  const lb = b.length
  const n = la < lb ? la : lb
  for (let i = from; i < n; i++) {
    const d = a[i]! - b[i]!
    if (d !== 0) return d < 0 ? -1 - i : 1 + i
  }
  return la === lb ? 0 : la < lb ? -1 - n : 1 + n
}

/**
 * Loads an out-of-line key (FORMAT.md §10) from its overflow run: the whole key, verified. The pager
 * implements it; pages stay free of I/O by taking it as an argument.
 */
export interface KeyReader {
  readKey(pgid: number, txid: number, length: number): Uint8Array
}

/**
 * Compares the out-of-line key whose key part starts at `off` in `page` (u32 length, u32 first page,
 * u32 txid32, then the prefix; FORMAT.md §10) with `key`, both known to agree on their first `from`
 * bytes: 0, or ±(1 + common prefix). The inline prefix decides unless `key` runs past it with the same
 * bytes: only then is the full key loaded.
 */
export function compareLongPageKey(
  page: Buffer,
  off: number,
  partLength: number,
  key: Uint8Array,
  from: number,
  reader: KeyReader,
): number {
  const prefix = partLength - LONG_KEY_REF_SIZE
  const lk = key.length
  const n = prefix < lk ? prefix : lk
  const base = off + LONG_KEY_REF_SIZE
  for (let i = from; i < n; i++) {
    const d = page[base + i]! - key[i]!
    if (d !== 0) return d < 0 ? -1 - i : 1 + i
  }
  // `key` is a prefix of the stored key, which is longer than its own prefix.
  if (lk <= prefix) return 1 + lk
  const full = reader.readKey(u32(page, off + 4), u32(page, off + 8), u32(page, off))
  return compareLongKeysFrom(full, key, from > prefix ? from : prefix)
}

/**
 * `compareKeysFrom` for long keys, which often share long prefixes (that is why they tie): the
 * first difference is narrowed down by halving with `Buffer.compare` over ranges (memcmp, no
 * allocation), then found by the byte loop within the last 32 bytes. A 2 KiB tie costs about seven
 * native compares instead of a 2,000-step loop.
 */
export function compareLongKeysFrom(a: Uint8Array, b: Uint8Array, from: number): number {
  const n = a.length < b.length ? a.length : b.length
  let lo = from
  let hi = n
  if (hi - lo > 32) {
    if (bytesCompare.call(a, b, lo, hi, lo, hi) === 0) lo = hi
    else {
      // Invariant: [from, lo) is equal and the first difference lies in [lo, hi).
      while (hi - lo > 32) {
        const mid = (lo + hi) >>> 1
        if (bytesCompare.call(a, b, lo, mid, lo, mid) === 0) lo = mid
        else hi = mid
      }
    }
  }
  return compareKeysFrom(a, b, lo)
}

const bytesCompare = Buffer.prototype.compare as (
  this: Uint8Array,
  target: Uint8Array,
  targetStart: number,
  targetEnd: number,
  sourceStart: number,
  sourceEnd: number,
) => number
