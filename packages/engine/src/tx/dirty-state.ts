import type { BucketState } from '../bucket/bucket-state.js'
import type { ReclaimEntry } from '../page/freelist-page.js'

/**
 * FORMAT.md §11: the commits made since the last checkpoint, as one published state over its meta:
 * the buckets they changed (null: dropped), whose trees are in-memory nodes over the checkpoint's
 * pages, and the checkpoint's trees they dropped. Immutable once published for every snapshot:
 * readers' snapshots share it, and the next write transaction copies what it changes (Node.gen),
 * or edits in place a leaf that no snapshot can reach, detached before one can (WriteTx.adopt).
 */
export interface DirtyState {
  /** The newest commit in it. */
  readonly txid: number
  readonly buckets: ReadonlyMap<string, BucketState | null>
  readonly dropped: readonly ReclaimEntry[]
  /**
   * Pages decoded into nodes of the ordinary form since the checkpoint (key views and slots on the
   * heap, db/checkpoint-policy.ts): with `packed`, about what the next checkpoint writes.
   */
  readonly pages: number
  /** Packed leaves loaded or split off since the checkpoint: a page of its own each, once edited. */
  readonly packed: number
  /** Ops recorded since the checkpoint (db/checkpoint-policy.ts: what the in-memory trees hold). */
  readonly ops: number
  /**
   * What a snapshot of this state registers with the readers, when not `txid`: a state made while
   * a checkpoint wrote its pages lies over the meta before it, and reads pages that checkpoint
   * frees, which must stay until the snapshot closes (freelist.ts releases by txid).
   */
  readonly pin?: number
}
