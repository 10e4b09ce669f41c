import { BTreeError, BTreeTypeError, ioError } from './errors.js'
import type { FileHandle, FileSystem } from './io/file-handle.js'
import { nodeFileSystem } from './io/node-file.js'
import type { ReclaimEntry } from './page/freelist-page.js'
import { DEFAULT_PAGE_SIZE, maxInlineKeySize, maxKeySize } from './page/layout.js'
import { FORMAT_VERSION, type Meta } from './page/meta-page.js'
import type { BucketRecord } from './page/bucket-record.js'
import { lookupBucket } from './bucket/catalog.js'
import { FreeList } from './freelist/freelist.js'
import { FileLock } from './store/lock.js'
import { type OpenedStore, ERA_LIMIT, initializeFile, readStore } from './store/open-store.js'
import { defaultCacheSize } from './store/page-cache.js'
import type { Pager } from './store/pager.js'
import { runCheck } from './check.js'
import { collectStats } from './stats.js'
import { MetaInDoubtError, writeCommit } from './tx/commit.js'
import { ReadTx } from './tx/read-tx.js'
import { ReaderRegistry } from './tx/readers.js'
import type { TxHost } from './tx/tx-host.js'
import { WriteTx } from './tx/write-tx.js'
import { WriterQueue } from './tx/writer-queue.js'
import type { DirtyState } from './tx/dirty-state.js'
import { replayRecord } from './tx/replay.js'
import { type JournalScan, Journal, scanJournal } from './store/journal.js'
import { Node } from './tree/node.js'
import type {
  CheckResult,
  Durability,
  Info,
  OpenOptions,
  ReadTransaction,
  Stats,
  UpdateOptions,
  WriteTransaction,
} from './types.js'
import { bucketNameKey, describe, maxBucketNameSize, validateOpenOptions, validateUpdateOptions } from './validate.js'

/** FORMAT.md §11: a checkpoint runs once the journal passes this many bytes (option `journalSize`). */
const DEFAULT_JOURNAL_SIZE = 64 * 1024 * 1024
/**
 * ... or once the pages to write pass this many bytes (option `dirtySize`; at most half the cache).
 * A random fill of 1,000,000 keys (a 140 MiB tree) ran 2.4x faster with 256 MiB than with 64 MiB
 * (with 64 MiB a checkpoint came every ~16 batches and rewrote most leaves), for ~150 MiB more RSS.
 */
const DEFAULT_DIRTY_SIZE = 256 * 1024 * 1024

/**
 * An open database file. One writer at a time (`update` calls queue), any number of snapshot
 * readers that never wait for it. See the README for the API and FORMAT.md for the file.
 */
export class Database implements TxHost<WriteTx> {
  readonly path: string
  readonly pageSize: number
  /** The longest key: 65,536 bytes at every page size; longer than `maxInlineKeySize`, stored out of line (FORMAT.md §10). */
  readonly maxKeySize: number
  /** The longest key kept inside tree pages (FORMAT.md §4): 1004 bytes at 4096-byte pages. */
  readonly maxInlineKeySize: number
  /** The longest bucket name in UTF-8 bytes: its catalog record must stay inline (FORMAT.md §9). */
  readonly maxBucketNameSize: number
  readonly readOnly: boolean
  readonly pager: Pager
  readonly readers = new ReaderRegistry()
  readonly #file: FileHandle
  readonly #freelist: FreeList
  readonly #lock: FileLock | undefined
  readonly #durability: Durability
  readonly #strict: boolean
  readonly #reclaimPerCommit: number
  readonly #store: OpenedStore
  #meta: Meta
  #slot: 0 | 1
  #durableSlot: 0 | 1
  #durableTxid: number
  /** Set when a checkpoint's meta could neither be written nor undone (tx/commit.ts). */
  #metaInDoubt: MetaInDoubtError | undefined
  #reclaim: ReclaimEntry[]
  #nextTxid: number
  #txidFloor: number
  /** Commits attempted since the last durable one (FORMAT.md §8). */
  #era = 0
  /** FORMAT.md §11: the journal, unless opened with `journal: false` (or read-only without one). */
  readonly #journal: Journal | undefined
  /** The commits since the last checkpoint, published to readers; undefined when there are none. */
  #dirty: DirtyState | undefined
  readonly #journalLimit: number
  readonly #dirtyLimit: number
  /** What open skipped: a journal tail or a commit that failed verification (info(), check()). */
  readonly #skipped: string[] = []
  #closed = false
  #closing: Promise<void> | undefined
  readonly #writer = new WriterQueue({
    newWriteTx: () => new WriteTx(this, this.#meta, this.#dirty),
    commit: (tx, durable) => this.#commit(tx, durable),
    isClosed: () => this.#closed,
  })
  /** Bucket records of the newest commit by name (null: no such bucket); cleared by each commit. */
  readonly #buckets = new Map<string, BucketRecord | null>()

  private constructor(
    path: string,
    file: FileHandle,
    store: OpenedStore,
    lock: FileLock | undefined,
    options: OpenOptions,
    journal: Journal | undefined,
  ) {
    this.path = path
    this.#file = file
    this.#store = store
    this.pager = store.pager
    this.pageSize = store.pager.pageSize
    this.maxKeySize = maxKeySize(this.pageSize)
    this.maxInlineKeySize = maxInlineKeySize(this.pageSize)
    this.maxBucketNameSize = maxBucketNameSize(maxInlineKeySize(this.pageSize))
    this.readOnly = options.readOnly === true
    this.#lock = lock
    this.#durability = options.durability ?? 'full'
    this.#strict = options.strict === true
    this.#reclaimPerCommit = options.reclaimPerCommit ?? 1024
    this.#meta = store.meta
    this.#slot = store.slot
    this.#durableSlot = store.durableSlot
    this.#durableTxid = store.durableTxid
    this.#reclaim = store.reclaim
    this.#nextTxid = store.nextTxid
    this.#txidFloor = store.txidFloor
    this.#freelist = new FreeList(store.free, store.meta.highWater)
    this.#journal = journal
    for (const m of store.metas) {
      if (m.slot !== store.slot && m.valid && m.problem !== undefined && m.txid > store.meta.txid) {
        this.#skipped.push(`meta ${m.slot}: the newest commit, txid ${m.txid}, was skipped: ${m.problem}`)
      }
    }
    this.#journalLimit = options.journalSize ?? DEFAULT_JOURNAL_SIZE
    this.#dirtyLimit =
      options.dirtySize ?? Math.min(DEFAULT_DIRTY_SIZE, Math.max(this.pager.cache.limit / 2, 4 * 1024 * 1024))
  }

  /** Opens (or creates) the database file at `path`. */
  static async open(path: string, options: OpenOptions = {}): Promise<Database> {
    validateOpenOptions(path, options)
    const fsys: FileSystem = options.fileSystem ?? nodeFileSystem
    const readOnly = options.readOnly === true
    const lock = readOnly || options.lock === false ? undefined : FileLock.acquire(path)
    let file: FileHandle | undefined
    let journalFile: FileHandle | undefined
    try {
      try {
        file = fsys.open(path, { readOnly, create: !readOnly })
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code
        if (code === 'ENOENT') throw new BTreeError('BTREE_IO', `${path} does not exist`, { cause: err })
        throw new BTreeError('BTREE_IO', `cannot open ${path} (${code ?? 'error'})`, { cause: err })
      }
      const created = file.size() === 0
      if (created) {
        if (readOnly) throw new BTreeError('BTREE_NOT_A_DATABASE', `${path} is empty`)
        await initializeFile(file, options.pageSize ?? DEFAULT_PAGE_SIZE)
      }
      const store = readStore(file, options.cacheSize ?? defaultCacheSize(), !readOnly)
      if (created) store.txidFloor = 0
      if (!readOnly && store.meta.durableTxid < store.meta.txid) {
        // The newest meta names an older durable base (every meta does, FORMAT.md §8), so the
        // pages written since were just verified one by one; syncing makes this commit the durable
        // base that later commits may build on.
        await file.sync().catch((err: unknown) => {
          throw ioError('sync of the recovered commit', err)
        })
      }
      let journal: Journal | undefined
      let scan: JournalScan | undefined
      const jpath = `${path}-journal`
      if (options.journal !== false && (!readOnly || fsys.exists(jpath))) {
        try {
          journalFile = fsys.open(jpath, { readOnly, create: !readOnly })
        } catch (err) {
          throw ioError(`opening the journal ${jpath}`, err)
        }
        // A new database file makes any journal at its path stale (left by a database deleted
        // without it): its records could name this file's first checkpoint txid.
        if (created && journalFile.size() > 0) {
          await journalFile.truncate(0).catch((err: unknown) => {
            throw ioError(`emptying the stale journal ${jpath}`, err)
          })
        }
        scan = scanJournal(journalFile, store.meta.txid)
        journal = new Journal(journalFile, scan.end, 0)
      }
      const db = new Database(path, file, store, lock, options, journal)
      if (scan !== undefined) await db.#recover(scan)
      return db
    } catch (err) {
      if (journalFile !== undefined) await journalFile.close().catch(() => {})
      if (file !== undefined) await file.close().catch(() => {})
      lock?.release()
      throw err
    }
  }

  /** The commit new readers see. */
  get txid(): number {
    return this.#dirty?.txid ?? this.#meta.txid
  }

  get closed(): boolean {
    return this.#closed
  }

  assertOpen(): void {
    if (this.#closed) throw new BTreeError('BTREE_CLOSED', 'the database is closed')
  }

  /** New work is refused from the moment close() is called; work already queued still runs. */
  #assertAcceptingWork(): void {
    if (this.#closed || this.#closing !== undefined) throw new BTreeError('BTREE_CLOSED', 'the database is closed')
  }

  /**
   * Runs `fn` in a write transaction and commits it. Calls queue (never fail for being busy);
   * callbacks that queue together share one commit and one fsync (group commit), each isolated by
   * a savepoint so that one that throws is undone alone. A throwing callback rejects its promise and
   * leaves nothing behind.
   */
  update<T>(fn: (tx: WriteTransaction) => T | Promise<T>, options?: UpdateOptions): Promise<Awaited<T>> {
    if (typeof fn !== 'function')
      return Promise.reject(new BTreeTypeError(`update needs a function, got ${describe(fn)}`))
    try {
      this.#assertAcceptingWork()
      this.#assertWritable()
      validateUpdateOptions(options)
    } catch (err) {
      return Promise.reject(err)
    }
    return this.#writer.update(fn as (tx: WriteTx) => unknown, options?.durability ?? this.#durability) as Promise<
      Awaited<T>
    >
  }

  /** Runs `fn` on a snapshot of the newest commit, synchronously, and releases the snapshot. */
  view<T>(fn: (tx: ReadTransaction) => T): T {
    if (typeof fn !== 'function') throw new BTreeTypeError(`view needs a function, got ${describe(fn)}`)
    this.#assertAcceptingWork()
    const tx = new ReadTx(this, this.#meta, this.#dirty, true)
    try {
      return fn(tx)
    } finally {
      tx.close()
    }
  }

  /**
   * A read-only snapshot (close it when done), or with `{ writable: true }` the write transaction
   * when the writer is free (BTREE_BUSY otherwise; `beginWrite()` waits instead).
   */
  begin(options?: { writable?: false }): ReadTransaction
  begin(options: { writable: true }): WriteTransaction
  begin(options?: { writable?: boolean }): ReadTransaction | WriteTransaction
  begin(options: { writable?: boolean } = {}): ReadTransaction | WriteTransaction {
    if (typeof options !== 'object' || options === null) throw new BTreeTypeError('begin options must be an object')
    this.#assertAcceptingWork()
    if (options.writable !== true) return new ReadTx(this, this.#meta, this.#dirty)
    this.#assertWritable()
    return this.#writer.beginNow()
  }

  /** The write transaction, once the writer is free. Commit or roll it back to let others write. */
  beginWrite(): Promise<WriteTransaction> {
    try {
      this.#assertAcceptingWork()
      this.#assertWritable()
    } catch (err) {
      return Promise.reject(err)
    }
    return this.#writer.beginWrite(this.#durability)
  }

  commitExplicit(tx: WriteTx, durability: Durability | undefined): Promise<void> {
    return this.#writer.commitExplicit(tx, (durability ?? this.#durability) === 'full')
  }

  endWrite(tx: WriteTx): void {
    this.#writer.release(tx)
  }

  /** Verifies every invariant of the file (check.ts). O(pages). */
  check(): CheckResult {
    this.assertOpen()
    const result = runCheck({
      file: this.#file,
      pager: this.pager,
      meta: this.#meta,
      slot: this.#slot,
      freelist: this.#freelist.view(),
      freelistError: this.#store.freelistError,
      reclaim: this.#reclaim,
    })
    const journalProblems = this.#checkJournal()
    if (journalProblems.length > 0) {
      result.errors.push(...journalProblems.map((message) => ({ pageId: undefined, message })))
      result.ok = false
    }
    result.warnings = this.#skipped.map((message) => ({ pageId: undefined, message }))
    return result
  }

  /**
   * check() of the journal (FORMAT.md §11): read again from disk, it holds exactly the records of
   * the commits since the checkpoint, each whole and passing its checksum, and replaying them over
   * the checkpoint gives the state readers see, bucket by bucket and entry by entry.
   */
  #checkJournal(): string[] {
    const journal = this.#journal
    if (journal === undefined) return []
    const problems: string[] = []
    let scan: JournalScan
    try {
      scan = scanJournal(journal.file, this.#meta.txid)
    } catch (err) {
      return [`journal: ${(err as Error).message}`]
    }
    if (scan.end !== journal.end || scan.records.length !== journal.records) {
      problems.push(
        `journal: ${scan.records.length} valid records in ${scan.end} bytes on disk, ${journal.records} commits in ${journal.end} bytes in memory${scan.stopped !== undefined ? ` (${scan.stopped})` : ''}`,
      )
      return problems
    }
    const last = scan.records.at(-1)
    if ((last?.txid ?? this.#meta.txid) !== this.txid)
      problems.push(`journal: its last record is txid ${last?.txid}, the newest commit ${this.txid}`)
    let replayed: DirtyState | undefined
    try {
      for (const rec of scan.records) {
        const tx = new WriteTx(this, this.#meta, replayed)
        replayRecord(tx, rec)
        tx.markClosed()
        replayed = mergeDirty(replayed, tx, rec.txid)
      }
    } catch (err) {
      problems.push(`journal: replay failed: ${(err as Error).message}`)
      return problems
    }
    const a = new ReadTx(this, this.#meta, replayed, true)
    const b = new ReadTx(this, this.#meta, this.#dirty, true)
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

  stats(): Stats {
    this.assertOpen()
    const view = this.#freelist.view()
    return collectStats(this.pager, this.#meta, {
      fileSize: this.#file.size(),
      freePages: view.free.length,
      pendingPages: view.pending.length,
      reclaim: this.#reclaim,
    })
  }

  info(): Info {
    this.assertOpen()
    const metas = this.#store.metas.map((m) => ({ ...m }))
    metas[this.#slot] = { slot: this.#slot, valid: true, txid: this.#meta.txid, problem: undefined }
    return {
      path: this.path,
      formatVersion: FORMAT_VERSION,
      pageSize: this.pageSize,
      txid: this.txid,
      fileSize: this.#file.size(),
      highWater: this.#meta.highWater,
      metas,
      activeMeta: this.#slot,
      checkpointTxid: this.#meta.txid,
      journal:
        this.#journal === undefined
          ? undefined
          : { path: `${this.path}-journal`, bytes: this.#journal.end, records: this.#journal.records },
      skipped: [...this.#skipped],
    }
  }

  lookupBucket(meta: Meta, name: string): BucketRecord | undefined {
    if (meta !== this.#meta) return lookupBucket(this.pager, meta.catalog, bucketNameKey(name, this.maxBucketNameSize))
    // Snapshots of the newest commit (one per db.view, say) share its catalog lookups; a name found
    // here was validated when it was first looked up.
    let rec = this.#buckets.get(name)
    if (rec === undefined) {
      rec = lookupBucket(this.pager, meta.catalog, bucketNameKey(name, this.maxBucketNameSize)) ?? null
      if (this.#buckets.size >= 1024) this.#buckets.clear()
      this.#buckets.set(name, rec)
    }
    return rec ?? undefined
  }

  /** Waits for queued updates and the commit in flight, then closes the file and the lock. */
  close(): Promise<void> {
    if (this.#closing !== undefined) return this.#closing
    this.#closing = (async () => {
      await this.#writer.drain()
      let failure: unknown
      if (this.#dirty !== undefined && !this.readOnly) {
        // Close leaves nothing in the journal: a clean file opens without a replay.
        try {
          await this.#checkpointNow()
        } catch (err) {
          failure = err
        }
      }
      this.#closed = true
      try {
        // An empty journal gives its allocated space back (store/journal.ts).
        if (failure === undefined && !this.readOnly) await this.#journal?.release()
        await this.#journal?.file.close()
        await this.#file.close()
        if (failure !== undefined) throw failure
      } finally {
        this.#lock?.release()
      }
    })()
    return this.#closing
  }

  #assertWritable(): void {
    if (this.readOnly) throw new BTreeError('BTREE_TX_READONLY', 'the database is open read-only')
  }

  /**
   * Writes a checkpoint now (FORMAT.md §11): every commit in the journal goes to pages, and the
   * journal starts over. Waits for the writer; a no-op when the journal holds nothing.
   */
  async checkpoint(): Promise<void> {
    this.#assertAcceptingWork()
    this.#assertWritable()
    const tx = await this.#writer.beginWrite(this.#durability)
    try {
      await this.#checkpointNow()
      // Asked for, a checkpoint also gives the journal's allocated space back (store/journal.ts).
      await this.#journal?.release()
    } finally {
      tx.close()
    }
  }

  /** Commits `tx` and publishes it to new readers: to the journal, or as pages (no journal). */
  async #commit(tx: WriteTx, durable: boolean): Promise<void> {
    if (this.#closed) throw new BTreeError('BTREE_CLOSED', 'the database is closed')
    this.#assertNoMetaInDoubt()
    if (this.#journal !== undefined) return this.#commitToJournal(this.#journal, tx, durable)
    await this.#commitPages(tx, durable)
    this.#strictCheck(this.#meta.txid)
  }

  /**
   * FORMAT.md §11, a commit: one record appended to the journal (and with 'full', one fdatasync),
   * then the transaction's nodes become the published dirty state. A checkpoint follows when the
   * journal or the dirty pages pass their bounds.
   */
  async #commitToJournal(journal: Journal, tx: WriteTx, durable: boolean): Promise<void> {
    if (this.#nextTxid < this.#txidFloor) this.#nextTxid = this.#txidFloor
    const txid = this.#nextTxid++
    const record = tx.record.seal(this.#meta.txid, txid)
    try {
      await journal.append(record.buffers, record.length, durable)
    } catch (err) {
      throw ioError(`journal append of commit ${txid}`, err)
    }
    this.#publishDirty(tx, txid)
    if (journal.end > this.#journalLimit || this.#dirty!.pages * this.pageSize > this.#dirtyLimit) {
      // The commit is in the journal already: a failed checkpoint does not fail it (the next
      // commit, or close, tries again).
      // (A failed checkpoint's I/O error would only repeat in a strict check; it is skipped then.)
      if (
        !(await this.#checkpointNow().then(
          () => true,
          () => false,
        ))
      )
        return
    }
    this.#strictCheck(txid)
  }

  /** Makes `tx`'s buckets the published state of commit `txid` (no I/O). */
  #publishDirty(tx: WriteTx, txid: number): void {
    this.#dirty = mergeDirty(this.#dirty, tx, txid)
  }

  /**
   * FORMAT.md §11, a checkpoint, holding the writer: (1) sync the journal, so that every txid the
   * checkpoint follows is on disk before any page it writes (rule 4 of §8); (2) write the dirty
   * state as one commit of pages (tx/commit.ts: rebalance, spill, reclaim, free list; sync; then
   * the meta, durable by itself; sync); (3) restart the journal. A crash before the meta's sync
   * completes leaves the previous meta (or a torn new one) and the whole journal; after it, the
   * journal's records follow an older checkpoint and are ignored. The journal is restarted only
   * once the meta is synced: open never verifies a checkpoint meta, so it never falls back past
   * the records it discards.
   */
  async #checkpointNow(): Promise<void> {
    const dirty = this.#dirty
    const journal = this.#journal
    if (dirty === undefined || journal === undefined) return
    this.#assertNoMetaInDoubt()
    try {
      await journal.sync()
    } catch (err) {
      throw ioError('sync of the journal before a checkpoint', err)
    }
    const tx = new WriteTx(this, this.#meta, dirty)
    // The published nodes stay as they are for the snapshots that read them: the checkpoint
    // rebalances and spills private copies.
    for (const [name, s] of dirty.buckets) {
      if (s === null) {
        tx.overlay.set(name, null)
        continue
      }
      const f = s.fork()
      if (f.root instanceof Node) f.root = f.root.cloneTree(tx.gen)
      tx.overlay.set(name, f)
    }
    await this.#commitPages(tx, true, true)
    this.#dirty = undefined
    journal.restart()
    this.#strictCheck(this.#meta.txid)
  }

  /** Replays the journal found at open (FORMAT.md §11), then, when writable, checkpoints it. */
  async #recover(scan: JournalScan): Promise<void> {
    if (scan.stopped !== undefined && !scan.stale)
      this.#skipped.push(`journal: ${scan.stopped}; ${scan.skippedBytes} bytes after byte ${scan.end} ignored`)
    for (const rec of scan.records) {
      const tx = new WriteTx(this, this.#meta, this.#dirty)
      try {
        replayRecord(tx, rec)
      } catch (err) {
        this.#skipped.push(
          `journal: record of txid ${rec.txid} does not apply (${(err as Error).message}); it and the ${scan.records.length - scan.records.indexOf(rec) - 1} after it ignored`,
        )
        break
      }
      tx.markClosed()
      this.#publishDirty(tx, rec.txid)
      this.#journal!.records++
    }
    const last = scan.records.at(-1)?.txid ?? 0
    if (last >= this.#nextTxid) {
      this.#nextTxid = last + 1
      this.#txidFloor = Math.max(this.#txidFloor, last + ERA_LIMIT + 1)
    }
    if (!this.readOnly && (this.#dirty !== undefined || this.#journal!.end > 0 || scan.skippedBytes > 0)) {
      if (this.#dirty !== undefined) await this.#checkpointNow()
      // The journal starts empty, as after a close: a torn tail is not found again at the next open.
      this.#journal!.restart()
      await this.#journal!.release()
    }
  }

  /**
   * Writes `tx` as a commit of pages (tx/commit.ts) and publishes it to new readers. A checkpoint
   * syncs its pages before its meta, which then names itself as durable (FORMAT.md §11).
   */
  async #commitPages(tx: WriteTx, durable: boolean, checkpoint = false): Promise<void> {
    // A run of commits without a sync ends after ERA_LIMIT commits, or once the pages it holds back
    // (rule 1 of FORMAT.md §8) pass an eighth of the file, so 'none' cannot grow the file unboundedly.
    if (++this.#era >= ERA_LIMIT || this.#freelist.pendingCount > Math.max(256, this.#freelist.highWater / 8))
      durable = true
    // No commit may share a txid with a commit lost to a crash: open's verification tells pages
    // apart by txid (FORMAT.md §8 rule 4).
    if (this.#nextTxid < this.#txidFloor) this.#nextTxid = this.#txidFloor
    const txid = this.#nextTxid++
    // Pages freed by commit t become reusable once every reader sees t or later and a commit at or
    // after t is durable (freelist.ts).
    // A released page can no longer be read by anyone: its cached copy would only crowd out live
    // pages (after a random fill, most of what the cache held was such dead copies).
    for (const pgid of this.#freelist.release(Math.min(this.readers.oldest(), this.#durableTxid)))
      this.pager.cache.delete(pgid)
    this.#freelist.begin(txid)
    let outcome
    try {
      outcome = await writeCommit(
        {
          file: this.#file,
          pager: this.pager,
          freelist: this.#freelist,
          reclaim: this.#reclaim,
          durableSlot: this.#durableSlot,
          durableTxid: this.#durableTxid,
          reclaimPerCommit: this.#reclaimPerCommit,
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

  #strictCheck(txid: number): void {
    if (this.#strict) {
      const result = this.check()
      if (!result.ok) {
        throw new BTreeError(
          'BTREE_INVARIANT',
          `strict check after commit ${txid}: ${result.errors.map((e) => e.message).join('; ')}`,
        )
      }
    }
  }
}

/** The dirty state after `tx`, committed as `txid`, on top of `prev`. */
function mergeDirty(prev: DirtyState | undefined, tx: WriteTx, txid: number): DirtyState {
  const buckets = new Map(prev?.buckets ?? [])
  for (const [name, s] of tx.overlay) if (s === null || s.dirty) buckets.set(name, s)
  return { txid, buckets, dropped: tx.dropped, pages: (prev?.pages ?? 0) + tx.loaded }
}

/** Opens (or creates) a database file. */
export function open(path: string, options?: OpenOptions): Promise<Database> {
  return Database.open(path, options)
}
