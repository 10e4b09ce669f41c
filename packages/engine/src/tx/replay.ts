import { BTreeError } from '../base/errors.js'
import { type DecodedRecord, JournalOp, type RecordBuilder, decodeRecord } from '../page/journal-record.js'
import type { WriteBucket } from '../base/types.js'
import type { WriteTx } from './write-tx.js'

const decoder = new TextDecoder('utf-8', { fatal: true })

/**
 * Applies one journal record (FORMAT.md §11) to `tx`, through the same calls that recorded it, so
 * the replayed state is the state the commit made. Throws when the record does not apply (a
 * bucket it names is missing): the journal then ends before it.
 */
export function replayRecord(tx: WriteTx, rec: DecodedRecord): void {
  let bucket: WriteBucket | undefined
  for (let i = 0; i < rec.kinds.length; i++) {
    const kind = rec.kinds[i]!
    switch (kind) {
      case JournalOp.select: {
        const name = decoder.decode(rec.names[i]!)
        bucket = tx.bucket(name)
        if (bucket === undefined) throw new BTreeError('BTREE_CORRUPTION', `bucket '${name}' does not exist`)
        break
      }
      case JournalOp.create:
        bucket = tx.createBucket(decoder.decode(rec.names[i]!))
        break
      case JournalOp.drop:
        tx.deleteBucket(decoder.decode(rec.names[i]!))
        bucket = undefined
        break
      case JournalOp.put:
      case JournalOp.delete:
        if (bucket === undefined) throw new BTreeError('BTREE_CORRUPTION', 'a key op before any bucket op')
        if (kind === JournalOp.put) bucket.put(rec.keys[i]!, rec.values[i]!)
        else bucket.delete(rec.keys[i]!)
        break
      default:
        throw new BTreeError('BTREE_CORRUPTION', `unknown op kind ${kind}`)
    }
  }
}

/**
 * Replays the first `count` ops of `from` (all by default) into `to`: a transaction rebuilt over
 * another base (a checkpoint that ran meanwhile), or reset without its last ops (a group commit's
 * callback that threw). `from` records nothing more afterwards.
 */
export function replayOps(to: WriteTx, from: RecordBuilder, count = from.count): void {
  const rec = decodeRecord(Buffer.concat(from.seal(0, 0).buffers))
  if (typeof rec === 'string') throw new BTreeError('BTREE_INVARIANT', `the transaction's record: ${rec}`)
  replayRecord(to, count === rec.kinds.length ? rec : { ...rec, kinds: rec.kinds.slice(0, count) })
}
