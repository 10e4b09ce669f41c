import { expect } from 'chai'
import { Prng } from '../../../src/io/prng.js'
import { branchSearch } from '../../../src/page/branch-page.js'
import { compareKeys } from '../../../src/page/key-compare.js'
import { leafFind } from '../../../src/page/leaf-page.js'
import { EMPTY_KEY, Node, computeSize } from '../../../src/tree/node.js'
import { nodeBranchSearch, nodeLowerBound } from '../../../src/tree/search.js'
import { encodeNode } from '../../../src/tree/spill.js'
import type { KeyReader } from '../../../src/page/key-compare.js'

const noReader: KeyReader = {
  readKey: () => {
    throw new Error('no out-of-line keys here')
  },
}

/**
 * The binary searches skip the prefix the sought key shares with both bounds. Keys here share
 * long prefixes (zero-padded counters, a common stem, prefixes of each other), where a wrong skip
 * would compare from past the first difference and land on the wrong index.
 */
function keySet(rng: Prng, n: number): Buffer[] {
  const stems = ['', 'user:', 'user:0000', 'user:00001', '\u0000\u0000\u0000']
  const set = new Map<string, Buffer>()
  while (set.size < n) {
    const stem = rng.pick(stems)
    const tail = rng.bool(0.5)
      ? String(rng.int(100_000)).padStart(rng.range(0, 8), '0')
      : Buffer.from(rng.bytes(rng.range(0, 3))).toString('latin1')
    const key = Buffer.from(stem + tail, 'latin1')
    if (key.length > 0) set.set(key.toString('hex'), key)
  }
  return [...set.values()].sort(compareKeys)
}

function lowerBound(keys: Buffer[], key: Uint8Array): number {
  let i = 0
  while (i < keys.length && compareKeys(keys[i]!, key) < 0) i++
  return i
}

describe('prefix-skipping binary search (leaf, branch, node)', () => {
  const seed = Number(process.env.SEED ?? 20261125)
  it(`agrees with a linear search on keys with long shared prefixes (seed ${seed})`, () => {
    const rng = new Prng(seed)
    for (let round = 0; round < 40; round++) {
      const keys = keySet(rng, rng.range(1, 60))
      const leaf = new Node(
        true,
        keys,
        keys.map(() => Buffer.from('v')),
        [],
        0,
        0,
      )
      leaf.size = computeSize(leaf, 4096)
      const leafPage = encodeNode(leaf, 5, 1, Buffer.alloc(4096))
      const kids = keys.map((_, i) => ({ pgid: 10 + i, txid: 1 }))
      const branch = new Node(false, [EMPTY_KEY, ...keys.slice(1)], [], kids, 0, 0)
      branch.size = computeSize(branch, 4096)
      const branchPage = encodeNode(branch, 6, 1, Buffer.alloc(4096))
      const probes = [...keys, ...keySet(rng, 30), Buffer.from([0]), Buffer.from([0xff, 0xff])]
      for (const probe of probes) {
        const lb = lowerBound(keys, probe)
        const exact = lb < keys.length && compareKeys(keys[lb]!, probe) === 0
        expect(leafFind(leafPage, probe, 0, noReader), `leafFind ${probe.toString('hex')}`).to.equal(
          exact ? lb : -1 - lb,
        )
        expect(nodeLowerBound(keys, probe), `nodeLowerBound ${probe.toString('hex')}`).to.equal(lb)
        // The child for a probe: the last separator <= probe, entry 0 below all.
        const child = exact ? lb : Math.max(0, lb - 1)
        expect(branchSearch(branchPage, probe, 0, noReader), `branchSearch ${probe.toString('hex')}`).to.equal(child)
        expect(nodeBranchSearch(branch, probe), `nodeBranchSearch ${probe.toString('hex')}`).to.equal(child)
      }
    }
  })
})

describe('prefix-skipping search across tree levels', () => {
  it('get finds every key and no absent one in a deep tree of keys with long shared prefixes', async () => {
    const { open } = await import('../../../src/index.js')
    const os = await import('node:os')
    const path = await import('node:path')
    const fs = await import('node:fs')
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'btree-prefix-'))
    const seed = Number(process.env.SEED ?? 7)
    const rng = new Prng(seed)
    try {
      const db = await open(path.join(dir, 'p.db'), { pageSize: 1024 })
      const keys = keySet(rng, 4000)
      const present = keys.filter(() => rng.bool(0.7))
      // In random order, so that puts descend through in-memory nodes with two-sided bounds.
      await db.update((tx) => {
        const b = tx.createBucket('p')
        for (const k of rng.shuffle(present.slice())) b.put(k, k)
      })
      // Reads above went through the journal's in-memory nodes; stats describe the pages.
      await db.checkpoint()
      const stats = db.stats()
      expect(stats.total.depth, 'the tree has several levels').to.be.greaterThan(2)
      const set = new Set(present.map((k) => k.toString('hex')))
      db.view((tx) => {
        const b = tx.bucket('p')!
        for (const k of [...keys, ...keySet(rng, 500)]) {
          const v = b.get(k)
          if (set.has(k.toString('hex')))
            expect(v && Buffer.from(v).equals(k), `get ${k.toString('hex')}`).to.equal(true)
          else expect(v, `absent ${k.toString('hex')}`).to.equal(undefined)
        }
      })
      expect(db.check().ok).to.equal(true)
      await db.close()
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
