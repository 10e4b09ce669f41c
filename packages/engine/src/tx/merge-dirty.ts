import type { DirtyState } from './dirty-state.js'
import type { WriteTx } from './write-tx.js'

/** The dirty state after `tx`, committed as `txid`, on top of `prev` (FORMAT.md §11). No I/O. */
export function mergeDirty(prev: DirtyState | undefined, tx: WriteTx, txid: number): DirtyState {
  // Published now: the nodes it edited in place are its commit's (WriteTx.adopt).
  tx.settleAdopted()
  const buckets = new Map(prev?.buckets ?? [])
  for (const [name, s] of tx.overlay) if (s === null || s.dirty) buckets.set(name, s)
  return {
    txid,
    buckets,
    dropped: tx.dropped,
    pages: (prev?.pages ?? 0) + tx.loaded,
    packed: (prev?.packed ?? 0) + tx.loadedPacked,
    ops: (prev?.ops ?? 0) + tx.record.count,
  }
}
