import { checksum } from './checksum.js'
import { setU16, setU32, setU64, u16, u32, u64 } from './layout.js'

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
 *        put: u32 key length, key, u32 value length, value; delete: u32 key length, key
 *
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
  for (let i = 0; i < count; i++) {
    if (!need(1)) return 'op past the end'
    const k = b[o++]!
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
