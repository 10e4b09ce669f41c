import { BTreeError } from '../base/errors.js'
import { type CursorSource, TreeCursor } from '../tree/cursor.js'
import { type ModifyResult, treeAppend, treeDelete, treePut } from '../tree/modify.js'
import { type Child, type Node, OverflowValue, recordSlot, recordValue } from '../tree/node.js'
import { treeGet } from '../tree/search.js'
import type { TreeWriter } from '../tree/tree-context.js'
import type { RangeOptions, WriteBucket } from '../base/types.js'
import { assertBytes, assertKey, assertValue } from '../base/validate.js'
import { MAX_VALUE_SIZE, isLongKey, isOverflowValue } from '../page/layout.js'
import type { BucketHost } from './read-bucket.js'
import type { Pager } from '../store/pager.js'
import type { BucketState } from './bucket-state.js'
import { rangeEntries } from './range.js'

/** What a writable bucket needs from its write transaction. */
export interface WriteBucketHost extends BucketHost {
  readonly pageSize: number
  readonly maxKeySize: number
  /** Bumped by every change, so cursors know to re-seek. */
  readonly version: number
  /** Throws unless the transaction may write. */
  assertWritable(): void
  /**
   * Records the inverse of a key change for savepoints. `key` must outlive the caller's buffer;
   * undefined: the key the last recordPut copied.
   */
  noteKeyChange(
    state: BucketState,
    key: Uint8Array | undefined,
    old: OverflowValue | Uint8Array | undefined,
    freedBefore: number,
    countBefore: number,
  ): void
  /** Whether puts that append are recorded after the append (recordAppend). */
  readonly defersAppends: boolean
  /** Whether noteKeyChange records undo (a savepoint is open): it then needs the replaced values. */
  readonly keepsUndo: boolean
  /** Records a put that appended an inline entry as the last one of packed leaf `leaf` (or undefined: unknown). */
  recordAppend(state: BucketState, leaf: Node | undefined, key: Uint8Array, value: Uint8Array): void
  /** Records a put for the journal (FORMAT.md §11), copying the key and value. */
  recordPut(state: BucketState, key: Uint8Array, value: Uint8Array): void
  /**
   * The key's copy that the last recordPut made, valid for the transaction's life, which the
   * value's copy follows (tree/node.ts:recordValue).
   */
  recordedKey(): Uint8Array
  /** Records a delete, copying the key (noteKeyChange takes a view of the copy when it needs one). */
  recordDelete(state: BucketState, key: Uint8Array): void
  /** Drops the key op just recorded, whose change failed. */
  cancelRecord(): void
  /** The tree context of a bucket's state (its freed overflow values go to `state.freed`). */
  writerFor(state: BucketState): TreeWriter
  /** The bucket state currently bound to this name, to detect a dropped bucket. */
  isLive(state: BucketState): boolean
  /** A cursor was opened (its views must stay as they are until it moves: no value is overwritten in place). */
  cursorOpened(): void
  /** Bumped when the transaction drops every change (a group commit's undo): older handles are stale. */
  readonly resets: number
}

/** A bucket in a write transaction: reads see the transaction's own writes. */
export class WriteBucketImpl implements WriteBucket {
  readonly #host: WriteBucketHost
  readonly #state: BucketState
  readonly #writer: TreeWriter
  readonly #resets: number

  constructor(host: WriteBucketHost, state: BucketState) {
    this.#host = host
    this.#state = state
    this.#writer = host.writerFor(state)
    this.#resets = host.resets
  }

  get name(): string {
    return this.#state.name
  }

  get size(): number {
    return this.#state.count
  }

  get(key: Uint8Array): Buffer | undefined {
    assertBytes(key, 'key')
    this.#assertUsable()
    const v = treeGet(this.#host.pager, this.#state.root, key)
    if (v === undefined) return undefined
    if (v instanceof OverflowValue) return this.#host.pager.readOverflow(v.pgid, v.txid, v.length)
    return Buffer.from(v)
  }

  /**
   * The value where it lies (ReadBucket.getView). Lends a view as a cursor does, so from now on this
   * transaction overwrites no value in place (WriteTx.cursorOpened): the view keeps its bytes
   * until the transaction ends.
   */
  getView(key: Uint8Array): Uint8Array | undefined {
    assertBytes(key, 'key')
    this.#assertUsable()
    const v = treeGet(this.#host.pager, this.#state.root, key)
    if (v === undefined) return undefined
    if (v instanceof OverflowValue) return this.#host.pager.readOverflow(v.pgid, v.txid, v.length)
    this.#host.cursorOpened()
    return v
  }

  has(key: Uint8Array): boolean {
    assertBytes(key, 'key')
    this.#assertUsable()
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
    const defer = this.#host.defersAppends
    if (defer) {
      // An ascending load appends the caller's bytes to a packed leaf (tree/node.ts): no page read,
      // and the root is the result (an append replaces nothing). The record copies them from the
      // leaf afterwards, a leaf's run of appends at a time (RecordBuilder.entry).
      const appended = treeAppend(this.#writer, s.root, key, value)
      if (appended !== undefined) {
        s.root = appended
        s.count++
        s.dirty = true
        this.#host.recordAppend(s, this.#writer.putHint?.leaf, key, value)
        return
      }
    }
    this.#host.recordPut(s, key, value)
    if (!defer) {
      // With a savepoint open, the record copies the key first: its undo keeps that copy.
      const appended = treeAppend(this.#writer, s.root, key, value)
      if (appended !== undefined) {
        s.root = appended
        s.count++
        s.dirty = true
        this.#host.noteKeyChange(s, undefined, undefined, freedBefore, countBefore)
        return
      }
    }
    // The tree keeps the record's copies where it keeps the key (RecordCopy): the key's view, and
    // an inline value as a record slot (a number), so one object per put; a packed leaf copies the
    // bytes and keeps nothing.
    let k: Uint8Array | undefined
    let r: ModifyResult
    try {
      const pageSize = this.#host.pageSize
      const overflow = isOverflowValue(pageSize, key.length, value.length)
      if (overflow) {
        k = this.#host.recordedKey()
        r = treePut(this.#writer, s.root, k, recordValue(k, recordSlot(value.length)), this.#host.keepsUndo)
      } else r = treePut(this.#writer, s.root, key, value, this.#host.keepsUndo, this.#host)
      // FORMAT.md §9: the flag covers out-of-line keys too, so that a drop never frees a leaf
      // unread that owns a key run.
      if (!s.mayOverflow && (overflow || isLongKey(pageSize, key.length))) s.mayOverflow = true
    } catch (err) {
      // A page read failed on the way down, before the tree changed: the op must not be journaled.
      this.#host.cancelRecord()
      throw err
    }
    s.root = r.root
    if (!r.found) s.count++
    s.dirty = true
    this.#host.noteKeyChange(s, k, r.old, freedBefore, countBefore)
  }

  /** O(log n); a missing key changes nothing. */
  delete(key: Uint8Array): boolean {
    assertBytes(key, 'key')
    this.#checkWrite()
    const s = this.#state
    const freedBefore = s.freed.length
    const countBefore = s.count
    const r = treeDelete(this.#writer, s.root, key, this.#host.keepsUndo)
    if (!r.found) return false
    s.root = r.root
    s.count--
    s.dirty = true
    this.#host.recordDelete(s, key)
    this.#host.noteKeyChange(s, undefined, r.old, freedBefore, countBefore)
    return true
  }

  cursor(): TreeCursor {
    const c = this.#cursor()
    this.#host.cursorOpened()
    return c
  }

  /** entries() copies each key and value before it yields them: its cursor lends no view. */
  entries(options?: RangeOptions): IterableIterator<[Buffer, Buffer]> {
    return rangeEntries(this.#cursor(), options)
  }

  #cursor(): TreeCursor {
    this.#assertUsable()
    return new TreeCursor(new WriteTreeSource(this.#host, this.#state, this.#resets))
  }

  #assertUsable(): void {
    this.#host.assertOpen()
    this.#checkLive()
  }

  /** assertWritable() includes the transaction's assertOpen(). */
  #checkWrite(): void {
    this.#host.assertWritable()
    this.#checkLive()
  }

  #checkLive(): void {
    checkLive(this.#host, this.#state, this.#resets)
  }
}

/**
 * Throws BTREE_BUCKET_NOT_FOUND unless `state` is still the bucket its name is bound to in the
 * transaction: dropped since, or a handle taken before a group commit's undo (`resets` is the
 * host's count when the handle was made).
 */
function checkLive(host: WriteBucketHost, state: BucketState, resets: number): void {
  if (host.isLive(state)) return
  const name = state.name
  if (resets !== host.resets) {
    throw new BTreeError(
      'BTREE_BUCKET_NOT_FOUND',
      `bucket '${name}': this handle was taken before the group commit undid a failed update; take it again with tx.bucket()`,
    )
  }
  throw new BTreeError('BTREE_BUCKET_NOT_FOUND', `bucket '${name}' was deleted in this transaction`)
}

/**
 * A write bucket's tree as its cursors see it (TreeCursor's CursorSource): the bucket's current
 * root, the transaction's version, and the bucket's own checks. A class, not an object of closures
 * made per cursor: a cursor's optimized `next` could embed the one cursor's closures it had met,
 * which V8 holds weakly, and was thrown away once that cursor was collected ("reason: weak
 * objects", between two bursts of scans; base/shapes.ts keeps the classes' maps).
 */
class WriteTreeSource implements CursorSource {
  readonly pager: Pager
  readonly readOnly = false
  readonly #host: WriteBucketHost
  readonly #state: BucketState
  readonly #resets: number

  constructor(host: WriteBucketHost, state: BucketState, resets: number) {
    this.pager = host.pager
    this.#host = host
    this.#state = state
    this.#resets = resets
  }

  root(): Child {
    return this.#state.root
  }

  version(): number {
    return this.#host.version
  }

  assertOpen(): void {
    this.#host.assertOpen()
    checkLive(this.#host, this.#state, this.#resets)
  }
}
