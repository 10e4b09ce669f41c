import {
  hasSurrogate,
  integer,
  isInteger,
  isIntegerNegativeZero,
  numberOf,
  Real,
  real,
  toNumeric,
  type SqlValue,
} from '../encoding/values.js'
import { statementTime } from './statement-clock.js'

/** SQLite's scalar operators on values: arithmetic, negation, LIKE, and the CURRENT_* keywords. */

/** SQLite's CURRENT_TIMESTAMP / CURRENT_DATE / CURRENT_TIME, in UTC. */
export function currentTime(what: string): string {
  const iso = new Date(statementTime()).toISOString()
  const date = iso.slice(0, 10)
  const time = iso.slice(11, 19)
  return what.endsWith('date') ? date : what.endsWith('time') ? time : `${date} ${time}`
}

/** Unary minus: SQLite compiles -x as 0 - x, so -(0.0) is 0.0, never -0.0. */
export function negate(v: SqlValue): SqlValue {
  return arithmetic(ARITHMETIC['-']!, '-', 0, v)
}

export type Arith = (a: number, b: number) => number
export const ARITHMETIC: Record<string, Arith> = {
  '+': (a, b) => a + b,
  '-': (a, b) => a - b,
  '*': (a, b) => a * b,
  '/': (a, b) => a / b,
  '%': (a, b) => a % b,
}

const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n

/**
 * SQLite's arithmetic: integers stay integers (division truncates, overflow turns real), any real
 * makes a real, division or remainder by zero is null, text counts by its numeric prefix.
 */
export function arithmetic(f: Arith, op: string, av: SqlValue, bv: SqlValue): SqlValue {
  const a = toNumeric(av)
  const b = toNumeric(bv)
  if (a === null || b === null) return null
  // '-0' is typed INTEGER: the integer 0 in integer arithmetic, -0.0 (its value) in real arithmetic.
  const ai = isIntegerNegativeZero(av, a) ? 0 : a
  const bi = isIntegerNegativeZero(bv, b) ? 0 : b
  if (isInteger(ai) && isInteger(bi)) {
    if ((op === '/' || op === '%') && Number(bi) === 0) return null
    if (typeof ai === 'number' && typeof bi === 'number') {
      const r = op === '/' ? Math.trunc(ai / bi) : f(ai, bi)
      if (Number.isSafeInteger(r)) return r === 0 ? 0 : r
    }
    const x = BigInt(ai)
    const y = BigInt(bi)
    const r = op === '+' ? x + y : op === '-' ? x - y : op === '*' ? x * y : op === '/' ? x / y : x % y
    if (r < INT64_MIN || r > INT64_MAX) return real(f(Number(ai), Number(bi)))
    return integer(r)
  }
  const x = numberOf(a)
  const y = numberOf(b)
  if (op === '%') return realRemainder(av, bv)
  if (op === '/' && y === 0) return null
  // Inf − Inf, Inf × 0, Inf / Inf: a NaN result is null (real()).
  return real(f(x, y))
}

/**
 * `%` when either operand is not an integer: SQLite casts both to integers the way CAST(x AS
 * INTEGER) does (text by its integer prefix, so '1e3' is 1; reals truncated and clamped to 64 bits),
 * divides as integers (by zero: null) and gives the remainder as a real.
 */
function realRemainder(av: SqlValue, bv: SqlValue): SqlValue {
  const a = castInteger(av)
  let b = castInteger(bv)
  if (b === 0n) return null
  if (b === -1n) b = 1n
  const r = Number(a % b)
  return real(r === 0 ? 0 : r)
}

/** CAST(x AS INTEGER) of a non-null value, as a bigint. */
export function castInteger(v: SqlValue): bigint {
  if (typeof v === 'bigint') return v
  if (typeof v === 'number' || v instanceof Real) {
    const n = typeof v === 'number' ? v : v.value
    if (Number.isNaN(n)) return 0n
    if (n >= 2 ** 63) return INT64_MAX
    if (n <= -9223372036854775808) return INT64_MIN
    return BigInt(Math.trunc(n))
  }
  const text = typeof v === 'string' ? v : new TextDecoder().decode(v as Uint8Array)
  const m = /^\s*([+-]?)(\d+)/.exec(text)
  if (m === null) return 0n
  const n = BigInt(m[1] + m[2])
  return n > INT64_MAX ? INT64_MAX : n < INT64_MIN ? INT64_MIN : n
}

/** SQLite's `&`, `|`, `<<`, `>>`: both sides as 64-bit integers (CAST AS INTEGER), null if either is null. */
export function bitwise(op: string, av: SqlValue, bv: SqlValue): SqlValue {
  if (av === null || bv === null) return null
  const a = castInteger(av)
  let b = castInteger(bv)
  if (op === '&') return integer(a & b)
  if (op === '|') return integer(a | b)
  let left = op === '<<'
  if (b < 0n) {
    left = !left
    b = b > -64n ? -b : 64n
  }
  if (b >= 64n) return left || a >= 0n ? 0 : -1
  return integer(BigInt.asIntN(64, left ? a << b : a >> b))
}

/** SQLite's `~`: the bits of the 64-bit integer flipped. */
export function bitNot(v: SqlValue): SqlValue {
  return v === null ? null : integer(~castInteger(v))
}

const likeCache = new Map<string, RegExp>()

/** A character matched as itself, outside and inside a regular expression's class. */
const literal = (ch: string): string => ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
const classLiteral = (ch: string): string => ch.replace(/[\]\\^[-]/g, '\\$&')
const NEVER = /(?!)/

function cached(key: string, build: () => RegExp): RegExp {
  let re = likeCache.get(key)
  if (re === undefined) {
    re = build()
    if (likeCache.size > 1000) likeCache.clear()
    likeCache.set(key, re)
  }
  return re
}

/**
 * `PRAGMA case_sensitive_like` of the connection whose statement runs (session.ts sets it as each
 * statement starts; statements of one connection, and of several, run one at a time).
 */
let caseSensitiveLike = false

export function setCaseSensitiveLike(on: boolean): void {
  caseSensitiveLike = on
}

/** Whether LIKE compares case-sensitively now (`PRAGMA case_sensitive_like`). */
export function likeIsCaseSensitive(): boolean {
  return caseSensitiveLike
}

/** A LIKE test of a text given as its UTF-8 bytes, `bytes[from]` up to `to` (likeBytesMatcher). */
export type BytesMatcher = (bytes: Uint8Array, from: number, to: number) => boolean

/**
 * LIKE `pattern` (no ESCAPE; already cut at its first NUL, as SQLite reads it) as a test of a
 * stored text's UTF-8 bytes, without decoding the text: for a pattern that is one literal with `%`
 * runs before and/or after it and no `_` (a comparison, a prefix, a suffix or a substring);
 * undefined for any other (and for a literal with a surrogate: the text path keeps those). The text ends at its first NUL byte (SQLite reads it as a C string).
 * Without `sensitive`, ASCII letters match in either case; every other byte matches itself (UTF-8
 * puts no byte of a longer character in the ASCII range, so a byte match is a character match).
 */
export function likeBytesMatcher(pattern: string, sensitive: boolean): BytesMatcher | undefined {
  let start = 0
  let end = pattern.length
  let first = false
  let last = false
  while (start < end && pattern.charCodeAt(start) === 0x25) {
    first = true
    start++
  }
  while (end > start && pattern.charCodeAt(end - 1) === 0x25) {
    last = true
    end--
  }
  const literal = pattern.slice(start, end)
  if (literal.includes('%') || literal.includes('_') || hasSurrogate(literal)) return undefined
  const fold = !sensitive && /[A-Za-z]/.test(literal)
  const want = UTF8.encode(fold ? asciiLower(literal) : literal)
  const n = want.length
  /** Whether the literal lies at `i` (the pattern holds no NUL: a match never crosses the text's end). */
  const at = (bytes: Uint8Array, i: number): boolean => {
    for (let k = 0; k < n; k++) {
      let c = bytes[i + k]!
      if (fold && c >= 65 && c <= 90) c += 32
      if (c !== want[k]) return false
    }
    return true
  }
  if (first && last) {
    if (n === 0) return () => true
    const head = want[0]!
    const other = fold && head >= 97 && head <= 122 ? head - 32 : head
    // One pass: a candidate start at each byte equal to the literal's first, stopping at a NUL.
    return (bytes, from, to) => {
      for (let i = from; i + n <= to; i++) {
        const c = bytes[i]!
        if (c === 0) return false
        if ((c === head || c === other) && at(bytes, i)) return true
      }
      return false
    }
  }
  /** Where the text ends: at its first NUL, else at `to`. */
  const textEnd = (bytes: Uint8Array, from: number, to: number): number => {
    let i = from
    while (i < to && bytes[i] !== 0) i++
    return i
  }
  if (first)
    return (bytes, from, to) => {
      const stop = textEnd(bytes, from, to)
      return stop - from >= n && at(bytes, stop - n)
    }
  if (last) return (bytes, from, to) => to - from >= n && at(bytes, from)
  return (bytes, from, to) => textEnd(bytes, from, to) - from === n && at(bytes, from)
}

const UTF8 = new TextEncoder()

/** Whether a text matches a LIKE pattern (likeMatcher). */
type Matcher = (s: string) => boolean

const likeMatchers = new Map<string, Matcher>()
/** The last pattern's matcher: a statement tests one pattern against row after row. */
let lastPattern: string | undefined
let lastEscape: string | undefined
let lastSensitive = false
let lastMatcher: Matcher = () => false

/**
 * SQLite's LIKE: % any run, _ one character, case-insensitive for ASCII letters only (unless
 * `PRAGMA case_sensitive_like` is on); after the `escape` character (LIKE ... ESCAPE), the next
 * character stands for itself.
 */
export function like(s: string, pattern: string, escape?: string): boolean {
  const sensitive = caseSensitiveLike
  if (pattern !== lastPattern || escape !== lastEscape || sensitive !== lastSensitive) {
    const key = `${sensitive ? 'S' : 'L'}${escape ?? ''}\u0000${pattern}`
    let m = likeMatchers.get(key)
    if (m === undefined) {
      m = likeMatcher(pattern, escape, sensitive)
      if (likeMatchers.size > 1000) likeMatchers.clear()
      likeMatchers.set(key, m)
    }
    lastPattern = pattern
    lastEscape = escape
    lastSensitive = sensitive
    lastMatcher = m
  }
  return lastMatcher(s)
}

/** `s` with its ASCII capitals in lower case. */
function asciiLower(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase())
}

/** Whether `s` holds `lower` (ASCII letters in lower case) at `at`, its ASCII capitals read as lower case. */
function foldedAt(s: string, at: number, lower: string): boolean {
  for (let i = 0; i < lower.length; i++) {
    let c = s.charCodeAt(at + i)
    if (c >= 65 && c <= 90) c += 32
    if (c !== lower.charCodeAt(i)) return false
  }
  return true
}

/**
 * A LIKE pattern as a test of a text: `abc`, `abc%`, `%abc` and `%abc%` without `_` as a
 * comparison, startsWith, endsWith or includes (ASCII letters compared in either case unless
 * case-sensitive); anything else a regular expression in which an ASCII letter is a class of its
 * two cases (the text is not folded).
 */
function likeMatcher(pattern: string, escape: string | undefined, sensitive: boolean): Matcher {
  // The pattern as literal runs between % and _ (an escaped character is literal).
  const tokens: string[] = []
  const wild: boolean[] = []
  let run = ''
  let escaped = false
  for (const ch of pattern) {
    if (escaped) {
      run += ch
      escaped = false
    } else if (ch === escape) escaped = true
    else if (ch === '%' || ch === '_') {
      if (run !== '') {
        tokens.push(run)
        wild.push(false)
        run = ''
      }
      tokens.push(ch)
      wild.push(true)
    } else run += ch
  }
  // A pattern ending in its escape character matches nothing.
  if (escaped) return () => false
  if (run !== '') {
    tokens.push(run)
    wild.push(false)
  }
  const literals = tokens.filter((_, i) => !wild[i])
  if (!tokens.some((t, i) => wild[i] && t === '_') && literals.length <= 1) {
    const text = literals[0] ?? ''
    const first = wild[0] === true
    const last = wild[wild.length - 1] === true
    if (literals.length === 0) return tokens.length === 0 ? (s) => s === '' : () => true
    const inner = tokens.length - (first ? 1 : 0) - (last ? 1 : 0) === 1
    if (inner && (sensitive || !/[A-Za-z]/.test(text))) {
      if (first && last) return (s) => s.includes(text)
      if (first) return (s) => s.endsWith(text)
      if (last) return (s) => s.startsWith(text)
      return (s) => s === text
    }
    if (inner) {
      // ASCII letters in either case: the literal's UTF-16 units compared with the text's, folded.
      const lower = asciiLower(text)
      const n = lower.length
      if (first && last)
        return (s) => {
          for (let at = 0; at + n <= s.length; at++) if (foldedAt(s, at, lower)) return true
          return false
        }
      if (first) return (s) => s.length >= n && foldedAt(s, s.length - n, lower)
      if (last) return (s) => s.length >= n && foldedAt(s, 0, lower)
      return (s) => s.length === n && foldedAt(s, 0, lower)
    }
  }
  let src = '^'
  tokens.forEach((t, i) => {
    if (wild[i]) src += t === '%' ? '.*' : '.'
    else
      for (const ch of t)
        src += !sensitive && /[A-Za-z]/.test(ch) ? `[${ch.toLowerCase()}${ch.toUpperCase()}]` : literal(ch)
  })
  const re = new RegExp(src + '$', 'su')
  return (s) => re.test(s)
}

/** SQLite's GLOB: * any run, ? one character, [...] a class (^ negates, a-z ranges); case-sensitive. */
export function glob(s: string, pattern: string): boolean {
  const re = cached(`G${pattern}`, () => {
    let src = '^'
    const chars = Array.from(pattern)
    for (let i = 0; i < chars.length; i++) {
      const ch = chars[i]!
      if (ch === '*') src += '.*'
      else if (ch === '?') src += '.'
      else if (ch !== '[') src += literal(ch)
      else {
        let j = i + 1
        let cls = ''
        if (chars[j] === '^') {
          cls += '^'
          j++
        }
        // A ] first in the class is a member.
        if (chars[j] === ']') {
          cls += '\\]'
          j++
        }
        while (j < chars.length && chars[j] !== ']') {
          const range = chars[j + 1] === '-' && j + 2 < chars.length && chars[j + 2] !== ']'
          cls += range ? `${classLiteral(chars[j]!)}-${classLiteral(chars[j + 2]!)}` : classLiteral(chars[j]!)
          j += range ? 3 : 1
        }
        if (j >= chars.length) return NEVER
        src += `[${cls}]`
        i = j
      }
    }
    return new RegExp(src + '$', 'su')
  })
  return re.test(s)
}
