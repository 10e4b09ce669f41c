/**
 * A REAL as SQLite writes it as text (CAST, ||, TEXT affinity): SQLite's own decimal conversion
 * (sqlite3FpDecode), 15 significant digits when they read back as the same double and 17
 * otherwise, trailing zeros dropped, `.0` on whole values, and exponent form below 1e-4 or from
 * 1e17 (`1.0e+20`, `1.0e-05`).
 * SQLite (3.53+, sqlite3Fp2Convert10) computes one digit more than asked (18 for 17), correctly
 * rounded, then rounds that half-up: a double rounding, so its 17th digit can differ from a
 * correctly rounded one (1/3 is 0.333333333333333315 to 18 digits, so 0.33333333333333332), which
 * is why this is not a plain `toPrecision(17)`.
 */

interface Decoded {
  digits: string
  /** Where the decimal point goes: the value is 0.<digits> * 10^point. */
  point: number
}

/** The significant digits of a positive finite double, rounded to `round` digits as SQLite's sqlite3FpDecode does. */
function decode(r: number, round: number): Decoded {
  // round + 1 significant digits, correctly rounded (toExponential(k) gives k + 1 of them).
  const [mantissa, exponent] = r.toExponential(round).split('e') as [string, string]
  const z = mantissa
    .replace('.', '')
    .split('')
    .map((c) => c.charCodeAt(0) - 48)
  let point = Number(exponent) + 1
  let n = round
  if (z[round]! >= 5) {
    let j = round - 1
    for (;;) {
      z[j]!++
      if (z[j]! <= 9) break
      z[j] = 0
      if (j === 0) {
        z.unshift(1)
        point++
        break
      }
      j--
    }
  }
  while (n > 0 && z[n - 1] === 0) n--
  return { digits: z.slice(0, n).join(''), point }
}

function render(d: Decoded): string {
  const e = d.point - 1
  const D = d.digits
  if (e < -4 || e >= 17)
    return `${D[0]}.${D.slice(1) || '0'}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`
  if (e >= 0) return `${D.slice(0, e + 1).padEnd(e + 1, '0')}.${D.slice(e + 1) || '0'}`
  return `0.${'0'.repeat(-e - 1)}${D}`
}

export function formatReal(n: number): string {
  if (Number.isNaN(n)) return 'NaN'
  if (n === Infinity) return 'Inf'
  if (n === -Infinity) return '-Inf'
  if (n === 0) return '0.0'
  const r = Math.abs(n)
  let s = render(decode(r, 15))
  if (Number(s) !== r) s = render(decode(r, 17))
  return n < 0 ? `-${s}` : s
}
