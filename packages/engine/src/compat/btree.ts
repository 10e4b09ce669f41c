import { Database } from '../db/database.js'
import { BTreeError } from '../base/errors.js'
import type { OpenOptions, WriteBucket, WriteTransaction } from '../base/types.js'

/**
 * The Rust crate's API (`btree_store::BTree`) for people who come from it: writes go into one
 * implicit write transaction that `commit()` makes durable and `rollback()` drops, and reads see it.
 * A thin layer over `Database`, not a second engine.
 */
export class BTree {
  readonly db: Database
  #tx: WriteTransaction | undefined

  private constructor(db: Database) {
    this.db = db
  }

  static async open(path: string, options?: OpenOptions): Promise<BTree> {
    return new BTree(await Database.open(path, options))
  }

  /** Creates the bucket, or returns it when it exists. */
  newBucket(name: string): CompatBucket {
    this.#write().createBucketIfNotExists(name)
    return new CompatBucket(this, name)
  }

  /** The bucket; BTREE_BUCKET_NOT_FOUND when it does not exist. */
  bucket(name: string): CompatBucket {
    if (this.#write().bucket(name) === undefined)
      throw new BTreeError('BTREE_BUCKET_NOT_FOUND', `bucket '${name}' does not exist`)
    return new CompatBucket(this, name)
  }

  deleteBucket(name: string): void {
    this.#write().deleteBucket(name)
  }

  /** Makes every write since the last commit durable. */
  async commit(): Promise<void> {
    const tx = this.#tx
    this.#tx = undefined
    if (tx !== undefined) await tx.commit()
  }

  /** Drops every write since the last commit. */
  rollback(): void {
    this.#tx?.rollback()
    this.#tx = undefined
  }

  /** Drops uncommitted writes (as the Rust crate does on drop) and closes the file. */
  async close(): Promise<void> {
    this.rollback()
    await this.db.close()
  }

  /** @internal The implicit write transaction, begun on first use. */
  bucketHandle(name: string): WriteBucket {
    const b = this.#write().bucket(name)
    if (b === undefined) throw new BTreeError('BTREE_BUCKET_NOT_FOUND', `bucket '${name}' does not exist`)
    return b
  }

  #write(): WriteTransaction {
    if (this.#tx === undefined || this.#tx.closed) this.#tx = this.db.begin({ writable: true })
    return this.#tx
  }
}

/** A bucket of a `BTree`: `put`, `get`, `delete` and `iter()`. */
export class CompatBucket {
  readonly #tree: BTree
  readonly name: string

  constructor(tree: BTree, name: string) {
    this.#tree = tree
    this.name = name
  }

  put(key: Uint8Array, value: Uint8Array): void {
    this.#tree.bucketHandle(this.name).put(key, value)
  }

  get(key: Uint8Array): Buffer | undefined {
    return this.#tree.bucketHandle(this.name).get(key) as Buffer | undefined
  }

  delete(key: Uint8Array): boolean {
    return this.#tree.bucketHandle(this.name).delete(key)
  }

  /** An iterator of [key, value] in key order (copies). */
  iter(): IterableIterator<[Uint8Array, Uint8Array]> {
    return this.#tree.bucketHandle(this.name).entries()
  }
}
