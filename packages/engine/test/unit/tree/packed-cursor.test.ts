import { expect } from 'chai'
import { Prng } from '../../../src/io/prng.js'
import { Node } from '../../../src/tree/node.js'
import { TreeCursor } from '../../../src/tree/cursor.js'
import type { Pager } from '../../../src/store/pager.js'
import type { ValueRef } from '../../../src/base/types.js'

const PAGE = 1024
const key = (i: number): Buffer => Buffer.from(String(i).padStart(6, '0'))
const text = (b: Uint8Array): string => Buffer.from(b).toString('hex')

/** A branch over two packed leaves holding `model`'s entries (even keys only, so odd ones seek between). */
function packedTree(rng: Prng, model: Map<number, Buffer>): { root: Node; leaves: Node[] } {
  const left = Node.packedLeaf(PAGE)
  for (let i = 0; i < 40; i++) {
    const v = Buffer.alloc(1 + rng.int(12), i)
    expect(left.appendPacked(key(2 * i), v, PAGE)).to.equal(true)
    model.set(2 * i, v)
  }
  // In-place edits: replaced and removed entries leave garbage and moved slots behind.
  for (let step = 0; step < 20; step++) {
    const i = rng.int(left.count)
    const id = [...model.keys()].sort((a, b) => a - b)[i]!
    if (rng.int(3) === 0) {
      left.removePacked(i, PAGE)
      model.delete(id)
    } else {
      const v = Buffer.alloc(1 + rng.int(12), 100 + step)
      if (left.replacePacked(i, key(id), v, PAGE)) model.set(id, v)
    }
  }
  const right = left.splitPacked(PAGE)
  const root = new Node(false, [new Uint8Array(0), right.firstKey()], [], [left, right], 0, 0)
  return { root, leaves: [left, right] }
}

function cursor(root: Node, readOnly: boolean): TreeCursor {
  return new TreeCursor({
    pager: undefined as unknown as Pager,
    root: () => root,
    version: () => 0,
    assertOpen: () => {},
    readOnly,
  })
}

/** Every move of the cursor, as [key, value] in hex, for the model's keys and the odd ones between. */
function moves(c: TreeCursor, ids: readonly number[]): string[] {
  const out: string[] = []
  const at = (): void => void out.push(c.valid ? `${text(c.key!)}=${text(c.value!)}` : 'off')
  for (let ok = c.first(); ok; ok = c.next()) at()
  for (let ok = c.last(); ok; ok = c.prev()) at()
  const ref: ValueRef = { bytes: new Uint8Array(0), offset: 0, length: 0 }
  for (let ok = c.first(); ok; ok = c.next())
    c.leafValueRefs(ref, (r) => void out.push(text(r.bytes.subarray(r.offset, r.offset + r.length))))
  for (let s = -1; s <= 2 * (ids.at(-1)! + 1); s++) {
    c.seek(key(s))
    at()
    if (c.valid && c.valueRef(ref)) out.push(text(ref.bytes.subarray(ref.offset, ref.offset + ref.length)))
  }
  return out
}

describe('tree: a snapshot cursor over packed leaves', () => {
  const seed = 20261203
  it(`reads them as pages, without decoding them, as a decoding cursor does (seed ${seed})`, () => {
    for (let round = 0; round < 20; round++) {
      const model = new Map<number, Buffer>()
      const a = packedTree(new Prng(seed + round), model)
      const b = packedTree(new Prng(seed + round), new Map())
      const ids = [...model.keys()].sort((x, y) => x - y)
      const read = moves(cursor(a.root, true), ids)
      // A snapshot's cursor leaves the leaves packed; the other one decodes them (Node.keyList).
      for (const leaf of a.leaves) expect(leaf.packed, `round ${round}`).to.equal(true)
      const decoded = moves(cursor(b.root, false), ids)
      for (const leaf of b.leaves) expect(leaf.packed, `round ${round}`).to.equal(false)
      expect(read, `round ${round}`).to.deep.equal(decoded)
      // And both agree with the model: the forward walk is its entries in order.
      const forward = ids.map((id) => `${text(key(id))}=${text(model.get(id)!)}`)
      expect(read.slice(0, ids.length), `round ${round}`).to.deep.equal(forward)
    }
  })
})
