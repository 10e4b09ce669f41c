import { expect } from 'chai'
import { Prng } from '../../../src/io/prng.js'
import { branchEntryOffset, branchStep, stepChild, stepPrefix } from '../../../src/page/branch-page.js'
import type { KeyReader } from '../../../src/page/key-compare.js'
import { BRANCH_ENTRY_HEADER, LEAF_ENTRY_HEADER, maxInlineKeySize } from '../../../src/page/layout.js'
import { leafEntryOffset, leafFind } from '../../../src/page/leaf-page.js'
import {
  WINDOW,
  buildSearchIndex,
  indexedBranchStep,
  indexedLeafFind,
  keyWindow,
  searchIndexMatches,
} from '../../../src/page/search-index.js'
import { EMPTY_KEY, Node, OverflowValue, computeSize } from '../../../src/tree/node.js'
import { encodeNode } from '../../../src/tree/spill.js'
import { PageCache } from '../../../src/store/page-cache.js'

/** Out-of-line keys by the first page of their run (as the pager reads them). */
class Runs implements KeyReader {
  readonly #keys = new Map<number, Uint8Array>()
  #next = 1000
  add(key: Uint8Array): OverflowValue {
    const pgid = this.#next
    this.#next += 100
    this.#keys.set(pgid, key)
    return new OverflowValue(pgid, 3, key.length)
  }
  readKey(pgid: number): Uint8Array {
    return this.#keys.get(pgid)!
  }
}

const latin1 = (s: string): Buffer => Buffer.from(s, 'latin1')

/**
 * Key sets of the shapes a window search could get wrong: counters under long common stems (the
 * page prefix is long), keys that are prefixes of each other and differ by trailing zero bytes
 * (windows padded with zeros tie), keys sharing more than prefix + WINDOW bytes (ties settled by
 * bytes), binary keys with 0x00 and 0xff, the empty key, and out-of-line keys (page size 1024)
 * whose inline prefix does or does not hold the window.
 */
const SHAPES: Record<string, (rng: Prng) => Buffer> = {
  counters: (rng) => latin1(String(rng.int(1_000_000)).padStart(16, '0')),
  stems: (rng) =>
    latin1(
      rng.pick(['', 'user:', 'user:0000', 'user:00001', '\u0000\u0000\u0000']) +
        String(rng.int(100_000)).padStart(rng.range(0, 8), '0'),
    ),
  zeros: (rng) => Buffer.concat([latin1(rng.pick(['a', 'ab', 'abcd', ''])), Buffer.alloc(rng.range(0, 7))]),
  ties: (rng) =>
    Buffer.concat([
      latin1(rng.pick(['k', 'kkkkkkkk', 'kkkkkkkkkkkk'])),
      Buffer.from(rng.bytes(rng.range(0, 3))),
      Buffer.alloc(rng.range(0, 2), 0xff),
    ]),
  binary: (rng) => Buffer.from(rng.bytes(rng.range(0, 12)).map((b) => (b < 64 ? 0 : b > 192 ? 0xff : b))),
  long: (rng) => {
    const stem = rng.pick([0, 20, 58, 61, 62, 100])
    const length = rng.bool(0.7) ? rng.range(maxInlineKeySize(1024) + 1, 2500) : rng.range(stem + 1, stem + 40)
    const k = Buffer.alloc(Math.max(length, stem + 1), 'q')
    k[rng.range(stem, Math.min(k.length - 1, stem + 8))] = rng.range(0, 255)
    if (rng.bool(0.3)) k[k.length - 1] = rng.range(0, 255)
    return k
  },
}

function sorted(rng: Prng, make: (rng: Prng) => Buffer, n: number): Buffer[] {
  const set = new Map<string, Buffer>()
  for (let tries = 0; set.size < n && tries < n * 20; tries++) {
    const k = make(rng)
    set.set(k.toString('hex'), k)
  }
  return [...set.values()].sort(Buffer.compare)
}

function lcp(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length)
  let i = 0
  while (i < n && a[i] === b[i]) i++
  return i
}

/** Leaf and branch pages of `keys` (the branch's separators are keys[1..]), or undefined when too big. */
function pages(keys: Buffer[], pageSize: number, runs: Runs): { leaf: Buffer; branch: Buffer } | undefined {
  const inline = maxInlineKeySize(pageSize)
  const keyRuns = keys.map((k) => (k.length > inline ? runs.add(k) : undefined))
  const leaf = new Node(
    true,
    keys,
    keys.map(() => Buffer.from('v')),
    [],
    0,
    0,
  )
  leaf.size = computeSize(leaf, pageSize)
  const branch = new Node(
    false,
    [EMPTY_KEY, ...keys.slice(1)],
    [],
    keys.map((_, i) => ({ pgid: 10 + i, txid: 0xfffffff0 + (i % 8) })),
    0,
    0,
  )
  branch.size = computeSize(branch, pageSize)
  if (leaf.size > pageSize || branch.size > pageSize) return undefined
  return {
    leaf: encodeNode(leaf, 5, 1, Buffer.alloc(pageSize), keyRuns),
    branch: encodeNode(branch, 6, 1, Buffer.alloc(pageSize), keyRuns),
  }
}

/** Probes: every key, keys one step off each, new keys of the same shape, the extremes. */
function probes(rng: Prng, keys: Buffer[], make: (rng: Prng) => Buffer): Buffer[] {
  const out = [...keys, Buffer.alloc(0), Buffer.from([0]), Buffer.alloc(70, 0xff)]
  for (const k of keys) {
    out.push(Buffer.concat([k, Buffer.from([0])]))
    if (k.length > 0) {
      out.push(k.subarray(0, k.length - 1))
      const up = Buffer.from(k)
      up[up.length - 1] = Math.min(255, up[up.length - 1]! + 1)
      out.push(up)
      const down = Buffer.from(k)
      down[down.length - 1] = Math.max(0, down[down.length - 1]! - 1)
      out.push(down)
    }
  }
  for (let i = 0; i < 20; i++) out.push(make(rng))
  return out
}

describe('page/search-index: window search against Buffer.compare', () => {
  const seed = Number(process.env.SEED ?? 20261202)

  it('keyWindow orders keys sharing a prefix as Buffer.compare does, or ties', () => {
    const rng = new Prng(seed)
    console.log(`      seed ${seed} (replay with SEED=<n>)`)
    for (let i = 0; i < 5000; i++) {
      const at = rng.range(0, 4)
      const stem = Buffer.from(rng.bytes(at))
      const a = Buffer.concat([stem, Buffer.from(rng.bytes(rng.range(0, 7)).map((b) => b & 0x81))])
      const b = Buffer.concat([stem, Buffer.from(rng.bytes(rng.range(0, 7)).map((b) => b & 0x81))])
      const wa = keyWindow(a, at)
      const wb = keyWindow(b, at)
      // The reference: the window's bytes, zero-padded, compared as bytes.
      const padded = (k: Buffer): Buffer =>
        Buffer.concat([k.subarray(at, at + WINDOW), Buffer.alloc(WINDOW)]).subarray(0, WINDOW)
      const c = Buffer.compare(padded(a), padded(b))
      expect(Math.sign(wa - wb), `${a.toString('hex')} vs ${b.toString('hex')}`).to.equal(c)
      if (c !== 0) expect(c, 'a differing window orders the keys').to.equal(Buffer.compare(a, b))
    }
    // A window at or past a key's end is its zero padding (a key without a page's longer prefix).
    const zeros = keyWindow(Buffer.alloc(WINDOW), 0)
    expect(keyWindow(latin1('ab'), 2)).to.equal(zeros)
    expect(keyWindow(latin1('ab'), 5)).to.equal(zeros)
    expect(keyWindow(latin1('abcdef'), 4)).to.equal(keyWindow(latin1('ef\u0000\u0000'), 0))
  })

  for (const [shape, make] of Object.entries(SHAPES)) {
    it(`leaf and branch searches agree with a linear Buffer.compare search: ${shape} keys (seed ${seed})`, () => {
      const rng = new Prng(seed ^ shape.length)
      const pageSize = shape === 'long' ? 1024 : 4096
      let indexed = 0
      let rounds = 0
      for (let round = 0; round < 25; round++) {
        const runs = new Runs()
        let keys = sorted(rng, make, rng.range(1, shape === 'long' ? 14 : 120))
        let built = pages(keys, pageSize, runs)
        while (built === undefined) {
          keys = keys.slice(0, keys.length - 1 - (keys.length >> 3))
          built = pages(keys, pageSize, runs)
        }
        rounds++
        const leafIx = buildSearchIndex(built.leaf)
        const branchIx = buildSearchIndex(built.branch)
        if (leafIx.prefix >= 0) indexed++
        const n = keys.length
        for (let i = 0; i < n; i++) {
          expect(branchIx.childPage(i)).to.equal(10 + i)
          expect(branchIx.childTxid(i)).to.equal(0xfffffff0 + (i % 8))
        }
        for (const probe of probes(rng, keys, make)) {
          const at = `${shape} round ${round} probe ${probe.toString('hex')}`
          let lb = 0
          while (lb < n && Buffer.compare(keys[lb]!, probe) < 0) lb++
          const exact = lb < n && Buffer.compare(keys[lb]!, probe) === 0
          // `known` may be any prefix the probe shares with every key of the page.
          let shared = probe.length
          for (const k of keys) shared = Math.min(shared, lcp(k, probe))
          const known = rng.range(0, shared)
          const leafWant = exact ? lb : -1 - lb
          expect(leafFind(built.leaf, probe, known, runs), `leafFind ${at}`).to.equal(leafWant)
          if (leafIx.prefix >= 0) expect(indexedLeafFind(leafIx, probe, known, runs), `leaf ${at}`).to.equal(leafWant)
          // The branch: the last separator (keys[1..]) <= probe, entry 0 below all.
          let bShared = probe.length
          for (let i = 1; i < n; i++) bShared = Math.min(bShared, lcp(keys[i]!, probe))
          const bKnown = rng.range(0, bShared)
          const child = exact ? lb : Math.max(0, lb - 1)
          for (const step of [
            branchStep(built.branch, probe, bKnown, runs),
            ...(branchIx.prefix >= 0 ? [indexedBranchStep(branchIx, probe, bKnown, runs)] : []),
          ]) {
            expect(stepChild(step), `branch ${at}`).to.equal(child)
            // The prefix handed down is shared with both separators around the child, and with
            // the parent's bounds (`known`) at the ends.
            const prefix = stepPrefix(step)
            if (child >= 1) expect(prefix, `prefix vs left ${at}`).to.be.at.most(lcp(keys[child]!, probe))
            else expect(prefix, `prefix at left end ${at}`).to.be.at.most(bKnown)
            if (child + 1 < n) expect(prefix, `prefix vs right ${at}`).to.be.at.most(lcp(keys[child + 1]!, probe))
            else expect(prefix, `prefix at right end ${at}`).to.be.at.most(bKnown)
          }
        }
      }
      // Most pages of 8 keys or more are indexed; the searches above then took the window path.
      expect(indexed, `${shape}: indexed pages`).to.be.greaterThan(rounds / 4)
    })
  }

  it('a page whose out-of-line keys share more than their inline prefix is searched as bytes', () => {
    const runs = new Runs()
    const keys = Array.from({ length: 10 }, (_, i) => Buffer.concat([Buffer.alloc(900, 'z'), latin1(String(i))]))
    const shared = pages(keys, 1024, runs)!
    expect(buildSearchIndex(shared.leaf).prefix).to.equal(-1)
    expect(buildSearchIndex(shared.branch).prefix).to.equal(-1)
    // Out of line too, but apart within their inline prefix: indexed.
    const apart = keys.map((k, i) => Buffer.concat([k.subarray(0, 50), latin1(String(i)), k.subarray(50)]))
    expect(buildSearchIndex(pages(apart, 1024, runs)!.leaf).prefix).to.equal(50)
  })

  it("an index is one object: its own Int32Array of the leaf's windows, entry offsets and prefix bytes", () => {
    const keys = sorted(new Prng(seed), SHAPES.counters!, 40)
    const { leaf } = pages(keys, 4096, new Runs())!
    const ix = buildSearchIndex(leaf)
    // A search meets the index's fields and its elements in one object (no array held in a field).
    expect(ix).to.be.an.instanceOf(Int32Array)
    expect(ix.page).to.equal(leaf)
    const n = keys.length
    expect(ix.count).to.equal(n)
    expect(ix.prefix).to.be.greaterThan(0)
    expect(ix.length).to.equal(2 * n + ix.prefix)
    expect(ix.head).to.equal(2 * n)
    expect(ix.bytes).to.be.at.least(4 * ix.length)
    for (let i = 0; i < n; i++) {
      expect(ix[i], `window ${i}`).to.equal(keyWindow(keys[i]!, ix.prefix))
      expect(ix.entryOffset(i), `offset ${i}`).to.equal(leafEntryOffset(leaf, i))
    }
    for (let i = 0; i < ix.prefix; i++) expect(ix[ix.head + i], `prefix byte ${i}`).to.equal(keys[0]![i])
  })

  it("a key without the leaf's prefix whose window is an entry's sorts before or after every key", () => {
    const runs = new Runs()
    // Keys 'pp' + 4 bytes + a suffix: prefix 'pp' (2), windows the 4 bytes after it.
    const keys = Array.from({ length: 12 }, (_, i) => Buffer.from([0x70, 0x70, 10 * i, 1, 2, 3, i]))
    const { leaf } = pages(keys, 4096, runs)!
    const ix = buildSearchIndex(leaf)
    expect(ix.prefix).to.equal(2)
    const n = keys.length
    for (const i of [0, 5, 11]) {
      const win = keys[i]!.subarray(2)
      // The same window after 'pa' (below 'pp') and 'pz' (above), and as keys shorter than the prefix.
      const below = Buffer.concat([Buffer.from('pa'), win])
      const above = Buffer.concat([Buffer.from('pz'), win])
      for (const known of [0, 1]) {
        expect(indexedLeafFind(ix, below, known, runs), `below ${i} known ${known}`).to.equal(-1)
        expect(indexedLeafFind(ix, above, known, runs), `above ${i} known ${known}`).to.equal(-1 - n)
        expect(leafFind(leaf, below, known, runs)).to.equal(-1)
        expect(leafFind(leaf, above, known, runs)).to.equal(-1 - n)
      }
      expect(indexedLeafFind(ix, keys[i]!, 0, runs), `key ${i}`).to.equal(i)
      expect(indexedLeafFind(ix, Buffer.concat([keys[i]!, Buffer.from([0])]), 1, runs)).to.equal(-2 - i)
    }
    expect(indexedLeafFind(ix, Buffer.from('p'), 0, runs)).to.equal(-1)
    expect(indexedLeafFind(ix, Buffer.from('pq'), 1, runs)).to.equal(-1 - n)
  })

  it('keys that leave the prefix at each of its bytes sort before or after a leaf and a branch', () => {
    const runs = new Runs()
    // Prefix 'amzq', then 4 bytes: probes leave it at each of its bytes, below and above.
    const keys = Array.from({ length: 12 }, (_, i) => Buffer.concat([Buffer.from('amzq'), Buffer.from([i, 9, i, 9])]))
    const { leaf, branch } = pages(keys, 4096, runs)!
    const leafIx = buildSearchIndex(leaf)
    const branchIx = buildSearchIndex(branch)
    expect(leafIx.prefix).to.equal(4)
    expect(branchIx.prefix).to.equal(4)
    const n = keys.length
    const probes = ['b', 'Z', 'an', 'al', 'amzr', 'amzp', 'amz', 'am', 'a', '', 'amy', 'am{']
    for (const probe of probes.map((s) => Buffer.from(s))) {
      const below = Buffer.compare(probe, keys[0]!) < 0
      for (let known = 0; known <= Math.min(lcp(probe, keys[0]!), 4); known++) {
        const at = `${probe.toString()} known ${known}`
        expect(indexedLeafFind(leafIx, probe, known, runs), `leaf ${at}`).to.equal(below ? -1 : -1 - n)
        expect(leafFind(leaf, probe, known, runs), `leafFind ${at}`).to.equal(below ? -1 : -1 - n)
        expect(stepChild(indexedBranchStep(branchIx, probe, known, runs)), `branch ${at}`).to.equal(below ? 0 : n - 1)
      }
    }
  })

  it('the page cache keeps an index only beside its own page, drops it with the page, and counts its bytes', () => {
    const runs = new Runs()
    const keys = sorted(new Prng(seed), SHAPES.counters!, 40)
    const { leaf } = pages(keys, 4096, runs)!
    const cache = new PageCache(1 << 20)
    const ix = buildSearchIndex(leaf)
    cache.setSearchIndex(5, ix)
    expect(cache.searchIndex(5), 'no page cached').to.equal(undefined)
    cache.set(5, Buffer.from(leaf))
    cache.setSearchIndex(5, ix)
    expect(cache.searchIndex(5), 'another buffer cached').to.equal(undefined)
    cache.set(5, leaf)
    cache.setSearchIndex(5, ix)
    expect(cache.searchIndex(5)).to.equal(ix)
    expect(cache.bytes).to.equal(4096 + ix.bytes)
    cache.set(5, Buffer.from(leaf))
    expect(cache.searchIndex(5), 'a rewritten page drops its index').to.equal(undefined)
    expect(cache.bytes).to.equal(4096)
    cache.set(5, leaf)
    cache.setSearchIndex(5, ix)
    cache.delete(5)
    expect(cache.searchIndex(5)).to.equal(undefined)
    expect(cache.bytes).to.equal(0)
  })

  it("searchIndexMatches: true for an index of the page as it is, false once a key's bytes in the page change", () => {
    const runs = new Runs()
    const keys = sorted(new Prng(seed), SHAPES.counters!, 40)
    const { leaf, branch } = pages(keys, 4096, runs)!
    for (const page of [leaf, branch]) {
      const ix = buildSearchIndex(page)
      expect(ix.prefix, 'indexed').to.be.greaterThan(-1)
      expect(searchIndexMatches(ix)).to.equal(true)
      // A byte of the last key's window (its first byte after the shared prefix), changed in place.
      const last = ix.count - 1
      const at =
        (ix.branch
          ? branchEntryOffset(page, last) + BRANCH_ENTRY_HEADER
          : leafEntryOffset(page, last) + LEAF_ENTRY_HEADER) + ix.prefix
      page[at] = page[at]! ^ 0xff
      expect(searchIndexMatches(ix)).to.equal(false)
      page[at] = page[at]! ^ 0xff
      expect(searchIndexMatches(ix)).to.equal(true)
    }
    const cache = new PageCache(1 << 20)
    cache.set(3, leaf)
    cache.setSearchIndex(3, buildSearchIndex(leaf))
    cache.set(4, branch)
    const seen: number[] = []
    cache.forEachSearchIndex((pgid, ix) => {
      seen.push(pgid)
      expect(ix.page).to.equal(leaf)
    })
    expect(seen, 'only pages with an index').to.deep.equal([3])
  })
})
