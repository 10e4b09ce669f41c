import { expect } from 'chai'
import { Prng } from '../../../src/io/prng.js'
import { type Child, Node, recordSlot, valueAt } from '../../../src/tree/node.js'
import { treeDelete, treePut } from '../../../src/tree/modify.js'
import { treeGet } from '../../../src/tree/search.js'
import type { Pager } from '../../../src/store/pager.js'
import type { TreeWriter } from '../../../src/tree/tree-context.js'

const key = (i: number): Buffer => Buffer.from(String(i).padStart(6, '0'))

/** Every entry of an in-memory tree, in order (keys as strings, values as hex). */
function entries(c: Child, out: Array<[string, string]> = []): Array<[string, string]> {
  if (!(c instanceof Node)) throw new Error('an in-memory tree holds no page references here')
  if (c.leaf) {
    for (let i = 0; i < c.keyList.length; i++)
      out.push([Buffer.from(c.keyList[i]!).toString(), Buffer.from(valueAt(c, i) as Uint8Array).toString('hex')])
  } else for (const k of c.kids) entries(k, out)
  return out
}

describe('tree: copy on write across generations (published trees stay as they were)', () => {
  const seed = 20261203
  for (const pageSize of [512, 1024, 4096]) {
    it(`a writer's puts, overwrites and deletes leave every earlier generation's tree unchanged (values inline and as record slots; page size ${pageSize}, seed ${seed})`, () => {
      const rng = new Prng(seed + pageSize)
      const ctx: TreeWriter & { gen: number } = {
        pageSize,
        pager: null as unknown as Pager,
        freeOverflow: () => {},
        putHint: undefined,
        gen: 1,
      }
      let root: Child = Node.emptyLeaf()
      const model = new Map<string, string>()
      const published: Array<{ root: Child; expected: Array<[string, string]> }> = []
      for (let commit = 0; commit < 40; commit++) {
        // A new writer: every node of an earlier generation is copied before it is changed.
        ctx.gen = commit + 2
        ctx.putHint = undefined
        for (let op = 0; op < 40; op++) {
          const k = rng.int(600)
          if (rng.int(4) === 0) {
            const r = treeDelete(ctx, root, key(k))
            root = r.root
            expect(r.old !== undefined, `commit ${commit}: delete ${k}`).to.equal(model.delete(key(k).toString()))
          } else {
            const v = Buffer.alloc(1 + rng.int(pageSize / 16), (commit * 40 + op) & 0xff)
            if (rng.int(2) === 0) root = treePut(ctx, root, key(k), v).root
            else {
              // As a journal record holds a put (FORMAT.md §11): the key's copy, the value's
              // length, the value; the tree keeps the key's view and the value as a record slot.
              const rec = Buffer.concat([key(k), Buffer.alloc(4), v])
              const copy = rec.subarray(0, key(k).length)
              root = treePut(ctx, root, copy, recordSlot(v.length)).root
            }
            model.set(key(k).toString(), v.toString('hex'))
          }
        }
        const expected = [...model].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        expect(entries(root), `commit ${commit}`).to.deep.equal(expected)
        published.push({ root, expected })
        for (const [g, p] of published.entries()) {
          if (commit % 10 !== 9 && g < published.length - 2) continue
          expect(entries(p.root), `commit ${commit}: generation ${g + 2}`).to.deep.equal(p.expected)
          for (const [k, v] of p.expected) {
            const got = treeGet(ctx.pager, p.root, Buffer.from(k))
            expect(Buffer.from(got as Uint8Array).toString('hex'), `generation ${g + 2}: ${k}`).to.equal(v)
          }
        }
      }
    })
  }
})
