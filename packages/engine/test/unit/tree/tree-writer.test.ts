import { expect } from 'chai'
import { Node, OverflowValue } from '../../../src/tree/node.js'
import type { Pager } from '../../../src/store/pager.js'
import { type WriterOwner, newTreeWriter } from '../../../src/tree/tree-context.js'

/** An owner that answers `adopt` as told and lists what it is told. */
class Owner implements WriterOwner {
  readonly adopted: Node[] = []
  readonly loaded: Node[] = []
  constructor(readonly answer: boolean) {}
  adopt(node: Node): boolean {
    this.adopted.push(node)
    return this.answer
  }
  nodeLoaded(node: Node): void {
    this.loaded.push(node)
  }
}

const pager = null as unknown as Pager

describe('tree: newTreeWriter (its callbacks reach its owner, and are one function for every writer)', () => {
  it("adopt, onLoad and freeOverflow reach the writer's own owner and freed list", () => {
    const a = new Owner(true)
    const b = new Owner(false)
    const freedA: OverflowValue[] = []
    const wa = newTreeWriter({ pageSize: 4096, pager, gen: 3, owner: a, freed: freedA })
    const wb = newTreeWriter({ pageSize: 4096, pager, gen: 4, owner: b })
    const n1 = Node.emptyLeaf()
    const n2 = Node.emptyLeaf()
    expect(wa.adopt!(n1)).to.equal(true)
    expect(wb.adopt!(n2)).to.equal(false)
    wa.onLoad!(n2)
    const v = new OverflowValue(9, 2, 5000)
    wa.freeOverflow(v)
    wb.freeOverflow(v)
    expect(a.adopted).to.deep.equal([n1])
    expect(b.adopted).to.deep.equal([n2])
    expect(a.loaded).to.deep.equal([n2])
    expect(b.loaded).to.deep.equal([])
    expect(freedA).to.deep.equal([v])
    expect([wa.gen, wb.gen]).to.deep.equal([3, 4])
  })

  it('a writer without an owner adopts nothing and counts nothing', () => {
    const w = newTreeWriter({ pageSize: 4096, pager })
    expect(w.adopt!(Node.emptyLeaf())).to.equal(false)
    expect(() => w.onLoad!(Node.emptyLeaf())).not.to.throw()
    expect(w.gen).to.equal(0)
    expect(w.path).to.not.equal(undefined)
  })

  it('two writers share each callback: no closure per writer for optimized code to hold (shapes.test.ts)', () => {
    const w1 = newTreeWriter({ pageSize: 4096, pager, owner: new Owner(true), freed: [] })
    const w2 = newTreeWriter({ pageSize: 4096, pager, owner: new Owner(false), freed: [] })
    const w3 = newTreeWriter({ pageSize: 4096, pager })
    for (const name of ['adopt', 'onLoad', 'freeOverflow'] as const) {
      expect(w1[name], name).to.be.a('function')
      expect(w1[name], name).to.equal(w2[name])
      expect(w1[name], name).to.equal(w3[name])
    }
    expect(Object.getPrototypeOf(w1)).to.equal(Object.getPrototypeOf(w3))
  })
})
