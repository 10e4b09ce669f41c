import { expect } from 'chai'
import { Prng } from '../../../src/io/prng.js'
import { Node } from '../../../src/tree/node.js'

/**
 * A packed leaf searches through key windows it keeps beside its slots (tree/node.ts, Node.find;
 * tree/key-windows.ts, windowRun): they must follow every edit, across a copy that shares
 * them, and give leafFind's answers for any key, including keys that lack the leaf's prefix, keys
 * that are prefixes of others and keys whose windows tie through zero bytes.
 */

const ALPHABET = [0x00, 0x01, 0x61, 0x62, 0xff]

/** Keys of 0–9 bytes over a small alphabet, most under one of a few shared prefixes. */
function randomKey(rng: Prng): Buffer {
  const prefixes = ['', 'pp', 'ppq', 'pq\u0000']
  const head = Buffer.from(prefixes[rng.int(prefixes.length)]!, 'latin1')
  const tail = Buffer.alloc(rng.int(8))
  for (let i = 0; i < tail.length; i++) tail[i] = ALPHABET[rng.int(ALPHABET.length)]!
  return rng.int(12) === 0 ? tail : Buffer.concat([head, tail])
}

/** Where `key` is in the sorted `model`: its index, or -1 − where it would go (leafFind's answer). */
function modelFind(model: readonly Buffer[], key: Buffer): number {
  let lo = 0
  let hi = model.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (Buffer.compare(model[mid]!, key) < 0) lo = mid + 1
    else hi = mid
  }
  return lo < model.length && model[lo]!.equals(key) ? lo : -1 - lo
}

/** The bytes `key` shares with every key of `model` (what a branch above hands down as `known`). */
function sharedWithAll(model: readonly Buffer[], key: Buffer): number {
  let p = key.length
  for (const k of model) {
    let i = 0
    while (i < p && i < k.length && k[i] === key[i]) i++
    p = i
  }
  return p
}

function expectFinds(leaf: Node, model: readonly Buffer[], rng: Prng, what: string): void {
  expect(leaf.count, `${what}: count`).to.equal(model.length)
  for (let i = 0; i < model.length; i++) expect(leaf.find(model[i]!, 0), `${what}: key ${i}`).to.equal(i)
  for (let j = 0; j < 12; j++) {
    const k = randomKey(rng)
    const want = modelFind(model, k)
    expect(leaf.find(k, 0), `${what}: ${k.toString('hex')}`).to.equal(want)
    expect(leaf.find(k, sharedWithAll(model, k)), `${what}: ${k.toString('hex')} with known`).to.equal(want)
  }
}

describe('tree: a packed leaf searched through its key windows', () => {
  for (const seed of [1, 2, 3, 20261205]) {
    it(`finds what a sorted model finds through inserts, removes, splits and copies that share the windows (seed ${seed})`, () => {
      const pageSize = 1024
      const rng = new Prng(seed)
      const value = Buffer.alloc(3, 7)
      for (let round = 0; round < 30; round++) {
        let leaf = Node.packedLeaf(pageSize)
        let model: Buffer[] = []
        let gen = 0
        for (let step = 0; step < 80; step++) {
          const op = rng.int(8)
          const what = `round ${round} step ${step} op ${op}`
          if (op === 0 && model.length > 0) {
            const p = rng.int(model.length)
            leaf.removePacked(p, pageSize)
            model.splice(p, 1)
          } else if (op === 1 && model.length > 5) {
            const right = leaf.splitPacked(pageSize)
            if (rng.int(2) === 0) model = model.slice(0, leaf.count)
            else {
              model = model.slice(leaf.count)
              leaf = right
            }
          } else if (op === 2 && model.length > 0) {
            // A copy shares the windows (and the page) until its first edit; its edits must not
            // reach the original, which is searched again afterwards.
            const copy = leaf.clone(++gen)
            const copyModel = model.slice()
            for (let j = 0; j < 3; j++) {
              const k = randomKey(rng)
              const f = copy.find(k, 0)
              if (f < 0 && copy.insertPacked(-1 - f, k, value, pageSize)) copyModel.splice(-1 - f, 0, k)
            }
            if (copyModel.length > 0 && rng.int(2) === 0) {
              const p = rng.int(copyModel.length)
              copy.removePacked(p, pageSize)
              copyModel.splice(p, 1)
            }
            expectFinds(leaf, model, rng, `${what}: the original after its copy's edits`)
            expectFinds(copy, copyModel, rng, `${what}: the copy`)
            if (rng.int(2) === 0) {
              leaf = copy
              model = copyModel
            }
          } else {
            const k = randomKey(rng)
            const f = leaf.find(k, 0)
            expect(f, `${what}: find before insert`).to.equal(modelFind(model, k))
            if (f < 0 && leaf.insertPacked(-1 - f, k, value, pageSize)) model.splice(-1 - f, 0, k)
          }
          expectFinds(leaf, model, rng, what)
        }
        // Decoded, the leaf keeps its windows (the decoded form's are the same): still found.
        expect(leaf.keyList.map((k) => Buffer.from(k).toString('hex'))).to.deep.equal(
          model.map((k) => k.toString('hex')),
        )
      }
    })
  }
})
