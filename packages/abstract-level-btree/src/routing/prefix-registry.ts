import { randomBytes } from 'node:crypto'
import type { ReadTransaction, WriteTransaction } from 'btree-store'
import { startsWith } from '../bytes.js'
import type { BucketNames } from './bucket-names.js'

/** Keys under `prefix` live in `bucket`, stored without the prefix. */
export interface Route {
  readonly prefix: Uint8Array
  readonly bucket: string
}

/**
 * The registry bucket maps each registered prefix to its bucket's name, and holds under this key
 * (shorter than any prefix, which has two separators at least) a random token that changes with
 * every registration: a reader compares tokens instead of reading the whole registry.
 */
export const TOKEN_KEY = Uint8Array.of(0)

const mapKey = (prefix: Uint8Array): string => Buffer.from(prefix.buffer, prefix.byteOffset, prefix.byteLength).toString('latin1')

/**
 * Which bucket holds each key, as of one commit: the bucket of the longest registered prefix the
 * key starts with, or the root bucket. Registered prefixes are never removed (a cleared sublevel
 * keeps its bucket), so a registry only grows. Immutable.
 */
export class PrefixRegistry {
  /** The root route first, then the sublevels' (in prefix order when read from the file). */
  readonly routes: readonly Route[]
  readonly #longestFirst: readonly Route[]
  readonly #byPrefix: ReadonlyMap<string, Route>

  constructor(root: string, sublevels: readonly Route[]) {
    this.routes = [{ prefix: new Uint8Array(0), bucket: root }, ...sublevels]
    this.#longestFirst = [...this.routes].sort((a, b) => b.prefix.byteLength - a.prefix.byteLength)
    this.#byPrefix = new Map(sublevels.map((r) => [mapKey(r.prefix), r]))
  }

  /** Sublevel routes (the root's not counted). */
  get size(): number {
    return this.#byPrefix.size
  }

  /** The route of `key`: O(registered prefixes). */
  route(key: Uint8Array): Route {
    const routes = this.#longestFirst
    for (let i = 0; i < routes.length - 1; i++) if (startsWith(key, routes[i]!.prefix)) return routes[i]!
    return routes[routes.length - 1]!
  }

  has(prefix: Uint8Array): boolean {
    return this.#byPrefix.has(mapKey(prefix))
  }

  with(route: Route): PrefixRegistry {
    return new PrefixRegistry(this.routes[0]!.bucket, [...this.routes.slice(1), route])
  }
}

/**
 * The registry of each commit, read from the registry bucket and cached by token (and, for
 * snapshots, by txid: within one open database a txid names one commit).
 */
export class RegistryCache {
  readonly #names: BucketNames
  readonly #empty: PrefixRegistry
  readonly #byToken = new Map<string, PrefixRegistry>()
  #txid = -1
  #atTxid: PrefixRegistry

  constructor(names: BucketNames) {
    this.#names = names
    this.#empty = new PrefixRegistry(names.root, [])
    this.#atTxid = this.#empty
  }

  /** Forgets the txid shortcut: txids restart meaning with each open database. */
  reset(): void {
    this.#txid = -1
  }

  /** The registry a read snapshot sees. O(1) when the commit or the token was seen before. */
  forSnapshot(tx: ReadTransaction): PrefixRegistry {
    if (tx.txid === this.#txid) return this.#atTxid
    const registry = this.#load(tx)
    this.#txid = tx.txid
    this.#atTxid = registry
    return registry
  }

  /** The registry inside a write transaction (its own registrations included). */
  forWrite(tx: WriteTransaction): PrefixRegistry {
    return this.#load(tx)
  }

  /**
   * Registers `prefix` as held by `bucket` in `tx`. If the transaction rolls back, so does the
   * token, and the registry cached under the new token is never looked up again.
   */
  register(tx: WriteTransaction, registry: PrefixRegistry, route: Route): PrefixRegistry {
    const bucket = tx.createBucketIfNotExists(this.#names.registry)
    const token = randomBytes(8)
    bucket.put(route.prefix, Buffer.from(route.bucket, 'utf8'))
    bucket.put(TOKEN_KEY, token)
    const next = registry.with(route)
    this.#remember(token.toString('hex'), next)
    return next
  }

  #load(tx: ReadTransaction): PrefixRegistry {
    const bucket = tx.bucket(this.#names.registry)
    if (bucket === undefined) return this.#empty
    const token = bucket.get(TOKEN_KEY)
    const key = token === undefined ? '' : Buffer.from(token).toString('hex')
    const known = this.#byToken.get(key)
    if (known !== undefined) return known
    const routes: Route[] = []
    for (const [prefix, name] of bucket.entries()) {
      if (prefix.byteLength <= TOKEN_KEY.byteLength) continue
      routes.push({ prefix, bucket: Buffer.from(name).toString('utf8') })
    }
    const registry = new PrefixRegistry(this.#names.root, routes)
    if (token !== undefined) this.#remember(key, registry)
    return registry
  }

  #remember(token: string, registry: PrefixRegistry): void {
    if (this.#byToken.size >= 64) this.#byToken.clear()
    this.#byToken.set(token, registry)
  }
}
