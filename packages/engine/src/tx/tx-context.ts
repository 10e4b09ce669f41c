import type { BucketRecord } from '../page/bucket-record.js'
import type { Meta } from '../page/meta-page.js'
import type { Pager } from '../store/pager.js'
import type { ReaderRegistry } from './readers.js'

/**
 * What every transaction reads through, handed to it by the database: the pages, the registry
 * that keeps a snapshot's pages from reuse, the limits, and whether the database is still open.
 * Transactions never see the database itself.
 */
export interface TxContext {
  readonly pager: Pager
  readonly pageSize: number
  readonly maxKeySize: number
  readonly maxBucketNameSize: number
  readonly readers: ReaderRegistry
  /**
   * The record of bucket `name` as of commit `meta` (cached for the newest commit). Validates the
   * name (BTREE_BUCKET_NAME_INVALID, TypeError) unless it is already cached.
   */
  lookupBucket(meta: Meta, name: string): BucketRecord | undefined
  /** Throws BTREE_CLOSED once the database is closed. */
  assertOpen(): void
}
