import { expect } from 'chai'
import { ReaderRegistry } from '../../../src/tx/readers.js'

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
})
