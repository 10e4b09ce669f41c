import { HEADER_SIZE, SLOT_SIZE } from '../page/layout.js'
import { keepShapes } from '../base/shapes.js'

/** Numbers kept per saved leaf: gen, size, orig, count, top, garbage, where its slots start. */
const FIELDS = 7

/** The arrays of a transaction that has adopted nothing yet (most small ones): shared, never written. */
const NO_NUMS = new Float64Array(0)
const NO_SLOTS = new Uint8Array(0)
const NO_UNDO = new Int32Array(0)
const NO_REFS: never[] = []
/**
 * A number read back from the Float64Array as the integer it was saved as. A Float64Array's elements
 * are doubles, and V8's interpreter hands each out as a heap number: stored back into a Node
 * (restoreState), it changed the representation of fields that had only held small integers, so V8
 * deprecated Node's maps and threw away every function it had optimized for nodes ("wrong map"
 * deoptimizations, then thousands of puts at 5-10x their cost: seen at the start of a second
 * database in one process, kysely-btree's bench). As a small integer it changes nothing.
 */
function saved(v: number): number {
  return v === (v | 0) ? v | 0 : v
}

/** The last epoch handed out (LeafStates#epoch). */
let epochs = 0

/**
 * The arrays a LeafStates fills, grown as it needs. A write transaction (one per commit) has its
 * own LeafStates, and the arrays go from one to the next: each one's clear gives them back
 * (`spares`), the next one's first save takes them. A random batch adopts hundreds of leaves, and
 * growing the typed arrays again in every commit allocated 238 KiB a commit off the heap (200
 * batches of 1,000 random overwrites into 200,000 keys through btree-level; 0 with the spares).
 */
interface Storage {
  nodes: unknown[]
  bases: (Buffer | undefined)[]
  nums: Float64Array<ArrayBuffer>
  slots: Uint8Array<ArrayBuffer>
  undoPages: (Uint8Array | undefined)[]
  undoNums: Int32Array<ArrayBuffer>
  undoBytes: Uint8Array<ArrayBuffer>
}

/**
 * Storage given back and not taken again: one per database writing at once is enough (a database
 * has one writer), so a few; sets past MAX_SPARE_BYTES (a transaction that adopted tens of
 * thousands of leaves) are left to the collector rather than kept for good.
 */
const spares: Storage[] = []
const MAX_SPARES = 4
const MAX_SPARE_BYTES = 4 * 1024 * 1024

/**
 * The published states of the packed leaves a write transaction edits in place (WriteTx.adopt,
 * Node.saveState), in flat arrays that pass from one transaction to the next (Storage): the fields
 * as numbers, the slots' bytes back to back in one buffer. A random batch adopts a leaf for most of
 * its puts: an object and a typed array of its slots per leaf (off the heap above 64 bytes), and
 * arrays grown again after each commit, were a third of what such a put allocated. Entries are
 * restored (Node.restoreState) newest first, and all dropped at once (clear). A value overwritten
 * in a saved page (Node.overwritePacked) changes bytes besides the slots: saveBytes keeps them
 * first, restoreBytes writes them back. Generic in the node type: tree/node.ts imports it.
 */
export class LeafStates<N> {
  /**
   * The saved leaves and their pages; entries from `#n` on are undefined (no page pinned). These and
   * the typed arrays below are a Storage taken at the first save (#take) and given back at clear.
   */
  #nodes: (N | undefined)[] = NO_REFS
  #bases: (Buffer | undefined)[] = NO_REFS
  #nums = NO_NUMS
  #slots = NO_SLOTS
  #n = 0
  #used = 0
  /**
   * This instance's current set of entries, unique in the process (a new one at each clear): a
   * leaf records it with its index when saved (Node.saveState), so that it can tell later, in O(1)
   * and without holding on to this object, whether it is still saved here (savedPage).
   */
  #epoch = ++epochs
  /**
   * Bytes overwritten in the saved pages (saveBytes): for each, its page, and offset, length and
   * where its copy starts in `#undoBytes`, newest last.
   */
  #undoPages: (Uint8Array | undefined)[] = NO_REFS
  #undoNums = NO_UNDO
  #undoBytes = NO_SLOTS
  #undoN = 0
  #undoUsed = 0

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
    if (this.#nodes === NO_REFS) this.#take()
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

  /** The current epoch: entries saved now are entries of it until the next clear. */
  get epoch(): number {
    return this.#epoch
  }

  /**
   * The page saved as entry `i` when that entry belongs to `epoch` (the one current when it was
   * saved, still current), else undefined: a leaf whose page this is edits the published page,
   * whose overwritten bytes must be saved (saveBytes).
   */
  savedPage(i: number, epoch: number): Buffer | undefined {
    // Within an epoch entries are only added: an index saved in it names its entry until the clear.
    return epoch === this.#epoch ? this.#bases[i] : undefined
  }

  /**
   * Saves bytes `offset` up to `offset + length` of `page`, a saved leaf's page, before they are
   * overwritten (Node.overwritePacked): restoreBytes writes them back.
   */
  saveBytes(page: Uint8Array, offset: number, length: number): void {
    // Only a saved leaf's page has bytes saved: save took the storage (kept for safety).
    if (this.#nodes === NO_REFS) this.#take()
    if (this.#undoUsed + length > this.#undoBytes.length) {
      const grown = new Uint8Array(Math.max(this.#undoBytes.length * 2, this.#undoUsed + length, 4096))
      grown.set(this.#undoBytes.subarray(0, this.#undoUsed))
      this.#undoBytes = grown
    }
    const bytes = this.#undoBytes
    const at = this.#undoUsed
    for (let i = 0; i < length; i++) bytes[at + i] = page[offset + i]!
    this.#undoUsed = at + length
    const n = this.#undoN
    if (3 * (n + 1) > this.#undoNums.length) {
      const grown = new Int32Array(Math.max(this.#undoNums.length * 2, 3 * 64))
      grown.set(this.#undoNums)
      this.#undoNums = grown
    }
    const nums = this.#undoNums
    nums[3 * n] = offset
    nums[3 * n + 1] = length
    nums[3 * n + 2] = at
    this.#undoPages[n] = page
    this.#undoN = n + 1
  }

  /**
   * Writes every range saved by saveBytes back into its page, newest first; with `into`, into the
   * copy of its page that `into` maps it to (WriteTx.detachAdopted), the page itself left as it is.
   */
  restoreBytes(into?: ReadonlyMap<Uint8Array, Uint8Array>): void {
    const nums = this.#undoNums
    const bytes = this.#undoBytes
    for (let n = this.#undoN - 1; n >= 0; n--) {
      const saved = this.#undoPages[n]!
      const page = into === undefined ? saved : (into.get(saved) ?? saved)
      const offset = nums[3 * n]!
      const length = nums[3 * n + 1]!
      const at = nums[3 * n + 2]!
      for (let i = 0; i < length; i++) page[offset + i] = bytes[at + i]!
    }
  }

  gen(i: number): number {
    return saved(this.#nums[FIELDS * i]!)
  }

  size(i: number): number {
    return saved(this.#nums[FIELDS * i + 1]!)
  }

  orig(i: number): number {
    return saved(this.#nums[FIELDS * i + 2]!)
  }

  count(i: number): number {
    return saved(this.#nums[FIELDS * i + 3]!)
  }

  top(i: number): number {
    return saved(this.#nums[FIELDS * i + 4]!)
  }

  garbage(i: number): number {
    return saved(this.#nums[FIELDS * i + 5]!)
  }

  base(i: number): Buffer {
    return this.#bases[i]!
  }

  /** Writes the slots saved as entry i back into its page, or into `page` (a copy of it). */
  restoreSlots(i: number, page: Uint8Array = this.#bases[i]!): void {
    const at = saved(this.#nums[FIELDS * i + 6]!)
    const bytes = SLOT_SIZE * saved(this.#nums[FIELDS * i + 3]!)
    const slots = this.#slots
    for (let j = 0; j < bytes; j++) page[HEADER_SIZE + j] = slots[at + j]!
  }

  /**
   * Drops every entry. The references are cleared, so no leaf or page stays reachable through
   * them, and the arrays go to the next transaction's first save (Storage).
   */
  clear(): void {
    for (let i = 0; i < this.#n; i++) {
      this.#nodes[i] = undefined
      this.#bases[i] = undefined
    }
    for (let i = 0; i < this.#undoN; i++) this.#undoPages[i] = undefined
    // Bytes are saved only in saved leaves' pages (saveBytes): no entries, nothing saved.
    if (this.#n > 0) this.#epoch = ++epochs
    this.#n = 0
    this.#used = 0
    this.#undoN = 0
    this.#undoUsed = 0
    if (this.#nodes !== NO_REFS) this.#giveBack()
  }

  /** Takes a spare Storage, or starts empty arrays of its own (the typed ones grow from empty). */
  #take(): void {
    const st = spares.pop()
    if (st === undefined) {
      this.#nodes = []
      this.#bases = []
      this.#undoPages = []
      return
    }
    // Entries are undefined in a spare (clear), whatever node type its last owner kept.
    this.#nodes = st.nodes as (N | undefined)[]
    this.#bases = st.bases
    this.#undoPages = st.undoPages
    this.#nums = st.nums
    this.#slots = st.slots
    this.#undoNums = st.undoNums
    this.#undoBytes = st.undoBytes
  }

  /** Gives the storage, its references cleared (clear), to the next transaction. */
  #giveBack(): void {
    const bytes = 8 * this.#nums.length + this.#slots.length + 4 * this.#undoNums.length + this.#undoBytes.length
    if (spares.length < MAX_SPARES && bytes <= MAX_SPARE_BYTES) {
      spares.push({
        nodes: this.#nodes,
        bases: this.#bases,
        undoPages: this.#undoPages,
        nums: this.#nums,
        slots: this.#slots,
        undoNums: this.#undoNums,
        undoBytes: this.#undoBytes,
      })
    }
    this.#nodes = NO_REFS
    this.#bases = NO_REFS
    this.#undoPages = NO_REFS
    this.#nums = NO_NUMS
    this.#slots = NO_SLOTS
    this.#undoNums = NO_UNDO
    this.#undoBytes = NO_SLOTS
  }
}

// base/shapes.ts: each write transaction has its own.
keepShapes('tree/leaf-states', [new LeafStates<object>()])
