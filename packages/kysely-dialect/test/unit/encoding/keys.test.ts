import { expect } from 'chai'
import { compareBytes, compareValues, Real, type SqlValue } from '../../../src/encoding/values.js'
import { prng as rng } from '../../helpers/random-queries.js'
import {
  decodeKeyInteger,
  decodeKeyNumber,
  encodeKey,
  prefixEnd,
  rowidKey,
  startsWith,
} from '../../../src/encoding/keys.js'

function randomValue(r: () => number): SqlValue {
  const pick = Math.floor(r() * 7)
  switch (pick) {
    case 0:
      return null
    case 1:
      return Math.floor((r() - 0.5) * 2000)
    case 2:
      return (r() - 0.5) * 1e6
    case 3:
      return new Real(Math.floor((r() - 0.5) * 100))
    case 4:
      return Array.from({ length: Math.floor(r() * 4) }, () =>
        String.fromCodePoint([0, 0x41, 0x61, 0xe9, 0xffff, 0x1f600][Math.floor(r() * 6)]!),
      ).join('')
    case 5:
      return new Uint8Array(Array.from({ length: Math.floor(r() * 4) }, () => [0, 1, 0xfe, 0xff][Math.floor(r() * 4)]!))
    default: {
      // 64-bit integers past 2^53, several sharing one double, and the reals they are equal to.
      const big = (2n ** 60n + BigInt(Math.floor((r() - 0.5) * 600))) * (r() < 0.5 ? -1n : 1n)
      return r() < 0.2 ? new Real(Number(big)) : r() < 0.1 ? Number.MAX_SAFE_INTEGER : big
    }
  }
}

describe('encoding/keys', () => {
  it('byte order of encoded keys is SQLite order of the values, composite keys included (seeded)', () => {
    const seed = Number(process.env.SEED ?? 20261201)
    console.log(`      keys order seed: ${seed} (SEED=<n> to replay)`)
    const r = rng(seed)
    for (let i = 0; i < 3000; i++) {
      const a = [randomValue(r), randomValue(r)]
      const b = r() < 0.2 ? [a[0]!, randomValue(r)] : [randomValue(r), randomValue(r)]
      const expected = Math.sign(compareValues(a[0]!, b[0]!) || compareValues(a[1]!, b[1]!))
      const actual = Math.sign(compareBytes(encodeKey(a), encodeKey(b)))
      if (actual !== expected)
        expect.fail(`seed ${seed}: ${String(a)} vs ${String(b)}: bytes say ${actual}, values ${expected}`)
    }
  })

  it('distinct 64-bit integers sharing a double have distinct keys; an equal real has the same key', () => {
    const a = encodeKey([2n ** 60n])
    const b = encodeKey([2n ** 60n + 1n])
    expect(compareBytes(a, b)).to.equal(-1)
    expect(compareBytes(a, encodeKey([new Real(2 ** 60)]))).to.equal(0)
    expect(compareBytes(encodeKey([2n ** 63n - 1n]), encodeKey([2n ** 63n - 2n]))).to.equal(1)
  })

  it('numbers round-trip through rowid keys, and -0 keys as 0', () => {
    for (const n of [0, 1, -1, 2 ** 40, -(2 ** 40), 123456789, Number.MAX_SAFE_INTEGER, 1.5, -2.25, -1e300])
      expect(decodeKeyNumber(rowidKey(n))).to.equal(n)
    expect(compareBytes(rowidKey(-0), rowidKey(0))).to.equal(0)
  })

  it('a prefix end is past every key with that prefix and before the next prefix', () => {
    const p = encodeKey(['ab'])
    const inside = encodeKey(['ab', 'zzz'])
    expect(startsWith(inside, p)).to.equal(true)
    expect(compareBytes(inside, prefixEnd(p))).to.equal(-1)
    expect(compareBytes(prefixEnd(p), encodeKey(['ab\u0000']))).to.equal(-1)
    expect(compareBytes(prefixEnd(p), encodeKey(['abc']))).to.equal(-1)
  })

  it('decodeKeyNumber reads back every double a key holds, at any offset: both signs, subnormals, infinities (seeded)', () => {
    const seed = Number(process.env.SEED ?? 20261207)
    console.log(`      decodeKeyNumber seed: ${seed} (SEED=<n> to replay)`)
    const r = rng(seed)
    const bits = new DataView(new ArrayBuffer(8))
    const doubles = [
      0,
      1,
      -1,
      0.1,
      -0.1,
      5e-324,
      -5e-324,
      2.2250738585072014e-308,
      Infinity,
      -Infinity,
      1.7976931348623157e308,
    ]
    for (let i = 0; i < 5000; i++) {
      // Any bit pattern but a NaN's.
      bits.setUint32(0, Math.floor(r() * 2 ** 32))
      bits.setUint32(4, Math.floor(r() * 2 ** 32))
      const d = bits.getFloat64(0)
      if (!Number.isNaN(d)) doubles.push(d)
    }
    for (const d of doubles) {
      const key = encodeKey(['x', d])
      const at = encodeKey(['x']).length
      const back = decodeKeyNumber(key, at)
      if (!Object.is(back, d === 0 ? 0 : d)) expect.fail(`seed ${seed}: ${d} read back as ${back}`)
    }
    // The exact integer past 2^53: the double and the distance, at an offset.
    const big = 2n ** 60n + 3n
    const key = encodeKey(['x', -big])
    expect(decodeKeyInteger(key, encodeKey(['x']).length)).to.equal(-big)
  })

  it('decodeKeyNumber never writes into the key it reads (a Buffer slice would be a view)', () => {
    const key = Buffer.from(rowidKey(7))
    const before = Buffer.from(key)
    decodeKeyNumber(key)
    expect(key.equals(before)).to.equal(true)
  })
})
