import type { WriteBucket, WriteTransaction } from 'btree-store'
import { copy, startsWith } from '../bytes.js'
import type { BucketNames } from './bucket-names.js'
import type { PrefixTrie } from './prefix-trie.js'
import type { PrefixRegistry, RegistryCache, Route } from './prefix-registry.js'

/** A put or delete of a full key (every sublevel prefix included). */
export interface KeyWrite {
  readonly type: 'put' | 'del'
  readonly key: Uint8Array
  readonly value?: Uint8Array
}

/** Prefixes of sublevels made in this process (each stored as its own value). */
export type DeclaredPrefixes = PrefixTrie<Uint8Array>

/**
 * Routes the writes of an engine transaction to buckets. Buckets are created lazily: a sublevel's
 * bucket appears with the first put under its prefix, which first moves out of the parent bucket
 * whatever was stored under that prefix before the sublevel existed.
 *
 * A store keeps one router for its life and binds it to each write's transaction (bind, then
 * release once the write's ops are applied). One made per write was garbage once the write ended,
 * and between two bursts of writes V8 collected its class's map and threw away the code it had
 * compiled for `apply`, into which the engine's whole put path is inlined: after an idle
 * application's garbage collections, every burst ran on unoptimized code until `apply` was
 * compiled again (the engine keeps its own classes' maps for the same reason: its base/shapes.ts).
 */
export class WriteRouter {
  #tx: WriteTransaction | undefined
  readonly #cache: RegistryCache
  readonly #names: BucketNames
  readonly #declared: DeclaredPrefixes
  #registry: PrefixRegistry | undefined
  readonly #buckets = new Map<string, WriteBucket>()

  constructor(cache: RegistryCache, names: BucketNames, declared: DeclaredPrefixes) {
    this.#cache = cache
    this.#names = names
    this.#declared = declared
  }

  /** Whether a write's transaction is bound (bind() until release()). */
  get bound(): boolean {
    return this.#tx !== undefined
  }

  /** Routes the writes of `tx` until release(). */
  bind(tx: WriteTransaction): this {
    // Read first: a registry that fails to load leaves the router unbound.
    const registry = this.#cache.forWrite(tx)
    this.#tx = tx
    this.#registry = registry
    return this
  }

  /** Lets go of the transaction and its bucket handles (the write is applied, or failed). */
  release(): void {
    this.#tx = undefined
    this.#registry = undefined
    this.#buckets.clear()
  }

  /** The registry of the bound transaction's writes (only while bound). */
  get registry(): PrefixRegistry {
    return this.#registry!
  }

  /**
   * Applies `writes` in order. While no sublevel prefix is registered or declared (a database
   * without sublevels), every key goes to the root's bucket as it is: taken once, with no route
   * and no bucket lookup per key.
   */
  apply(writes: readonly KeyWrite[]): void {
    const registry = this.registry
    if (registry.size > 0 || this.#declared.size > 0) {
      for (let i = 0; i < writes.length; i++) {
        const op = writes[i]!
        if (op.type === 'put') this.put(op.key, op.value!)
        else this.delete(op.key)
      }
      return
    }
    const root = registry.routes[0]!
    let bucket = this.bucket(root)
    for (let i = 0; i < writes.length; i++) {
      const op = writes[i]!
      if (op.type === 'put') {
        if (bucket === undefined) {
          bucket = this.#tx!.createBucketIfNotExists(root.bucket)
          this.#buckets.set(root.bucket, bucket)
        }
        bucket.put(op.key, op.value!)
      } else bucket?.delete(op.key)
    }
  }

  put(key: Uint8Array, value: Uint8Array): void {
    let route = this.registry.route(key)
    const pending = this.#pendingPrefix(key, route)
    if (pending !== undefined) route = this.#materialize(pending)
    let bucket = this.#buckets.get(route.bucket)
    if (bucket === undefined) {
      bucket = this.#tx!.createBucketIfNotExists(route.bucket)
      this.#buckets.set(route.bucket, bucket)
    }
    bucket.put(local(key, route), value)
  }

  /** A delete never creates a bucket: the key is where the current registry routes it, or nowhere. */
  delete(key: Uint8Array): void {
    const route = this.registry.route(key)
    this.bucket(route)?.delete(local(key, route))
  }

  bucket(route: Route): WriteBucket | undefined {
    let bucket = this.#buckets.get(route.bucket)
    if (bucket === undefined) {
      bucket = this.#tx!.bucket(route.bucket)
      if (bucket !== undefined) this.#buckets.set(route.bucket, bucket)
    }
    return bucket
  }

  /**
   * The longest declared prefix of `key`, when it is longer than the route's prefix: then it is
   * not registered (the route is the longest registered prefix), and needs its bucket.
   */
  #pendingPrefix(key: Uint8Array, route: Route): Uint8Array | undefined {
    if (this.#declared.size === 0) return undefined
    const prefix = this.#declared.longest(key)
    return prefix !== undefined && prefix.byteLength > route.prefix.byteLength ? prefix : undefined
  }

  /**
   * Gives `prefix` a bucket of its own: entries stored under it in the bucket its keys route to
   * now (a parent's) move there, without the prefix. O(entries moved).
   */
  #materialize(prefix: Uint8Array): Route {
    const tx = this.#tx!
    const parent = this.registry.route(prefix)
    let id = this.registry.size + 1
    while (tx.bucket(this.#names.sublevel(id)) !== undefined) id++
    const route: Route = { prefix: copy(prefix), bucket: this.#names.sublevel(id) }
    const target = tx.createBucket(route.bucket)
    this.#buckets.set(route.bucket, target)
    const source = this.bucket(parent)
    if (source !== undefined) {
      const local = prefix.subarray(parent.prefix.byteLength)
      const moved: Array<[Uint8Array, Uint8Array]> = []
      const cursor = source.cursor()
      for (let ok = cursor.seek(local); ok && startsWith(cursor.key!, local); ok = cursor.next()) {
        moved.push([copy(cursor.key!), copy(cursor.value!)])
      }
      for (const [key, value] of moved) {
        source.delete(key)
        target.put(key.subarray(local.byteLength), value)
      }
    }
    this.#registry = this.#cache.register(tx, this.registry, route)
    return route
  }
}

/** `key` without its route's prefix; the root's keys (no prefix) as they are, with no view made. */
function local(key: Uint8Array, route: Route): Uint8Array {
  const n = route.prefix.byteLength
  return n === 0 ? key : key.subarray(n)
}
