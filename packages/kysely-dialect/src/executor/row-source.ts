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

/** The covered slots' values, or undefined when a component does not tell its storage class. */
function decodeCovered(entry: Uint8Array, covered: readonly CoveredSlot[], width: number): SqlValue[] | undefined {
  const values = new Array<SqlValue>(width).fill(null)
  let at = 0
  let position = 0
  for (const c of covered) {
    while (position < c.position) {
      at = componentEnd(entry, at)
      position++
    }
    const v = decodeComponent(entry, at, c.reading)
    if (v === AMBIGUOUS) return undefined
    values[c.slot] = v
  }
  return values
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

  constructor(tx: ReadTransaction, path: AccessPath, mode: ReadMode = 'select') {
    this.#path = path
    this.#mode = mode
    this.#view = mode === 'transient' ? rowView(path.table, EMPTY_KEY) : undefined
    this.#table = readBucket(tx, path.table)
    this.#entries = path.index === undefined ? undefined : tx.bucket(indexBucket(path.index))
  }

  read(t: Tuple, sink: RowSink, b: Bounds = bounds(this.#path, t)): void {
    const path = this.#path
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
      const visit = write
        ? (key: Uint8Array, at: Cursor) => {
            const copy = key.slice()
            return sink(copy, rowView(table, at.value!.slice(), copy))
          }
        : view !== undefined
          ? (key: Uint8Array, at: Cursor) => {
              view.reset(at.value!, key)
              return sink(key, view)
            }
          : (key: Uint8Array, at: Cursor) => sink(key, rowView(table, at.value!, key))
      for (const range of b.ranges!) if (!walk(scan, range, path.reverse, visit)) return
      return
    }
    if (this.#entries === undefined) return
    const scan = (this.#scan ??= this.#entries.cursor())
    const skip = index.expressions?.length ?? index.columns.length
    const covered = !write ? path.covered : undefined
    const visit = (entry: Uint8Array): boolean | void => {
      if (covered !== undefined) {
        const values = decodeCovered(entry, covered, table.nextSlot)
        if (values !== undefined) return sink(EMPTY_KEY, new CoveredRow(values))
      }
      const key = entry.subarray(componentsEnd(entry, skip))
      // An entry always has its row (writes keep both in one transaction). A get, not a cursor
      // seek: no cursor path to settle and land on (measured ~8% of an index lookup of 100 rows).
      // A select reads the row where it lies (getView, no copy: a join's CPU fell ~13 %, an index
      // lookup's ~7 %); a write keeps a copy.
      const value = write ? bucket.get(key) : bucket.getView(key)
      if (value === undefined) return true
      const rowKey = write ? key.slice() : key
      return sink(rowKey, rowOf(value, rowKey))
    }
    for (const range of b.ranges!) if (!walk(scan, range, path.reverse, visit)) return
  }
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
): void {
  new PathReader(tx, path, mode).read(t, sink, b)
}

const EMPTY_KEY = new Uint8Array(0)

/** Every row of a table, in key order. */
export function allRows(tx: ReadTransaction, table: TableDef): RowLike[] {
  const rows: RowLike[] = []
  const bucket = readBucket(tx, table)
  // A table keyed by its hidden rowid keeps each row's key, where its rowid is (RowView.rowid).
  const keyed = table.keying === 'rowid' && table.rowidColumn === undefined
  if (bucket !== undefined)
    walk(
      bucket.cursor(),
      {},
      false,
      (key, at) => void rows.push(rowView(table, at.value!.slice(), keyed ? key.slice() : undefined)),
    )
  return rows
}
