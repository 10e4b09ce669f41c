/**
 * The decimal digits SQLite (3.53, 3.54) computes for a double before writing it as text: 18
 * significant digits from a 64 × 64-bit product of the double's mantissa with a 64-bit
 * approximation of a power of ten, the product's low half dropped and the last digit rounded on
 * the one bit below it. Not always the correctly rounded digits: for 10831367.969512939453125 the
 * product gives 19 digits, ...2939 45, so SQLite's 17 are ...2939, where the correctly rounded 18
 * (...2939 5) round half-up to ...2940. So real-text.ts takes them from here, not from
 * `toExponential`: SQLite's 17th digit then comes out as SQLite's, and the text with it.
 *
 * The powers of ten: 10^p for 0 <= p <= 26 exactly (as 5^p with its top bit at bit 63); the
 * others from 10^(27g), kept to 96 bits rounded to nearest, times 10^n (0 < n < 27), the top 64
 * bits of that product taken (shifted up one bit when its top bit is clear). 10^-1 alone is
 * truncated. This reproduces SQLite's tables and its rounding of the product, bit for bit, so
 * that every digit agrees (held against sql.js's SQLite 3.54 over 400,000 doubles of every
 * magnitude: `test/unit/encoding/real-text.test.ts`).
 */

const MASK64 = (1n << 64n) - 1n

/** 10^p for 0 <= p <= 26, shifted so that its highest set bit is bit 63 (exact: 5^p fits). */
const EXACT = Array.from({ length: 27 }, (_, p) => {
  const x = 10n ** BigInt(p)
  const shift = 64 - x.toString(2).length
  return shift >= 0 ? x << BigInt(shift) : x >> BigInt(-shift)
})

/** The 96 most significant bits of num / den (highest bit at bit 95), truncated or rounded to nearest. */
function top96(num: bigint, den: bigint, round: boolean): bigint {
  let k = 95 - (num.toString(2).length - den.toString(2).length)
  for (;;) {
    const a = k >= 0 ? num << BigInt(k) : num
    const b = k >= 0 ? den : den << BigInt(-k)
    const v = a / b
    if (v >= 1n << 96n) k--
    else if (v < 1n << 95n) k++
    else return round && (a - v * b) * 2n >= b ? v + 1n : v
  }
}

/** 10^(27g) for -13 <= g <= 12 to 96 bits, rounded: index g + 13. */
const SCALES = Array.from({ length: 26 }, (_, i) => {
  const p = 27 * (i - 13)
  return p >= 0 ? top96(10n ** BigInt(p), 1n, true) : top96(1n, 10n ** BigInt(-p), true)
})

/** 10^-1 to 64 bits, truncated. */
const TENTH = top96(1n, 10n, false) >> 32n

/** The 64 most significant bits of 10^p (-348 <= p <= 347), as SQLite approximates them. */
function powerOfTen(p: number): bigint {
  if (p === -1) return TENTH
  if (p >= 0 && p < 27) return EXACT[p]!
  // p = 27g + n with 0 <= n < 27.
  let g = Math.trunc(p / 27)
  let n = p % 27
  if (n < 0) {
    g--
    n += 27
  }
  const scale = SCALES[g + 13]!
  if (n === 0) return scale >> 32n
  const product = scale * EXACT[n]!
  let x = (product >> 96n) & MASK64
  if (x >> 63n === 0n) x = ((x << 1n) | ((product >> 95n) & 1n)) & MASK64
  return x
}

/** floor(log2(10^p)) and floor(log10(2^p)), as SQLite approximates them (exact in the range used). */
const log2OfPow10 = (p: number): number => Math.floor((p * 108853) / 32768)
const log10OfPow2 = (p: number): number => Math.floor((p * 78913) / 262144)

const view = new DataView(new ArrayBuffer(8))

/**
 * SQLite's significant digits of a positive finite double `r` (most significant first, as numbers
 * 0-9; 18 or 19 of them: the power of ten is chosen from the binary exponent, so that the product
 * has at least 18) and the power of ten of the last: r ≈ digits × 10^exp.
 */
export function sqliteDigits(r: number): { digits: number[]; exp: number } {
  view.setFloat64(0, r)
  const bits = view.getBigUint64(0)
  const biased = Number((bits >> 52n) & 0x7ffn)
  let m = bits & ((1n << 52n) - 1n)
  let e: number
  if (biased === 0) {
    // Subnormal: the fraction shifted up until its top bit is bit 63.
    const shift = 64 - m.toString(2).length
    m <<= BigInt(shift)
    e = -1074 - shift
  } else {
    m = (m << 11n) | (1n << 63n)
    e = biased - 1086
  }
  // r = m × 2^e. Scale by 10^p so that the product has 18 digits, keeping one bit below the last.
  const p = 17 - log10OfPow2(e + 63)
  let h = (m * powerOfTen(p)) >> 64n
  h >>= BigInt(-(e + log2OfPow10(p) + 2))
  h = (h >> 1n) + (h & 1n)
  const text = h.toString()
  const digits = new Array<number>(text.length)
  for (let i = 0; i < text.length; i++) digits[i] = text.charCodeAt(i) - 48
  return { digits, exp: -p }
}
