import { isInteger, numericFromText, numberOf, Real, real, toText, type SqlValue } from '../encoding/values.js'

/** SQLite's column affinities; `blob` is also "no affinity" for expressions. */
export type Affinity = 'integer' | 'real' | 'numeric' | 'text' | 'blob'

/** SQLite's rules (datatype3.html §3.1), applied to the declared type in this order. */
export function affinityOf(declaredType: string): Affinity {
  const t = declaredType.toUpperCase()
  if (t.includes('INT')) return 'integer'
  if (t.includes('CHAR') || t.includes('CLOB') || t.includes('TEXT')) return 'text'
  if (t.includes('BLOB') || t.trim() === '') return 'blob'
  if (t.includes('REAL') || t.includes('FLOA') || t.includes('DOUB')) return 'real'
  return 'numeric'
}

/** A value as a column of the given affinity stores it. */
export function applyAffinity(v: SqlValue, affinity: Affinity | undefined): SqlValue {
  if (v === null || affinity === undefined) return v
  switch (affinity) {
    case 'blob':
      return v
    case 'text':
      return typeof v === 'string' || v instanceof Uint8Array ? v : toText(v)
    case 'integer':
    case 'numeric':
      return applyNumeric(v)
    case 'real': {
      const n = applyNumeric(v)
      return isInteger(n) ? real(numberOf(n)) : n
    }
  }
}

function applyNumeric(v: SqlValue): SqlValue {
  if (typeof v === 'string') return numericFromText(v)
  if (v instanceof Real) return Math.abs(v.value) <= Number.MAX_SAFE_INTEGER ? v.value : v
  return v
}

/**
 * Affinity applied to the operands of a comparison (datatype3.html §4.2): a numeric column turns a
 * text operand without affinity into a number when it looks like one; a text column turns an
 * operand without affinity into text.
 */
export function comparisonAffinity(leftAffinity: Affinity | undefined, rightAffinity: Affinity | undefined): [Affinity | undefined, Affinity | undefined] {
  // BLOB affinity is SQLite's "no affinity".
  const left = leftAffinity === 'blob' ? undefined : leftAffinity
  const right = rightAffinity === 'blob' ? undefined : rightAffinity
  const numeric = (a: Affinity | undefined): boolean => a === 'integer' || a === 'real' || a === 'numeric'
  if (numeric(left) && !numeric(right)) return [undefined, 'numeric']
  if (numeric(right) && !numeric(left)) return ['numeric', undefined]
  if (left === 'text' && right === undefined) return [undefined, 'text']
  if (right === 'text' && left === undefined) return ['text', undefined]
  return [undefined, undefined]
}

/** NUMERIC affinity as a comparison applies it: only text that looks numeric changes. */
export function applyComparisonAffinity(v: SqlValue, affinity: Affinity | undefined): SqlValue {
  if (affinity === undefined || v === null) return v
  if (affinity === 'numeric') return typeof v === 'string' ? numericFromText(v) : v
  if (affinity === 'text') return typeof v === 'string' || v instanceof Uint8Array ? v : toText(v)
  return v
}
