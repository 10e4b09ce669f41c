import { expect } from 'chai'
import { Prng } from '../../../src/io/prng.js'
import { stepChild, stepPrefix } from '../../../src/page/branch-page.js'
import { compareKeys } from '../../../src/page/key-compare.js'
import {
  buildWindows,
  keyWindow,
  widenWindows,
  windowBranchStep,
  windowLowerBound,
} from '../../../src/tree/key-windows.js'
import { splitNode } from '../../../src/tree/modify.js'
import { EMPTY_KEY, Node } from '../../../src/tree/node.js'
import { nodeBranchStep, nodeLeafLowerBound, nodeLowerBound } from '../../../src/tree/search.js'

/**
 * Key windows (tree/key-windows.ts) must order exactly as the keys do: every search through them
 * is checked against the plain binary search, on keys built to tie (shared prefixes, keys that are
 * prefixes of others, zero bytes where a window pads with zeros, keys longer than a window).
 */

const SEED = Number(process.env['SEED'] ?? 1)

/** A key from a small alphabet around a shared stem, so that windows tie and prefixes nest. */
function randomKey(rng: Prng, stem: Uint8Array): Uint8Array {
  const extra = rng.int(12)
  const out = new Uint8Array(stem.length + extra)
  out.set(stem)
  for (let i = stem.length; i < out.length; i++) out[i] = [0, 1, 0x30, 0x31, 0xff][rng.int(5)]!
  return out
}

function sortedUnique(keys: Uint8Array[]): Uint8Array[] {
  const sorted = keys.slice().sort(compareKeys)
  return sorted.filter((k, i) => i === 0 || compareKeys(sorted[i - 1]!, k) !== 0)
}

/** The plain branch step (no windows: a node too small for them has none), for a node of any size. */
function plainStep(node: Node, key: Uint8Array): number {
  let found = 0
  for (let i = 1; i < node.keyList.length; i++) if (compareKeys(node.keyList[i]!, key) <= 0) found = i
  return found
}

/** The prefix `key` shares with `other`. */
function shared(a: Uint8Array, b: Uint8Array): number {
  let i = 0
  while (i < a.length && i < b.length && a[i] === b[i]) i++
  return i
}

describe(`tree/key-windows (seed ${SEED})`, () => {
  it('orders windows as the keys they start, padding with zeros', () => {
    expect(keyWindow(Uint8Array.of(1, 2), 0)).to.equal(0x010200000000)
    expect(keyWindow(Uint8Array.of(9, 1, 2, 3, 4, 5, 6, 7), 1)).to.equal(0x010203040506)
    expect(keyWindow(Uint8Array.of(1), 3)).to.equal(0)
  })

  it('finds what nodeLowerBound and the plain branch step find, on keys that tie', () => {
    const rng = new Prng(SEED)
    for (let round = 0; round < 300; round++) {
      const stem = new Uint8Array(rng.int(4)).fill(0x30)
      const keys = sortedUnique(Array.from({ length: 4 + rng.int(60) }, () => randomKey(rng, stem)))
      if (keys.length < 4) continue
      const leaf = buildWindows(keys, 0)
      const branchKeys = [EMPTY_KEY, ...keys]
      const branch = buildWindows(branchKeys, 1)
      expect(branch.win[0]).to.equal(-1)
      const branchNode = new Node(
        false,
        branchKeys,
        [],
        branchKeys.map(() => ({ pgid: 2, txid: 1 })),
        0,
        0,
      )
      for (let q = 0; q < 40; q++) {
        // Probes: keys of the node, keys around them, and keys outside the shared stem.
        const probe =
          q % 3 === 0
            ? keys[rng.int(keys.length)]!
            : q % 3 === 1
              ? randomKey(rng, stem)
              : randomKey(rng, new Uint8Array(0))
        // `known`: a prefix the probe shares with every key of the node (a descent may know less).
        const known = rng.int(Math.min(...keys.map((k) => shared(k, probe))) + 1)
        const want = nodeLowerBound(keys, probe, known)
        expect(windowLowerBound(keys, leaf.win, leaf.pre, probe, known), `round ${round}`).to.equal(want)
        const plain = nodeBranchStep(branchNode, probe, known)
        const step = windowBranchStep(branchKeys, branch.win, branch.pre, probe, known)
        expect(stepChild(step), `round ${round} child`).to.equal(stepChild(plain))
        // The prefix handed down must really be shared with every key the child can hold.
        const child = stepChild(step)
        const prefix = stepPrefix(step)
        const low = child === 0 ? undefined : branchKeys[child]!
        const high = child + 1 < branchKeys.length ? branchKeys[child + 1]! : undefined
        if (low !== undefined && high !== undefined) expect(shared(low, probe)).to.be.at.least(prefix)
        if (low !== undefined && high !== undefined) expect(shared(high, probe)).to.be.at.least(prefix)
        if (low === undefined || high === undefined) expect(prefix).to.equal(known)
      }
    }
  })

  it('widens windows to a shorter prefix exactly as building them over it would, reading no key', () => {
    const rng = new Prng(SEED + 3)
    let widened = 0
    for (let round = 0; round < 300; round++) {
      const stem = new Uint8Array(rng.int(8)).fill(0x30)
      const keys = sortedUnique(Array.from({ length: 4 + rng.int(40) }, () => randomKey(rng, stem)))
      if (keys.length < 4) continue
      const first = rng.int(2)
      const { win, pre } = buildWindows(keys, first)
      const other = randomKey(rng, stem.subarray(0, rng.int(stem.length + 1)))
      const q = shared(pre, other)
      const wide = widenWindows(win, pre, other, first)
      if (pre.length - q >= 6) {
        expect(wide, `round ${round}`).to.equal(undefined)
        continue
      }
      expect(wide, `round ${round}`).to.not.equal(undefined)
      expect(wide!.pre.length).to.equal(q)
      for (let i = 0; i < first; i++) expect(wide!.win[i]).to.equal(-1)
      for (let i = first; i < keys.length; i++)
        expect(wide!.win[i], `round ${round} key ${i}`).to.equal(keyWindow(keys[i]!, q))
      if (q < pre.length) widened++
    }
    expect(widened).to.be.greaterThan(50)
  })

  it('keeps a node’s windows right through inserts, removes and splits', () => {
    const rng = new Prng(SEED + 7)
    const stem = Uint8Array.of(0x30, 0x30, 0x30)
    const initial = sortedUnique(Array.from({ length: 20 }, () => randomKey(rng, stem)))
    const node = new Node(
      true,
      initial.slice(),
      initial.map(() => EMPTY_KEY),
      [],
      0,
      0,
    )
    let model = initial.slice()
    const check = (at: string): void => {
      for (let q = 0; q < 10; q++) {
        const probe = q % 2 === 0 && model.length > 0 ? model[rng.int(model.length)]! : randomKey(rng, stem)
        expect(nodeLeafLowerBound(node, probe), at).to.equal(nodeLowerBound(model, probe))
      }
    }
    check('built')
    for (let step = 0; step < 400; step++) {
      // Keys outside the stem now and then, which the windows' prefix does not cover.
      const key = randomKey(rng, rng.int(10) === 0 ? new Uint8Array(0) : stem)
      const pos = nodeLowerBound(model, key)
      if (pos < model.length && compareKeys(model[pos]!, key) === 0) {
        node.removeEntry(pos)
        model.splice(pos, 1)
      } else {
        node.insertEntry(pos, key, EMPTY_KEY)
        model.splice(pos, 0, key)
      }
      check(`step ${step}`)
      if (model.length > 40) {
        node.size = 4096 * 2
        const right = splitNode(4096, node, false)
        const kept = node.keyList.length
        expect(right.keyList.length + kept).to.equal(model.length)
        const rightModel = model.slice(kept)
        model = model.slice(0, kept)
        check(`left of split ${step}`)
        for (const probe of rightModel)
          expect(nodeLeafLowerBound(right, probe)).to.equal(nodeLowerBound(rightModel, probe))
      }
    }
  })

  it('leaves a published node’s windows alone when its copy is edited', () => {
    const rng = new Prng(SEED + 11)
    const stem = Uint8Array.of(0x41, 0x42)
    const keys = sortedUnique(Array.from({ length: 30 }, () => randomKey(rng, stem)))
    // A leaf: its copy's inserts and removes (it then searches without windows).
    const leaf = new Node(
      true,
      keys.slice(),
      keys.map(() => EMPTY_KEY),
      [],
      0,
      0,
    )
    expect(nodeLeafLowerBound(leaf, keys[3]!)).to.equal(3)
    const leafCopy = leaf.clone(1)
    const copyModel = keys.slice()
    for (let i = 0; i < 20; i++) {
      const key = randomKey(rng, stem)
      const pos = nodeLowerBound(copyModel, key)
      if (pos < copyModel.length && compareKeys(copyModel[pos]!, key) === 0) continue
      leafCopy.insertEntry(pos, key, EMPTY_KEY)
      copyModel.splice(pos, 0, key)
      const r = rng.int(copyModel.length)
      leafCopy.removeEntry(r)
      copyModel.splice(r, 1)
      for (const probe of [key, randomKey(rng, stem), ...keys.slice(0, 5)])
        expect(nodeLeafLowerBound(leafCopy, probe)).to.equal(nodeLowerBound(copyModel, probe))
    }
    // A branch: its copy's windows are copied at its first insert.
    const branchKeys = [EMPTY_KEY, ...keys]
    const branch = new Node(
      false,
      branchKeys.slice(),
      [],
      branchKeys.map(() => ({ pgid: 2, txid: 1 })),
      0,
      0,
    )
    expect(stepChild(nodeBranchStep(branch, keys[5]!, 0))).to.equal(6)
    const branchCopy = branch.clone(1)
    const branchModel = branchKeys.slice()
    for (let i = 0; i < 20; i++) {
      const key = randomKey(rng, stem)
      const at = Math.max(1, nodeLowerBound(branchModel.slice(1), key) + 1)
      if (at < branchModel.length && compareKeys(branchModel[at]!, key) === 0) continue
      branchCopy.insertChild(at, key, { pgid: 3, txid: 1 })
      branchModel.splice(at, 0, key)
      const plain = new Node(
        false,
        branchModel.slice(),
        [],
        branchModel.map(() => ({ pgid: 2, txid: 1 })),
        0,
        0,
      )
      for (const probe of [key, randomKey(rng, stem), ...keys.slice(0, 5)])
        expect(stepChild(nodeBranchStep(branchCopy, probe, 0))).to.equal(plainStep(plain, probe))
    }
    // The originals search as they did.
    for (let i = 0; i < keys.length; i++) {
      expect(nodeLeafLowerBound(leaf, keys[i]!)).to.equal(i)
      expect(stepChild(nodeBranchStep(branch, keys[i]!, 0))).to.equal(i + 1)
    }
  })
})
