import { BTreeError } from '../base/errors.js'
import type { Meta } from '../page/meta-page.js'
import { type Journal, type JournalScan, scanJournal } from '../store/journal.js'
import type { DecodedRecord } from '../page/journal-record.js'
import type { DirtyState } from '../tx/dirty-state.js'
import { mergeDirty } from '../tx/merge-dirty.js'
import { ReadTx } from '../tx/read-tx.js'
import { replayRecord } from '../tx/replay.js'
import type { TxContext } from '../tx/tx-context.js'
import { WriteTx } from '../tx/write-tx.js'

export interface JournalCheckInput {
  /** The live parts of the journal in replay order (db/committer.ts). */
  readonly parts: ReadonlyArray<{ readonly journal: Journal; readonly base: number }>
  /** The checkpoint's meta, which the journal's records follow. */
  readonly checkpoint: Meta
  /** The newest commit, and the state readers see. */
  readonly txid: number
  readonly dirty: DirtyState | undefined
  readonly ctx: TxContext
  /** Whether open skipped a journal tail it left in place (a read-only open): reported as a warning, not here. */
  readonly tailSkipped: boolean
  /**
   * The txid of the first record open did not apply, when it and the records after it are still in
   * the journal (a read-only open; they are reported as skipped, a warning): not replayed here, and
   * not commits of the open state.
   */
  readonly unappliedFrom: number | undefined
}

/**
 * check() of the journal (FORMAT.md §11): read again from disk, it holds exactly the records of
 * the commits since the checkpoint, each whole and passing its checksum, and replaying them over
 * the checkpoint gives the state readers see, bucket by bucket and entry by entry.
 */
export function checkJournal(input: JournalCheckInput): string[] {
  const problems: string[] = []
  // Each record is replayed as the scan reads it, and then dropped: the replay holds its own copy
  // of what it keeps (the replayed transactions' records), so check() holds one record read back
  // at a time, not the journal's records beside the replay of them (a ~50 MB journal through
  // btree-level: ~280 MB more held at its peak while all were kept, issue 9).
  let replayed: DirtyState | undefined
  let replayFailure: string | undefined
  /** The txid of the part's first record (the scan counts them and keeps the last one's). */
  let first: number | undefined
  /** The txid of the last record replayed, in any part. */
  let last: number | undefined
  /** The current part's records from input.unappliedFrom on. */
  let unapplied = 0
  const replay = (rec: DecodedRecord): void => {
    first ??= rec.txid
    if (input.unappliedFrom !== undefined && rec.txid >= input.unappliedFrom) {
      unapplied++
      return
    }
    last = rec.txid
    if (replayFailure !== undefined) return
    try {
      const tx = new WriteTx(input.ctx, input.checkpoint, replayed)
      replayRecord(tx, rec)
      tx.markClosed()
      replayed = mergeDirty(replayed, tx, rec.txid)
    } catch (err) {
      replayFailure = (err as Error).message
    }
  }
  let prev = input.checkpoint.txid
  for (const [i, { journal, base }] of input.parts.entries()) {
    first = undefined
    unapplied = 0
    let scan: JournalScan
    try {
      scan = scanJournal(journal.file, base, replay)
    } catch (err) {
      return [`journal: ${(err as Error).message}`]
    }
    if (scan.end !== journal.end || scan.count - unapplied !== journal.records) {
      const left = unapplied > 0 ? ` (${unapplied} of them left unapplied at open)` : ''
      problems.push(
        `journal part ${i + 1}: ${scan.count} valid records${left} in ${scan.end} bytes on disk, ${journal.records} commits in ${journal.end} bytes in memory${scan.stopped !== undefined ? ` (${scan.stopped})` : ''}`,
      )
      return problems
    }
    // Each append writes a terminator after its record (a streamed record zeros its header's place
    // first): a scan ends at zeros, at the file's end, or at a stale record of an older checkpoint
    // left past a restart, never at bytes that would read as a torn record after a crash. (Not
    // while a truncate runs, nor after a read-only open that left a damaged tail it reported.)
    if (scan.stopped !== undefined && !scan.stale && !journal.truncating && !input.tailSkipped)
      problems.push(`journal part ${i + 1}: no terminator after its last record: ${scan.stopped}`)
    // A second part follows a checkpoint begun after every record of the first (FORMAT.md §11).
    if (base < prev || (i === 0 && base !== input.checkpoint.txid))
      problems.push(`journal part ${i + 1}: its records follow checkpoint ${base}, after txid ${prev}`)
    if (first !== undefined && first <= prev) problems.push(`journal part ${i + 1}: txid ${first} not above ${prev}`)
    prev = scan.lastTxid ?? Math.max(prev, base)
  }
  if ((last ?? input.checkpoint.txid) !== input.txid)
    problems.push(`journal: its last record is txid ${last}, the newest commit ${input.txid}`)
  if (replayFailure !== undefined) {
    problems.push(`journal: replay failed: ${replayFailure}`)
    return problems
  }
  const a = new ReadTx(input.ctx, input.checkpoint, replayed, true)
  const b = new ReadTx(input.ctx, input.checkpoint, input.dirty, true)
  try {
    const names = b.buckets()
    if (JSON.stringify(a.buckets()) !== JSON.stringify(names))
      problems.push('journal: replay gives other buckets than the open state')
    for (const name of names) {
      const x = a.bucket(name)
      const y = b.bucket(name)
      if (x === undefined || y === undefined) continue
      if (x.size !== y.size)
        problems.push(`journal: bucket '${name}': replay gives ${x.size} keys, the open state ${y.size}`)
      const cx = x.cursor()
      const cy = y.cursor()
      for (let okx = cx.first(), oky = cy.first(); okx || oky; okx = cx.next(), oky = cy.next()) {
        if (okx !== oky || Buffer.compare(cx.key!, cy.key!) !== 0 || Buffer.compare(cx.value!, cy.value!) !== 0) {
          problems.push(
            `journal: bucket '${name}': replay differs from the open state at key ${Buffer.from((okx ? cx.key : cy.key)!).toString('hex')}`,
          )
          break
        }
      }
    }
  } catch (err) {
    // A damaged checkpoint page: the page walk above reports it with its id; the comparison
    // cannot go on past it, and check() reports rather than throws.
    if (!(err instanceof BTreeError && err.code === 'BTREE_CORRUPTION')) throw err
    problems.push(`journal: comparing the replay with the open state stopped: ${err.message}`)
  } finally {
    a.close()
    b.close()
  }
  return problems
}
