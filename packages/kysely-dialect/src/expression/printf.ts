import {
  bytesText,
  doubleOf,
  integerPrefix,
  numberOf,
  textBytes,
  toNumeric,
  toText,
  type SqlValue,
} from '../encoding/values.js'

/**
 * SQLite's printf() and format() (printf.c: sqlite3_str_vappendf with SQL function arguments):
 * `%[flags][width][.precision]type` with the flags `- + space 0 # ! ,`, `*` for a width or
 * precision taken from the arguments, and the conversions
 * - `d i u x X o p`: an integer (sqlite3_value_int64: reals truncated and saturated, text and blobs
 *   by their numeric prefix), `u x X o p` as the unsigned 64-bit value;
 * - `f e E g G`: a real, to at most 16 significant digits (19 with `!`), rounded half up from
 *   SQLite's 17 (20), then zeros; `Inf`, `-Inf` and `NaN` as SQLite writes them;
 * - `s z`: text (precision and width count bytes, characters with `!`); `c`: the text's first
 *   character, repeated `precision` times; `q Q w`: text with `'` (`"` for `w`) doubled, `Q` in
 *   quotes or `NULL`; `r`: an ordinal (1st, 2nd); `%`.
 * A missing argument is 0 or empty text; an unknown conversion ends the output there, as SQLite's.
 */
export function sqlPrintf(args: readonly SqlValue[]): SqlValue {
  const format = args[0]
  if (format === null || format === undefined) return null
  const fmt = toText(format)!
  const p = new ArgumentList(args)
  let out = ''
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i]!
    if (c !== '%') {
      out += c
      continue
    }
    if (i + 1 >= fmt.length) {
      out += '%'
      break
    }
    const spec: Spec = {
      left: false,
      prefix: '',
      alt: false,
      alt2: false,
      zero: false,
      comma: false,
      width: 0,
      precision: -1,
    }
    let ch = fmt[++i]
    for (;;) {
      if (ch === '-') spec.left = true
      else if (ch === '+' || ch === ' ') spec.prefix = ch
      else if (ch === '#') spec.alt = true
      else if (ch === '!') spec.alt2 = true
      else if (ch === '0') spec.zero = true
      else if (ch === ',') spec.comma = true
      else break
      ch = fmt[++i]
    }
    if (ch === '*') {
      let w = p.int()
      if (w < 0n) {
        spec.left = true
        w = w >= -2147483647n ? -w : 0n
      }
      spec.width = Number(w)
      ch = fmt[++i]
    } else {
      while (ch !== undefined && ch >= '0' && ch <= '9') {
        spec.width = spec.width * 10 + (ch.charCodeAt(0) - 48)
        ch = fmt[++i]
      }
    }
    if (ch === '.') {
      ch = fmt[++i]
      if (ch === '*') {
        const n = p.int()
        spec.precision = n < 0n ? (n >= -2147483647n ? Number(-n) : -1) : Number(n)
        ch = fmt[++i]
      } else {
        spec.precision = 0
        while (ch !== undefined && ch >= '0' && ch <= '9') {
          spec.precision = spec.precision * 10 + (ch.charCodeAt(0) - 48)
          ch = fmt[++i]
        }
      }
    }
    while (ch === 'l') ch = fmt[++i]
    const converted = ch === undefined ? undefined : convert(ch, spec, p)
    if (converted === undefined) return out
    out += converted
  }
  return out
}

interface Spec {
  left: boolean
  /** The sign shown before a value not negative: the last of `+` and space written, or none. */
  prefix: '' | '+' | ' '
  alt: boolean
  alt2: boolean
  zero: boolean
  comma: boolean
  width: number
  precision: number
}

const INT64_MAX = 2n ** 63n - 1n
const INT64_MIN = -(2n ** 63n)
const TWO63 = 2 ** 63

/** The function's arguments after the format, taken in order (missing ones as SQLite reads them). */
class ArgumentList {
  #next = 1
  constructor(readonly args: readonly SqlValue[]) {}

  #take(): SqlValue | undefined {
    return this.#next < this.args.length ? this.args[this.#next++] : undefined
  }

  /** sqlite3_value_int64. */
  int(): bigint {
    const v = this.#take()
    if (v === undefined || v === null) return 0n
    if (typeof v === 'string' || v instanceof Uint8Array) return integerPrefix(toText(v)!)
    const n = toNumeric(v)
    if (n === null) return 0n
    if (typeof n === 'bigint') return n
    const r = numberOf(n)
    if (Number.isNaN(r)) return 0n
    // 2^63 as a double: reals at or beyond it saturate, as SQLite's conversion does.
    if (r >= TWO63) return INT64_MAX
    if (r <= -TWO63) return INT64_MIN
    return BigInt(Math.trunc(r))
  }

  /** sqlite3_value_double. */
  real(): number {
    const v = this.#take()
    return v === undefined ? 0 : doubleOf(v)
  }

  /** sqlite3_value_text: undefined for a missing argument or null. */
  text(): string | undefined {
    const v = this.#take()
    if (v === undefined || v === null) return undefined
    return toText(v)!
  }
}

/** The integer conversions: base, signed, upper-case digits. */
const RADIX: Readonly<Record<string, readonly [number, boolean, boolean]>> = {
  d: [10, true, false],
  i: [10, true, false],
  u: [10, false, false],
  x: [16, false, false],
  X: [16, false, true],
  p: [16, false, true],
  o: [8, false, false],
}

function convert(type: string, spec: Spec, p: ArgumentList): string | undefined {
  const integer = RADIX[type]
  if (integer !== undefined) return pad(radix(p.int(), integer[0], integer[1], spec, integer[2]), spec)
  switch (type) {
    case 'f':
    case 'e':
    case 'E':
    case 'g':
    case 'G':
      return pad(real(p.real(), type, spec), spec)
    case 's':
    case 'z':
      return stringConversion(p.text() ?? '', spec)
    case 'c':
      return charConversion(p.text(), spec)
    case 'q':
    case 'Q':
    case 'w':
      return quoted(p.text(), type, spec)
    case 'r':
      return pad(ordinal(p.int(), spec), spec)
    case '%':
      return pad('%', spec)
    case 'n':
      return ''
    default:
      // An unknown conversion (and SQLite's internal %T, %S) ends the output.
      return undefined
  }
}

/** Width: spaces before (after with `-`); zero padding is the conversions' own. */
function pad(s: string, spec: Spec, length = s.length): string {
  if (spec.width <= length) return s
  const fill = ' '.repeat(spec.width - length)
  return spec.left ? s + fill : fill + s
}

/** Digits of `v` in base 10 with a comma every three. */
function withCommas(digits: string): string {
  let out = ''
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += ','
    out += digits[i]
  }
  return out
}

function radix(v: bigint, base: number, signed: boolean, spec: Spec, upper: boolean): string {
  let prefix = ''
  let magnitude: bigint
  if (signed) {
    if (v < 0n) {
      magnitude = -v
      prefix = '-'
    } else {
      magnitude = v
      prefix = spec.prefix
    }
  } else magnitude = BigInt.asUintN(64, v)
  let precision = spec.precision
  if (spec.zero && precision < spec.width - (prefix === '' ? 0 : 1)) precision = spec.width - (prefix === '' ? 0 : 1)
  let digits = magnitude.toString(base)
  if (upper) digits = digits.toUpperCase()
  // Zeros up to the precision (the width, with `0`), then the commas among them, as SQLite's.
  if (digits.length < precision) digits = digits.padStart(precision, '0')
  if (spec.comma && base === 10) digits = withCommas(digits)
  if (spec.alt && magnitude !== 0n) {
    if (base === 8) digits = '0' + digits
    else if (base === 16) digits = (upper ? '0X' : '0x') + digits
  }
  return prefix + digits
}

/** `%r`: the number and its suffix, the zero padding (precision, or width with `0`) counting the suffix. */
function ordinal(v: bigint, spec: Spec): string {
  const sign = v < 0n || spec.prefix !== '' ? 1 : 0
  let precision = spec.precision
  if (spec.zero && precision < spec.width - sign) precision = spec.width - sign
  const n = radix(v, 10, true, { ...spec, comma: false, zero: false, precision: precision - 2 }, false)
  const last = Number((v < 0n ? -v : v) % 100n)
  const suffix =
    last >= 11 && last <= 13 ? 'th' : last % 10 === 1 ? 'st' : last % 10 === 2 ? 'nd' : last % 10 === 3 ? 'rd' : 'th'
  return n + suffix
}

/**
 * `%f %e %E %g %G`: the significant digits SQLite's sqlite3FpDecode gives (17, or 20 with `!`),
 * rounded half up to those the conversion shows, at most 16 (19 with `!`), zeros after them.
 */
function real(value: number, type: string, spec: Spec): string {
  let prefix = ''
  let r = value
  if (r < 0 || Object.is(r, -0)) {
    r = -r
    if (value < 0) prefix = '-'
  }
  if (prefix === '') prefix = spec.prefix
  if (Number.isNaN(r)) return 'NaN'
  if (r === Infinity) return prefix + 'Inf'
  let precision = spec.precision < 0 ? 6 : spec.precision
  const kind = type.toLowerCase()
  const maxDigits = spec.alt2 ? 19 : 16
  const source = r === 0 ? { digits: '', point: 1 } : roundedDigits(r, spec.alt2 ? 20 : 18)
  // Significant digits wanted, and rounded to.
  let point = source.point
  let digits = source.digits
  const round = (n: number): void => {
    if (n < 0) {
      digits = ''
      return
    }
    const keep = Math.min(n, maxDigits)
    if (digits.length > keep) {
      const up = digits.charCodeAt(keep) - 48 >= 5
      digits = digits.slice(0, keep)
      if (up) {
        let j = keep - 1
        const d = digits.split('').map((x) => x.charCodeAt(0) - 48)
        for (;;) {
          if (j < 0) {
            d.unshift(1)
            point++
            break
          }
          d[j]!++
          if (d[j]! <= 9) break
          d[j] = 0
          j--
        }
        digits = d.join('')
      }
    }
  }
  let body: string
  let exponentForm = kind === 'e'
  let rtz = spec.alt2
  if (kind === 'g') {
    if (precision === 0) precision = 1
    if (r !== 0) round(precision)
    const e = r === 0 ? 0 : point - 1
    exponentForm = e < -4 || e >= precision
    precision = exponentForm ? precision - 1 : precision - 1 - e
    rtz = !spec.alt
  } else if (kind === 'e') {
    if (r !== 0) round(precision + 1)
  } else if (r !== 0) {
    // %f: the digits down to `precision` places after the point; a value below half of the last
    // place rounds to zero, from half of it up to one.
    const n = point + precision
    if (n === 0 && digits.charCodeAt(0) - 48 >= 5) {
      digits = '1'
      point++
    } else round(n)
  }
  const digitAt = (k: number): string => (k >= 0 && k < digits.length ? digits[k]! : '0')
  // SQLite: a point when digits follow it or a flag asks for one; with rtz, trailing zeros go and
  // a bare point goes too, or keeps one zero with `!`.
  const point10 = (whole: string, frac: string): string => {
    if (!(precision > 0 || spec.alt || spec.alt2)) return whole
    if (!rtz) return `${whole}.${frac}`
    const trimmed = frac.replace(/0+$/, '')
    return trimmed !== '' ? `${whole}.${trimmed}` : spec.alt2 ? `${whole}.0` : whole
  }
  if (exponentForm) {
    const e = r === 0 ? 0 : point - 1
    let frac = ''
    for (let k = 1; k <= precision; k++) frac += digitAt(k)
    const exp = `${type === 'E' || type === 'G' ? 'E' : 'e'}${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`
    body = point10(digitAt(0), frac) + exp
  } else {
    // Digits before the point, then `precision` after it.
    let whole = ''
    if (point <= 0 || r === 0) whole = '0'
    else for (let k = 0; k < point; k++) whole += digitAt(k)
    if (spec.comma) whole = withCommas(whole)
    let frac = ''
    for (let k = 0; k < precision; k++) frac += r === 0 ? '0' : digitAt(point + k)
    body = point10(whole, frac)
  }
  if (spec.zero && !spec.left && prefix.length + body.length < spec.width)
    body = body.padStart(spec.width - prefix.length, '0')
  return prefix + body
}

/**
 * `count` significant digits of a positive finite double, correctly rounded (toExponential), and
 * where the point goes (0.<digits> * 10^point): the digits SQLite's printf rounds half up from.
 */
function roundedDigits(r: number, count: number): { digits: string; point: number } {
  const [mantissa, exponent] = r.toExponential(count - 1).split('e') as [string, string]
  return { digits: mantissa.replace('.', '').replace(/0+$/, ''), point: Number(exponent) + 1 }
}

/** `%s`: precision and width in bytes, or characters with `!`. */
function stringConversion(s: string, spec: Spec): string {
  if (spec.alt2) {
    const chars = Array.from(s)
    const text = spec.precision >= 0 ? chars.slice(0, spec.precision).join('') : s
    return pad(text, spec, Array.from(text).length)
  }
  let bytes = textBytes(s)
  if (spec.precision >= 0 && bytes.length > spec.precision) bytes = bytes.subarray(0, spec.precision)
  return pad(bytesText(bytes), spec, bytes.length)
}

/** `%c`: the first character of the text (NUL without one), `precision` times. */
function charConversion(s: string | undefined, spec: Spec): string {
  const c = s === undefined || s === '' ? '\u0000' : Array.from(s)[0]!
  const n = spec.precision > 1 ? spec.precision : 1
  const text = c.repeat(n)
  return pad(text, spec, textBytes(text).length)
}

/**
 * `%q %Q %w`: the quote character doubled; `%Q` quoted, NULL for null; `%q` and `%w` of null are
 * (NULL). The precision cuts the text (null's word too) before the quotes double; width and
 * precision count characters with `!`.
 */
function quoted(s: string | undefined, type: string, spec: Spec): string {
  const value = s ?? (type === 'Q' ? 'NULL' : '(NULL)')
  const q = type === 'w' ? '"' : "'"
  let cut: string
  // The output's length as SQLite counts it: bytes (a character cut in two counts its bytes kept).
  let length: number
  if (spec.alt2) {
    cut = spec.precision >= 0 ? Array.from(value).slice(0, spec.precision).join('') : value
    length = Array.from(cut).length
  } else {
    let bytes = textBytes(value)
    if (spec.precision >= 0 && bytes.length > spec.precision) bytes = bytes.subarray(0, spec.precision)
    cut = bytesText(bytes)
    length = bytes.length
  }
  const body = s === undefined ? cut : cut.replaceAll(q, q + q)
  length += body.length - cut.length
  const quote = type === 'Q' && s !== undefined
  return pad(quote ? `'${body}'` : body, spec, quote ? length + 2 : length)
}
