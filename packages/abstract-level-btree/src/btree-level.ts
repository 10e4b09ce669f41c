import {
  AbstractLevel,
  type AbstractBatchOperation,
  type AbstractBatchOptions,
  type AbstractChainedBatch,
  type AbstractClearOptions,
  type AbstractDatabaseOptions,
  type AbstractDelOptions,
  type AbstractOpenOptions,
  type AbstractPutOptions,
} from 'abstract-level'
import { Database, open as openEngine } from 'btree-store'
import { fromBytes, ownBytes, type KeyFormat } from './bytes.js'
import { plainBytes, plainFormat, type PlainFormat } from './direct-write.js'
import { copiedOps, directWrites } from './direct-batch.js'
import { BTreeLevelError, LevelTypeError, toLevelError } from './errors.js'
import { BTreeIterator, BTreeKeyIterator, BTreeValueIterator, type IteratorOptions } from './iterator.js'
import { destroyLocation, prepareLocation, removeDatabaseFiles, unmakeLocation } from './location.js'
import { LevelStore } from './level-store.js'
import { byteWrites, ownWrites } from './owned-writes.js'
import { approximateSize, getProperty } from './maintenance.js'
import { repairLocation } from './repair.js'
import { rangeOf, type RangeOptions } from './routing/bucket-range.js'
import { BTreeSnapshot } from './snapshot.js'
import { BTreeSublevel } from './sublevel.js'

/** The engine's options that pass through (see btree-store's README). */
export interface BTreeEngineOptions {
  /** Page size of a new file: a power of two from 1024 to 65536 (default 4096). */
  pageSize?: number
  /** Bytes of pages the engine keeps in memory (default 64 MiB). */
  cacheSize?: number
  /** Open without the write lock; every write fails with LEVEL_READONLY. */
  readOnly?: boolean
}

export interface BTreeLevelOptions<K, V>
  extends AbstractDatabaseOptions<K, V>, Omit<AbstractOpenOptions, 'passive'>, BTreeEngineOptions {
  /**
   * An engine database that is already open: the Level data lives in its buckets beside any
   * others (`location` is then only a label). The BTreeLevel never closes it.
   */
  database?: Database
  /** The prefix of the engine buckets this database uses (default `'level'`). */
  namespace?: string
}

/**
 * `sync: true` makes the write's commit durable (fdatasync) before its promise resolves; the
 * default, as in classic-level, commits without a sync (survives a process crash, may be lost on
 * power loss, never corrupts).
 */
export interface SyncOptions {
  sync?: boolean
}

/** Options of `approximateSize` and `compactRange`. */
export interface StartEndOptions<K> {
  keyEncoding?: string | object | K
}

/** What abstract-level passes to the private read methods. */
interface ReadOptions {
  keyEncoding: KeyFormat
  valueEncoding: KeyFormat
  snapshot?: BTreeSnapshot
}

interface WriteOptions {
  sync?: boolean
}

interface PrivateOp extends WriteOptions {
  type: 'put' | 'del'
  key: string | Uint8Array
  value?: string | Uint8Array
}

interface ClearOptions extends RangeOptions {
  limit: number
  reverse: boolean
  snapshot?: BTreeSnapshot
  sync?: boolean
}

interface OpenOptions {
  createIfMissing?: boolean
  errorIfExists?: boolean
}

const MANIFEST = {
  seek: true,
  implicitSnapshots: true,
  explicitSnapshots: true,
  permanence: true,
  createIfMissing: true,
  errorIfExists: true,
  has: true,
  getSync: true,
  encodings: { buffer: true, view: true, utf8: true },
  additionalMethods: { approximateSize: true, compactRange: true, getProperty: true },
  signals: { iterators: true },
}

const durability = (options: WriteOptions | undefined): 'full' | 'none' => (options?.sync === true ? 'full' : 'none')

/** The `sync` option, typed on the write methods (declaration merging adds these overloads). */
export interface BTreeLevel<KDefault = string, VDefault = string> {
  put(key: KDefault, value: VDefault): Promise<void>
  put<K = KDefault, V = VDefault>(key: K, value: V, options: AbstractPutOptions<K, V> & SyncOptions): Promise<void>
  del(key: KDefault): Promise<void>
  del<K = KDefault>(key: K, options: AbstractDelOptions<K> & SyncOptions): Promise<void>
  clear(): Promise<void>
  clear<K = KDefault>(options: AbstractClearOptions<K> & SyncOptions): Promise<void>
}

/**
 * An abstract-level 3 database on btree-store: `new BTreeLevel(location)` where an app had
 * `new ClassicLevel(location)`. Reads answer synchronously from the engine's snapshots (never the
 * thread pool); writes made in the same tick share one engine commit; sublevels keep their entries
 * in buckets of their own. See the README for the mapping, durability and limits.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- the interface above adds overload types only
export class BTreeLevel<KDefault = string, VDefault = string> extends AbstractLevel<
  string | Buffer | Uint8Array,
  KDefault,
  VDefault
> {
  readonly #location: string
  readonly #store: LevelStore
  readonly #engineOptions: BTreeEngineOptions
  readonly #shared: Database | undefined
  /** Whether this instance opened (and so closes) the engine database. */
  #owned = false
  /** Whether the default key and value encodings hand bytes on as they are (directWrites). */
  readonly #bytesAsIs: boolean
  /** What the default key and value encodings make of the data put() and del() may take directly. */
  readonly #keyFormat: PlainFormat | undefined
  readonly #valueFormat: PlainFormat | undefined

  constructor(location: string, options: BTreeLevelOptions<KDefault, VDefault> = {}) {
    const { database, namespace, pageSize, cacheSize, readOnly, ...forward } = options
    if (database === undefined && (typeof location !== 'string' || location === '')) {
      throw new LevelTypeError("The first argument 'location' must be a non-empty string")
    }
    if (database !== undefined && !(database instanceof Database)) {
      throw new LevelTypeError("The 'database' option must be an open btree-store Database")
    }
    if (namespace !== undefined && (typeof namespace !== 'string' || namespace === '')) {
      throw new LevelTypeError("The 'namespace' option must be a non-empty string")
    }
    super(MANIFEST, forward)
    this.#location = location
    this.#shared = database
    this.#engineOptions = { pageSize, cacheSize, readOnly }
    this.#store = new LevelStore(this, namespace ?? 'level')
    const asIs = (e: unknown): boolean => e === this.keyEncoding('buffer') || e === this.keyEncoding('view')
    this.#bytesAsIs = asIs(this.keyEncoding()) && asIs(this.valueEncoding())
    this.#keyFormat = plainFormat(this, this.keyEncoding())
    this.#valueFormat = plainFormat(this, this.valueEncoding())
  }

  /** The location passed to the constructor (a directory holding `data.btree`). */
  get location(): string {
    return this.#location
  }

  /** The engine database, while open: for `check()`, `stats()` and buckets of your own. */
  get engine(): Database {
    return this.#store.engine
  }

  async _open(options: OpenOptions): Promise<void> {
    if (this.#shared !== undefined) {
      if (this.#shared.closed)
        throw new BTreeLevelError('LEVEL_DATABASE_NOT_OPEN', 'the shared engine database is closed')
      this.#store.attach(this.#shared)
      return
    }
    const { pageSize, cacheSize, readOnly } = this.#engineOptions
    const { file, created, made } = await prepareLocation(this.#location, {
      createIfMissing: options.createIfMissing !== false,
      errorIfExists: options.errorIfExists === true,
      readOnly: readOnly === true,
    })
    try {
      const engine = await openEngine(file, { pageSize, cacheSize, readOnly, durability: 'none' })
      try {
        this.#store.attach(engine)
      } catch (err) {
        // A namespace too long for this file's bucket names. A file this open created holds no
        // data: removed while the engine still holds its lock, so no other open can be using it.
        if (created) await removeDatabaseFiles(file).catch(() => {})
        await engine.close()
        throw err
      }
      this.#owned = true
    } catch (err) {
      await unmakeLocation(this.#location, made)
      throw toLevelError(err)
    }
  }

  async _close(): Promise<void> {
    await this.#store.settled()
    if (!this.#owned) {
      this.#store.detach()
      return
    }
    const engine = this.#store.engine
    this.#store.detach()
    this.#owned = false
    try {
      await engine.close()
    } catch (err) {
      throw toLevelError(err)
    }
  }

  // The one-shot reads answer synchronously (abstract-level awaits what they return): a settled
  // promise made here costs less than an async function's.
  _get(key: string | Uint8Array, options: ReadOptions): Promise<string | Uint8Array | undefined> {
    try {
      const value = this.#store.getOne(options.snapshot, key)
      return Promise.resolve(value === undefined ? undefined : fromBytes(value, options.valueEncoding))
    } catch (err) {
      return Promise.reject(err)
    }
  }

  _getSync(key: string | Uint8Array, options: ReadOptions): string | Uint8Array | undefined {
    const value = this.#store.getOne(options.snapshot, key)
    return value === undefined ? undefined : fromBytes(value, options.valueEncoding)
  }

  _getMany(keys: Array<string | Uint8Array>, options: ReadOptions): Promise<Array<string | Uint8Array | undefined>> {
    try {
      return Promise.resolve(this.#store.getMany(options.snapshot, keys, options.valueEncoding))
    } catch (err) {
      return Promise.reject(err)
    }
  }

  async _has(key: string | Uint8Array, options: ReadOptions): Promise<boolean> {
    const store = this.#store
    return store.read(options.snapshot, (state) => store.has(state, key))
  }

  async _hasMany(keys: Array<string | Uint8Array>, options: ReadOptions): Promise<boolean[]> {
    const store = this.#store
    return store.read(options.snapshot, (state) => keys.map((key) => store.has(state, key)))
  }

  /**
   * abstract-level's `put()`, with a shortcut for the common call: a key and value that the
   * database's default encodings hand on unchanged (bytes with `buffer` or `view`, strings with
   * `utf8`), options without encodings, the database open, and no prewrite hook or `write`
   * listener to see the write. Then the put is queued in the engine at once (LevelStore.writeOne):
   * no async function, options object, encoding lookup or operation array on the way, and the same
   * commit, durability and errors as through abstract-level. Anything else goes through it.
   */
  override put(...args: [key: unknown, value: unknown, options?: unknown]): Promise<void> {
    const [key, value, options] = args
    if (this.#writesDirectly(options)) {
      const k = plainBytes(key, this.#keyFormat)
      const v = k === undefined ? undefined : plainBytes(value, this.#valueFormat)
      if (v !== undefined) return this.#store.writeOne(k!, v, durability(options as WriteOptions | undefined))
    }
    return (super.put as (...a: unknown[]) => Promise<void>).apply(this, args)
  }

  /** abstract-level's `del()`, with put()'s shortcut. */
  override del(...args: [key: unknown, options?: unknown]): Promise<void> {
    const [key, options] = args
    if (this.#writesDirectly(options)) {
      const k = plainBytes(key, this.#keyFormat)
      if (k !== undefined) return this.#store.writeOne(k, undefined, durability(options as WriteOptions | undefined))
    }
    return (super.del as (...a: unknown[]) => Promise<void>).apply(this, args)
  }

  /**
   * Whether a put or del with `options` may skip abstract-level: options that name no encoding
   * (abstract-level reads any other options value as none), the database open, and nothing that
   * would see the write (a prewrite hook, a `write` listener).
   */
  #writesDirectly(options: unknown): boolean {
    if (typeof options === 'object' && options !== null) {
      const o = options as { keyEncoding?: unknown; valueEncoding?: unknown }
      if (o.keyEncoding !== undefined || o.valueEncoding !== undefined) return false
    }
    return (
      this.status === 'open' &&
      (this.hooks.prewrite as unknown as { noop: boolean }).noop &&
      this.listenerCount('write') === 0
    )
  }

  async _put(key: string | Uint8Array, value: string | Uint8Array, options: WriteOptions): Promise<void> {
    return this.#store.writeOne(ownBytes(key), ownBytes(value), durability(options))
  }

  async _del(key: string | Uint8Array, options: WriteOptions): Promise<void> {
    return this.#store.writeOne(ownBytes(key), undefined, durability(options))
  }

  override batch(operations: Array<AbstractBatchOperation<typeof this, KDefault, VDefault>>): Promise<void>
  override batch<K = KDefault, V = VDefault>(
    operations: Array<AbstractBatchOperation<typeof this, K, V>>,
    options: AbstractBatchOptions<K, V>,
  ): Promise<void>
  override batch(): AbstractChainedBatch<typeof this, KDefault, VDefault>
  /**
   * abstract-level's `batch()`, with a shortcut for an array of byte keys and values on a database
   * of `buffer` or `view` encodings, while no prewrite hook or `write` listener is there to see the
   * operations (directWrites): they go to `_batch`'s work as they are, validated, with what
   * abstract-level would have made of them. Anything else goes through abstract-level.
   */
  override batch(
    ...args: [operations?: unknown, options?: unknown]
  ): Promise<void> | AbstractChainedBatch<typeof this, KDefault, VDefault> {
    const [operations, options] = args
    const ops =
      args.length > 0 &&
      this.#bytesAsIs &&
      this.status === 'open' &&
      (this.hooks.prewrite as unknown as { noop: boolean }).noop &&
      this.listenerCount('write') === 0
        ? directWrites(operations, options)
        : undefined
    if (ops === undefined) return (super.batch as (...a: unknown[]) => Promise<void>).apply(this, args)
    try {
      const d = durability(options as WriteOptions | undefined)
      if (d === 'none') {
        const now = this.#store.writeNow(ops, d)
        if (now !== undefined) return now
      }
      return this.#store.write(ownWrites(copiedOps(ops)), d)
    } catch (err) {
      return Promise.reject(toLevelError(err))
    }
  }

  async _batch(operations: PrivateOp[], options: WriteOptions): Promise<void> {
    const d = durability(options)
    // A batch without sync applies now when the writer is free (no copy of its bytes); a durable
    // one queues, so that it shares a group commit and its sync with the writes queued beside it.
    if (d === 'none') {
      const now = this.#store.writeNow(byteWrites(operations), d)
      if (now !== undefined) return now
    }
    return this.#store.write(ownWrites(operations), d)
  }

  async _clear(options: ClearOptions): Promise<void> {
    const request = {
      range: rangeOf(options),
      limit: options.limit,
      reverse: options.reverse,
      snapshot: options.snapshot,
    }
    return this.#store.clear(request, durability(options))
  }

  _iterator(options: IteratorOptions & { snapshot?: BTreeSnapshot }): BTreeIterator {
    return new BTreeIterator(this, options, this.#store.openRead(options.snapshot))
  }

  _keys(options: IteratorOptions & { snapshot?: BTreeSnapshot }): BTreeKeyIterator {
    return new BTreeKeyIterator(this, options, this.#store.openRead(options.snapshot))
  }

  _values(options: IteratorOptions & { snapshot?: BTreeSnapshot }): BTreeValueIterator {
    return new BTreeValueIterator(this, options, this.#store.openRead(options.snapshot))
  }

  _snapshot(options: object): BTreeSnapshot {
    const state = this.#store.openSnapshot()
    return new BTreeSnapshot(options, state.tx, state.registry)
  }

  _sublevel(name: string | string[], options: object): BTreeSublevel {
    return new BTreeSublevel(this, name, options)
  }

  /**
   * The bytes the entries in `[start, end)` take (keys and values, before page overhead), summed
   * over the buckets the range reaches. Exact, and O(entries in the range).
   */
  async approximateSize(start: KDefault, end: KDefault, options?: StartEndOptions<KDefault>): Promise<number> {
    await this.#whenOpen()
    const encoding = (
      options?.keyEncoding === undefined ? this.keyEncoding() : this.keyEncoding(options.keyEncoding as 'utf8')
    ) as {
      encode(data: unknown): string | Uint8Array
    }
    const range = rangeOf({ gte: encoding.encode(start), lt: encoding.encode(end) })
    return this.#store.read(undefined, (state) => approximateSize(state, range))
  }

  /**
   * Resolves once the writes issued before it are committed and checkpointed: the engine's journal
   * (FORMAT.md §11 of the engine) is written into the tree's pages, as LevelDB's compaction moves
   * its log into tables. A copy-on-write B+tree has nothing to compact per range: freed pages are
   * reused by later commits (the file itself is compacted offline with `btree-store compact`).
   */
  async compactRange(start: KDefault, end: KDefault, options?: StartEndOptions<KDefault>): Promise<void> {
    void start
    void end
    void options
    await this.#whenOpen()
    await this.#store.settled()
    await this.#store.engine.checkpoint()
  }

  /**
   * Engine figures as strings, like classic-level's LevelDB properties: `btree.stats` (JSON of
   * `db.stats()`), `btree.info` (JSON of `db.info()`), `btree.txid`, `btree.check` (JSON of
   * `db.check()`, O(pages)). An unknown name gives the empty string.
   */
  getProperty(property: string): string {
    if (typeof property !== 'string') throw new LevelTypeError("The first argument 'property' must be a string")
    if (this.status !== 'open') throw new BTreeLevelError('LEVEL_DATABASE_NOT_OPEN', 'Database is not open')
    return getProperty(this.#store.engine, property)
  }

  /** Removes the database at `location` (its file; the directory too when nothing else is in it). */
  static async destroy(location: string): Promise<void> {
    if (typeof location !== 'string' || location === '')
      throw new LevelTypeError("The first argument 'location' must be a non-empty string")
    await destroyLocation(location)
  }

  /**
   * Checks the database at `location`; if the check finds problems, rebuilds the file from every
   * entry that can still be read (the damaged file is kept beside it as `data.btree.damaged`).
   */
  static async repair(location: string): Promise<void> {
    if (typeof location !== 'string' || location === '')
      throw new LevelTypeError("The first argument 'location' must be a non-empty string")
    await repairLocation(location)
  }

  async #whenOpen(): Promise<void> {
    if (this.status === 'opening')
      await new Promise<void>((resolve, reject) =>
        this.defer(() => (this.status === 'open' ? resolve() : reject(notOpen()))),
      )
    if (this.status !== 'open') throw notOpen()
  }
}

function notOpen(): BTreeLevelError {
  return new BTreeLevelError('LEVEL_DATABASE_NOT_OPEN', 'Database is not open')
}
