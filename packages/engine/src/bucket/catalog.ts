import type { PageRef } from '../page/meta-page.js'
import type { Pager } from '../store/pager.js'
import { TreeCursor } from '../tree/cursor.js'
import { FixedTreeSource } from './read-bucket.js'
import { OverflowValue } from '../tree/node.js'
import { pageTreeGet } from '../tree/search.js'
import { corruption } from '../base/errors.js'
import { type BucketRecord, decodeBucketRecord } from '../page/bucket-record.js'

const decoder = new TextDecoder('utf-8', { fatal: false })

/** The catalog (FORMAT.md §9): bucket name -> bucket record, a B+tree like any other. */
export function lookupBucket(pager: Pager, catalog: PageRef, nameKey: Uint8Array): BucketRecord | undefined {
  const v = pageTreeGet(pager, catalog, nameKey)
  if (v === undefined) return undefined
  if (v instanceof OverflowValue) throw corruption(catalog.pgid, 'bucket record stored as an overflow value')
  return decodeBucketRecord(v, catalog.pgid)
}

/** Every bucket in the catalog, in byte order of the names: [name, record]. O(buckets). */
export function listBuckets(pager: Pager, catalog: PageRef): Array<[string, BucketRecord]> {
  const out: Array<[string, BucketRecord]> = []
  const c = new TreeCursor(new FixedTreeSource(pager, catalog, null, false))
  for (let ok = c.first(); ok; ok = c.next()) {
    out.push([decoder.decode(c.key!), decodeBucketRecord(c.value!, catalog.pgid)])
  }
  return out
}
