import {
  BRANCH_ENTRY_HEADER,
  HEADER_SIZE,
  LEAF_ENTRY_HEADER,
  OVERFLOW_REF_SIZE,
  SLOT_SIZE,
  isLongKeyField,
  isOverflowValue,
  keyPartSize,
  longKeyLength,
  longKeyPage,
  longKeyTxid,
  pageCount,
  pageType,
  PageType,
  storedKeySize,
  writeHeader,
} from '../page/layout.js'
import { sealPage } from '../page/checksum.js'
import { branchChild, branchChildTxid, branchKeyField, branchKeyStart } from '../page/branch-page.js'
import { type KeyReader, comparePageKeyFrom } from '../page/key-compare.js'
import {
  inlineEntrySize,
  isOverflowWord,
  leafEntryOffset,
  leafFind,
  leafFindIn,
  leafKeyField,
  leafEntrySizeAt,
  leafKeyStart,
  leafValueStart,
  leafValueWord,
  overflowRefPage,
  overflowRefTxid,
  setLeafEntryOffset,
  storedValueSize,
  valueWordLength,
  writeInlineEntry,
} from '../page/leaf-page.js'
import type { PageRef } from '../page/meta-page.js'
import { invariant } from '../base/errors.js'
import type { LeafStates } from './leaf-states.js'
import {
  WINDOW_MIN,
  buildWindows,
  keyWindow,
  pageKeyWindow,
  windowRun,
  startsWithPrefix,
  widenWindows,
  windowBranchStep,
  windowLowerBound,
} from './key-windows.js'
import { keepShapes } from '../base/shapes.js'

/**
 * An overflow run still on disk: the run's first page, the txid32 that wrote it, its length. Holds
 * a value (FORMAT.md §6) or an out-of-line key (FORMAT.md §10).
 */
export class OverflowValue {
  constructor(
    readonly pgid: number,
    readonly txid: number,
    readonly length: number,
  ) {}
}

/** A leaf value: bytes in memory (inline or bound for overflow at commit), or a value on disk. */
export type Value = Uint8Array | OverflowValue

/**
 * A leaf node's value slot: a Value; or, for a value still where the node's page had it, the
 * offset (>= 0) of its entry in `Node.base`; or, for an inline value a put copied into its
 * journal record, -1 − its length: the value follows the key's copy there (FORMAT.md §11: u32 key
 * length, key, u32 value length, value), so the key's view locates it. Both number forms are read
 * with valueAt. A leaf then holds no object per value: the views of every value put or decoded
 * were half the objects the garbage collector walked until the next checkpoint.
 */
export type ValueSlot = Value | number

/** The slot of an inline value of `length` bytes recorded right after its key (ValueSlot). */
export function recordSlot(length: number): number {
  return -1 - length
}

/** The value that a record slot (< 0) of `key` names: a view of the record's bytes. */
export function recordValue(key: Uint8Array, slot: number): Uint8Array {
  return new Uint8Array(key.buffer, key.byteOffset + key.length + 4, -1 - slot)
}

/**
 * A page for a packed leaf: an allocation of its own, exactly a page. A leaf's pages are taken one
 * at a time over its life (a copy of a published leaf at its first edit in a commit, a relayout, a
 * split's right half) and each lives as long as that leaf, a snapshot or a cached page keeps it:
 * pages carved from a shared slab of 16 pinned the whole slab for the one page of it still held,
 * and a random fill (a copy of a leaf per commit that touched it, ~0.8 page per put) held ~16x its
 * leaves' bytes (a 200,000-key fill: 6,400 slabs, 400 MiB, for 5,700 leaves of 4 KiB; a 5,000,000
 * one passed 16 GiB). An own allocation costs ~1.5 µs more than a slab's view, measured: ~4 % of
 * the fill's CPU. Takes counts them (the tests' check that no page shares an allocation).
 */
function packedPage(pageSize: number): Buffer {
  packedPages.taken++
  const page = Buffer.allocUnsafeSlow(pageSize)
  unsealed.add(page)
  return page
}

/**
 * The pages packedPage made that no seal has handed out yet (sealInPlace): only these are sealed
 * where they lie. A page of the cache that a leaf reads unchanged (one materialized on a writer's
 * way down and spilled as it was) is the cache's copy of another page id, and so is a page sealed
 * once: a seal under a new id would rewrite the header that copy is read by.
 */
const unsealed = new WeakSet<Buffer>()

/** Pages handed to packed leaves since the process started (packedPage). */
export const packedPages = { taken: 0 }

/** Entry indexes by offset, and sortByOffset's keys, reused by relayout (it is synchronous). */
let relayoutOrder = new Int32Array(64)
let relayoutKeys = new Float64Array(64)

/**
 * Copies the live entries of a packed leaf's page `src` (n slots, any layout) to the end of
 * `dst` (a page of the same size), slots in front; returns where the entries begin. The page is
 * copied whole and its entries then moved up within it, highest first, over the garbage between
 * them: copyWithin allocates nothing, where a view per entry to copy it from `src` made a relayout
 * of a full leaf cost ~25 µs (the garbage collector's work included).
 */
function relayout(src: Buffer, n: number, dst: Buffer): number {
  return relayoutRange(src, 0, n, dst)
}

/**
 * relayout of entries [from, to) of `src` only, as entries 0.. of `dst` (a split's right half):
 * the others stay in `dst` as bytes no slot names, between its slots and where its entries begin.
 */
function relayoutRange(src: Buffer, from: number, to: number, dst: Buffer): number {
  dst.set(src)
  const n = to - from
  if (relayoutOrder.length < n) relayoutOrder = new Int32Array(n * 2)
  const order = relayoutOrder
  sortByOffset(src, from, n, order)
  let at = dst.length
  for (let k = 0; k < n; k++) {
    const i = order[k]!
    const off = leafEntryOffset(src, i)
    const bytes = leafEntrySizeAt(src, off)
    at -= bytes
    // at >= off: the entries above this one took at most the bytes between it and the end. The
    // slots written below are dst's first n, inside src's slots: no entry is there to move.
    if (at !== off) dst.copyWithin(at, off, off + bytes)
    setLeafEntryOffset(dst, i - from, at)
  }
  return at
}

/** Above this many entries relayout sorts with Array#sort: insertion sort is O(n²) at worst. */
const INSERTION_SORT_MAX = 32

/**
 * Writes into `order` the indexes from..from+n-1 of the entries of leaf page `src`, by offset
 * descending. Insertion sort for a leaf of tens of entries (often nearly in order: no allocation);
 * above INSERTION_SORT_MAX, keys (offset * 65536 + index, offsets and counts are below 65536)
 * sorted as doubles, O(n log n), no allocation: a page of 64 KiB holds thousands of tiny entries.
 */
function sortByOffset(src: Buffer, from: number, n: number, order: Int32Array): void {
  if (n > INSERTION_SORT_MAX) {
    if (relayoutKeys.length < n) relayoutKeys = new Float64Array(n * 2)
    const keys = relayoutKeys.subarray(0, n)
    for (let k = 0; k < n; k++) keys[k] = leafEntryOffset(src, from + k) * 65536 + from + k
    keys.sort()
    for (let k = 0; k < n; k++) order[k] = keys[n - 1 - k]! % 65536
    return
  }
  for (let k = 0; k < n; k++) {
    const i = from + k
    const off = leafEntryOffset(src, i)
    let j = k
    while (j > 0 && leafEntryOffset(src, order[j - 1]!) < off) {
      order[j] = order[j - 1]!
      j--
    }
    order[j] = i
  }
}

/** Packed leaves hold inline keys only: a search in one never reads an out-of-line key. */
const NO_LONG_KEYS: KeyReader = {
  readKey(): Uint8Array {
    throw invariant('a packed leaf holds an out-of-line key')
  },
}

/** A child of a branch or a tree's root: an untouched page on disk, or a node being written. */
export type Child = Node | PageRef

export const EMPTY_KEY: Uint8Array = new Uint8Array(0)

/**
 * A mutable, decoded tree page: exists only for what a write transaction touches, and is written
 * once, to a fresh page, at commit (copy on write). Keys and inline values may be views into the
 * immutable page it was loaded from.
 *
 * A leaf that appends build (a new bucket's, or the right half of a split at the end, as an
 * ascending load makes) starts *packed*: its entries are written as page bytes in `base` as they
 * come (FORMAT.md §4, slots from the front, entries from the page's end down), with no object per
 * entry, and spill writes the bytes as they are. The first use of `keys` or `vals` decodes it for
 * good into the ordinary form (views and offset slots into `base`, as a page loaded from disk);
 * only appends of inline entries past its last key (appendPacked) keep it packed.
 *
 * Invariant: `size` is the number of bytes the node takes as a page (header, slots, entries).
 * Invariant: in a branch, keys[i] for i >= 1 separates kids[i-1] (all keys < keys[i]) from kids[i]
 * (all keys >= keys[i]); keys[0] is ignored on disk (written empty).
 */
export class Node {
  leaf: boolean
  #keys: Uint8Array[] | null
  #vals: ValueSlot[] | null
  /** Branch children, parallel to keys (empty in a leaf). */
  kids: Child[]
  /** The page this node was loaded from, freed when it is written; 0 for a new node. */
  orig: number
  size: number
  /**
   * Out-of-line keys' runs on disk that this node's entries own (FORMAT.md §10), by key object; null
   * when it owns none. Keys are held whole in `keys`; a run is reused when the node is written with
   * the same key object at a stored position, and freed otherwise (spill reconciles).
   * Invariant: a run is in at most one node's map, and then in no page this transaction writes.
   */
  runs: Map<Uint8Array, OverflowValue> | null
  /**
   * The write transaction that owns this node (TreeWriter.gen). Nodes of earlier, published
   * commits (the journal's dirty tree, FORMAT.md §11) are shared with readers' snapshots and never
   * modified while one can reach them: a writer of another generation copies them first
   * (materializeChild), or takes over a packed leaf no snapshot can reach (WriteTx.adopt).
   */
  gen = 0
  /**
   * The page a leaf was decoded from, whose entries its number slots name (never modified); for a
   * packed leaf, the page bytes it is built in (modified only by appendPacked while it owns them).
   */
  base: Buffer | null = null
  /** A packed leaf's entry count; -1 when the node is not packed. */
  #packed = -1
  /** Where a packed leaf's entries begin (in a page it owns): below is free, down to the slots. */
  #top = 0
  /** Bytes of replaced or removed entries between `#top` and the page's end. */
  #garbage = 0
  /** Whether a packed leaf may write `base`: a copy, or a leaf from a page, shares it until then. */
  #owns = false
  /**
   * Where saveState last saved this leaf: its entry in a LeafStates and that one's epoch (-1: never).
   * overwritePacked asks the writer's LeafStates whether the entry still holds this leaf's page.
   */
  #savedAt = -1
  #savedEpoch = 0
  /**
   * Whether `#keys` (and `#vals`) are a published node's (a copy shares them, clone): they are
   * never written through this node, and its first edit of each makes its own (a leaf's
   * insertEntry and the others build the edited array in one allocation; `keys` and `vals` copy
   * it whole). A random batch touches hundreds of leaves once each: copying their arrays and then
   * growing them for the insert was half of what such a commit allocated.
   */
  #sharedKeys = false
  #sharedVals = false
  /**
   * The keys' windows (tree/key-windows.ts), built by the first search and kept by the entry
   * methods; null until then, and again after any other change of the keys (the `keys` getter).
   * Invariant: when not null, parallel to `#keys` (a packed leaf's: to its slots, kept by
   * insertPacked, removePacked and splitPacked), each key (in a branch, from entry 1) starts with
   * `#pre` and its window is keyWindow(key, #pre.length).
   */
  #win: number[] | null = null
  /** Whether `#win` is a published node's (as #sharedKeys): the first edit copies it. */
  #sharedWin = false
  /**
   * Set when an insert reaches a leaf whose windows are a published node's: the leaf (and its
   * copies in later commits) is then searched without windows. A random fill inserts into each
   * leaf about once per commit that touches it, and copying its windows each time cost more (in
   * garbage: an array as large as the keys' per put) than its searches saved (BENCHMARK.md); an
   * overwrite, which changes no key, keeps them, and a delete copies them. A leaf decoded again
   * after a checkpoint starts afresh.
   */
  #winOff = false
  #pre: Uint8Array = EMPTY_KEY

  constructor(
    leaf: boolean,
    keys: Uint8Array[],
    vals: ValueSlot[],
    kids: Child[],
    orig: number,
    size: number,
    runs: Map<Uint8Array, OverflowValue> | null = null,
  ) {
    this.leaf = leaf
    this.#keys = keys
    this.#vals = vals
    this.kids = kids
    this.orig = orig
    this.size = size
    this.runs = runs
  }

  /** The keys, in order, to read or write (a packed leaf is decoded first; shared ones copied). */
  get keys(): Uint8Array[] {
    if (this.#keys === null) this.#unpack()
    else if (this.#sharedKeys) this.#ownKeys(this.#keys.slice())
    // The caller may change them in any way: the windows are built again when next needed.
    this.#win = null
    return this.#keys!
  }

  /** Leaf values, parallel to keys (empty in a branch); numbers name bytes (ValueSlot). */
  get vals(): ValueSlot[] {
    if (this.#vals === null) this.#unpack()
    else if (this.#sharedVals) this.#ownVals(this.#vals.slice())
    return this.#vals!
  }

  /** The keys, to read only: never written through (they may be a published node's). */
  get keyList(): readonly Uint8Array[] {
    if (this.#keys === null) this.#unpack()
    return this.#keys!
  }

  /** The values, to read only (as keyList). */
  get valList(): readonly ValueSlot[] {
    if (this.#vals === null) this.#unpack()
    return this.#vals!
  }

  /** Whether a decoded node's keys are still a published node's (#sharedKeys). */
  get sharesKeys(): boolean {
    return this.#sharedKeys
  }

  /** Inserts an entry at `pos` of a decoded leaf. O(n). */
  insertEntry(pos: number, key: Uint8Array, value: ValueSlot): void {
    if (this.#sharedKeys) this.#ownKeys(this.#keys!.toSpliced(pos, 0, key))
    else insertAt(this.#keys!, pos, key)
    this.#insertWindow(pos, key)
    if (this.#sharedVals) this.#ownVals(this.#vals!.toSpliced(pos, 0, value))
    else insertAt(this.#vals!, pos, value)
  }

  /** Inserts child `kid` at `at` of a branch, under separator `key` (a split's right half). O(n). */
  insertChild(at: number, key: Uint8Array, kid: Child): void {
    if (this.#sharedKeys) this.#ownKeys(this.#keys!.toSpliced(at, 0, key))
    else insertAt(this.#keys!, at, key)
    this.#insertWindow(at, key)
    insertAt(this.kids, at, kid)
  }

  /**
   * Replaces entry `pos` of a decoded leaf. `key` equals its key: the object whose bytes the entry
   * keeps, and when it is the same object, shared keys stay shared.
   */
  replaceEntry(pos: number, key: Uint8Array, value: ValueSlot): void {
    if (this.#keys![pos] !== key) {
      if (this.#sharedKeys) this.#ownKeys(this.#keys!.with(pos, key))
      else this.#keys![pos] = key
    }
    if (this.#sharedVals) this.#ownVals(this.#vals!.with(pos, value))
    else this.#vals![pos] = value
  }

  /** Removes entry `pos` of a decoded leaf. O(n). */
  removeEntry(pos: number): void {
    if (this.#sharedKeys) this.#ownKeys(this.#keys!.toSpliced(pos, 1))
    else this.#keys!.splice(pos, 1)
    this.#removeWindow(pos)
    if (this.#sharedVals) this.#ownVals(this.#vals!.toSpliced(pos, 1))
    else this.#vals!.splice(pos, 1)
  }

  /**
   * Keeps the windows over an insert of `key` at `pos` (moved to a shorter prefix when `key` lacks
   * theirs). A decoded leaf whose windows are a published node's stops keeping them (#winOff); a
   * packed leaf copies them, as its first edit copies the page (4 KiB against their few hundred
   * bytes).
   */
  #insertWindow(pos: number, key: Uint8Array): void {
    let win = this.#win
    if (win === null) return
    if (this.#sharedWin && this.leaf && this.#packed < 0) {
      this.#win = null
      this.#winOff = true
      return
    }
    if (!startsWithPrefix(key, this.#pre)) {
      const wide = widenWindows(win, this.#pre, key, this.leaf ? 0 : 1)
      if (wide === undefined) {
        this.#win = null
        return
      }
      this.#ownWin((win = wide.win))
      this.#pre = wide.pre
    }
    const w = keyWindow(key, this.#pre.length)
    if (this.#sharedWin) this.#ownWin(splicedWindows(win, pos, 0, w))
    else insertWindowAt(win, pos, w)
  }

  /** Keeps the windows over the removal of entry `pos` (a published node's are copied first). */
  #removeWindow(pos: number): void {
    const win = this.#win
    if (win === null) return
    if (!this.#sharedWin) removeWindowAt(win, pos)
    else this.#ownWin(splicedWindows(win, pos, 1, 0))
  }

  #ownWin(win: number[]): void {
    this.#win = win
    this.#sharedWin = false
  }

  /** The windows, built now if the node has none (undefined when it is too small for them). */
  #windows(): number[] | undefined {
    if (this.#win !== null) return this.#win
    if (this.#winOff) return undefined
    const keys = this.keyList
    const first = this.leaf ? 0 : 1
    if (keys.length - first < WINDOW_MIN) return undefined
    const { win, pre } = buildWindows(keys, first)
    this.#win = win
    this.#sharedWin = false
    this.#pre = pre
    return win
  }

  /**
   * In a decoded leaf: the index of the first key >= `key` (`known`: a prefix the key shares with
   * every key here), through the windows; -1 when the node has none (nodeLowerBound then).
   */
  windowLowerBound(key: Uint8Array, known: number): number {
    const win = this.#windows()
    return win === undefined ? -1 : windowLowerBound(this.keyList, win, this.#pre, key, known)
  }

  /** In a decoded branch: nodeBranchStep through the windows; -1 when the node has none. */
  windowBranchStep(key: Uint8Array, known: number): number {
    const win = this.#windows()
    return win === undefined ? -1 : windowBranchStep(this.keyList, win, this.#pre, key, known)
  }

  /**
   * Hands the windows over to a split (splitNode), which cuts them with the keys: `keep` entries
   * stay here, the rest go to `right`. A no-op when there are none.
   */
  splitWindows(win: readonly number[] | null, pre: Uint8Array, keep: number, right: Node): void {
    right.#winOff = this.#winOff
    if (win === null) return
    this.#ownWin(win.slice(0, keep))
    this.#pre = pre
    const moved = win.slice(keep)
    // A branch's entry 0 has no key (its window is below any).
    if (!right.leaf) moved[0] = -1
    right.#ownWin(moved)
    right.#pre = pre
  }

  /** The windows and their prefix as they are now (null: none), for splitWindows. */
  get windows(): { win: readonly number[] | null; pre: Uint8Array } {
    return { win: this.#win, pre: this.#pre }
  }

  #ownKeys(keys: Uint8Array[]): void {
    this.#keys = keys
    this.#sharedKeys = false
  }

  #ownVals(vals: ValueSlot[]): void {
    this.#vals = vals
    this.#sharedVals = false
  }

  /** Whether this is a packed leaf (see the class comment). */
  get packed(): boolean {
    return this.#packed >= 0
  }

  /** A new, empty packed leaf for pages of `pageSize` bytes. */
  static packedLeaf(pageSize: number): Node {
    const n = new Node(true, [], [], [], 0, HEADER_SIZE)
    n.#keys = null
    n.#vals = null
    n.#packed = 0
    n.#top = pageSize
    n.#owns = true
    n.base = packedPage(pageSize)
    return n
  }

  /** A packed leaf's entry count. */
  get count(): number {
    return this.#packed
  }

  /**
   * Whether a packed leaf's page is its own to edit. A leaf loaded from a page, or a copy of a
   * published one, shares its page: its first inline edit copies the page (#room). A random batch
   * touches hundreds of leaves once each: copying each in every commit cost more than decoding
   * them, but a leaf that owns its page is copied no more while no snapshot can reach it (the next
   * commits edit it in place, WriteTx.adopt), so it is copied about once per checkpoint.
   */
  get owns(): boolean {
    return this.#owns
  }

  /**
   * A packed leaf's last key compared with `key` (compareKeys' sign), or -1 when it is empty. No
   * allocation.
   */
  compareLast(key: Uint8Array): number {
    const n = this.#packed
    if (n <= 0) return -1
    const page = this.base!
    const off = leafEntryOffset(page, n - 1)
    return comparePageKeyFrom(page, leafKeyStart(off), leafKeyField(page, off), key, 0)
  }

  /** In a packed leaf: the index of `key`, or -1 − where it would go (leafFind). */
  find(key: Uint8Array, known: number): number {
    const win = this.#packedWindows()
    if (win === undefined) return leafFind(this.base!, key, known, NO_LONG_KEYS, this.#packed)
    const lo = windowRun(win, this.#pre, key, known)
    if (lo < 0) return lo
    const w = win[lo]
    let hi = lo + 1
    while (hi < win.length && win[hi] === w) hi++
    return leafFindIn(this.base!, key, this.#pre.length, NO_LONG_KEYS, lo, hi)
  }

  /**
   * A packed leaf's windows (tree/key-windows.ts), built now if it has none: parallel to its slots,
   * kept by its edits (insertPacked, removePacked, splitPacked) and by #unpack (the decoded form's
   * are the same). Undefined when it is too small for them, or they were given up (#winOff).
   */
  #packedWindows(): number[] | undefined {
    if (this.#win !== null) return this.#win
    if (this.#winOff) return undefined
    const n = this.#packed
    if (n < WINDOW_MIN) return undefined
    const page = this.base!
    const first = leafEntryOffset(page, 0)
    const last = leafEntryOffset(page, n - 1)
    const a = leafKeyStart(first)
    const b = leafKeyStart(last)
    const al = leafKeyField(page, first)
    const bl = leafKeyField(page, last)
    const m = al < bl ? al : bl
    let p = 0
    while (p < m && page[a + p] === page[b + p]) p++
    const pre = new Uint8Array(p)
    for (let i = 0; i < p; i++) pre[i] = page[a + i]!
    // Built by push from a double, so that the array holds unboxed doubles from the start.
    const win: number[] = [-0.5]
    win.pop()
    for (let i = 0; i < n; i++) {
      const off = leafEntryOffset(page, i)
      win.push(pageKeyWindow(page, leafKeyStart(off), leafKeyField(page, off), p))
    }
    this.#win = win
    this.#sharedWin = false
    this.#pre = pre
    return win
  }

  /**
   * Value i of a packed leaf: a view of its bytes. Edits write new entries, except overwritePacked,
   * which the writer does not use while a caller may hold such a view (savepoints, cursors).
   */
  packedValue(i: number): Uint8Array {
    const page = this.base!
    const off = leafEntryOffset(page, i)
    return new Uint8Array(page.buffer, page.byteOffset + leafValueStart(page, off), leafValueWord(page, off))
  }

  /**
   * Appends an entry to a packed leaf, after its last key (the caller has compared), when it fits
   * in the page; returns whether it did. Key and value must be inline (FORMAT.md §4) and are
   * copied.
   */
  appendPacked(key: Uint8Array, value: Uint8Array, pageSize: number): boolean {
    return this.insertPacked(this.#packed, key, value, pageSize)
  }

  /**
   * Inserts an inline entry (copied) at `pos` of a packed leaf when it fits in the page: its bytes
   * go below the others, its slot between slots pos − 1 and pos. Returns whether it did.
   */
  insertPacked(pos: number, key: Uint8Array, value: Uint8Array, pageSize: number): boolean {
    const bytes = inlineEntrySize(key.length, value.length)
    if (this.size + SLOT_SIZE + bytes > pageSize) return false
    const page = this.#room(SLOT_SIZE + bytes, pageSize)
    const n = this.#packed
    const off = this.#top - bytes
    writeInlineEntry(page, off, key, value)
    const at = HEADER_SIZE + SLOT_SIZE * pos
    if (pos < n) page.copyWithin(at + SLOT_SIZE, at, HEADER_SIZE + SLOT_SIZE * n)
    setLeafEntryOffset(page, pos, off)
    this.#packed = n + 1
    this.#top = off
    this.size += SLOT_SIZE + bytes
    this.#insertWindow(pos, key)
    return true
  }

  /**
   * Replaces entry `pos` of a packed leaf with an inline one (copied) when the page has room for
   * both; returns whether it did.
   */
  replacePacked(pos: number, key: Uint8Array, value: Uint8Array, pageSize: number): boolean {
    const bytes = inlineEntrySize(key.length, value.length)
    const at = leafEntryOffset(this.base!, pos)
    const was = leafEntrySizeAt(this.base!, at)
    if (bytes <= was && (!this.#owns || this.size + bytes > pageSize)) {
      // A page shared (with a published leaf, or the page cache), or one without room for both
      // entries, is copied for this edit: no view of the copy's bytes exists yet, so the entry is
      // overwritten there, at its place. An overwrite into a full leaf (after an ascending load,
      // or any checkpoint, or one edited in place, WriteTx.adopt) then costs one page copy, where
      // making room below the entries laid the page out again (twice when it was shared).
      const page = packedPage(pageSize)
      page.set(this.base!)
      this.base = page
      this.#owns = true
      writeInlineEntry(page, at, key, value)
      this.#garbage += was - bytes
      this.size += bytes - was
      return true
    }
    // The new entry is written before the old one becomes garbage: the page needs room for both.
    if (this.size + bytes > pageSize) return false
    const page = this.#room(bytes, pageSize)
    const off = this.#top - bytes
    writeInlineEntry(page, off, key, value)
    // The old entry's bytes stay where they are (views of its value may be held): garbage now.
    this.#garbage += was
    setLeafEntryOffset(page, pos, off)
    this.#top = off
    this.size += bytes - was
    return true
  }

  /**
   * Overwrites value `pos` of a packed leaf that owns its page with `value`, where the old value
   * lies, when that one is inline and of the same length: the entry's size, its slot and the
   * page's layout stay as they are (FORMAT.md §4). Returns whether it did. Unlike every other edit
   * of a packed leaf this rewrites an entry's bytes, so the caller knows that no view of them is
   * held (tree/in-place-values.ts); in the published page of a leaf the writer edits in place,
   * the bytes replaced are saved first (`saved`).
   */
  overwritePacked(pos: number, value: Uint8Array, saved: LeafStates<Node>): boolean {
    if (!this.#owns) return false
    const page = this.base!
    const off = leafEntryOffset(page, pos)
    const length = value.length
    if (leafValueWord(page, off) !== length) return false // an overflow word is >= 2^31: never equal
    const at = leafValueStart(page, off)
    if (this.#savedAt >= 0 && saved.savedPage(this.#savedAt, this.#savedEpoch) === page)
      saved.saveBytes(page, at, length)
    page.set(value, at)
    return true
  }

  /** Removes entry `pos` of a packed leaf. */
  removePacked(pos: number, pageSize: number): void {
    const page = this.#room(0, pageSize)
    const n = this.#packed
    const bytes = leafEntrySizeAt(page, leafEntryOffset(page, pos))
    const at = HEADER_SIZE + SLOT_SIZE * pos
    page.copyWithin(at, at + SLOT_SIZE, HEADER_SIZE + SLOT_SIZE * n)
    this.#removeWindow(pos)
    this.#packed = n - 1
    this.#garbage += bytes
    this.size -= SLOT_SIZE + bytes
  }

  /**
   * Splits a packed leaf where the left half first reaches half the bytes: entries from there on
   * move to a new packed leaf, returned; this one keeps the rest. Each half then has room for any
   * inline entry (no entry exceeds a quarter of a page).
   */
  splitPacked(pageSize: number): Node {
    const page = this.base!
    const n = this.#packed
    const half = (this.size - HEADER_SIZE) / 2
    let acc = 0
    let m = 0
    while (m < n - 1) {
      acc += SLOT_SIZE + leafEntrySizeAt(page, leafEntryOffset(page, m))
      m++
      if (acc >= half) break
    }
    if (m < 1) m = 1
    const right = Node.packedLeaf(pageSize)
    // The page copied whole and the moved entries packed within the copy: a Buffer#copy per entry
    // made a view of each to copy it from.
    const top = relayoutRange(page, m, n, right.base!)
    right.#packed = n - m
    right.#top = top
    right.size = HEADER_SIZE + SLOT_SIZE * (n - m) + (pageSize - top)
    right.gen = this.gen
    this.splitWindows(this.#win, this.#pre, m, right)
    // The moved entries' bytes stay here as garbage (a copy's may be shared: nothing is rewritten).
    this.#packed = m
    this.#garbage += pageSize - top
    this.size -= right.size - HEADER_SIZE
    return right
  }

  /**
   * A copy of key 0 (a packed leaf stays packed), for a split's separator. A copy: the separator
   * lives in the branch as long as the split does, and a view would pin what the key's bytes are
   * in, the leaf's page of the moment (replaced at its next copy or relayout) or a 64 KiB chunk of
   * a journal record; a random fill's branches held as many dead leaf pages as live ones.
   */
  firstKey(): Uint8Array {
    let key: Uint8Array
    if (this.#packed <= 0) key = this.keyList[0]!
    else {
      const page = this.base!
      const off = leafEntryOffset(page, 0)
      key = page.subarray(leafKeyStart(off), leafKeyStart(off) + leafKeyField(page, off))
    }
    // Up to 64 bytes, V8 keeps a typed array's bytes on its heap: no allocation of its own.
    const copy = new Uint8Array(key.length)
    copy.set(key)
    return copy
  }

  /**
   * encodePacked into the page the leaf reads, when it holds no garbage (its bytes are then laid
   * out as the page's) and is a page made in memory that no seal has handed out yet (`unsealed`):
   * only the header and the free middle change, which no reader of a packed leaf reads, so a
   * published leaf may be sealed so, and its page handed out as is: no copy, no second 4 KiB
   * held. A leaf written ahead of its checkpoint (tx/early-pages.ts) owns its page; a checkpoint's
   * private copy shares it with the published leaf (clone), and no writer edits a shared page (an
   * edit copies it first, #room), so the page is the leaf's, whoever holds it. Undefined for any
   * other page. No later edit touches the page: the leaf gives up owning it (adopt passes it by).
   */
  sealInPlace(pgid: number, txid: number): Buffer | undefined {
    if (this.#garbage !== 0 || this.#top <= 0) return undefined
    const page = this.base!
    if (!unsealed.delete(page)) return undefined
    writeHeader(page, pgid, txid, PageType.leaf, this.#packed)
    page.fill(0, HEADER_SIZE + SLOT_SIZE * this.#packed, this.#top)
    sealPage(page)
    // The page is handed out to be written: no writer may edit it in place any more (adopt).
    this.#owns = false
    return page
  }

  /**
   * Ends in-place edits of a packed leaf's page: its next edit copies the page first (#room), and
   * WriteTx.adopt passes it by. For a leaf written ahead of its checkpoint from a copy
   * (tx/early-pages.ts), whose page must stay a true copy of it.
   */
  disown(): void {
    this.#owns = false
  }

  /**
   * FORMAT.md §4: a packed leaf as page `pgid` of commit `txid`, written into `page` (any prior
   * contents) and sealed: slots in front, entries at the end, the middle zeroed.
   */
  encodePacked(pgid: number, txid: number, page: Buffer): Buffer {
    const n = this.#packed
    const slotsEnd = HEADER_SIZE + SLOT_SIZE * n
    let top: number
    if (this.#garbage === 0 && this.#top > 0) {
      // Live entries only, back to back from #top to the page's end (owned or shared alike: a
      // checkpoint encodes private copies, which share their page): one copy of the whole page,
      // whose header and free middle are then overwritten.
      page.set(this.base!)
      top = this.#top
    } else top = relayout(this.base!, n, page)
    writeHeader(page, pgid, txid, PageType.leaf, n)
    page.fill(0, slotsEnd, top)
    sealPage(page)
    return page
  }

  /**
   * The page a packed leaf may write, with `need` bytes free between its slots and its entries:
   * `base` when it owns it and has the room, else a fresh copy of its live entries.
   */
  #room(need: number, pageSize: number): Buffer {
    const gap = this.#top - (HEADER_SIZE + SLOT_SIZE * this.#packed)
    if (this.#owns && gap >= need) return this.base!
    const page = packedPage(pageSize)
    if (!this.#owns && this.#top > 0 && gap >= need) {
      // A shared page laid out as a packed leaf's (entries at the end): one copy.
      page.set(this.base!)
    } else {
      this.#top = relayout(this.base!, this.#packed, page)
      this.#garbage = 0
    }
    this.#owns = true
    this.base = page
    return page
  }

  /** Decodes a packed leaf for good: key views and offset slots into `base` (as Node.fromPage). */
  #unpack(): void {
    const n = this.#packed
    const page = this.base!
    const keys = new Array<Uint8Array>(n)
    const vals = new Array<ValueSlot>(n)
    for (let i = 0; i < n; i++) {
      const off = leafEntryOffset(page, i)
      keys[i] = new Uint8Array(page.buffer, page.byteOffset + leafKeyStart(off), leafKeyField(page, off))
      vals[i] = off
    }
    this.#keys = keys
    this.#vals = vals
    this.#packed = -1
    // Offset slots name `base`, which must not change any more: a copy shares it.
    this.#owns = false
  }

  /** Records that this node owns `run` for `key`. */
  own(key: Uint8Array, run: OverflowValue): void {
    if (this.runs === null) this.runs = new Map()
    this.runs.set(key, run)
  }

  /** Moves the run of `key`, if this node owns one, to `to` (under `as`, an equal key's object). */
  moveRun(key: Uint8Array, to: Node, as: Uint8Array = key): void {
    const run = this.runs?.get(key)
    if (run === undefined) return
    this.runs!.delete(key)
    to.own(as, run)
  }

  /**
   * A copy owned by writer `gen`: the same keys, values and children, its own map of key runs, and
   * its own arrays (shared until its first edit, #sharedKeys). The original, published, is
   * never written, so the runs it lists stay where they are.
   */
  clone(gen: number): Node {
    if (this.#packed >= 0) {
      // The page bytes are shared until the copy's first edit (#room copies them).
      const p = new Node(true, [], [], [], this.orig, this.size)
      p.#keys = null
      p.#vals = null
      p.#packed = this.#packed
      p.#top = this.#top
      p.#garbage = this.#garbage
      p.base = this.base
      p.gen = gen
      p.#win = this.#win
      p.#sharedWin = true
      p.#pre = this.#pre
      p.#winOff = this.#winOff
      this.#owns = false
      return p
    }
    const runs = this.runs === null ? null : new Map(this.runs)
    // A branch's children are written by every descent (materializeChild): they are copied now.
    const kids = this.leaf ? this.kids : this.kids.slice()
    const n = new Node(this.leaf, this.#keys!, this.#vals!, kids, this.orig, this.size, runs)
    n.#sharedKeys = true
    n.#sharedVals = true
    n.#win = this.#win
    n.#sharedWin = true
    n.#pre = this.#pre
    n.#winOff = this.#winOff
    n.gen = gen
    n.base = this.base
    return n
  }

  /**
   * What an in-place edit of a published packed leaf may change, saved into `states` before its
   * first one (WriteTx.adopt): every field, and the bytes of its slots. The edits write only the
   * slots and the free gap below `#top`, which the saved state does not read, or move to another
   * page: the entries the saved state names are never written, so restoring the fields and the
   * slots gives back the leaf as it was (restoreState).
   */
  saveState(states: LeafStates<Node>): void {
    if (this.#packed < 0 || !this.#owns) throw invariant('only a packed leaf that owns its page is edited in place')
    this.#savedAt = states.length
    this.#savedEpoch = states.epoch
    states.save(this, this.base!, this.gen, this.size, this.orig, this.#packed, this.#top, this.#garbage)
  }

  /**
   * Gives the leaf back the state that saveState saved as entry `i` of `states` (its edits since are
   * dropped), in its saved page, or in `copy`, a copy of that page (WriteTx.detachAdopted: the
   * page itself stays as the writer's edits left it, for the copy of the leaf that the writer goes
   * on with, detachedCopy).
   */
  restoreState(states: LeafStates<Node>, i: number, copy?: Buffer): void {
    this.leaf = true
    this.#keys = null
    this.#vals = null
    this.kids = []
    this.runs = null
    this.orig = states.orig(i)
    this.size = states.size(i)
    this.gen = states.gen(i)
    this.base = copy ?? states.base(i)
    this.#packed = states.count(i)
    this.#top = states.top(i)
    this.#garbage = states.garbage(i)
    this.#owns = true
    this.#sharedKeys = false
    this.#sharedVals = false
    this.#win = null
    this.#sharedWin = false
    this.#winOff = false
    this.#pre = EMPTY_KEY
    states.restoreSlots(i, this.base)
  }

  /**
   * A copy of page `page` of a packed leaf, for restoreState to restore a saved state in
   * (WriteTx.detachAdopted).
   */
  static pageCopy(page: Buffer): Buffer {
    const copy = packedPage(page.length)
    copy.set(page)
    return copy
  }

  /**
   * A copy of this leaf as it is now, edits included, for the writer to keep editing while this
   * one goes back to a saved state (WriteTx.detachAdopted). The copy takes over this leaf's page
   * and arrays as they are: this one is restored in a copy of its saved page (restoreState), so
   * no byte the writer's leaf names changes. Restoring in the page itself rewrote bytes that the
   * writer's edits had since given other meanings: the saved slots where its entries now lay (a
   * leaf that lost entries and gained others), the saved values where it had overwritten them
   * (overwritePacked), and a leaf decoded since (a cursor's, #unpack) named those bytes by key
   * views and value offsets: committed keys and values were lost (K1, FAILING.md of kysely-btree).
   */
  detachedCopy(): Node {
    const p = new Node(this.leaf, [], [], this.kids, this.orig, this.size, this.runs)
    p.gen = this.gen
    p.#keys = this.#keys
    p.#vals = this.#vals
    p.#packed = this.#packed
    p.#top = this.#top
    p.#garbage = this.#garbage
    p.#sharedKeys = this.#sharedKeys
    p.#sharedVals = this.#sharedVals
    p.#win = this.#win
    p.#sharedWin = this.#sharedWin
    p.#winOff = this.#winOff
    p.#pre = this.#pre
    p.base = this.base
    p.#owns = this.#owns
    return p
  }

  /** A private deep copy of every in-memory node under this one (pages stay references). */
  cloneTree(gen: number): Node {
    const n = this.clone(gen)
    // Its owner (a checkpoint's rebalance and spill) edits leaves in ways other than the entry
    // methods: the arrays are made its own now.
    if (n.#sharedKeys) n.#ownKeys(n.#keys!.slice())
    if (n.#sharedVals) n.#ownVals(n.#vals!.slice())
    if (!n.leaf) {
      for (let i = 0; i < n.kids.length; i++) {
        const k = n.kids[i]!
        if (k instanceof Node) n.kids[i] = k.cloneTree(gen)
      }
    }
    return n
  }

  static emptyLeaf(): Node {
    return new Node(true, [], [], [], 0, HEADER_SIZE)
  }

  /**
   * A leaf page whose keys and values are all inline, as a packed leaf sharing the page (it is
   * copied at the first edit); undefined when an entry is out of line or overflows.
   */
  static #packedFromPage(page: Buffer, pgid: number, n: number): Node | undefined {
    let size = HEADER_SIZE + SLOT_SIZE * n
    let top = page.length
    for (let i = 0; i < n; i++) {
      const off = leafEntryOffset(page, i)
      if (isLongKeyField(leafKeyField(page, off)) || isOverflowWord(leafValueWord(page, off))) return undefined
      size += leafEntrySizeAt(page, off)
      if (off < top) top = off
    }
    const node = new Node(true, [], [], [], pgid, size)
    node.#keys = null
    node.#vals = null
    node.#packed = n
    node.base = page
    // Entries filling the page's end (as encodePacked writes them): an append copies the page as
    // it is; otherwise (top 0) it lays the entries out again.
    node.#top = size - HEADER_SIZE - SLOT_SIZE * n === page.length - top ? top : 0
    return node
  }

  /**
   * Decodes a verified branch or leaf page into a node that will replace it. Out-of-line keys are
   * read whole through `reader`, and their runs become the node's (FORMAT.md §10).
   */
  static fromPage(page: Buffer, pgid: number, reader: KeyReader): Node {
    const n = pageCount(page)
    const keys = new Array<Uint8Array>(n)
    let runs: Map<Uint8Array, OverflowValue> | null = null
    if (pageType(page) === PageType.leaf) {
      const packed = Node.#packedFromPage(page, pgid, n)
      if (packed !== undefined) return packed
      // Plain Uint8Array views: Buffer.subarray costs a Buffer construction per key and value, and
      // a random-order commit decodes hundreds of leaves.
      const ab = page.buffer
      const base = page.byteOffset
      const vals = new Array<ValueSlot>(n)
      let size = HEADER_SIZE + SLOT_SIZE * n
      for (let i = 0; i < n; i++) {
        const off = leafEntryOffset(page, i)
        const field = leafKeyField(page, off)
        const word = leafValueWord(page, off)
        const start = leafKeyStart(off)
        const at = start + keyPartSize(field)
        if (!isLongKeyField(field)) keys[i] = new Uint8Array(ab, base + start, field)
        else keys[i] = readLongKey(page, start, reader, (runs ??= new Map()))
        vals[i] = isOverflowWord(word)
          ? new OverflowValue(overflowRefPage(page, at), overflowRefTxid(page, at), valueWordLength(word))
          : off
        size += at - off + storedValueSize(word)
      }
      const node = new Node(true, keys, vals, [], pgid, size, runs)
      node.base = page
      return node
    }
    const kids = new Array<Child>(n)
    let size = HEADER_SIZE
    for (let i = 0; i < n; i++) {
      const field = branchKeyField(page, i)
      const start = branchKeyStart(page, i)
      if (i === 0) keys[i] = EMPTY_KEY
      else if (!isLongKeyField(field)) keys[i] = page.subarray(start, start + field)
      else keys[i] = readLongKey(page, start, reader, (runs ??= new Map()))
      kids[i] = { pgid: branchChild(page, i), txid: branchChildTxid(page, i) }
      size += SLOT_SIZE + BRANCH_ENTRY_HEADER + (i === 0 ? 0 : keyPartSize(field))
    }
    return new Node(false, keys, [], kids, pgid, size, runs)
  }
}

/**
 * `win.toSpliced(pos, remove, w)` (`w` inserted when `remove` is 0) for an array of unboxed
 * doubles, made as one copy and shifted in place: toSpliced measured slower in the engine's random
 * fill (its result was not always an array of unboxed doubles).
 */
function splicedWindows(win: readonly number[], pos: number, remove: number, w: number): number[] {
  const n = win.length
  if (remove !== 0) {
    const out = win.slice(0, n - 1)
    for (let i = pos; i < n - 1; i++) out[i] = win[i + 1]!
    return out
  }
  // concat allocates the array at its size (slice then push allocated it twice, the second time
  // with room to grow).
  const out = win.concat(w)
  for (let i = n; i > pos; i--) out[i] = out[i - 1]!
  out[pos] = w
  return out
}

/**
 * insertAt for a node's windows, a store site of its own. V8 makes a keyed store that has met arrays
 * of several elements kinds move each array it stores into to their common kind: insertAt also
 * inserts into keys, values and children (arrays of objects), so once it had met those, every
 * window array it grew became an array of any values, each window a boxed heap number. Measured
 * (btree-level, a random fill of 200,000 keys after fills, overwrites and deletes of another
 * database in the process): all but 55 of 387,570 branch steps read boxed windows, none before.
 */
function insertWindowAt(win: number[], at: number, w: number): void {
  let i = win.length
  if (i === at) {
    win.push(w)
    return
  }
  win.push(win[i - 1]!)
  for (i--; i > at; i--) win[i] = win[i - 1]!
  win[at] = w
}

/**
 * `win.splice(at, 1)` for a node's windows, without the array of removed items that splice
 * allocates. The last one goes by `pop()`, which optimized code does inline: `length = n` is a call
 * into V8's runtime, 2 % of a random delete through btree-level.
 */
function removeWindowAt(win: number[], at: number): void {
  const n = win.length - 1
  for (let i = at; i < n; i++) win[i] = win[i + 1]!
  win.pop()
}

/** `array.splice(at, 0, item)` without the array of removed items that splice allocates. */
function insertAt<T>(array: T[], at: number, item: T): void {
  let i = array.length
  if (i === at) {
    array.push(item)
    return
  }
  array.push(array[i - 1]!)
  for (i--; i > at; i--) array[i] = array[i - 1]!
  array[at] = item
}

/** An out-of-line key part at `start` (FORMAT.md §10): the whole key, its run recorded in `runs`. */
function readLongKey(page: Buffer, start: number, reader: KeyReader, runs: Map<Uint8Array, OverflowValue>): Uint8Array {
  const run = new OverflowValue(longKeyPage(page, start), longKeyTxid(page, start), longKeyLength(page, start))
  const key = reader.readKey(run.pgid, run.txid, run.length)
  runs.set(key, run)
  return key
}

/** Value i of a leaf node, as bytes (a view into its page when the slot is an offset) or a run. */
export function valueAt(node: Node, i: number): Value {
  const v = node.valList[i]!
  if (typeof v !== 'number') return v
  if (v < 0) return recordValue(node.keyList[i]!, v)
  const page = node.base!
  return new Uint8Array(page.buffer, page.byteOffset + leafValueStart(page, v), leafValueWord(page, v))
}

/** Bytes entry i of a leaf node takes in a page, slot included. */
export function nodeEntryBytes(pageSize: number, node: Node, i: number): number {
  return slotEntryBytes(pageSize, node.keyList[i]!, node.valList[i]!, node.base)
}

/** Bytes a leaf entry of `key` and value slot `v` takes in a page, slot included (`base`: Node.base). */
export function slotEntryBytes(pageSize: number, key: Uint8Array, v: ValueSlot, base: Buffer | null): number {
  if (typeof v !== 'number') return leafEntryBytes(pageSize, key, v)
  if (v < 0) return SLOT_SIZE + LEAF_ENTRY_HEADER + storedKeySize(pageSize, key.length) + (-1 - v)
  return SLOT_SIZE + leafEntrySizeAt(base!, v)
}

/** Turns a leaf's offset slots into views, so that its entries can move to a node of another base. */
export function resolveSlots(node: Node): void {
  for (let i = 0; i < node.vals.length; i++) {
    const v = node.vals[i]!
    if (typeof v === 'number' && v >= 0) node.vals[i] = valueAt(node, i)
  }
  node.base = null
}

/** Bytes a leaf entry takes in a page, slot included. */
export function leafEntryBytes(pageSize: number, key: Uint8Array, value: Value): number {
  let stored: number
  if (value instanceof OverflowValue) stored = OVERFLOW_REF_SIZE
  else stored = isOverflowValue(pageSize, key.length, value.length) ? OVERFLOW_REF_SIZE : value.length
  return SLOT_SIZE + LEAF_ENTRY_HEADER + storedKeySize(pageSize, key.length) + stored
}

/** Bytes branch entry i takes in a page, slot included (entry 0's key is not stored). */
export function branchEntryBytes(pageSize: number, key: Uint8Array, index: number): number {
  return SLOT_SIZE + BRANCH_ENTRY_HEADER + (index === 0 ? 0 : storedKeySize(pageSize, key.length))
}

/** Recomputes a node's size from its entries. O(n). */
export function computeSize(node: Node, pageSize: number): number {
  let size = HEADER_SIZE
  if (node.leaf) {
    for (let i = 0; i < node.keyList.length; i++) size += nodeEntryBytes(pageSize, node, i)
  } else {
    for (let i = 0; i < node.keyList.length; i++) size += branchEntryBytes(pageSize, node.keyList[i]!, i)
  }
  return size
}

// base/shapes.ts: every node of a database is garbage once it is closed or checkpointed.
keepShapes('tree/node', [new Node(true, [], [], [], 0, HEADER_SIZE), new OverflowValue(0, 0, 0)])
