import { expect } from 'chai'
import { Prng } from '../../../src/io/prng.js'
import { compareKeys } from '../../../src/page/key-compare.js'
import { nodeLowerBound } from '../../../src/tree/search.js'

/**
 * nodeLowerBound narrows by quarters (three independent probes a round) before it halves: checked
 * against a linear scan on keys built to share prefixes and to be prefixes of one another, at every
 * size around the rounds' edges, with and without a known shared prefix.
 */

const SEED = Number(process.env['SEED'] ?? 1)

function randomKey(rng: Prng, stem: Uint8Array): Uint8Array {
  const out = new Uint8Array(stem.length + rng.int(6))
  out.set(stem)
  for (let i = stem.length; i < out.length; i++) out[i] = [0, 1, 0x30, 0xff][rng.int(4)]!
  return out
}

function linearLowerBound(keys: readonly Uint8Array[], key: Uint8Array): number {
  let i = 0
  while (i < keys.length && compareKeys(keys[i]!, key) < 0) i++
  return i
}

describe(`tree/search: nodeLowerBound (seed ${SEED})`, () => {
  it('finds what a linear scan finds, at every size from 0 to 70, known prefix or not', () => {
    const rng = new Prng(SEED)
    const stem = Uint8Array.of(7, 7, 7)
    for (let size = 0; size <= 70; size++) {
      for (let round = 0; round < 20; round++) {
        const sorted = Array.from({ length: size * 2 }, () => randomKey(rng, stem)).sort(compareKeys)
        const keys = sorted.filter((k, i) => i === 0 || compareKeys(sorted[i - 1]!, k) !== 0).slice(0, size)
        for (let probe = 0; probe < 8; probe++) {
          const key = probe % 2 === 0 && keys.length > 0 ? keys[rng.int(keys.length)]! : randomKey(rng, stem)
          const want = linearLowerBound(keys, key)
          expect(nodeLowerBound(keys, key), `size ${size}`).to.equal(want)
          // Every key here, and the probe, start with the stem.
          expect(nodeLowerBound(keys, key, stem.length), `size ${size}, known`).to.equal(want)
        }
      }
    }
  })
})
