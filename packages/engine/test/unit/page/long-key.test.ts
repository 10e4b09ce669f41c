import { expect } from 'chai'
import { branchKey, branchKeyRun, branchSearch } from '../../../src/page/branch-page.js'
import {
  type KeyReader,
  compareKeys,
  compareLongKeysFrom,
  compareLongPageKey,
  sharedPrefix,
} from '../../../src/page/key-compare.js'
import { Prng } from '../../../src/io/prng.js'
import { LEAF_ENTRY_HEADER, LONG_KEY_FIELD, LONG_KEY_PREFIX, maxInlineKeySize, u16 } from '../../../src/page/layout.js'
import {
  leafEntryOffset,
  leafFind,
  leafIsLongKey,
  leafKey,
  leafKeyRun,
  leafValueBytes,
  leafOverflowRef,
  writeKeyPart,
} from '../../../src/page/leaf-page.js'
import { forEachRun } from '../../../src/page/page-runs.js'
import { EMPTY_KEY, Node, OverflowValue, computeSize } from '../../../src/tree/node.js'
import { encodeNode } from '../../../src/tree/spill.js'

const PS = 1024
const INLINE = maxInlineKeySize(PS)

/** Out-of-line keys by their run's first page; counts loads, so tests see when the prefix decided. */
class FakeRuns implements KeyReader {
  readonly keys = new Map<number, Uint8Array>()
  loads = 0
  #next = 100
  add(key: Uint8Array): OverflowValue {
    const pgid = this.#next
    this.#next += 100
    this.keys.set(pgid, key)
    return new OverflowValue(pgid, 7, key.length)
  }
  readKey(pgid: number, txid: number, length: number): Uint8Array {
    this.loads++
    const k = this.keys.get(pgid)
    expect(txid).to.equal(7)
    expect(k?.length).to.equal(length)
    return k!
  }
}

/** A key of `length` bytes of `fill`, ending in `tag`. */
function key(length: number, tag: string, fill = 'p'): Buffer {
  const k = Buffer.alloc(length, fill)
  k.write(tag, length - tag.length)
  return k
}

describe('page: out-of-line keys (FORMAT.md §10)', () => {
  it('writeKeyPart: inline keys as they are; out-of-line ones as length, run, txid and a 64-byte prefix', () => {
    const page = Buffer.alloc(256)
    expect(writeKeyPart(page, 10, Buffer.from('abc'), undefined)).to.equal(3)
    expect(page.subarray(10, 13).toString()).to.equal('abc')
    expect(writeKeyPart(page, 0, new Uint8Array(0), undefined)).to.equal(0)
    const long = key(3000, 'END')
    expect(writeKeyPart(page, 20, long, { pgid: 0x01020304, txid: 0xfffffffe, length: 3000 })).to.equal(LONG_KEY_FIELD)
    expect(page.readUInt32LE(20)).to.equal(3000)
    expect(page.readUInt32LE(24)).to.equal(0x01020304)
    expect(page.readUInt32LE(28)).to.equal(0xfffffffe)
    expect(page.subarray(32, 32 + LONG_KEY_PREFIX)).to.deep.equal(long.subarray(0, LONG_KEY_PREFIX))
    expect(page[32 + LONG_KEY_PREFIX]).to.equal(0)
  })

  it('compareLongPageKey decides on the prefix when it can, and loads the whole key only on a tie', () => {
    const runs = new FakeRuns()
    const stored = key(2000, 'm')
    const run = runs.add(stored)
    const page = Buffer.alloc(200)
    writeKeyPart(page, 0, stored, run)
    const part = LONG_KEY_FIELD & 0x7fff
    const cmp = (k: Uint8Array, from = 0): number => Math.sign(compareLongPageKey(page, 0, part, k, from, runs))
    expect(cmp(Buffer.from('a'))).to.equal(1)
    expect(cmp(Buffer.from('q'))).to.equal(-1)
    expect(cmp(new Uint8Array(0))).to.equal(1)
    expect(cmp(key(64, 'p'))).to.equal(1) // a prefix of the stored key
    expect(sharedPrefix(compareLongPageKey(page, 0, part, key(64, 'p'), 0, runs))).to.equal(64)
    expect(runs.loads).to.equal(0)
    for (const probe of [
      key(2000, 'm'),
      key(2000, 'a'),
      key(2000, 'z'),
      key(1999, 'm'),
      key(2001, 'm'),
      key(65, 'p'),
      key(5000, 'q'),
    ]) {
      expect(cmp(probe), probe.length + probe.subarray(-1).toString()).to.equal(Math.sign(compareKeys(stored, probe)))
    }
    expect(runs.loads).to.equal(7)
    // A known shared prefix past the inline one is skipped in the whole key too.
    expect(cmp(key(2000, 'm'), 1500)).to.equal(0)
    const longer = Buffer.concat([stored, Buffer.from([0])])
    expect(sharedPrefix(compareLongPageKey(page, 0, part, longer, 1500, runs))).to.equal(2000)
  })

  it('compareLongKeysFrom agrees with compareKeys and finds the exact common prefix, at every split point', () => {
    const seed = 4242
    const rng = new Prng(seed)
    for (let t = 0; t < 2000; t++) {
      const a = Buffer.from(rng.bytes(rng.range(0, 3000)))
      const b = Buffer.from(a.subarray(0, rng.range(0, a.length)))
      // b: a prefix of a, maybe changed at one byte, maybe extended.
      if (b.length > 0 && rng.bool(0.6)) b[rng.int(b.length)] = rng.int(256)
      const c = rng.bool(0.3) ? Buffer.concat([b, Buffer.from(rng.bytes(rng.range(1, 100)))]) : b
      let common = 0
      while (common < a.length && common < c.length && a[common] === c[common]) common++
      const from = rng.int(common + 1)
      const r = compareLongKeysFrom(a, c, from)
      expect(Math.sign(r), `seed ${seed} case ${t}`).to.equal(Math.sign(compareKeys(a, c)))
      if (r !== 0) expect(sharedPrefix(r), `seed ${seed} case ${t}`).to.equal(common)
    }
  })

  it('a leaf with out-of-line keys: keys read whole, values placed after the key part, exact search among shared prefixes', () => {
    const runs = new FakeRuns()
    const keys = [
      Buffer.from(''),
      Buffer.from('a'),
      key(INLINE, 'i'),
      key(INLINE + 1, 'a'),
      key(INLINE + 1, 'b'),
      key(3000, 'a'),
      key(3000, 'b'),
      key(3001, 'a'),
      Buffer.from('q'),
    ]
    keys.sort(compareKeys)
    const vals = keys.map((_, i) => (i === 4 ? new OverflowValue(9, 7, 5000) : Buffer.from(`v${i}`)))
    const node = new Node(true, keys, vals, [], 0, 0)
    node.size = computeSize(node, PS)
    const keyRuns = keys.map((k) => (k.length > INLINE ? runs.add(k) : undefined))
    const page = encodeNode(node, 12, 7, Buffer.alloc(PS), keyRuns)
    const used =
      16 +
      keys.reduce(
        (n, k, i) => n + 2 + LEAF_ENTRY_HEADER + (k.length > INLINE ? 76 : k.length) + (i === 4 ? 8 : vals[i]!.length),
        0,
      )
    expect(node.size).to.equal(used)
    keys.forEach((k, i) => {
      expect(leafIsLongKey(page, i)).to.equal(k.length > INLINE)
      expect(Buffer.from(leafKey(page, i, runs))).to.deep.equal(k)
      expect(leafKeyRun(page, i)).to.deep.equal(k.length > INLINE ? [keyRuns[i]!.pgid, 7, k.length] : undefined)
      if (i !== 4) expect(leafValueBytes(page, i).toString()).to.equal(`v${i}`)
      if (k.length > INLINE) expect(u16(page, leafEntryOffset(page, i))).to.equal(LONG_KEY_FIELD)
    })
    expect(leafOverflowRef(page, 4)).to.deep.equal([9, 7])
    for (const [i, k] of keys.entries()) expect(leafFind(page, k, 0, runs)).to.equal(i)
    for (const probe of [key(3000, 'c'), key(2999, 'b'), key(INLINE + 2, 'a'), Buffer.from('p')]) {
      const at = keys.findIndex((k) => compareKeys(k, probe) > 0)
      expect(leafFind(page, probe, 0, runs)).to.equal(-1 - (at < 0 ? keys.length : at))
    }
    const seen: number[][] = []
    forEachRun(page, true, (pgid, txid, length) => seen.push([pgid, txid, length]))
    expect(seen).to.deep.equal([
      ...keys.flatMap((k, i) => [
        ...(k.length > INLINE ? [[keyRuns[i]!.pgid, 7, k.length]] : []),
        ...(i === 4 ? [[9, 7, 5000]] : []),
      ]),
    ])
    // Decoding: whole keys, the runs owned by the node, the same size.
    const back = Node.fromPage(page, 12, runs)
    expect(back.keys.map((k) => Buffer.from(k))).to.deep.equal(keys)
    expect(back.size).to.equal(node.size)
    expect([...back.runs!.values()].map((r) => r.pgid)).to.deep.equal(
      keyRuns.filter((r) => r !== undefined).map((r) => r.pgid),
    )
  })

  it('a branch with out-of-line separators: entry 0 stays empty, search picks the last separator <= the key', () => {
    const runs = new FakeRuns()
    const seps = [key(3000, 'b'), key(3000, 'd'), Buffer.from('x')]
    const keyRuns = [undefined, runs.add(seps[0]!), runs.add(seps[1]!), undefined]
    const node = new Node(
      false,
      [EMPTY_KEY, ...seps],
      [],
      [1, 2, 3, 4].map((p) => ({ pgid: p, txid: 7 })),
      0,
      0,
    )
    node.size = computeSize(node, PS)
    const page = encodeNode(node, 5, 7, Buffer.alloc(PS), keyRuns)
    expect(branchKey(page, 0, runs)).to.have.length(0)
    expect(Buffer.from(branchKey(page, 1, runs))).to.deep.equal(seps[0])
    expect(branchKeyRun(page, 2)).to.deep.equal([keyRuns[2]!.pgid, 7, 3000])
    expect(branchKeyRun(page, 3)).to.equal(undefined)
    const at = (k: Uint8Array): number => branchSearch(page, k, 0, runs)
    expect([
      at(Buffer.from('')),
      at(key(3000, 'a')),
      at(key(3000, 'b')),
      at(key(3000, 'c')),
      at(key(3001, 'd')),
      at(Buffer.from('y')),
    ]).to.deep.equal([0, 0, 1, 1, 2, 3])
    const seen: number[] = []
    forEachRun(page, false, (pgid) => seen.push(pgid))
    expect(seen).to.deep.equal([keyRuns[1]!.pgid, keyRuns[2]!.pgid])
    const back = Node.fromPage(page, 5, runs)
    expect(back.keys.slice(1).map((k) => Buffer.from(k))).to.deep.equal(seps)
    expect(back.size).to.equal(node.size)
    expect(back.runs!.size).to.equal(2)
  })
})
