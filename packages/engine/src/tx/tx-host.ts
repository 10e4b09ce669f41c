import type { Pager } from '../store/pager.js'
import type { Durability } from '../types.js'
import type { ReaderRegistry } from './readers.js'
import type { WriteTx } from './write-tx.js'

/** What transactions need from the database that opened them. */
export interface TxHost {
  readonly pager: Pager
  readonly pageSize: number
  readonly maxKeySize: number
  readonly readers: ReaderRegistry
  /** Throws BTREE_CLOSED once the database is closed. */
  assertOpen(): void
  /** Commits an explicit write transaction and releases the writer. */
  commitExplicit(tx: WriteTx, durability: Durability | undefined): Promise<void>
  /** Releases the writer after a rollback. */
  endWrite(tx: WriteTx): void
}
