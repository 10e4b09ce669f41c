// Imported: the global Buffer is an accessor, called on every use in a module.
import { Buffer } from 'node:buffer'
import { BTreeSqlError } from '../errors.js'

/**
 * A real (floating point) value whose number happens to be integral, such as 2.0. SQLite keeps the
 * storage class apart from the number (2.0 / 4 is 0.5 but 2 / 4 is 0), so such reals are boxed;
 * a non-integral JavaScript number is unambiguously a real and stays unboxed.
 */
export class Real {
  constructor(readonly value: number) {}
}

/**
 * SQLite's five storage classes: null; integer (a safe JavaScript number, or a bigint past 2^53);
 * real (a non-integral number, or a boxed `Real`); text (a string); blob (a Uint8Array).
 */
export type SqlValue = null | number | bigint | Real | string | Uint8Array

export const enum StorageClass {
  Null = 0,
  Numeric = 1,
  Text = 2,
  Blob = 3,
}

export function storageClass(v: SqlValue): StorageClass {
  if (v === null) return StorageClass.Null
  switch (typeof v) {
    case 'number':
    case 'bigint':
      return StorageClass.Numeric
    case 'string':
      return StorageClass.Text
    default:
      return v instanceof Real ? StorageClass.Numeric : StorageClass.Blob
  }
}

/** Whether `v` is of storage class INTEGER. */
export function isInteger(v: SqlValue): v is number | bigint {
  return typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v))
}

/** Whether `v` is of storage class REAL. */
export function isReal(v: SqlValue): boolean {
  return v instanceof Real || (typeof v === 'number' && !Number.isInteger(v))
}

/**
 * A real result: a whole value boxed (so that it stays a REAL), NaN as null. SQLite never holds a
 * NaN: a double result that is one (Inf − Inf, Inf × 0, a sum of Inf and −Inf) is stored as NULL
 * (sqlite3VdbeMemSetDouble), in arithmetic, functions and aggregates alike.
 */
export function real(n: number): number | Real | null {
  if (Number.isNaN(n)) return null
  return Number.isInteger(n) ? new Real(n) : n
}

/** An integer, as a number while it is safe and a bigint beyond. */
export function integer(n: bigint): number | bigint {
  return n >= -9007199254740991n && n <= 9007199254740991n ? Number(n) : n
}

/** A UTF-16 surrogate unit: half of a code point past U+FFFF. */
const SURROGATE = /[\ud800-\udfff]/

/**
 * Whether `s` holds a surrogate unit: where JavaScript's order of texts (by UTF-16 units) and
 * SQLite's BINARY order (by UTF-8 bytes, that is by code points) can differ, and where a lone one
 * has no UTF-8 form.
 */
export function hasSurrogate(s: string): boolean {
  return SURROGATE.test(s)
}

/** The number of a numeric value (a bigint loses precision, as in any JavaScript arithmetic). */
export function numberOf(v: number | bigint | Real): number {
  return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : v.value
}

const utf8 = new TextEncoder()
const utf8Decoder = new TextDecoder()

export function textBytes(s: string): Uint8Array {
  return utf8.encode(s)
}

export function bytesText(b: Uint8Array): string {
  return utf8Decoder.decode(b)
}

export { formatReal } from './real-text.js'
import { formatReal } from './real-text.js'

/** The text of a value as SQLite's `CAST(x AS TEXT)` gives it (null stays null). */
export function toText(v: SqlValue): string | null {
  if (v === null) return null
  if (typeof v === 'string') return v
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : formatReal(v)
  if (typeof v === 'bigint') return String(v)
  if (v instanceof Real) return formatReal(v.value)
  return bytesText(v)
}

/** SQLite's sqlite3AtoF stops taking digits into its 64-bit significand once it reaches this. */
const SIGNIFICAND_FULL = 1844674407370955160n

/**
 * The double SQLite reads a decimal text as (sqlite3AtoF): its significant digits taken into a
 * 64-bit integer only until that passes 1844674407370955160 (19 or 20 digits; the rest count for
 * the exponent only), then that integer times its power of ten, correctly rounded. So a text of
 * more digits can read as another double than the correctly rounded one:
 * '90071992547409929007199254740993' is 9.007199254740992e+31 to SQLite (9.007199254740994e+31
 * to JavaScript's Number). `text`: optional sign, digits, an optional fraction and exponent
 * (NUMERIC_PREFIX's syntax; spaces around allowed).
 */
export function textToReal(text: string): number {
  const m = /^\s*([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?/.exec(text)!
  // Up to 19 digits SQLite takes them all, and an exponent this small stays inside its table: the
  // correctly rounded double, as Number reads it (~60 ns against ~400 for the loop below).
  if (m[2]!.length + (m[3]?.length ?? 0) <= 19 && (m[4] === undefined || m[4].length <= 4)) {
    const e = m[4] === undefined ? 0 : Number(m[4])
    if (e >= -300 && e <= 300) return Number(m[0])
  }
  let s = 0n
  let d = 0
  for (const c of m[2]!) {
    if (s < SIGNIFICAND_FULL) s = s * 10n + BigInt(c.charCodeAt(0) - 48)
    else d++
  }
  for (const c of m[3] ?? '') {
    if (s < SIGNIFICAND_FULL) {
      s = s * 10n + BigInt(c.charCodeAt(0) - 48)
      d--
    }
  }
  if (m[4] !== undefined) {
    const e = m[4]
    const digits = e.replace(/^[+-]/, '')
    const magnitude = digits.length > 5 ? 10000 : Math.min(Number(digits), 10000)
    d += e.startsWith('-') ? -magnitude : magnitude
  }
  let r: number
  if (s === 0n) r = 0
  // Beyond SQLite's table of powers of ten: 0 or infinity, whatever the digits.
  else if (d < -348) r = 0
  else if (d > 347) r = Infinity
  else r = Number(`${s}e${d}`)
  return m[1] === '-' ? -r : r
}

const INTEGER_LITERAL = /^\s*[+-]?\d+\s*$/
const REAL_LITERAL = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/
const NUMERIC_PREFIX = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/

/**
 * A text converted as NUMERIC affinity converts it: a well-formed integer literal becomes an
 * integer, a well-formed real literal a real (an integer when integral and in range, as SQLite's
 * NUMERIC does); anything else stays text.
 */
export function numericFromText(s: string): SqlValue {
  if (INTEGER_LITERAL.test(s)) {
    const big = BigInt(s.trim())
    if (big >= -(2n ** 63n) && big < 2n ** 63n) return integer(big)
    return real(textToReal(s))
  }
  if (REAL_LITERAL.test(s)) {
    const n = textToReal(s)
    if (Number.isInteger(n) && Math.abs(n) <= Number.MAX_SAFE_INTEGER) return n
    return real(n)
  }
  return s
}

/**
 * The integer a text stands for when it is a well-formed integer literal within 64 bits, as
 * sqlite3_value_numeric_type reads it (sum() asks it of each value: '1' sums as an integer, '1.0'
 * as a real); undefined for any other text.
 */
export function integerFromText(s: string): number | bigint | undefined {
  if (!INTEGER_LITERAL.test(s)) return undefined
  const big = BigInt(s.trim())
  return big >= -(2n ** 63n) && big < 2n ** 63n ? integer(big) : undefined
}

/**
 * sqlite3_value_int64 of a text (sqlite3Atoi64): the integer it begins with (spaces, a sign,
 * digits; `'1e3'` is 1, `'12abc'` 12), saturated to 64 bits; 0 without one.
 */
export function integerPrefix(text: string): bigint {
  const m = /^[ \t\n\f\r\v]*([+-]?)(\d*)/.exec(text)!
  if (m[2] === '') return 0n
  const n = BigInt(m[1] === '-' ? '-' + m[2] : m[2]!)
  return n > 2n ** 63n - 1n ? 2n ** 63n - 1n : n < -(2n ** 63n) ? -(2n ** 63n) : n
}

/**
 * The number an operand of arithmetic stands for: text and blobs by their longest numeric prefix
 * (0 without one), as SQLite's arithmetic reads them.
 */
export function toNumeric(v: SqlValue): number | bigint | Real | null {
  if (v === null) return null
  if (typeof v === 'number' || typeof v === 'bigint' || v instanceof Real) return v
  const s = typeof v === 'string' ? v : bytesText(v)
  const m = NUMERIC_PREFIX.exec(s)
  if (m === null) return 0
  const text = m[0].trim()
  // A number followed by a NUL and more bytes (`'2' || x'00ff'`) is a REAL, even in integer
  // syntax: SQLite reads the number up to the NUL as whole, but the text as a whole is no integer.
  if (numberBeforeNul(s)) return real(textToReal(text))
  if (/^[+-]?\d+$/.test(text)) {
    const big = BigInt(text)
    // SQLite reads the text '-0' as the real -0.0.
    if (big === 0n && text.startsWith('-')) return new Real(-0)
    if (big >= -(2n ** 63n) && big < 2n ** 63n) return integer(big)
    return real(textToReal(text))
  }
  return real(textToReal(text))
}

/** sqlite3_value_double: numbers as they are, text and blobs by their numeric prefix, null as 0. */
export function doubleOf(v: SqlValue): number {
  const n = toNumeric(v)
  return n === null ? 0 : numberOf(n)
}

/**
 * Whether a text or blob operand whose numeric value (toNumeric) is -0.0 has integer syntax ('-0',
 * ' -0x'): SQLite types such an operand INTEGER, so beside another integer it is the integer 0,
 * while arithmetic done in reals re-reads the text as the real -0.0.
 */
export function isIntegerNegativeZero(v: SqlValue, n: number | bigint | Real): boolean {
  if (!(n instanceof Real) || !Object.is(n.value, -0)) return false
  if (typeof v !== 'string' && !(v instanceof Uint8Array)) return false
  const s = typeof v === 'string' ? v : bytesText(v)
  const m = NUMERIC_PREFIX.exec(s)
  return m !== null && /^[+-]?\d+$/.test(m[0].trim()) && !numberBeforeNul(s)
}

/** Whether `s` is a number (spaces around it allowed) and then a NUL: toNumeric types it REAL whatever its syntax. */
function numberBeforeNul(s: string): boolean {
  const nul = s.indexOf('\u0000')
  return nul >= 0 && REAL_LITERAL.test(s.slice(0, nul))
}

/** SQLite's truth of a value in WHERE and in AND/OR/NOT: null is unknown (returned as null). */
export function truth(v: SqlValue): boolean | null {
  if (v === null) return null
  if (typeof v === 'number') return v !== 0
  if (typeof v === 'bigint') return v !== 0n
  if (v instanceof Real) return v.value !== 0
  const n = toNumeric(v)
  return n !== null && numberOf(n) !== 0
}

/** Code points compared as UTF-8 bytes compare (SQLite's BINARY collation on UTF-8 text). */
export function compareText(a: string, b: string): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i)
    let y = b.charCodeAt(i)
    if (x === y) continue
    // UTF-16 puts surrogates (code points past U+FFFF) below U+E000..U+FFFF; UTF-8 puts them above.
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000
    }
    return x < y ? -1 : 1
  }
  return a.length - b.length < 0 ? -1 : a.length === b.length ? 0 : 1
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1
}

function compareNumeric(a: number | bigint | Real, b: number | bigint | Real): number {
  const x = a instanceof Real ? a.value : a
  const y = b instanceof Real ? b.value : b
  return x < y ? -1 : x > y ? 1 : 0
}

/**
 * SQLite's total order of values (ORDER BY, and comparisons once affinity has been applied):
 * null < integers and reals (by number) < text (by UTF-8 bytes) < blobs (by bytes).
 */
export function compareValues(a: SqlValue, b: SqlValue): number {
  const ca = storageClass(a)
  const cb = storageClass(b)
  if (ca !== cb) return ca < cb ? -1 : 1
  switch (ca) {
    case StorageClass.Null:
      return 0
    case StorageClass.Numeric:
      return compareNumeric(a as number | bigint | Real, b as number | bigint | Real)
    case StorageClass.Text:
      return compareText(a as string, b as string)
    default:
      return compareBytes(a as Uint8Array, b as Uint8Array)
  }
}

/**
 * A JavaScript parameter as a SQL value, as Kysely's SQLite drivers bind them: booleans as 1/0,
 * integral numbers as integers, bigints as integers, Buffers and typed arrays as blobs.
 */
export function fromJs(value: unknown): SqlValue {
  switch (typeof value) {
    case 'number':
      // Only an integral number a 64-bit integer holds is an INTEGER; 1e20 is a REAL.
      return Number.isInteger(value) && (value >= 9223372036854775808 || value < -9223372036854775808)
        ? new Real(value)
        : value
    case 'string':
      return value
    case 'boolean':
      return value ? 1 : 0
    case 'bigint':
      if (value < -(2n ** 63n) || value >= 2n ** 63n)
        throw new BTreeSqlError('BTREE_SQL_INVALID_VALUE', `the bigint ${value} does not fit a 64-bit integer`)
      return integer(value)
    case 'undefined':
      return null
    default:
      if (value === null) return null
      if (value instanceof Uint8Array) return value
      if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
      throw new BTreeSqlError(
        'BTREE_SQL_INVALID_VALUE',
        `a ${describe(value)} cannot be bound as a SQL value (numbers, strings, bigints, booleans, Uint8Arrays and null can)`,
      )
  }
}

function describe(value: unknown): string {
  if (value instanceof Date) return 'Date'
  if (typeof value === 'object' && value !== null) return value.constructor?.name ?? 'object'
  return typeof value
}

/**
 * A SQL value as the row objects carry it, as better-sqlite3 gives it without `safeIntegers`:
 * numbers for integers and reals (integers past 2^53 lose precision), strings, Buffers, null.
 */
export function toJs(v: SqlValue): unknown {
  if (v === null || typeof v === 'number' || typeof v === 'string') return v
  if (typeof v === 'bigint') return Number(v)
  if (v instanceof Real) return v.value
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength)
}
