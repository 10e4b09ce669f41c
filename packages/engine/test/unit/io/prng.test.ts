import { expect } from 'chai'
import { thrown } from './rejection.js'
import { Prng } from '../../../src/io/prng.js'

function draws(prng: Prng, n: number): number[] {
  return Array.from({ length: n }, () => prng.next())
}

describe('Prng', () => {
  it('is mulberry32: pinned values, so saved failing seeds keep replaying after refactors', () => {
    expect(draws(new Prng(42), 3)).to.deep.equal([0.6011037519201636, 0.44829055899754167, 0.8524657934904099])
  })

  it('gives the same sequence for the same seed and different ones for different seeds', () => {
    expect(draws(new Prng(7), 100)).to.deep.equal(draws(new Prng(7), 100))
    expect(draws(new Prng(7), 100)).to.not.deep.equal(draws(new Prng(8), 100))
  })

  it('reduces the seed to 32 bits and reports it', () => {
    expect(new Prng(2 ** 32 + 5).seed).to.equal(5)
    expect(draws(new Prng(2 ** 32 + 5), 10)).to.deep.equal(draws(new Prng(5), 10))
    expect(new Prng(-1).seed).to.equal(0xffffffff)
  })

  it('next() stays in [0, 1) with a mean near one half', () => {
    const values = draws(new Prng(1), 20000)
    for (const v of values) {
      expect(v).to.be.at.least(0)
      expect(v).to.be.below(1)
    }
    const mean = values.reduce((a, b) => a + b, 0) / values.length
    expect(mean).to.be.closeTo(0.5, 0.02)
  })

  it('int(n) covers 0..n-1 about evenly and nothing else', () => {
    const prng = new Prng(3)
    const seen = new Array<number>(7).fill(0)
    for (let i = 0; i < 7000; i++) {
      const v = prng.int(7)
      expect(Number.isInteger(v)).to.equal(true)
      seen[v]!++
    }
    expect(seen).to.have.length(7)
    for (const count of seen) expect(count).to.be.within(850, 1150)
    expect(new Prng(3).int(1)).to.equal(0)
  })

  it('range(min, max) includes both ends', () => {
    const prng = new Prng(4)
    const seen = new Set<number>()
    for (let i = 0; i < 500; i++) seen.add(prng.range(-2, 2))
    expect([...seen].sort((a, b) => a - b)).to.deep.equal([-2, -1, 0, 1, 2])
  })

  it('bool(p) is never true at 0, always at 1, and about p of the time between', () => {
    const prng = new Prng(5)
    let trues = 0
    for (let i = 0; i < 10000; i++) {
      expect(prng.bool(0)).to.equal(false)
      expect(prng.bool(1)).to.equal(true)
      if (prng.bool(0.3)) trues++
    }
    expect(trues / 10000).to.be.closeTo(0.3, 0.02)
  })

  it('shuffle() permutes in place, reproducibly', () => {
    const a = Array.from({ length: 20 }, (_, i) => i)
    const shuffled = new Prng(6).shuffle([...a])
    expect(shuffled).to.not.deep.equal(a)
    expect([...shuffled].sort((x, y) => x - y)).to.deep.equal(a)
    expect(new Prng(6).shuffle([...a])).to.deep.equal(shuffled)
  })

  it('pick() and bytes() draw from the generator', () => {
    const prng = new Prng(9)
    const picks = new Set(Array.from({ length: 200 }, () => prng.pick(['a', 'b', 'c'])))
    expect([...picks].sort()).to.deep.equal(['a', 'b', 'c'])
    const bytes = new Prng(9).bytes(64)
    expect(bytes).to.have.length(64)
    expect(new Prng(9).bytes(64)).to.deep.equal(bytes)
    expect(new Set(bytes).size).to.be.above(30)
  })

  it('fork() gives a child whose draws do not shift the parent', () => {
    const a = new Prng(10)
    const b = new Prng(10)
    const childA = a.fork()
    b.fork()
    draws(childA, 50)
    expect(draws(a, 10)).to.deep.equal(draws(b, 10))
    expect(draws(new Prng(10).fork(), 10)).to.not.deep.equal(draws(new Prng(10), 10))
  })

  it('rejects out-of-range arguments with RangeError, code ERR_OUT_OF_RANGE (as Node raises it)', () => {
    const prng = new Prng(11)
    const calls = [
      () => new Prng(Number.NaN),
      () => prng.int(0),
      () => prng.int(1.5),
      () => prng.range(3, 2),
      () => prng.bool(1.5),
      () => prng.bool(Number.NaN),
      () => prng.pick([]),
      () => prng.bytes(-1),
    ]
    for (const fn of calls) {
      const err = thrown(fn)
      expect(err).to.be.instanceOf(RangeError)
      expect(err.code).to.equal('ERR_OUT_OF_RANGE')
    }
  })
})
