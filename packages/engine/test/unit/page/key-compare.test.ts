import { expect } from 'chai'
import { compareKeys, comparePageKeyFrom } from '../../../src/page/key-compare.js'
import { Prng } from '../../../src/io/prng.js'

const sign = (n: number): number => Math.sign(n)

describe('page/key-compare', () => {
  it('orders bytewise, unsigned, shorter prefix first (short keys)', () => {
    const cases: Array<[number[], number[], number]> = [
      [[1], [2], -1],
      [[2], [1], 1],
      [[1, 2], [1, 2], 0],
      [[1], [1, 0], -1],
      [[1, 0], [1], 1],
      [[0x7f], [0x80], -1],
      [[0xff], [0x00, 0xff], 1],
      [[], [0], -1],
      [[], [], 0],
    ]
    for (const [a, b, want] of cases)
      expect(sign(compareKeys(Uint8Array.from(a), Uint8Array.from(b))), `${a} vs ${b}`).to.equal(want)
  })

  it('long keys (over the byte-loop limit) agree with Buffer.compare, differences anywhere', () => {
    const rng = new Prng(42)
    for (let i = 0; i < 2000; i++) {
      const len = rng.range(40, 300)
      const a = Buffer.from(rng.bytes(len))
      const b = Buffer.from(a.subarray(0, rng.bool() ? len : rng.range(0, len)))
      if (b.length > 0 && rng.bool()) b[rng.int(b.length)] = rng.int(256)
      expect(sign(compareKeys(a, b))).to.equal(Buffer.compare(a, b))
      expect(sign(compareKeys(b, a))).to.equal(Buffer.compare(b, a))
    }
  })

  it('a long prefix sorts before its extension', () => {
    const a = Buffer.alloc(100, 9)
    const b = Buffer.concat([a, Buffer.of(0)])
    expect(compareKeys(a, b)).to.be.lessThan(0)
    expect(compareKeys(b, a)).to.be.greaterThan(0)
  })

  it('comparePageKeyFrom compares a key stored at an offset in a page without copying', () => {
    const rng = new Prng(3)
    for (let i = 0; i < 1000; i++) {
      const stored = Buffer.from(rng.bytes(rng.range(0, 120)))
      const key = rng.bool() ? Buffer.from(stored) : Buffer.from(rng.bytes(rng.range(0, 120)))
      if (rng.bool() && key.length > 0) key[key.length - 1] = rng.int(256)
      const page = Buffer.alloc(stored.length + 37, 0xee)
      stored.copy(page, 17)
      expect(sign(comparePageKeyFrom(page, 17, stored.length, key, 0))).to.equal(Buffer.compare(stored, key))
    }
  })
})
