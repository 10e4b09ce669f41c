import { randomBytes } from 'node:crypto'
import type { ReadTransaction, WriteTransaction } from 'btree-store'
import { compare } from '../bytes.js'
import type { KeyRange } from './bucket-range.js'
import { PrefixTrie } from './prefix-trie.js'
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

/**
 * Which bucket holds each key, as of one commit: the bucket of the longest registered prefix the
 * key starts with, or the root bucket. Registered prefixes are never removed (a cleared sublevel
 * keeps its bucket), so a registry only grows. Immutable.
 */
export class PrefixRegistry {
  /** The root route first, then the sublevels' in prefix order. */
  readonly routes: readonly Route[]
  readonly #root: Route
  /** Sublevel routes in prefix byte order, for the routes a range reaches. */
  readonly #sorted: readonly Route[]
  readonly #trie: PrefixTrie<Route>

  constructor(root: string | Route, sublevels: readonly Route[], trie?: PrefixTrie<Route>) {
    this.#root = typeof root === 'string' ? { prefix: new Uint8Array(0), bucket: root } : root
    this.#sorted = trie === undefined ? [...sublevels].sort((a, b) => compare(a.prefix, b.prefix)) : sublevels
    this.routes = [this.#root, ...this.#sorted]
    if (trie === undefined) {
      trie = new PrefixTrie<Route>()
      for (const route of sublevels) trie.set(route.prefix, route)
    }
    this.#trie = trie
  }

  /** Sublevel routes (the root's not counted). */
  get size(): number {
    return this.#sorted.length
  }

  /** The route of `key`: O(length of the longest registered prefix it starts with). */
  route(key: Uint8Array): Route {
    if (this.#sorted.length === 0) return this.#root
    return this.#trie.longest(key) ?? this.#root
  }

  has(prefix: Uint8Array): boolean {
    return this.#trie.get(prefix) !== undefined
  }

  /**
   * The routes whose keys can fall in `range` (a superset: localRange() decides exactly). A bucket
   * under prefix P holds keys from P on, so it is reached when P lies within the range, or when P
   * is a prefix of the lower bound; any other P sorts wholly before or after the range.
   * O(log routes + routes reached).
   */
  routesFor(range: KeyRange): Route[] {
    const out: Route[] = [this.#root]
    const sorted = this.#sorted
    if (sorted.length === 0) return out
    let from = 0
    if (range.lower !== undefined) {
      const lower = range.lower.key
      for (const route of this.#trie.prefixesOf(lower)) if (route.prefix.byteLength < lower.byteLength) out.push(route)
      let lo = 0
      let hi = sorted.length
      while (lo < hi) {
        const mid = (lo + hi) >>> 1
        if (compare(sorted[mid]!.prefix, lower) < 0) lo = mid + 1
        else hi = mid
      }
      from = lo
    }
    for (let i = from; i < sorted.length; i++) {
      const route = sorted[i]!
      if (range.upper !== undefined && compare(route.prefix, range.upper.key) > 0) break
      out.push(route)
    }
    return out
  }

  /** This registry and `route`: O(routes) (a registration happens once per sublevel, ever). */
  with(route: Route): PrefixRegistry {
    const sorted = [...this.#sorted]
    let at = sorted.findIndex((r) => compare(r.prefix, route.prefix) > 0)
    if (at === -1) at = sorted.length
    sorted.splice(at, 0, route)
    return new PrefixRegistry(this.#root, sorted, this.#trie.with(route.prefix, route))
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
