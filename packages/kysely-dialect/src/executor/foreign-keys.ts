import type { ReadTransaction, WriteTransaction } from 'btree-store'
import { applyAffinity, applyComparisonAffinity, comparisonAffinity } from '../catalog/affinity.js'
import {
  type Catalog,
  type ColumnDef,
  findColumn,
  indexBucket,
  type IndexDef,
  type TableDef,
} from '../catalog/catalog.js'
import {
  type ForeignKeyAction,
  type ForeignKeyDef,
  type ForeignKeySchema,
  foreignKeySchema,
} from '../catalog/foreign-keys.js'
import { decodeKeyInteger, KeyWriter, startsWith } from '../encoding/keys.js'
import type { RowView } from '../encoding/rows.js'
import { compareValues, isInteger, type SqlValue } from '../encoding/values.js'
import { BTreeSqlError } from '../errors.js'
import type { Session, WriteContext } from './context.js'
import {
  defaultValue,
  deleteRow,
  type InsertOutcome,
  insertRow,
  readBucket,
  rowView,
  type StoredRow,
  updateRow,
} from './table-store.js'

/**
 * Foreign keys, enforced as SQLite enforces them with `PRAGMA foreign_keys = ON` (foreignkeys.html,
 * fkey.c): with counters, not by checking rows at the end.
 *
 * - A row written to a child table whose key (no column null) has no parent row adds 1 to a
 *   counter (I.1); a child row removed whose parent is missing takes 1 off, when the counter is
 *   above 0 (D.1).
 * - A parent row removed (or its key changed) adds 1 per child row referring to it (D.2); a parent
 *   row written takes 1 off per child row it satisfies, when the counter is above 0 (I.2).
 * - An update counts only for the keys whose columns its SET list names (changed or not).
 * - The counter is the statement's for immediate keys, checked when the statement ends
 *   ("FOREIGN KEY constraint failed", the statement undone); the transaction's for keys declared
 *   `deferrable initially deferred` (and every key under `PRAGMA defer_foreign_keys`), checked at
 *   the commit (Session.deferredViolations).
 * - After a parent row is deleted, or its key changed, each key's action runs on the child rows
 *   that referred to it: CASCADE deletes them (or sets their key to the new one), SET NULL / SET
 *   DEFAULT update them, each as a row change with its own foreign key processing; RESTRICT fails
 *   at once when there are any (unless defer_foreign_keys is on).
 *
 * The parent key must be the parent's primary key or have a unique index (not partial) on exactly
 * its columns, else "foreign key mismatch"; a missing parent table is "no such table", both raised
 * when a statement writes either table, as SQLite prepares them.
 */

/** A foreign key with its parent found: columns paired in the order of the parent key's lookup. */
interface ResolvedKey {
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
interface Unresolved {
  readonly fk: ForeignKeyDef
  readonly error: BTreeSqlError
  /** The parent table does not exist (a table being dropped treats it as empty). */
  readonly missing: boolean
}

type Key = ResolvedKey | Unresolved

/** A table's part in the catalog's foreign keys: its own keys, and the keys referring to it. */
interface TableKeys {
  readonly asChild: readonly Key[]
  readonly asParent: readonly Key[]
}

/** The statement being run, while foreign keys are enforced and the schema has any. */
interface KeyStatement {
  readonly tx: WriteTransaction
  readonly session: Session
  readonly schema: ForeignKeySchema
  readonly catalog: Catalog
  /** Each table's keys in this catalog, worked out once (plans). */
  readonly tables: Map<TableDef, TableKeys | null>
  /** The statement's counter of immediate violations. */
  immediate: number
}

let statement: KeyStatement | undefined

/** TableKeys by table, per catalog (a catalog never changes; a changed table is a new definition in a new one). */
const plans = new WeakMap<Catalog, Map<TableDef, TableKeys | null>>()

export function foreignKeyError(): BTreeSqlError {
  return new BTreeSqlError('BTREE_SQL_FOREIGN_KEY_VIOLATION', 'FOREIGN KEY constraint failed')
}

/**
 * Runs a write statement with its foreign key processing: the statement's violations counted as it
 * writes, and BTREE_SQL_FOREIGN_KEY_VIOLATION when some remain at its end (the caller undoes it).
 */
export function withForeignKeys<T>(ctx: WriteContext, run: () => T): T {
  if (!ctx.session.foreignKeys || ctx.planOnly === true) return run()
  const schema = foreignKeySchema(ctx.catalog)
  if (schema.byChild.size === 0 && ctx.session.deferredViolations === 0) return run()
  let tables = plans.get(ctx.catalog)
  if (tables === undefined) plans.set(ctx.catalog, (tables = new Map()))
  const previous = statement
  const current: KeyStatement = {
    tx: ctx.tx,
    session: ctx.session,
    schema,
    catalog: ctx.catalog,
    tables,
    immediate: 0,
  }
  statement = current
  try {
    const result = run()
    // Not 0 either way: a count below 0 (rows found satisfied that no statement counted, left by
    // writes made with foreign keys off) fails as SQLite's does (SQLite 3.54 through sql.js, measured).
    if (current.immediate !== 0) throw foreignKeyError()
    return result
  } finally {
    statement = previous
  }
}

/** The table's keys for the running statement; undefined when it has none either way (or none are enforced). */
function keysOf(s: KeyStatement | undefined, table: TableDef): TableKeys | undefined {
  if (s === undefined) return undefined
  let keys = s.tables.get(table)
  if (keys === undefined) {
    const asChild = (s.schema.byChild.get(table) ?? []).map((fk) => resolve(s.catalog, fk))
    const asParent = (s.schema.byParent.get(table.name.toLowerCase()) ?? []).map((fk) => resolve(s.catalog, fk))
    keys = asChild.length === 0 && asParent.length === 0 ? null : { asChild, asParent }
    s.tables.set(table, keys)
  }
  return keys ?? undefined
}

/** The key resolved, or its error thrown; undefined for a missing parent while `missingOk`. */
function use(key: Key, missingOk = false): ResolvedKey | undefined {
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
function resolve(catalog: Catalog, fk: ForeignKeyDef): Key {
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
 * An index of the child's whose columns are exactly the key's, with the same affinities as the
 * parent's columns (so that equal values under the comparison are equal entries): the child rows
 * referring to a parent are then found by a seek instead of a scan.
 */
function childIndexFor(
  child: TableDef,
  childColumns: readonly ColumnDef[],
  parentColumns: readonly ColumnDef[],
): IndexDef | undefined {
  if (childColumns.some((c, i) => c.affinity !== parentColumns[i]!.affinity)) return undefined
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
type Values = readonly SqlValue[] | RowView

function valueAt(values: Values, slot: number): SqlValue {
  return Array.isArray(values) ? ((values as readonly SqlValue[])[slot] ?? null) : (values as RowView).get(slot)
}

/**
 * Whether the row's child key refers to nothing (a column of it null) or to a row the parent table
 * holds; the child's values take the parent key's affinity (SQLite's MustBeInt for a rowid: a
 * value that is no integer then has no parent).
 */
function parentFound(tx: ReadTransaction, k: ResolvedKey, values: Values): boolean {
  const columns = k.childColumns
  const w = keyWriter.reset()
  if (k.via === 'rowid') {
    const v = valueAt(values, columns[0]!.slot)
    if (v === null) return true
    const rowid = applyAffinity(v, 'integer')
    if (!isInteger(rowid)) return false
    return readBucket(tx, k.parent)?.get(w.value(rowid).view()) !== undefined
  }
  for (let i = 0; i < columns.length; i++) {
    const v = valueAt(values, columns[i]!.slot)
    if (v === null) return true
    w.value(applyAffinity(v, k.parentColumns[i]!.affinity))
  }
  if (k.via === 'key') return readBucket(tx, k.parent)?.get(w.view()) !== undefined
  const index = tx.bucket(indexBucket(k.via))
  if (index === undefined) return false
  const prefix = w.view()
  const c = index.cursor()
  return c.seek(prefix) && startsWith(c.key!, prefix)
}

/** Whether a column of the row's child key is null (then it refers to nothing). */
function childKeyHasNull(fk: ForeignKeyDef, values: Values): boolean {
  return fk.columns.some((name) => valueAt(values, findColumn(fk.child, name)!.slot) === null)
}

/**
 * The child rows referring to the parent key `key` (a parent row's values, in lookup order), each
 * compared as SQLite compares `parent.col = child.col`; the row under `exclude` (the parent row
 * itself, in a table referring to itself) is left out.
 */
function childRows(s: KeyStatement, k: ResolvedKey, key: readonly SqlValue[], exclude?: Uint8Array): StoredRow[] {
  const child = k.fk.child
  const bucket = readBucket(s.tx, child)
  if (bucket === undefined || bucket.size === 0) return []
  const out: StoredRow[] = []
  const keep = (rowKey: Uint8Array): boolean => exclude === undefined || !equalBytes(rowKey, exclude)
  if (k.childIndex !== undefined) {
    const index = s.tx.bucket(indexBucket(k.childIndex))
    if (index === undefined) return []
    const w = keyWriter.reset()
    for (const name of k.childIndex.columns) {
      const i = k.childColumns.findIndex((c) => c.name === name)
      w.value(key[i]!)
    }
    const prefix = w.finish()
    const c = index.cursor()
    for (let ok = c.seek(prefix); ok && startsWith(c.key!, prefix); ok = c.next()) {
      const rowKey = c.key!.slice(prefix.length)
      const bytes = bucket.get(rowKey)
      if (bytes !== undefined && keep(rowKey)) out.push({ key: rowKey, row: rowView(child, bytes) })
    }
    return out
  }
  const n = k.childColumns.length
  const affinities = k.childColumns.map((c, i) => comparisonAffinity(k.parentColumns[i]!.affinity, c.affinity))
  const wanted = key.map((v, i) => applyComparisonAffinity(v, affinities[i]))
  for (const [rowKey, bytes] of bucket.entries()) {
    const row = rowView(child, bytes)
    let match = true
    for (let i = 0; i < n && match; i++) {
      const v = row.get(k.childColumns[i]!.slot)
      match = v !== null && compareValues(applyComparisonAffinity(v, affinities[i]), wanted[i]!) === 0
    }
    if (match && keep(rowKey)) out.push({ key: rowKey.slice(), row })
  }
  return out
}

/** The parent key a parent row holds, in lookup order; undefined when a column of it is null. */
function parentKey(k: ResolvedKey, values: Values): SqlValue[] | undefined {
  const out: SqlValue[] = []
  for (const c of k.parentColumns) {
    const v = valueAt(values, c.slot)
    if (v === null) return undefined
    out.push(v)
  }
  return out
}

function deferredFor(s: KeyStatement, fk: ForeignKeyDef): boolean {
  return fk.deferred || s.session.deferForeignKeys
}

function count(s: KeyStatement, fk: ForeignKeyDef, by: number): void {
  if (deferredFor(s, fk)) s.session.deferredViolations += by
  else s.immediate += by
}

/** Whether the counter `fk` counts in is 0: nothing a removal could resolve (SQLite's OP_FkIfZero). */
function counterIsZero(s: KeyStatement, fk: ForeignKeyDef): boolean {
  return deferredFor(s, fk) ? s.session.deferredViolations === 0 : s.immediate === 0
}

/**
 * Whether one of the key's columns is among `assigned` (slots an update's SET list names); all,
 * without one (an insert or a delete).
 */
function touches(columns: readonly ColumnDef[], assigned: ReadonlySet<number> | undefined): boolean {
  return assigned === undefined || columns.some((c) => assigned.has(c.slot))
}

/** I.1 / D.1: a child row written (+1) or removed (-1), for each of its table's keys. */
function childSide(
  s: KeyStatement,
  keys: TableKeys,
  table: TableDef,
  values: Values,
  by: 1 | -1,
  assigned?: ReadonlySet<number>,
): void {
  for (const key of keys.asChild) {
    if (by < 0 && counterIsZero(s, key.fk)) continue
    const k = use(key, s === dropping)
    if (k === undefined) {
      // The parent is missing while its child is dropped: as if it were empty (fkey.c).
      if (by < 0 && !childKeyHasNull(key.fk, values)) count(s, key.fk, -1)
      continue
    }
    // A key to its own table is checked whatever the update assigns (SQLite's sqlite3FkCheck).
    if (!touches(k.childColumns, assigned) && k.parent !== table) continue
    if (!parentFound(s.tx, k, values)) count(s, k.fk, by)
  }
}

/** I.2: a parent row written takes 1 off per child row it satisfies, when the counter is above 0. */
function parentWritten(
  s: KeyStatement,
  keys: TableKeys,
  table: TableDef,
  values: Values,
  rowKey: Uint8Array,
  assigned?: ReadonlySet<number>,
): void {
  for (const key of keys.asParent) {
    const k = use(key)!
    if (!touches(k.parentColumns, assigned) || counterIsZero(s, k.fk)) continue
    const parent = parentKey(k, values)
    if (parent === undefined) continue
    const rows = childRows(s, k, parent, k.fk.child === table ? rowKey : undefined)
    if (rows.length > 0) count(s, k.fk, -rows.length)
  }
}

/** The rows a deleted parent row's ON DELETE action is to change (found by D.2, parentRemoved). */
interface PendingAction {
  readonly k: ResolvedKey
  readonly oldKey: readonly SqlValue[]
  readonly rows: readonly StoredRow[]
}

/**
 * D.2: a parent row removed (or its key changing) adds 1 per child row referring to it. For a
 * delete (`pending`), the rows its keys' actions are to change are kept: the same rows an action's
 * scan after the delete would find.
 */
function parentRemoved(
  s: KeyStatement,
  keys: TableKeys,
  table: TableDef,
  stored: StoredRow,
  assigned: ReadonlySet<number> | undefined,
  pending: PendingAction[] | undefined,
): void {
  for (const key of keys.asParent) {
    const k = use(key)!
    if (!touches(k.parentColumns, assigned)) continue
    const oldKey = parentKey(k, stored.row)
    if (oldKey === undefined) continue
    const rows = childRows(s, k, oldKey, k.fk.child === table ? stored.key : undefined)
    if (rows.length === 0) continue
    count(s, k.fk, rows.length)
    if (pending !== undefined && acts(s, k.fk.onDelete)) pending.push({ k, oldKey, rows })
  }
}

/** Whether an action changes anything, or fails (RESTRICT waits, under defer_foreign_keys). */
function acts(s: KeyStatement, action: ForeignKeyAction): boolean {
  return action !== 'no action' && !(action === 'restrict' && s.session.deferForeignKeys)
}

/** The child row under `key` as it is now, if it still refers to `oldKey` (an earlier action may have changed or deleted it). */
function stillReferring(
  s: KeyStatement,
  k: ResolvedKey,
  key: Uint8Array,
  oldKey: readonly SqlValue[],
): StoredRow | undefined {
  const bytes = readBucket(s.tx, k.fk.child)?.get(key)
  if (bytes === undefined) return undefined
  const row = rowView(k.fk.child, bytes)
  for (let i = 0; i < oldKey.length; i++) {
    const c = k.childColumns[i]!
    const v = row.get(c.slot)
    const affinity = comparisonAffinity(k.parentColumns[i]!.affinity, c.affinity)
    if (
      v === null ||
      compareValues(applyComparisonAffinity(v, affinity), applyComparisonAffinity(oldKey[i]!, affinity)) !== 0
    )
      return undefined
  }
  return { key, row }
}

/**
 * An action on the child rows that referred to a parent row now deleted (`newKey` undefined) or
 * re-keyed to `newKey`: CASCADE deletes them (or gives them the new key), SET NULL and SET DEFAULT
 * update their key, each a row change with its own foreign key processing; RESTRICT fails.
 */
function act(
  s: KeyStatement,
  k: ResolvedKey,
  action: ForeignKeyAction,
  oldKey: readonly SqlValue[],
  rows: readonly StoredRow[],
  newKey: readonly SqlValue[] | undefined,
): void {
  if (action === 'restrict') throw foreignKeyError()
  const child = k.fk.child
  const assigned = action === 'cascade' && newKey === undefined ? undefined : new Set(k.childColumns.map((c) => c.slot))
  for (const r of rows) {
    const current = stillReferring(s, k, r.key, oldKey)
    if (current === undefined) continue
    if (assigned === undefined) {
      deleteChecked(s.tx, child, current)
      continue
    }
    const values = current.row.all(child.nextSlot)
    k.childColumns.forEach((c, i) => {
      values[c.slot] = action === 'cascade' ? newKey![i]! : action === 'set null' ? null : defaultValue(c)
    })
    updateChecked(s.tx, child, current, values, assigned)
  }
}

/**
 * The ON UPDATE actions of the keys referring to `table` after its row `old` was updated to `next`,
 * where the parent key changed (SQLite's `WHEN old.key IS NOT new.key`).
 */
function updateActions(s: KeyStatement, keys: TableKeys, old: Values, next: Values): void {
  for (const key of keys.asParent) {
    const k = use(key)!
    if (!acts(s, k.fk.onUpdate)) continue
    const oldKey = parentKey(k, old)
    if (oldKey === undefined) continue
    const newKey = k.parentColumns.map((c) => valueAt(next, c.slot))
    if (newKey.every((v, i) => compareIs(v, oldKey[i]!))) continue
    const rows = childRows(s, k, oldKey)
    if (rows.length > 0) act(s, k, k.fk.onUpdate, oldKey, rows, newKey)
  }
}

/** SQLite's IS: equal, or both null. */
function compareIs(a: SqlValue, b: SqlValue): boolean {
  if (a === null || b === null) return a === b
  return compareValues(a, b) === 0
}

/** insertRow with the statement's foreign key processing (I.1 and I.2). */
export function insertChecked(
  tx: WriteTransaction,
  table: TableDef,
  values: SqlValue[],
  hiddenRowid?: number | bigint,
): InsertOutcome {
  const outcome = insertRow(tx, table, values, hiddenRowid)
  const s = statement
  const keys = keysOf(s, table)
  if (keys !== undefined) {
    childSide(s!, keys, table, outcome.values, 1)
    if (keys.asParent.length > 0) parentWritten(s!, keys, table, outcome.values, storedKeyOf(table, outcome))
  }
  return outcome
}

/** The key of the row just inserted, found again by its rowid or primary key (for a self-referring table's scan). */
function storedKeyOf(table: TableDef, outcome: InsertOutcome): Uint8Array {
  if (table.keying === 'rowid') return keyWriter.reset().value(outcome.rowid).finish()
  const w = keyWriter.reset()
  for (const name of table.primaryKey) w.value(outcome.values[findColumn(table, name)!.slot] ?? null)
  // A key holding a null is made unique by the hidden rowid: no row of the table refers to it.
  return w.finish()
}

/** deleteRow with the statement's foreign key processing (D.1, D.2, then the ON DELETE actions). */
export function deleteChecked(tx: WriteTransaction, table: TableDef, stored: StoredRow): void {
  const s = statement
  const keys = keysOf(s, table)
  if (keys === undefined) return deleteRow(tx, table, stored)
  childSide(s!, keys, table, stored.row, -1)
  const pending: PendingAction[] = []
  if (keys.asParent.length > 0) parentRemoved(s!, keys, table, stored, undefined, pending)
  deleteRow(tx, table, stored)
  for (const p of pending) act(s!, p.k, p.k.fk.onDelete, p.oldKey, p.rows, undefined)
}

/**
 * updateRow with the statement's foreign key processing: for the keys whose columns `assigned`
 * (the SET list's slots) names, D.1 and D.2 on the old row, I.1 and I.2 on the new one, then the
 * ON UPDATE actions where the parent key changed.
 */
export function updateChecked(
  tx: WriteTransaction,
  table: TableDef,
  stored: StoredRow,
  values: SqlValue[],
  assigned: ReadonlySet<number>,
): SqlValue[] {
  const s = statement
  const keys = keysOf(s, table)
  if (keys === undefined) return updateRow(tx, table, stored, values)
  childSide(s!, keys, table, stored.row, -1, assigned)
  const isParent = keys.asParent.length > 0
  if (isParent) parentRemoved(s!, keys, table, stored, assigned, undefined)
  const old = isParent ? stored.row.all(table.nextSlot) : undefined
  const written = updateRow(tx, table, stored, values)
  childSide(s!, keys, table, written, 1, assigned)
  if (old !== undefined) {
    parentWritten(s!, keys, table, written, rowKeyAfterUpdate(s!, table, stored, written), assigned)
    updateActions(s!, keys, old, written)
  }
  return written
}

/** The key the updated row is stored under (moved when its rowid or primary key changed). */
function rowKeyAfterUpdate(
  s: KeyStatement,
  table: TableDef,
  stored: StoredRow,
  written: readonly SqlValue[],
): Uint8Array {
  if (table.keying === 'rowid') {
    if (table.rowidColumn === undefined) return stored.key
    return keyWriter
      .reset()
      .value(written[findColumn(table, table.rowidColumn)!.slot] ?? null)
      .finish()
  }
  const w = keyWriter.reset()
  for (const name of table.primaryKey) w.value(written[findColumn(table, name)!.slot] ?? null)
  const key = w.finish()
  return readBucket(s.tx, table)?.get(key) === undefined ? stored.key : key
}

/** The statement dropping a table (its rows deleted first, foreign keys to missing parents treated as empty). */
let dropping: KeyStatement | undefined

/**
 * DROP TABLE under foreign keys (SQLite's sqlite3FkDropTable): when other rows may refer to the
 * table's (it is a parent), or it is the child of a deferred key with violations outstanding, its
 * rows are deleted first, with their foreign key processing and actions, so that the statement
 * fails when that leaves immediate violations.
 */
export function deleteAllForDrop(tx: WriteTransaction, table: TableDef): void {
  const s = statement
  const keys = keysOf(s, table)
  if (keys === undefined) return
  const deferredChild = s!.session.deferredViolations !== 0 && keys.asChild.some((k) => k.fk.deferred)
  if (keys.asParent.length === 0 && !deferredChild) return
  const bucket = readBucket(tx, table)
  if (bucket === undefined) return
  const all: Uint8Array[] = []
  for (const [key] of bucket.entries()) all.push(key.slice())
  dropping = s
  try {
    for (const key of all) {
      const bytes = readBucket(tx, table)?.get(key)
      if (bytes !== undefined) deleteChecked(tx, table, { key, row: rowView(table, bytes) })
    }
  } finally {
    dropping = undefined
  }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

const ACTION_NAMES: Record<ForeignKeyAction, string> = {
  'no action': 'NO ACTION',
  restrict: 'RESTRICT',
  cascade: 'CASCADE',
  'set null': 'SET NULL',
  'set default': 'SET DEFAULT',
}

/** A table's keys as SQLite numbers them: the last declared is 0 (its list is built by prepending). */
function numbered(catalog: Catalog, table: TableDef): readonly ForeignKeyDef[] {
  return [...(foreignKeySchema(catalog).byChild.get(table) ?? [])].reverse()
}

/**
 * `pragma foreign_key_list(t)`: a row per column of each of t's keys (id, seq, table, from, to,
 * on_update, on_delete, match), `to` null where the parent's primary key is implied.
 */
export function foreignKeyList(catalog: Catalog, name: string | undefined): Record<string, unknown>[] {
  const table = name === undefined ? undefined : catalog.table(name)
  if (table === undefined) return []
  const out: Record<string, unknown>[] = []
  numbered(catalog, table).forEach((fk, id) =>
    fk.columns.forEach((from, seq) =>
      out.push({
        id,
        seq,
        table: fk.parent,
        from,
        to: fk.parentColumns?.[seq] ?? null,
        on_update: ACTION_NAMES[fk.onUpdate],
        on_delete: ACTION_NAMES[fk.onDelete],
        match: 'NONE',
      }),
    ),
  )
  return out
}

/**
 * `pragma foreign_key_check [(t)]`: a row (table, rowid, parent, fkid) per key of a row that names
 * no parent row, rows in key order and, within a row, keys by number; a missing parent table is
 * a violation for every key without a null. A key no unique index serves is its error.
 */
export function foreignKeyCheck(
  tx: ReadTransaction,
  catalog: Catalog,
  name: string | undefined,
): Record<string, unknown>[] {
  const tables = name === undefined ? catalog.tables() : [catalog.requireTable(name)]
  const out: Record<string, unknown>[] = []
  for (const table of tables) {
    const keys = numbered(catalog, table).map((fk) => resolve(catalog, fk))
    if (keys.length === 0) continue
    for (const key of keys) if ('error' in key && !key.missing) throw key.error
    const bucket = readBucket(tx, table)
    if (bucket === undefined) continue
    for (const [rowKey, bytes] of bucket.entries()) {
      const row = rowView(table, bytes)
      keys.forEach((key, fkid) => {
        const violated = 'error' in key ? !childKeyHasNull(key.fk, row) : !parentFound(tx, key, row)
        if (!violated) return
        const rowid = table.keying === 'rowid' ? decodeKeyInteger(rowKey) : (row.hiddenRowid ?? null)
        out.push({ table: table.name, rowid, parent: key.fk.parent, fkid })
      })
    }
  }
  return out
}
