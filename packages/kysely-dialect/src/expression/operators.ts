import { integer, isInteger, numberOf, real, toNumeric, type SqlValue } from '../encoding/values.js'

/** SQLite's scalar operators on values: arithmetic, negation, LIKE, and the CURRENT_* keywords. */

/** SQLite's CURRENT_TIMESTAMP / CURRENT_DATE / CURRENT_TIME, in UTC. */
export function currentTime(what: string): string {
  const iso = new Date().toISOString()
  const date = iso.slice(0, 10)
  const time = iso.slice(11, 19)
  return what.endsWith('date') ? date : what.endsWith('time') ? time : `${date} ${time}`
}

export function negate(v: SqlValue): SqlValue {
  const n = toNumeric(v)
  if (n === null) return null
  if (typeof n === 'bigint') return n === -(2n ** 63n) ? real(-Number(n)) : integer(-n)
  if (typeof n === 'number') return Number.isInteger(n) ? (n === 0 ? 0 : -n) : -n
  return real(-n.value)
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
  if (isInteger(a) && isInteger(b)) {
    if ((op === '/' || op === '%') && Number(b) === 0) return null
    if (typeof a === 'number' && typeof b === 'number') {
      const r = op === '/' ? Math.trunc(a / b) : f(a, b)
      if (Number.isSafeInteger(r)) return r === 0 ? 0 : r
    }
    const x = BigInt(a)
    const y = BigInt(b)
    const r = op === '+' ? x + y : op === '-' ? x - y : op === '*' ? x * y : op === '/' ? x / y : x % y
    if (r < INT64_MIN || r > INT64_MAX) return real(f(Number(a), Number(b)))
    return integer(r)
  }
  const x = numberOf(a)
  const y = numberOf(b)
  if (op === '%') {
    // SQLite casts both operands of % to integers (a remainder by a |divisor| < 1 is null) and keeps the result real.
    const a = Math.trunc(x)
    const b = Math.trunc(y)
    if (b === 0 || !Number.isFinite(a) || !Number.isFinite(b)) return null
    const r = a % b
    return real(r === 0 ? 0 : r)
  }
  if (op === '/' && y === 0) return null
  return real(f(x, y))
}

const likeCache = new Map<string, RegExp>()

function asciiLower(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase())
}

/** SQLite's LIKE: % any run, _ one character, case-insensitive for ASCII letters only. */
export function like(s: string, pattern: string): boolean {
  let re = likeCache.get(pattern)
  if (re === undefined) {
    let src = '^'
    for (const ch of asciiLower(pattern)) {
      if (ch === '%') src += '.*'
      else if (ch === '_') src += '.'
      else src += ch.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')
    }
    re = new RegExp(src + '$', 'su')
    if (likeCache.size > 1000) likeCache.clear()
    likeCache.set(pattern, re)
  }
  return re.test(asciiLower(s))
}

