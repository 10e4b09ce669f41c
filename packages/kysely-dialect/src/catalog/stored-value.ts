import { Real, type SqlValue } from '../encoding/values.js'

/** A SQL value in the catalog's JSON (defaults): the storage class survives the round trip. */
export type StoredValue = null | { i: string } | { r: number } | { t: string } | { b: string }

export function storeValue(v: SqlValue): StoredValue {
  if (v === null) return null
  if (typeof v === 'string') return { t: v }
  if (typeof v === 'bigint') return { i: String(v) }
  if (typeof v === 'number') return Number.isInteger(v) ? { i: String(v) } : { r: v }
  if (v instanceof Real) return { r: v.value }
  return { b: Buffer.from(v).toString('base64') }
}

export function loadValue(s: StoredValue): SqlValue {
  if (s === null) return null
  if ('t' in s) return s.t
  if ('i' in s) {
    const n = BigInt(s.i)
    return n >= -9007199254740991n && n <= 9007199254740991n ? Number(n) : n
  }
  if ('r' in s) return Number.isInteger(s.r) ? new Real(s.r) : s.r
  return new Uint8Array(Buffer.from(s.b, 'base64'))
}
