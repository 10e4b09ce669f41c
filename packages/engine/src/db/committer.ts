import { BTreeError, invariant, ioError } from '../base/errors.js'
import { bucketNameKey } from '../base/validate.js'
import { lookupBucket } from '../bucket/catalog.js'
import { FreeList } from '../freelist/freelist.js'
import type { FileHandle } from '../io/file-handle.js'
import type { BucketRecord } from '../page/bucket-record.js'
import type { ReclaimEntry } from '../page/freelist-page.js'
import type { Meta } from '../page/meta-page.js'
import { type Journal, SYNC_WRITE_LIMIT, scanJournal, scanJournals } from '../store/journal.js'
import { type DecodedRecord, RECORD_HEADER, type RecordSink } from '../page/journal-record.js'
import { type OpenedStore, ERA_LIMIT } from '../store/open-store.js'
import type { Pager } from '../store/pager.js'
import { Node } from '../tree/node.js'
import { type CommitOutcome, type CommitState, MetaInDoubtError, commitShapes, writeCommit } from '../tx/commit.js'
import type { DirtyState } from '../tx/dirty-state.js'
import { type EarlyHandoff, EarlyPages } from '../tx/early-pages.js'
import { mergeDirty } from '../tx/merge-dirty.js'
import { replayOps, replayRecord } from '../tx/replay.js'
import type { TxContext } from '../tx/tx-context.js'
import { WriteTx, type WriteTxEnd } from '../tx/write-tx.js'
import { heapBound, overDirtyBounds } from './checkpoint-policy.js'

/**
 * Bytes of leaves written ahead (tx/early-pages.ts) after which a background sync of the database
 * file starts (Committer#startEarlyFlush): an ascending load syncs them while it runs, every ~130
 * commits of 1,000 puts, and a load of single puts, one leaf every ~35 commits, adds a sync of the
 * database file only every ~150,000 commits. Not sooner: while that sync runs on the thread pool,
 * the writer's own journal syncs meet it at the disk (1 MiB, a sync every ~8 commits of such a load,
 * made the load 13-25 % slower than 16 MiB or none at all, in alternating runs: BENCHMARK.md,
 * round s31), and the checkpoint's own sync then finds at most this much still to write.
 */
const EARLY_FLUSH_BYTES = 16 * 1024 * 1024

/** A live part of the journal: a file and the checkpoint its records follow. */
export interface JournalPart {
  readonly journal: Journal
  readonly base: number
}

/** What check() and stats() read of the free pages and the reclaim list. */
export interface FreeState {
  readonly freelist: { readonly free: readonly number[]; readonly pending: readonly number[] }
  readonly freelistError: BTreeError | undefined
  readonly reclaim: readonly ReclaimEntry[]
}

export interface CommitterOptions {
  /** Pages of dropped buckets to give back per commit of pages. */
  readonly reclaimPerCommit: number
  /** A checkpoint runs once the journal passes this many bytes... */
  readonly journalSize: number
  /** ... or once the memory of the commits since the last one passes this many (checkpoint-policy.ts). */
  readonly dirtySize: number
  /** Runs after every commit (strict mode's check()); what it throws fails the commit's promise. */
  readonly afterCommit: ((txid: number) => void) | undefined
  /** Whether a durable commit with nothing else in flight syncs on the caller's thread (option `inlineSync`). */
  readonly inlineSync: boolean
  /** Bytes a step of a durable commit's record streamed ahead of its commit; 0: none (option `journalStream`). */
  readonly journalStream: number
}

/**
 * The one owner of the durable state and of every change to it: the checkpoint's meta and slot,
 * the newest durable commit, the txids, the free list and the reclaim list, the journal, and the
 * commits since the checkpoint (the published dirty state). The database asks it to commit a write
 * transaction, to checkpoint, and at open to replay the journal; nothing else writes the file.
 *
 * A commit, with the journal (FORMAT.md §11): (1) take a txid; (2) write the transaction's record
 * and make its state the head that the next write transaction builds on: the writer is free from
 * here (`written`); (3) with 'full', fdatasync: from here the commit survives a crash; (4) once
 * every commit written before it is published, publish its nodes to new readers; (5) start a
 * checkpoint in the background when the journal or the dirty pages pass their bounds (not waited
 * for). Steps 3 and 4 of one commit overlap steps 1 and 2 of the next (pipelined group commit):
 * while one group's sync runs on the thread pool, the next group runs its callbacks and writes its
 * record, acknowledged only after its own sync. A commit with nothing to overlap (nothing in
 * flight, no group queued, no checkpoint writing) syncs on the caller's thread (#commitInline).
 * A failed sync fails its commit and every commit written after it (they built on it), and cuts
 * the journal back to where the failed one began.
 * Without the journal, and for a checkpoint, a commit of pages (tx/commit.ts, bbolt's Tx.Commit):
 * (1) take a txid; (2) release pending pages no reader or crash can still need; (3) rebalance and
 * spill, reclaim, write the free list, write the pages and the meta, sync (writeCommit); (4)
 * install the new meta, slot and lists.
 */
export class Committer {
  readonly pager: Pager
  /** What open skipped: a journal tail or a commit that failed verification (info(), check()). */
  readonly skipped: string[] = []
  /**
   * Whether open skipped a damaged journal tail and left it in the file: a read-only open does (a
   * writable one checkpoints the replay and empties the journal). check() then does not ask for a
   * terminator after the last record: the bytes there are the damage `skipped` reports.
   */
  #tailLeft = false
  /**
   * The txid of the record open did not apply (recover), when that record and those after it are
   * still in the journal: a read-only open leaves them there. check() does not replay them (the
   * commits they were are not in the state readers see; `skipped` reports them).
   */
  #unappliedFrom: number | undefined
  readonly #file: FileHandle
  readonly #ctx: TxContext
  readonly #options: CommitterOptions
  readonly #freelist: FreeList
  /**
   * FORMAT.md §11: the journal files, unless opened with `journal: false` (or read-only without
   * one): `<path>-journal` and `<path>-journal2`, the second opened when first needed.
   */
  readonly #journals: [Journal | undefined, Journal | undefined]
  readonly #openJournal2: (() => Journal) | undefined
  /**
   * The live parts of the journal, in replay order, each with the checkpoint its records follow;
   * the last takes the appends. Two while a checkpoint runs in the background: the records it
   * writes, and in the other file those made meanwhile (which follow the new checkpoint).
   */
  #segments: JournalPart[]
  /**
   * The free pages and reclaim list as of a background checkpoint's freeze, a copy: until it
   * installs its meta they, with the meta still in place, are the file's consistent state, while
   * the free list itself already serves (and, once its pages are written, records) the new commit.
   */
  #frozenFree: FreeState | undefined
  /** A checkpoint writing its pages while commits go on (#backgroundCheckpoint). */
  #background: Promise<void> | undefined
  /** Set when a background checkpoint failed: the next one holds the writer (the journal is in two parts). */
  #mustBlock = false
  /** What readers of states made during a background checkpoint register (DirtyState.pin). */
  #pin: number | undefined
  /** Set when a checkpoint's meta was written but its catch-up replay failed: no more writes. */
  #fatal: BTreeError | undefined
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
  /** The newest commit written to the journal (maybe not yet synced): what a write transaction builds on. */
  #head: DirtyState | undefined
  /** Settles once the newest written commit is published or failed; undefined when none is in flight. */
  #tail: Promise<void> | undefined
  /** Bumped by a failed sync: the commits written before that, built on the failed one, fail too. */
  #epoch = 0
  /** What failed the last failed sync (the cause of the commits that fail with it). */
  #syncError: unknown
  /** A cut-back of the journal after a failed sync: no record is written until it is done. */
  #cutting: Promise<void> | undefined
  /**
   * The state the last checkpoint wrote (#rebase), held weakly: only a transaction built on it
   * compares it, and that transaction keeps it alive. A strong reference kept the whole written
   * state (a packed leaf's page each, ~the tree's bytes) in memory until the next checkpoint.
   */
  #checkpointed: WeakRef<DirtyState> | undefined
  /** The heap bytes the commits since the checkpoint may hold (checkpoint-policy.ts, heapBound). */
  readonly #heapBound = heapBound()
  /** A checkpoint holding the journal: commits wait for it before writing. */
  #checkpointing: Promise<void> | undefined
  /** Bucket records of the checkpoint by name (null: no such bucket); cleared by each commit of pages. */
  readonly #buckets = new Map<string, BucketRecord | null>()
  /** Leaves of published commits written ahead of the next checkpoint (tx/early-pages.ts). */
  readonly #early: EarlyPages
  /** The background sync of the leaves written ahead, while one runs (#startEarlyFlush). */
  #earlyFlush: Promise<void> | undefined
  /** Bytes written ahead since the last such sync began. */
  #unflushed = 0
  /** EARLY_FLUSH_BYTES, or a quarter of `journalSize` when less (the crash tests' tiny journal syncs every time). */
  readonly #earlyFlushBytes: number

  constructor(
    file: FileHandle,
    store: OpenedStore,
    journals: [Journal | undefined, Journal | undefined],
    openJournal2: (() => Journal) | undefined,
    ctx: TxContext,
    options: CommitterOptions,
  ) {
    this.#file = file
    this.pager = store.pager
    this.#ctx = ctx
    this.#options = options
    this.#journals = journals
    this.#openJournal2 = openJournal2
    this.#segments = journals[0] === undefined ? [] : [{ journal: journals[0], base: store.meta.txid }]
    this.#freelistError = store.freelistError
    this.#meta = store.meta
    this.#slot = store.slot
    this.#durableSlot = store.durableSlot
    this.#durableTxid = store.durableTxid
    this.#reclaim = store.reclaim
    this.#nextTxid = store.nextTxid
    this.#txidFloor = store.txidFloor
    this.#freelist = new FreeList(store.free, store.meta.highWater)
    this.#early = new EarlyPages(store.pager.pageSize)
    this.#earlyFlushBytes = Math.min(EARLY_FLUSH_BYTES, options.journalSize / 4)
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

  /** The newest commit written to the journal, published or not (check() compares the journal with it). */
  get head(): DirtyState | undefined {
    return this.#head
  }

  /** Whether a damaged journal tail that open skipped is still in the file (a read-only open, #tailLeft). */
  get tailLeft(): boolean {
    return this.#tailLeft
  }

  /** The txid of the first record open did not apply, still in the journal (a read-only open, #unappliedFrom). */
  get unappliedFrom(): number | undefined {
    return this.#unappliedFrom
  }

  /** The journal file taking the appends. */
  get journal(): Journal | undefined {
    return this.#segments.at(-1)?.journal
  }

  /** The live parts of the journal in replay order (check(), info()). */
  get journalParts(): readonly JournalPart[] {
    return this.#segments
  }

  /** Every journal file opened (close, release). */
  get journalFiles(): Journal[] {
    return this.#journals.filter((j) => j !== undefined)
  }

  /** What check() and stats() read of the free pages and the reclaim list. */
  get freeState(): FreeState {
    return this.#frozenFree ?? this.#currentFree()
  }

  /** A copy of the free state as it stands, for check() and stats() while a checkpoint writes (#frozenFree). */
  #freezeFree(): FreeState {
    const free = this.#currentFree()
    return {
      freelist: { free: free.freelist.free.slice(), pending: free.freelist.pending.slice() },
      freelistError: free.freelistError,
      reclaim: free.reclaim.slice(),
    }
  }

  #currentFree(): FreeState {
    const view = this.#freelist.view()
    // Pages written ahead are free in the file until a checkpoint names them (past its high-water
    // mark, they are outside the file's state).
    const early = this.#early.ids().filter((p) => p < this.#meta.highWater)
    const freelist = early.length === 0 ? view : { free: [...view.free, ...early], pending: view.pending }
    return { freelist, freelistError: this.#freelistError, reclaim: this.#reclaim }
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
    return new WriteTx(this.#ctx, this.#meta, this.#head, end)
  }

  /**
   * FORMAT.md §11, "Streamed records": `tx`, whose commit will sync, writes its record to the
   * journal as it grows (option `journalStream`), where the next record goes, while the journal's
   * file starts writebacks ahead of a sync (FileHandle.writesAhead). Without them the streamed
   * steps only split the commit's write: an ascending fill of 200,000 keys in 'full' commits of
   * 1,000 took 4–14 % less CPU writing each record whole than streaming it without writebacks
   * (least of ten alternating runs, three times, `bench/fill-cpu.js --compare`; BENCHMARK.md,
   * round s48).
   */
  streamRecord(tx: WriteTx): void {
    const part = this.#segments.at(-1)
    if (part !== undefined && this.#options.journalStream > 0 && part.journal.file.writesAhead !== false)
      tx.record.streamTo(this.#streamSink, this.#options.journalStream)
  }

  /** Where streamed records go: the journal taking the appends, unless a checkpoint holds them (it restarts it). */
  readonly #streamSink: RecordSink = (builder, from, buffers) => {
    const part = this.#segments.at(-1)
    return part !== undefined && this.#checkpointing === undefined && part.journal.stream(builder, from, buffers)
  }

  /**
   * A write transaction for base/shapes.ts (db/database-shapes.ts), never committed: on the last
   * checkpoint's meta without the commits since, which it would keep in memory for as long as it
   * is kept.
   */
  newShapeTx(end?: WriteTxEnd): WriteTx {
    return new WriteTx(this.#ctx, this.#meta, undefined, end)
  }

  /**
   * Commits `tx` and publishes it to new readers: to the journal, or as pages (no journal).
   * `written` is called once the record is written and the next write transaction may begin
   * (before the sync, see the class comment); the promise settles once the commit is durable (with
   * `durable`) and published, or failed. `alone`: no other commit waits for the writer, so one
   * with nothing in flight either may sync on the caller's thread (#commitInline).
   */
  async commit(tx: WriteTx, durable: boolean, alone: boolean, written?: () => void): Promise<void> {
    this.#assertNoMetaInDoubt()
    if (this.#segments.length === 0) {
      await this.#commitPages(tx, durable)
      this.#options.afterCommit?.(this.#meta.txid)
      return
    }
    // A record too large to write on return waits for the commits in flight: no failed sync can
    // then cut the journal back while its write runs.
    const large = !this.journal!.writesOnReturn(RECORD_HEADER + tx.record.bytes, this.#onReturnLimit(tx))
    // A transaction editing published nodes in place (WriteTx.adopt) publishes before anything
    // else runs, or goes on with copies: snapshots may begin while a commit waits or syncs.
    // A durable one that syncs on this thread (#commitInline) keeps them: nothing runs between its
    // edits and its publication but the sync, and a failed sync publishes nothing (the writer
    // queue then restores them).
    if (
      tx.hasAdopted &&
      (large || tx.base !== this.#meta || tx.dirty !== this.#head || !this.#publishesNow(durable, alone))
    )
      tx.detachAdopted()
    for (;;) {
      const wait = this.#checkpointing ?? this.#cutting ?? (large ? this.#tail : undefined)
      if (wait === undefined) break
      await wait.catch(() => {})
    }
    this.#assertNoMetaInDoubt()
    if (tx.base !== this.#meta || tx.dirty !== this.#head) tx = this.#rebase(tx)
    const part = this.#segments.at(-1)!
    const journal = part.journal
    // What was awaited above may have begun a truncate of the journal (db.checkpoint()): the
    // record is then written once it is done, and the transaction must not keep its nodes. A
    // rebased transaction has leaves of its own: the bound is taken again.
    const onReturn = this.#onReturnLimit(tx)
    if (tx.hasAdopted && !journal.writesOnReturn(RECORD_HEADER + tx.record.bytes, onReturn)) tx.detachAdopted()
    const txid = this.#takeTxid()
    const start = journal.end
    const records = journal.records
    const record = tx.record.seal(part.base, txid)
    const write = journal.write(record.buffers, record.length, durable, tx.record, onReturn)
    if (write === undefined && this.#tail === undefined && (!durable || this.#mayBlock(alone))) {
      await this.#commitInline(journal, durable, tx, txid, start, records, written)
    } else {
      const published = this.#publish(this.#tail, journal, write, durable, tx, txid, start, records, written)
      // One closure for both outcomes.
      const clear = (): void => {
        if (this.#tail === tail) this.#tail = undefined
      }
      const tail: Promise<void> = published.then(clear, clear)
      this.#tail = tail
      await published
    }
    // Written and published: nothing reads the record's bytes again (RecordBuilder.recycle).
    tx.record.recycle()
    let checkpoint: Promise<void> | undefined
    if (this.#overBounds(journal)) {
      // The commit is in the journal already: a failed checkpoint does not fail it (the next
      // commit, or close, tries again), and its I/O error would only repeat in a strict check.
      // A checkpoint in the background is not waited for: the commits after this one wait only
      // while it freezes the state and, at its end, installs its meta (db.checkpoint() and close
      // wait for all of it). After a failed one, this commit waits for the checkpoint holding the
      // journal that mends it.
      if (!this.#mustBlock) {
        checkpoint = this.#backgroundCheckpoint()
        checkpoint.catch(() => {})
      } else if (!(await succeeds(this.checkpoint()))) return
    }
    if (this.#options.afterCommit !== undefined) {
      if (checkpoint !== undefined && !(await succeeds(checkpoint))) return
      // Not in the middle of a checkpoint that a later commit began: its pages are half written.
      while (this.#checkpointing !== undefined || this.#background !== undefined)
        await (this.#checkpointing ?? this.#background)!.catch(() => {})
      this.#options.afterCommit(txid)
    }
  }

  /**
   * The most bytes of `tx`'s record written on the caller's thread (Journal.write's `onReturn`). A
   * record written on the thread pool makes a transaction that edits leaves in place detach them
   * first (WriteTx.detachAdopted: a copy of each leaf's page, its published state restored), which
   * costs more of this thread than writing the record here: the bound is at least the bytes of
   * those pages. A random batch of 5,000 puts into 200,000 keys (a ~600 KB record, ~2,500 leaves
   * adopted) detached them at every commit: 200,000 such puts in 'none' commits took 850 ms, and
   * 453 ms written here (medians of eight alternating rounds; 743 against 480 ms in batches of
   * 10,000, 1,078 against 586 ms in 'full' commits of 5,000).
   */
  #onReturnLimit(tx: WriteTx): number {
    return Math.max(SYNC_WRITE_LIMIT, tx.adoptedCount * this.pager.pageSize)
  }

  /**
   * Whether a durable commit may sync on the caller's thread: nothing else would run meanwhile,
   * no commit queued behind it (`alone`) and no checkpoint writing its pages in the background
   * (whose spill runs on this thread while commits sync on the pool).
   */
  #mayBlock(alone: boolean): boolean {
    return alone && this.#options.inlineSync && this.#background === undefined
  }

  /**
   * Whether a commit to the journal made now goes straight from its record's write to its
   * publication, with nothing else run in between (#commitInline): no commit in flight, no
   * checkpoint holding the journal, no journal cut back, and a durable one syncs on the caller's
   * thread. Only then may its transaction keep the nodes it edits in place (WriteTx.adopt): commit()
   * detaches them otherwise, and syncsInline() tells the writer queue beforehand.
   */
  #publishesNow(durable: boolean, alone: boolean): boolean {
    return (
      this.#tail === undefined &&
      this.#checkpointing === undefined &&
      this.#cutting === undefined &&
      (!durable || this.#mayBlock(alone))
    )
  }

  /**
   * Whether a durable commit made now with nothing queued behind it would sync on the caller's
   * thread and publish at once (#publishesNow), keeping the nodes its transaction edits in place
   * (WriteTx.adopt); the journal must be on.
   */
  syncsInline(): boolean {
    return this.#segments.length > 0 && this.#publishesNow(true, true)
  }

  /**
   * A commit with nothing in flight before it, its record written: with `durable`, fdatasync on
   * the caller's thread (journal.syncSync), which saves the thread pool's round trip (~40 µs of
   * main-thread CPU and two thread wake-ups: ~290 against ~200 µs a lone durable commit here) at
   * the cost of blocking the event loop for the sync. Then published at once, without a promise of
   * its own (a 'none' commit costs ~11 µs). A durable one then waits a turn of the event loop, as
   * one synced on the thread pool does, so that a caller committing in a loop cannot starve
   * timers and I/O. A failed sync cuts the journal back and fails the commit (#syncFailed).
   */
  async #commitInline(
    journal: Journal,
    durable: boolean,
    tx: WriteTx,
    txid: number,
    start: number,
    records: number,
    written: (() => void) | undefined,
  ): Promise<void> {
    if (!durable) {
      this.#head = this.#dirty = this.#merge(tx, txid)
      return
    }
    try {
      journal.syncSync()
    } catch (err) {
      await this.#syncFailed(journal, start, records, err)
      throw ioError(`journal sync of commit ${txid}`, err)
    }
    this.#head = this.#dirty = this.#merge(tx, txid)
    this.#writeEarly(tx, txid)
    written?.()
    await new Promise((resolve) => setImmediate(resolve))
  }

  /**
   * After the sync of the commit whose record began at `start` failed: the commits written after
   * it fail too (the epoch changes under them), the head goes back to the published state, and the
   * journal is cut back to `start`; no record is written until the cut is done.
   */
  async #syncFailed(journal: Journal, start: number, records: number, err: unknown): Promise<void> {
    this.#epoch++
    this.#syncError = err
    this.#head = this.#dirty
    const cut = journal.cutBack(start, records)
    this.#cutting = cut
    await cut
    if (this.#cutting === cut) this.#cutting = undefined
  }

  /** The head after `tx`, committed as `txid` (pinned while a checkpoint runs, DirtyState.pin). */
  #merge(tx: WriteTx, txid: number): DirtyState {
    const state = mergeDirty(this.#head, tx, txid)
    return this.#pin === undefined ? state : { ...state, pin: this.#pin }
  }

  /**
   * Steps 2 to 4 of a commit whose record is written (`write`: the promise of a large record's
   * write) or synced in the background: makes its state the head, frees the writer (`written`),
   * waits for the commit written before it (`prev`) and for its sync, then publishes. A failed
   * sync resets the head to the published state and cuts the journal back to `start`, which also
   * fails every commit written after this one (the epoch changes under them).
   */
  async #publish(
    prev: Promise<void> | undefined,
    journal: Journal,
    write: Promise<void> | undefined,
    durable: boolean,
    tx: WriteTx,
    txid: number,
    start: number,
    records: number,
    written: (() => void) | undefined,
  ): Promise<void> {
    if (write !== undefined) {
      // Nothing is in flight before a large record (commit()): a failed write changed nothing.
      try {
        await write
      } catch (err) {
        throw ioError(`journal append of commit ${txid}`, err)
      }
    }
    const state = this.#merge(tx, txid)
    this.#head = state
    const epoch = this.#epoch
    let syncError: unknown
    if (prev === undefined) {
      // Nothing written before it in flight (one commit at a time): the sync is awaited at once,
      // without the handler promise that keeps a rejection handled while `prev` is awaited.
      written?.()
      if (durable) {
        const sync = journal.sync()
        this.#writeEarly(tx, txid)
        try {
          await sync
        } catch (err) {
          syncError = err ?? new BTreeError('BTREE_IO', 'sync failed without an error')
        }
      }
    } else {
      const sync = durable
        ? journal.sync().then(undefined, (err: unknown) => {
            syncError = err ?? new BTreeError('BTREE_IO', 'sync failed without an error')
          })
        : undefined
      written?.()
      if (durable) this.#writeEarly(tx, txid)
      await prev
      await sync
    }
    if (epoch !== this.#epoch)
      throw new BTreeError('BTREE_IO', `commit ${txid} failed: the sync of a commit before it failed`, {
        cause: this.#syncError,
      })
    if (syncError !== undefined) {
      await this.#syncFailed(journal, start, records, syncError)
      throw ioError(`journal sync of commit ${txid}`, syncError)
    }
    this.#dirty = state
  }

  /** Whether `dirty` is the state the last checkpoint wrote (a collected one is no live state). */
  #wasCheckpointed(dirty: DirtyState | undefined): boolean {
    const c = this.#checkpointed
    return c === undefined ? dirty === undefined : dirty !== undefined && c.deref() === dirty
  }

  /**
   * A transaction begun before a checkpoint and committed after it (the writer is free while a
   * commit syncs, and its publication may run the checkpoint): its nodes copy the state the
   * checkpoint wrote, whose old pages the checkpoint freed. Its record's ops are replayed over the
   * checkpoint instead, which gives the same contents. A transaction built on a commit whose sync
   * failed fails too.
   */
  #rebase(tx: WriteTx): WriteTx {
    if (tx.base === this.#meta || !this.#wasCheckpointed(tx.dirty))
      throw new BTreeError('BTREE_IO', 'the transaction built on a commit whose journal sync failed', {
        cause: this.#syncError,
      })
    const fresh = this.newWriteTx()
    replayOps(fresh, tx.record)
    fresh.markClosed()
    return fresh
  }

  /**
   * Writes ahead the leaves commit `txid` finished (tx/early-pages.ts), while its sync runs; not
   * while a checkpoint runs, whose free list a failure rolls back (FreeList.abort). Only durable
   * commits write ahead: their sync hides the writes, while a 'none' commit would pay them on the
   * writer's thread and the file would hold its leaves twice (pages and journal) until the next
   * checkpoint, where today a 'none' load defers every page to the checkpoint.
   */
  #writeEarly(tx: WriteTx, txid: number): void {
    if (this.#background !== undefined || this.#checkpointing !== undefined) return
    const pageSize = this.pager.pageSize
    const pages = this.#early.write(tx, txid, this.#freelist, this.#file, pageSize)
    this.#unflushed += pages * pageSize
    // The disk starts on them at once, while the next transaction runs (FORMAT.md §11, leaves
    // written ahead): a writeback through the file's second descriptor, as a streamed record's
    // (stopped on a disk whose flushes are slow). A failed one is reported to the checkpoint's own
    // sync, which then fails and distrusts them (#writeCheckpoint). An ascending fill of 200,000
    // keys in 'full' commits of 1,000: 5-10 % faster (BENCHMARK.md, round s36).
    if (pages > 0) this.#file.startWriteback?.()
    if (this.#unflushed >= this.#earlyFlushBytes && this.#earlyFlush === undefined) this.#startEarlyFlush()
  }

  /**
   * Starts an fdatasync of the database file on the thread pool, for the leaves written ahead so
   * far (FORMAT.md §11, leaves written ahead): the next checkpoint's own sync (its step (b)) then
   * finds them on disk already, where an ascending load of 200,000 keys left it ~25 MB to flush
   * with nothing to overlap. Once EARLY_FLUSH_BYTES are written ahead, one at a time; nothing waits for it but a checkpoint, which waits
   * before it takes the pages (#takeEarly). Syncing pages that no meta names earlier changes
   * nothing a crash leaves. A failed one distrusts every page written ahead so far (Linux may
   * report a lost write once, to this sync only): the checkpoint writes their leaves itself.
   */
  #startEarlyFlush(): void {
    this.#unflushed = 0
    const flush: Promise<void> = this.#file.sync().then(
      () => {
        if (this.#earlyFlush === flush) this.#earlyFlush = undefined
      },
      () => {
        this.#early.distrust()
        if (this.#earlyFlush === flush) this.#earlyFlush = undefined
      },
    )
    this.#earlyFlush = flush
  }

  /** Settles once no background sync of leaves written ahead runs (close: before the file closes). */
  async earlyFlushed(): Promise<void> {
    while (this.#earlyFlush !== undefined) await this.#earlyFlush
  }

  /** The pages written ahead, for checkpoint `txid`, once no flush of them runs (#startEarlyFlush). */
  async #takeEarly(): Promise<EarlyHandoff> {
    while (this.#earlyFlush !== undefined) await this.#earlyFlush
    return this.#early.take()
  }

  /** Settles once every commit written so far is published or failed. */
  async settled(): Promise<void> {
    while (this.#tail !== undefined) await this.#tail
  }

  /** Settles once no commit is in flight and no checkpoint runs (db.settled()); their failures are theirs. */
  async idle(): Promise<void> {
    for (;;) {
      const wait = this.#tail ?? this.#checkpointing ?? this.#background ?? this.#cutting ?? this.#earlyFlush
      if (wait === undefined) return
      await wait.catch(() => {})
    }
  }

  /**
   * FORMAT.md §11, a checkpoint holding the journal (close, db.checkpoint(), open's recovery, and
   * after a background checkpoint failed): (1) sync the journal, so that every txid the checkpoint
   * follows is on disk before any page it writes (rule 4 of §8); (2) write the dirty state as one
   * commit of pages (tx/commit.ts: rebalance, spill, reclaim, free list; sync; then the meta,
   * durable by itself; sync); (3) restart the journal. A crash before the meta's sync completes
   * leaves the previous meta (or a torn new one) and the whole journal; after it, the journal's
   * records follow an older checkpoint and are ignored. The journal is restarted only once the
   * meta is synced: open never verifies a checkpoint meta, so it never falls back past the records
   * it discards. A no-op when no commit waits in the journal.
   */
  async checkpoint(): Promise<void> {
    while (this.#background !== undefined) await this.#background.catch(() => {})
    await this.#gated(async () => {
      await this.settled()
      const dirty = this.#dirty
      const part = this.#segments.at(-1)
      if (dirty === undefined || part === undefined) return
      this.#assertNoMetaInDoubt()
      await this.#syncJournal(part.journal)
      const txid = this.#takeTxid()
      // check() and stats() read the free state as it stands until the new meta is installed: the
      // checkpoint takes the pages written ahead (#takeEarly), free in the file until then.
      this.#frozenFree = this.#freezeFree()
      let outcome: CommitOutcome
      try {
        outcome = await this.#writeCheckpoint(dirty, txid)
      } finally {
        this.#frozenFree = undefined
      }
      this.#install(outcome, txid, true)
      this.#checkpointed = new WeakRef(dirty)
      this.#dirty = this.#head = undefined
      part.journal.restart()
      this.#segments = [{ journal: part.journal, base: txid }]
      this.#mustBlock = false
      this.#pin = undefined
      this.#options.afterCommit?.(this.#meta.txid)
    })
  }

  /**
   * FORMAT.md §11, a checkpoint in the background: commits wait only while it (1) syncs the
   * journal and moves the appends to the other journal file, restarted, whose records follow this
   * checkpoint's txid; then go on (over the frozen state, still over the old meta) while it (2)
   * writes the frozen state as one commit of pages, its meta durable by itself; and wait again
   * while it (3) installs the new meta and replays the records appended meanwhile over it (the
   * same contents, now over the new pages). A crash before the meta is durable leaves the old meta
   * and both journal files, replayed in turn; after it, the new meta and the second file.
   */
  async #backgroundCheckpoint(): Promise<void> {
    if (this.#background !== undefined || this.#checkpointing !== undefined) return
    const run = this.#runBackground()
    this.#background = run
    try {
      await run
    } finally {
      if (this.#background === run) this.#background = undefined
    }
  }

  async #runBackground(): Promise<void> {
    let frozen: DirtyState | undefined
    let txid = 0
    let next: JournalPart | undefined
    // (1) Freeze.
    await this.#gated(async () => {
      await this.settled()
      frozen = this.#dirty
      const part = this.#segments.at(-1)
      if (frozen === undefined || part === undefined || this.#segments.length > 1) return
      this.#assertNoMetaInDoubt()
      await this.#syncJournal(part.journal)
      const other = this.#otherJournal(part.journal)
      txid = this.#takeTxid()
      other.restart()
      next = { journal: other, base: txid }
      this.#segments = [part, next]
      this.#pin = txid - 1
      this.#frozenFree = this.#freezeFree()
    })
    if (frozen === undefined || next === undefined) return
    // (2) Write the pages while commits go on.
    let outcome: CommitOutcome
    try {
      outcome = await this.#writeCheckpoint(frozen, txid)
    } catch (err) {
      // The journal stays in two parts, replayed in turn at open; the next checkpoint writes both.
      this.#mustBlock = true
      this.#frozenFree = undefined
      throw err
    }
    // (3) Install, and replay the records appended meanwhile over the new meta.
    await this.#gated(async () => {
      await this.settled()
      const old = this.#head
      this.#install(outcome, txid, true)
      this.#frozenFree = undefined
      this.#checkpointed = old === undefined ? undefined : new WeakRef(old)
      this.#segments = [next!]
      this.#pin = undefined
      try {
        this.#dirty = this.#head = this.#catchUp(next!)
      } catch (err) {
        this.#fatal = new BTreeError('BTREE_INVARIANT', `replay after checkpoint ${txid}: ${(err as Error).message}`, {
          cause: err,
        })
        throw this.#fatal
      }
      this.#options.afterCommit?.(this.#meta.txid)
    })
  }

  /** The records of `part` replayed over the checkpoint as one state: the same contents, over its pages. */
  #catchUp(part: JournalPart): DirtyState | undefined {
    const scan = scanJournal(part.journal.file, part.base)
    if (scan.records.length !== part.journal.records || scan.end !== part.journal.end)
      throw invariant(`${scan.records.length} records read back, ${part.journal.records} appended`)
    const last = scan.records.at(-1)
    if (last === undefined) return undefined
    const tx = new WriteTx(this.#ctx, this.#meta, undefined)
    for (const rec of scan.records) replayRecord(tx, rec)
    tx.markClosed()
    return mergeDirty(undefined, tx, last.txid)
  }

  /** Runs `body` with the appends held (commits wait for it before writing). */
  async #gated(body: () => Promise<void>): Promise<void> {
    while (this.#checkpointing !== undefined) await this.#checkpointing.catch(() => {})
    const run = body()
    this.#checkpointing = run
    try {
      await run
    } finally {
      if (this.#checkpointing === run) this.#checkpointing = undefined
    }
  }

  async #syncJournal(journal: Journal): Promise<void> {
    try {
      await journal.sync()
    } catch (err) {
      throw ioError('sync of the journal before a checkpoint', err)
    }
  }

  /** The journal file other than `journal`, opened (and created) when first needed. */
  #otherJournal(journal: Journal): Journal {
    if (journal === this.#journals[1]) return this.#journals[0]!
    this.#journals[1] ??= this.#openJournal2!()
    return this.#journals[1]
  }

  /**
   * Replays the journal found at open (FORMAT.md §11: one part, or two when a background
   * checkpoint never became durable), then, when `writable`, checkpoints it and empties both
   * files. A record that does not apply ends the replay; it and what follows are reported in
   * `skipped`. Each record is replayed as the scan reads it (scanJournals' visitor) and then
   * dropped: recovery holds the replayed state and one record, not every record beside it (a
   * 250 MB journal of random puts: a view object per key and value, ~600 MB of heap at open).
   */
  async recover(files: readonly [FileHandle, FileHandle | undefined], meta: number, writable: boolean): Promise<void> {
    let replayed = 0
    let failed: string | undefined
    let after = 0
    const replay = (rec: DecodedRecord): void => {
      if (failed !== undefined) {
        after++
        return
      }
      const tx = this.newWriteTx()
      // No snapshot exists yet: the leaves of the commits replayed before are edited in place
      // (WriteTx.adopt) rather than copied by every record that touches them. Replaying 200
      // records of 10,000 random puts each took 39-45 s copying a page per leaf per record, most
      // of it the collector's (issue 9).
      tx.inPlace = true
      try {
        replayRecord(tx, rec)
      } catch (err) {
        // The record's edits of leaves published before it go back to those leaves' states now,
        // not at the next snapshot (Readers.beforeSnapshot, which would detach them too).
        tx.restoreAdopted()
        failed = `record of txid ${rec.txid} does not apply (${(err as Error).message})`
        if (!writable) this.#unappliedFrom = rec.txid
        return
      }
      tx.markClosed()
      this.#dirty = mergeDirty(this.#dirty, tx, rec.txid)
      this.#head = this.#dirty
      replayed++
    }
    const parts = scanJournals(files, meta, replay)
    for (const p of parts) {
      const scan = p.scan
      this.#journals[p.file]!.end = scan.end
      if (scan.stopped === undefined || scan.stale) continue
      this.skipped.push(
        `journal: ${p.file === 1 ? 'the second file: ' : ''}${scan.stopped}; ${scan.skippedBytes} bytes after byte ${scan.end} ignored`,
      )
      this.#tailLeft = !writable
    }
    if (failed !== undefined) this.skipped.push(`journal: ${failed}; it and the ${after} after it ignored`)
    this.#segments = parts
      .filter((p, i) => i === 0 || p.scan.count > 0)
      .map((p) => ({ journal: this.#journals[p.file]!, base: p.base }))
    const last = Math.max(0, ...parts.map((p) => p.scan.lastTxid ?? 0))
    for (const p of parts) {
      const n = Math.min(replayed, p.scan.count)
      this.#journals[p.file]!.records = n
      replayed -= n
    }
    if (last >= this.#nextTxid) {
      this.#nextTxid = last + 1
      this.#txidFloor = Math.max(this.#txidFloor, last + ERA_LIMIT + 1)
    }
    const empty = this.journalFiles.every((j) => j.file.size() === 0)
    if (!writable || (this.#dirty === undefined && empty)) return
    if (this.#dirty !== undefined) await this.checkpoint()
    // The journal starts empty, as after a close: a torn tail is not found again at the next open.
    for (const j of this.journalFiles) {
      j.restart()
      await j.release()
    }
    this.#segments = [{ journal: this.#journals[0]!, base: this.#meta.txid }]
  }

  /**
   * The next txid. No commit may share a txid with a commit lost to a crash: open's verification
   * tells pages apart by txid (FORMAT.md §8 rule 4).
   */
  #takeTxid(): number {
    if (this.#nextTxid < this.#txidFloor) this.#nextTxid = this.#txidFloor
    return this.#nextTxid++
  }

  #overBounds(journal: Journal): boolean {
    const dirty = this.#dirty
    return (
      dirty !== undefined &&
      this.#background === undefined &&
      (journal.end > this.#options.journalSize ||
        overDirtyBounds(dirty, this.pager.pageSize, this.#options.dirtySize, this.#heapBound))
    )
  }

  /**
   * A write transaction holding the dirty state as its own: the published nodes stay as they are
   * for the snapshots that read them, and the checkpoint rebalances and spills private copies.
   */
  #privateCopy(dirty: DirtyState, early: EarlyHandoff): WriteTx {
    // A writer editing nodes of this state in place gives them back as published first.
    this.#ctx.readers.beforeSnapshot?.()
    const tx = new WriteTx(this.#ctx, this.#meta, dirty)
    for (const [name, s] of dirty.buckets) {
      if (s === null) {
        tx.overlay.set(name, null)
        continue
      }
      const f = s.fork()
      if (f.root instanceof Node) f.root = early.cloneTree(f.root, tx.gen)
      tx.overlay.set(name, f)
    }
    return tx
  }

  /** The pages of checkpoint `txid` of `dirty`, written ahead or now (not yet installed). */
  async #writeCheckpoint(dirty: DirtyState, txid: number): Promise<CommitOutcome> {
    const early = await this.#takeEarly()
    // Rebalance may read a page written ahead (a neighbour of a leaf it merges), past the
    // checkpoint's high-water mark: the pager is to find it (install sets the mark for good).
    const highWater = this.pager.highWater
    if (early.pages.size > 0 || early.distrusted.length > 0)
      this.pager.highWater = Math.max(highWater, this.#freelist.highWater)
    try {
      return await this.#writePages(this.#privateCopy(dirty, early), txid, true, true, early)
    } catch (err) {
      // Distrusted, not merely given back: a writeback of the file that failed earlier (one of
      // #writeEarly's, through the other descriptor) is reported once to each description's next
      // sync, and this checkpoint's sync may have been the one told; the next sync would say
      // nothing, and a checkpoint naming those pages would name pages whose writes were lost
      // (Linux keeps such pages in its cache, marked clean). So the next checkpoint frees them and
      // writes their leaves itself, whatever the failure was.
      this.#early.giveBack(early)
      this.#early.distrust()
      this.pager.highWater = highWater
      throw err
    }
  }

  /** Writes `tx` as a commit of pages (tx/commit.ts, without the journal) and installs it. */
  async #commitPages(tx: WriteTx, durable: boolean): Promise<void> {
    durable = this.#mustSync(durable)
    const txid = this.#takeTxid()
    this.#install(await this.#writePages(tx, txid, durable, false), txid, durable)
  }

  /**
   * Writes `tx` as commit `txid` of pages (tx/commit.ts), not yet installed. A checkpoint syncs its
   * pages before its meta, which then names itself as durable (FORMAT.md §11).
   */
  async #writePages(
    tx: WriteTx,
    txid: number,
    durable: boolean,
    checkpoint: boolean,
    early?: EarlyHandoff,
  ): Promise<CommitOutcome> {
    this.#releasePending()
    this.#freelist.begin(txid)
    let outcome: CommitOutcome
    try {
      outcome = await writeCommit(this.#commitState(), tx, txid, durable, checkpoint, early)
    } catch (err) {
      this.#freelist.abort()
      if (err instanceof MetaInDoubtError) this.#metaInDoubt = err
      throw err
    }
    this.#freelist.end()
    return outcome
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

  /** What a commit of pages reads of the durable state (tx/commit.ts). */
  #commitState(): CommitState {
    return {
      file: this.#file,
      pager: this.pager,
      freelist: this.#freelist,
      reclaim: this.#reclaim,
      durableSlot: this.#durableSlot,
      durableTxid: this.#durableTxid,
      reclaimPerCommit: this.#options.reclaimPerCommit,
    }
  }

  /** base/shapes.ts: a commit's state and its pages' spill context, as a commit makes them (db/database-shapes.ts). */
  shapes(): object[] {
    return commitShapes(this.#commitState())
  }

  /** Makes a written commit of pages the newest state (no I/O). */
  #install(outcome: CommitOutcome, txid: number, durable: boolean): void {
    for (const [pgid, page] of outcome.written) this.pager.cacheWritten(pgid, page, outcome.indexes.get(pgid))
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
    const err = this.#metaInDoubt ?? this.#fatal
    if (err !== undefined)
      throw new BTreeError('BTREE_IO', `no more writes until the database is reopened: ${err.message}`, { cause: err })
  }
}

/** Whether `promise` fulfils (its rejection handled). */
function succeeds(promise: Promise<unknown>): Promise<boolean> {
  return promise.then(
    () => true,
    () => false,
  )
}
