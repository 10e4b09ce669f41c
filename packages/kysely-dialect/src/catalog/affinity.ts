import { integer, isInteger, numericFromText, numberOf, Real, real, toText, type SqlValue } from '../encoding/values.js'

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
      // SQLite stores a whole-valued real of a REAL column as an integer on disk, so -0.0 reads back as 0.0.
      const n = applyNumeric(v)
      return isInteger(n) ? real(numberOf(n) === 0 ? 0 : numberOf(n)) : n
    }
  }
}

/** 2^63: a whole real strictly between its negative and it is stored as the integer it equals. */
const TWO_63 = 2 ** 63

/**
 * NUMERIC and INTEGER affinity: text that looks numeric becomes a number, and a real that is a
 * whole number an integer can hold exactly becomes that integer (sqlite3VdbeIntegerAffinity: -2^63
 * and 2^63 excluded), beyond 2^53 too: `insert into t (n) values (1e18)` stores the integer
 * 1000000000000000000, which reads back exact.
 */
function applyNumeric(v: SqlValue): SqlValue {
  if (typeof v === 'string') return integerAffinity(numericFromText(v))
  return integerAffinity(v)
}

function integerAffinity(v: SqlValue): SqlValue {
  if (!(v instanceof Real)) return v
  const x = v.value
  if (Math.abs(x) <= Number.MAX_SAFE_INTEGER) return x + 0
  return Number.isInteger(x) && x > -TWO_63 && x < TWO_63 ? integer(BigInt(x)) : v
}

/**
 * The affinity a comparison applies to both operands (SQLite's sqlite3CompareAffinity). A column
 * has an affinity, BLOB included; other expressions have none (undefined). Two columns: NUMERIC
 * when either is numeric, else no conversion. One column: its affinity. Neither: no conversion.
 */
export function comparisonAffinity(left: Affinity | undefined, right: Affinity | undefined): Affinity | undefined {
  const numeric = (a: Affinity | undefined): boolean => a === 'integer' || a === 'real' || a === 'numeric'
  if (left !== undefined && right !== undefined) return numeric(left) || numeric(right) ? 'numeric' : undefined
  const one = left ?? right
  if (one === undefined || one === 'blob') return undefined
  return numeric(one) ? 'numeric' : 'text'
}

/** An affinity as a comparison applies it: NUMERIC changes only text that looks numeric; TEXT turns numbers into text. */
export function applyComparisonAffinity(v: SqlValue, affinity: Affinity | undefined): SqlValue {
  if (affinity === undefined || v === null) return v
  if (affinity === 'text') return typeof v === 'string' || v instanceof Uint8Array ? v : toText(v)
  return typeof v === 'string' ? numericFromText(v) : v
}

/** SQLite's standard type names (sqlite3StdType), which it keeps as a code and reports in capitals. */
const STANDARD_TYPES = new Set(['ANY', 'BLOB', 'INT', 'INTEGER', 'REAL', 'TEXT'])

/**
 * A declared type as SQLite's `pragma table_info` reports it: exactly a standard name, in any case
 * (`integer`, `Text`), in capitals; anything else (`varchar(255)`, `int primary`) as written.
 */
export function reportedType(type: string): string {
  const upper = type.toUpperCase()
  return STANDARD_TYPES.has(upper) ? upper : type
}
