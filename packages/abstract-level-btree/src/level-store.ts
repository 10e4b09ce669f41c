import type { Database, Durability, ReadTransaction, UpdateOptions, WriteTransaction } from 'btree-store'
import { copy, fromBytes, toBytes, type KeyFormat } from './bytes.js'
import { BTreeLevelError, LevelRangeError, toLevelError } from './errors.js'
import { BucketSource } from './read/bucket-source.js'
import { MergedCursor } from './read/merged-cursor.js'
import type { ReadState } from './read/read-state.js'
import { BucketNames } from './routing/bucket-names.js'
import { isFull, localRange, type KeyRange } from './routing/bucket-range.js'
import { RegistryCache, type PrefixRegistry } from './routing/prefix-registry.js'
import { PrefixTrie } from './routing/prefix-trie.js'
import { type KeyWrite, WriteRouter } from './routing/write-router.js'
import type { BTreeSnapshot } from './snapshot.js'

/** A write as the root receives it: the full key (every sublevel prefix included), encoded. */
export type WriteOp = KeyWrite

export interface ClearRequest {
  readonly range: KeyRange
  readonly limit: number
  readonly reverse: boolean
  readonly snapshot: BTreeSnapshot | undefined
}

const stores = new WeakMap<object, LevelStore>()

/** The engine's update and commit options, made once (not an object per write). */
const FULL: UpdateOptions = { durability: 'full' }
const NONE: UpdateOptions = { durability: 'none' }

function updateOptions(durability: Durability): UpdateOptions {
  return durability === 'full' ? FULL : NONE
}

function notOpen(): BTreeLevelError {
  return new BTreeLevelError('LEVEL_DATABASE_NOT_OPEN', 'the database is not open')
}

/** The store of a root database (sublevels find their root's through this). */
export function storeOf(root: object): LevelStore | undefined {
  return stores.get(root)
}

/**
 * Everything a BTreeLevel keeps beside abstract-level's state: the engine database, where each
 * key lives (the prefix registry and the sublevels declared in this process), and the writes in
 * flight. All keys here are full keys: sublevels reach the root with their prefixes applied.
 */
export class LevelStore {
  readonly names: BucketNames
  readonly registry: RegistryCache
  #engine: Database | undefined
  readonly #declared = new PrefixTrie<Uint8Array>()
  /** Writes queued whose promises have not settled. */
  #inFlight = 0
  /** Resolves settled() once #inFlight drops to zero. */
  #whenIdle: (() => void) | undefined
  #idle: Promise<void> | undefined
  /**
   * The snapshot of the newest commit that one-shot reads (get, getMany, has, ...) and iterators
   * share until the next commit: it saves each read and each iterator a snapshot of its own.
   * Retired when a write of ours settles (a commit made it stale) and at close, and released once
   * the iterators holding it are closed too, so it never holds freed pages back for long; a commit
   * made by another user of a shared engine database is noticed at the next read.
   */
  #newest: SharedRead | undefined
  /** The router each write binds to its transaction (routing/write-router.ts: why one for good). */
  readonly #writer: WriteRouter

  constructor(owner: object, namespace: string) {
    this.names = new BucketNames(namespace)
    this.registry = new RegistryCache(this.names)
    this.#writer = new WriteRouter(this.registry, this.names, this.#declared)
    stores.set(owner, this)
  }

  get engine(): Database {
    if (this.#engine === undefined) throw notOpen()
    return this.#engine
  }

  /** Takes `engine` for the reads and writes; refuses it when the namespace's names do not fit. */
  attach(engine: Database): void {
    const longest = this.names.longestNameBytes
    if (longest > engine.maxBucketNameSize) {
      throw new LevelRangeError(
        `The 'namespace' option is too long: its bucket names take up to ${longest} bytes, ` +
          `over the engine's limit of ${engine.maxBucketNameSize} (maxBucketNameSize)`,
      )
    }
    this.#engine = engine
    this.registry.reset()
  }

  detach(): void {
    this.#dropNewest()
    this.#engine = undefined
  }

  #dropNewest(): void {
    this.#newest?.retire()
    this.#newest = undefined
  }

  #newestState(): SharedRead {
    const engine = this.engine
    let state = this.#newest
    if (state === undefined || state.tx.txid !== engine.txid) {
      state?.retire()
      const tx = engine.begin()
      state = new SharedRead(tx, this.registry.forSnapshot(tx))
      this.#newest = state
    }
    return state
  }

  /** A sublevel exists with this prefix: its keys get a bucket of their own at their first put. */
  declare(prefix: string): void {
    const bytes = Buffer.from(prefix, 'utf8')
    if (this.#declared.get(bytes) === undefined) this.#declared.set(bytes, bytes)
  }

  /** Reads with `snapshot`, or an implicit snapshot of the newest commit taken now. */
  read<T>(snapshot: BTreeSnapshot | undefined, fn: (state: ReadState) => T): T {
    try {
      if (snapshot !== undefined) return fn(snapshot.state)
      return fn(this.#newestState())
    } catch (err) {
      throw toLevelError(err)
    }
  }

  /**
   * A snapshot for a reader that outlives this call (an iterator), released by its `release()`,
   * called once: the explicit snapshot's, or a hold on the shared snapshot of the newest commit.
   */
  openRead(snapshot: BTreeSnapshot | undefined): ReadState {
    if (snapshot !== undefined) return snapshot.state
    try {
      const state = this.#newestState()
      state.hold()
      return state
    } catch (err) {
      throw toLevelError(err)
    }
  }

  /** An engine snapshot of the newest commit of its own (an explicit snapshot closes it). */
  openSnapshot(): ReadState {
    try {
      const tx = this.engine.begin()
      return { tx, registry: this.registry.forSnapshot(tx), release: () => tx.close() }
    } catch (err) {
      throw toLevelError(err)
    }
  }

  get(state: ReadState, key: string | Uint8Array): Buffer | undefined {
    const bytes = toBytes(key)
    const route = state.registry.route(bytes)
    const local = route.prefix.byteLength === 0 ? bytes : bytes.subarray(route.prefix.byteLength)
    return state.tx.bucket(route.bucket)?.get(local) as Buffer | undefined
  }

  /** `get` with `snapshot` or the shared snapshot of the newest commit: no closure per read. */
  getOne(snapshot: BTreeSnapshot | undefined, key: string | Uint8Array): Buffer | undefined {
    try {
      return this.get(snapshot === undefined ? this.#newestState() : snapshot.state, key)
    } catch (err) {
      throw toLevelError(err)
    }
  }

  /** The values of `keys` in `format`, all read from one snapshot. */
  getMany(
    snapshot: BTreeSnapshot | undefined,
    keys: ReadonlyArray<string | Uint8Array>,
    format: KeyFormat,
  ): Array<string | Uint8Array | undefined> {
    try {
      const state = snapshot === undefined ? this.#newestState() : snapshot.state
      const out = new Array<string | Uint8Array | undefined>(keys.length)
      for (let i = 0; i < keys.length; i++) {
        const value = this.get(state, keys[i]!)
        out[i] = value === undefined ? undefined : fromBytes(value, format)
      }
      return out
    } catch (err) {
      throw toLevelError(err)
    }
  }

  has(state: ReadState, key: string | Uint8Array): boolean {
    const bytes = toBytes(key)
    const route = state.registry.route(bytes)
    return state.tx.bucket(route.bucket)?.has(bytes.subarray(route.prefix.byteLength)) ?? false
  }

  /** Queues the writes in one engine update: updates queued in the same turn share one commit. */
  write(ops: readonly WriteOp[], durability: Durability): Promise<void> {
    return this.#queue((tx) => {
      const router = this.#router(tx)
      try {
        router.apply(ops)
      } finally {
        router.release()
      }
    }, durability)
  }

  /**
   * One put (with `value`) or del (without): write() without an array, an operation object and the
   * loop over them. `key` and `value` must be the store's own (copies): they are read when the
   * group runs.
   */
  writeOne(key: Uint8Array, value: Uint8Array | undefined, durability: Durability): Promise<void> {
    return this.#queue((tx) => {
      const router = this.#router(tx)
      try {
        if (value === undefined) router.delete(key)
        else router.put(key, value)
      } finally {
        router.release()
      }
    }, durability)
  }

  /**
   * `apply` queued as an engine update of its own, which the updates queued in the same turn share
   * (one commit). Rejects with LEVEL_DATABASE_NOT_OPEN, never throws, when the store is detached.
   */
  #queue(apply: (tx: WriteTransaction) => void, durability: Durability): Promise<void> {
    const engine = this.#engine
    if (engine === undefined) return Promise.reject(notOpen())
    return this.#track(engine.update(apply, updateOptions(durability)))
  }

  /**
   * The store's router bound to `tx`; the caller releases it once the write's ops are applied. A
   * router of its own should that one still be bound (a write inside another's: none is known).
   */
  #router(tx: WriteTransaction): WriteRouter {
    const router = this.#writer.bound ? new WriteRouter(this.registry, this.names, this.#declared) : this.#writer
    return router.bind(tx)
  }

  /**
   * write(), with the writes applied before it returns, when the engine's writer is free: the
   * engine copies every key and value it is given into its journal record as it applies them, so
   * the caller's bytes need no copy of their own (ownWrites: a copy and two views per put, ~10% of
   * a random batch's CPU). Undefined when the writer is taken (a commit or an explicit transaction
   * in progress, or updates queued: the engine's tryBegin): the caller then copies and queues with
   * write(), behind them.
   */
  writeNow(ops: readonly WriteOp[], durability: Durability): Promise<void> | undefined {
    const engine = this.#engine
    if (engine === undefined) return Promise.reject(notOpen())
    let tx: WriteTransaction | undefined
    try {
      tx = engine.tryBegin()
    } catch (err) {
      return Promise.reject(toLevelError(err))
    }
    if (tx === undefined) return undefined
    const router = this.#router(tx)
    try {
      router.apply(ops)
    } catch (err) {
      tx.rollback()
      return Promise.reject(toLevelError(err))
    } finally {
      router.release()
    }
    return this.#track(tx.commit(updateOptions(durability)))
  }

  /**
   * Deletes the entries of a range. Without a limit or snapshot, a bucket the range covers whole
   * (a sublevel's, when the sublevel or an ancestor is cleared) is dropped and made again empty:
   * O(1) however many entries it held. Other buckets delete key by key within the range.
   */
  clear(request: ClearRequest, durability: Durability): Promise<void> {
    return this.#queue((tx) => {
      const router = this.#router(tx)
      try {
        if (request.limit === -1 && request.snapshot === undefined) this.#clearBuckets(tx, router, request.range)
        else this.#clearInOrder(tx, router, request)
      } finally {
        router.release()
      }
    }, durability)
  }

  #clearBuckets(tx: WriteTransaction, router: WriteRouter, range: KeyRange): void {
    for (const route of router.registry.routesFor(range)) {
      const local = localRange(range, route.prefix)
      if (local === undefined) continue
      const bucket = tx.bucket(route.bucket)
      if (bucket === undefined || bucket.size === 0) continue
      if (isFull(local)) {
        tx.deleteBucket(route.bucket)
        tx.createBucket(route.bucket)
        continue
      }
      const keys: Uint8Array[] = []
      const source = new BucketSource(bucket, route.prefix, local, false)
      for (source.rewind(); source.valid; source.advance()) keys.push(copy(source.key))
      for (const key of keys) bucket.delete(key)
    }
  }

  /** In key order (or reverse) up to `limit`, from the snapshot when one is given. */
  #clearInOrder(tx: WriteTransaction, router: WriteRouter, request: ClearRequest): void {
    const from = request.snapshot?.state
    const cursor = new MergedCursor(from?.tx ?? tx, from?.registry ?? router.registry, request.range, request.reverse)
    const keys: Uint8Array[] = []
    const limit = request.limit === -1 ? Infinity : request.limit
    for (; cursor.valid && keys.length < limit; cursor.next()) keys.push(cursor.key())
    for (const key of keys) router.delete(key)
  }

  /** Resolves once every write queued so far has settled. */
  async settled(): Promise<void> {
    while (this.#inFlight > 0) {
      this.#idle ??= new Promise<void>((resolve) => (this.#whenIdle = resolve))
      await this.#idle
    }
  }

  /** `promise` counted in flight until it settles: one reaction, made of handlers made once. */
  #track(promise: Promise<unknown>): Promise<void> {
    this.#inFlight++
    return promise.then(this.#settledOk, this.#settledFailed)
  }

  readonly #settledOk = (): void => {
    this.#settle()
  }

  readonly #settledFailed = (err: unknown): never => {
    this.#settle()
    throw toLevelError(err)
  }

  #settle(): void {
    this.#dropNewest()
    if (--this.#inFlight === 0 && this.#whenIdle !== undefined) {
      const wake = this.#whenIdle
      this.#whenIdle = undefined
      this.#idle = undefined
      wake()
    }
  }
}

/**
 * The shared snapshot of the newest commit: its engine snapshot closes once it is retired (a newer
 * commit exists, or the database closes) and no iterator holds it.
 */
class SharedRead implements ReadState {
  readonly tx: ReadTransaction
  readonly registry: PrefixRegistry
  #holds = 0
  #retired = false

  constructor(tx: ReadTransaction, registry: PrefixRegistry) {
    this.tx = tx
    this.registry = registry
  }

  hold(): void {
    this.#holds++
  }

  /** An iterator's hold ends. */
  release(): void {
    if (--this.#holds === 0 && this.#retired) this.tx.close()
  }

  retire(): void {
    this.#retired = true
    if (this.#holds === 0) this.tx.close()
  }
}
