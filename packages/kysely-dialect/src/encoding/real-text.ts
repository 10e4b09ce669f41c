/**
 * A REAL as SQLite writes it as text (CAST, ||, TEXT affinity): SQLite's own decimal conversion
 * (sqlite3FpDecode: the double scaled by powers of ten in double-double arithmetic, then rounded),
 * 15 significant digits when they read back as the same double and 17 otherwise, trailing zeros
 * dropped, `.0` on whole values, and exponent form below 1e-4 or from 1e17 (`1.0e+20`, `1.0e-05`).
 * SQLite's 17th digit can differ from a correctly rounded one (1/3 is 0.33333333333333332), which
 * is why the conversion is SQLite's and not `toPrecision`.
 */
const SCRATCH = new DataView(new ArrayBuffer(8))

/** The double with its low 26 mantissa bits cleared (Dekker's split). */
function high(x: number): number {
  SCRATCH.setFloat64(0, x)
  SCRATCH.setUint32(4, SCRATCH.getUint32(4) & 0xfc000000)
  return SCRATCH.getFloat64(0)
}

/** x (a double-double) *= y + yy, as SQLite's dekkerMul2. */
function dekkerMul2(x: [number, number], y: number, yy: number): void {
  const hx = high(x[0])
  const tx = x[0] - hx
  const hy = high(y)
  const ty = y - hy
  const p = hx * hy
  const q = hx * ty + tx * hy
  const c = p + q
  let cc = p - c + q + tx * ty
  cc = x[0] * yy + x[1] * y + cc
  x[0] = c + cc
  x[1] = c - x[0]
  x[1] += cc
}

interface Decoded {
  digits: string
  /** Where the decimal point goes: the value is 0.<digits> * 10^point. */
  point: number
}

/** The significant digits of a positive finite double, rounded to `round` digits (SQLite's sqlite3FpDecode). */
function decode(r: number, round: number): Decoded {
  let exp = 0
  const rr: [number, number] = [r, 0]
  if (rr[0] > 9.223372036854774784e18) {
    while (rr[0] > 9.223372036854774784e118) {
      exp += 100
      dekkerMul2(rr, 1.0e-100, -1.99918998026028836196e-117)
    }
    while (rr[0] > 9.223372036854774784e28) {
      exp += 10
      dekkerMul2(rr, 1.0e-10, -3.6432197315497741579e-27)
    }
    while (rr[0] > 9.223372036854774784e18) {
      exp += 1
      dekkerMul2(rr, 1.0e-1, -5.5511151231257827021e-18)
    }
  } else {
    while (rr[0] < 9.223372036854774784e-83) {
      exp -= 100
      dekkerMul2(rr, 1.0e100, -1.5902891109759918046e83)
    }
    while (rr[0] < 9.223372036854774784e7) {
      exp -= 10
      dekkerMul2(rr, 1.0e10, 0)
    }
    while (rr[0] < 9.22337203685477478e17) {
      exp -= 1
      dekkerMul2(rr, 1.0e1, 0)
    }
  }
  const whole = BigInt(Math.trunc(rr[0]))
  const v = rr[1] < 0 ? whole - BigInt(Math.trunc(-rr[1])) : whole + BigInt(Math.trunc(rr[1]))
  const z = v.toString().split('').map((c) => c.charCodeAt(0) - 48)
  let n = z.length
  let point = n + exp
  if (round < n) {
    const up = z[round]! >= 5
    n = round
    if (up) {
      let j = round - 1
      for (;;) {
        z[j]!++
        if (z[j]! <= 9) break
        z[j] = 0
        if (j === 0) {
          z.unshift(1)
          n++
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

function render(d: Decoded): string {
  const e = d.point - 1
  const D = d.digits
  if (e < -4 || e >= 17) return `${D[0]}.${D.slice(1) || '0'}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`
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
