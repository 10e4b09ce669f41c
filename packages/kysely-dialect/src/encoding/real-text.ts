/**
 * A REAL as SQLite writes it as text (CAST, ||, TEXT affinity): SQLite's own decimal conversion
 * (sqlite3FpDecode at 17 significant digits, as SQLite 3.53 and 3.54 write a real), trailing zeros
 * dropped, `.0` on whole values, and exponent form below 1e-4 or from 1e17 (`1.0e+20`, `1.0e-05`).
 * SQLite computes 18 digits, then writes 17 (rounding the 18th half-up: a double rounding, so its
 * 17th digit can differ from a correctly rounded one: 1/3 is 0.333333333333333315 to 18 digits, so
 * 0.33333333333333332), unless the digits show that a shorter text reads back as the same double:
 * the 15th and 16th digits both 9 (`49.47`, not 49.469999999999999), or the 14th to 16th all 0
 * (`0.1`), or a whole value of 18 digits or more; it then writes the shorter text when it reads
 * back exactly. So a value whose 15 digits would read back but whose digits show neither pattern
 * keeps 17 (`-8 - 0.5/12.75` is `-8.0392156862745097`, not `-8.03921568627451`).
 */

import { sqliteDigits } from './real-digits.js'

interface Decoded {
  digits: string
  /** Where the decimal point goes: the value is 0.<digits> * 10^point. */
  point: number
}

/**
 * The digits SQLite writes for a positive finite double: its 18 or 19 digits (real-digits.ts),
 * rounded half-up on the next digit to 17 or to the shorter length the file comment's rule allows,
 * trailing zeros dropped.
 */
function decode(r: number): Decoded {
  const { digits: z, exp } = sqliteDigits(r)
  let point = z.length + exp
  let n = z.length
  if (n > 17) {
    n = keptDigits(r, z, exp)
    if (z[n]! >= 5) {
      let j = n - 1
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
  }
  while (n > 0 && z[n - 1] === 0) n--
  return { digits: z.slice(0, n).join(''), point }
}

/**
 * How many of the digits `z` of `r` (r ≈ z × 10^exp) SQLite keeps: 17, or fewer when the 15th and
 * 16th are 9s or the 14th to 16th are 0s (or the value is whole) and the shorter text reads back
 * as `r` (JavaScript's parse and SQLite's both round correctly here).
 */
function keptDigits(r: number, z: readonly number[], exp: number): number {
  const n = z.length
  if (z[15] === 9 && z[14] === 9) {
    // The digits before the run of 9s, plus one.
    let j = 14
    while (j > 0 && z[j - 1] === 9) j--
    const up = j === 0 ? 1n : BigInt(z.slice(0, j).join('')) + 1n
    if (Number(`${up}e${exp + n - j}`) === r) return j + 1
  } else if (exp >= 0 || (z[15] === 0 && z[14] === 0 && z[13] === 0)) {
    // The first 13 digits without their trailing 0s.
    let j = 13
    while (z[j - 1] === 0) j--
    if (Number(`${z.slice(0, j).join('')}e${exp + n - j}`) === r) return j + 1
  }
  return 17
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
  const s = render(decode(Math.abs(n)))
  return n < 0 ? `-${s}` : s
}
