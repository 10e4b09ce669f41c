import { expect } from 'chai'
import { Prng } from '../../../src/io/prng.js'
import { ReaderRegistry } from '../../../src/tx/readers.js'

const SEED = Number(process.env.SEED ?? 9)

describe('tx/ReaderRegistry', () => {
  it('oldest is Infinity with no readers, and the smallest txid seen otherwise', () => {
    const r = new ReaderRegistry()
    expect(r.oldest()).to.equal(Infinity)
    r.add(10)
    r.add(7)
    r.add(12)
    expect(r.oldest()).to.equal(7)
    expect(r.size).to.equal(3)
  })

  it('counts readers per txid: the txid stays until its last reader leaves', () => {
    const r = new ReaderRegistry()
    r.add(5)
    r.add(5)
    r.add(9)
    r.remove(5)
    expect(r.oldest()).to.equal(5)
    r.remove(5)
    expect(r.oldest()).to.equal(9)
    r.remove(9)
    expect(r.oldest()).to.equal(Infinity)
    expect(r.size).to.equal(0)
  })

  it('removing a txid with no reader changes nothing (a double close)', () => {
    const r = new ReaderRegistry()
    r.add(3)
    r.remove(4)
    r.remove(3)
    r.remove(3)
    expect(r.size).to.equal(0)
    r.add(8)
    expect(r.oldest()).to.equal(8)
  })

  it(`agrees with a plain count per txid through any sequence of adds and removes (seed ${SEED})`, () => {
    // The last txid readers registered under is counted outside the Map: a model checks that
    // moving between the field and the Map loses no reader and invents none.
    const rng = new Prng(SEED)
    const r = new ReaderRegistry()
    const model = new Map<number, number>()
    for (let step = 0; step < 20_000; step++) {
      const txid = rng.range(1, 6)
      if (rng.bool(0.55)) {
        r.add(txid)
        model.set(txid, (model.get(txid) ?? 0) + 1)
      } else {
        r.remove(txid)
        const n = model.get(txid) ?? 0
        if (n <= 1) model.delete(txid)
        else model.set(txid, n - 1)
      }
      const live = [...model.keys()]
      expect(r.oldest(), `step ${step}`).to.equal(live.length === 0 ? Infinity : Math.min(...live))
      expect(r.size, `step ${step}`).to.equal([...model.values()].reduce((a, b) => a + b, 0))
    }
  })
})
