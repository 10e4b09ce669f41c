import { branchChild, branchChildTxid, stepChild, stepPrefix } from '../page/branch-page.js'
import { compareKeys } from '../page/key-compare.js'
import { PageType, pageCount, pageType } from '../page/layout.js'
import {
  isOverflowWord,
  leafEntryOffset,
  leafIsLongKey,
  leafIsOverflow,
  leafKey,
  leafKeyField,
  leafKeyStart,
  leafOverflowRef,
  leafValueBytes,
  leafValueLength,
  leafValueStart,
  leafValueWord,
  overflowRefPage,
  overflowRefTxid,
  valueWordLength,
} from '../page/leaf-page.js'
import type { Pager } from '../store/pager.js'
import type { Cursor, ValueRef } from '../base/types.js'
import { type Child, Node, OverflowValue, valueAt } from './node.js'
import { nodeBranchStep, nodeLowerBound, pageBranchStep, pageLeafFind } from './search.js'

/** Where a cursor finds its tree. `version` changes whenever the tree is modified. */
export interface CursorSource {
  readonly pager: Pager
  root(): Child
  version(): number
  /** Throws when the transaction (or the database) is closed. */
  assertOpen(): void
  /**
   * A read snapshot's tree: no node of it changes while the cursor can reach it (packed leaves
   * are then read as the page bytes they are, not decoded: Frame.set).
   */
  readonly readOnly?: boolean
}

/** One level of the cursor's path: a page read in place, or a node of the write transaction. */
class Frame {
  node: Node | null = null
  page: Buffer | null = null
  /** The packed leaf whose page bytes `page` is (read as a page: its header's count is not kept). */
  packed: Node | null = null
  index = 0
  count = 0
  leaf = false

  set(child: Child, pager: Pager, readOnly: boolean): void {
    if (readOnly && child instanceof Node && child.packed) {
      // A packed leaf of a snapshot (tree/node.ts) is page bytes that no writer edits while a
      // snapshot can reach it (WriteTx.adopt): read as a page, as treeGet reads it. Decoding it
      // (keyList) was for good: every later overwrite of the leaf then kept its value as a view
      // of its journal record, apart from the others, and a scan of a table after random
      // updates waited on memory for most of its rows.
      this.node = null
      this.page = child.base!
      this.packed = child
      this.count = child.count
      this.leaf = true
      return
    }
    this.packed = null
    if (child instanceof Node) {
      this.node = child
      this.page = null
      this.count = child.keyList.length
      this.leaf = child.leaf
    } else {
      const page = pager.treePage(child.pgid, child.txid)
      this.node = null
      this.page = page
      this.count = pageCount(page)
      this.leaf = pageType(page) === PageType.leaf
    }
  }

  child(i: number, pager: Pager): Child | Buffer {
    if (this.node !== null) return this.node.kids[i]!
    const page = this.page!
    return pager.treePage(branchChild(page, i), branchChildTxid(page, i))
  }
}

/**
 * A cursor over one tree. Moves cost O(1) amortized (O(log n) at a leaf boundary); keys and values
 * are views valid until the next move. If the tree changes under the cursor (a write in the same
 * transaction), the next move re-seeks from the current key, so it never skips or repeats.
 */
export class TreeCursor implements Cursor {
  readonly #src: CursorSource
  readonly #frames: Frame[] = []
  #depth = 0
  #valid = false
  #version = 0
  /**
   * The key at the current position: an immutable buffer, kept for re-seeking after writes. On a
   * page it is made when first read (#currentKey): a scan that reads values alone makes no view of
   * each key. Pages are never modified, so the page and index say the same key later (an
   * out-of-line key, read through the pager, is read at once).
   */
  #key: Uint8Array | undefined
  /** The page whose entry #keyIndex is the current key when #key is not made yet, else null. */
  #keyPage: Buffer | null = null
  #keyIndex = 0
  /** The journal chunk whose values valueRef read last, and a view of all of it. */
  #chunk: ArrayBufferLike | undefined
  #chunkView: Uint8Array = new Uint8Array(0)

  constructor(src: CursorSource) {
    this.#src = src
  }

  get valid(): boolean {
    return this.#valid
  }

  get key(): Uint8Array | undefined {
    return this.#valid ? this.#currentKey() : undefined
  }

  get value(): Uint8Array | undefined {
    if (!this.#valid) return undefined
    this.#src.assertOpen()
    const f = this.#frames[this.#depth - 1]!
    if (f.node !== null) {
      const v = valueAt(f.node, f.index)
      return v instanceof Uint8Array ? v : this.#src.pager.readOverflow(v.pgid, v.txid, v.length)
    }
    const page = f.page!
    if (leafIsOverflow(page, f.index)) {
      const [pgid, txid] = leafOverflowRef(page, f.index)
      return this.#src.pager.readOverflow(pgid, txid, leafValueLength(page, f.index))
    }
    return leafValueBytes(page, f.index)
  }

  valueRef(ref: ValueRef): boolean {
    // No assertOpen (as `key`): it reads memory the cursor holds, and the move that landed here
    // checked; only an overflow value, read from the file, checks again. A scan pays the
    // transaction's and the database's checks once per entry, not twice.
    if (!this.#valid) return false
    const f = this.#frames[this.#depth - 1]!
    return this.#refAt(f, f.index, ref)
  }

  keyRef(ref: ValueRef): boolean {
    if (!this.#valid) return false
    const page = this.#keyPage
    // An inline key of a page (#land read an out-of-line one already), or the key made.
    if (page !== null) pageKeyRef(page, this.#keyIndex, ref)
    else wholeRef(this.#key!, ref)
    return true
  }

  leafKeyRefs(ref: ValueRef, visit: (ref: ValueRef) => void): number {
    const f = this.#leafFrame()
    if (f === undefined) return 0
    const start = f.index
    const end = f.count
    const node = f.node
    if (node === null) {
      const page = f.page!
      for (let i = start; i < end; i++) {
        // An out-of-line key (FORMAT.md §10) is read whole through the pager, as `key` reads it.
        if (leafIsLongKey(page, i)) wholeRef(leafKey(page, i, this.#src.pager), ref)
        else pageKeyRef(page, i, ref)
        visit(ref)
      }
    } else {
      const keys = node.keyList
      for (let i = start; i < end; i++) {
        wholeRef(keys[i]!, ref)
        visit(ref)
      }
    }
    return this.#leaveLeaf(f, start)
  }

  leafValueRefs(ref: ValueRef, visit: (ref: ValueRef) => void): number {
    const f = this.#leafFrame()
    if (f === undefined) return 0
    const start = f.index
    const end = f.count
    const node = f.node
    if (node === null) {
      const page = f.page!
      for (let i = start; i < end; i++) {
        this.#pageValueRef(page, i, ref)
        visit(ref)
      }
    } else {
      for (let i = start; i < end; i++) {
        this.#refAt(f, i, ref)
        visit(ref)
      }
    }
    return this.#leaveLeaf(f, start)
  }

  /**
   * The leaf frame a read of the rest of a leaf starts from (leafKeyRefs, leafValueRefs), the
   * current key found again when the tree changed since the last move (as next() does); undefined
   * off an entry.
   */
  #leafFrame(): Frame | undefined {
    if (!this.#valid) return undefined
    this.#src.assertOpen()
    if (this.#version !== this.#src.version()) {
      this.#seek(this.#currentKey())
      if (!this.#settleForward()) return undefined
    }
    return this.#frames[this.#depth - 1]!
  }

  /** Leaves the cursor on the last entry of leaf frame `f` after reading it from `start` on; returns how many that was. */
  #leaveLeaf(f: Frame, start: number): number {
    f.index = f.count - 1
    this.#land(f)
    return f.count - start
  }

  /** Points `ref` at the value of entry i of the leaf frame `f`. */
  #refAt(f: Frame, i: number, ref: ValueRef): boolean {
    const node = f.node
    if (node === null) return this.#pageValueRef(f.page!, i, ref)
    const v = node.valList[i]!
    if (typeof v === 'number') {
      if (v >= 0) return this.#pageEntryRef(node.base!, v, ref)
      return this.#recordRef(node.keyList[i]!, v, ref)
    }
    if (v instanceof OverflowValue) return this.#overflowRef(v.pgid, v.txid, v.length, ref)
    wholeRef(v, ref)
    return true
  }

  /**
   * A record slot `v` (< 0) of `key` (tree/node.ts recordValue): the value follows its key's copy
   * and a u32 length in the journal record's chunk, which many values share: one view per chunk.
   */
  #recordRef(key: Uint8Array, v: number, ref: ValueRef): boolean {
    if (key.buffer !== this.#chunk) {
      this.#chunk = key.buffer
      this.#chunkView = new Uint8Array(key.buffer)
    }
    ref.bytes = this.#chunkView
    ref.offset = key.byteOffset + key.length + 4
    ref.length = -1 - v
    return true
  }

  #overflowRef(pgid: number, txid: number, length: number, ref: ValueRef): boolean {
    this.#src.assertOpen()
    const bytes = this.#src.pager.readOverflow(pgid, txid, length)
    ref.bytes = bytes
    ref.offset = 0
    ref.length = bytes.length
    return true
  }

  #pageValueRef(page: Buffer, i: number, ref: ValueRef): boolean {
    const off = leafEntryOffset(page, i)
    const word = leafValueWord(page, off)
    if (!isOverflowWord(word)) {
      // The word read once (a scan's every entry comes here).
      ref.bytes = page
      ref.offset = leafValueStart(page, off)
      ref.length = word
      return true
    }
    const at = leafValueStart(page, off)
    return this.#overflowRef(overflowRefPage(page, at), overflowRefTxid(page, at), valueWordLength(word), ref)
  }

  /** The inline value of the leaf entry at offset `off` of `page`. */
  #pageEntryRef(page: Buffer, off: number, ref: ValueRef): boolean {
    ref.bytes = page
    ref.offset = leafValueStart(page, off)
    ref.length = leafValueWord(page, off)
    return true
  }

  first(): boolean {
    this.#src.assertOpen()
    this.#reset()
    this.#descendEdge(this.#src.root(), false)
    return this.#settleForward()
  }

  last(): boolean {
    this.#src.assertOpen()
    this.#reset()
    this.#descendEdge(this.#src.root(), true)
    return this.#settleBackward()
  }

  seek(key: Uint8Array): boolean {
    this.#src.assertOpen()
    this.#seek(key)
    return this.#settleForward()
  }

  next(): boolean {
    if (!this.#valid) return false
    this.#src.assertOpen()
    if (this.#version !== this.#src.version()) {
      const at = this.#currentKey()
      this.#seek(at)
      if (!this.#settleForward()) return false
      if (compareKeys(this.#currentKey(), at) !== 0) return true
    }
    const f = this.#frames[this.#depth - 1]!
    f.index++
    return this.#settleForward()
  }

  prev(): boolean {
    if (!this.#valid) return false
    this.#src.assertOpen()
    if (this.#version !== this.#src.version()) {
      this.#seek(this.#currentKey())
      if (!this.#settleForward()) return this.last()
    }
    const f = this.#frames[this.#depth - 1]!
    f.index--
    return this.#settleBackward()
  }

  #reset(): void {
    this.#depth = 0
    this.#version = this.#src.version()
  }

  #push(child: Child | Buffer): Frame {
    let f = this.#frames[this.#depth]
    if (f === undefined) {
      f = new Frame()
      this.#frames.push(f)
    }
    if (child instanceof Buffer) {
      f.node = null
      f.page = child
      f.packed = null
      f.count = pageCount(child)
      f.leaf = pageType(child) === PageType.leaf
    } else {
      f.set(child as Child, this.#src.pager, this.#src.readOnly === true)
    }
    this.#depth++
    return f
  }

  /** Descends from `child` to its first (or last) leaf entry. */
  #descendEdge(child: Child | Buffer, last: boolean): void {
    let f = this.#push(child)
    while (!f.leaf) {
      f.index = last ? f.count - 1 : 0
      f = this.#push(f.child(f.index, this.#src.pager))
    }
    f.index = last ? f.count - 1 : 0
  }

  /** Positions at the first key >= `key`; each level's search skips the prefix the one above found shared. */
  #seek(key: Uint8Array): void {
    this.#reset()
    const pager = this.#src.pager
    let f = this.#push(this.#src.root())
    let known = 0
    while (!f.leaf) {
      const step = f.node !== null ? nodeBranchStep(f.node, key, known) : pageBranchStep(pager, f.page!, key, known)
      f.index = stepChild(step)
      known = stepPrefix(step)
      f = this.#push(f.child(f.index, pager))
    }
    if (f.node !== null) f.index = nodeLowerBound(f.node.keyList, key, known)
    else if (f.packed !== null) {
      const i = f.packed.find(key, known)
      f.index = i >= 0 ? i : -1 - i
    } else {
      const i = pageLeafFind(pager, f.page!, key, known)
      f.index = i >= 0 ? i : -1 - i
    }
  }

  /** From a leaf index that may be past the end, moves forward to the next entry that exists. */
  #settleForward(): boolean {
    for (;;) {
      const leaf = this.#frames[this.#depth - 1]!
      if (leaf.index < leaf.count) return this.#land(leaf)
      let d = this.#depth - 2
      while (d >= 0 && this.#frames[d]!.index + 1 >= this.#frames[d]!.count) d--
      if (d < 0) return this.#off()
      const f = this.#frames[d]!
      f.index++
      this.#depth = d + 1
      this.#descendEdge(f.child(f.index, this.#src.pager), false)
    }
  }

  /** From a leaf index that may be before the start, moves back to the previous entry that exists. */
  #settleBackward(): boolean {
    for (;;) {
      const leaf = this.#frames[this.#depth - 1]!
      if (leaf.index >= 0 && leaf.index < leaf.count) return this.#land(leaf)
      let d = this.#depth - 2
      while (d >= 0 && this.#frames[d]!.index <= 0) d--
      if (d < 0) return this.#off()
      const f = this.#frames[d]!
      f.index--
      this.#depth = d + 1
      this.#descendEdge(f.child(f.index, this.#src.pager), true)
    }
  }

  /** The key of the current entry (the cursor is on one). */
  #currentKey(): Uint8Array {
    const page = this.#keyPage
    if (page !== null) {
      this.#key = leafKey(page, this.#keyIndex, this.#src.pager)
      this.#keyPage = null
    }
    return this.#key!
  }

  #land(f: Frame): boolean {
    if (f.node !== null) {
      this.#key = f.node.keyList[f.index]!
      this.#keyPage = null
    } else if (leafIsLongKey(f.page!, f.index)) {
      // Read through the pager now, while the transaction is surely open.
      this.#key = leafKey(f.page!, f.index, this.#src.pager)
      this.#keyPage = null
    } else {
      this.#keyPage = f.page!
      this.#keyIndex = f.index
    }
    this.#valid = true
    return true
  }

  #off(): boolean {
    this.#valid = false
    this.#key = undefined
    this.#keyPage = null
    return false
  }
}

/** Points `ref` at all of `bytes`. */
function wholeRef(bytes: Uint8Array, ref: ValueRef): void {
  ref.bytes = bytes
  ref.offset = 0
  ref.length = bytes.length
}

/** Points `ref` at the inline key of entry `i` of leaf page `page` (FORMAT.md §4). */
function pageKeyRef(page: Buffer, i: number, ref: ValueRef): void {
  const off = leafEntryOffset(page, i)
  ref.bytes = page
  ref.offset = leafKeyStart(off)
  ref.length = leafKeyField(page, off)
}
