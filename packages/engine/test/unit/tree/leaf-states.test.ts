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
  it('saved bytes are written back newest first, over repeated overwrites of one range; savedPage answers only for the current epoch', () => {
    const states = new LeafStates<string>()
    const page = Buffer.alloc(4096, 1)
    const other = Buffer.alloc(4096, 2)
    const epoch = states.epoch
    states.save('a', page, 1, 2, 3, 4, 5, 6)
    expect(states.savedPage(0, epoch)).to.equal(page)
    expect(states.savedPage(1, epoch)).to.equal(undefined)
    expect(states.savedPage(0, epoch + 1)).to.equal(undefined)
    // More bytes than the undo arena starts with, and one range overwritten three times.
    const original = Buffer.from(page)
    for (let round = 0; round < 3; round++)
      for (let at = 100; at < 4000; at += 120) {
        states.saveBytes(page, at, 100)
        page.fill(0x10 + round, at, at + 100)
      }
    states.restoreBytes()
    expect(page.equals(original), 'every byte as before the first overwrite').to.equal(true)
    expect(other.every((b) => b === 2)).to.equal(true)
    states.clear()
    expect(states.epoch).to.not.equal(epoch)
    expect(states.savedPage(0, epoch)).to.equal(undefined)
    // After a clear, nothing saved before is written back.
    page.fill(9)
    states.restoreBytes()
    expect(page.every((b) => b === 9)).to.equal(true)
  })
  it('instances hand their arrays on at clear: one in use keeps its entries while others clear and save', () => {
    // A fills, B fills, A clears (its arrays become the spare), C saves into them, B and C restore.
    const fillStates = (states: LeafStates<string>, tag: string, leaves: number): Buffer[] => {
      const pages: Buffer[] = []
      for (let i = 0; i < leaves; i++) {
        const page = Buffer.alloc(HEADER_SIZE + SLOT_SIZE * 40, (i + tag.length) & 0xff)
        pages.push(page)
        states.save(`${tag}${i}`, page, i, i + 1, i + 2, 40, i + 3, i + 4)
        states.saveBytes(page, HEADER_SIZE + SLOT_SIZE * 40 - 10, 10)
      }
      return pages
    }
    const check = (states: LeafStates<string>, tag: string, pages: Buffer[]): void => {
      expect(states.length).to.equal(pages.length)
      for (const page of pages) page.fill(0xee)
      states.restoreBytes()
      for (let i = pages.length - 1; i >= 0; i--) {
        expect(states.node(i)).to.equal(`${tag}${i}`)
        expect([states.gen(i), states.size(i), states.top(i)]).to.deep.equal([i, i + 1, i + 3])
        states.restoreSlots(i)
        const want = (i + tag.length) & 0xff
        expect(
          pages[i]!.subarray(HEADER_SIZE, HEADER_SIZE + SLOT_SIZE * 40).every((b) => b === want),
          `${tag}${i} slots`,
        ).to.equal(true)
        expect(
          pages[i]!.subarray(HEADER_SIZE + SLOT_SIZE * 40 - 10).every((b) => b === want),
          `${tag}${i} bytes`,
        ).to.equal(true)
      }
    }
    const a = new LeafStates<string>()
    const b = new LeafStates<string>()
    const c = new LeafStates<string>()
    fillStates(a, 'a', 500)
    const bPages = fillStates(b, 'bb', 700)
    a.clear()
    expect(a.length).to.equal(0)
    const cPages = fillStates(c, 'ccc', 300)
    // Saving again after a clear (a reset), while the others are in use, takes other arrays.
    const aPages = fillStates(a, 'a', 50)
    check(b, 'bb', bPages)
    check(c, 'ccc', cPages)
    check(a, 'a', aPages)
    for (const states of [a, b, c]) states.clear()
  })
})
