import { bytesText, integer, Real, textBytes, type SqlValue } from './values.js'

/**
 * Row encoding: a header of one tag per column slot (text and blob tags followed by their length
 * as a varint), then the payloads in slot order. Reading one column parses the header once and
 * decodes only that column (`RowView`), so a query that reads two columns of twenty decodes two.
 *
 *   varint  hidden rowid + 1 (0: the table keys rows by its rowid or has none to keep)
 *   varint  slot count n
 *   n tags  0 null, 1 the integer 0, 2 the integer 1, 3 int8, 4 int16, 5 int32, 6 int64,
 *           7 float64, 8 text (+ varint length), 9 blob (+ varint length)
 *   payloads, big-endian
 *
 * Slots are the catalog's column slots: a dropped column leaves its slot unused (new rows store a
 * null there) and an added column takes a new slot that old, shorter rows lack; a missing slot
 * reads as the column's default, as SQLite reads a column added by ALTER TABLE.
 */
const T_NULL = 0
const T_ZERO = 1
const T_ONE = 2
const T_INT8 = 3
const T_INT16 = 4
const T_INT32 = 5
const T_INT64 = 6
const T_FLOAT = 7
const T_TEXT = 8
const T_BLOB = 9

export function encodeRow(values: readonly SqlValue[], hiddenRowid?: number): Uint8Array {
  const texts: (Uint8Array | undefined)[] = new Array(values.length)
  let header = varintSize(hiddenRowid === undefined ? 0 : hiddenRowid + 1) + varintSize(values.length)
  let payload = 0
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!
    header++
    if (v === null) continue
    if (typeof v === 'string') {
      const b = textBytes(v)
      texts[i] = b
      header += varintSize(b.length)
      payload += b.length
    } else if (v instanceof Uint8Array) {
      header += varintSize(v.length)
      payload += v.length
    } else {
      payload += numberSize(v)
    }
  }
  const out = new Uint8Array(header + payload)
  const view = new DataView(out.buffer)
  let h = writeVarint(out, 0, hiddenRowid === undefined ? 0 : hiddenRowid + 1)
  h = writeVarint(out, h, values.length)
  let p = header
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!
    if (v === null) {
      out[h++] = T_NULL
    } else if (typeof v === 'string' || v instanceof Uint8Array) {
      const b = typeof v === 'string' ? texts[i]! : v
      out[h++] = typeof v === 'string' ? T_TEXT : T_BLOB
      h = writeVarint(out, h, b.length)
      out.set(b, p)
      p += b.length
    } else if (v instanceof Real || (typeof v === 'number' && !Number.isInteger(v))) {
      out[h++] = T_FLOAT
      view.setFloat64(p, v instanceof Real ? v.value : v)
      p += 8
    } else if (typeof v === 'bigint' || v < -2147483648 || v > 2147483647) {
      out[h++] = T_INT64
      view.setBigInt64(p, BigInt(v))
      p += 8
    } else if (v === 0) {
      out[h++] = T_ZERO
    } else if (v === 1) {
      out[h++] = T_ONE
    } else if (v >= -128 && v <= 127) {
      out[h++] = T_INT8
      view.setInt8(p, v)
      p += 1
    } else if (v >= -32768 && v <= 32767) {
      out[h++] = T_INT16
      view.setInt16(p, v)
      p += 2
    } else {
      out[h++] = T_INT32
      view.setInt32(p, v)
      p += 4
    }
  }
  return out
}

function numberSize(v: number | bigint | Real): number {
  if (v instanceof Real || typeof v === 'bigint') return 8
  if (!Number.isInteger(v)) return 8
  if (v === 0 || v === 1) return 0
  if (v >= -128 && v <= 127) return 1
  if (v >= -32768 && v <= 32767) return 2
  if (v >= -2147483648 && v <= 2147483647) return 4
  return 8
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

function readVarint(bytes: Uint8Array, at: number): [number, number] {
  let n = 0
  let scale = 1
  for (;;) {
    const b = bytes[at++]!
    n += (b & 0x7f) * scale
    if (b < 0x80) return [n, at]
    scale *= 128
  }
}

/**
 * A lazily decoded row. `get(slot)` parses the header on first use and decodes one column;
 * a slot past the row's end (a column added later) reads as `defaults[slot]`.
 */
export class RowView {
  readonly bytes: Uint8Array
  readonly #defaults: readonly SqlValue[]
  #tags: Uint8Array | undefined
  #offsets: Int32Array | undefined
  #lengths: Int32Array | undefined
  #hidden = 0

  constructor(bytes: Uint8Array, defaults: readonly SqlValue[]) {
    this.bytes = bytes
    this.#defaults = defaults
  }

  #parse(): void {
    const bytes = this.bytes
    const [hidden, afterHidden] = readVarint(bytes, 0)
    this.#hidden = hidden
    const [n, afterCount] = readVarint(bytes, afterHidden)
    let at = afterCount
    const tags = new Uint8Array(n)
    const lengths = new Int32Array(n)
    for (let i = 0; i < n; i++) {
      const tag = bytes[at++]!
      tags[i] = tag
      if (tag === T_TEXT || tag === T_BLOB) [lengths[i], at] = readVarint(bytes, at)
      else lengths[i] = FIXED[tag]!
    }
    const offsets = new Int32Array(n)
    for (let i = 0; i < n; i++) {
      offsets[i] = at
      at += lengths[i]!
    }
    this.#tags = tags
    this.#offsets = offsets
    this.#lengths = lengths
  }

  /** The hidden rowid stored with the row, or undefined. */
  get hiddenRowid(): number | undefined {
    if (this.#tags === undefined) this.#parse()
    return this.#hidden === 0 ? undefined : this.#hidden - 1
  }

  get slotCount(): number {
    if (this.#tags === undefined) this.#parse()
    return this.#tags!.length
  }

  get(slot: number): SqlValue {
    if (this.#tags === undefined) this.#parse()
    const tags = this.#tags!
    if (slot >= tags.length) return this.#defaults[slot] ?? null
    const at = this.#offsets![slot]!
    const bytes = this.bytes
    switch (tags[slot]) {
      case T_NULL:
        return null
      case T_ZERO:
        return 0
      case T_ONE:
        return 1
      case T_INT8:
        return (bytes[at]! << 24) >> 24
      case T_INT16:
        return (((bytes[at]! << 8) | bytes[at + 1]!) << 16) >> 16
      case T_INT32:
        return (bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!
      case T_INT64:
        return integer(new DataView(bytes.buffer, bytes.byteOffset + at, 8).getBigInt64(0))
      case T_FLOAT: {
        const n = new DataView(bytes.buffer, bytes.byteOffset + at, 8).getFloat64(0)
        return Number.isInteger(n) ? new Real(n) : n
      }
      case T_TEXT:
        return bytesText(bytes.subarray(at, at + this.#lengths![slot]!))
      default:
        return Uint8Array.prototype.slice.call(bytes, at, at + this.#lengths![slot]!)
    }
  }

  /** Every slot up to `slots`, decoded. */
  all(slots: number): SqlValue[] {
    const out: SqlValue[] = new Array(slots)
    for (let i = 0; i < slots; i++) out[i] = this.get(i)
    return out
  }
}

const FIXED: Record<number, number> = {
  [T_NULL]: 0,
  [T_ZERO]: 0,
  [T_ONE]: 0,
  [T_INT8]: 1,
  [T_INT16]: 2,
  [T_INT32]: 4,
  [T_INT64]: 8,
  [T_FLOAT]: 8,
}
