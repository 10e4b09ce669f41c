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
}
