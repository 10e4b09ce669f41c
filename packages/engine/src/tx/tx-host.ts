import type { BucketRecord } from '../page/bucket-record.js'
import type { Meta } from '../page/meta-page.js'
import type { Pager } from '../store/pager.js'
import type { Durability } from '../base/types.js'
import type { ReaderRegistry } from './readers.js'

/**
 * What transactions need from the database that opened them. `Tx` is the write transaction type
 * (WriteTx): a type parameter, so that this module, below write-tx.ts, does not import it back.
 */
export interface TxHost<Tx = never> {
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
  /** Commits an explicit write transaction and releases the writer. */
  commitExplicit(tx: Tx, durability: Durability | undefined): Promise<void>
  /** Releases the writer after a rollback. */
  endWrite(tx: Tx): void
}
