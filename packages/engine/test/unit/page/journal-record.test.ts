import { expect } from 'chai'
import { Prng } from '../../../src/io/prng.js'
import {
  JournalOp,
  RECORD_HEADER,
  RecordBuilder,
  decodeRecord,
  encodeRecord,
  type JournalOps,
} from '../../../src/page/journal-record.js'
import { recordSlot, recordValue } from '../../../src/tree/node.js'
import { inlineEntrySize, writeInlineEntry } from '../../../src/page/leaf-page.js'
import { checksum } from '../../../src/page/checksum.js'

interface Ops extends JournalOps {
  kinds: number[]
  names: (Uint8Array | undefined)[]
  keys: (Uint8Array | undefined)[]
  values: (Uint8Array | undefined)[]
}

function bytes(rng: Prng, max: number): Buffer {
  const b = Buffer.alloc(rng.int(max + 1))
  for (let i = 0; i < b.length; i++) b[i] = rng.int(256)
  return b
}

/** Notes an op given to the builder, as encodeRecord takes it. */
function noteOp(ops: Ops, kind: number, name?: Uint8Array, key?: Uint8Array, value?: Uint8Array): void {
  ops.kinds.push(kind)
  ops.names.push(name)
  ops.keys.push(key)
  ops.values.push(value)
}

/** Rolls `b` back to one of `marks` at random (it and the marks after it are spent), and `ops` with it. */
function rollBackRandom(
  rng: Prng,
  b: RecordBuilder,
  marks: Array<[ReturnType<RecordBuilder['mark']>, number]>,
  ops: Ops,
): void {
  const [m, n] = marks.splice(rng.int(marks.length))[0]!
  marks.length = marks.filter(([, k]) => k <= n).length
  b.rollBack(m)
  for (const a of [ops.kinds, ops.names, ops.keys, ops.values]) a.length = n
}

/** A packed leaf's page taking appended entries, each below the one before (as tree/node.ts writes them). */
class AppendedLeaf {
  #page = Buffer.alloc(4096)
  #top = 4096

  /** Appends a random entry (to a new page when this one is full, or at random) and gives it to `b`. */
  append(rng: Prng, b: RecordBuilder): [Buffer, Buffer] {
    const key = bytes(rng, 30)
    const value = bytes(rng, 120)
    const size = inlineEntrySize(key.length, value.length)
    if (this.#top - size < 64 || rng.int(20) === 0) {
      this.#page = Buffer.alloc(4096)
      this.#top = this.#page.length
    }
    this.#top -= size
    writeInlineEntry(this.#page, this.#top, key, value)
    b.entry(this.#page, this.#top, size)
    return [key, value]
  }
}

function concat(buffers: readonly Uint8Array[]): Buffer {
  return Buffer.concat(buffers.map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength)))
}

describe('page/journal-record: RecordBuilder', () => {
  const seed = Number(process.env.SEED ?? 20261202)
  it(`builds the bytes encodeRecord gives, across chunks and after rollbacks and cancels (seed ${seed})`, () => {
    const rng = new Prng(seed)
    for (let round = 0; round < 20; round++) {
      const b = new RecordBuilder()
      const expected: Ops = { kinds: [], names: [], keys: [], values: [] }
      // Views handed out must keep their bytes whatever is recorded or rolled back after them.
      const held: Array<[Uint8Array, Buffer]> = []
      const marks: Array<[ReturnType<RecordBuilder['mark']>, number]> = []
      const steps = 50 + rng.int(400)
      for (let s = 0; s < steps; s++) {
        const r = rng.int(100)
        if (r < 60) {
          // Mostly small ops, sometimes one larger than a chunk.
          const key = bytes(rng, 40)
          const value = rng.int(50) === 0 ? bytes(rng, 100_000) : bytes(rng, 300)
          b.put(key, value)
          const k = b.lastKey()
          // The value's copy follows the key's, where the tree finds it (tree/node.ts:recordValue).
          held.push([k, key], [recordValue(k, recordSlot(value.length)), value])
          noteOp(expected, JournalOp.put, undefined, key, value)
        } else if (r < 75) {
          const key = bytes(rng, 40)
          b.delete(key)
          // A savepoint's undo takes a view of the key's copy (lastKey); a plain delete does not.
          if (rng.int(2) === 0) held.push([b.lastKey(), key])
          noteOp(expected, JournalOp.delete, undefined, key)
        } else if (r < 82) {
          const name = bytes(rng, 20)
          b.bucketOp(JournalOp.select, name)
          noteOp(expected, JournalOp.select, name)
        } else if (r < 88) {
          marks.push([b.mark(), expected.kinds.length])
        } else if (r < 94 && marks.length > 0) {
          rollBackRandom(rng, b, marks, expected)
        } else if (expected.kinds.length > 0 && expected.kinds.at(-1) !== JournalOp.select) {
          // cancelLast undoes the key op just recorded.
          b.delete(Buffer.from('x'))
          b.cancelLast()
        }
      }
      expect(b.count).to.equal(expected.kinds.length)
      const { buffers, length } = b.seal(7, 9 + round)
      const built = concat(buffers)
      expect(built.length).to.equal(length)
      expect(built.equals(encodeRecord(expected, expected.kinds.length, 7, 9 + round))).to.equal(true)
      const decoded = decodeRecord(built)
      if (typeof decoded === 'string') throw new Error(decoded)
      expect(decoded.kinds).to.deep.equal(expected.kinds)
      for (const [view, original] of held) expect(Buffer.from(view).equals(original)).to.equal(true)
    }
  })

  it(`records appends from leaf pages as entries ops, decoded as puts in the order made, among other ops (seed ${seed})`, () => {
    const rng = new Prng(seed + 1)
    for (let round = 0; round < 20; round++) {
      const b = new RecordBuilder()
      const kinds: number[] = []
      const keys: (Uint8Array | undefined)[] = []
      const values: (Uint8Array | undefined)[] = []
      const leaf = new AppendedLeaf()
      const marks: Array<[ReturnType<RecordBuilder['mark']>, number]> = []
      for (let s = 0; s < 300; s++) {
        const r = rng.int(100)
        if (r < 70) {
          const [key, value] = leaf.append(rng, b)
          kinds.push(JournalOp.put)
          keys.push(key)
          values.push(value)
        } else if (r < 80) {
          const key = bytes(rng, 30)
          const value = bytes(rng, 50)
          b.put(key, value)
          kinds.push(JournalOp.put)
          keys.push(key)
          values.push(value)
        } else if (r < 88) {
          const key = bytes(rng, 30)
          b.delete(key)
          kinds.push(JournalOp.delete)
          keys.push(key)
          values.push(undefined)
        } else if (r < 94) {
          marks.push([b.mark(), kinds.length])
        } else if (marks.length > 0) {
          const [m, n] = marks.splice(rng.int(marks.length))[0]!
          marks.length = marks.filter(([, k]) => k <= n).length
          b.rollBack(m)
          for (const a of [kinds, keys, values]) a.length = n
        }
      }
      expect(b.count).to.equal(kinds.length)
      const { buffers, length } = b.seal(3, 4)
      const built = concat(buffers)
      expect(built.length).to.equal(length)
      const decoded = decodeRecord(built)
      if (typeof decoded === 'string') throw new Error(decoded)
      expect(decoded.kinds).to.deep.equal(kinds)
      for (let i = 0; i < kinds.length; i++) {
        expect(Buffer.from(decoded.keys[i]!).equals(keys[i]!)).to.equal(true)
        if (values[i] !== undefined) expect(Buffer.from(decoded.values[i]!).equals(values[i]!)).to.equal(true)
      }
    }
  })

  it(`streamTo: the bytes streamed, then the sealed record from \`streamed\` on, make the record, across rollbacks, cancels and entries (seed ${seed})`, () => {
    const rng = new Prng(seed + 2)
    let streams = 0
    let lowered = 0
    for (let round = 0; round < 40; round++) {
      // The journal's bytes where the record goes: the sink writes ops bytes at RECORD_HEADER + from.
      const file = Buffer.alloc(4 << 20, 0xee)
      const step = 1 + rng.int(round % 2 === 0 ? 64 : 4096)
      let refuseAfter = round % 5 === 4 ? rng.int(6) : Infinity
      const b = new RecordBuilder()
      let streamedBefore = 0
      b.streamTo((builder, from, buffers) => {
        expect(builder).to.equal(b)
        // Only finished ops, from where the last stream ended or from a point a rollback lowered it to.
        expect(from).to.be.at.most(streamedBefore)
        if (refuseAfter-- <= 0) return false
        let at = RECORD_HEADER + from
        for (const buf of buffers) {
          file.set(buf, at)
          at += buf.length
        }
        streams++
        return true
      }, step)
      const expected: Ops = { kinds: [], names: [], keys: [], values: [] }
      const leaf = new AppendedLeaf()
      const marks: Array<[ReturnType<RecordBuilder['mark']>, number]> = []
      for (let s = 0; s < 200 + rng.int(300); s++) {
        const r = rng.int(100)
        if (r < 35) {
          const [key, value] = leaf.append(rng, b)
          noteOp(expected, JournalOp.put, undefined, key, value)
        } else if (r < 65) {
          const key = bytes(rng, 40)
          const value = rng.int(80) === 0 ? bytes(rng, 70_000) : bytes(rng, 200)
          b.put(key, value)
          noteOp(expected, JournalOp.put, undefined, key, value)
        } else if (r < 75) {
          const key = bytes(rng, 40)
          b.delete(key)
          noteOp(expected, JournalOp.delete, undefined, key)
        } else if (r < 80) {
          const name = bytes(rng, 20)
          b.bucketOp(JournalOp.select, name)
          noteOp(expected, JournalOp.select, name)
        } else if (r < 87) {
          marks.push([b.mark(), expected.kinds.length])
        } else if (r < 93 && marks.length > 0) {
          const was = b.streamed
          rollBackRandom(rng, b, marks, expected)
          if (b.streamed < was) lowered++
        } else if (expected.kinds.length > 0 && expected.kinds.at(-1) !== JournalOp.select) {
          b.delete(Buffer.from('x'))
          b.cancelLast()
        }
        streamedBefore = b.bytes
      }
      const { buffers, length } = b.seal(7, 100 + round)
      // The commit (Journal.write) writes the header and the ops from `streamed` on.
      file.set(buffers[0]!, 0)
      let skip = b.streamed
      let at = RECORD_HEADER + skip
      for (const buf of buffers.slice(1)) {
        if (skip >= buf.length) {
          skip -= buf.length
          continue
        }
        const part = buf.subarray(skip)
        skip = 0
        file.set(part, at)
        at += part.length
      }
      // The same bytes as the record written whole, and that record holds the ops made.
      const whole = concat(buffers)
      expect(length).to.equal(whole.length)
      expect(file.subarray(0, length).equals(whole), `round ${round} step ${step}`).to.equal(true)
      const decoded = decodeRecord(whole)
      if (typeof decoded === 'string') throw new Error(decoded)
      expect(decoded.kinds).to.deep.equal(expected.kinds)
      for (let i = 0; i < expected.kinds.length; i++) {
        if (expected.keys[i] !== undefined)
          expect(Buffer.from(decoded.keys[i]!).equals(expected.keys[i]!)).to.equal(true)
        if (expected.values[i] !== undefined)
          expect(Buffer.from(decoded.values[i]!).equals(expected.values[i]!)).to.equal(true)
      }
    }
    // The cases happened: records streamed, and rollbacks reached below what was streamed.
    expect(streams).to.be.greaterThan(100)
    expect(lowered).to.be.greaterThan(0)
  })

  it('an entries op that holds more puts than the count, or a torn entry, is not a record', () => {
    const page = Buffer.alloc(1024)
    writeInlineEntry(page, 1000, Buffer.from('b'), Buffer.from('2'))
    writeInlineEntry(page, 992, Buffer.from('c'), Buffer.from('3'))
    const b = new RecordBuilder()
    b.entry(page, 1000, 8)
    b.entry(page, 992, 8)
    const built = concat(b.seal(1, 2).buffers)
    // One entries op of two puts: 32 + 1 + 4 + 16 bytes.
    expect(built.length).to.equal(53)
    expect(built[32]).to.equal(JournalOp.entries)
    const rec = decodeRecord(built)
    if (typeof rec === 'string') throw new Error(rec)
    expect(rec.keys.map((k) => Buffer.from(k!).toString())).to.deep.equal(['b', 'c'])
    expect(rec.values.map((v) => Buffer.from(v!).toString())).to.deep.equal(['2', '3'])
    const resealed = (edit: (b: Buffer) => void): string | object => {
      const c = Buffer.from(built)
      edit(c)
      c.writeUInt32LE(checksum(c.subarray(4)), 0)
      return decodeRecord(c)
    }
    expect(resealed((c) => c.writeUInt32LE(1, 12))).to.equal('more ops than the count')
    expect(resealed((c) => c.writeUInt32LE(3, 12))).to.equal('op past the end')
    expect(resealed((c) => c.writeUInt16LE(20, 37))).to.equal('entry past the end')
    expect(resealed((c) => c.writeUInt16LE(0x8001, 37))).to.equal('an entry not inline')
  })

  it('an empty builder seals to a record of no ops', () => {
    const { buffers, length } = new RecordBuilder().seal(1, 2)
    expect(length).to.equal(32)
    const rec = decodeRecord(concat(buffers))
    if (typeof rec === 'string') throw new Error(rec)
    expect(rec.kinds).to.deep.equal([])
    expect(rec.txid).to.equal(2)
  })
  it("recycle gives a written record's unpinned chunks to later records, never one a view pins", () => {
    const value = new Uint8Array(100).fill(7)
    const fill = (b: RecordBuilder, tag: number, count: number): void => {
      for (let i = 0; i < count; i++) b.put(new Uint8Array([tag, i >> 8, i & 255]), value)
    }
    const first = new RecordBuilder()
    fill(first, 1, 2000)
    const firstBuffers = new Set(first.seal(1, 2).buffers.map((b) => b.buffer))
    first.recycle()
    expect(first.count).to.equal(0)
    // A later record of the same size fills the first one's large chunks again.
    const second = new RecordBuilder()
    fill(second, 2, 2000)
    const pinned = second.lastKey()
    const sealed = second.seal(1, 3)
    expect(sealed.buffers.some((b) => firstBuffers.has(b.buffer))).to.equal(true)
    const rec = decodeRecord(concat(sealed.buffers))
    if (typeof rec === 'string') throw new Error(rec)
    expect(rec.keys.length).to.equal(2000)
    second.recycle()
    // The chunk holding the view handed out is never reused: the view keeps its bytes.
    const third = new RecordBuilder()
    fill(third, 3, 4000)
    expect(third.seal(1, 4).buffers.some((b) => b.buffer === pinned.buffer)).to.equal(false)
    expect([...pinned]).to.deep.equal([2, 7, 207])
  })
  it("recycle reuses a record of deletes' chunks (a delete hands out no view unless lastKey asks)", () => {
    const key = (tag: number, i: number): Uint8Array =>
      new Uint8Array([tag, i >> 8, i & 255, ...new Array<number>(13).fill(9)])
    const first = new RecordBuilder()
    for (let i = 0; i < 20_000; i++) first.delete(key(1, i))
    // Full-size chunks only: small ones come from Node's shared pool, whose buffer many share.
    const full = (buffers: Buffer[]): ArrayBufferLike[] =>
      buffers.filter((b) => b.buffer.byteLength === 64 * 1024).map((b) => b.buffer)
    const firstBuffers = new Set(full(first.seal(1, 2).buffers))
    expect(firstBuffers.size).to.be.greaterThan(3)
    first.recycle()
    const second = new RecordBuilder()
    for (let i = 0; i < 20_000; i++) second.delete(key(2, i))
    const pinned = second.lastKey()
    const sealed = second.seal(1, 3)
    expect(full(sealed.buffers).filter((b) => firstBuffers.has(b)).length).to.equal(firstBuffers.size)
    const rec = decodeRecord(concat(sealed.buffers))
    if (typeof rec === 'string') throw new Error(rec)
    expect(rec.keys.length).to.equal(20_000)
    expect(Buffer.from(rec.keys[19_999]!).equals(Buffer.from(key(2, 19_999)))).to.equal(true)
    second.recycle()
    // The view lastKey handed out still pins its chunk.
    const third = new RecordBuilder()
    for (let i = 0; i < 40_000; i++) third.delete(key(3, i & 0xffff))
    expect(third.seal(1, 4).buffers.some((b) => b.buffer === pinned.buffer)).to.equal(false)
    expect([...pinned.subarray(0, 3)]).to.deep.equal([2, 19_999 >> 8, 19_999 & 255])
  })
})
