import v8 from 'node:v8'
import { BTreeError, ioError } from '../base/errors.js'
import { bucketNameKey } from '../base/validate.js'
import { lookupBucket } from '../bucket/catalog.js'
import { FreeList } from '../freelist/freelist.js'
import type { FileHandle } from '../io/file-handle.js'
import type { BucketRecord } from '../page/bucket-record.js'
import type { ReclaimEntry } from '../page/freelist-page.js'
import type { Meta } from '../page/meta-page.js'
import type { Journal, JournalScan } from '../store/journal.js'
import { type OpenedStore, ERA_LIMIT } from '../store/open-store.js'
import type { Pager } from '../store/pager.js'
import { Node } from '../tree/node.js'
import { type CommitOutcome, MetaInDoubtError, writeCommit } from '../tx/commit.js'
import type { DirtyState } from '../tx/dirty-state.js'
import { mergeDirty } from '../tx/merge-dirty.js'
import { replayRecord } from '../tx/replay.js'
import type { TxContext } from '../tx/tx-context.js'
import { WriteTx, type WriteTxEnd } from '../tx/write-tx.js'

/**
 * FORMAT.md §11: a checkpoint runs once the journal passes this many bytes (option `journalSize`;
 * ~2,000,000 puts of 116 bytes). Each checkpoint rewrites every leaf the commits since the last one
 * touched, so the bounds set the bytes written per user byte of a random fill: at 2,000,000 keys
 * 8.95 with 64 MiB of journal and 256 MiB of dirty pages, 3.69 with 256 and 512 (no checkpoint
 * before the last; 1/3 less CPU). The cost: replay at open after a crash reads up to this much.
 */
export const DEFAULT_JOURNAL_SIZE = 256 * 1024 * 1024
/**
 * ... or once the pages to write pass this many bytes (option `dirtySize`; at most half the cache):
 * 512 MiB, or an eighth of V8's heap limit when that is less. Those pages are held as decoded
 * nodes, ~2.5 times their page bytes in the heap (a 2,000,000-key random fill held ~850 MiB of
 * nodes for ~340 MiB of pages), so an eighth leaves the heap room for the application and for the
 * checkpoint's private copy of the nodes. A random fill of 1,000,000 keys (a 140 MiB tree) ran 2.4x
 * faster with 256 MiB than with 64 MiB (a checkpoint came every ~16 batches and rewrote most leaves).
 */
export const DEFAULT_DIRTY_SIZE = Math.min(512 * 1024 * 1024, Math.floor(v8.getHeapStatistics().heap_size_limit / 8))

export interface CommitterOptions {
  /** Pages of dropped buckets to give back per commit of pages. */
  readonly reclaimPerCommit: number
  /** A checkpoint runs once the journal passes this many bytes... */
  readonly journalSize: number
  /** ... or once the pages it would write pass this many. */
  readonly dirtySize: number
  /** Runs after every commit (strict mode's check()); what it throws fails the commit's promise. */
  readonly afterCommit: ((txid: number) => void) | undefined
}

/**
 * The one owner of the durable state and of every change to it: the checkpoint's meta and slot,
 * the newest durable commit, the txids, the free list and the reclaim list, the journal, and the
 * commits since the checkpoint (the published dirty state). The database asks it to commit a write
 * transaction, to checkpoint, and at open to replay the journal; nothing else writes the file.
 *
 * A commit, with the journal (FORMAT.md §11): (1) take a txid; (2) append the transaction's record,
 * with 'full' one fdatasync: from here the commit survives a crash; (3) publish its nodes to new
 * readers; (4) checkpoint when the journal or the dirty pages pass their bounds.
 * Without the journal, and for a checkpoint, a commit of pages (tx/commit.ts, bbolt's Tx.Commit):
 * (1) take a txid; (2) release pending pages no reader or crash can still need; (3) rebalance and
 * spill, reclaim, write the free list, write the pages and the meta, sync (writeCommit); (4)
 * install the new meta, slot and lists.
 */
export class Committer {
  readonly pager: Pager
  /** What open skipped: a journal tail or a commit that failed verification (info(), check()). */
  readonly skipped: string[] = []
  readonly #file: FileHandle
  readonly #ctx: TxContext
  readonly #options: CommitterOptions
  readonly #freelist: FreeList
  /** FORMAT.md §11: the journal, unless opened with `journal: false` (or read-only without one). */
  readonly #journal: Journal | undefined
  readonly #freelistError: BTreeError | undefined
  /** The checkpoint: the newest commit of pages, and the slot its meta is in. */
  #meta: Meta
  #slot: 0 | 1
  /** The slot and txid of the newest commit of pages known to be on stable storage (FORMAT.md §8). */
  #durableSlot: 0 | 1
  #durableTxid: number
  /** Set when a checkpoint's meta could neither be written nor undone (tx/commit.ts). */
  #metaInDoubt: MetaInDoubtError | undefined
  #reclaim: ReclaimEntry[]
  #nextTxid: number
  #txidFloor: number
  /** Commits of pages attempted since the last durable one (FORMAT.md §8). */
  #era = 0
  /** The commits since the last checkpoint, published to readers; undefined when there are none. */
  #dirty: DirtyState | undefined
  /** Bucket records of the checkpoint by name (null: no such bucket); cleared by each commit of pages. */
  readonly #buckets = new Map<string, BucketRecord | null>()

  constructor(
    file: FileHandle,
    store: OpenedStore,
    journal: Journal | undefined,
    ctx: TxContext,
    options: CommitterOptions,
  ) {
    this.#file = file
    this.pager = store.pager
    this.#ctx = ctx
    this.#options = options
    this.#journal = journal
    this.#freelistError = store.freelistError
    this.#meta = store.meta
    this.#slot = store.slot
    this.#durableSlot = store.durableSlot
    this.#durableTxid = store.durableTxid
    this.#reclaim = store.reclaim
    this.#nextTxid = store.nextTxid
    this.#txidFloor = store.txidFloor
    this.#freelist = new FreeList(store.free, store.meta.highWater)
    for (const m of store.metas) {
      if (m.slot !== store.slot && m.valid && m.problem !== undefined && m.txid > store.meta.txid) {
        this.skipped.push(`meta ${m.slot}: the newest commit, txid ${m.txid}, was skipped: ${m.problem}`)
      }
    }
  }

  /** The checkpoint's meta: the newest commit of pages. */
  get meta(): Meta {
    return this.#meta
  }

  get slot(): 0 | 1 {
    return this.#slot
  }

  /** The commits since the checkpoint, as readers see them. */
  get dirty(): DirtyState | undefined {
    return this.#dirty
  }

  /** The commit new readers see. */
  get txid(): number {
    return this.#dirty?.txid ?? this.#meta.txid
  }

  get journal(): Journal | undefined {
    return this.#journal
  }

  /** What check() and stats() read of the free pages and the reclaim list. */
  get freeState(): {
    freelist: { free: readonly number[]; pending: readonly number[] }
    freelistError: BTreeError | undefined
    reclaim: readonly ReclaimEntry[]
  } {
    return { freelist: this.#freelist.view(), freelistError: this.#freelistError, reclaim: this.#reclaim }
  }

  /** TxContext.lookupBucket: snapshots of the checkpoint share its catalog lookups. */
  lookupBucket(meta: Meta, name: string): BucketRecord | undefined {
    const max = this.#ctx.maxBucketNameSize
    if (meta !== this.#meta) return lookupBucket(this.pager, meta.catalog, bucketNameKey(name, max))
    // A name found here was validated when it was first looked up.
    let rec = this.#buckets.get(name)
    if (rec === undefined) {
      rec = lookupBucket(this.pager, meta.catalog, bucketNameKey(name, max)) ?? null
      if (this.#buckets.size >= 1024) this.#buckets.clear()
      this.#buckets.set(name, rec)
    }
    return rec ?? undefined
  }

  /** A write transaction on the newest commit (`end`: how an explicit one commits and ends). */
  newWriteTx(end?: WriteTxEnd): WriteTx {
    return new WriteTx(this.#ctx, this.#meta, this.#dirty, end)
  }

  /** Commits `tx` and publishes it to new readers: to the journal, or as pages (no journal). */
  async commit(tx: WriteTx, durable: boolean): Promise<void> {
    this.#assertNoMetaInDoubt()
    const journal = this.#journal
    if (journal === undefined) {
      await this.#commitPages(tx, durable, false)
      this.#options.afterCommit?.(this.#meta.txid)
      return
    }
    const txid = this.#takeTxid()
    const appended = this.#appendRecord(journal, tx, txid, durable)
    if (appended !== undefined) await appended
    this.#dirty = mergeDirty(this.#dirty, tx, txid)
    if (this.#overBounds(journal)) {
      // The commit is in the journal already: a failed checkpoint does not fail it (the next
      // commit, or close, tries again), and its I/O error would only repeat in a strict check.
      if (
        !(await this.checkpoint().then(
          () => true,
          () => false,
        ))
      )
        return
    }
    this.#options.afterCommit?.(txid)
  }

  /**
   * FORMAT.md §11, a checkpoint, holding the writer: (1) sync the journal, so that every txid the
   * checkpoint follows is on disk before any page it writes (rule 4 of §8); (2) write the dirty
   * state as one commit of pages (tx/commit.ts: rebalance, spill, reclaim, free list; sync; then
   * the meta, durable by itself; sync); (3) restart the journal. A crash before the meta's sync
   * completes leaves the previous meta (or a torn new one) and the whole journal; after it, the
   * journal's records follow an older checkpoint and are ignored. The journal is restarted only
   * once the meta is synced: open never verifies a checkpoint meta, so it never falls back past
   * the records it discards. A no-op when no commit waits in the journal.
   */
  async checkpoint(): Promise<void> {
    const dirty = this.#dirty
    const journal = this.#journal
    if (dirty === undefined || journal === undefined) return
    this.#assertNoMetaInDoubt()
    try {
      await journal.sync()
    } catch (err) {
      throw ioError('sync of the journal before a checkpoint', err)
    }
    await this.#commitPages(this.#privateCopy(dirty), true, true)
    this.#dirty = undefined
    journal.restart()
    this.#options.afterCommit?.(this.#meta.txid)
  }

  /**
   * Replays the journal found at open (FORMAT.md §11), then, when `writable`, checkpoints it. A
   * record that does not apply ends the replay; it and what follows are reported in `skipped`.
   */
  async recover(scan: JournalScan, writable: boolean): Promise<void> {
    const journal = this.#journal!
    if (scan.stopped !== undefined && !scan.stale)
      this.skipped.push(`journal: ${scan.stopped}; ${scan.skippedBytes} bytes after byte ${scan.end} ignored`)
    for (const [i, rec] of scan.records.entries()) {
      const tx = this.newWriteTx()
      try {
        replayRecord(tx, rec)
      } catch (err) {
        this.skipped.push(
          `journal: record of txid ${rec.txid} does not apply (${(err as Error).message}); it and the ${scan.records.length - i - 1} after it ignored`,
        )
        break
      }
      tx.markClosed()
      this.#dirty = mergeDirty(this.#dirty, tx, rec.txid)
      journal.records++
    }
    const last = scan.records.at(-1)?.txid ?? 0
    if (last >= this.#nextTxid) {
      this.#nextTxid = last + 1
      this.#txidFloor = Math.max(this.#txidFloor, last + ERA_LIMIT + 1)
    }
    if (!writable || (this.#dirty === undefined && journal.end === 0 && scan.skippedBytes === 0)) return
    if (this.#dirty !== undefined) await this.checkpoint()
    // The journal starts empty, as after a close: a torn tail is not found again at the next open.
    journal.restart()
    await journal.release()
  }

  /**
   * The next txid. No commit may share a txid with a commit lost to a crash: open's verification
   * tells pages apart by txid (FORMAT.md §8 rule 4).
   */
  #takeTxid(): number {
    if (this.#nextTxid < this.#txidFloor) this.#nextTxid = this.#txidFloor
    return this.#nextTxid++
  }

  /** FORMAT.md §11: one record, and with `durable` one fdatasync. Nothing changes on failure. */
  /** Undefined when the record is written already (Journal.append: a small commit, no sync). */
  #appendRecord(journal: Journal, tx: WriteTx, txid: number, durable: boolean): Promise<void> | undefined {
    const record = tx.record.seal(this.#meta.txid, txid)
    return journal.append(record.buffers, record.length, durable)?.catch((err: unknown) => {
      throw ioError(`journal append of commit ${txid}`, err)
    })
  }

  #overBounds(journal: Journal): boolean {
    return journal.end > this.#options.journalSize || this.#dirty!.pages * this.pager.pageSize > this.#options.dirtySize
  }

  /**
   * A write transaction holding the dirty state as its own: the published nodes stay as they are
   * for the snapshots that read them, and the checkpoint rebalances and spills private copies.
   */
  #privateCopy(dirty: DirtyState): WriteTx {
    const tx = this.newWriteTx()
    for (const [name, s] of dirty.buckets) {
      if (s === null) {
        tx.overlay.set(name, null)
        continue
      }
      const f = s.fork()
      if (f.root instanceof Node) f.root = f.root.cloneTree(tx.gen)
      tx.overlay.set(name, f)
    }
    return tx
  }

  /**
   * Writes `tx` as a commit of pages (tx/commit.ts) and installs it as the checkpoint. A
   * checkpoint syncs its pages before its meta, which then names itself as durable (FORMAT.md §11).
   */
  async #commitPages(tx: WriteTx, durable: boolean, checkpoint: boolean): Promise<void> {
    durable = this.#mustSync(durable)
    const txid = this.#takeTxid()
    this.#releasePending()
    this.#freelist.begin(txid)
    let outcome: CommitOutcome
    try {
      outcome = await writeCommit(
        {
          file: this.#file,
          pager: this.pager,
          freelist: this.#freelist,
          reclaim: this.#reclaim,
          durableSlot: this.#durableSlot,
          durableTxid: this.#durableTxid,
          reclaimPerCommit: this.#options.reclaimPerCommit,
        },
        tx,
        txid,
        durable,
        checkpoint,
      )
    } catch (err) {
      this.#freelist.abort()
      if (err instanceof MetaInDoubtError) this.#metaInDoubt = err
      throw err
    }
    this.#freelist.end()
    this.#install(outcome, txid, durable)
  }

  /**
   * A run of commits without a sync ends after ERA_LIMIT commits, or once the pages it holds back
   * (rule 1 of FORMAT.md §8) pass an eighth of the file, so 'none' cannot grow the file unboundedly.
   */
  #mustSync(durable: boolean): boolean {
    return (
      ++this.#era >= ERA_LIMIT || this.#freelist.pendingCount > Math.max(256, this.#freelist.highWater / 8) || durable
    )
  }

  /**
   * Pages freed by commit t become reusable once every reader sees t or later and a commit at or
   * after t is durable (freelist.ts). A released page can no longer be read by anyone: its cached
   * copy would only crowd out live pages (after a random fill, most of what the cache held was
   * such dead copies).
   */
  #releasePending(): void {
    for (const pgid of this.#freelist.release(Math.min(this.#ctx.readers.oldest(), this.#durableTxid)))
      this.pager.cache.delete(pgid)
  }

  /** Makes a written commit of pages the newest state (no I/O). */
  #install(outcome: CommitOutcome, txid: number, durable: boolean): void {
    for (const [pgid, page] of outcome.written) this.pager.cache.set(pgid, page)
    for (const pgid of outcome.overwritten) this.pager.cache.delete(pgid)
    this.pager.highWater = outcome.meta.highWater
    this.#meta = outcome.meta
    this.#buckets.clear()
    this.#slot = outcome.slot
    this.#reclaim = outcome.reclaim
    if (durable) {
      this.#durableSlot = outcome.slot
      this.#durableTxid = txid
      this.#era = 0
    }
  }

  /**
   * After a MetaInDoubtError nothing more is written: the failed checkpoint's meta may be on disk,
   * trusted by the next open, and its pages are free in memory. The journal still holds every
   * commit, so a reopen finds them in that checkpoint or replays them over the previous one.
   */
  #assertNoMetaInDoubt(): void {
    const err = this.#metaInDoubt
    if (err !== undefined)
      throw new BTreeError('BTREE_IO', `no more writes until the database is reopened: ${err.message}`, { cause: err })
  }
}
