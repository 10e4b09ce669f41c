interface TrieNode<T> {
  value: T | undefined
  next: Map<number, TrieNode<T>> | undefined
}

/**
 * Byte prefixes and a value for each: finds the longest stored prefix of a key in O(length of
 * that prefix), however many prefixes are stored (an app with a sublevel per user has thousands).
 */
export class PrefixTrie<T> {
  #root: TrieNode<T> = { value: undefined, next: undefined }
  #size = 0

  get size(): number {
    return this.#size
  }

  /**
   * A new trie with `prefix` set, sharing every node off its path with this one (which does not
   * change): O(prefix length × fan-out of the nodes on the path).
   */
  with(prefix: Uint8Array, value: T): PrefixTrie<T> {
    const copy = (node: TrieNode<T> | undefined): TrieNode<T> => ({
      value: node?.value,
      next: node?.next === undefined ? undefined : new Map(node.next),
    })
    const out = new PrefixTrie<T>()
    out.#root = copy(this.#root)
    out.#size = this.#size
    let node = out.#root
    for (let i = 0; i < prefix.byteLength; i++) {
      node.next ??= new Map()
      const child = copy(node.next.get(prefix[i]!))
      node.next.set(prefix[i]!, child)
      node = child
    }
    if (node.value === undefined) out.#size++
    node.value = value
    return out
  }

  /** Sets `prefix` in place (only for a trie no one else holds). */
  set(prefix: Uint8Array, value: T): void {
    let node = this.#root
    for (let i = 0; i < prefix.byteLength; i++) {
      node.next ??= new Map()
      let child = node.next.get(prefix[i]!)
      if (child === undefined) {
        child = { value: undefined, next: undefined }
        node.next.set(prefix[i]!, child)
      }
      node = child
    }
    if (node.value === undefined) this.#size++
    node.value = value
  }

  get(prefix: Uint8Array): T | undefined {
    let node: TrieNode<T> | undefined = this.#root
    for (let i = 0; i < prefix.byteLength && node !== undefined; i++) node = node.next?.get(prefix[i]!)
    return node?.value
  }

  /** The value of the longest stored prefix of `key` (the empty prefix included), if any. */
  longest(key: Uint8Array): T | undefined {
    let node: TrieNode<T> | undefined = this.#root
    let found = node.value
    for (let i = 0; i < key.byteLength; i++) {
      node = node.next?.get(key[i]!)
      if (node === undefined) break
      if (node.value !== undefined) found = node.value
    }
    return found
  }

  /** The values of every stored prefix of `key`, shortest first (the key itself included). */
  prefixesOf(key: Uint8Array): T[] {
    const out: T[] = []
    let node: TrieNode<T> | undefined = this.#root
    if (node.value !== undefined) out.push(node.value)
    for (let i = 0; i < key.byteLength; i++) {
      node = node.next?.get(key[i]!)
      if (node === undefined) break
      if (node.value !== undefined) out.push(node.value)
    }
    return out
  }
}
