import { decodeKeyNumber, keyIntegerFrom, KEY_BLOB, KEY_NULL, KEY_NUMBER, KEY_TEXT } from './keys.js'
import { bytesText, Real, type SqlValue } from './values.js'

/**
 * Reading components back out of keys written by keys.ts: where one ends (an index entry is its
 * columns' components followed by the row's key) and, for queries answered from an index alone,
 * the value one holds.
 */

/**
 * The offset just past the component starting at `at`, of a key that ends at `end` (the bytes'
 * end unless the key lies inside a larger buffer: an index entry read in place, Cursor.keyRef).
 * O(component length).
 */
export function componentEnd(key: Uint8Array, at: number, end = key.length): number {
  const tag = key[at]
  if (tag === KEY_NULL) return at + 1
  if (tag === KEY_NUMBER) return at + 11
  let i = at + 1
  // Text and blob bytes end at 00 00; a 00 inside them is written 00 FF.
  while (i < end) {
    if (key[i] === 0) {
      if (key[i + 1] === 0) return i + 2
      i += 2
    } else i++
  }
  return end
}

/** The offset just past the first `count` components from `from`, of a key that ends at `end`. */
export function componentsEnd(key: Uint8Array, count: number, from = 0, end = key.length): number {
  let at = from
  for (let i = 0; i < count; i++) at = componentEnd(key, at, end)
  return at
}

/** How a number component is read back: a key keeps a number's value, not its storage class. */
export type NumberReading = 'integer' | 'real' | 'unknown'

/** The sentinel for a component whose storage class the key does not tell. */
export const AMBIGUOUS: unique symbol = Symbol('ambiguous key component')

/**
 * The value of the component at `at`. Text and blobs come back exactly. A number comes back as
 * `reading` says: a column of INTEGER or NUMERIC affinity holds integers for every whole number a
 * double holds exactly (up to 2^53) and reals otherwise; a REAL column holds reals only; past
 * 2^53, or in a column without affinity, a whole number may be either and is AMBIGUOUS (the caller
 * reads the row instead). `keyEnd`: where the key ends (componentEnd).
 */
export function decodeComponent(
  key: Uint8Array,
  at: number,
  reading: NumberReading,
  keyEnd = key.length,
): SqlValue | typeof AMBIGUOUS {
  const tag = key[at]
  if (tag === KEY_NULL) return null
  if (tag === KEY_NUMBER) {
    const n = decodeKeyNumber(key, at)
    if (reading === 'real') return Number.isInteger(n) ? new Real(n) : n
    if (!Number.isInteger(n)) return n
    if (reading === 'unknown' || !Number.isSafeInteger(n)) return AMBIGUOUS
    return keyIntegerFrom(n, key, at)
  }
  const end = componentEnd(key, at, keyEnd) - 2
  const out = new Uint8Array(end - at - 1)
  let o = 0
  for (let i = at + 1; i < end; i++) {
    out[o++] = key[i]!
    if (key[i] === 0) i++
  }
  const bytes = o === out.length ? out : out.subarray(0, o)
  if (tag === KEY_TEXT) return bytesText(bytes)
  if (tag === KEY_BLOB) return bytes.slice()
  return AMBIGUOUS
}
