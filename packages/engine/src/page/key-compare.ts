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

/**
 * The common prefix length found by the last `comparePageKeyFrom` or `compareKeysFrom`: binary
 * searches keep the prefix the search key shares with both bounds and skip it in later compares
 * (keys with long shared prefixes, like zero-padded counters, compare in a few bytes).
 */
export let lastCommonPrefix = 0

/**
 * Compares the key stored in `page` at [off, off+len) with `key`, both known to agree on their
 * first `from` bytes; sets `lastCommonPrefix`. Allocation-free.
 */
export function comparePageKeyFrom(page: Buffer, off: number, len: number, key: Uint8Array, from: number): number {
  const lk = key.length
  const n = len < lk ? len : lk
  for (let i = from; i < n; i++) {
    const d = page[off + i]! - key[i]!
    if (d !== 0) {
      lastCommonPrefix = i
      return d
    }
  }
  lastCommonPrefix = n
  return len - lk
}

/** `compareKeys` for keys known to agree on their first `from` bytes; sets `lastCommonPrefix`. */
export function compareKeysFrom(a: Uint8Array, b: Uint8Array, from: number): number {
  const la = a.length
  const lb = b.length
  const n = la < lb ? la : lb
  for (let i = from; i < n; i++) {
    const d = a[i]! - b[i]!
    if (d !== 0) {
      lastCommonPrefix = i
      return d
    }
  }
  lastCommonPrefix = n
  return la - lb
}
