import { integer, numberOf, real, toNumeric, toText, type SqlValue } from '../encoding/values.js'
import { nowFor } from './statement-clock.js'

/**
 * SQLite's date and time functions (lang_datefunc.html, date.c): date, time, datetime, julianday,
 * unixepoch, strftime, over ISO-8601 text, julian day numbers and 'now' (the statement's time, the
 * same for every call in one statement), with the common modifiers. Times are UTC: 'localtime' and
 * 'utc' change nothing, as in SQLite on a machine whose zone is UTC. Bad input gives null.
 *
 * The instant is SQLite's iJD: milliseconds since the julian epoch, an integer.
 */

const DAY = 86400000
/** iJD of the unix epoch. */
const UNIX_EPOCH = 210866760000000
const MAX_JD = 464269060799999

interface DateTime {
  jd: number
  /** The initial value was a number (which 'unixepoch' may reinterpret), until another modifier. */
  raw: number | undefined
  subsec: boolean
  /** Days a month or year step went past the end of its month ('floor' takes them back). */
  floor?: number
  /** Modifiers applied so far ('auto' must be the first, as in SQLite). */
  applied?: number
}

interface Ymd {
  Y: number
  M: number
  D: number
  h: number
  m: number
  /** Seconds with their fraction. */
  s: number
}

const idiv = (a: number, b: number): number => Math.trunc(a / b)

function computeJd({ Y, M, D, h, m, s }: Ymd): number {
  let y = Y
  let mo = M
  if (mo <= 2) {
    y--
    mo += 12
  }
  const A = idiv(y, 100)
  const B = 2 - A + idiv(A, 4)
  const X1 = idiv(36525 * (y + 4716), 100)
  const X2 = idiv(306001 * (mo + 1), 10000)
  const jd = Math.trunc((X1 + X2 + D + B - 1524.5) * DAY)
  return jd + h * 3600000 + m * 60000 + Math.trunc(s * 1000 + 0.5)
}

function computeYmd(jd: number): Ymd {
  const Z = idiv(jd + 43200000, DAY)
  const alpha = Math.trunc((Z - 1867216.25) / 36524.25)
  const A = Z + 1 + alpha - idiv(alpha, 4)
  const B = A + 1524
  const C = Math.trunc((B - 122.1) / 365.25)
  const D = idiv(36525 * (C & 32767), 100)
  const E = Math.trunc((B - D) / 30.6001)
  const X1 = Math.trunc(30.6001 * E)
  const day = B - D - X1
  const M = E < 14 ? E - 1 : E - 13
  const Y = M > 2 ? C - 4716 : C - 4715
  const dayMs = (jd + 43200000) % DAY
  const dayMin = idiv(dayMs, 60000)
  return { Y, M, D: day, h: idiv(dayMin, 60), m: dayMin % 60, s: (dayMs % 60000) / 1000 }
}

const DATE_RE = /^\s*(-?)(\d{4})-(\d{2})-(\d{2})(?:(?:\s+|T)(.*))?$/
const TIME_RE = /^(\d{2}):(\d{2})(?::(\d{2})(\.\d*)?)?\s*(?:([+-])(\d{2}):(\d{2})|([zZ]))?\s*$/

/** HH:MM[:SS[.SSS]] and a zone, added to a date; undefined if malformed. */
function parseTime(text: string, date: Pick<Ymd, 'Y' | 'M' | 'D'>): number | undefined {
  const m = TIME_RE.exec(text)
  if (m === null) return undefined
  const h = Number(m[1])
  const mi = Number(m[2])
  const s = (m[3] === undefined ? 0 : Number(m[3])) + (m[4] === undefined || m[4] === '.' ? 0 : Number(`0${m[4]}`))
  if (h > 24 || mi > 59 || s >= 60) return undefined
  let jd = computeJd({ ...date, h, m: mi, s })
  if (m[5] !== undefined) {
    const zone = Number(m[6]) * 60 + Number(m[7])
    jd -= (m[5] === '-' ? -zone : zone) * 60000
  }
  return jd
}

function parseText(text: string, name: string): DateTime | undefined {
  const d = DATE_RE.exec(text)
  if (d !== null) {
    const Y = (d[1] === '-' ? -1 : 1) * Number(d[2])
    const M = Number(d[3])
    const D = Number(d[4])
    if (M < 1 || M > 12 || D < 1 || D > 31) return undefined
    if (d[5] === undefined || d[5].trim() === '') return at(computeJd({ Y, M, D, h: 0, m: 0, s: 0 }))
    const jd = parseTime(d[5], { Y, M, D })
    return jd === undefined ? undefined : at(jd)
  }
  const trimmed = text.trim()
  const t = parseTime(trimmed, { Y: 2000, M: 1, D: 1 })
  if (t !== undefined) return at(t)
  if (trimmed.toLowerCase() === 'now') return at(nowFor(name) + UNIX_EPOCH)
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(trimmed)) return number(Number(trimmed))
  return undefined
}

function at(jd: number): DateTime {
  return { jd, raw: undefined, subsec: false }
}

function number(r: number): DateTime | undefined {
  if (!(r >= 0 && r < 5373484.5)) return { jd: NaN, raw: r, subsec: false }
  return { jd: Math.trunc(r * DAY + 0.5), raw: r, subsec: false }
}

function initial(v: SqlValue, name: string): DateTime | undefined {
  if (v === null) return undefined
  if (typeof v === 'string') return parseText(v, name)
  if (v instanceof Uint8Array) return parseText(toText(v)!, name)
  return number(numberOf(toNumeric(v)!))
}

const UNITS: Record<string, number> = { second: 1000, minute: 60000, hour: 3600000, day: DAY }

/** Applies one modifier; false if SQLite rejects it (the result is then null). */
function modify(dt: DateTime, modifier: string): boolean {
  const mod = modifier.trim().toLowerCase()
  const raw = dt.raw
  dt.raw = undefined
  const first = (dt.applied ?? 0) === 0
  dt.applied = (dt.applied ?? 0) + 1
  if (mod === 'unixepoch') {
    if (raw === undefined) return false
    const jd = Math.trunc(raw * 1000 + UNIX_EPOCH + 0.5)
    dt.jd = jd
    return true
  }
  if (mod === 'auto') {
    // First only; a number outside the julian day range is read as a unix time when it can be one.
    if (!first) return false
    if (raw === undefined || (raw >= 0 && raw < 5373484.5)) return !Number.isNaN(dt.jd)
    if (!(raw >= -210866760000 && raw <= 253402300799)) return false
    dt.jd = Math.trunc(raw * 1000 + UNIX_EPOCH + 0.5)
    return true
  }
  if (Number.isNaN(dt.jd)) return false
  if (mod === 'julianday') return raw !== undefined
  if (mod === 'localtime' || mod === 'utc') return true
  if (mod === 'subsec' || mod === 'subsecond') {
    dt.subsec = true
    return true
  }
  if (mod.startsWith('start of ')) {
    const what = mod.slice(9).trim()
    const x = computeYmd(dt.jd)
    if (what === 'month') x.D = 1
    else if (what === 'year') {
      x.M = 1
      x.D = 1
    } else if (what !== 'day') return false
    dt.jd = computeJd({ ...x, h: 0, m: 0, s: 0 })
    return true
  }
  const weekday = /^weekday\s+(\d+)$/.exec(mod)
  if (weekday !== null) {
    const n = Number(weekday[1])
    if (n > 6) return false
    let z = dayOfWeek(dt)
    if (z > n) z -= 7
    dt.jd += (n - z) * DAY
    return true
  }
  if (mod === 'ceiling') {
    dt.floor = 0
    return true
  }
  if (mod === 'floor') {
    dt.jd -= (dt.floor ?? 0) * DAY
    dt.floor = 0
    return true
  }
  const shift = /^([+-])(?:(\d{4})-(\d{2})-(\d{2})(?:\s+(.*))?|(\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?))$/.exec(mod)
  if (shift !== null) return timeShift(dt, shift)
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+))\s*(second|minute|hour|day|month|year)s?$/.exec(mod)
  if (m === null) return false
  const r = Number(m[1])
  const unit = m[2]!
  if (unit === 'month' || unit === 'year') {
    const x = computeYmd(dt.jd)
    const whole = Math.trunc(r)
    if (unit === 'month') {
      x.M += whole
      const carry = x.M > 0 ? idiv(x.M - 1, 12) : idiv(x.M - 12, 12)
      x.Y += carry
      x.M -= carry * 12
    } else {
      x.Y += whole
    }
    dt.floor = Math.max(0, x.D - daysInMonth(x.Y, x.M))
    dt.jd = computeJd(x)
    const rest = r - whole
    if (rest !== 0) dt.jd += Math.trunc(rest * (unit === 'month' ? 30 : 365) * DAY + (rest < 0 ? -0.5 : 0.5))
    return true
  }
  dt.jd += Math.trunc(r * UNITS[unit]! + (r < 0 ? -0.5 : 0.5))
  return true
}

/** Days in month M of year Y (proleptic Gregorian, as SQLite's). */
function daysInMonth(Y: number, M: number): number {
  if (M === 2) return (Y % 4 === 0 && Y % 100 !== 0) || Y % 400 === 0 ? 29 : 28
  return M === 4 || M === 6 || M === 9 || M === 11 ? 30 : 31
}

/**
 * SQLite 3.42's time shifts: `±HH:MM[:SS[.SSS]]` adds or subtracts a time, `±YYYY-MM-DD[
 * HH:MM[:SS[.SSS]]]` years, months and days (months as '+N months' step them), then the time.
 */
function timeShift(dt: DateTime, m: RegExpExecArray): boolean {
  const sign = m[1] === '-' ? -1 : 1
  let time = m[6]
  if (m[2] !== undefined) {
    // SQLite's getDigits bounds: months to 12, days to 31.
    if (Number(m[3]) > 12 || Number(m[4]) > 31) return false
    const x = computeYmd(dt.jd)
    x.Y += sign * Number(m[2])
    x.M += sign * Number(m[3])
    const carry = x.M > 0 ? idiv(x.M - 1, 12) : idiv(x.M - 12, 12)
    x.Y += carry
    x.M -= carry * 12
    dt.floor = Math.max(0, x.D - daysInMonth(x.Y, x.M))
    dt.jd = computeJd(x) + sign * Number(m[4]) * DAY
    if (m[5] === undefined) return true
    time = m[5]
    if (!/^\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?$/.test(time)) return false
  }
  const [h, mi, sec] = time!.split(':')
  if (Number(h) > 24 || Number(mi) > 59 || Number(sec ?? 0) >= 60) return false
  // A time of day: 24:00 is 00:00, as SQLite reduces it.
  const ms = Math.round((Number(h) * 3600 + Number(mi) * 60 + Number(sec ?? 0)) * 1000) % DAY
  dt.jd += sign * ms
  return true
}

/** The instant of date function `name`'s arguments (a time value and modifiers); undefined gives null. */
function evaluate(name: string, args: readonly SqlValue[]): DateTime | undefined {
  const dt = args.length === 0 ? at(nowFor(name) + UNIX_EPOCH) : initial(args[0]!, name)
  if (dt === undefined) return undefined
  for (let i = 1; i < args.length; i++) {
    const mod = args[i]!
    if (mod === null) return undefined
    if (!modify(dt, toText(mod)!)) return undefined
  }
  if (!(dt.jd >= 0 && dt.jd <= MAX_JD)) return undefined
  return dt
}

const pad = (n: number, width: number): string => {
  const s = String(Math.abs(Math.trunc(n))).padStart(width, '0')
  return n < 0 ? `-${s}` : s
}

/** A year as strftime's %04d writes it: four characters with the sign (-001 for 2 BC). */
function yearText(Y: number): string {
  return Y < 0 ? `-${String(-Y).padStart(3, '0')}` : String(Y).padStart(4, '0')
}

/** The date as date() and datetime() write it (a negative year: its sign, then four digits). */
function dateText(x: Ymd): string {
  return `${pad(x.Y, 4)}-${pad(x.M, 2)}-${pad(x.D, 2)}`
}

function timeText(x: Ymd, subsec: boolean): string {
  const s = subsec ? `${pad(Math.trunc(x.s), 2)}.${pad(Math.round((x.s % 1) * 1000), 3)}` : pad(x.s, 2)
  return `${pad(x.h, 2)}:${pad(x.m, 2)}:${s}`
}

/** printf('%.16g') for julian day numbers. */
function g16(n: number): string {
  return String(Number(n.toPrecision(16)))
}

const dayOfWeek = (dt: DateTime): number => idiv(dt.jd + 129600000, DAY) % 7
/** SQLite's daysAfterMonday: 0 on a Monday ... 6 on a Sunday. */
const daysAfterMonday = (jd: number): number => idiv(jd + 43200000, DAY) % 7
/** SQLite's daysAfterJan01: days since 1 January of the instant's year (its time of day kept). */
const daysAfterJan01 = (x: Ymd, jd: number): number => idiv(jd - computeJd({ ...x, M: 1, D: 1 }) + 43200000, DAY)
/** The Thursday of the instant's ISO week (%G, %g, %V), and its calendar fields. */
function isoThursday(jd: number): { jd: number; x: Ymd } {
  const t = jd + (3 - daysAfterMonday(jd)) * DAY
  return { jd: t, x: computeYmd(t) }
}
/** The hour on a 12-hour clock (%I, %l): 12, 1, ... 11. */
const hour12 = (h: number): number => (h > 12 ? h - 12 : h === 0 ? 12 : h)

/** strftime's conversions (%x), from the instant and its calendar fields. */
const CONVERSIONS: Record<string, (x: Ymd, dt: DateTime) => string> = {
  d: (x) => pad(x.D, 2),
  e: (x) => String(x.D).padStart(2, ' '),
  f: (x) => Math.min(x.s, 59.999).toFixed(3).padStart(6, '0'),
  F: (x) => `${yearText(x.Y)}-${pad(x.M, 2)}-${pad(x.D, 2)}`,
  H: (x) => pad(x.h, 2),
  k: (x) => String(x.h).padStart(2, ' '),
  j: (x, dt) => pad(daysAfterJan01(x, dt.jd) + 1, 3),
  G: (_x, dt) => yearText(isoThursday(dt.jd).x.Y),
  g: (_x, dt) => pad(isoThursday(dt.jd).x.Y % 100, 2),
  I: (x) => pad(hour12(x.h), 2),
  l: (x) => String(hour12(x.h)).padStart(2, ' '),
  p: (x) => (x.h >= 12 ? 'PM' : 'AM'),
  P: (x) => (x.h >= 12 ? 'pm' : 'am'),
  U: (x, dt) => pad(idiv(daysAfterJan01(x, dt.jd) - dayOfWeek(dt) + 7, 7), 2),
  V: (_x, dt) => {
    const t = isoThursday(dt.jd)
    return pad(idiv(daysAfterJan01(t.x, t.jd), 7) + 1, 2)
  },
  W: (x, dt) => pad(idiv(daysAfterJan01(x, dt.jd) - daysAfterMonday(dt.jd) + 7, 7), 2),
  J: (_x, dt) => g16(dt.jd / DAY),
  m: (x) => pad(x.M, 2),
  M: (x) => pad(x.m, 2),
  // With 'subsec', seconds and milliseconds (SQLite 3.42's).
  s: (_x, dt) => (dt.subsec ? ((dt.jd - UNIX_EPOCH) / 1000).toFixed(3) : String(idiv(dt.jd - UNIX_EPOCH, 1000))),
  S: (x) => pad(x.s, 2),
  T: (x) => timeText(x, false),
  R: (x) => `${pad(x.h, 2)}:${pad(x.m, 2)}`,
  u: (_x, dt) => String(dayOfWeek(dt) || 7),
  w: (_x, dt) => String(dayOfWeek(dt)),
  Y: (x) => yearText(x.Y),
  '%': () => '%',
}

/** strftime(format, ...): null for an unknown conversion, as SQLite gives. */
function strftime(format: string, dt: DateTime): SqlValue {
  const x = computeYmd(dt.jd)
  let out = ''
  for (let i = 0; i < format.length; i++) {
    const c = format[i]!
    if (c !== '%') {
      out += c
      continue
    }
    const conversion = CONVERSIONS[format[++i] ?? '']
    if (conversion === undefined) return null
    out += conversion(x, dt)
  }
  return out
}

type Call = (args: readonly SqlValue[]) => SqlValue

function withInstant(name: string, f: (dt: DateTime) => SqlValue): Call {
  return (args) => {
    const dt = evaluate(name, args)
    return dt === undefined ? null : f(dt)
  }
}

const MANY = Number.MAX_SAFE_INTEGER

/**
 * timediff(A, B) (SQLite 3.43+): the time from B to A as `±YYYY-MM-DD HH:MM:SS.SSS`, whole years
 * and months counted on B's calendar first, as date.c's timediffFunc steps B toward A.
 */
function timediff(args: readonly SqlValue[]): SqlValue {
  const a = evaluate('timediff', [args[0]!])
  const b = evaluate('timediff', [args[1]!])
  if (a === undefined || b === undefined) return null
  const d1 = computeYmd(a.jd)
  const d2 = computeYmd(b.jd)
  const forward = a.jd >= b.jd
  // Whole years, then months, moving B onto A's year and month, then back a month at a time
  // while it has passed A (B's day may run past its month's end: computeJd carries it over).
  let Y = forward ? d1.Y - d2.Y : d2.Y - d1.Y
  let jd2 = b.jd
  if (Y !== 0) {
    d2.Y = d1.Y
    jd2 = computeJd(d2)
  }
  let M = forward ? d1.M - d2.M : d2.M - d1.M
  if (M < 0) {
    Y--
    M += 12
  }
  if (M !== 0) {
    d2.M = d1.M
    jd2 = computeJd(d2)
  }
  while (forward ? a.jd < jd2 : a.jd > jd2) {
    M--
    if (M < 0) {
      M = 11
      Y--
    }
    d2.M += forward ? -1 : 1
    if (d2.M < 1) {
      d2.M = 12
      d2.Y--
    } else if (d2.M > 12) {
      d2.M = 1
      d2.Y++
    }
    jd2 = computeJd(d2)
  }
  const sign = forward ? '+' : '-'
  const rest = forward ? a.jd - jd2 : jd2 - a.jd
  // The rest as a date from 0000-01-01 00:00 (iJD 148699540800000): its day of month less one, and its time.
  const x = computeYmd(rest + 148699540800000)
  const seconds = x.s.toFixed(3).padStart(6, '0')
  return `${sign}${pad(Y, 4)}-${pad(M, 2)}-${pad(x.D - 1, 2)} ${pad(x.h, 2)}:${pad(x.m, 2)}:${seconds}`
}

export const DATE_FUNCTIONS: Record<string, { arity: readonly [number, number]; call: Call; timeArgument: number }> = {
  date: { arity: [0, MANY], timeArgument: 0, call: withInstant('date', (dt) => dateText(computeYmd(dt.jd))) },
  time: {
    arity: [0, MANY],
    timeArgument: 0,
    call: withInstant('time', (dt) => timeText(computeYmd(dt.jd), dt.subsec)),
  },
  datetime: {
    arity: [0, MANY],
    timeArgument: 0,
    call: withInstant('datetime', (dt) => {
      const x = computeYmd(dt.jd)
      return `${dateText(x)} ${timeText(x, dt.subsec)}`
    }),
  },
  julianday: { arity: [0, MANY], timeArgument: 0, call: withInstant('julianday', (dt) => real(dt.jd / DAY)) },
  timediff: { arity: [2, 2], timeArgument: -1, call: timediff },
  unixepoch: {
    arity: [0, MANY],
    timeArgument: 0,
    call: withInstant('unixepoch', (dt) =>
      dt.subsec ? real((dt.jd - UNIX_EPOCH) / 1000) : integer(BigInt(idiv(dt.jd - UNIX_EPOCH, 1000))),
    ),
  },
  strftime: {
    arity: [1, MANY],
    timeArgument: 1,
    call: (args) => {
      const format = args[0]!
      if (format === null) return null
      const dt = evaluate('strftime', args.slice(1))
      return dt === undefined ? null : strftime(toText(format)!, dt)
    },
  },
}
