import type { OperationNode } from 'kysely'
import { compileRaise } from './raise.js'
import { BTreeSqlError, unsupported } from '../errors.js'
import {
  compareValues,
  doubleOf,
  integerFromText,
  integerPrefix,
  integer,
  isInteger,
  numberOf,
  real,
  Real,
  storageClass,
  StorageClass,
  textBytes,
  toNumeric,
  toText,
  type SqlValue,
} from '../encoding/values.js'
import { applyAffinity } from '../catalog/affinity.js'
import { compileAggregateCall, isAggregateName } from './aggregates.js'
import { DATE_FUNCTIONS } from './datetime.js'
import { sqlPrintf } from './printf.js'
import { sessionCounters } from './session-hook.js'
import { collatedCompare, collationName, foldOf, type Fold } from './collation.js'
import { collationOf, compileExpr, cString, type Expr } from './expression.js'
import { glob, like } from './operators.js'
import { jsonArgOf, type JsonArg } from './json.js'
import { JSON_FUNCTIONS } from './json-functions.js'
import type { AnyNode } from './nodes.js'
import type { Scope, Tuple } from './scope.js'

/**
 * SQLite's built-in scalar functions, with its semantics (lang_corefunc.html). Each takes its
 * evaluated arguments; `arity` is [min, max] as SQLite checks it when it prepares the statement.
 */
interface ScalarFunction {
  readonly arity: readonly [number, number]
  /** Returns the same value for the same arguments (random() does not). */
  readonly deterministic?: false
  /**
   * For functions that read the clock on some arguments only (the date functions on 'now'): the
   * index of the time value; a call reading the clock is no constant (a default, for one, must be
   * evaluated per row, not once).
   */
  readonly timeArgument?: number
  /** `json` flags the arguments that are JSON (isJsonNode), for the JSON constructors. */
  readonly call: (args: readonly SqlValue[], json?: readonly JsonArg[]) => SqlValue
}

const MANY = Number.MAX_SAFE_INTEGER

/** SQLite's built-in lower()/upper() change ASCII letters only (without the ICU extension). */
function asciiCase(s: string, upper: boolean): string {
  return upper ? s.replace(/[a-z]+/g, (m) => m.toUpperCase()) : s.replace(/[A-Z]+/g, (m) => m.toLowerCase())
}

/** The value's text as a string function reads it (blobs as UTF-8). */
function text(v: SqlValue): string | null {
  return toText(v)
}

/** sqlite3_value_int64: numbers truncated toward zero, text and blobs by their integer prefix. */
function int64(v: SqlValue): number {
  if (typeof v === 'string' || v instanceof Uint8Array) return Number(integerPrefix(toText(v)!))
  const n = toNumeric(v)
  if (n === null) return 0
  return Math.trunc(numberOf(n))
}

function codePoints(s: string): string[] {
  return Array.from(s)
}

/** SQLite's substr(): 1-based, negative start counts from the end, negative length reaches back. */
function substr(args: readonly SqlValue[]): SqlValue {
  const [x, y, z] = args
  if (x === null || y === null || z === null) return null
  const isBlob = x instanceof Uint8Array
  // sqlite3_value_blob() of an empty blob is a null pointer, which substr() answers with null.
  if (isBlob && x.length === 0) return null
  const units: readonly (string | number)[] = isBlob ? Array.from(x) : codePoints(text(x!)!)
  const len = units.length
  let p1 = int64(y!)
  let p2 = z === undefined ? MANY : int64(z)
  let negP2 = false
  if (p2 < 0) {
    p2 = -p2
    negP2 = true
  }
  if (p1 < 0) {
    p1 += len
    if (p1 < 0) {
      p2 += p1
      if (p2 < 0) p2 = 0
      p1 = 0
    }
  } else if (p1 > 0) {
    p1--
  } else if (p2 > 0) {
    p2--
  }
  if (negP2) {
    p1 -= p2
    if (p1 < 0) {
      p2 += p1
      p1 = 0
    }
  }
  if (p1 + p2 > len) {
    p2 = len - p1
    if (p2 < 0) p2 = 0
  }
  const part = units.slice(p1, p1 + p2)
  return isBlob ? Uint8Array.from(part as number[]) : (part as string[]).join('')
}

function trimmer(left: boolean, right: boolean): ScalarFunction['call'] {
  return ([x, chars]) => {
    if (x === null || chars === null) return null
    const s = codePoints(text(x!)!)
    // The character set is read as a C string: it ends at its first NUL.
    const set = new Set(chars === undefined ? [' '] : codePoints(text(chars)!.split('\u0000')[0]!))
    let start = 0
    let end = s.length
    if (left) while (start < end && set.has(s[start]!)) start++
    if (right) while (end > start && set.has(s[end - 1]!)) end--
    return s.slice(start, end).join('')
  }
}

function replace([x, from, to]: readonly SqlValue[]): SqlValue {
  // SQLite checks the subject, then the pattern (empty: the subject's text), then the replacement.
  if (x === null || from === null) return null
  const pattern = text(from!)!
  if (pattern === '') return text(x!)
  if (to === null) return null
  return text(x!)!.split(pattern).join(text(to!)!)
}

function instr([x, y]: readonly SqlValue[]): SqlValue {
  if (x === null || y === null) return null
  if (x instanceof Uint8Array && y instanceof Uint8Array) {
    outer: for (let i = 0; i + y.length <= x.length; i++) {
      for (let j = 0; j < y.length; j++) if (x[i + j] !== y[j]) continue outer
      return i + 1
    }
    return 0
  }
  const hay = text(x!)!
  const at = hay.indexOf(text(y!)!)
  return at < 0 ? 0 : codePoints(hay.slice(0, at)).length + 1
}

function length([x]: readonly SqlValue[]): SqlValue {
  if (x === null) return null
  if (x instanceof Uint8Array) return x.length
  const s = text(x!)!
  // SQLite counts characters up to the first NUL.
  const nul = s.indexOf('\u0000')
  return codePoints(nul < 0 ? s : s.slice(0, nul)).length
}

const INT64_MIN = -(2n ** 63n)

function abs([x]: readonly SqlValue[]): SqlValue {
  if (x === null) return null
  if (typeof x === 'bigint') {
    if (x === INT64_MIN) throw new BTreeSqlError('BTREE_SQL_INVALID_VALUE', 'integer overflow')
    return integer(x < 0n ? -x : x)
  }
  if (typeof x === 'number') return Number.isInteger(x) ? Math.abs(x) + 0 : Math.abs(x)
  // abs(-0.0) is -0.0 in SQLite (only a negative value is negated).
  if (x instanceof Real) return real(x.value < 0 ? -x.value : x.value)
  // Text and blobs: sqlite3_value_double of them, always a real, negated only when below zero (so
  // the text '-0' gives -0.0, as it does in SQLite).
  const r = doubleOf(x!)
  return real(r < 0 ? -r : r)
}

/** SQLite's round(): half away from zero, always a real, digits clamped to 0..30. */
function round([x, digits]: readonly SqlValue[]): SqlValue {
  if (x === null || digits === null) return null
  let n = digits === undefined ? 0 : int64(digits)
  if (n > 30) n = 30
  if (n < 0) n = 0
  const r = doubleOf(x!)
  if (!Number.isFinite(r)) return real(r)
  // Beyond ±2^52 a double has no fraction to round (SQLite leaves it as it is, for any digits).
  if (Math.abs(r) > 4503599627370496) return real(r)
  // SQLite: (double)(sqlite_int64)(r ± 0.5), so a value that rounds to zero gives +0.0, never -0.0.
  if (n === 0) return real((r < 0 ? -Math.floor(-r + 0.5) : Math.floor(r + 0.5)) + 0)
  // The decimal rendering, as SQLite's printf("%.*f") rounds it, read back.
  const fixed = Math.abs(r).toFixed(n)
  const scaled = Number(fixed)
  return real(r < 0 ? -scaled : scaled)
}

/**
 * Scalar min() and max() as SQLite's minmaxFunc picks: max() keeps the first of equal values,
 * min() takes the last (`min(0, -0.0)` is -0.0, `max(-0.0, 0)` is -0.0).
 */
function minMax(sign: 1 | -1, compareValues: (a: SqlValue, b: SqlValue) => number): ScalarFunction['call'] {
  return (args) => {
    let best: SqlValue = null
    for (let i = 0; i < args.length; i++) {
      const v = args[i]!
      if (v === null) return null
      const c = i === 0 ? 0 : compareValues(v, best) * sign
      if (i === 0 || c < 0 || (c === 0 && sign === 1)) best = v
    }
    return best
  }
}

const TYPE_NAMES: Record<StorageClass, string> = {
  [StorageClass.Null]: 'null',
  [StorageClass.Numeric]: 'integer',
  [StorageClass.Text]: 'text',
  [StorageClass.Blob]: 'blob',
}

function typeOf([x]: readonly SqlValue[]): SqlValue {
  const c = storageClass(x!)
  if (c === StorageClass.Numeric) return isInteger(x!) ? 'integer' : 'real'
  return TYPE_NAMES[c]
}

function hex([x]: readonly SqlValue[]): SqlValue {
  if (x === null) return ''
  const bytes = x instanceof Uint8Array ? x : textBytes(text(x!)!)
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex').toUpperCase()
}

/** unicode(): the code point of the text's first character; null for null or empty text. */
function unicode([x]: readonly SqlValue[]): SqlValue {
  if (x === null) return null
  const t = text(x!)!
  return t === '' ? null : t.codePointAt(0)!
}

/**
 * char(X1, ...): the text of those code points (sqlite3_value_int64 of each, null as 0); one out of
 * range is U+FFFD, and a surrogate, which SQLite writes as three bytes no decoder reads, three of them.
 */
function charFunction(args: readonly SqlValue[]): SqlValue {
  let out = ''
  for (const a of args) {
    const n = a === null ? 0 : int64(a!)
    if (n < 0 || n > 0x10ffff) out += '\ufffd'
    else if (n >= 0xd800 && n <= 0xdfff) out += '\ufffd\ufffd\ufffd'
    else out += String.fromCodePoint(n)
  }
  return out
}

/** octet_length(): the bytes of the value as text (UTF-8) or of the blob; null stays null. */
function octetLength([x]: readonly SqlValue[]): SqlValue {
  if (x === null) return null
  return x instanceof Uint8Array ? x.byteLength : Buffer.byteLength(text(x!)!, 'utf8')
}

const HEX_DIGIT = /^[0-9a-fA-F]$/

/**
 * unhex(x [, pass]): the bytes `x` spells in hex digit pairs (either case), characters of `pass`
 * allowed between pairs; null for anything else, as SQLite's unhexFunc.
 */
function unhex([x, pass]: readonly SqlValue[]): SqlValue {
  if (x === null || pass === null) return null
  const digits = codePoints(text(x!)!)
  const allowed = pass === undefined ? '' : text(pass)!
  const out: number[] = []
  for (let i = 0; i < digits.length;) {
    const c = digits[i]!
    if (!HEX_DIGIT.test(c)) {
      if (!allowed.includes(c)) return null
      i++
      continue
    }
    const d = digits[i + 1]
    if (d === undefined || !HEX_DIGIT.test(d)) return null
    out.push(parseInt(c + d, 16))
    i += 2
  }
  return Buffer.from(out)
}

/** SQLite's SQLITE_MAX_LENGTH: the longest text or blob a value may be. */
const MAX_LENGTH = 1_000_000_000

/** zeroblob(n): n zero bytes (none for n below 1). */
function zeroblob([n]: readonly SqlValue[]): SqlValue {
  const size = n === null ? 0 : int64(n!)
  if (size > MAX_LENGTH) throw new BTreeSqlError('BTREE_SQL_FUNCTION_ERROR', 'string or blob too big')
  return Buffer.alloc(Math.max(0, size))
}

/** quote(): the value as an SQL literal (text quoted, blobs as X'..', reals as their text). */
function quote([x]: readonly SqlValue[]): SqlValue {
  if (x === null) return 'NULL'
  if (x instanceof Uint8Array) return `X'${hex([x]) as string}'`
  if (typeof x === 'string') return `'${x.replaceAll("'", "''")}'`
  return text(x!)
}

function random(): SqlValue {
  const words = new BigUint64Array(1)
  globalThis.crypto.getRandomValues(words)
  return integer(BigInt.asIntN(64, words[0]!))
}

/**
 * sqlite3_value_numeric_type's number: a number as it is, a text that is one whole number (spaces
 * around it allowed) as NUMERIC affinity reads it; undefined for other text, blobs and null.
 */
function numericArgument(v: SqlValue): number | bigint | Real | undefined {
  if (v === null || v instanceof Uint8Array) return undefined
  if (typeof v !== 'string') return v
  // Only an integer literal reads as an integer ('1e3' is the real 1000.0: applyNumericAffinity without bTryForInt).
  const i = integerFromText(v)
  if (i !== undefined) return i
  const n = applyAffinity(v, 'numeric')
  // A number read from text is never NaN ('nan' is no number to SQLite): real() gives no null here.
  return typeof n === 'string' ? undefined : (real(numberOf(n as number | bigint | Real)) ?? undefined)
}

/**
 * SQLite's math functions of one argument (SQLITE_ENABLE_MATH_FUNCTIONS, as better-sqlite3 and
 * sql.js build it): null unless the argument is a number (numeric text too), else a real, NaN null.
 */
function math1(f: (x: number) => number): ScalarFunction {
  return {
    arity: [1, 1],
    call: ([x]) => {
      const n = numericArgument(x!)
      return n === undefined ? null : real(f(numberOf(n)))
    },
  }
}

/** The math functions of two arguments: null unless both are numbers. */
function math2(f: (x: number, y: number) => number): ScalarFunction {
  return {
    arity: [2, 2],
    call: ([x, y]) => {
      const a = numericArgument(x!)
      const b = numericArgument(y!)
      return a === undefined || b === undefined ? null : real(f(numberOf(a), numberOf(b)))
    },
  }
}

/** ceil(), ceiling(), floor() and trunc(): an integer as it is, a real rounded (a real), anything else null. */
function rounding(f: (x: number) => number): ScalarFunction {
  return {
    arity: [1, 1],
    call: ([x]) => {
      const n = numericArgument(x!)
      if (n === undefined) return null
      return isInteger(n) ? n : real(f(numberOf(n)))
    },
  }
}

/**
 * log(X): the decimal logarithm; log(B, X): base B (null when ln(B) is not above 0); ln, log10 and
 * log2 of one argument. A value not above 0 is null, as SQLite's logFunc.
 */
function log(args: readonly SqlValue[]): SqlValue {
  const first = numericArgument(args[0]!)
  if (first === undefined) return null
  const x = numberOf(first)
  if (x <= 0) return null
  if (args.length === 1) return real(Math.log10(x))
  const b = Math.log(x)
  if (b <= 0) return null
  // SQLite's logFunc checks the first argument's type twice and reads X as sqlite3_value_double
  // does (a text by its numeric prefix, a null as 0).
  const v = doubleOf(args[1]!)
  if (v <= 0) return null
  return real(Math.log(v) / b)
}

/** A logarithm of one argument (ln, log10, log2): of a value not above 0 NaN, so null (math1). */
function log1(f: (x: number) => number): ScalarFunction {
  return math1((x) => (x > 0 ? f(x) : NaN))
}

/** sign(): the integer -1, 0 or +1 of a number (numeric text too); null for anything else. */
function sign([x]: readonly SqlValue[]): SqlValue {
  const n = numericArgument(x!)
  if (n === undefined) return null
  const r = numberOf(n)
  return r < 0 ? -1 : r > 0 ? 1 : 0
}

/** concat() and concat_ws(): the text of every argument that is not null (concat_ws: null without a separator). */
function concat(args: readonly SqlValue[]): SqlValue {
  let out = ''
  for (const a of args) if (a !== null) out += toText(a)!
  return out
}

function concatWs([separator, ...args]: readonly SqlValue[]): SqlValue {
  if (separator === null) return null
  const sep = toText(separator!)!
  return args
    .filter((a) => a !== null)
    .map((a) => toText(a)!)
    .join(sep)
}

/** randomblob(n): n random bytes (at least 1, as SQLite gives for n < 1). */
function randomblob([n]: readonly SqlValue[]): SqlValue {
  const size = Math.max(1, n === null ? 1 : int64(n!))
  const out = new Uint8Array(size)
  globalThis.crypto.getRandomValues(out)
  return out
}

/**
 * Functions SQLite compiles into control flow, whose arguments are evaluated only as far as the
 * result needs them (an error in one not reached is never raised): coalesce() and ifnull() stop at
 * the first value not null, iif() / if() are a case expression, likely(), unlikely() and
 * likelihood() are their first argument.
 */
interface LazyFunction {
  readonly arity: readonly [number, number]
  compile(args: readonly OperationNode[], scope: Scope): Expr
}

/** A lazy function's expression; it carries the explicit COLLATE of the first argument with one, as any function does. */
function lazyExpr(args: readonly Expr[], evaluate: (t: Tuple) => SqlValue): Expr {
  return { eval: evaluate, affinity: undefined, constant: args.every((a) => a.constant), ...collationOf(...args) }
}

const coalesceLazy: LazyFunction = {
  arity: [2, MANY],
  compile: (nodes, scope) => {
    const args = nodes.map((a) => compileExpr(a, scope))
    return lazyExpr(args, (t) => {
      for (const a of args) {
        const v = a.eval(t)
        if (v !== null) return v
      }
      return null
    })
  },
}

/**
 * iif(c1, v1 [, c2, v2 ...] [, otherwise]) and if(): SQLite 3.48's, which its parser turns into
 * the case expression `case when c1 then v1 ... [else otherwise] end`, and so does this.
 */
const iifLazy: LazyFunction = {
  arity: [2, MANY],
  compile: (nodes, scope) => {
    const pairs = nodes.length - (nodes.length % 2)
    const when: OperationNode[] = []
    for (let i = 0; i < pairs; i += 2)
      when.push({ kind: 'WhenNode', condition: nodes[i], result: nodes[i + 1] } as unknown as OperationNode)
    const otherwise = pairs < nodes.length ? { else: nodes[nodes.length - 1] } : {}
    return compileExpr({ kind: 'CaseNode', when, ...otherwise } as unknown as OperationNode, scope)
  },
}

const firstArgument: LazyFunction = { arity: [1, 1], compile: ([a], scope) => compileExpr(a!, scope) }

/** likelihood(x, p): x, with p a constant real from 0.0 to 1.0 (SQLite's error otherwise). */
const likelihoodLazy: LazyFunction = {
  arity: [2, 2],
  compile: (nodes, scope) => {
    const [a, p] = nodes.map((n) => compileExpr(n, scope))
    const v = p!.constant ? p!.eval([]) : null
    const n = typeof v === 'number' ? v : v instanceof Real ? v.value : NaN
    if (!(n >= 0 && n <= 1))
      throw new BTreeSqlError(
        'BTREE_SQL_FUNCTION_ERROR',
        'second argument to likelihood() must be a constant between 0.0 and 1.0',
      )
    return a!
  },
}

const LAZY: Record<string, LazyFunction> = {
  raise: { arity: [1, 2], compile: (nodes, scope) => compileRaise(nodes, (n) => compileExpr(n, scope)) },
  coalesce: coalesceLazy,
  ifnull: { arity: [2, 2], compile: coalesceLazy.compile },
  iif: iifLazy,
  if: iifLazy,
  likely: firstArgument,
  unlikely: firstArgument,
  likelihood: likelihoodLazy,
}

/** nullif() under a comparison (a collation's, COLLATED). */
function nullifUnder(compare: (a: SqlValue, b: SqlValue) => number): ScalarFunction['call'] {
  return ([a, b]) => (a !== null && b !== null && compare(a!, b!) === 0 ? null : a!)
}

/**
 * The functions that compare their arguments (SQLite's SQLITE_FUNC_NEEDCOLL): under the first
 * argument's collation, when one has one (explicit, or a column's declared one: BINARY when it declares none, which ends the search).
 */
const COLLATED: Record<string, (compare: (a: SqlValue, b: SqlValue) => number) => ScalarFunction['call']> = {
  min: (compare) => minMax(1, compare),
  max: (compare) => minMax(-1, compare),
  nullif: nullifUnder,
}

function argumentsFold(args: readonly Expr[]): Fold | undefined {
  for (const a of args) {
    const name = collationName(a)
    if (name !== undefined) return foldOf(name)
  }
  return undefined
}

/** Whether a call with constant arguments reads the clock: a date function of 'now' or of no time value. */
function readsClock(f: ScalarFunction, args: readonly Expr[]): boolean {
  if (f.timeArgument === undefined) return false
  const isNow = (time: Expr): boolean => {
    const v = time.eval([])
    return typeof v === 'string' && v.trim().toLowerCase() === 'now'
  }
  // -1: every argument is a time value (timediff).
  if (f.timeArgument === -1) return args.some(isNow)
  const time = args[f.timeArgument]
  return time === undefined || isNow(time)
}

const SQLITE_VERSION = '3.53.2'

/** like(pattern, subject[, escape]): `subject LIKE pattern [ESCAPE escape]`. */
function likeFunction([p, x, e]: readonly SqlValue[]): SqlValue {
  if (p === null || x === null || e === null) return null
  const escape = e === undefined ? undefined : text(e)!
  if (escape !== undefined && codePoints(escape).length !== 1)
    throw new BTreeSqlError('BTREE_SQL_FUNCTION_ERROR', 'ESCAPE expression must be a single character')
  return like(cString(text(x!)!), cString(text(p!)!), escape) ? 1 : 0
}

/** The scalar functions by lower-case name. */
const SCALARS: Record<string, ScalarFunction> = {
  lower: { arity: [1, 1], call: ([x]) => (x === null ? null : asciiCase(text(x!)!, false)) },
  upper: { arity: [1, 1], call: ([x]) => (x === null ? null : asciiCase(text(x!)!, true)) },
  length: { arity: [1, 1], call: length },
  substr: { arity: [2, 3], call: substr },
  substring: { arity: [2, 3], call: substr },
  trim: { arity: [1, 2], call: trimmer(true, true) },
  ltrim: { arity: [1, 2], call: trimmer(true, false) },
  rtrim: { arity: [1, 2], call: trimmer(false, true) },
  replace: { arity: [3, 3], call: replace },
  instr: { arity: [2, 2], call: instr },
  nullif: { arity: [2, 2], call: nullifUnder(compareValues) },
  abs: { arity: [1, 1], call: abs },
  round: { arity: [1, 2], call: round },
  min: { arity: [2, MANY], call: minMax(1, compareValues) },
  max: { arity: [2, MANY], call: minMax(-1, compareValues) },
  typeof: { arity: [1, 1], call: typeOf },
  hex: { arity: [1, 1], call: hex },
  unhex: { arity: [1, 2], call: unhex },
  octet_length: { arity: [1, 1], call: octetLength },
  unicode: { arity: [1, 1], call: unicode },
  char: { arity: [0, MANY], call: charFunction },
  zeroblob: { arity: [1, 1], call: zeroblob },
  quote: { arity: [1, 1], call: quote },
  printf: { arity: [1, MANY], call: sqlPrintf },
  format: { arity: [1, MANY], call: sqlPrintf },
  random: { arity: [0, 0], deterministic: false, call: random },
  randomblob: { arity: [1, 1], deterministic: false, call: randomblob },
  sign: { arity: [1, 1], call: sign },
  concat: { arity: [1, MANY], call: concat },
  concat_ws: { arity: [2, MANY], call: concatWs },
  sqrt: math1(Math.sqrt),
  exp: math1(Math.exp),
  ln: log1(Math.log),
  log: { arity: [1, 2], call: log },
  log10: log1(Math.log10),
  log2: log1(Math.log2),
  ceil: rounding(Math.ceil),
  ceiling: rounding(Math.ceil),
  floor: rounding(Math.floor),
  trunc: rounding(Math.trunc),
  sin: math1(Math.sin),
  cos: math1(Math.cos),
  tan: math1(Math.tan),
  asin: math1(Math.asin),
  acos: math1(Math.acos),
  atan: math1(Math.atan),
  sinh: math1(Math.sinh),
  cosh: math1(Math.cosh),
  tanh: math1(Math.tanh),
  asinh: math1(Math.asinh),
  acosh: math1(Math.acosh),
  atanh: math1(Math.atanh),
  degrees: math1((x) => x * (180 / Math.PI)),
  radians: math1((x) => x * (Math.PI / 180)),
  pow: math2(Math.pow),
  power: math2(Math.pow),
  atan2: math2(Math.atan2),
  // C's fmod: the remainder with the dividend's sign, as JavaScript's %.
  mod: math2((x, y) => x % y),
  pi: { arity: [0, 0], call: () => real(Math.PI) },
  // The connection's counters (session-hook.ts), as the running statement sees them.
  last_insert_rowid: { arity: [0, 0], deterministic: false, call: () => sessionCounters().lastInsertRowid },
  changes: { arity: [0, 0], deterministic: false, call: () => sessionCounters().changes },
  total_changes: { arity: [0, 0], deterministic: false, call: () => sessionCounters().totalChanges },
  like: { arity: [2, 3], call: likeFunction },
  // The SQLite release whose results the differential tests hold this dialect to (native SQLite
  // through better-sqlite3 12): what an application's feature checks should assume.
  sqlite_version: { arity: [0, 0], call: () => SQLITE_VERSION },
  glob: {
    arity: [2, 2],
    call: ([p, x]) => (p === null || x === null ? null : glob(cString(text(x!)!), cString(text(p!)!)) ? 1 : 0),
  },
  ...JSON_FUNCTIONS,
  ...DATE_FUNCTIONS,
}

/**
 * A FunctionNode (`eb.fn(name, args)`): a scalar function, or one of SQLite's aggregates called by
 * name (`eb.fn('count', [x])`, and min/max with one argument). Unknown names are
 * BTREE_SQL_UNSUPPORTED naming the function.
 */
export function compileFunction(node: AnyNode, scope: Scope): Expr {
  const name = (node.func as string).toLowerCase()
  const argNodes = node.arguments as readonly OperationNode[]
  if (isAggregateName(name, argNodes.length)) return compileAggregateCall(name, argNodes, false, undefined, scope)
  const lazy = LAZY[name]
  if (lazy !== undefined) {
    if (argNodes.length < lazy.arity[0] || argNodes.length > lazy.arity[1]) {
      throw new BTreeSqlError('BTREE_SQL_UNSUPPORTED', `wrong number of arguments to function ${name}()`)
    }
    return lazy.compile(argNodes, scope)
  }
  const f = SCALARS[name]
  if (f === undefined) throw unsupported(`the function ${node.func as string}()`)
  if (argNodes.length < f.arity[0] || argNodes.length > f.arity[1]) {
    throw new BTreeSqlError('BTREE_SQL_UNSUPPORTED', `wrong number of arguments to function ${name}()`)
  }
  const args = argNodes.map((a) => compileExpr(a, scope))
  const values: SqlValue[] = new Array<SqlValue>(args.length)
  const json = name.startsWith('json') ? argNodes.map((a, i) => jsonArgOf(a as AnyNode, args[i])) : undefined
  const fold = COLLATED[name] === undefined ? undefined : argumentsFold(args)
  const call = fold === undefined ? f.call : COLLATED[name]!(collatedCompare(fold))
  return {
    eval: (t) => {
      for (let i = 0; i < args.length; i++) values[i] = args[i]!.eval(t)
      return call(values, json)
    },
    affinity: undefined,
    constant: f.deterministic !== false && args.every((a) => a.constant) && !readsClock(f, args),
    ...collationOf(...args),
  }
}
