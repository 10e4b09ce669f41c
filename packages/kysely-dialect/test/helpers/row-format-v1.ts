import { Buffer } from 'node:buffer'
import { Real, type SqlValue } from '../../src/encoding/values.js'

/**
 * The row encoder of version 1 (src/encoding/rows.ts before 2026-12-02), kept so that tests build
 * the rows files written then hold and check that they still read: a header of one tag per slot,
 * text and blob tags followed by their length (varint), then the payloads; no end table.
 */
export function encodeRowV1(values: readonly SqlValue[], hiddenRowid?: number): Uint8Array {
  const hidden = hiddenRowid === undefined ? 0 : hiddenRowid + 1
  const header: number[] = [...varint(hidden), ...varint(values.length)]
  const payload: number[] = []
  const put = (tag: number, bytes: readonly number[]): void => {
    header.push(tag)
    payload.push(...bytes)
  }
  for (const v of values) {
    if (v === null) put(0, [])
    else if (typeof v === 'number' && Number.isInteger(v)) {
      if (v === 0) put(1, [])
      else if (v === 1) put(2, [])
      else if (v >= -128 && v <= 127) put(3, [v & 0xff])
      else if (v >= -32768 && v <= 32767) put(4, [(v >> 8) & 0xff, v & 0xff])
      else if (v >= -2147483648 && v <= 2147483647)
        put(5, [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff])
      else put(6, int64(BigInt(v)))
    } else if (typeof v === 'bigint') put(6, int64(v))
    else if (typeof v === 'number' || v instanceof Real) {
      const b = Buffer.alloc(8)
      b.writeDoubleBE(typeof v === 'number' ? v : v.value)
      put(7, [...b])
    } else {
      // Text and blobs: the tag, then the length in the header.
      const b = typeof v === 'string' ? Buffer.from(v, 'utf8') : v
      header.push(typeof v === 'string' ? 8 : 9, ...varint(b.length))
      payload.push(...b)
    }
  }
  return Uint8Array.from([...header, ...payload])
}

function varint(n: number): number[] {
  const out: number[] = []
  while (n >= 0x80) {
    out.push((n % 128) | 0x80)
    n = Math.floor(n / 128)
  }
  out.push(n)
  return out
}

function int64(v: bigint): number[] {
  const u = BigInt.asUintN(64, v)
  return Array.from({ length: 8 }, (_, i) => Number((u >> BigInt(56 - 8 * i)) & 0xffn))
}
