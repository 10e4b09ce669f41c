import type { Cursor, ReadBucket, ReadTransaction, ValueRef } from 'btree-store'
import { indexBucket, type TableDef } from '../catalog/catalog.js'
import { AMBIGUOUS, componentEnd, componentsEnd, decodeComponent } from '../encoding/key-components.js'
import { compareBytes, type SqlValue } from '../encoding/values.js'
import type { RowLike } from '../expression/scope.js'
import { bounds, type AccessPath, type Bounds, type CoveredSlot } from '../planner/access-path.js'
import type { KeyRange } from '../planner/plan.js'
import { readBucket, rowView } from './table-store.js'
import type { RowView } from '../encoding/rows.js'
import type { Tuple } from '../expression/scope.js'

/**
 * `select`: rows may be index entries alone (covering) and views into the snapshot's pages, read
 * before the statement ends; `transient`: the same, but one RowView is reused for every row, so a
 * row is valid only during the sink's call (for consumers that keep nothing of it: grouping
 * without bare columns, projection, the last join stage); `write`: whole rows, copied, for an
 * update or delete that writes while it holds them.
 */
export type ReadMode = 'select' | 'transient' | 'write'

/** Called per row read; returning false stops the read. */
export type RowSink = (key: Uint8Array, row: RowLike) => boolean | void

/**
 * Whether a row read is kept (a statement's filters): asked before the row is made for its
 * consumer. The row it is given is valid only during the call, and has no key unless the
 * table's rowid is its key (RowView.rowid).
 */
export type RowFilter = (row: RowLike) => boolean

/**
 * Walks `range` of a bucket in key order (or backwards), calling `visit` with each key and the
 * cursor (whose `value` is read only when wanted: index entries have none worth reading). The key
 * is valid only during the call. O(log n + entries).
 */
function walk(
  c: Cursor,
  range: KeyRange,
  reverse: boolean,
  visit: (key: Uint8Array, at: Cursor) => boolean | void,
): boolean {
  const { gte, lt } = range
  let ok: boolean
  if (!reverse) {
    ok = gte === undefined ? c.first() : c.seek(gte)
  } else if (lt === undefined) {
    ok = c.last()
  } else {
    ok = c.seek(lt)
    ok = ok ? c.prev() : c.last()
  }
  while (ok) {
    const key = c.key!
    if (!reverse && lt !== undefined && compareBytes(key, lt) >= 0) return true
    if (reverse && gte !== undefined && compareBytes(key, gte) < 0) return true
    if (visit(key, c) === false) return false
    ok = reverse ? c.prev() : c.next()
  }
  return true
}

/** A row answered from an index entry alone: the covered slots decoded from the entry's key. */
class CoveredRow implements RowLike {
  constructor(readonly values: SqlValue[]) {}
  get(slot: number): SqlValue {
    return this.values[slot] ?? null
  }
}

/**
 * The covered slots' values of the index entry `entry[start]` to `entry[end - 1]` (an entry read in
 * place: Cursor.keyRef), or undefined when a component does not tell its storage class. `into`,
 * a reused row's values, gets the covered slots only.
 */
function decodeCovered(
  entry: Uint8Array,
  start: number,
  end: number,
  covered: readonly CoveredSlot[],
  width: number,
  into?: SqlValue[],
): SqlValue[] | undefined {
  // A reused row (`into`) has values at the covered slots alone, each written again here (the
  // others stay unset: CoveredRow reads them as null).
  const values = into ?? new Array<SqlValue>(width).fill(null)
  let at = start
  let position = 0
  for (let i = 0; i < covered.length; i++) {
    const c = covered[i]!
    while (position < c.position) {
      at = componentEnd(entry, at, end)
      position++
    }
    const v = decodeComponent(entry, at, c.reading, end)
    if (v === AMBIGUOUS) return undefined
    values[c.slot] = v
  }
  return values
}

/** compareBytes of the bytes `ref` locates with `bound`: -1 when they sort before it, 0 the same, 1 after. */
function compareRef(ref: ValueRef, bound: Uint8Array): number {
  const bytes = ref.bytes
  const base = ref.offset
  const length = ref.length
  const n = Math.min(length, bound.length)
  for (let i = 0; i < n; i++) {
    const a = bytes[base + i]!
    const b = bound[i]!
    if (a !== b) return a < b ? -1 : 1
  }
  return length === bound.length ? 0 : length < bound.length ? -1 : 1
}

/**
 * walk() of an index's entries, each located in place (Cursor.keyRef) instead of a view per entry:
 * `visit(ref)` with the entry's bytes, valid only during the call. A forward walk to the end that
 * does not write (`leafwise`: not for a write, whose sink may write the bucket between two moves)
 * visits a leaf's entries at a time (Cursor.leafKeyRefs), without a move per entry. Returns false
 * when `visit` stopped it.
 */
function walkEntries(
  c: Cursor,
  range: KeyRange,
  reverse: boolean,
  leafwise: boolean,
  ref: ValueRef,
  visit: (entry: ValueRef) => boolean | void,
): boolean {
  const { gte, lt } = range
  let ok: boolean
  if (!reverse) ok = gte === undefined ? c.first() : c.seek(gte)
  else if (lt === undefined) ok = c.last()
  else ok = c.seek(lt) ? c.prev() : c.last()
  if (leafwise && !reverse && lt === undefined) {
    let stopped = false
    const each = (at: ValueRef): void => {
      if (!stopped && visit(at) === false) stopped = true
    }
    for (; ok && !stopped; ok = c.next()) c.leafKeyRefs(ref, each)
    return !stopped
  }
  for (; ok; ok = reverse ? c.prev() : c.next()) {
    c.keyRef(ref)
    if (!reverse && lt !== undefined && compareRef(ref, lt) >= 0) return true
    if (reverse && gte !== undefined && compareRef(ref, gte) < 0) return true
    if (visit(ref) === false) return false
  }
  return true
}

/**
 * Reads the rows of an access path, in the path's order, for one tuple of known rows after
 * another (an index nested loop reads once per outer row): point gets, ranges of the table's
 * bucket, or ranges of an index whose entries are then read from the table (unless the index
 * covers the select and the entry alone answers). Buckets are opened and cursors made once per
 * reader. Rows are RowViews unless covered; keys passed to the sink are copies for a write.
 */
export class PathReader {
  readonly #path: AccessPath
  readonly #mode: ReadMode
  readonly #table: ReadBucket | undefined
  readonly #entries: ReadBucket | undefined
  #scan: Cursor | undefined
  /** The one view of a transient read, or undefined. */
  readonly #view: RowView | undefined
  /** An `or` access's readers, one per branch, made at its first read. */
  #branches: PathReader[] | undefined
  readonly #tx: ReadTransaction
  /** The view a filtered walk tests each row through before it makes one for the sink (#walkFiltered). */
  #probe: RowView | undefined
  readonly #ref: ValueRef = { bytes: EMPTY_KEY, offset: 0, length: 0 }
  /** Where the index walk finds each entry (walkEntries). */
  readonly #entryRef: ValueRef = { bytes: EMPTY_KEY, offset: 0, length: 0 }

  /** `keys`: the sink is given every row's key (an `or` access's branches skip rows by it). */
  constructor(
    tx: ReadTransaction,
    path: AccessPath,
    mode: ReadMode = 'select',
    readonly keys = false,
  ) {
    this.#path = path
    this.#tx = tx
    this.#mode = mode
    this.#view = mode === 'transient' ? rowView(path.table, EMPTY_KEY) : undefined
    this.#table = readBucket(tx, path.table)
    this.#entries = path.index === undefined ? undefined : tx.bucket(indexBucket(path.index))
  }

  /**
   * Reads the rows of `t`'s bounds into `sink`; with `filter`, only those it keeps. A walk of the
   * table's own bucket tests each row where the page holds it, through one view, and makes a row
   * (a view, or copies for a write) only of those kept: a scan that keeps few rows allocates for
   * those alone. A walk to the end of the bucket, not for a write, of a table whose rowid is not
   * its key reads no keys: the sink is given an empty one.
   */
  read(t: Tuple, sink: RowSink, b: Bounds = bounds(this.#path, t), filter?: RowFilter): void {
    const path = this.#path
    if (path.branches !== undefined) return this.#readBranches(path.branches, t, sink, filter)
    if (filter !== undefined && (b.keys !== undefined || path.index !== undefined)) {
      const inner = sink
      sink = (key, row) => (filter(row) ? inner(key, row) : true)
    }
    const table = path.table
    const bucket = this.#table
    if (bucket === undefined) return
    const view = this.#view
    const rowOf = (bytes: Uint8Array, key: Uint8Array): RowView => {
      if (view === undefined) return rowView(table, bytes, key)
      view.reset(bytes, key)
      return view
    }
    const write = this.#mode === 'write'
    if (b.keys !== undefined) {
      for (const key of b.keys) {
        const value = write ? bucket.get(key) : bucket.getView(key)
        if (value !== undefined && sink(key, rowOf(value, key)) === false) return
      }
      return
    }
    const index = path.index
    if (index === undefined) {
      // A select reads rows in place (views into pages, valid while its snapshot is); a write reads copies.
      const scan = (this.#scan ??= bucket.cursor())
      // Each row read where it lies (a write's filtered ones then copied).
      if (filter !== undefined || this.#mode !== 'write') {
        const probe = (this.#probe ??= rowView(table, EMPTY_KEY))
        for (const range of b.ranges!)
          if (!walkFiltered(scan, range, path.reverse, this.#mode, table, probe, this.#ref, filter, sink, this.keys))
            return
        return
      }
      // A write without a filter: every row copied.
      const visit = (key: Uint8Array, at: Cursor): boolean | void => {
        const copy = key.slice()
        return sink(copy, rowView(table, at.value!.slice(), copy))
      }
      for (const range of b.ranges!) if (!walk(scan, range, path.reverse, visit)) return
      return
    }
    if (this.#entries === undefined) return
    const scan = (this.#scan ??= this.#entries.cursor())
    const skip = index.expressions?.length ?? index.columns.length
    const covered = !write ? path.covered : undefined
    // A transient read's covered rows are one row, its values decoded again for each entry.
    const reused =
      covered !== undefined && view !== undefined ? new CoveredRow(new Array<SqlValue>(table.nextSlot)) : undefined
    const visit = (at: ValueRef): boolean | void => {
      const entry = at.bytes
      const start = at.offset
      const end = start + at.length
      if (covered !== undefined) {
        if (reused !== undefined) {
          if (decodeCovered(entry, start, end, covered, table.nextSlot, reused.values) !== undefined)
            return sink(EMPTY_KEY, reused)
        } else {
          const values = decodeCovered(entry, start, end, covered, table.nextSlot)
          if (values !== undefined) return sink(EMPTY_KEY, new CoveredRow(values))
        }
      }
      const key = entry.subarray(componentsEnd(entry, skip, start, end), end)
      // An entry always has its row (writes keep both in one transaction). A get, not a cursor
      // seek: no cursor path to settle and land on (measured ~8% of an index lookup of 100 rows).
      // A select reads the row where it lies (getView, no copy: a join's CPU fell ~13 %, an index
      // lookup's ~7 %); a write keeps a copy.
      const value = write ? bucket.get(key) : bucket.getView(key)
      if (value === undefined) return true
      const rowKey = write ? key.slice() : key
      return sink(rowKey, rowOf(value, rowKey))
    }
    const ref = this.#entryRef
    for (const range of b.ranges!) if (!walkEntries(scan, range, path.reverse, !write, ref, visit)) return
  }

  /**
   * An `or` access (SQLite's MULTI-INDEX OR): each branch read in turn through its own path, a row
   * one of them read already (by its key) skipped.
   */
  #readBranches(branches: readonly AccessPath[], t: Tuple, sink: RowSink, filter: RowFilter | undefined): void {
    const readers = (this.#branches ??= branches.map((p) => new PathReader(this.#tx, p, this.#mode, true)))
    const seen = new Set<string>()
    let stopped = false
    const once: RowSink = (key, row) => {
      const id = Buffer.from(key.buffer, key.byteOffset, key.length).toString('latin1')
      if (seen.has(id)) return true
      seen.add(id)
      if (filter !== undefined && !filter(row)) return true
      if (sink(key, row) === false) stopped = true
      return !stopped
    }
    for (const reader of readers) {
      reader.read(t, once)
      if (stopped) return
    }
  }
}

/**
 * A filtered (or transient) walk of `range` of the table's own bucket (PathReader.read): each row tested where it
 * lies through one view (a rowid table's key set when the rowid is its key), and only a kept one
 * made for `sink`, as `read` makes rows in its mode. Returns false when the sink stopped it.
 */
function walkFiltered(
  c: Cursor,
  range: KeyRange,
  reverse: boolean,
  mode: ReadMode,
  table: TableDef,
  probe: RowView,
  ref: ValueRef,
  filter: RowFilter | undefined,
  sink: RowSink,
  keys: boolean,
): boolean {
  const keyed = table.keying === 'rowid' && table.rowidColumn === undefined
  const { gte, lt } = range
  let ok: boolean
  if (!reverse) ok = gte === undefined ? c.first() : c.seek(gte)
  else if (lt === undefined) ok = c.last()
  else ok = c.seek(lt) ? c.prev() : c.last()
  const upper = reverse ? undefined : lt
  const lower = reverse ? gte : undefined
  if (!reverse && upper === undefined && !keyed && !keys && mode !== 'write') {
    // To the end, and no key wanted: a leaf's rows at a time, without a move per row.
    let stopped = false
    const visit = (at: ValueRef): void => {
      if (stopped) return
      probe.resetAt(at.bytes, at.offset)
      if (filter !== undefined && !filter(probe)) return
      let row = probe
      if (mode === 'select') {
        row = rowView(table, at.bytes)
        row.resetAt(at.bytes, at.offset)
      }
      if (sink(EMPTY_KEY, row) === false) stopped = true
    }
    probe.key = undefined
    for (; ok && !stopped; ok = c.next()) c.leafValueRefs(ref, visit)
    return !stopped
  }
  for (; ok; ok = reverse ? c.prev() : c.next()) {
    if (upper !== undefined && compareBytes(c.key!, upper) >= 0) return true
    if (lower !== undefined && compareBytes(c.key!, lower) < 0) return true
    c.valueRef(ref)
    probe.resetAt(ref.bytes, ref.offset)
    probe.key = keyed ? c.key! : undefined
    if (filter !== undefined && !filter(probe)) continue
    let more: boolean | void
    if (mode === 'write') {
      const key = c.key!.slice()
      more = sink(key, rowView(table, ref.bytes.slice(ref.offset, ref.offset + ref.length), key))
    } else if (mode === 'transient') {
      probe.key = c.key!
      more = sink(probe.key, probe)
    } else {
      const key = c.key!
      const row = rowView(table, ref.bytes, key)
      row.resetAt(ref.bytes, ref.offset)
      more = sink(key, row)
    }
    if (more === false) return false
  }
  return true
}

/**
 * The rows of a forward walk of the table's own bucket (no index, no point keys) through one
 * reused view, each handed to `onRow`: the loop of an aggregate over a scan, without keys or the
 * per-entry callbacks of `read`. Returns false, having read nothing, for any other path.
 */
export function eachTransientRow(
  tx: ReadTransaction,
  path: AccessPath,
  t: Tuple,
  onRow: (row: RowView) => void,
): boolean {
  const view = rowView(path.table, EMPTY_KEY)
  return eachStoredRef(tx, path, t, (at) => {
    view.resetAt(at.bytes, at.offset)
    onRow(view)
  })
}

/**
 * The rows of a forward walk of the table's own bucket as bytes: `visit(at)` with the engine's
 * ValueRef, each row read where the page (or the journal's buffer) holds it, `at` valid only
 * during the call (no closure between the engine's leaf loop and the consumer). Returns false,
 * having read nothing, for any path but a walk of the table's bucket (eachTransientRow).
 */
export function eachStoredRef(tx: ReadTransaction, path: AccessPath, t: Tuple, visit: (at: ValueRef) => void): boolean {
  if (path.index !== undefined || path.reverse) return false
  const b = bounds(path, t)
  if (b.keys !== undefined) return false
  const bucket = readBucket(tx, path.table)
  if (bucket === undefined) return true
  const c = bucket.cursor()
  const ref: ValueRef = { bytes: EMPTY_KEY, offset: 0, length: 0 }
  for (const { gte, lt } of b.ranges!) {
    let ok = gte === undefined ? c.first() : c.seek(gte)
    if (lt === undefined) {
      // To the end: a leaf's rows at a time, without a move per row.
      for (; ok; ok = c.next()) c.leafValueRefs(ref, visit)
      continue
    }
    for (; ok; ok = c.next()) {
      if (compareBytes(c.key!, lt) >= 0) break
      c.valueRef(ref)
      visit(ref)
    }
  }
  return true
}

/** Reads the rows of an access path once (see PathReader). */
export function readPath(
  tx: ReadTransaction,
  path: AccessPath,
  t: Tuple,
  sink: RowSink,
  mode: ReadMode = 'select',
  b?: Bounds,
  filter?: RowFilter,
): void {
  new PathReader(tx, path, mode).read(t, sink, b, filter)
}

const EMPTY_KEY = new Uint8Array(0)

/**
 * Every row of a table in key order, each a view where the snapshot holds it (valid while the
 * snapshot is: for a read-only statement), with its key only when the rowid is the key
 * (RowView.rowid): no copies, no key views.
 */
export function eachRowView(tx: ReadTransaction, table: TableDef, visit: (row: RowView) => void): void {
  const bucket = readBucket(tx, table)
  if (bucket === undefined) return
  const keyed = table.keying === 'rowid' && table.rowidColumn === undefined
  const c = bucket.cursor()
  const ref: ValueRef = { bytes: EMPTY_KEY, offset: 0, length: 0 }
  for (let ok = c.first(); ok; ok = c.next()) {
    c.valueRef(ref)
    const row = rowView(table, ref.bytes, keyed ? c.key! : undefined)
    row.resetAt(ref.bytes, ref.offset)
    visit(row)
  }
}
