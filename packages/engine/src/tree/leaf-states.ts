import { HEADER_SIZE, SLOT_SIZE } from '../page/layout.js'

/** Numbers kept per saved leaf: gen, size, orig, count, top, garbage, where its slots start. */
const FIELDS = 7

/** The arrays of a transaction that has adopted nothing yet (most small ones): shared, never written. */
const NO_NUMS = new Float64Array(0)
const NO_SLOTS = new Uint8Array(0)

/**
 * The published states of the packed leaves a write transaction edits in place (WriteTx.adopt,
 * Node.saveState), in flat arrays kept from one transaction's commit to the next: the fields as
 * numbers, the slots' bytes back to back in one buffer. A random batch adopts a leaf for most of
 * its puts: an object and a typed array of its slots per leaf (off the heap above 64 bytes), and
 * arrays grown again after each commit, were a third of what such a put allocated. Entries are
 * restored (Node.restoreState) newest first, and all dropped at once (clear). Generic in the node
 * type: tree/node.ts imports it.
 */
export class LeafStates<N> {
  /** The saved leaves and their pages; entries from `#n` on are undefined (no page pinned). */
  readonly #nodes: (N | undefined)[] = []
  readonly #bases: (Buffer | undefined)[] = []
  #nums = NO_NUMS
  #slots = NO_SLOTS
  #n = 0
  #used = 0

  /** Leaves saved. */
  get length(): number {
    return this.#n
  }

  /** The leaf saved as entry i (< length). */
  node(i: number): N {
    return this.#nodes[i]!
  }

  /** Saves `node`'s fields and the bytes of its `count` slots in `base` (Node.saveState). */
  save(
    node: N,
    base: Buffer,
    gen: number,
    size: number,
    orig: number,
    count: number,
    top: number,
    garbage: number,
  ): void {
    const bytes = SLOT_SIZE * count
    if (this.#used + bytes > this.#slots.length) {
      const grown = new Uint8Array(Math.max(this.#slots.length * 2, this.#used + bytes, 1024))
      grown.set(this.#slots.subarray(0, this.#used))
      this.#slots = grown
    }
    const slots = this.#slots
    const at = this.#used
    // Byte by byte: a view of the page's slots to copy them from would be an allocation per leaf.
    for (let i = 0; i < bytes; i++) slots[at + i] = base[HEADER_SIZE + i]!
    this.#used = at + bytes
    const n = this.#n
    if (FIELDS * (n + 1) > this.#nums.length) {
      const grown = new Float64Array(Math.max(this.#nums.length * 2, FIELDS * 16))
      grown.set(this.#nums)
      this.#nums = grown
    }
    const nums = this.#nums
    const f = FIELDS * n
    nums[f] = gen
    nums[f + 1] = size
    nums[f + 2] = orig
    nums[f + 3] = count
    nums[f + 4] = top
    nums[f + 5] = garbage
    nums[f + 6] = at
    this.#nodes[n] = node
    this.#bases[n] = base
    this.#n = n + 1
  }

  gen(i: number): number {
    return this.#nums[FIELDS * i]!
  }

  size(i: number): number {
    return this.#nums[FIELDS * i + 1]!
  }

  orig(i: number): number {
    return this.#nums[FIELDS * i + 2]!
  }

  count(i: number): number {
    return this.#nums[FIELDS * i + 3]!
  }

  top(i: number): number {
    return this.#nums[FIELDS * i + 4]!
  }

  garbage(i: number): number {
    return this.#nums[FIELDS * i + 5]!
  }

  base(i: number): Buffer {
    return this.#bases[i]!
  }

  /** Writes the slots saved as entry i back into its page. */
  restoreSlots(i: number): void {
    const page = this.#bases[i]!
    const at = this.#nums[FIELDS * i + 6]!
    const bytes = SLOT_SIZE * this.#nums[FIELDS * i + 3]!
    const slots = this.#slots
    for (let j = 0; j < bytes; j++) page[HEADER_SIZE + j] = slots[at + j]!
  }

  /**
   * Drops every entry. The arrays keep their storage (a random batch's commit adopts hundreds of
   * leaves, and growing them again each time was most of what adopt allocated); the references
   * are cleared, so no leaf or page stays reachable through them.
   */
  clear(): void {
    for (let i = 0; i < this.#n; i++) {
      this.#nodes[i] = undefined
      this.#bases[i] = undefined
    }
    this.#n = 0
    this.#used = 0
  }
}
