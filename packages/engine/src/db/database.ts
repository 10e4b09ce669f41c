import { BTreeError, BTreeTypeError, closedError, ioError } from '../base/errors.js'
import type {
  CheckResult,
  Durability,
  Info,
  OpenOptions,
  ReadTransaction,
  Stats,
  UpdateOptions,
  WriteTransaction,
} from '../base/types.js'
import { keepShapes } from '../base/shapes.js'
import { describe, validateUpdateOptions } from '../base/validate.js'
import type { FileHandle, FileSystem } from '../io/file-handle.js'
import { nodeFileSystem } from '../io/node-file.js'
import { maxBucketNameSize } from '../page/bucket-record.js'
import { DEFAULT_PAGE_SIZE, maxInlineKeySize, maxKeySize } from '../page/layout.js'
import { FORMAT_VERSION } from '../page/meta-page.js'
import { Journal, journalPaths } from '../store/journal.js'
import { FileLock } from '../store/lock.js'
import { type OpenedStore, initializeFile, readStore } from '../store/open-store.js'
import { defaultCacheSize } from '../store/page-cache.js'
import { ReadTx } from '../tx/read-tx.js'
import type { WriteTx } from '../tx/write-tx.js'
import { WriterQueue } from '../tx/writer-queue.js'
import { checkJournal } from '../inspect/check-journal.js'
import { runCheck } from '../inspect/check.js'
import { collectStats } from '../inspect/stats.js'
import { JOURNAL_STREAM, defaultDirtySize, defaultJournalSize } from './checkpoint-policy.js'
import { Committer } from './committer.js'
import { DatabaseHooks, ExplicitTxEnd } from './database-hooks.js'
import { databaseShapes } from './database-shapes.js'
import { validateOpenOptions } from './open-options.js'

/**
 * An open database file. One writer at a time (`update` calls queue), any number of snapshot
 * readers that never wait for it. See the README for the API and FORMAT.md for the file. The
 * durable state and every write to the file belong to its Committer (committer.ts); transactions
 * reach the database only through the narrow TxContext and WriteTxEnd it hands them.
 */
export class Database {
  readonly path: string
  readonly pageSize: number
  /** The longest key: 65,536 bytes at every page size; longer than `maxInlineKeySize`, stored out of line (FORMAT.md §10). */
  readonly maxKeySize: number
  /** The longest key kept inside tree pages (FORMAT.md §4): 1004 bytes at 4096-byte pages. */
  readonly maxInlineKeySize: number
  /** The longest bucket name in UTF-8 bytes: its catalog record must stay inline (FORMAT.md §9). */
  readonly maxBucketNameSize: number
  readonly readOnly: boolean
  readonly #file: FileHandle
  readonly #lock: FileLock | undefined
  readonly #durability: Durability
  readonly #store: OpenedStore
  readonly #committer: Committer
  /** What transactions read through (tx/tx-context.ts) and the writer queue commits through. */
  readonly #ctx: DatabaseHooks
  /** How explicit write transactions commit and end: through the writer queue. */
  readonly #end: ExplicitTxEnd
  #closing: Promise<void> | undefined
  readonly #writer: WriterQueue
  /**
   * base/shapes.ts while the database is open: instances of its transactions' classes, made as
   * close() makes them and kept by this database (so they go with it if it is dropped unclosed).
   * Made again at the 1st, 8th, 64th ... 32,768th transaction begun, then every 65,536th
   * (#noteTransaction), so that they have the maps as the first commits leave them.
   */
  #shapes: object[] | undefined
  #transactions = 0
  #nextShapes = 1

  private constructor(
    path: string,
    file: FileHandle,
    store: OpenedStore,
    lock: FileLock | undefined,
    options: OpenOptions,
    journals: [Journal | undefined, Journal | undefined],
    openJournal2: (() => Journal) | undefined,
  ) {
    this.path = path
    this.#file = file
    this.#store = store
    const pager = store.pager
    this.pageSize = pager.pageSize
    this.maxKeySize = maxKeySize(this.pageSize)
    this.maxInlineKeySize = maxInlineKeySize(this.pageSize)
    this.maxBucketNameSize = maxBucketNameSize(maxInlineKeySize(this.pageSize))
    this.readOnly = options.readOnly === true
    this.#lock = lock
    this.#durability = options.durability ?? 'full'
    this.#ctx = new DatabaseHooks(pager, this.pageSize, this.maxKeySize, this.maxBucketNameSize)
    this.#writer = new WriterQueue(this.#ctx)
    this.#end = new ExplicitTxEnd(this.#writer, this.#durability)
    this.#committer = new Committer(file, store, journals, openJournal2, this.#ctx, {
      reclaimPerCommit: options.reclaimPerCommit ?? 1024,
      journalSize: options.journalSize ?? defaultJournalSize(),
      dirtySize: options.dirtySize ?? defaultDirtySize(pager.cache.limit),
      afterCommit: options.strict === true ? (txid) => this.#strictCheck(txid) : undefined,
      inlineSync: options.inlineSync ?? true,
      journalStream: options.journalStream ?? JOURNAL_STREAM,
    })
    this.#ctx.attach(this.#committer, this.#end)
  }

  /**
   * Opens (or creates) the database file at `path`, in named steps: (1) the lock; (2) the file,
   * initialized when new (FORMAT.md §3); (3) its newest verified commit (store/open-store.ts), made
   * durable; (4) the journal, scanned (FORMAT.md §11); (5) its records replayed over the checkpoint
   * and, when writable, checkpointed (Committer.recover). On failure everything opened is closed.
   */
  static async open(path: string, options: OpenOptions = {}): Promise<Database> {
    validateOpenOptions(path, options)
    const fsys: FileSystem = options.fileSystem ?? nodeFileSystem
    const readOnly = options.readOnly === true
    const lock = readOnly || options.lock === false ? undefined : FileLock.acquire(path)
    let file: FileHandle | undefined
    const journalFiles: FileHandle[] = []
    try {
      file = openDataFile(fsys, path, readOnly)
      const created = file.size() === 0
      if (created) {
        if (readOnly) throw new BTreeError('BTREE_NOT_A_DATABASE', `${path} is empty`)
        await initializeFile(file, options.pageSize ?? DEFAULT_PAGE_SIZE)
      }
      const store = readStore(file, options.cacheSize ?? defaultCacheSize(), !readOnly, path)
      if (created) store.txidFloor = 0
      if (!readOnly) await syncRecoveredCommit(file, store)
      // FORMAT.md §11: `<path>-journal`, and `<path>-journal2` once a checkpoint has run in the
      // background (opened here when it exists, else when first needed).
      const jpaths = journalPaths(path)
      if (options.journal !== false && (!readOnly || fsys.exists(jpaths[0])))
        journalFiles.push(await openJournalFile(fsys, jpaths[0], readOnly, created))
      if (journalFiles.length > 0 && fsys.exists(jpaths[1]))
        journalFiles.push(await openJournalFile(fsys, jpaths[1], readOnly, created))
      // Where each journal file's records end is set by the scan in recover() below.
      const journals: [Journal | undefined, Journal | undefined] = [undefined, undefined]
      for (const [i, f] of journalFiles.entries()) journals[i] = new Journal(f, 0, 0)
      const openJournal2 = readOnly
        ? undefined
        : () => {
            const f = fsys.open(jpaths[1], { readOnly: false, create: true })
            journalFiles.push(f)
            return new Journal(f, 0, 0)
          }
      const db = new Database(path, file, store, lock, options, journals, openJournal2)
      if (journalFiles.length > 0)
        await db.#committer.recover([journalFiles[0]!, journalFiles[1]], store.meta.txid, !readOnly)
      return db
    } catch (err) {
      for (const f of journalFiles) await f.close().catch(() => {})
      if (file !== undefined) await file.close().catch(() => {})
      lock?.release()
      throw err
    }
  }

  /** The commit new readers see. */
  get txid(): number {
    return this.#committer.txid
  }

  get closed(): boolean {
    return this.#ctx.closed
  }

  /** The durability of a commit that names none (the `durability` open option; 'full' by default). */
  get durability(): Durability {
    return this.#durability
  }

  #assertOpen(): void {
    this.#ctx.assertOpen()
  }

  /**
   * Counts a transaction begun, and at the 1st, 8th, 64th ... 32,768th (then every 65,536th) makes
   * this database's shapes again (base/shapes.ts). The classes of transactions, bucket handles and
   * cursors have instances only while those are in use: between two bursts of work none is left,
   * and a few full collections later V8 collected their maps and threw away the code it optimized
   * for them (`--trace-deopt`: "weak objects"), the write path's and the cursors' included; each
   * burst then ran on unoptimized code again (a loop of bursts of 10,000 puts and a scan of 20,000
   * entries, four full collections between bursts: 20–57 ms a burst against 9–18 without the
   * collections; 10–25 ms with the shapes kept). Made again as the first transactions widen their
   * classes' fields, so that they have the maps the later ones get. O(1); making them takes
   * 0.1–0.4 ms, six times in a database's first 32,768 transactions.
   */
  #noteTransaction(): void {
    if (++this.#transactions < this.#nextShapes) return
    this.#nextShapes = this.#nextShapes < 32768 ? this.#nextShapes * 8 : this.#nextShapes + 65536
    const shapes = databaseShapes(this.#ctx, this.#committer, this.#end)
    if (shapes !== undefined) this.#shapes = shapes
  }

  /** New work is refused from the moment close() is called; work already queued still runs. */
  #assertAcceptingWork(): void {
    if (this.#ctx.closed || this.#closing !== undefined) throw closedError()
  }

  /**
   * Runs `fn` in a write transaction and commits it. Calls queue (never fail for being busy);
   * callbacks that queue together share one commit, one fsync and one transaction object (group
   * commit); one that throws is undone alone (tx/writer-queue.ts), rejects its promise and leaves
   * nothing behind.
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
    this.#noteTransaction()
    return this.#writer.update(fn as (tx: WriteTx) => unknown, options?.durability ?? this.#durability) as Promise<
      Awaited<T>
    >
  }

  /** Runs `fn` on a snapshot of the newest commit, synchronously, and releases the snapshot. */
  view<T>(fn: (tx: ReadTransaction) => T): T {
    if (typeof fn !== 'function') throw new BTreeTypeError(`view needs a function, got ${describe(fn)}`)
    this.#assertAcceptingWork()
    this.#noteTransaction()
    const tx = new ReadTx(this.#ctx, this.#committer.meta, this.#committer.dirty, true)
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
    this.#noteTransaction()
    if (options.writable !== true) return new ReadTx(this.#ctx, this.#committer.meta, this.#committer.dirty)
    this.#assertWritable()
    return this.#writer.beginNow(this.#durability === 'full')
  }

  /**
   * The write transaction now when the writer is free, else undefined: `begin({ writable: true })`
   * without the BTREE_BUSY error, for a caller that otherwise queues its writes with `update()`.
   * The writer is taken while a write transaction is open, updates are queued or running, or a
   * commit is in flight. O(1).
   */
  tryBegin(): WriteTransaction | undefined {
    this.#assertAcceptingWork()
    this.#assertWritable()
    this.#noteTransaction()
    return this.#writer.busy ? undefined : this.#writer.beginNow(this.#durability === 'full')
  }

  /** The write transaction, once the writer is free. Commit or roll it back to let others write. */
  beginWrite(): Promise<WriteTransaction> {
    try {
      this.#assertAcceptingWork()
      this.#assertWritable()
    } catch (err) {
      return Promise.reject(err)
    }
    this.#noteTransaction()
    return this.#writer.beginWrite(this.#durability)
  }

  /** Verifies every invariant of the file (inspect/check.ts) and of the journal. O(pages). */
  check(): CheckResult {
    this.#assertOpen()
    // A write transaction editing the newest state in place gives it back as published first.
    this.#ctx.readers.beforeSnapshot?.()
    const c = this.#committer
    const result = runCheck({ file: this.#file, pager: c.pager, meta: c.meta, slot: c.slot, ...c.freeState })
    const journalProblems =
      c.journal === undefined
        ? []
        : // Against every commit written to the journal, the ones whose sync still runs included.
          checkJournal({
            parts: c.journalParts,
            checkpoint: c.meta,
            txid: c.head?.txid ?? c.meta.txid,
            dirty: c.head,
            ctx: this.#ctx,
            tailSkipped: c.tailLeft,
            unappliedFrom: c.unappliedFrom,
          })
    if (journalProblems.length > 0) {
      result.errors.push(...journalProblems.map((message) => ({ pageId: undefined, message })))
      result.ok = false
    }
    result.warnings = c.skipped.map((message) => ({ pageId: undefined, message }))
    return result
  }

  stats(): Stats {
    this.#assertOpen()
    const c = this.#committer
    const { freelist, reclaim } = c.freeState
    return collectStats(c.pager, c.meta, {
      fileSize: this.#file.size(),
      freePages: freelist.free.length,
      pendingPages: freelist.pending.length,
      reclaim,
    })
  }

  info(): Info {
    this.#assertOpen()
    const c = this.#committer
    const metas = this.#store.metas.map((m) => ({ ...m }))
    metas[c.slot] = { slot: c.slot, valid: true, txid: c.meta.txid, problem: undefined }
    const journal = c.journal
    const parts = c.journalParts
    const readers = this.#ctx.readers
    const oldest = readers.oldest()
    return {
      path: this.path,
      formatVersion: FORMAT_VERSION,
      pageSize: this.pageSize,
      txid: c.txid,
      fileSize: this.#file.size(),
      highWater: c.meta.highWater,
      metas,
      activeMeta: c.slot,
      checkpointTxid: c.meta.txid,
      journal:
        journal === undefined
          ? undefined
          : {
              path: `${this.path}-journal${journal === c.journalFiles[1] ? '2' : ''}`,
              bytes: parts.reduce((n, p) => n + p.journal.end, 0),
              records: parts.reduce((n, p) => n + p.journal.records, 0),
            },
      skipped: [...c.skipped],
      readers: { open: readers.size, oldestTxid: oldest === Infinity ? undefined : oldest },
    }
  }

  /** Waits for queued updates and the commit in flight, then closes the file and the lock. */
  close(): Promise<void> {
    if (this.#closing !== undefined) return this.#closing
    this.#closing = (async () => {
      await this.#writer.drain()
      let failure: unknown
      if (this.#committer.dirty !== undefined && !this.readOnly) {
        // Close leaves nothing in the journal: a clean file opens without a replay.
        try {
          await this.#committer.checkpoint()
        } catch (err) {
          failure = err
        }
      }
      // base/shapes.ts: made while the database is open, kept once it is closed (they hold no commit:
      // Committer.newShapeTx); the ones made last while it was open (#noteTransaction) when these
      // cannot be made (a read-only database).
      const shapes = databaseShapes(this.#ctx, this.#committer, this.#end) ?? this.#shapes
      this.#shapes = undefined
      this.#ctx.closed = true
      // A sync of leaves written ahead may still run when the checkpoint failed (or found nothing).
      await this.#committer.earlyFlushed()
      try {
        // An empty journal gives its allocated space back (store/journal.ts).
        for (const j of this.#committer.journalFiles) {
          if (failure === undefined && !this.readOnly) await j.release()
          await j.file.close()
        }
        await this.#file.close()
        if (failure !== undefined) throw failure
        // base/shapes.ts: this database's classes, and its transactions', keep their maps until the
        // next database closes.
        if (shapes !== undefined) keepShapes('db/database', [this, ...shapes])
      } finally {
        // A closed database holds no pages, whoever keeps a reference to it.
        this.#store.pager.cache.clear()
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
      await this.#committer.checkpoint()
      // Asked for, a checkpoint also gives the journal's allocated space back (store/journal.ts),
      // in the background: the next append waits for it.
      for (const j of this.#committer.journalFiles) j.startRelease()
    } finally {
      tx.close()
    }
  }

  /**
   * Resolves once the commits begun are durable (or failed) and published, and no checkpoint runs:
   * one that a commit started in the background included. Starts nothing and never rejects for
   * what it waited for (those commits' and checkpoints' own promises report their failures).
   */
  async settled(): Promise<void> {
    this.#assertOpen()
    await this.#committer.idle()
  }

  #strictCheck(txid: number): void {
    const result = this.check()
    if (!result.ok) {
      throw new BTreeError(
        'BTREE_INVARIANT',
        `strict check after commit ${txid}: ${result.errors.map((e) => e.message).join('; ')}`,
      )
    }
  }
}

/** Step 2 of open: the database file, with a coded error when it cannot be opened. */
function openDataFile(fsys: FileSystem, path: string, readOnly: boolean): FileHandle {
  try {
    return fsys.open(path, { readOnly, create: !readOnly })
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT') throw new BTreeError('BTREE_IO', `${path} does not exist`, { cause: err })
    throw new BTreeError('BTREE_IO', `cannot open ${path} (${code ?? 'error'})`, { cause: err })
  }
}

/**
 * Step 3 of open, writable: a newest meta that names an older durable base (every meta does,
 * FORMAT.md §8) had the pages written since verified one by one; syncing makes its commit the
 * durable base that later commits may build on.
 */
async function syncRecoveredCommit(file: FileHandle, store: OpenedStore): Promise<void> {
  if (store.meta.durableTxid >= store.meta.txid) return
  await file.sync().catch((err: unknown) => {
    throw ioError('sync of the recovered commit', err)
  })
}

/** Step 4 of open: the journal file (FORMAT.md §11), emptied when the database file is new. */
async function openJournalFile(
  fsys: FileSystem,
  jpath: string,
  readOnly: boolean,
  created: boolean,
): Promise<FileHandle> {
  let journalFile: FileHandle
  try {
    journalFile = fsys.open(jpath, { readOnly, create: !readOnly })
  } catch (err) {
    throw ioError(`opening the journal ${jpath}`, err)
  }
  // A new database file makes any journal at its path stale (left by a database deleted without
  // it): its records could name this file's first checkpoint txid.
  if (created && journalFile.size() > 0) {
    await journalFile.truncate(0).catch(async (err: unknown) => {
      await journalFile.close().catch(() => {})
      throw ioError(`emptying the stale journal ${jpath}`, err)
    })
  }
  return journalFile
}

/** Opens (or creates) a database file. */
export function open(path: string, options?: OpenOptions): Promise<Database> {
  return Database.open(path, options)
}
