import { expect } from 'chai'
import { arithmetic, ARITHMETIC, castInteger, like, negate } from '../../../src/expression/operators.js'
import { formatReal } from '../../../src/encoding/real-text.js'
import { fromJs, Real, toJs, type SqlValue } from '../../../src/encoding/values.js'

const rem = (a: SqlValue, b: SqlValue): unknown => toJs(arithmetic(ARITHMETIC['%']!, '%', a, b))

describe('expression/operators', () => {
  it('% casts non-integers as CAST(x AS INTEGER): text by its integer prefix, huge reals clamped', () => {
    expect([
      rem(31, '1e3'),
      rem('1e3', 7),
      rem('12.9', 5),
      rem(new Real(1e20), 7),
      rem(new Real(-1e20), 7),
      rem(' 12 ', 5),
      rem(5, 0.5),
    ]).to.deep.equal([0, 1, 2, 0, -1, 2, null])
    expect(castInteger('  -42abc')).to.equal(-42n)
  })

  it('unary minus is 0 - x: negating a real zero gives 0, never -0', () => {
    expect(Object.is(toJs(negate(new Real(0))), 0)).to.equal(true)
    expect(toJs(negate(-(2 ** 63) as unknown as SqlValue))).to.equal(2 ** 63)
  })

  it('a JS number beyond 64 bits binds as a real; the text -0 reads as a negative zero', () => {
    expect(fromJs(1e20)).to.be.instanceOf(Real)
    expect(toJs(arithmetic(ARITHMETIC['/']!, '/', fromJs(1e20), 3))).to.be.closeTo(3.33e19, 1e18)
    expect(Object.is(toJs(arithmetic(ARITHMETIC['*']!, '*', '3.5', '-0')), -0)).to.equal(true)
  })

  it('like patterns holding regular expression syntax are literal', () => {
    expect(like('-1', '-%')).to.equal(true)
    expect(like('a-b', '%-%')).to.equal(true)
    expect(like('a/b', 'a/b')).to.equal(true)
  })

  it('reals as text take SQLite 3.4x form', () => {
    const cases: [number, string][] = [
      [0.1, '0.1'],
      [1e20, '1.0e+20'],
      [1e15, '1000000000000000.0'],
      [1e16, '10000000000000000.0'],
      [1e17, '1.0e+17'],
      [123456789012345680, '1.2345678901234568e+17'],
      [1e-5, '1.0e-05'],
      [1e-4, '0.0001'],
      [100.5, '100.5'],
      [9007199254740996, '9007199254740996.0'],
      [0.30000000000000004, '0.30000000000000004'],
      [-2.5e-300, '-2.5e-300'],
      [-0, '0.0'],
    ]
    for (const [n, text] of cases) expect(formatReal(n), String(n)).to.equal(text)
  })
})
