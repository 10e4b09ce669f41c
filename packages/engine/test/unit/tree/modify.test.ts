import { expect } from 'chai'
import { MemoryFile } from '../../../src/io/memory-file.js'
import { Prng } from '../../../src/io/prng.js'
import { branchChild, branchChildTxid, branchKey } from '../../../src/page/branch-page.js'
import { compareKeys } from '../../../src/page/key-compare.js'
import { PageType, pageCount, pageType } from '../../../src/page/layout.js'
import {
  leafIsOverflow,
  leafKey,
  leafOverflowRef,
  leafValueBytes,
  leafValueLength,
} from '../../../src/page/leaf-page.js'
import type { PageRef } from '../../../src/page/meta-page.js'
import { Pager } from '../../../src/store/pager.js'
import { treeDelete, treePut } from '../../../src/tree/modify.js'
import { type Child, Node, OverflowValue } from '../../../src/tree/node.js'
import { rebalance } from '../../../src/tree/rebalance.js'
import { treeGet } from '../../../src/tree/search.js'
import { spill } from '../../../src/tree/spill.js'
import type { PutHint, SpillContext, TreeWriter } from '../../../src/tree/tree-context.js'

/**
 * The tree algorithms on their own: a MemoryFile-backed Pager and a fake SpillContext that hands
 * out pages from a counter and records what each "commit" frees. Each commit rebalances, spills
 * and reads the result back from the file.
 */
class Harness implements TreeWriter {
  readonly file = new MemoryFile()
  readonly pager: Pager
  next = 2
  txid = 1
  root: Child = Node.emptyLeaf()
  /** Where the last put appended (TreeWriter.putHint), kept by treePut. */
  putHint: PutHint | undefined = undefined
  /** Pages freed by the last commit, and overflow values replaced since it. */
  freed: number[] = []
  overflowFreed: OverflowValue[] = []

  constructor(readonly pageSize: number) {
    this.pager = new Pager(this.file, pageSize, 1 << 24)
  }

  freeOverflow(v: OverflowValue): void {
    this.overflowFreed.push(v)
  }

  put(k: Uint8Array, v: Uint8Array): void {
    this.root = treePut(this, this.root, k, v).root
  }

  del(k: Uint8Array): boolean {
    const r = treeDelete(this, this.root, k)
    this.root = r.root
    expect(r.old !== undefined, 'the old value, kept by default').to.equal(r.found)
    return r.found
  }

  commit(): PageRef {
    this.txid++
    this.freed = []
    const ctx: SpillContext = {
      pageSize: this.pageSize,
      txid: this.txid,
      newPage: () => Buffer.alloc(this.pageSize),
      allocate: (n) => {
        const first = this.next
        this.next += n
        return first
      },
      free: (p, n) => {
        for (let i = 0; i < n; i++) this.freed.push(p + i)
      },
      write: (p, pages) => pages.forEach((page, i) => this.file.writeNow(page, (p + i) * this.pageSize)),
    }
    const ref = spill(
      ctx,
      rebalance(this, this.root, (p) => ctx.free(p, 1)),
    )
    this.pager.highWater = this.next
    this.pager.cache.clear()
    this.root = ref
    this.overflowFreed = []
    return ref
  }
}

interface Shape {
  entries: Array<[string, Buffer]>
  depth: number
  pages: Set<number>
  leafFills: number[]
  branches: number
  leaves: number
}

/** Reads a committed tree back from the file, checking order, separators and equal leaf depth. */
function walk(h: Harness, ref: PageRef): Shape {
  const shape: Shape = { entries: [], depth: -1, pages: new Set(), leafFills: [], branches: 0, leaves: 0 }
  const visit = (
    pgid: number,
    txid: number,
    lo: Uint8Array | undefined,
    hi: Uint8Array | undefined,
    depth: number,
  ): void => {
    expect(shape.pages.has(pgid), `page ${pgid} reached twice`).to.equal(false)
    shape.pages.add(pgid)
    const page = h.pager.treePage(pgid, txid)
    const n = pageCount(page)
    if (pageType(page) === PageType.branch) {
      shape.branches++
      expect(n, 'a branch has at least two children').to.be.at.least(2)
      for (let i = 0; i < n; i++) {
        const k = i === 0 ? lo : branchKey(page, i, h.pager)
        const next = i + 1 < n ? branchKey(page, i + 1, h.pager) : hi
        visit(branchChild(page, i), branchChildTxid(page, i), k, next, depth + 1)
      }
      return
    }
    shape.leaves++
    if (shape.depth === -1) shape.depth = depth
    expect(depth, 'all leaves at one depth').to.equal(shape.depth)
    let used = 16
    for (let i = 0; i < n; i++) {
      const k = leafKey(page, i, h.pager)
      if (lo !== undefined && compareKeys(k, lo) < 0) throw new Error(`page ${pgid}: key ${i} below its separator`)
      if (hi !== undefined && compareKeys(k, hi) >= 0)
        throw new Error(`page ${pgid}: key ${i} not below the next separator`)
      const v = leafIsOverflow(page, i)
        ? h.pager.readOverflow(...leafOverflowRef(page, i), leafValueLength(page, i))
        : leafValueBytes(page, i)
      used += 2 + 6 + k.length + (leafIsOverflow(page, i) ? 8 : v.length)
      shape.entries.push([Buffer.from(k).toString('hex'), Buffer.from(v)])
    }
    shape.leafFills.push(used / h.pageSize)
  }
  visit(ref.pgid, ref.txid, undefined, undefined, 0)
  for (let i = 1; i < shape.entries.length; i++)
    if (!(shape.entries[i - 1]![0] < shape.entries[i]![0])) throw new Error(`keys out of order at ${i}`)
  return shape
}

function expectModel(h: Harness, ref: PageRef, model: Map<string, Buffer>): Shape {
  const shape = walk(h, ref)
  const want = [...model.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
  expect(shape.entries.length).to.equal(want.length)
  shape.entries.forEach(([k, v], i) => {
    if (k !== want[i]![0]) throw new Error(`entry ${i}: key ${k}, expected ${want[i]![0]}`)
    if (!v.equals(want[i]![1])) throw new Error(`value of ${k} differs`)
  })
  return shape
}

const key = (i: number): Buffer => Buffer.from(String(i).padStart(8, '0'))

describe('tree: treePut, treeDelete, rebalance and spill', () => {
  it('random inserts split leaves and branches; the tree reads back sorted with leaves at one depth', () => {
    const h = new Harness(1024)
    const rng = new Prng(11)
    const model = new Map<string, Buffer>()
    for (let i = 0; i < 3000; i++) {
      const k = Buffer.from(rng.bytes(rng.range(1, 30)))
      const v = Buffer.from(rng.bytes(rng.int(60)))
      h.put(k, v)
      model.set(k.toString('hex'), v)
    }
    const shape = expectModel(h, h.commit(), model)
    expect(shape.depth).to.be.at.least(2)
    expect(shape.branches).to.be.greaterThan(1)
    // Halving splits leave every leaf at least about a quarter full.
    expect(Math.min(...shape.leafFills)).to.be.greaterThan(0.25)
  })

  it('ascending appends fill pages nearly full', () => {
    const h = new Harness(4096)
    const model = new Map<string, Buffer>()
    for (let i = 0; i < 20_000; i++) {
      h.put(key(i), Buffer.alloc(20, i))
      model.set(key(i).toString('hex'), Buffer.alloc(20, i))
    }
    const shape = expectModel(h, h.commit(), model)
    const fills = shape.leafFills.slice(0, -1)
    expect(Math.min(...fills)).to.be.greaterThan(0.97)
    // Random order, for contrast, halves pages.
    const r = new Harness(4096)
    const rng = new Prng(5)
    for (const i of rng.shuffle([...Array(20_000).keys()])) r.put(key(i), Buffer.alloc(20, i))
    const random = walk(r, r.commit())
    expect(random.leaves).to.be.greaterThan(shape.leaves * 1.2)
  })

  it('copy on write: a commit frees exactly the pages it replaced and never one still reachable', () => {
    const h = new Harness(1024)
    for (let i = 0; i < 2000; i++) h.put(key(i), Buffer.alloc(30, 1))
    const before = walk(h, h.commit()).pages
    h.put(key(1000), Buffer.alloc(30, 2))
    h.put(b('zzz'), Buffer.alloc(10))
    const ref = h.commit()
    const after = walk(h, ref).pages
    for (const p of h.freed) expect(after.has(p), `freed page ${p} still reachable`).to.equal(false)
    for (const p of before) expect(after.has(p) || h.freed.includes(p), `page ${p} lost`).to.equal(true)
    // Two paths from the root were copied: a handful of pages, not the tree.
    expect(h.freed.length).to.be.within(2, 8)
  })

  it('deletes merge under-filled leaves and the root collapses to a leaf', () => {
    const h = new Harness(1024)
    const model = new Map<string, Buffer>()
    for (let i = 0; i < 3000; i++) {
      h.put(key(i), Buffer.alloc(30, i))
      model.set(key(i).toString('hex'), Buffer.alloc(30, i))
    }
    const full = walk(h, h.commit())
    for (let i = 0; i < 3000; i++) {
      if (i % 10 === 0) continue
      expect(h.del(key(i))).to.equal(true)
      model.delete(key(i).toString('hex'))
    }
    expect(h.del(key(1))).to.equal(false)
    const thinned = expectModel(h, h.commit(), model)
    expect(thinned.leaves).to.be.lessThan(full.leaves / 3)
    expect(Math.min(...thinned.leafFills.slice(0, -1))).to.be.greaterThan(0.2)
    for (let i = 10; i < 3000; i += 10) {
      h.del(key(i))
      model.delete(key(i).toString('hex'))
    }
    const ref = h.commit()
    const single = expectModel(h, ref, model)
    expect(single.depth).to.equal(0)
    expect(pageType(h.pager.treePage(ref.pgid, ref.txid))).to.equal(PageType.leaf)
    h.del(key(0))
    const empty = walk(h, h.commit())
    expect(empty.entries).to.have.length(0)
    expect(empty.leaves).to.equal(1)
  })

  it('deleting a missing key copies nothing', () => {
    const h = new Harness(1024)
    for (let i = 0; i < 500; i++) h.put(key(i), Buffer.alloc(10))
    const ref = h.commit()
    h.del(b('missing'))
    expect(h.root).to.equal(ref)
  })

  it('values bound for overflow get runs at spill; replacing one on disk reports it for freeing', () => {
    const h = new Harness(1024)
    h.put(b('big'), Buffer.alloc(5000, 3))
    h.put(b('small'), b('s'))
    const ref = h.commit()
    const shape = walk(h, ref)
    expect(shape.entries[0]![1].equals(Buffer.alloc(5000, 3))).to.equal(true)
    const stored = treeGet(h.pager, h.root, b('big'))
    expect(stored).to.be.instanceOf(OverflowValue)
    const ov = stored as OverflowValue
    expect(h.pager.readOverflow(ov.pgid, ov.txid, ov.length)).to.deep.equal(Buffer.alloc(5000, 3))
    h.put(b('big'), b('now inline'))
    expect(h.overflowFreed).to.have.length(1)
    expect(h.overflowFreed[0]).to.deep.equal(stored)
    h.commit()
    h.put(b('big'), Buffer.alloc(3000, 4))
    h.commit()
    h.del(b('big'))
    expect(h.overflowFreed).to.have.length(1)
  })

  for (const keepOld of [true, false]) {
    it(`keepOld ${keepOld}: puts and deletes report whether the key was there, its value only when kept, and free a replaced overflow run`, () => {
      const h = new Harness(1024)
      for (let i = 0; i < 200; i++) h.put(key(i), Buffer.alloc(10, i))
      h.put(b('big'), Buffer.alloc(5000, 3))
      h.commit()
      const old = (r: { old: unknown }): unknown => (r.old instanceof Uint8Array ? Buffer.from(r.old) : r.old)
      const put = (k: Uint8Array, v: Uint8Array) => {
        const r = treePut(h, h.root, k, v, keepOld)
        h.root = r.root
        return r
      }
      const del = (k: Uint8Array) => {
        const r = treeDelete(h, h.root, k, keepOld)
        h.root = r.root
        return r
      }
      // Leaves of inline entries load packed (tree/node.ts); the one holding 'big' loads decoded.
      let r = put(key(5), b('five'))
      expect([r.found, old(r)]).to.deep.equal([true, keepOld ? Buffer.alloc(10, 5) : undefined])
      r = put(key(5), b('again'))
      expect([r.found, old(r)]).to.deep.equal([true, keepOld ? b('five') : undefined])
      r = put(key(199), b('last'))
      expect([r.found, old(r)]).to.deep.equal([true, keepOld ? Buffer.alloc(10, 199) : undefined])
      r = put(key(1000), b('new'))
      expect([r.found, old(r)]).to.deep.equal([false, undefined])
      r = put(b('big'), b('inline now'))
      expect(r.found).to.equal(true)
      expect(r.old instanceof OverflowValue).to.equal(keepOld)
      expect(h.overflowFreed, 'the run is freed whether or not the value is kept').to.have.length(1)
      r = del(key(6))
      expect([r.found, old(r)]).to.deep.equal([true, keepOld ? Buffer.alloc(10, 6) : undefined])
      r = del(key(199))
      expect([r.found, old(r)]).to.deep.equal([true, keepOld ? b('last') : undefined])
      r = del(key(6))
      expect([r.found, old(r)]).to.deep.equal([false, undefined])
      const model = new Map<string, Buffer>()
      for (let i = 0; i < 200; i++) if (i !== 6 && i !== 199) model.set(key(i).toString('hex'), Buffer.alloc(10, i))
      model.set(key(5).toString('hex'), b('again'))
      model.set(key(1000).toString('hex'), b('new'))
      model.set(b('big').toString('hex'), b('inline now'))
      expectModel(h, h.commit(), model)
    })
  }

  it('ascending runs from random starts, between random puts and deletes, agree with a Map (the put hint)', () => {
    const h = new Harness(1024)
    const rng = new Prng(20261202)
    const model = new Map<string, Buffer>()
    for (let round = 0; round < 30; round++) {
      for (let run = 0; run < 8; run++) {
        // An ascending run: after its first put, each key goes through the hint while it stays in
        // the leaf's range, and past it (the next leaf's keys) through a descent.
        let at = rng.int(100_000)
        for (let i = rng.int(200); i > 0; i--) {
          at += 1 + rng.int(rng.bool(0.1) ? 5000 : 3)
          const v = Buffer.from(rng.bytes(rng.int(60)))
          h.put(key(at), v)
          model.set(key(at).toString('hex'), v)
        }
        const k = key(rng.int(100_000))
        if (rng.bool(0.5)) {
          const v = Buffer.from(rng.bytes(rng.int(60)))
          h.put(k, v)
          model.set(k.toString('hex'), v)
        } else expect(h.del(k)).to.equal(model.delete(k.toString('hex')))
      }
      if (round % 3 === 0) expectModel(h, h.commit(), model)
    }
    expectModel(h, h.commit(), model)
  })

  it('the put hint: puts elsewhere in turn with appends keep it; two in a row leave it unchecked until an append makes a new one', () => {
    const h = new Harness(4096)
    const model = new Map<string, Buffer>()
    const put = (i: number, fill: number): void => {
      h.put(key(i), Buffer.alloc(20, fill))
      model.set(key(i).toString('hex'), Buffer.alloc(20, fill))
    }
    for (let i = 0; i < 10_000; i += 10) put(i, 1)
    const hint = h.putHint
    expect(hint).to.not.equal(undefined)
    expect(hint!.low).to.not.equal(null)
    expect(compareKeys(key(10), hint!.low!)).to.be.lessThan(0)
    // A log and its counter: an append, then an overwrite of a key below the hint's leaf (no split,
    // which would clear the hint anyway), in turn. The appends keep going through the one hint.
    for (let i = 0; i < 5; i++) {
      put(10_000 + i, 2)
      expect(h.putHint).to.equal(hint)
      expect(h.putHint!.misses).to.equal(0)
      put(10, 3 + i)
      expect(h.putHint!.misses).to.equal(1)
    }
    // A second put elsewhere in a row: the hint is no longer checked. It still names where the
    // last append went (the leaves written ahead read it), and the next append, found by a
    // descent, makes a new one.
    put(20, 9)
    expect(h.putHint).to.equal(hint)
    expect(h.putHint!.misses).to.equal(2)
    put(20_000, 4)
    expect(h.putHint).to.not.equal(undefined)
    expect(h.putHint).to.not.equal(hint)
    expect(h.putHint!.leaf).to.equal(hint!.leaf)
    expect(h.putHint!.misses).to.equal(0)
    expectModel(h, h.commit(), model)
  })

  for (const pageSize of [1024, 4096]) {
    it(`random puts and deletes over many commits agree with a Map (page size ${pageSize})`, () => {
      const h = new Harness(pageSize)
      const rng = new Prng(pageSize)
      const model = new Map<string, Buffer>()
      const pool: Buffer[] = []
      for (let round = 0; round < 40; round++) {
        for (let i = 0; i < 300; i++) {
          const r = rng.next()
          if (r < 0.6 || pool.length === 0) {
            const k =
              rng.bool(0.3) && pool.length > 0
                ? rng.pick(pool)
                : Buffer.from(rng.bytes(rng.range(1, rng.bool(0.1) ? 200 : 12)))
            pool.push(k)
            const v = Buffer.from(rng.bytes(rng.bool(0.05) ? rng.range(300, 3 * pageSize) : rng.int(50)))
            h.put(k, v)
            model.set(k.toString('hex'), v)
          } else {
            const k = rng.pick(pool)
            expect(h.del(k)).to.equal(model.delete(k.toString('hex')))
          }
        }
        expectModel(h, h.commit(), model)
      }
    })
  }
})

function b(s: string): Buffer {
  return Buffer.from(s)
}
