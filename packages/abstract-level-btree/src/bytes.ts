/**
 * Byte helpers shared by the routing and the iterators. Keys reach the private API in one of the
 * manifest's formats (`utf8`, `buffer`, `view`) and are stored as bytes; they go back out in the
 * format the caller asked for.
 */

export type KeyFormat = 'utf8' | 'buffer' | 'view'

export const EMPTY = new Uint8Array(0)

/** The bytes of a key or value in any of the manifest's formats. Strings are encoded as UTF-8. */
export function toBytes(data: string | Uint8Array): Uint8Array {
  return typeof data === 'string' ? Buffer.from(data, 'utf8') : data
}

/**
 * A copy of `data` as bytes. Writes are applied when their group's transaction runs, after the
 * call returned: a caller reusing its buffer in the meantime must not change what gets stored.
 * `copy` takes small copies from Node's buffer pool; `slice` would give each its own ArrayBuffer.
 */
export function ownBytes(data: string | Uint8Array): Uint8Array {
  return typeof data === 'string' ? Buffer.from(data, 'utf8') : copy(data)
}

/** `bytes` in the given format. `bytes` must be owned by the caller (a copy, never a page view). */
export function fromBytes(bytes: Uint8Array, format: KeyFormat): string | Uint8Array {
  if (format === 'view') return bytes
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  return format === 'utf8' ? buffer.toString('utf8') : buffer
}

/** Node's native UTF-8 decoder, which reads any Uint8Array (Buffer's own toString uses it). */
const utf8Slice = (Buffer.prototype as unknown as { utf8Slice(this: Uint8Array, start: number, end: number): string })
  .utf8Slice

/** The UTF-8 text of `bytes` (a page view is fine: the string is independent of it). */
export function utf8(bytes: Uint8Array): string {
  return utf8Slice.call(bytes, 0, bytes.byteLength)
}

/** A copy of `prefix` followed by `key`, as a Buffer (also a valid `view`). */
export function concat(prefix: Uint8Array, key: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(prefix.byteLength + key.byteLength)
  out.set(prefix, 0)
  out.set(key, prefix.byteLength)
  return out
}

/** A copy of a page view, as a Buffer. */
export function copy(view: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(view.byteLength)
  out.set(view, 0)
  return out
}

/** Keys up to this long compare in JavaScript: cheaper than a call into Buffer.compare's binding. */
const SHORT_COMPARE = 64

/** Byte order: negative, zero or positive. */
export function compare(a: Uint8Array, b: Uint8Array): number {
  const n = a.byteLength < b.byteLength ? a.byteLength : b.byteLength
  if (n > SHORT_COMPARE) return Buffer.compare(a, b)
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!
    if (d !== 0) return d
  }
  return a.byteLength - b.byteLength
}

export function startsWith(key: Uint8Array, prefix: Uint8Array): boolean {
  const n = prefix.byteLength
  if (key.byteLength < n) return false
  for (let i = 0; i < n; i++) if (key[i] !== prefix[i]) return false
  return true
}

/** Compares `pa + ka` with `pb + kb` without building either. */
export function compareJoined(pa: Uint8Array, ka: Uint8Array, pb: Uint8Array, kb: Uint8Array): number {
  const la = pa.byteLength + ka.byteLength
  const lb = pb.byteLength + kb.byteLength
  const n = Math.min(la, lb)
  for (let i = 0; i < n; i++) {
    const x = i < pa.byteLength ? pa[i]! : ka[i - pa.byteLength]!
    const y = i < pb.byteLength ? pb[i]! : kb[i - pb.byteLength]!
    if (x !== y) return x < y ? -1 : 1
  }
  return la - lb
}
