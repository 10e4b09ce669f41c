import { expect } from 'chai'
import { compare } from '../../src/bytes.js'

describe('bytes', () => {
  const seed = Date.now() >>> 0
  it(`compare agrees in sign with Buffer.compare, on short keys (compared in JavaScript) and long ones (seed ${seed})`, () => {
    let state = seed
    const next = (): number => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0
      return state
    }
    // Few distinct byte values and shared prefixes, so that ties, prefixes and near misses are common.
    const key = (): Buffer => {
      const length = next() % 3 === 0 ? 60 + (next() % 10) : next() % 20
      const out = Buffer.alloc(length)
      for (let i = 0; i < length; i++)
        out[i] = i < 50 && next() % 4 !== 0 ? 0x61 : next() % 3 === 0 ? 0xff : 0x61 + (next() % 3)
      return out
    }
    for (let i = 0; i < 5000; i++) {
      const a = key()
      const b = next() % 5 === 0 ? Buffer.from(a) : key()
      const view = new Uint8Array(a.buffer, a.byteOffset, a.byteLength)
      expect(Math.sign(compare(view, b)), `seed ${seed}: ${a.toString('hex')} vs ${b.toString('hex')}`).to.equal(
        Buffer.compare(a, b),
      )
    }
    expect(compare(new Uint8Array(0), Uint8Array.of(0))).to.be.below(0)
    expect(compare(Uint8Array.of(0xff), Uint8Array.of(0x00, 0xff))).to.be.above(0)
  })
})
