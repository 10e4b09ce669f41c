import type { Cursor, ReadBucket, ReadTransaction } from 'btree-store'
import { indexBucket, type TableDef } from '../catalog/catalog.js'
import { AMBIGUOUS, componentEnd, componentsEnd, decodeComponent } from '../encoding/key-components.js'
import { compareBytes, type SqlValue } from '../encoding/values.js'
import type { RowLike } from '../expression/scope.js'
import { bounds, type AccessPath, type Bounds, type CoveredSlot } from '../planner/access-path.js'
import type { KeyRange } from '../planner/plan.js'
import { readBucket, rowView } from './table-store.js'
import type { Tuple } from '../expression/scope.js'

/**
 * `select`: rows may be index entries alone (covering) and views into the snapshot's pages, read
 * before the statement ends; `write`: whole rows, copied, for an update or delete that writes
 * while it holds them.
 */
export type ReadMode = 'select' | 'write'

/** Called per row read; returning false stops the read. */
export type RowSink = (key: Uint8Array, row: RowLike) => boolean | void

/**
 * Walks `range` of a bucket in key order (or backwards), calling `visit` with each key and the
 * cursor (whose `value` is read only when wanted: index entries have none worth reading). The key
 * is valid only during the call. O(log n + entries).
 */
function walk(
  bucket: ReadBucket,
  range: KeyRange,
  reverse: boolean,
  visit: (key: Uint8Array, at: Cursor) => boolean | void,
): boolean {
  const c = bucket.cursor()
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
 * Reads the rows of an access path for the known rows `t`, in the path's order, calling `sink`
 * for each: point gets, ranges of the table's bucket, or ranges of an index whose entries are
 * then read from the table (unless `covering` allows the entry alone to answer). Keys passed to
 * the sink are copies; rows are RowViews unless covered.
 */
export function readPath(
  tx: ReadTransaction,
  path: AccessPath,
  t: Tuple,
  sink: RowSink,
  mode: ReadMode = 'select',
  b: Bounds = bounds(path, t),
): void {
  const covering = mode === 'select' && path.covered !== undefined
  const table = path.table
  const bucket = readBucket(tx, table)
  if (bucket === undefined) return
  if (b.keys !== undefined) {
    for (const key of b.keys) {
      const value = bucket.get(key)
      if (value !== undefined && sink(key, rowView(table, value)) === false) return
    }
    return
  }
  // A select reads rows in place (views into pages, valid while its snapshot is); a write reads copies.
  const own = mode === 'write' ? (bytes: Uint8Array) => bytes.slice() : (bytes: Uint8Array) => bytes
  const index = path.index
  if (index === undefined) {
    for (const range of b.ranges!)
      if (!walk(bucket, range, path.reverse, (key, at) => sink(own(key), rowView(table, own(at.value!))))) return
    return
  }
  const entries = tx.bucket(indexBucket(index))
  if (entries === undefined) return
  const skip = index.columns.length
  const covered = covering ? path.covered : undefined
  let rows: Cursor | undefined
  for (const range of b.ranges!) {
    const go = walk(entries, range, path.reverse, (entry) => {
      if (covered !== undefined) {
        const values = decodeCovered(entry, covered, table.nextSlot)
        if (values !== undefined) return sink(EMPTY_KEY, new CoveredRow(values))
      }
      const key = entry.subarray(componentsEnd(entry, skip))
      // An entry always has its row (writes keep both in one transaction).
      if (mode === 'write') {
        const value = bucket.get(key)
        return value === undefined ? true : sink(key.slice(), rowView(table, value))
      }
      rows ??= bucket.cursor()
      if (!rows.seek(key) || compareBytes(rows.key!, key) !== 0) return true
      return sink(key, rowView(table, rows.value!))
    })
    if (!go) return
  }
}

const EMPTY_KEY = new Uint8Array(0)

/** Every row of a table, in key order. */
export function allRows(tx: ReadTransaction, table: TableDef): RowLike[] {
  const rows: RowLike[] = []
  const bucket = readBucket(tx, table)
  if (bucket !== undefined) walk(bucket, {}, false, (_, at) => void rows.push(rowView(table, at.value!.slice())))
  return rows
}
