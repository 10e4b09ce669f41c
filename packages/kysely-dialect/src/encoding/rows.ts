// Imported: the global Buffer is an accessor, called on every use in a module.
import { Buffer } from 'node:buffer'
import { unsupported } from '../errors.js'
import { decodeKeyInteger } from './keys.js'
import { integer, Real, type SqlValue } from './values.js'

/**
 * Row encoding, version 2 (written since 2026-12-02): a header of one tag per column slot and a
 * table of where each slot's payload ends, then the payloads in slot order. Reading one column
 * finds its tag and its bytes at once, without walking the slots before it (`RowView`,
 * `SlotReader`), so a query that reads two columns of twenty decodes two and skips the others
 * in O(1).
 *
 *   varint  hidden rowid + 1 (0: the table keys rows by its rowid or has none to keep)
 *   byte    0: the version-2 mark (where version 1 has its slot count, which is never 0)
 *   varint  slot count n
 *   byte    w, the width of an end offset: 1, 2 or 4 bytes (the smallest that holds the payloads' size)
 *   n tags  0 null, 1 the integer 0, 2 the integer 1, 3 int8, 4 int16, 5 int32, 6 int64,
 *           7 float64, 8 text, 9 blob
 *   n ends  per slot, where its payload ends, counted from the first payload (w bytes, big-endian):
 *           slot i's payload is [ends[i - 1] (0 for slot 0), ends[i])
 *   payloads, big-endian
 *
 * Version 1 (rows written before): no mark and no end table, text and blob tags followed by
 * their length as a varint. Both are read; every write stores version 2.
 *
 *   varint  hidden rowid + 1
 *   varint  slot count n (at least 1: every table has a column)
 *   n tags  as above, a text or blob tag followed by its length (varint)
 *   payloads
 *
 * Slots are the catalog's column slots: a dropped column leaves its slot unused (new rows store a
 * null there) and an added column takes a new slot that old, shorter rows lack; a missing slot
 * reads as the column's default, as SQLite reads a column added by ALTER TABLE.
 */
export const T_NULL = 0
export const T_ZERO = 1
export const T_ONE = 2
export const T_INT8 = 3
export const T_INT16 = 4
export const T_INT32 = 5
export const T_INT64 = 6
export const T_FLOAT = 7
export const T_TEXT = 8
export const T_BLOB = 9

/** The integer a T_ZERO … T_INT32 slot holds, its bytes from `at` (get and numberAt share it). */
export function smallInt(bytes: Uint8Array, tag: number, at: number): number {
  switch (tag) {
    case T_ZERO:
      return 0
    case T_ONE:
      return 1
    case T_INT8:
      return (bytes[at]! << 24) >> 24
    case T_INT16:
      return (((bytes[at]! << 8) | bytes[at + 1]!) << 16) >> 16
    default:
      return (bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!
  }
}

// Buffer's native UTF-8 writer works on any Uint8Array: text is written in place, never first
// encoded into a Uint8Array of its own.
const nativeBuffer = Buffer.prototype as unknown as {
  utf8Write(this: Uint8Array, s: string, at: number, length: number): number
  utf8Slice(this: Uint8Array, start: number, end: number): string
}
const utf8Write = nativeBuffer.utf8Write
const utf8Slice = nativeBuffer.utf8Slice

/** Per-slot tags and text lengths of the row being encoded: the sizing pass classifies each value once. */
let scratchTags = new Uint8Array(64)
let scratchLengths = new Int32Array(64)

/** The integer tag of a number (T_FLOAT for a non-integral one); a Real is always T_FLOAT. */
function numberTag(v: number): number {
  if (!Number.isInteger(v)) return T_FLOAT
  if (v === 0) return T_ZERO
  if (v === 1) return T_ONE
  if (v >= -128 && v <= 127) return T_INT8
  if (v >= -32768 && v <= 32767) return T_INT16
  if (v >= -2147483648 && v <= 2147483647) return T_INT32
  return T_INT64
}

/** The version-2 mark, where a version-1 row has its slot count (never 0). */
const V2 = 0

/** The row's bytes, a copy of its own. */
export function encodeRow(values: readonly SqlValue[], hiddenRowid?: number): Uint8Array {
  return encodeRowTransient(values, hiddenRowid).slice()
}

/**
 * The row's bytes in a buffer that the next encoding reuses: valid until then. For the engine's
 * put, which copies the value before it returns. A row of its own per write cost an allocation,
 * and past 64 bytes (V8's limit for a typed array's bytes on its heap) a backing store outside it:
 * ~2 µs a row in a micro-benchmark, several times the encoding.
 */
export function encodeRowTransient(values: readonly SqlValue[], hiddenRowid?: number): Uint8Array {
  return encodeRowAs(values, hiddenRowid, false) ?? encodeRowAs(values, hiddenRowid, true)!
}

/** The buffer encodeRowTransient writes rows into, grown as needed. */
let rowBuffer = new Uint8Array(512)
/** Views of rowBuffer's first n bytes, by n (up to VIEWS_KEPT): no view made per row either. */
let rowViews: Uint8Array[] = []
const VIEWS_KEPT = 4096

function rowSpace(size: number): Uint8Array {
  if (size > rowBuffer.length) {
    rowBuffer = new Uint8Array(Math.max(size, rowBuffer.length * 2))
    rowViews = []
  }
  return rowBuffer
}

function rowBytes(size: number): Uint8Array {
  if (size > VIEWS_KEPT) return rowBuffer.subarray(0, size)
  return (rowViews[size] ??= rowBuffer.subarray(0, size))
}

/**
 * The row's bytes. Not `exact`: every text is taken for ASCII (its UTF-8 length its length) and
 * copied in the same pass that checks it, undefined at the first character that is not ASCII; a
 * text then costs one pass over its characters, not two (a count, then a copy: the two loops were
 * most of an insert's encoding). `exact`: UTF-8 lengths counted first.
 */
function encodeRowAs(
  values: readonly SqlValue[],
  hiddenRowid: number | undefined,
  exact: boolean,
): Uint8Array | undefined {
  const count = values.length
  if (count > scratchTags.length) {
    scratchTags = new Uint8Array(count * 2)
    scratchLengths = new Int32Array(count * 2)
  }
  const tags = scratchTags
  const lengths = scratchLengths
  const hidden = hiddenRowid === undefined ? 0 : hiddenRowid + 1
  let payload = 0
  for (let i = 0; i < count; i++) {
    const v = values[i]!
    let tag: number
    if (typeof v === 'number') {
      tag = numberTag(v)
      payload += FIXED[tag]!
    } else if (typeof v === 'string') {
      const n = exact ? utf8Length(v) : v.length
      lengths[i] = n
      payload += n
      tag = T_TEXT
    } else if (v === null) {
      tag = T_NULL
    } else if (v instanceof Uint8Array) {
      lengths[i] = v.length
      payload += v.length
      tag = T_BLOB
    } else {
      // A bigint (past 2^53) or a Real: eight bytes either way.
      tag = typeof v === 'bigint' ? T_INT64 : T_FLOAT
      payload += 8
    }
    tags[i] = tag
  }
  const width = payload < 0x100 ? 1 : payload < 0x10000 ? 2 : 4
  const start = varintSize(hidden) + 1 + varintSize(count) + 1
  const header = start + count * (1 + width)
  const out = rowSpace(header + payload)
  let h = writeVarint(out, 0, hidden)
  out[h++] = V2
  h = writeVarint(out, h, count)
  out[h++] = width
  // h: the next tag; e: the next end offset; p: the next payload byte.
  let e = h + count
  let p = header
  for (let i = 0; i < count; i++) {
    const tag = tags[i]!
    out[h++] = tag
    switch (tag) {
      case T_NULL:
      case T_ZERO:
      case T_ONE:
        break
      case T_INT8:
        out[p++] = (values[i] as number) & 0xff
        break
      case T_INT16: {
        const v = values[i] as number
        out[p++] = (v >> 8) & 0xff
        out[p++] = v & 0xff
        break
      }
      case T_INT32: {
        const v = values[i] as number
        out[p++] = (v >>> 24) & 0xff
        out[p++] = (v >>> 16) & 0xff
        out[p++] = (v >>> 8) & 0xff
        out[p++] = v & 0xff
        break
      }
      case T_INT64:
        writeInt64(out, p, values[i] as number | bigint)
        p += 8
        break
      case T_FLOAT: {
        const v = values[i] as number | Real
        writeFloat64(out, p, typeof v === 'number' ? v : v.value)
        p += 8
        break
      }
      case T_TEXT: {
        const v = values[i] as string
        const n = lengths[i]!
        if (n === v.length) {
          for (let j = 0; j < n; j++) {
            const c = v.charCodeAt(j)
            // Only where the lengths were not counted (an exact count equals the length for ASCII alone).
            if (c >= 0x80) return undefined
            out[p + j] = c
          }
        } else utf8Write.call(out, v, p, n)
        p += n
        break
      }
      default: {
        const v = values[i] as Uint8Array
        out.set(v, p)
        p += v.length
      }
    }
    const end = p - header
    if (width === 1) out[e++] = end
    else if (width === 2) {
      out[e++] = end >>> 8
      out[e++] = end & 0xff
    } else {
      out[e++] = end >>> 24
      out[e++] = (end >>> 16) & 0xff
      out[e++] = (end >>> 8) & 0xff
      out[e++] = end & 0xff
    }
  }
  return rowBytes(header + payload)
}

/** The end offset `i` of a version-2 end table at `at` of width `width`. */
function endAt(bytes: Uint8Array, at: number, width: number, i: number): number {
  if (width === 1) return bytes[at + i]!
  if (width === 2) {
    const p = at + 2 * i
    return (bytes[p]! << 8) | bytes[p + 1]!
  }
  const p = at + 4 * i
  return ((bytes[p]! << 24) | (bytes[p + 1]! << 16) | (bytes[p + 2]! << 8) | bytes[p + 3]!) >>> 0
}

/** UTF-8 bytes of a string: counted here for short ASCII text, where a native call costs more than the loop. */
function utf8Length(s: string): number {
  const n = s.length
  if (n > 64) return Buffer.byteLength(s, 'utf8')
  for (let i = 0; i < n; i++) if (s.charCodeAt(i) >= 0x80) return Buffer.byteLength(s, 'utf8')
  return n
}

// One scratch double for every conversion: rows are encoded and decoded synchronously.
const SCRATCH = new Float64Array(1)
const SCRATCH_BYTES = new Uint8Array(SCRATCH.buffer)
const LITTLE_ENDIAN = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f

function writeFloat64(out: Uint8Array, at: number, n: number): void {
  SCRATCH[0] = n
  for (let i = 0; i < 8; i++) out[at + i] = SCRATCH_BYTES[LITTLE_ENDIAN ? 7 - i : i]!
}

/**
 * The bytes float64At reads through a DataView, and the view: a scan reads many rows of one page
 * in a row, and DataView's getFloat64 compiles to a load, where assembling the bytes in a scratch
 * array stalls on the stores (a group-by's sum of reals ran ~20 ns a row slower so). A view is made
 * when two reals in a row come from the same bytes: rows read from the journal after scattered
 * updates lie in buffers of their own, where a view per row would cost more than it saves.
 */
let viewBytes: Uint8Array | undefined
let view: DataView = new DataView(new ArrayBuffer(0)) as DataView
/** The bytes of the last real read without a view. */
let lastBytes: Uint8Array | undefined

/** readFloat64, through a DataView when the bytes are those of the last read. */
export function float64At(bytes: Uint8Array, at: number): number {
  if (bytes === viewBytes) return view.getFloat64(at)
  if (bytes === lastBytes) return viewOf(bytes).getFloat64(at)
  lastBytes = bytes
  return readFloat64(bytes, at)
}

/** A new DataView of `bytes`, kept for float64At (apart, so that float64At stays small enough to inline). */
function viewOf(bytes: Uint8Array): DataView {
  viewBytes = bytes
  lastBytes = undefined
  view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  return view
}

/** A T_INT64 payload as a number when it is within ±2^53, else NaN. */
function int64Number(bytes: Uint8Array, at: number): number {
  const v = readInt64(bytes, at)
  return typeof v === 'number' ? v : NaN
}

/** The float64 at `at` (big-endian), by bytes: no view to make or check (a row or two of a page read: float64At). */
export function readFloat64(bytes: Uint8Array, at: number): number {
  // Unrolled: the hottest decode of a scan over reals (a loop with the endianness test costs ~2×).
  const b = SCRATCH_BYTES
  if (LITTLE_ENDIAN) {
    b[7] = bytes[at]!
    b[6] = bytes[at + 1]!
    b[5] = bytes[at + 2]!
    b[4] = bytes[at + 3]!
    b[3] = bytes[at + 4]!
    b[2] = bytes[at + 5]!
    b[1] = bytes[at + 6]!
    b[0] = bytes[at + 7]!
  } else {
    for (let i = 0; i < 8; i++) b[i] = bytes[at + i]!
  }
  return SCRATCH[0]!
}

/** A 64-bit two's complement integer, big-endian (a number here is integral and outside int32, or safe). */
function writeInt64(out: Uint8Array, at: number, v: number | bigint): void {
  const big = BigInt.asUintN(64, BigInt(v))
  const hi = Number(big >> 32n)
  const lo = Number(big & 0xffffffffn)
  out[at] = hi >>> 24
  out[at + 1] = (hi >>> 16) & 0xff
  out[at + 2] = (hi >>> 8) & 0xff
  out[at + 3] = hi & 0xff
  out[at + 4] = lo >>> 24
  out[at + 5] = (lo >>> 16) & 0xff
  out[at + 6] = (lo >>> 8) & 0xff
  out[at + 7] = lo & 0xff
}

function readInt64(bytes: Uint8Array, at: number): number | bigint {
  const hi = (bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!
  const lo = ((bytes[at + 4]! << 24) | (bytes[at + 5]! << 16) | (bytes[at + 6]! << 8) | bytes[at + 7]!) >>> 0
  // |hi| < 2^21: the value is within ±(2^53 - 1), a safe integer.
  if (hi > -0x200000 && hi < 0x200000) return hi * 4294967296 + lo
  return integer((BigInt(hi) << 32n) | BigInt(lo))
}

function varintSize(n: number): number {
  let size = 1
  while (n >= 0x80) {
    n = Math.floor(n / 128)
    size++
  }
  return size
}

function writeVarint(out: Uint8Array, at: number, n: number): number {
  while (n >= 0x80) {
    out[at++] = (n % 128) | 0x80
    n = Math.floor(n / 128)
  }
  out[at++] = n
  return at
}

/** Where the varint read last ended: readVarint returns the number alone, allocating nothing. */
let varintEnd = 0

function readVarint(bytes: Uint8Array, at: number): number {
  let n = 0
  let scale = 1
  for (;;) {
    const b = bytes[at++]!
    n += (b & 0x7f) * scale
    if (b < 0x80) {
      varintEnd = at
      return n
    }
    scale *= 128
  }
}

/** Payload bytes of each fixed-size tag (text and blob carry their length in the header). */
const FIXED = [0, 0, 0, 1, 2, 4, 8, 8]

/**
 * A lazily decoded row. `get(slot)` finds the slot (in the end table of a version-2 row; by
 * walking the tags of a version-1 row, resuming where the previous get stopped when it reads
 * forwards) and decodes that column alone; nothing is allocated per row beyond the view itself
 * and the values read. A slot past the row's end (a column added later) reads as `defaults[slot]`.
 */
export class RowView {
  bytes: Uint8Array
  /** Where the row starts in `bytes` (a page or a buffer of many rows: resetAt). */
  #base = 0
  readonly #defaults: readonly SqlValue[]
  /** -1 until the header is read; then the slot count. */
  #n = -1
  #hidden = 0
  /** Where the first tag is, and where the first payload is. */
  #header = 0
  #payload = 0
  /** A version-2 row: the width of its end offsets, and where they start; 0 for version 1. */
  #width = 0
  #ends = 0
  /** A version-1 walk's position: the tag of slot #slot is at #tagAt, its payload at #dataAt. */
  #slot = 0
  #tagAt = 0
  #dataAt = 0
  /** What #locate found: the slot's tag, where its payload starts, and its length (text, blob). */
  #tag = 0
  #at = 0
  #length = 0

  /**
   * The row's key in its table's bucket, where the reader knows it (row-source.ts): a rowid
   * table's key is the rowid that `rowid()` reads. Lifetime: the reader's key (a select's is a
   * view into the snapshot's pages, a write's a copy).
   */
  key: Uint8Array | undefined

  constructor(bytes: Uint8Array, defaults: readonly SqlValue[], key?: Uint8Array) {
    this.bytes = bytes
    this.#defaults = defaults
    this.key = key
  }

  /**
   * The rowid pseudo-column (expression/scope.ts): the hidden rowid stored with the row (a table
   * keyed by its primary key), else its key's (a rowid table keyed by its hidden rowid).
   */
  rowid(): SqlValue {
    if (this.#n < 0) this.#parse()
    if (this.#hidden !== 0) return this.#hidden - 1
    if (this.key === undefined) throw unsupported('the rowid of a row read without its key')
    return decodeKeyInteger(this.key)
  }

  /**
   * Points the view at another row of the same table: a scan that hands each row to a consumer
   * that keeps nothing reads every row through one view instead of allocating one per row.
   */
  reset(bytes: Uint8Array, key?: Uint8Array): void {
    this.bytes = bytes
    this.key = key
    this.#base = 0
    this.#n = -1
  }

  /**
   * Points the view at a row that lies at `offset` in `bytes` (the engine's Cursor.valueRef): a
   * scan reads rows where the pages hold them, without a view object per row.
   */
  resetAt(bytes: Uint8Array, offset: number): void {
    this.bytes = bytes
    this.#base = offset
    this.#n = -1
  }

  #parse(): void {
    const bytes = this.bytes
    // One-byte varints (the usual case: no hidden rowid, fewer than 128 slots) read inline.
    let at = this.#base
    const first = bytes[at]!
    if (first < 0x80) {
      this.#hidden = first
      at++
    } else {
      this.#hidden = readVarint(bytes, at)
      at = varintEnd
    }
    let n = bytes[at]!
    if (n === V2) {
      n = bytes[++at]!
      if (n < 0x80) at++
      else {
        n = readVarint(bytes, at)
        at = varintEnd
      }
      const width = bytes[at++]!
      this.#width = width
      this.#header = at
      this.#ends = at + n
      this.#payload = at + n + n * width
      this.#n = n
      return
    }
    if (n < 0x80) at++
    else {
      n = readVarint(bytes, at)
      at = varintEnd
    }
    this.#width = 0
    this.#header = at
    for (let i = 0; i < n; i++) {
      const tag = bytes[at++]!
      if (tag === T_TEXT || tag === T_BLOB) {
        if (bytes[at]! < 0x80) at++
        else {
          readVarint(bytes, at)
          at = varintEnd
        }
      }
    }
    this.#payload = at
    this.#n = n
    this.#slot = 0
    this.#tagAt = this.#header
    this.#dataAt = at
  }

  /** The hidden rowid stored with the row, or undefined. */
  get hiddenRowid(): number | undefined {
    if (this.#n < 0) this.#parse()
    return this.#hidden === 0 ? undefined : this.#hidden - 1
  }

  get slotCount(): number {
    if (this.#n < 0) this.#parse()
    return this.#n
  }

  /** Finds `slot` (below the slot count): its tag in #tag, its payload at #at, #length bytes long. */
  #locate(slot: number): void {
    const bytes = this.bytes
    const width = this.#width
    if (width !== 0) {
      const ends = this.#ends
      const from = slot === 0 ? 0 : endAt(bytes, ends, width, slot - 1)
      this.#tag = bytes[this.#header + slot]!
      this.#at = this.#payload + from
      this.#length = endAt(bytes, ends, width, slot) - from
      return
    }
    let i = this.#slot
    let tagAt = this.#tagAt
    let at = this.#dataAt
    if (slot < i) {
      i = 0
      tagAt = this.#header
      at = this.#payload
    }
    for (; i < slot; i++) {
      const tag = bytes[tagAt++]!
      if (tag === T_TEXT || tag === T_BLOB) {
        const length = bytes[tagAt]!
        if (length < 0x80) {
          at += length
          tagAt++
        } else {
          at += readVarint(bytes, tagAt)
          tagAt = varintEnd
        }
      } else {
        at += FIXED[tag]!
      }
    }
    this.#slot = i
    this.#tagAt = tagAt
    this.#dataAt = at
    const tag = bytes[tagAt]!
    this.#tag = tag
    this.#at = at
    if (tag === T_TEXT || tag === T_BLOB) {
      const b = bytes[tagAt + 1]!
      this.#length = b < 0x80 ? b : readVarint(bytes, tagAt + 1)
    }
  }

  get(slot: number): SqlValue {
    if (this.#n < 0) this.#parse()
    if (slot >= this.#n) return this.#defaults[slot] ?? null
    this.#locate(slot)
    const bytes = this.bytes
    const at = this.#at
    const tag = this.#tag
    if (tag >= T_ZERO && tag <= T_INT32) return smallInt(bytes, tag, at)
    switch (tag) {
      case T_NULL:
        return null
      case T_INT64:
        return readInt64(bytes, at)
      case T_FLOAT: {
        const n = readFloat64(bytes, at)
        return Number.isInteger(n) ? new Real(n) : n
      }
      case T_TEXT: {
        const length = this.#length
        return length === 0 ? '' : utf8Slice.call(bytes, at, at + length)
      }
      default:
        return Uint8Array.prototype.slice.call(bytes, at, at + this.#length)
    }
  }

  /**
   * The slot's value when it is a number stored as an integer within ±2^53 or as a real, without
   * boxing a whole real into a Real: `lastWasReal` then tells which. NaN for any other value (null,
   * text, blob, a bigint, a slot past the row's end, and a stored NaN), which the caller then reads
   * with get().
   */
  numberAt(slot: number): number {
    if (this.#n < 0) this.#parse()
    if (slot >= this.#n) return NaN
    this.#locate(slot)
    const bytes = this.bytes
    const at = this.#at
    const tag = this.#tag
    this.lastWasReal = tag === T_FLOAT
    if (tag >= T_ZERO && tag <= T_INT32) return smallInt(bytes, tag, at)
    switch (tag) {
      case T_INT64: {
        const v = readInt64(bytes, at)
        return typeof v === 'number' ? v : NaN
      }
      case T_FLOAT:
        return readFloat64(bytes, at)
      default:
        return NaN
    }
  }

  /** Whether the last numberAt read a real (a stored float64), not an integer. */
  lastWasReal = false

  /**
   * Whether the slot holds text whose UTF-8 bytes are `utf8`, compared in place; undefined when it
   * holds no text (a null, a number, a blob, or a slot past the row's end), which the caller
   * compares as values.
   */
  textEquals(slot: number, utf8: Uint8Array): boolean | undefined {
    if (this.#n < 0) this.#parse()
    if (slot >= this.#n) return undefined
    this.#locate(slot)
    if (this.#tag !== T_TEXT) return undefined
    const bytes = this.bytes
    const at = this.#at
    const length = this.#length
    if (length !== utf8.length) return false
    for (let i = 0; i < length; i++) if (bytes[at + i] !== utf8[i]) return false
    return true
  }

  /**
   * `match` of the slot's text where it lies (its UTF-8 bytes, `bytes[from]` up to `to`), when the
   * slot holds text; undefined when it holds none (a null, a number, a blob, or a slot past the
   * row's end), which the caller reads as a value.
   */
  textMatches(slot: number, match: (bytes: Uint8Array, from: number, to: number) => boolean): boolean | undefined {
    if (this.#n < 0) this.#parse()
    if (slot >= this.#n) return undefined
    this.#locate(slot)
    if (this.#tag !== T_TEXT) return undefined
    return match(this.bytes, this.#at, this.#at + this.#length)
  }

  /** Every slot up to `slots`, decoded. */
  all(slots: number): SqlValue[] {
    const out: SqlValue[] = new Array(slots)
    for (let i = 0; i < slots; i++) out[i] = this.get(i)
    return out
  }
}

/**
 * Reads a few slots of stored rows as numbers without an object per row: the loop of an aggregate
 * over a scan (`select category, sum(price) ... group by category`) decodes the two columns it
 * reads, found in a version-2 row's end table (a version-1 row's tags are walked once). A slot
 * that holds no number within ±2^53 (null, text, a blob, a bigint, a slot past the row's end)
 * reads as NaN, and its caller reads it with RowView.get; so does a stored NaN.
 */
export class SlotReader {
  /** Per distinct slot read (see `place`): the number, or NaN. */
  readonly numbers: Float64Array
  /** Per distinct slot read: 1 when its number was stored as a real (float64), else 0. */
  readonly reals: Uint8Array
  /** Per slot asked for (in the order given), where `numbers` holds it; -1 for a negative slot. */
  readonly place: Int32Array
  /** The distinct slots read, ascending. */
  readonly #slots: Int32Array
  /** A version-1 row's walk: per distinct slot, its tag and its payload's offset from the first payload. */
  readonly #tags: Uint8Array
  readonly #offsets: Int32Array

  /** `slots`: the slots to read (negative ones are left out, repeats read once). */
  constructor(slots: readonly number[]) {
    const distinct = [...new Set(slots.filter((s) => s >= 0))].sort((a, b) => a - b)
    this.#slots = Int32Array.from(distinct)
    this.place = Int32Array.from(slots, (s) => (s < 0 ? -1 : distinct.indexOf(s)))
    this.numbers = new Float64Array(distinct.length)
    this.reals = new Uint8Array(distinct.length)
    this.#tags = new Uint8Array(distinct.length)
    this.#offsets = new Int32Array(distinct.length)
  }

  /** Reads the slots of the row at `base` in `bytes` into `numbers` and `reals`. */
  read(bytes: Uint8Array, base: number): void {
    let at = base
    if (bytes[at]! < 0x80) at++
    else {
      readVarint(bytes, at)
      at = varintEnd
    }
    if (bytes[at] !== V2) return this.#readV1(bytes, at)
    let n = bytes[++at]!
    if (n < 0x80) at++
    else {
      n = readVarint(bytes, at)
      at = varintEnd
    }
    const width = bytes[at++]!
    const ends = at + n
    const payload = ends + n * width
    const slots = this.#slots
    const numbers = this.numbers
    const reals = this.reals
    for (let k = 0; k < slots.length; k++) {
      const slot = slots[k]!
      // Past the row's end (a column added later, read as its default by RowView.get), null,
      // text or a blob: no number.
      const tag = slot < n ? bytes[at + slot]! : T_NULL
      if (tag === T_NULL || tag >= T_TEXT) {
        numbers[k] = NaN
        reals[k] = 0
        continue
      }
      const p = payload + (slot === 0 ? 0 : width === 1 ? bytes[ends + slot - 1]! : endAt(bytes, ends, width, slot - 1))
      if (tag === T_FLOAT) {
        numbers[k] = float64At(bytes, p)
        reals[k] = 1
      } else {
        numbers[k] = tag === T_INT64 ? int64Number(bytes, p) : smallInt(bytes, tag, p)
        reals[k] = 0
      }
    }
  }

  #readV1(bytes: Uint8Array, at: number): void {
    let n = bytes[at]!
    if (n < 0x80) at++
    else {
      n = readVarint(bytes, at)
      at = varintEnd
    }
    const slots = this.#slots
    const wanted = slots.length
    const tags = this.#tags
    const offsets = this.#offsets
    // One walk over the tags: where each wanted slot's payload starts, and where the payloads do.
    let found = 0
    let next = wanted > 0 ? slots[0]! : -1
    let payload = 0
    for (let i = 0; i < n; i++) {
      const tag = bytes[at++]!
      if (i === next) {
        tags[found] = tag
        offsets[found] = payload
        next = ++found < wanted ? slots[found]! : -1
      }
      if (tag === T_TEXT || tag === T_BLOB) {
        const length = bytes[at]!
        if (length < 0x80) {
          payload += length
          at++
        } else {
          payload += readVarint(bytes, at)
          at = varintEnd
        }
      } else {
        payload += FIXED[tag]!
      }
    }
    for (let k = 0; k < wanted; k++) {
      if (k >= found) this.#other(k)
      else this.#decode(k, bytes, tags[k]!, at + offsets[k]!)
    }
  }

  /** Distinct slot k holds no number to read here. */
  #other(k: number): void {
    this.numbers[k] = NaN
    this.reals[k] = 0
  }

  /** Distinct slot k: tag `tag`, its payload at `p`. */
  #decode(k: number, bytes: Uint8Array, tag: number, p: number): void {
    if (tag >= T_ZERO && tag <= T_INT32) {
      this.numbers[k] = smallInt(bytes, tag, p)
      this.reals[k] = 0
    } else if (tag === T_FLOAT) {
      this.numbers[k] = readFloat64(bytes, p)
      this.reals[k] = 1
    } else if (tag === T_INT64) {
      const v = readInt64(bytes, p)
      this.numbers[k] = typeof v === 'number' ? v : NaN
      this.reals[k] = 0
    } else this.#other(k)
  }
}
