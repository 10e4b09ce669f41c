import { checksum, checksumUpdate } from './checksum.js'
import { LEAF_ENTRY_HEADER, LONG_KEY_FLAG, OVERFLOW_FLAG, setU16, setU32, setU64, u16, u32, u64 } from './layout.js'
import { keepShapes } from '../base/shapes.js'

/**
 * FORMAT.md §11: one journal record, the logical changes of one commit. Layout:
 *
 *   0  u32 checksum: CRC-32 (zlib) of bytes 4 … length−1
 *   4  u32 length of the whole record in bytes
 *   8  u32 magic 0x4a525442 ("BTRJ")
 *  12  u32 op count
 *  16  u64 base: the txid of the checkpoint (meta) this record follows
 *  24  u64 txid of the commit
 *  32  ops, back to back:
 *        u8 kind; bucket ops: u16 name length, name (UTF-8);
 *        put: u32 key length, key, u32 value length, value; delete: u32 key length, key;
 *        entries: u32 byte length, then puts as leaf entries (FORMAT.md §4, inline key and
 *        value: u16 key length, u32 value length, key, value), in descending key order
 *
 * The op count counts the puts of an entries op one by one (the ops decodeRecord gives).
 * `select` makes a bucket the target of the puts and deletes after it; `create` and `drop` are the
 * bucket operations (create also selects).
 */
export const JOURNAL_MAGIC = 0x4a525442
export const RECORD_HEADER = 32

export const JournalOp = {
  select: 1,
  create: 2,
  drop: 3,
  put: 4,
  delete: 5,
  entries: 6,
} as const
export type JournalOp = (typeof JournalOp)[keyof typeof JournalOp]

/** The ops of one commit as parallel arrays (no object per op): names for bucket ops, key/value for key ops. */
export interface JournalOps {
  readonly kinds: readonly number[]
  readonly names: readonly (Uint8Array | undefined)[]
  readonly keys: readonly (Uint8Array | undefined)[]
  readonly values: readonly (Uint8Array | undefined)[]
}

export interface DecodedRecord extends JournalOps {
  base: number
  txid: number
  length: number
}

/** Bytes the record of `ops` takes. */
export function recordLength(ops: JournalOps, count: number): number {
  let n = RECORD_HEADER
  for (let i = 0; i < count; i++) {
    const k = ops.kinds[i]!
    if (k === JournalOp.put) n += 1 + 4 + ops.keys[i]!.length + 4 + ops.values[i]!.length
    else if (k === JournalOp.delete) n += 1 + 4 + ops.keys[i]!.length
    else n += 1 + 2 + ops.names[i]!.length
  }
  return n
}

/** Encodes the first `count` ops as a sealed record. */
export function encodeRecord(ops: JournalOps, count: number, base: number, txid: number): Buffer {
  const length = recordLength(ops, count)
  const b = Buffer.allocUnsafe(length)
  setU32(b, 4, length)
  setU32(b, 8, JOURNAL_MAGIC)
  setU32(b, 12, count)
  setU64(b, 16, base)
  setU64(b, 24, txid)
  let o = RECORD_HEADER
  for (let i = 0; i < count; i++) {
    const k = ops.kinds[i]!
    b[o++] = k
    if (k === JournalOp.put || k === JournalOp.delete) {
      const key = ops.keys[i]!
      setU32(b, o, key.length)
      b.set(key, o + 4)
      o += 4 + key.length
      if (k === JournalOp.put) {
        const v = ops.values[i]!
        setU32(b, o, v.length)
        b.set(v, o + 4)
        o += 4 + v.length
      }
    } else {
      const name = ops.names[i]!
      setU16(b, o, name.length)
      b.set(name, o + 2)
      o += 2 + name.length
    }
  }
  setU32(b, 0, checksum(b.subarray(4)))
  return b
}

/**
 * The largest chunk of a RecordBuilder (an op larger than this gets a chunk of its own size).
 * Chunks start at FIRST_CHUNK and double: the tree keeps views into them until a checkpoint, so a
 * one-put commit must not pin 64 KiB (at 150 bytes a record, a 64 MiB journal is 450,000 commits).
 */
const CHUNK = 64 * 1024
const FIRST_CHUNK = 512
/**
 * Runs of appended entries up to this many bytes are copied by a loop (#flushRun): puts that
 * alternate between two buckets (a table's row, then its index's entry) flush a run of one entry
 * each time, and a view for set() was an allocation per put (an alternating load of 100,000 pairs,
 * CPU medians of ten alternating rounds: 280 ms with the view, 269 without).
 */
const SMALL_RUN = 128
/** A new builder's chunk: shared, never written (no byte of it is ever reserved). */
const EMPTY = Buffer.alloc(0)
/**
 * Full-size chunks of written records that nothing holds a view of (RecordBuilder.recycle), for
 * later records to fill: an ascending load's puts are copied into packed leaves, so its records'
 * bytes are dead once written, and allocating them afresh (25 MB for 200,000 puts of 100 bytes)
 * was external memory that drove the garbage collector's full collections.
 */
const spareChunks: Buffer[] = []
const MAX_SPARE_CHUNKS = 16
/**
 * A record takes spare chunks only once it has passed the small chunks (the ramp from FIRST_CHUNK):
 * a small commit whose key views pin its chunk must not pin 64 KiB.
 */
const SPARE_FROM = 8 * 1024

/**
 * Where a durable commit's record is written ahead of its commit (FORMAT.md §11, "Streamed
 * records"): writes the record's op bytes from byte `from` of the ops on (the buffers, back to
 * back) at their place in the journal, and returns whether it did. When it did not (no place is
 * known now: a truncate or a checkpoint's restart pending), the builder streams no more and the
 * commit writes every byte.
 */
export type RecordSink = (builder: RecordBuilder, from: number, buffers: readonly Buffer[]) => boolean

/** Where a RecordBuilder stood: rollBack(mark) drops every op recorded after it. */
export interface RecordMark {
  readonly closed: number
  readonly closedBytes: number
  readonly chunk: Buffer
  readonly segStart: number
  readonly used: number
  readonly count: number
}

/**
 * A commit's record (FORMAT.md §11) built as its ops happen: each put copies the caller's key and
 * value once, into the record's own bytes, and the transaction's nodes keep views of those bytes
 * (they live until a checkpoint writes them as pages). So a put makes one copy and no op object,
 * and the commit only writes the header and the checksum (encodeRecord made a second copy of every
 * key and value, and four array entries per op).
 *
 * The ops are back to back in chunks of 64 KiB; the record is the header plus the chunks' used
 * segments, written with one writev. Bytes once handed out as views are never written again: a
 * rollBack ends the current segment at the mark and the next op starts a new segment after every
 * byte written so far (nodes of the rolled-back ops may still hold views, as a split's separator).
 */
export class RecordBuilder {
  /** Ops recorded. */
  count = 0
  readonly #closed: Buffer[] = []
  #closedBytes = 0
  #chunk: Buffer = EMPTY
  /** Where the open segment starts in #chunk (its end is #used). */
  #segStart = 0
  #used = 0
  #nextChunk = FIRST_CHUNK
  /** Where the last op began in #chunk (cancelLast). */
  #lastStart = 0
  /** Ops the builder expects in all (expect()), 0 when unknown. */
  #expected = 0
  /**
   * A run of ascending appends not yet copied into the record (entry()): leaf entries of
   * `#runPage`, back to back from #runLow to #runHigh (each appended below the one before). Copied
   * as one entries op, one copy for the run, when any other op is recorded, and before the record
   * is read (mark, seal).
   */
  #runPage: Uint8Array | undefined
  #runLow = 0
  #runHigh = 0

  /**
   * Tells the builder how many ops are coming (a group commit's updates): a new chunk then takes
   * room for the ops still expected at the size of the one asking (64 puts of 125 bytes: one 8 KiB
   * chunk, not five doubling ones and five segments to write).
   */
  expect(ops: number): void {
    this.#expected = ops
  }
  /** Whether a view of #chunk's bytes was handed out (lastKey): it is never reused then. */
  #pinned = false
  /** Where the record's finished ops go ahead of its commit (streamTo), or nowhere. */
  #sink: RecordSink | undefined
  /** Bytes of finished ops that make a step of streaming (streamTo). */
  #step = 0
  /**
   * Bytes of the ops, from the first, written through #sink: unchanged since (bytes handed out are
   * never written again, and a rollBack below this point lowers it).
   */
  #streamed = 0
  /** The first closed segment not wholly streamed, and the byte of the ops where it begins. */
  #streamSeg = 0
  #streamSegAt = 0
  /** Full-size chunks left behind that no view pins: spare once the record is written (recycle). */
  readonly #unpinned: Buffer[] = []

  /**
   * Streams the record as it grows (FORMAT.md §11, "Streamed records"): once `step` bytes of
   * finished ops (every op but a pending run of appends; for the first write, a quarter of `step`)
   * are not yet written, they go to `sink`, so
   * that the commit's own write and sync find little left. A durable commit's: its sync must reach
   * the disk, and these writes (each followed by a writeback started on the thread pool) spread
   * that over the time the transaction runs. Never writes the bytes the record's header goes to.
   */
  streamTo(sink: RecordSink | undefined, step: number): void {
    this.#sink = step > 0 ? sink : undefined
    this.#step = step
  }

  /** The sink streamTo() gave, while streaming goes on (a reset transaction's new builder takes it). */
  get sink(): RecordSink | undefined {
    return this.#sink
  }

  /** The step streamTo() gave. */
  get step(): number {
    return this.#step
  }

  /** Bytes of the ops from the first already written where the record goes (streamTo). */
  get streamed(): number {
    return this.#streamed
  }

  /** Bytes of the ops so far (the record is RECORD_HEADER more). */
  get bytes(): number {
    const run = this.#runPage === undefined ? 0 : 5 + this.#runHigh - this.#runLow
    return this.#closedBytes + this.#used - this.#segStart + run
  }

  /**
   * A put that appended an inline entry past the last key of a packed leaf: the entry's bytes at
   * `off` (`size` of them) in the leaf's `page`, which no later edit overwrites (tree/node.ts:
   * packed leaves write new entries below the old ones, or into a new page). Copied into the
   * record as part of an entries op, with the appends before and after it into the same page,
   * once any other op is recorded or the record is read: the record then holds the puts in the
   * order they were made, and an ascending load copies its bytes once per leaf, not twice per put.
   */
  entry(page: Uint8Array, off: number, size: number): void {
    if (page === this.#runPage && off + size === this.#runLow) this.#runLow = off
    else {
      if (this.#runPage !== undefined) this.#flushRun()
      this.#runPage = page
      this.#runLow = off
      this.#runHigh = off + size
    }
    this.count++
  }

  /** Copies the pending run of appends (entry()) into the record as an entries op. */
  #flushRun(): void {
    const page = this.#runPage!
    const low = this.#runLow
    const n = this.#runHigh - low
    this.#runPage = undefined
    const o = this.#reserve(5 + n)
    const b = this.#chunk
    b[o] = JournalOp.entries
    setU32(b, o + 1, n)
    if (n <= SMALL_RUN) {
      // A run of one or two entries (puts alternating between buckets: a table and its index): a
      // loop, without the view a set() needs.
      for (let i = 0; i < n; i++) b[o + 5 + i] = page[low + i]!
    } else b.set(new Uint8Array(page.buffer, page.byteOffset + low, n), o + 5)
    this.#used = o + 5 + n
    if (this.#sink !== undefined) this.#maybeStream()
  }

  /**
   * A put of `key` and `value`: copies both. lastKey() gives a view of the key's copy; the value's
   * copy follows it, after its u32 length (the op's layout), where tree/node.ts:recordValue finds it.
   */
  put(key: Uint8Array, value: Uint8Array): void {
    if (this.#runPage !== undefined) this.#flushRun()
    const kl = key.length
    const vl = value.length
    let o = this.#reserve(9 + kl + vl)
    this.#lastStart = o
    const b = this.#chunk
    b[o] = JournalOp.put
    setU32(b, o + 1, kl)
    b.set(key, o + 5)
    o += 5 + kl
    setU32(b, o, vl)
    b.set(value, o + 4)
    this.#used = o + 4 + vl
    this.count++
    if (this.#sink !== undefined) this.#maybeStream()
  }

  /** A view of the key that the last put() or delete() copied. */
  lastKey(): Uint8Array {
    this.#pinned = true
    const b = this.#chunk
    const o = this.#lastStart
    return new Uint8Array(b.buffer, b.byteOffset + o + 5, u32(b, o + 1))
  }

  /**
   * A delete of `key`: copies it. No view of the copy unless lastKey() asks (a savepoint's undo):
   * a view per delete was an allocation, and it pinned the chunk, which recycle() then could not
   * reuse (a batch of deletes made each record's chunks afresh).
   */
  delete(key: Uint8Array): void {
    if (this.#runPage !== undefined) this.#flushRun()
    const kl = key.length
    const o = this.#reserve(5 + kl)
    this.#lastStart = o
    const b = this.#chunk
    b[o] = JournalOp.delete
    setU32(b, o + 1, kl)
    b.set(key, o + 5)
    this.#used = o + 5 + kl
    this.count++
    if (this.#sink !== undefined) this.#maybeStream()
  }

  /** A bucket op (select, create, drop) naming `name` (UTF-8). */
  bucketOp(kind: JournalOp, name: Uint8Array): void {
    if (this.#runPage !== undefined) this.#flushRun()
    const o = this.#reserve(3 + name.length)
    this.#lastStart = o
    const b = this.#chunk
    b[o] = kind
    setU16(b, o + 1, name.length)
    b.set(name, o + 3)
    this.#used = o + 3 + name.length
    this.count++
  }

  /** Drops the op just recorded (its change failed), never reusing its bytes. */
  cancelLast(): void {
    if (this.#lastStart > this.#segStart) this.#close(this.#chunk.subarray(this.#segStart, this.#lastStart))
    this.#segStart = this.#used
    this.count--
    this.#unstream(this.#closedBytes)
  }

  mark(): RecordMark {
    if (this.#runPage !== undefined) this.#flushRun()
    return {
      closed: this.#closed.length,
      closedBytes: this.#closedBytes,
      chunk: this.#chunk,
      segStart: this.#segStart,
      used: this.#used,
      count: this.count,
    }
  }

  /** Drops the ops recorded after `m`, never reusing their bytes. */
  rollBack(m: RecordMark): void {
    // Appends after the mark (mark() copied those before it) are dropped with the rest.
    this.#runPage = undefined
    this.#closed.length = m.closed
    this.#closedBytes = m.closedBytes
    if (m.used > m.segStart) this.#close(m.chunk.subarray(m.segStart, m.used))
    this.#segStart = this.#used
    this.count = m.count
    this.#unstream(this.#closedBytes)
  }

  /** The ops from byte `bytes` on were dropped: what was streamed past it is rewritten by later streams or the commit. */
  #unstream(bytes: number): void {
    if (this.#streamed > bytes) this.#streamed = bytes
    this.#streamSeg = 0
    this.#streamSegAt = 0
  }

  /** Streams the finished ops not yet streamed once they make a step (streamTo). */
  #maybeStream(): void {
    const finished = this.#closedBytes + this.#used - this.#segStart
    // The first write comes at a quarter of the step: a group of 64 single-put updates (~8 KB)
    // starts its disk halfway through its callbacks (FORMAT.md §11, "Streamed records").
    if (finished - this.#streamed < (this.#streamed === 0 ? this.#step >> 2 : this.#step)) return
    const from = this.#streamed
    const buffers: Buffer[] = []
    let i = this.#streamSeg
    let at = this.#streamSegAt
    for (; i < this.#closed.length; i++) {
      const seg = this.#closed[i]!
      if (at + seg.length > from) buffers.push(from > at ? seg.subarray(from - at) : seg)
      at += seg.length
    }
    this.#streamSeg = i
    this.#streamSegAt = at
    const open = this.#segStart + (from > at ? from - at : 0)
    if (this.#used > open) buffers.push(this.#chunk.subarray(open, this.#used))
    if (this.#sink!(this, from, buffers)) this.#streamed = finished
    else this.#sink = undefined
  }

  /**
   * The sealed record: a header buffer and the segments that follow it, to be written back to back
   * (FORMAT.md §11: the same bytes as encodeRecord's). Recording may go on afterwards only through
   * rollBack (a failed commit is not retried with the same transaction).
   */
  seal(base: number, txid: number): { buffers: Buffer[]; length: number } {
    if (this.#runPage !== undefined) this.#flushRun()
    const header = Buffer.allocUnsafe(RECORD_HEADER)
    const length = RECORD_HEADER + this.bytes
    setU32(header, 4, length)
    setU32(header, 8, JOURNAL_MAGIC)
    setU32(header, 12, this.count)
    setU64(header, 16, base)
    setU64(header, 24, txid)
    const buffers = [header, ...this.#closed]
    if (this.#used > this.#segStart) buffers.push(this.#chunk.subarray(this.#segStart, this.#used))
    let crc = checksum(header.subarray(4))
    for (let i = 1; i < buffers.length; i++) crc = checksumUpdate(buffers[i]!, crc)
    setU32(header, 0, crc)
    return { buffers, length }
  }

  /**
   * Once the record is written and nothing will read it again (the commit is published): gives its
   * full-size chunks that no view pins to later records, and empties the builder. Views handed
   * out pin their whole chunk, so a record whose puts all appended (tree/modify.ts:treeAppend
   * copies the bytes into the leaf) gives back all of its large chunks.
   */
  recycle(): void {
    this.#leaveChunk()
    for (const c of this.#unpinned) if (spareChunks.length < MAX_SPARE_CHUNKS) spareChunks.push(c)
    this.#unpinned.length = 0
    this.#closed.length = 0
    this.#closedBytes = 0
    this.#chunk = EMPTY
    this.#segStart = this.#used = this.#lastStart = 0
    this.#runPage = undefined
    this.count = 0
    this.#sink = undefined
    this.#unstream(0)
  }

  /** An offset in #chunk with `n` bytes free after it, in the open segment. */
  #reserve(n: number): number {
    if (this.#used + n <= this.#chunk.length) return this.#used
    if (this.#used > this.#segStart) this.#close(this.#chunk.subarray(this.#segStart, this.#used))
    this.#leaveChunk()
    const size = Math.max(this.#nextChunk, n, Math.min(CHUNK, n * (this.#expected - this.count)))
    if (size === CHUNK || (this.#nextChunk >= SPARE_FROM && n <= CHUNK && spareChunks.length > 0)) {
      this.#nextChunk = CHUNK
      this.#chunk = spareChunks.pop() ?? Buffer.allocUnsafeSlow(CHUNK)
    } else {
      if (this.#nextChunk < CHUNK) this.#nextChunk *= 2
      // Small chunks come from Node's shared pool (Buffer.allocUnsafe below 4 KiB).
      this.#chunk = size < 4096 ? Buffer.allocUnsafe(size) : Buffer.allocUnsafeSlow(size)
    }
    this.#segStart = 0
    this.#used = 0
    return 0
  }

  /** Moving off #chunk: a full-size one that no view pins becomes spare at recycle(). */
  #leaveChunk(): void {
    if (this.#chunk.length === CHUNK && !this.#pinned) this.#unpinned.push(this.#chunk)
    this.#pinned = false
  }

  #close(segment: Buffer): void {
    this.#closed.push(segment)
    this.#closedBytes += segment.length
  }
}

/**
 * Whether a record header's place holds zeros (length and magic): the terminator after the last
 * record, or space allocated ahead (FORMAT.md §11).
 */
export function isJournalEnd(header: Uint8Array): boolean {
  return u32(header, 4) === 0 && u32(header, 8) === 0
}

/** The record's length from its header, or a reason it cannot be one. */
export function peekRecordLength(header: Uint8Array): number | string {
  if (u32(header, 8) !== JOURNAL_MAGIC) return 'bad magic'
  const length = u32(header, 4)
  if (length < RECORD_HEADER) return `length ${length} below the header`
  return length
}

/** Decodes a whole record (views into `b`), or says why it is not a valid one. */
export function decodeRecord(b: Uint8Array): DecodedRecord | string {
  if (b.length < RECORD_HEADER) return 'short record'
  const length = peekRecordLength(b)
  if (typeof length === 'string') return length
  if (length !== b.length) return 'length mismatch'
  if (u32(b, 0) !== checksum(b.subarray(4))) return 'checksum mismatch'
  const count = u32(b, 12)
  const kinds: number[] = []
  const names: (Uint8Array | undefined)[] = []
  const keys: (Uint8Array | undefined)[] = []
  const values: (Uint8Array | undefined)[] = []
  let o = RECORD_HEADER
  const need = (n: number): boolean => o + n <= length
  while (kinds.length < count) {
    if (!need(1)) return 'op past the end'
    const k = b[o++]!
    if (k === JournalOp.entries) {
      // Puts as leaf entries in descending key order: given as puts, in ascending (recorded) order.
      if (!need(4)) return 'op past the end'
      const n = u32(b, o)
      if (n === 0 || !need(4 + n)) return 'entries past the end'
      const end = o + 4 + n
      const at: number[] = []
      for (let e = o + 4; e < end;) {
        if (e + LEAF_ENTRY_HEADER > end) return 'entry past the end'
        const kl = u16(b, e)
        const vl = u32(b, e + 2)
        if (kl >= LONG_KEY_FLAG || vl >= OVERFLOW_FLAG) return 'an entry not inline'
        if (e + LEAF_ENTRY_HEADER + kl + vl > end) return 'entry past the end'
        at.push(e)
        e += LEAF_ENTRY_HEADER + kl + vl
      }
      if (kinds.length + at.length > count) return 'more ops than the count'
      for (let i = at.length - 1; i >= 0; i--) {
        const e = at[i]!
        const kl = u16(b, e)
        const ks = e + LEAF_ENTRY_HEADER
        kinds.push(JournalOp.put)
        names.push(undefined)
        keys.push(b.subarray(ks, ks + kl))
        values.push(b.subarray(ks + kl, ks + kl + u32(b, e + 2)))
      }
      o = end
      continue
    }
    kinds.push(k)
    if (k === JournalOp.put || k === JournalOp.delete) {
      if (!need(4)) return 'op past the end'
      const kl = u32(b, o)
      if (!need(4 + kl)) return 'key past the end'
      keys.push(b.subarray(o + 4, o + 4 + kl))
      o += 4 + kl
      names.push(undefined)
      if (k === JournalOp.put) {
        if (!need(4)) return 'op past the end'
        const vl = u32(b, o)
        if (!need(4 + vl)) return 'value past the end'
        values.push(b.subarray(o + 4, o + 4 + vl))
        o += 4 + vl
      } else values.push(undefined)
    } else if (k === JournalOp.select || k === JournalOp.create || k === JournalOp.drop) {
      if (!need(2)) return 'op past the end'
      const nl = u16(b, o)
      if (!need(2 + nl)) return 'name past the end'
      names.push(b.subarray(o + 2, o + 2 + nl))
      o += 2 + nl
      keys.push(undefined)
      values.push(undefined)
    } else return `unknown op kind ${k}`
  }
  if (o !== length) return 'trailing bytes'
  return { kinds, names, keys, values, base: u64(b, 16), txid: u64(b, 24), length }
}

// base/shapes.ts: each write transaction has its own.
keepShapes('page/journal-record', [new RecordBuilder()])
