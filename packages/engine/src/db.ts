import { BTreeError, BTreeTypeError, ioError } from './errors.js'
import type { FileHandle, FileSystem } from './io/file-handle.js'
import { nodeFileSystem } from './io/node-file.js'
import type { ReclaimEntry } from './page/freelist-page.js'
import { DEFAULT_PAGE_SIZE, maxInlineKeySize, maxKeySize } from './page/layout.js'
import { FORMAT_VERSION, type Meta } from './page/meta-page.js'
import type { BucketRecord } from './bucket/bucket-record.js'
import { lookupBucket } from './bucket/catalog.js'
import { FreeList } from './freelist/freelist.js'
import { FileLock } from './store/lock.js'
import { type OpenedStore, ERA_LIMIT, initializeFile, readStore } from './store/open-store.js'
import type { Pager } from './store/pager.js'
import { runCheck } from './check.js'
import { collectStats } from './stats.js'
import { writeCommit } from './tx/commit.js'
import { ReadTx } from './tx/read-tx.js'
import { ReaderRegistry } from './tx/readers.js'
import type { TxHost } from './tx/tx-host.js'
import { WriteTx } from './tx/write-tx.js'
import { WriterQueue } from './tx/writer-queue.js'
import type { CheckResult, Durability, Info, OpenOptions, ReadTransaction, Stats, UpdateOptions, WriteTransaction } from './types.js'
import { bucketNameKey, describe, maxBucketNameSize, validateOpenOptions, validateUpdateOptions } from './validate.js'

const DEFAULT_CACHE = 64 * 1024 * 1024
/**
 * An open database file. One writer at a time (`update` calls queue), any number of snapshot
 * readers that never wait for it. See the README for the API and FORMAT.md for the file.
 */
export class Database implements TxHost {
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
  #reclaim: ReclaimEntry[]
  #nextTxid: number
  #txidFloor: number
  /** Commits attempted since the last durable one (FORMAT.md §8). */
  #era = 0
  #closed = false
  #closing: Promise<void> | undefined
  readonly #writer = new WriterQueue({
    newWriteTx: () => new WriteTx(this, this.#meta),
    commit: (tx, durable) => this.#commit(tx, durable),
    isClosed: () => this.#closed,
  })
  /** Bucket records of the newest commit by name (null: no such bucket); cleared by each commit. */
  readonly #buckets = new Map<string, BucketRecord | null>()

  private constructor(path: string, file: FileHandle, store: OpenedStore, lock: FileLock | undefined, options: OpenOptions) {
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
  }

  /** Opens (or creates) the database file at `path`. */
  static async open(path: string, options: OpenOptions = {}): Promise<Database> {
    validateOpenOptions(path, options)
    const fsys: FileSystem = options.fileSystem ?? nodeFileSystem
    const readOnly = options.readOnly === true
    const lock = readOnly || options.lock === false ? undefined : FileLock.acquire(path)
    let file: FileHandle | undefined
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
      const store = readStore(file, options.cacheSize ?? DEFAULT_CACHE, !readOnly)
      if (created) store.txidFloor = 0
      if (!readOnly && store.meta.durableTxid < store.meta.txid) {
        // The newest meta names an older durable base (every meta does, FORMAT.md §8), so the
        // pages written since were just verified one by one; syncing makes this commit the durable
        // base that later commits may build on.
        await file.sync().catch((err: unknown) => {
          throw ioError('sync of the recovered commit', err)
        })
      }
      return new Database(path, file, store, lock, options)
    } catch (err) {
      if (file !== undefined) await file.close().catch(() => {})
      lock?.release()
      throw err
    }
  }

  /** The commit new readers see. */
  get txid(): number {
    return this.#meta.txid
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
    if (typeof fn !== 'function') return Promise.reject(new BTreeTypeError(`update needs a function, got ${describe(fn)}`))
    try {
      this.#assertAcceptingWork()
      this.#assertWritable()
      validateUpdateOptions(options)
    } catch (err) {
      return Promise.reject(err)
    }
    return this.#writer.update(fn as (tx: WriteTx) => unknown, options?.durability ?? this.#durability) as Promise<Awaited<T>>
  }

  /** Runs `fn` on a snapshot of the newest commit, synchronously, and releases the snapshot. */
  view<T>(fn: (tx: ReadTransaction) => T): T {
    if (typeof fn !== 'function') throw new BTreeTypeError(`view needs a function, got ${describe(fn)}`)
    this.#assertAcceptingWork()
    const tx = new ReadTx(this, this.#meta, true)
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
    if (options.writable !== true) return new ReadTx(this, this.#meta)
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
    return runCheck({
      file: this.#file,
      pager: this.pager,
      meta: this.#meta,
      slot: this.#slot,
      freelist: this.#freelist.view(),
      freelistError: this.#store.freelistError,
      reclaim: this.#reclaim,
    })
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
      txid: this.#meta.txid,
      fileSize: this.#file.size(),
      highWater: this.#meta.highWater,
      metas,
      activeMeta: this.#slot,
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
      this.#closed = true
      try {
        await this.#file.close()
      } finally {
        this.#lock?.release()
      }
    })()
    return this.#closing
  }

  #assertWritable(): void {
    if (this.readOnly) throw new BTreeError('BTREE_TX_READONLY', 'the database is open read-only')
  }

  /** Commits `tx` (tx/commit.ts) and publishes it to new readers. */
  async #commit(tx: WriteTx, durable: boolean): Promise<void> {
    if (this.#closed) throw new BTreeError('BTREE_CLOSED', 'the database is closed')
    // A run of commits without a sync ends after ERA_LIMIT commits, or once the pages it holds back
    // (rule 1 of FORMAT.md §8) pass an eighth of the file, so 'none' cannot grow the file unboundedly.
    if (++this.#era >= ERA_LIMIT || this.#freelist.pendingCount > Math.max(256, this.#freelist.highWater / 8)) durable = true
    // No commit may share a txid with a commit lost to a crash: open's verification tells pages
    // apart by txid (FORMAT.md §8 rule 4).
    if (this.#nextTxid < this.#txidFloor) this.#nextTxid = this.#txidFloor
    const txid = this.#nextTxid++
    // Pages freed by commit t become reusable once every reader sees t or later and a commit at or
    // after t is durable (freelist.ts).
    // A released page can no longer be read by anyone: its cached copy would only crowd out live
    // pages (after a random fill, most of what the cache held was such dead copies).
    for (const pgid of this.#freelist.release(Math.min(this.readers.oldest(), this.#durableTxid))) this.pager.cache.delete(pgid)
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
      )
    } catch (err) {
      this.#freelist.abort()
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
    if (this.#strict) {
      const result = this.check()
      if (!result.ok) {
        throw new BTreeError('BTREE_INVARIANT', `strict check after commit ${txid}: ${result.errors.map((e) => e.message).join('; ')}`)
      }
    }
  }
}

/** Opens (or creates) a database file. */
export function open(path: string, options?: OpenOptions): Promise<Database> {
  return Database.open(path, options)
}
