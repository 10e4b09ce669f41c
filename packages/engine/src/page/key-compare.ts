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

/** Compares the key stored in `page` at [off, off+len) with `key`, without allocating. */
export function comparePageKey(page: Buffer, off: number, len: number, key: Uint8Array): number {
  const lk = key.length
  const n = len < lk ? len : lk
  if (n > LONG_KEY) {
    return page.compare(key, 0, lk, off, off + len)
  }
  for (let i = 0; i < n; i++) {
    const d = page[off + i]! - key[i]!
    if (d !== 0) return d
  }
  return len - lk
}
