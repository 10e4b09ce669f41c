import { ReadBucketImpl } from '../bucket/read-bucket.js'
import { listBuckets } from '../bucket/catalog.js'
import { BTreeError } from '../base/errors.js'
import type { Meta } from '../page/meta-page.js'
import type { Pager } from '../store/pager.js'
import type { ReadBucket, ReadTransaction } from '../base/types.js'
import { bucketNameKey } from '../base/validate.js'
import type { DirtyState } from './dirty-state.js'
import type { ReaderRegistry } from './readers.js'
import type { TxContext } from './tx-context.js'

/**
 * A snapshot forgotten without close() is released when it is garbage collected, so a leaked
 * iterator cannot pin freed pages forever. close() is still the way to release it promptly.
 */
const forgotten = new FinalizationRegistry<{ readers: ReaderRegistry; txid: number }>(({ readers, txid }) => {
  readers.remove(txid)
})

/**
 * A read-only snapshot of one commit. It never blocks the writer and never sees later commits:
 * the pages it can reach are not reused while it is open (freelist.ts).
 */
export class ReadTx implements ReadTransaction {
  readonly txid: number
  /** What this snapshot registers with the readers (DirtyState.pin). */
  readonly #pin: number
  readonly writable = false
  readonly #host: TxContext
  readonly #meta: Meta
  readonly #dirty: DirtyState | undefined
  /**
   * Buckets handed out by this snapshot, made on first use: the first in a field (a db.view mostly
   * needs one, and a Map per view was an allocation per get), any others in the Map.
   */
  #first: ReadBucketImpl | undefined
  #buckets: Map<string, ReadBucketImpl> | undefined
  /** The FinalizationRegistry's unregister token; none for a scoped snapshot. */
  readonly #token: object | undefined
  #closed = false

  /** `scoped`: the caller closes it on every path (db.view), so it needs no GC safety net. */
  constructor(host: TxContext, meta: Meta, dirty: DirtyState | undefined, scoped = false) {
    this.#host = host
    this.#meta = meta
    this.#dirty = dirty
    // A snapshot over commits in the journal sees the newest of them; pages the next checkpoint
    // frees are freed by a later txid, so registering this one keeps them (freelist.ts).
    this.txid = dirty?.txid ?? meta.txid
    this.#pin = dirty?.pin ?? this.txid
    host.readers.add(this.#pin)
    this.#token = scoped ? undefined : {}
    if (this.#token !== undefined) forgotten.register(this, { readers: host.readers, txid: this.#pin }, this.#token)
  }

  get closed(): boolean {
    return this.#closed
  }

  get pager(): Pager {
    return this.#host.pager
  }

  /** Throws BTREE_TX_CLOSED once closed, BTREE_CLOSED once the database is. */
  assertOpen(): void {
    if (this.#closed) throw new BTreeError('BTREE_TX_CLOSED', 'the transaction is closed')
    this.#host.assertOpen()
  }

  /** O(1) for a bucket looked up before in this snapshot or the newest commit; else O(log buckets). */
  bucket(name: string): ReadBucket | undefined {
    const seen = this.#first?.name === name ? this.#first : this.#buckets?.get(name)
    if (seen !== undefined) {
      this.assertOpen()
      return seen
    }
    if (typeof name !== 'string') bucketNameKey(name, this.#host.maxBucketNameSize)
    this.assertOpen()
    let b: ReadBucketImpl
    const d = this.#dirty?.buckets.get(name)
    if (d === null) return undefined
    if (d !== undefined) {
      b = new ReadBucketImpl(this, name, d.root, d.count)
    } else {
      const rec = this.#host.lookupBucket(this.#meta, name)
      if (rec === undefined) return undefined
      b = new ReadBucketImpl(this, name, rec.root, rec.count)
    }
    if (this.#first === undefined) this.#first = b
    else (this.#buckets ??= new Map()).set(name, b)
    return b
  }

  buckets(): string[] {
    this.assertOpen()
    const names = listBuckets(this.#host.pager, this.#meta.catalog).map(([name]) => name)
    if (this.#dirty === undefined || this.#dirty.buckets.size === 0) return names
    const set = new Set(names)
    for (const [name, s] of this.#dirty.buckets) {
      if (s === null) set.delete(name)
      else set.add(name)
    }
    return [...set].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
  }

  // Write methods a read snapshot does not have in its type, for JavaScript callers (and casts):
  // each fails with a coded error instead of "is not a function".
  createBucket(): never {
    throw readOnly()
  }

  createBucketIfNotExists(): never {
    throw readOnly()
  }

  deleteBucket(): never {
    throw readOnly()
  }

  savepoint(): never {
    throw readOnly()
  }

  rollbackTo(): never {
    throw readOnly()
  }

  release(): never {
    throw readOnly()
  }

  commit(): never {
    throw readOnly()
  }

  close(): void {
    if (this.#closed) return
    this.#closed = true
    if (this.#token !== undefined) forgotten.unregister(this.#token)
    this.#host.readers.remove(this.#pin)
  }
}

/** The error of a write attempted through a read snapshot. */
export function readOnly(): BTreeError {
  return new BTreeError('BTREE_TX_READONLY', 'a read snapshot cannot write; use db.update or a write transaction')
}
