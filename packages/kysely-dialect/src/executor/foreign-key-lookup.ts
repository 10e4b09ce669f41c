import type { ReadTransaction } from 'btree-store'
import { applyAffinity, applyComparisonAffinity, comparisonAffinity } from '../catalog/affinity.js'
import {
  type Catalog,
  type ColumnDef,
  findColumn,
  indexBucket,
  type IndexDef,
  type TableDef,
} from '../catalog/catalog.js'
import type { ForeignKeyDef } from '../catalog/foreign-keys.js'
import { equalBytes, KeyWriter, startsWith } from '../encoding/keys.js'
import type { RowView } from '../encoding/rows.js'
import { compareValues, isInteger, type SqlValue } from '../encoding/values.js'
import { BTreeSqlError } from '../errors.js'
import { folded, foldOf } from '../expression/collation.js'
import { readBucket, rowView } from './table-store.js'

/**
 * A foreign key's two sides as rows are read (executor/foreign-keys.ts counts and acts on them,
 * foreign-key-pragmas.ts reports them): its parent key found, a parent row looked up from a child
 * row's values, and the child rows referring to a parent key.
 */

/** A foreign key with its parent found: columns paired in the order of the parent key's lookup. */
export interface ResolvedKey {
  readonly fk: ForeignKeyDef
  readonly parent: TableDef
  /** The child's columns, in lookup order. */
  readonly childColumns: readonly ColumnDef[]
  /** The parent's key columns, in lookup order. */
  readonly parentColumns: readonly ColumnDef[]
  /** How a parent is found: its rowid, its primary key (the table's key), or a unique index. */
  readonly via: 'rowid' | 'key' | IndexDef
  /** An index of the child's on exactly its key columns, when its values compare as the parent's. */
  readonly childIndex: IndexDef | undefined
}

/**
 * A key whose parent was not found: the error a write to its child or its parent meets (SQLite
 * raises it when it prepares such a statement).
 */
export interface Unresolved {
  readonly fk: ForeignKeyDef
  readonly error: BTreeSqlError
  /** The parent table does not exist (a table being dropped treats it as empty). */
  readonly missing: boolean
}

export type Key = ResolvedKey | Unresolved

/** The key resolved, or its error thrown; undefined for a missing parent while `missingOk`. */
export function use(key: Key, missingOk = false): ResolvedKey | undefined {
  if (!('error' in key)) return key
  if (missingOk && key.missing) return undefined
  throw key.error
}

const resolvedCache = new WeakMap<ForeignKeyDef, Key>()

function mismatch(fk: ForeignKeyDef): BTreeSqlError {
  return new BTreeSqlError(
    'BTREE_SQL_INVALID_SCHEMA',
    `foreign key mismatch - "${fk.child.name}" referencing "${fk.parent}"`,
  )
}

/**
 * The key's parent table and the way to its rows (SQLite's sqlite3FkLocateIndex): the rowid for an
 * INTEGER PRIMARY KEY named (or implied), else the primary key or a unique index whose columns are
 * exactly the parent columns named (in any order); else the error a write meets. Once per key
 * (a key belongs to one catalog).
 */
export function resolve(catalog: Catalog, fk: ForeignKeyDef): Key {
  let key = resolvedCache.get(fk)
  if (key === undefined) resolvedCache.set(fk, (key = locate(catalog, fk)))
  return key
}

function locate(catalog: Catalog, fk: ForeignKeyDef): Key {
  const parent = catalog.table(fk.parent)
  if (parent === undefined)
    return {
      fk,
      error: new BTreeSqlError('BTREE_SQL_NO_SUCH_TABLE', `no such table: main.${fk.parent}`),
      missing: true,
    }
  const child = fk.columns.map((c) => findColumn(fk.child, c)!)
  const named = fk.parentColumns
  const n = fk.columns.length
  let resolved: ResolvedKey | undefined
  const make = (via: ResolvedKey['via'], keyColumns: readonly string[]): ResolvedKey | undefined => {
    const childColumns: ColumnDef[] = []
    const parentColumns: ColumnDef[] = []
    for (const k of keyColumns) {
      const j =
        named === undefined ? keyColumns.indexOf(k) : named.findIndex((c) => c.toLowerCase() === k.toLowerCase())
      if (j < 0) return undefined
      childColumns.push(child[j]!)
      parentColumns.push(findColumn(parent, k)!)
    }
    return {
      fk,
      parent,
      childColumns,
      parentColumns,
      via,
      childIndex: childIndexFor(fk.child, childColumns, parentColumns),
    }
  }
  if (named === undefined) {
    if (parent.primaryKey.length === n) resolved = make(parent.keying === 'rowid' ? 'rowid' : 'key', parent.primaryKey)
  } else if (named.length === n) {
    const same = (columns: readonly string[]): boolean =>
      columns.length === n && columns.every((c) => named.some((m) => m.toLowerCase() === c.toLowerCase()))
    if (n === 1 && parent.rowidColumn !== undefined && same([parent.rowidColumn]))
      resolved = make('rowid', [parent.rowidColumn])
    else if (parent.keying === 'key' && parent.primaryKey.length > 0 && same(parent.primaryKey))
      resolved = make('key', parent.primaryKey)
    else {
      const index = parent.indexes.find(
        (i) => i.unique && i.where === undefined && i.expressions === undefined && same(i.columns),
      )
      if (index !== undefined) resolved = make(index, index.columns)
    }
  }
  return resolved ?? { fk, error: mismatch(fk), missing: false }
}

/**
 * An index of the child's whose columns are exactly the key's, with the same affinities and
 * collations as the parent's columns (so that equal values under the comparison are equal
 * entries): the child rows referring to a parent are then found by a seek instead of a scan.
 */
function childIndexFor(
  child: TableDef,
  childColumns: readonly ColumnDef[],
  parentColumns: readonly ColumnDef[],
): IndexDef | undefined {
  if (
    childColumns.some(
      (c, i) => c.affinity !== parentColumns[i]!.affinity || c.collation !== parentColumns[i]!.collation,
    )
  )
    return undefined
  return child.indexes.find(
    (i) =>
      i.where === undefined &&
      i.expressions === undefined &&
      i.columns.length === childColumns.length &&
      childColumns.every((c) => i.columns.includes(c.name)),
  )
}

const keyWriter = new KeyWriter()

/** A row's values by slot, or a stored row's view. */
export type Values = readonly SqlValue[] | RowView

export function valueAt(values: Values, slot: number): SqlValue {
  return Array.isArray(values) ? ((values as readonly SqlValue[])[slot] ?? null) : (values as RowView).get(slot)
}

/**
 * Whether the row's child key refers to nothing (a column of it null) or to a row the parent table
 * holds; the child's values take the parent key's affinity (SQLite's MustBeInt for a rowid: a
 * value that is no integer then has no parent).
 */
export function parentFound(tx: ReadTransaction, k: ResolvedKey, values: Values): boolean {
  const columns = k.childColumns
  const w = keyWriter.reset()
  if (k.via === 'rowid') {
    const v = valueAt(values, columns[0]!.slot)
    if (v === null) return true
    const rowid = applyAffinity(v, 'integer')
    if (!isInteger(rowid)) return false
    return readBucket(tx, k.parent)?.has(w.value(rowid).view()) === true
  }
  for (let i = 0; i < columns.length; i++) {
    const v = valueAt(values, columns[i]!.slot)
    if (v === null) return true
    // The parent's key components are folded by its columns' collations (table-store.ts: writeColumns).
    const parent = k.parentColumns[i]!
    w.value(folded(applyAffinity(v, parent.affinity), foldOf(parent.collation)))
  }
  if (k.via === 'key') return readBucket(tx, k.parent)?.has(w.view()) === true
  const index = tx.bucket(indexBucket(k.via))
  if (index === undefined) return false
  const prefix = w.view()
  const c = index.cursor()
  return c.seek(prefix) && startsWith(c.key!, prefix)
}

/** Whether a column of the row's child key is null (then it refers to nothing). */
export function childKeyHasNull(fk: ForeignKeyDef, values: Values): boolean {
  return fk.columns.some((name) => valueAt(values, findColumn(fk.child, name)!.slot) === null)
}

/**
 * The keys of the child rows referring to the parent key `key` (a parent row's values, in lookup
 * order), each compared as SQLite compares `parent.col = child.col`; the row under `exclude` (the
 * parent row itself, in a table referring to itself) is left out. Keys only: a count needs no row,
 * and an action reads each row as it is when it comes to it.
 */
export function childKeys(
  tx: ReadTransaction,
  k: ResolvedKey,
  key: readonly SqlValue[],
  exclude?: Uint8Array,
): Uint8Array[] {
  const child = k.fk.child
  const bucket = readBucket(tx, child)
  if (bucket === undefined || bucket.size === 0) return []
  const out: Uint8Array[] = []
  const keep = (rowKey: Uint8Array): boolean => exclude === undefined || !equalBytes(rowKey, exclude)
  if (k.childIndex !== undefined) {
    const index = tx.bucket(indexBucket(k.childIndex))
    if (index === undefined) return []
    const w = keyWriter.reset()
    for (const name of k.childIndex.columns) {
      const i = k.childColumns.findIndex((c) => c.name === name)
      // The child's index holds folds under the parent's collation (childIndexFor: the same one).
      w.value(folded(key[i]!, foldOf(k.parentColumns[i]!.collation)))
    }
    const prefix = w.finish()
    const c = index.cursor()
    for (let ok = c.seek(prefix); ok && startsWith(c.key!, prefix); ok = c.next()) {
      const rowKey = c.key!.slice(prefix.length)
      if (keep(rowKey)) out.push(rowKey)
    }
    return out
  }
  const refers = referringTo(k, key)
  for (const [rowKey, bytes] of bucket.entries())
    if (refers(rowView(child, bytes)) && keep(rowKey)) out.push(rowKey.slice())
  return out
}

/**
 * Whether a child row refers to the parent key `key`: each column compared with the parent's value
 * as SQLite compares `parent.col = child.col` (the comparison affinity of the two columns, the
 * parent column's collation).
 */
export function referringTo(k: ResolvedKey, key: readonly SqlValue[]): (row: RowView) => boolean {
  const affinities = k.childColumns.map((c, i) => comparisonAffinity(k.parentColumns[i]!.affinity, c.affinity))
  const folds = k.parentColumns.map((c) => foldOf(c.collation))
  const wanted = key.map((v, i) => folded(applyComparisonAffinity(v, affinities[i]), folds[i]))
  return (row) => {
    for (let i = 0; i < wanted.length; i++) {
      const v = row.get(k.childColumns[i]!.slot)
      if (v === null || compareValues(folded(applyComparisonAffinity(v, affinities[i]), folds[i]), wanted[i]!) !== 0)
        return false
    }
    return true
  }
}

/** The parent key a parent row holds, in lookup order; undefined when a column of it is null. */
export function parentKey(k: ResolvedKey, values: Values): SqlValue[] | undefined {
  const out: SqlValue[] = []
  for (const c of k.parentColumns) {
    const v = valueAt(values, c.slot)
    if (v === null) return undefined
    out.push(v)
  }
  return out
}
