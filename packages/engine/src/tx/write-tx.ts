import { BucketState } from '../bucket/bucket-state.js'
import { listBuckets, lookupBucket } from '../bucket/catalog.js'
import { WriteBucketImpl, type WriteBucketHost } from '../bucket/write-bucket.js'
import { BTreeError, invariant } from '../base/errors.js'
import { compareKeys } from '../page/key-compare.js'
import type { Meta } from '../page/meta-page.js'
import type { ReclaimEntry } from '../page/freelist-page.js'
import { JournalOp, RecordBuilder, type RecordMark } from '../page/journal-record.js'
import { treeHeight } from '../page/tree-walk.js'
import { inlineEntrySize, leafEntryOffset, leafEntrySizeAt } from '../page/leaf-page.js'
import type { Pager } from '../store/pager.js'
import { treeDelete, treePut } from '../tree/modify.js'
import { Node, type OverflowValue } from '../tree/node.js'
import { LeafStates } from '../tree/leaf-states.js'
import { nextGeneration } from '../tree/generation.js'
import { type PutHint, PutPath, type TreeWriter, type WriterOwner, newTreeWriter } from '../tree/tree-context.js'
import type { InPlaceValues } from '../tree/in-place-values.js'
import type { Durability, Savepoint, UpdateOptions, WriteBucket, WriteTransaction } from '../base/types.js'
import { bucketNameKey } from '../base/validate.js'
import type { DirtyState } from './dirty-state.js'
import type { TxContext } from './tx-context.js'

/** The inverse of one change, kept while a savepoint is open. */
type Undo =
  | {
      kind: 'key'
      state: BucketState
      key: Uint8Array
      old: OverflowValue | Uint8Array | undefined
      freed: number
      count: number
    }
  | { kind: 'bucket'; name: string; prev: BucketState | null | undefined; reclaim: number }

interface SavepointRecord extends Savepoint {
  readonly undoLength: number
  readonly recordMark: RecordMark
}

const encoder = new TextEncoder()

/**
 * How an explicit write transaction (`begin`, `beginWrite`) ends: the writer it holds commits it,
 * or frees the writer after a rollback. Absent for the transactions the database makes itself
 * (group commits, checkpoints, journal replay), which it ends itself.
 */
export interface WriteTxEnd {
  /** Commits `tx` (durability undefined: the database's default) and frees the writer. */
  commit(tx: WriteTx, durability: Durability | undefined): Promise<void>
  /** Frees the writer after a rollback. */
  release(tx: WriteTx): void
}

/**
 * The one write transaction. Changes live in nodes copied from pages (copy on write) and in an
 * overlay of bucket states over the committed catalog; nothing touches the file until commit.
 * Savepoints keep an undo log of inverse operations while any is open.
 */
export class WriteTx implements WriteTransaction, WriteBucketHost, WriterOwner {
  readonly writable = true
  readonly base: Meta
  /** Bucket states by name; null marks a bucket dropped in this transaction. */
  readonly overlay = new Map<string, BucketState | null>()
  /** Roots of committed trees dropped in this transaction, for the reclaim list. */
  readonly dropped: ReclaimEntry[]
  /** The commits since the last checkpoint that this transaction builds on (journal mode). */
  readonly dirty: DirtyState | undefined
  /**
   * This transaction's generation: nodes it creates or copies carry it (Node.gen). A new one after
   * reset(), so no node of the changes it dropped is taken for its own.
   */
  gen = nextGeneration()
  /**
   * The logical changes as the journal record (FORMAT.md §11), trimmed by rollbackTo. It also holds
   * the transaction's copies of the keys and values it puts: its nodes keep views of them. A new
   * builder after reset().
   */
  record = new RecordBuilder()
  /** Pages decoded into nodes by this transaction (DirtyState.pages). */
  loaded = 0
  /** Packed leaves this transaction loaded or split off (DirtyState.packed). */
  loadedPacked = 0
  readonly #host: TxContext
  readonly #end: WriteTxEnd | undefined
  // Maps, not WeakMaps: they die with the transaction, and a WeakMap costs every commit an
  // ephemeron table that each garbage collection must walk.
  readonly #handles = new Map<BucketState, WriteBucketImpl>()
  readonly #writers = new Map<BucketState, TreeWriter>()
  readonly #undo: Undo[] = []
  readonly #savepoints: SavepointRecord[] = []
  #nextSavepoint = 1
  #version = 0
  #resets = 0
  #closed = false
  /** Set while `db.update` runs callbacks: commit and rollback belong to the database then. */
  managed = false
  /**
   * Whether the transaction may edit nodes of earlier commits in place (adopt): set by the writer
   * queue for an explicit transaction and a group of `'none'` updates, cleared for good once it
   * detaches them.
   */
  inPlace = false
  /** The nodes of earlier commits edited in place, and their states as published (adopt). */
  readonly #adopted = new LeafStates<Node>()
  /** Whether a cursor was opened on this transaction (cursorOpened): its views must stay as they are. */
  #cursors = false
  /**
   * Overwrites of values in place (tree/in-place-values.ts): while no cursor was opened (with a
   * savepoint open, a put keeps the old value for the undo and never overwrites: treePut's
   * keepOld); the bytes they replace in an adopted leaf's page are saved with its state.
   */
  readonly #values: InPlaceValues<Node> = {
    mayOverwrite: () => !this.#cursors,
    saved: this.#adopted,
  }

  constructor(host: TxContext, base: Meta, dirty?: DirtyState, end?: WriteTxEnd) {
    this.#host = host
    this.#end = end
    this.base = base
    this.dirty = dirty
    this.dropped = dirty === undefined ? [] : [...dirty.dropped]
  }

  get txid(): number {
    return this.dirty?.txid ?? this.base.txid
  }

  /**
   * Records a put in `state`'s bucket (selecting the bucket first when needed), copying the key and
   * the value into the record (recordedKey() names the key's copy, which the value's follows).
   */
  recordPut(state: BucketState, key: Uint8Array, value: Uint8Array): void {
    this.#select(state)
    this.record.put(key, value)
  }

  /**
   * Whether a put's ascending append (tree/modify.ts:treeAppend) is recorded after it, from the
   * leaf's bytes (recordAppend): unless a savepoint is open, whose undo needs the key's copy.
   */
  get defersAppends(): boolean {
    return this.#savepoints.length === 0
  }

  /**
   * Whether key changes are recorded for savepoints (noteKeyChange reads the values they replace):
   * only then do puts and deletes hand back the old value.
   */
  get keepsUndo(): boolean {
    return this.#savepoints.length > 0
  }

  /**
   * Records a put that `key` = `value` just appended to packed leaf `leaf` (its last entry):
   * the record copies the entry from the leaf with the appends around it (RecordBuilder.entry),
   * or, when the leaf is unknown (a split that moved past the hint), copies the key and value.
   */
  recordAppend(state: BucketState, leaf: Node | undefined, key: Uint8Array, value: Uint8Array): void {
    this.#select(state)
    const size = inlineEntrySize(key.length, value.length)
    if (leaf !== undefined && leaf.packed && leaf.count > 0) {
      const page = leaf.base!
      const off = leafEntryOffset(page, leaf.count - 1)
      if (leafEntrySizeAt(page, off) === size) {
        this.record.entry(page, off, size)
        return
      }
    }
    this.record.put(key, value)
  }

  /** The key's copy that the last recordPut made. */
  recordedKey(): Uint8Array {
    return this.record.lastKey()
  }

  /** Records a delete in `state`'s bucket (recordedKey: a view of the key's copy). */
  recordDelete(state: BucketState, key: Uint8Array): void {
    this.#select(state)
    this.record.delete(key)
  }

  /** Drops the key op just recorded: its change failed. */
  cancelRecord(): void {
    this.record.cancelLast()
  }

  #select(state: BucketState): void {
    if (this.#selected !== state) {
      this.record.bucketOp(JournalOp.select, state.nameKey)
      this.#selected = state
    }
  }

  /** The state the last select op named (undefined after a bucket op or a rollback). */
  #selected: BucketState | undefined

  get closed(): boolean {
    return this.#closed
  }

  get version(): number {
    return this.#version
  }

  get resets(): number {
    return this.#resets
  }

  get pager(): Pager {
    return this.#host.pager
  }

  get pageSize(): number {
    return this.#host.pageSize
  }

  get maxKeySize(): number {
    return this.#host.maxKeySize
  }

  /** Throws BTREE_TX_CLOSED once closed, BTREE_CLOSED once the database is. */
  assertOpen(): void {
    if (this.#closed) throw new BTreeError('BTREE_TX_CLOSED', 'the transaction is closed')
    this.#host.assertOpen()
  }

  assertWritable(): void {
    this.assertOpen()
    this.#version++
  }

  /**
   * A cursor was opened on this transaction: its views of keys and values stay valid until its next
   * move (Cursor), so no value is overwritten in place from now on (tree/in-place-values.ts).
   */
  cursorOpened(): void {
    this.#cursors = true
  }

  isLive(state: BucketState): boolean {
    return this.overlay.get(state.name) === state
  }

  writerFor(state: BucketState): TreeWriter {
    let w = this.#writers.get(state)
    if (w === undefined) {
      w = newTreeWriter({
        pageSize: this.pageSize,
        pager: this.pager,
        gen: this.gen,
        path: new PutPath(),
        owner: this,
        freed: state.freed,
        values: this.#values,
      })
      this.#writers.set(state, w)
    }
    return w
  }

  /**
   * Counts `node`, which will be written as a page (TreeWriter.onLoad): a packed leaf split off
   * takes a page of its own; another node split off holds entries the ops already count
   * (checkpoint-policy.ts).
   */
  nodeLoaded(node: Node): void {
    if (node.packed) this.loadedPacked++
    else if (node.orig !== 0) this.loaded++
  }

  /**
   * Takes over `node`, a packed leaf of an earlier commit that owns its page, to edit it in place
   * rather than copy it (TreeWriter.adopt): when in-place edits are on and no open snapshot can
   * reach it (ReaderRegistry.mayAdopt), only this writer can see it. A random batch touches
   * hundreds of leaves that the commits before it made, once each: copying each (a 4 KiB page, or
   * the arrays of a decoded leaf) and searching the copy cost most of a put.
   *
   * Its published state is saved first. Until the commit publishes (mergeDirty: settleAdopted),
   * the state this transaction began on is changed in place, so: a snapshot about to register, or
   * a checkpoint about to copy the newest state, first detaches the nodes (detachAdopted: the
   * writer goes on with copies, the nodes get their published state back); the writer queue
   * detaches them before it awaits an async callback, the committer before a commit that does not
   * publish at once; and a transaction that ends without publishing restores them
   * (restoreAdopted, also reset()).
   */
  adopt(node: Node): boolean {
    if (!this.inPlace || !this.#host.readers.mayAdopt(node.gen)) return false
    if (this.#adopted.length === 0) this.#host.readers.beforeSnapshot = this.#detach
    node.saveState(this.#adopted)
    node.gen = this.gen
    return true
  }

  readonly #detach = (): void => this.detachAdopted()

  /** Whether nodes of earlier commits are edited in place now (adopt). */
  get hasAdopted(): boolean {
    return this.#adopted.length > 0
  }

  /** How many nodes of earlier commits are edited in place now (adopt): what detachAdopted would copy. */
  get adoptedCount(): number {
    return this.#adopted.length
  }

  /** The commit published this transaction's nodes: the states saved for adopt are dropped. */
  settleAdopted(): void {
    if (this.#adopted.length === 0) return
    this.#adopted.clear()
    this.#release()
  }

  /** Gives every adopted node its published state back: this transaction's edits of them are lost. */
  restoreAdopted(): void {
    if (this.#adopted.length === 0) return
    this.#restoreAll()
    for (const w of this.#writers.values()) w.putHint = undefined
  }

  /**
   * Ends in-place edits, keeping this transaction's changes: each adopted node is replaced in this
   * transaction's trees by a copy of it as it is now (Node.detachedCopy), and gets its published
   * state back. The transaction then copies what it changes, as any other. O(nodes it changed).
   */
  detachAdopted(): void {
    this.inPlace = false
    if (this.#adopted.length === 0) return
    const copies = new Map<Node, Node>()
    for (let i = 0; i < this.#adopted.length; i++) {
      const n = this.#adopted.node(i)
      copies.set(n, n.detachedCopy())
    }
    // The trees of the buckets this transaction names, and of those a savepoint's undo log keeps
    // that it no longer names (a bucket dropped, or created and dropped, since): rolling back to
    // the savepoint brings such a tree back, which must then hold the copies too.
    const states = new Set<BucketState>()
    for (const s of this.overlay.values()) if (s !== null) states.add(s)
    for (const u of this.#undo) {
      if (u.kind === 'key') states.add(u.state)
      else if (u.prev !== null && u.prev !== undefined) states.add(u.prev)
    }
    for (const s of states) {
      if (!(s.root instanceof Node)) continue
      s.root = copies.get(s.root) ?? s.root
      if (s.root instanceof Node) swapKids(s.root, this.gen, copies)
    }
    this.#restoreAll(true)
    // Hints and cursors may hold the adopted nodes: hints are dropped, cursors seek again.
    for (const w of this.#writers.values()) w.putHint = undefined
    this.#version++
  }

  /**
   * Gives every adopted node its published state back, newest first, and forgets them: in its own
   * page, or, `inCopies`, in a copy of it (detachAdopted: the pages stay the transaction's).
   */
  #restoreAll(inCopies = false): void {
    const a = this.#adopted
    let copies: Map<Uint8Array, Buffer> | undefined
    if (inCopies) {
      copies = new Map()
      for (let i = 0; i < a.length; i++) {
        const page = a.base(i)
        if (!copies.has(page)) copies.set(page, Node.pageCopy(page))
      }
    }
    a.restoreBytes(copies)
    for (let i = a.length - 1; i >= 0; i--) a.node(i).restoreState(a, i, copies?.get(a.base(i)))
    a.clear()
    this.#release()
  }

  #release(): void {
    if (this.#host.readers.beforeSnapshot === this.#detach) this.#host.readers.beforeSnapshot = undefined
  }

  /** Where the last put into `state`'s tree appended (tree-context.ts, PutHint), if it did. */
  appendHint(state: BucketState): PutHint | undefined {
    return this.#writers.get(state)?.putHint
  }

  noteKeyChange(
    state: BucketState,
    key: Uint8Array | undefined,
    old: OverflowValue | Uint8Array | undefined,
    freed: number,
    count: number,
  ): void {
    if (this.#savepoints.length > 0)
      this.#undo.push({ kind: 'key', state, key: key ?? this.record.lastKey(), old, freed, count })
  }

  bucket(name: string): WriteBucket | undefined {
    const key = bucketNameKey(name, this.#host.maxBucketNameSize)
    this.assertOpen()
    const s = this.#state(name, key)
    return s === undefined ? undefined : this.#handle(s)
  }

  createBucket(name: string): WriteBucket {
    const key = bucketNameKey(name, this.#host.maxBucketNameSize)
    this.assertWritable()
    if (this.#state(name, key) !== undefined) throw new BTreeError('BTREE_BUCKET_EXISTS', `bucket '${name}' exists`)
    const s = new BucketState(name, key, null, Node.packedLeaf(this.pageSize), 0, false)
    s.dirty = true
    this.#setBucket(name, s)
    this.#selected = undefined
    this.record.bucketOp(JournalOp.create, key)
    return this.#handle(s)
  }

  createBucketIfNotExists(name: string): WriteBucket {
    const key = bucketNameKey(name, this.#host.maxBucketNameSize)
    this.assertOpen()
    const s = this.#state(name, key)
    return s !== undefined ? this.#handle(s) : this.createBucket(name)
  }

  /** O(1): the committed tree is queued for reclaim by later commits (FORMAT.md §7). */
  deleteBucket(name: string): void {
    const key = bucketNameKey(name, this.#host.maxBucketNameSize)
    this.assertWritable()
    const s = this.#state(name, key)
    if (s === undefined) throw new BTreeError('BTREE_BUCKET_NOT_FOUND', `bucket '${name}' does not exist`)
    this.#setBucket(name, null)
    this.#selected = undefined
    this.record.bucketOp(JournalOp.drop, key)
    if (s.diskRoot !== null) {
      // A tree without overflow values is reclaimed from its branch pages alone: the leaves are
      // freed from their parents' child lists, never read (FORMAT.md §7).
      const { pgid, txid } = s.diskRoot
      const pager = this.pager
      this.dropped.push(
        s.diskMayOverflow
          ? { kind: 'page', pgid, txid }
          : { kind: 'subtree', pgid, txid, height: treeHeight(s.diskRoot, (p, t) => pager.treePage(p, t)) },
      )
    }
  }

  buckets(): string[] {
    this.assertOpen()
    const names = new Set<string>()
    for (const [name] of listBuckets(this.pager, this.base.catalog)) names.add(name)
    for (const [name, s] of this.dirty?.buckets ?? []) {
      if (s === null) names.delete(name)
      else names.add(name)
    }
    for (const [name, s] of this.overlay) {
      if (s === null) names.delete(name)
      else names.add(name)
    }
    return [...names].sort((a, b) => compareKeys(encoder.encode(a), encoder.encode(b)))
  }

  savepoint(): Savepoint {
    this.assertOpen()
    const sp: SavepointRecord = {
      id: this.#nextSavepoint++,
      undoLength: this.#undo.length,
      recordMark: this.record.mark(),
    }
    this.#savepoints.push(sp)
    return sp
  }

  rollbackTo(sp: Savepoint): void {
    this.assertOpen()
    const at = this.#findSavepoint(sp)
    const writerFor = (s: BucketState): TreeWriter => this.writerFor(s)
    while (this.#undo.length > this.#savepoints[at]!.undoLength) {
      const u = this.#undo.pop()!
      if (u.kind === 'key') {
        const s = u.state
        const w = writerFor(s)
        s.root = u.old === undefined ? treeDelete(w, s.root, u.key).root : treePut(w, s.root, u.key, u.old).root
        s.freed.length = u.freed
        s.count = u.count
        s.dirty = true
      } else {
        if (u.prev === undefined) this.overlay.delete(u.name)
        else this.overlay.set(u.name, u.prev)
        this.dropped.length = u.reclaim
      }
    }
    this.record.rollBack(this.#savepoints[at]!.recordMark)
    this.#selected = undefined
    this.#savepoints.length = at + 1
    this.#version++
  }

  release(sp: Savepoint): void {
    this.assertOpen()
    const at = this.#findSavepoint(sp)
    this.#savepoints.length = at
    if (at === 0) this.#undo.length = 0
  }

  commit(options?: UpdateOptions): Promise<void> {
    if (this.managed) {
      return Promise.reject(new BTreeError('BTREE_TX_CLOSED', 'db.update commits its transaction itself'))
    }
    try {
      this.assertOpen()
    } catch (err) {
      return Promise.reject(err)
    }
    if (this.#end === undefined) return Promise.reject(invariant('commit of a transaction the database ends itself'))
    return this.#end.commit(this, options?.durability)
  }

  rollback(): void {
    if (this.managed) throw new BTreeError('BTREE_TX_CLOSED', 'db.update rolls its transaction back itself')
    if (this.#closed) return
    this.close()
  }

  /** Ends the transaction without committing and frees the writer. */
  close(): void {
    if (this.#closed) return
    this.#closed = true
    this.restoreAdopted()
    this.#end?.release(this)
  }

  /** Marks the transaction finished without freeing the writer: before its commit, or after a replay. */
  markClosed(): void {
    this.#closed = true
  }

  /** Whether committing would change anything: a bucket written, created or dropped. */
  hasChanges(): boolean {
    return this.record.count > 0
  }

  /** Ends every open savepoint (a group commit's callback returned). */
  releaseSavepoints(): void {
    if (this.#savepoints.length === 0) return
    this.#savepoints.length = 0
    this.#undo.length = 0
  }

  /**
   * Drops every change, as if the transaction had just begun on its base, and returns the record
   * of the changes dropped (a group commit's undo replays a prefix of it, tx/writer-queue.ts). The
   * object stays the same, open, on the same base: callers that know a transaction by its identity
   * (kysely-btree's session tells a group's later statements by it) keep knowing it. Bucket handles,
   * cursors and savepoints taken before are stale afterwards.
   */
  reset(): RecordBuilder {
    this.restoreAdopted()
    const dropped = this.record
    this.record = new RecordBuilder()
    this.record.streamTo(dropped.sink, dropped.step)
    this.gen = nextGeneration()
    this.overlay.clear()
    // It began as a copy of the dirty state's list and has only grown since.
    this.dropped.length = this.dirty?.dropped.length ?? 0
    this.loaded = 0
    this.loadedPacked = 0
    this.#handles.clear()
    this.#writers.clear()
    this.#undo.length = 0
    this.#savepoints.length = 0
    this.#selected = undefined
    this.#version++
    this.#resets++
    return dropped
  }

  get savepointDepth(): number {
    return this.#savepoints.length
  }

  #findSavepoint(sp: Savepoint): number {
    const at = this.#savepoints.indexOf(sp as SavepointRecord)
    if (at < 0)
      throw new BTreeError(
        'BTREE_SAVEPOINT_INVALID',
        'the savepoint was released, rolled past, or belongs to another transaction',
      )
    return at
  }

  #state(name: string, key: Uint8Array): BucketState | undefined {
    const s = this.overlay.get(name)
    if (s !== undefined) return s ?? undefined
    const d = this.dirty?.buckets.get(name)
    if (d === null) return undefined
    if (d !== undefined) {
      const forked = d.fork()
      this.overlay.set(name, forked)
      return forked
    }
    const rec = lookupBucket(this.pager, this.base.catalog, key)
    if (rec === undefined) return undefined
    const state = new BucketState(name, key, rec.root, rec.root, rec.count, rec.mayOverflow)
    this.overlay.set(name, state)
    return state
  }

  #setBucket(name: string, s: BucketState | null): void {
    if (this.#savepoints.length > 0) {
      const prev = this.overlay.has(name) ? this.overlay.get(name)! : undefined
      this.#undo.push({ kind: 'bucket', name, prev, reclaim: this.dropped.length })
    }
    this.overlay.set(name, s)
  }

  #handle(s: BucketState): WriteBucketImpl {
    let h = this.#handles.get(s)
    if (h === undefined) {
      h = new WriteBucketImpl(this, s)
      this.#handles.set(s, h)
    }
    return h
  }
}

/** Replaces, in the nodes of generation `gen` under `node`, children found in `copies` by their copies. */
function swapKids(node: Node, gen: number, copies: ReadonlyMap<Node, Node>): void {
  if (node.leaf || node.gen !== gen) return
  const kids = node.kids
  for (let i = 0; i < kids.length; i++) {
    const k = kids[i]!
    if (!(k instanceof Node)) continue
    const c = copies.get(k)
    if (c !== undefined) kids[i] = c
    else swapKids(k, gen, copies)
  }
}
