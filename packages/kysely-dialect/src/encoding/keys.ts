import { Real, textBytes, type SqlValue } from './values.js'

/**
 * Order-preserving key encoding: the bytewise order of encoded keys is SQLite's order of the
 * values (null < numbers < text < blobs). Every component is self-delimiting, so a composite key
 * is the concatenation of its components and a prefix of components is a prefix of bytes.
 *
 *   null     05
 *   number   10 + 8 bytes: the float64, big-endian, sign bit flipped (negatives: all bits flipped)
 *            + 2 bytes: the integer's distance from that double, + 0x8000, big-endian (0 but past 2^53)
 *   text     20 + UTF-8 with 00 escaped as 00 FF, then 00 00
 *   blob     30 + bytes with 00 escaped as 00 FF, then 00 00
 *
 * Integers past 2^53 are keyed by their nearest double and then their distance from it (at most
 * 1024 below 2^63), so distinct 64-bit integers have distinct keys in their exact order, and an
 * integer equal to a real has the real's key, as SQLite compares them.
 */
export const KEY_NULL = 0x05
export const KEY_NUMBER = 0x10
export const KEY_TEXT = 0x20
export const KEY_BLOB = 0x30
/** A byte no component starts with and greater than all that do: the end of a prefix range. */
export const KEY_AFTER = 0xff

const NO_VIEW = new Uint8Array(0)

export class KeyWriter {
  #buf = new Uint8Array(64)
  #len = 0
  /** The last view handed out: the next key of the same length (a rowid key always is) reuses it. */
  #view = NO_VIEW

  #ensure(n: number): void {
    if (this.#len + n <= this.#buf.length) return
    const next = new Uint8Array(Math.max(this.#buf.length * 2, this.#len + n))
    next.set(this.#buf.subarray(0, this.#len))
    this.#buf = next
    this.#view = NO_VIEW
  }

  byte(b: number): this {
    this.#ensure(1)
    this.#buf[this.#len++] = b
    return this
  }

  value(v: SqlValue): this {
    if (v === null) return this.byte(KEY_NULL)
    if (typeof v === 'number') return this.number(v)
    if (v instanceof Real) return this.number(v.value)
    if (typeof v === 'bigint') {
      const nearest = Number(v)
      return this.number(nearest, Number(v - BigInt(nearest)))
    }
    if (typeof v === 'string') return this.#escaped(KEY_TEXT, textBytes(v))
    return this.#escaped(KEY_BLOB, v)
  }

  number(n: number, distance = 0): this {
    this.#ensure(NUMBER_SIZE)
    writeNumber(this.#buf, this.#len, n, distance)
    this.#len += NUMBER_SIZE
    return this
  }

  #escaped(tag: number, bytes: Uint8Array): this {
    this.#ensure(bytes.length * 2 + 3)
    const buf = this.#buf
    let at = this.#len
    buf[at++] = tag
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!
      buf[at++] = b
      if (b === 0) buf[at++] = 0xff
    }
    buf[at++] = 0
    buf[at++] = 0
    this.#len = at
    return this
  }

  bytes(b: Uint8Array): this {
    this.#ensure(b.length)
    this.#buf.set(b, this.#len)
    this.#len += b.length
    return this
  }

  get length(): number {
    return this.#len
  }

  /** A copy of the bytes written so far. */
  finish(): Uint8Array {
    const n = this.#len
    const out = new Uint8Array(n)
    const buf = this.#buf
    for (let i = 0; i < n; i++) out[i] = buf[i]!
    return out
  }

  /**
   * The bytes written so far, not copied: valid until the next write or reset. For keys handed
   * straight to the engine, whose put, delete, has and seek copy or only read them.
   */
  view(): Uint8Array {
    const n = this.#len
    let v = this.#view
    if (v.length !== n || n === 0) this.#view = v = this.#buf.subarray(0, n)
    return v
  }

  /** Starts a new key in the same buffer. */
  reset(): this {
    this.#len = 0
    return this
  }
}

// One scratch double for every conversion: keys are encoded synchronously, never interleaved.
const SCRATCH = new Float64Array(1)
const SCRATCH_BYTES = new Uint8Array(SCRATCH.buffer)
const LITTLE_ENDIAN = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f

/** Bytes of a number component: the tag, the double, the distance. */
const NUMBER_SIZE = 11

/** A number component: the tag, the order-preserving double (big-endian, sign bit flipped, negatives all flipped), the distance. */
function writeNumber(out: Uint8Array, at: number, n: number, distance: number): void {
  out[at++] = KEY_NUMBER
  SCRATCH[0] = n === 0 ? 0 : n
  for (let i = 0; i < 8; i++) out[at + i] = SCRATCH_BYTES[LITTLE_ENDIAN ? 7 - i : i]!
  if (out[at]! & 0x80) {
    for (let i = 0; i < 8; i++) out[at + i] = ~out[at + i]! & 0xff
  } else {
    out[at] = out[at]! | 0x80
  }
  const d = distance + 0x8000
  out[at + 8] = d >>> 8
  out[at + 9] = d & 0xff
}

export function encodeKey(values: readonly SqlValue[]): Uint8Array {
  const w = new KeyWriter()
  for (const v of values) w.value(v)
  return w.finish()
}

/** The key of a rowid. */
export function rowidKey(rowid: number): Uint8Array {
  const out = new Uint8Array(NUMBER_SIZE)
  writeNumber(out, 0, rowid, 0)
  return out
}

/** SCRATCH as two 32-bit words, and which of them holds the double's high half. */
const SCRATCH_WORDS = new Uint32Array(SCRATCH.buffer)
const HIGH_WORD = LITTLE_ENDIAN ? 1 : 0

/**
 * The number encoded at `offset` (which holds the KEY_NUMBER tag): writeNumber undone, a word at a
 * time (a loop over the 8 bytes with a branch each cost a covering index scan ~18 % of its time).
 */
export function decodeKeyNumber(key: Uint8Array, offset = 0): number {
  const o = offset + 1
  let high = ((key[o]! << 24) | (key[o + 1]! << 16) | (key[o + 2]! << 8) | key[o + 3]!) >>> 0
  let low = ((key[o + 4]! << 24) | (key[o + 5]! << 16) | (key[o + 6]! << 8) | key[o + 7]!) >>> 0
  if (high >= 0x80000000) {
    // Not negative: writeNumber set the sign bit.
    high -= 0x80000000
  } else {
    // Negative: writeNumber inverted every bit.
    high = ~high >>> 0
    low = ~low >>> 0
  }
  SCRATCH_WORDS[HIGH_WORD] = high
  SCRATCH_WORDS[1 - HIGH_WORD] = low
  return SCRATCH[0]!
}

/** The exact integer of a number component that holds one: the double plus the distance. */
export function decodeKeyInteger(key: Uint8Array, offset = 0): number | bigint {
  return keyIntegerFrom(decodeKeyNumber(key, offset), key, offset)
}

/** decodeKeyInteger of the component at `offset`, whose double (decodeKeyNumber) is `nearest`. */
export function keyIntegerFrom(nearest: number, key: Uint8Array, offset: number): number | bigint {
  const distance = ((key[offset + 9]! << 8) | key[offset + 10]!) - 0x8000
  if (distance === 0 && Number.isSafeInteger(nearest)) return nearest
  const exact = BigInt(nearest) + BigInt(distance)
  return exact >= -9007199254740991n && exact <= 9007199254740991n ? Number(exact) : exact
}

/** `prefix` followed by KEY_AFTER: greater than every key that starts with `prefix`. */
export function prefixEnd(prefix: Uint8Array): Uint8Array {
  const out = new Uint8Array(prefix.length + 1)
  out.set(prefix)
  out[prefix.length] = KEY_AFTER
  return out
}

/** Whether two keys (or any byte strings) are the same bytes. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

export function startsWith(key: Uint8Array, prefix: Uint8Array): boolean {
  if (key.length < prefix.length) return false
  for (let i = 0; i < prefix.length; i++) if (key[i] !== prefix[i]) return false
  return true
}
