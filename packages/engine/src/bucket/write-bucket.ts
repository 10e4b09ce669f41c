import { BTreeError } from '../base/errors.js'
import { TreeCursor } from '../tree/cursor.js'
import { treeDelete, treePut } from '../tree/modify.js'
import { OverflowValue } from '../tree/node.js'
import { treeGet } from '../tree/search.js'
import type { TreeWriter } from '../tree/tree-context.js'
import type { Cursor, RangeOptions, WriteBucket } from '../base/types.js'
import { assertBytes, assertKey, assertValue } from '../base/validate.js'
import { MAX_VALUE_SIZE, isLongKey, isOverflowValue } from '../page/layout.js'
import { JournalOp } from '../page/journal-record.js'
import type { BucketHost } from './read-bucket.js'
import type { BucketState } from './bucket-state.js'
import { rangeEntries } from './range.js'

/** What a writable bucket needs from its write transaction. */
export interface WriteBucketHost extends BucketHost {
  readonly pageSize: number
  readonly maxKeySize: number
  /** Bumped by every change, so cursors know to re-seek. */
  readonly version: number
  /** A private copy of a caller's bytes, valid for the transaction's life. */
  copyIn(bytes: Uint8Array): Uint8Array
  /** Throws unless the transaction may write. */
  checkWritable(): void
  /** Records the inverse of a key change for savepoints. */
  noteKeyChange(
    state: BucketState,
    key: Uint8Array,
    old: OverflowValue | Uint8Array | undefined,
    freedBefore: number,
    countBefore: number,
  ): void
  /** Records a put (value given) or a delete for the journal (FORMAT.md §11). */
  recordKeyOp(kind: JournalOp, state: BucketState, key: Uint8Array, value: Uint8Array | undefined): void
  /** The tree context of a bucket's state (its freed overflow values go to `state.freed`). */
  writerFor(state: BucketState): TreeWriter
  /** The bucket state currently bound to this name, to detect a dropped bucket. */
  isLive(state: BucketState): boolean
}

/** A bucket in a write transaction: reads see the transaction's own writes. */
export class WriteBucketImpl implements WriteBucket {
  readonly #host: WriteBucketHost
  readonly #state: BucketState
  readonly #writer: TreeWriter

  constructor(host: WriteBucketHost, state: BucketState) {
    this.#host = host
    this.#state = state
    this.#writer = host.writerFor(state)
  }

  get name(): string {
    return this.#state.name
  }

  get size(): number {
    return this.#state.count
  }

  get(key: Uint8Array): Buffer | undefined {
    assertBytes(key, 'key')
    this.#check()
    const v = treeGet(this.#host.pager, this.#state.root, key)
    if (v === undefined) return undefined
    if (v instanceof OverflowValue) return this.#host.pager.readOverflow(v.pgid, v.txid, v.length)
    return Buffer.from(v)
  }

  has(key: Uint8Array): boolean {
    assertBytes(key, 'key')
    this.#check()
    return treeGet(this.#host.pager, this.#state.root, key) !== undefined
  }

  /** O(log n). The key and value are copied, so the caller may reuse its buffers. */
  put(key: Uint8Array, value: Uint8Array): void {
    assertKey(key, this.#host.maxKeySize)
    assertValue(value, MAX_VALUE_SIZE)
    this.#checkWrite()
    const s = this.#state
    const freedBefore = s.freed.length
    const countBefore = s.count
    const k = this.#host.copyIn(key)
    // FORMAT.md §9: the flag covers out-of-line keys too, so that a drop never frees a leaf unread
    // that owns a key run.
    if (
      !s.mayOverflow &&
      (isOverflowValue(this.#host.pageSize, k.length, value.length) || isLongKey(this.#host.pageSize, k.length))
    )
      s.mayOverflow = true
    const v = this.#host.copyIn(value)
    const r = treePut(this.#writer, s.root, k, v)
    s.root = r.root
    if (r.old === undefined) s.count++
    s.dirty = true
    this.#host.noteKeyChange(s, k, r.old, freedBefore, countBefore)
    this.#host.recordKeyOp(JournalOp.put, s, k, v)
  }

  /** O(log n); a missing key changes nothing. */
  delete(key: Uint8Array): boolean {
    assertBytes(key, 'key')
    this.#checkWrite()
    const s = this.#state
    const freedBefore = s.freed.length
    const countBefore = s.count
    const r = treeDelete(this.#writer, s.root, key)
    if (r.old === undefined) return false
    s.root = r.root
    s.count--
    s.dirty = true
    const k = Buffer.from(key)
    this.#host.noteKeyChange(s, k, r.old, freedBefore, countBefore)
    this.#host.recordKeyOp(JournalOp.delete, s, k, undefined)
    return true
  }

  cursor(): Cursor {
    this.#check()
    const s = this.#state
    const host = this.#host
    return new TreeCursor({
      pager: host.pager,
      root: () => s.root,
      version: () => host.version,
      check: () => this.#check(),
    })
  }

  entries(options?: RangeOptions): IterableIterator<[Buffer, Buffer]> {
    return rangeEntries(this.cursor(), options)
  }

  #check(): void {
    this.#host.check()
    this.#checkLive()
  }

  /** checkWritable() includes the transaction's check(). */
  #checkWrite(): void {
    this.#host.checkWritable()
    this.#checkLive()
  }

  #checkLive(): void {
    if (!this.#host.isLive(this.#state)) {
      throw new BTreeError('BTREE_BUCKET_NOT_FOUND', `bucket '${this.#state.name}' was deleted in this transaction`)
    }
  }
}
