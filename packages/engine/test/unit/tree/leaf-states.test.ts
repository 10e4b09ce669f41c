import { expect } from 'chai'
import { Prng } from '../../../src/io/prng.js'
import { HEADER_SIZE, SLOT_SIZE } from '../../../src/page/layout.js'
import { LeafStates } from '../../../src/tree/leaf-states.js'

describe('tree: LeafStates (the published states of leaves edited in place)', () => {
  const seed = 20261203
  it(`gives back every saved field and slot, past the arrays' first sizes and after a clear (seed ${seed})`, () => {
    const rng = new Prng(seed)
    const states = new LeafStates<string>()
    for (let round = 0; round < 3; round++) {
      // More leaves and slot bytes than the arrays start with: they grow, keeping what was saved.
      const pages: Buffer[] = []
      const slots: Buffer[] = []
      const leaves = 300 + round * 100
      for (let i = 0; i < leaves; i++) {
        const count = rng.int(200)
        const page = Buffer.alloc(HEADER_SIZE + SLOT_SIZE * count + 8)
        for (let b = 0; b < page.length; b++) page[b] = rng.int(256)
        pages.push(page)
        slots.push(Buffer.from(page.subarray(HEADER_SIZE, HEADER_SIZE + SLOT_SIZE * count)))
        states.save(`leaf ${round}.${i}`, page, 1000 + i, 2000 + i, 3000 + i, count, 4000 + i, 5000 + i)
      }
      expect(states.length).to.equal(leaves)
      // The edits in place write the slots: restoring writes them back, and only them.
      for (const page of pages) page.fill(0xee, HEADER_SIZE)
      for (let i = leaves - 1; i >= 0; i--) {
        expect(states.node(i)).to.equal(`leaf ${round}.${i}`)
        expect([states.gen(i), states.size(i), states.orig(i), states.top(i), states.garbage(i)]).to.deep.equal([
          1000 + i,
          2000 + i,
          3000 + i,
          4000 + i,
          5000 + i,
        ])
        expect(states.base(i)).to.equal(pages[i])
        expect(states.count(i)).to.equal(slots[i]!.length / SLOT_SIZE)
        states.restoreSlots(i)
        const page = pages[i]!
        expect(page.subarray(HEADER_SIZE, HEADER_SIZE + slots[i]!.length).equals(slots[i]!), `leaf ${i}`).to.equal(true)
        expect(page.subarray(HEADER_SIZE + slots[i]!.length).every((b) => b === 0xee)).to.equal(true)
      }
      states.clear()
      expect(states.length).to.equal(0)
    }
  })
})
