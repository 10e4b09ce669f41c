import { corruption } from '../base/errors.js'
import { OVERFLOW_REF_SIZE, setU32, setU64, u32, u64 } from './layout.js'
import type { PageRef } from './meta-page.js'

/**
 * FORMAT.md §9: a catalog entry's value: u32 root page id, u32 root txid32, u64 key count,
 * u32 flags. The catalog is a B+tree like any bucket's, keyed by the bucket name in UTF-8.
 */
export const BUCKET_RECORD_SIZE = 20

/** FORMAT.md §9: flag bit 0, the bucket may hold overflow values (clear: dropping it reads no leaf). */
const FLAG_MAY_OVERFLOW = 1

export interface BucketRecord {
  root: PageRef
  count: number
  /** Whether any value in the tree may live in overflow pages. */
  mayOverflow: boolean
}

export function encodeBucketRecord(rec: BucketRecord): Uint8Array {
  const b = new Uint8Array(BUCKET_RECORD_SIZE)
  setU32(b, 0, rec.root.pgid)
  setU32(b, 4, rec.root.txid >>> 0)
  setU64(b, 8, rec.count)
  setU32(b, 16, rec.mayOverflow ? FLAG_MAY_OVERFLOW : 0)
  return b
}

export function decodeBucketRecord(b: Uint8Array, catalogPage: number): BucketRecord {
  if (b.length !== BUCKET_RECORD_SIZE) throw corruption(catalogPage, `bucket record of ${b.length} bytes`)
  return {
    root: { pgid: u32(b, 0), txid: u32(b, 4) },
    count: u64(b, 8),
    mayOverflow: (u32(b, 16) & FLAG_MAY_OVERFLOW) !== 0,
  }
}

/**
 * The longest bucket name, given the longest inline key: a name is never stored out of line, and its
 * record, which exceeds an overflow reference by this much, must stay inline in the catalog
 * (FORMAT.md §9).
 */
export function maxBucketNameSize(maxInlineKeySize: number): number {
  return maxInlineKeySize - (BUCKET_RECORD_SIZE - OVERFLOW_REF_SIZE)
}
