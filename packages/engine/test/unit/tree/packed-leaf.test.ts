import { expect } from 'chai'
import { Prng } from '../../../src/io/prng.js'
import { HEADER_SIZE, SLOT_SIZE, pageCount } from '../../../src/page/layout.js'
import { leafEntryOffset, leafEntrySizeAt, leafKey, leafValueBytes } from '../../../src/page/leaf-page.js'
import { checksumOk } from '../../../src/page/checksum.js'
import { Node, valueAt } from '../../../src/tree/node.js'
import { treeDelete, treePut } from '../../../src/tree/modify.js'
import { treeGet } from '../../../src/tree/search.js'
import type { Pager } from '../../../src/store/pager.js'
import type { TreeWriter } from '../../../src/tree/tree-context.js'

const noLongKeys = {
  readKey(): Uint8Array {
    throw new Error('no out-of-line key here')
  },
}
const key = (i: number): Buffer => Buffer.from(String(i).padStart(6, '0'))
const value = (rng: Prng, max: number, fill: number): Buffer => Buffer.alloc(rng.int(max), fill & 0xff)

/** A packed leaf's slots name entries inside the page, and its size is what they take. */
function expectConsistent(n: Node, pageSize: number, what: string): void {
  let size = HEADER_SIZE + SLOT_SIZE * n.count
  for (let i = 0; i < n.count; i++) {
    const off = leafEntryOffset(n.base!, i)
    expect(off, `${what}: slot ${i}`).to.be.within(HEADER_SIZE + SLOT_SIZE * n.count, pageSize - 1)
    size += leafEntrySizeAt(n.base!, off)
  }
  expect(n.size, `${what}: size`).to.equal(size)
}

describe('tree: packed leaves (page bytes edited in place)', () => {
  const seed = 20261202
  for (const pageSize of [512, 1024, 4096]) {
    it(`inserts, replaces, removes and splits agree with a sorted model, and encode as the same entries (page size ${pageSize}, seed ${seed})`, () => {
      const rng = new Prng(seed + pageSize)
      for (let round = 0; round < 50; round++) {
        let leaf = Node.packedLeaf(pageSize)
        let model: Array<[number, Buffer]> = []
        for (let step = 0; step < 60; step++) {
          const op = rng.int(5)
          const what = `round ${round} step ${step} op ${op}`
          if (op === 0 && model.length > 0) {
            const p = rng.int(model.length)
            leaf.removePacked(p, pageSize)
            model.splice(p, 1)
          } else if (op === 1 && model.length > 0) {
            const p = rng.int(model.length)
            const v = value(rng, pageSize / 16, step)
            if (leaf.replacePacked(p, key(model[p]![0]), v, pageSize)) model[p]![1] = v
          } else if (op === 2 && model.length > 3) {
            // A split keeps the order across the halves; go on with one of them.
            const right = leaf.splitPacked(pageSize)
            expectConsistent(leaf, pageSize, `${what} left`)
            expectConsistent(right, pageSize, `${what} right`)
            expect(leaf.count + right.count).to.equal(model.length)
            expect(leaf.compareLast(right.firstKey())).to.be.below(0)
            if (rng.int(2) === 0) model = model.slice(0, leaf.count)
            else {
              model = model.slice(leaf.count)
              leaf = right
            }
          } else {
            const k = rng.int(1000)
            const f = leaf.find(key(k), 0)
            const v = value(rng, pageSize / 16, step)
            if (f < 0 && leaf.insertPacked(-1 - f, key(k), v, pageSize)) model.splice(-1 - f, 0, [k, v])
          }
          expectConsistent(leaf, pageSize, what)
          for (const [i, [k, v]] of model.entries()) {
            expect(leaf.find(key(k), 0), `${what}: find ${k}`).to.equal(i)
            expect(Buffer.from(leaf.packedValue(i)).equals(v), `${what}: value ${k}`).to.equal(true)
          }
        }
        // The page written is a valid leaf of the same entries, in order.
        const page = leaf.encodePacked(7, 3, Buffer.alloc(pageSize, 0xee))
        expect(checksumOk(page)).to.equal(true)
        expect(pageCount(page)).to.equal(model.length)
        for (const [i, [k, v]] of model.entries()) {
          expect(Buffer.from(leafKey(page, i, noLongKeys)).equals(key(k))).to.equal(true)
          expect(leafValueBytes(page, i).equals(v)).to.equal(true)
        }
        // Sealed in its own page (a leaf written ahead, tx/early-pages.ts), when it may be: the same
        // bytes; and a copy, which shares the page, encodes the same bytes again.
        const sealed = leaf.sealInPlace(7, 3)
        if (sealed !== undefined) expect(sealed.equals(page), 'sealed in place').to.equal(true)
        const copy = leaf.clone(leaf.gen + 1)
        expect(copy.encodePacked(7, 3, Buffer.alloc(pageSize, 0x11)).equals(page), 'a copy').to.equal(true)
        // Decoded, it holds the same entries.
        expect(leaf.keys.map((k) => Buffer.from(k).toString())).to.deep.equal(model.map(([k]) => key(k).toString()))
        for (let i = 0; i < model.length; i++)
          expect(Buffer.from(valueAt(leaf, i) as Uint8Array).equals(model[i]![1])).to.equal(true)
      }
    })
  }

  it('a leaf of appends is sealed in its own page as encodePacked writes it; a copy or a leaf with garbage is not', () => {
    const pageSize = 1024
    const leaf = Node.packedLeaf(pageSize)
    for (let i = 0; i < 12; i++) expect(leaf.appendPacked(key(i), Buffer.alloc(30, i), pageSize)).to.equal(true)
    const page = leaf.encodePacked(9, 4, Buffer.alloc(pageSize, 0xee))
    const sealed = leaf.sealInPlace(9, 4)
    expect(sealed, 'the leaf that owns its page').to.not.equal(undefined)
    expect(sealed!.equals(page)).to.equal(true)
    expect(sealed).to.equal(leaf.base)
    // A copy shares the page (and the original no longer owns it); an edit then gives the copy a
    // page of its own, with garbage after a removal.
    const copy = leaf.clone(leaf.gen + 1)
    expect(copy.sealInPlace(9, 4), 'a copy sharing the page').to.equal(undefined)
    expect(leaf.sealInPlace(9, 4), 'a page shared with a copy').to.equal(undefined)
    copy.removePacked(3, pageSize)
    expect(copy.base).to.not.equal(leaf.base)
    expect(copy.sealInPlace(9, 4), 'a page with garbage').to.equal(undefined)
  })

  it('every page a packed leaf takes is an allocation of its own, and a split separator is a copy (slabs: one page pinned 64 KiB)', () => {
    // Regression: pages came from 16-page slabs, and a page still held (a leaf's, a cached one)
    // kept its whole slab alive: a 200,000-key random fill held ~6,400 slabs (400 MiB) for 5,700
    // leaves of 4 KiB. A page's buffer must be exactly the page.
    const pageSize = 1024
    const own = (b: Buffer | null, what: string): void => {
      expect(b, what).to.not.equal(null)
      expect(b!.byteOffset, `${what}: offset`).to.equal(0)
      expect(b!.buffer.byteLength, `${what}: allocation`).to.equal(pageSize)
    }
    const leaf = Node.packedLeaf(pageSize)
    own(leaf.base, 'a new leaf')
    for (let i = 0; i < 20; i++) expect(leaf.appendPacked(key(i), Buffer.alloc(30, i), pageSize)).to.equal(true)
    const first = leaf.base
    // A copy's first edit takes a page; so does a relayout over garbage.
    const copy = leaf.clone(leaf.gen + 1)
    copy.removePacked(0, pageSize)
    expect(copy.base).to.not.equal(first)
    own(copy.base, 'a copy edited')
    let i = 100
    const before = copy.base
    while (copy.base === before) {
      const at = copy.find(key(i), 0)
      if (!copy.replacePacked(at >= 0 ? at : 0, copy.firstKey(), Buffer.alloc(30, i), pageSize)) break
      i++
    }
    own(copy.base, 'a relayout')
    const right = copy.splitPacked(pageSize)
    own(right.base, "a split's right half")
    const sep = right.firstKey()
    expect(sep.buffer, 'the separator').to.not.equal(right.base!.buffer)
    expect(Buffer.from(sep).equals(Buffer.from(right.keyList[0]!))).to.equal(true)
  })

  it(`relayout of a 64 KiB leaf of thousands of tiny entries keeps every entry (sorted by offset without insertion sort, seed ${seed})`, () => {
    const pageSize = 65536
    const rng = new Prng(seed)
    let leaf = Node.packedLeaf(pageSize)
    const model: Array<[number, Buffer]> = []
    for (let step = 0; step < 4000; step++) {
      const k = rng.int(100000)
      const v = Buffer.alloc(rng.int(4), step & 0xff)
      const f = leaf.find(key(k), 0)
      if (f >= 0) {
        if (leaf.replacePacked(f, key(k), v, pageSize)) model.find(([m]) => m === k)![1] = v
      } else if (leaf.insertPacked(-1 - f, key(k), v, pageSize)) model.splice(-1 - f, 0, [k, v])
      // Now and then a copy goes on: its first edit lays the entries out again in a page of its own.
      if (step % 997 === 0) leaf = leaf.clone(leaf.gen + 1)
    }
    expect(leaf.count).to.be.above(1000)
    expectConsistent(leaf, pageSize, 'after the edits')
    const page = leaf.encodePacked(5, 2, Buffer.alloc(pageSize, 0xee))
    expect(checksumOk(page)).to.equal(true)
    expect(pageCount(page)).to.equal(model.length)
    for (const [i, [k, v]] of model.entries()) {
      expect(Buffer.from(leafKey(page, i, noLongKeys)).equals(key(k)), `key ${i}`).to.equal(true)
      expect(leafValueBytes(page, i).equals(v), `value ${i}`).to.equal(true)
    }
  })

  it(`treePut and treeDelete over packed leaves agree with a Map (ascending runs between random puts and deletes, seed ${seed})`, () => {
    const pageSize = 1024
    const ctx: TreeWriter = { pageSize, pager: null as unknown as Pager, freeOverflow: () => {}, putHint: undefined }
    let root = Node.packedLeaf(pageSize) as Node | ReturnType<typeof treePut>['root']
    const model = new Map<number, Buffer>()
    const rng = new Prng(seed)
    for (let step = 0; step < 6000; step++) {
      const r = rng.int(10)
      if (r < 6) {
        const i = rng.int(3000)
        const v = value(rng, 60, step)
        root = treePut(ctx, root, key(i), v).root
        model.set(i, v)
      } else if (r < 8) {
        const s = rng.int(3000)
        for (let j = 0; j < 20; j++) {
          const v = value(rng, 60, j)
          root = treePut(ctx, root, key(s + j), v).root
          model.set(s + j, v)
        }
      } else {
        const i = rng.int(3000)
        const res = treeDelete(ctx, root, key(i))
        root = res.root
        expect(res.old !== undefined, `step ${step}: delete ${i}`).to.equal(model.has(i))
        model.delete(i)
      }
      if (step % 500 === 0 || step === 5999) {
        for (const [k, v] of model) {
          const got = treeGet(ctx.pager, root, key(k))
          expect(got !== undefined && Buffer.from(got as Uint8Array).equals(v), `step ${step}: key ${k}`).to.equal(true)
        }
      }
    }
  })
})
