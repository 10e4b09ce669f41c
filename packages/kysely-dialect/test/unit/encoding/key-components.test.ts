import { expect } from 'chai'
import { AMBIGUOUS, componentEnd, componentsEnd, decodeComponent } from '../../../src/encoding/key-components.js'
import { encodeKey } from '../../../src/encoding/keys.js'
import { Real, type SqlValue } from '../../../src/encoding/values.js'

describe('encoding/key-components', () => {
  const values: SqlValue[] = [null, 0, -7, 2.5, 'a\u0000b', '', 'é😀', new Uint8Array([0, 0xff, 1]), new Uint8Array(0)]

  it('finds where each component of a composite key ends', () => {
    const key = encodeKey(values)
    let at = 0
    for (const v of values) {
      const end = componentEnd(key, at)
      expect(end - at, `component ${String(v)}`).to.equal(encodeKey([v]).length)
      at = end
    }
    expect(at).to.equal(key.length)
    expect(componentsEnd(key, 3)).to.equal(encodeKey(values.slice(0, 3)).length)
  })

  it('reads text, blobs and null back exactly, at any position', () => {
    const key = encodeKey(values)
    let at = 0
    for (const v of values) {
      const got = decodeComponent(key, at, 'unknown')
      if (typeof v === 'number') expect(got === AMBIGUOUS || got === v).to.equal(true)
      else expect(got).to.deep.equal(v)
      at = componentEnd(key, at)
    }
  })

  it('reads numbers by the column affinity: integers, reals, or ambiguous', () => {
    const one = (v: SqlValue, reading: 'integer' | 'real' | 'unknown'): unknown =>
      decodeComponent(encodeKey([v]), 0, reading)
    expect(one(42, 'integer')).to.equal(42)
    expect(one(2.5, 'integer')).to.equal(2.5)
    expect(one(new Real(3), 'real')).to.deep.equal(new Real(3))
    expect(one(0.5, 'real')).to.equal(0.5)
    // Whole numbers in a column without affinity may be integers or reals: the row decides.
    expect(one(3, 'unknown')).to.equal(AMBIGUOUS)
    expect(one(-1.25, 'unknown')).to.equal(-1.25)
    // Past 2^53 a key does not tell an integer from the real it equals.
    expect(one(2n ** 60n, 'integer')).to.equal(AMBIGUOUS)
  })

  it('reads a key in place inside a larger buffer, to its end and no further (an index entry read through Cursor.keyRef)', () => {
    const key = encodeKey(values)
    // The key between other bytes, the ones after it a text's start that never ends.
    const page = new Uint8Array(key.length + 20).fill(0x61)
    page.set(key, 7)
    page[7 + key.length] = 0x40
    let at = 7
    for (const v of values) {
      const got = decodeComponent(page, at, 'integer', 7 + key.length)
      if (typeof v === 'number') expect(got).to.equal(v)
      else expect(got).to.deep.equal(v)
      at = componentEnd(page, at, 7 + key.length)
    }
    expect(at).to.equal(7 + key.length)
    expect(componentsEnd(page, values.length, 7, 7 + key.length)).to.equal(7 + key.length)
    // A text component cut off by the key's end ends there, not at the buffer's.
    const cut = encodeKey(['abc']).subarray(0, 3)
    const inside = new Uint8Array(10).fill(0x62)
    inside.set(cut, 2)
    expect(componentEnd(inside, 2, 5)).to.equal(5)
    expect(decodeComponent(inside, 2, 'unknown', 5)).to.equal('')
  })
})
