/**
 * The engine buckets one BTreeLevel uses, all named under its namespace (`level` by default), so
 * a file shared with other users of the engine (the `database` option) keeps them apart:
 * - `<ns>`: the root database's own entries (keys under no sublevel's prefix);
 * - `<ns>/<n>`: one bucket per sublevel (n = 1, 2, ...), keys stored without the prefix;
 * - `<ns>/prefixes`: the prefix registry (prefix-registry.ts).
 */
export class BucketNames {
  readonly root: string
  readonly registry: string
  readonly #namespace: string

  constructor(namespace: string) {
    this.#namespace = namespace
    this.root = namespace
    this.registry = `${namespace}/prefixes`
  }

  sublevel(id: number): string {
    return `${this.#namespace}/${id}`
  }

  /**
   * UTF-8 bytes of the longest name this namespace makes: the registry's, or a sublevel's with an
   * id of ten digits (ids count up from 1, so no store reaches more).
   */
  get longestNameBytes(): number {
    const ns = Buffer.byteLength(this.#namespace)
    return ns + Math.max(Buffer.byteLength('/prefixes'), 1 + MAX_ID_DIGITS)
  }
}

const MAX_ID_DIGITS = 10
