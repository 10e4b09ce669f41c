import type { WriteTransaction } from 'btree-store'
import { applyAffinity, applyComparisonAffinity, comparisonAffinity } from '../catalog/affinity.js'
import {
  type Catalog,
  type ColumnDef,
  findColumn,
  indexBucket,
  type IndexDef,
  type TableDef,
} from '../catalog/catalog.js'
import { type ForeignKeyDef, type ForeignKeySchema, foreignKeySchema } from '../catalog/foreign-keys.js'
import { KeyWriter, startsWith } from '../encoding/keys.js'
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

/** The statement being run, while foreign keys are enforced and the schema has any. */
interface KeyStatement {
  readonly tx: WriteTransaction
  readonly catalog: Catalog
  readonly session: Session
  readonly schema: ForeignKeySchema
  /** The statement's counter of immediate violations. */
  immediate: number
}

let statement: KeyStatement | undefined

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
  const previous = statement
  const current: KeyStatement = { tx: ctx.tx, catalog: ctx.catalog, session: ctx.session, schema, immediate: 0 }
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

/** Whether the running statement enforces foreign keys on `table` (as a child or a parent). */
function keysOf(table: TableDef): KeyStatement | undefined {
  const s = statement
  if (s === undefined) return undefined
  return s.schema.byChild.has(table) || s.schema.byParent.has(table.name.toLowerCase()) ? s : undefined
}

const resolvedCache = new WeakMap<ForeignKeyDef, ResolvedKey | null>()

function mismatch(fk: ForeignKeyDef): BTreeSqlError {
  return new BTreeSqlError(
    'BTREE_SQL_INVALID_SCHEMA',
    `foreign key mismatch - "${fk.child.name}" referencing "${fk.parent}"`,
  )
}

/**
 * The key's parent table and the way to its rows (SQLite's sqlite3FkLocateIndex): the rowid for an
 * INTEGER PRIMARY KEY named (or implied), else the primary key or a unique index whose columns are
 * exactly the parent columns named (in any order). Undefined, with `missingOk`, when the parent
 * table does not exist (a table being dropped treats it as empty).
 */
function resolve(s: KeyStatement, fk: ForeignKeyDef, missingOk = false): ResolvedKey | undefined {
  const cached = resolvedCache.get(fk)
  if (cached !== undefined) return cached ?? undefined
  const parent = s.catalog.table(fk.parent)
  if (parent === undefined) {
    if (missingOk) return undefined
    throw new BTreeSqlError('BTREE_SQL_NO_SUCH_TABLE', `no such table: main.${fk.parent}`)
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
  if (resolved === undefined) throw mismatch(fk)
  resolvedCache.set(fk, resolved)
  return resolved
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

/** The child key of a row, in lookup order; undefined when a column of it is null (then it refers to nothing). */
function childKey(k: ResolvedKey, values: Values): SqlValue[] | undefined {
  const out: SqlValue[] = []
  for (const c of k.childColumns) {
    const v = valueAt(values, c.slot)
    if (v === null) return undefined
    out.push(v)
  }
  return out
}

/** Whether the parent table holds a row with this key (the child's values take the parent key's affinity). */
function parentExists(s: KeyStatement, k: ResolvedKey, key: readonly SqlValue[]): boolean {
  const bucket = readBucket(s.tx, k.parent)
  if (bucket === undefined) return false
  const w = keyWriter.reset()
  if (k.via === 'rowid') {
    // SQLite's MustBeInt: a value that is no integer after the affinity has no parent.
    const v = applyAffinity(key[0]!, 'integer')
    if (!isInteger(v)) return false
    return bucket.get(w.value(v).view()) !== undefined
  }
  for (let i = 0; i < key.length; i++) w.value(applyAffinity(key[i]!, k.parentColumns[i]!.affinity))
  if (k.via === 'key') return bucket.get(w.view()) !== undefined
  const index = s.tx.bucket(indexBucket(k.via))
  if (index === undefined) return false
  const prefix = w.view()
  const c = index.cursor()
  return c.seek(prefix) && startsWith(c.key!, prefix)
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

/** I.1 / D.1: a child row written (+1) or removed (-1), for each key of its table it has. */
function childSide(s: KeyStatement, table: TableDef, values: Values, by: 1 | -1, assigned?: ReadonlySet<number>): void {
  const keys = s.schema.byChild.get(table)
  if (keys === undefined) return
  for (const fk of keys) {
    if (by < 0 && counterIsZero(s, fk)) continue
    const k = resolve(s, fk, s === dropping)
    if (k === undefined) {
      // The parent is missing while its child is dropped: as if it were empty (fkey.c).
      if (by < 0 && childKey(resolveChildOnly(fk), values) !== undefined) count(s, fk, -1)
      continue
    }
    // A key to its own table is checked whatever the update assigns (SQLite's sqlite3FkCheck).
    if (!touches(k.childColumns, assigned) && k.parent !== table) continue
    const key = childKey(k, values)
    if (key === undefined) continue
    if (!parentExists(s, k, key)) count(s, fk, by)
  }
}

/** The child's columns of a key whose parent is missing. */
function resolveChildOnly(fk: ForeignKeyDef): ResolvedKey {
  const cols = fk.columns.map((c) => findColumn(fk.child, c)!)
  return { fk, parent: fk.child, childColumns: cols, parentColumns: cols, via: 'key', childIndex: undefined }
}

/** The keys referring to `table`, resolved (a mismatch is an error, as for any write to the parent). */
function parentKeys(s: KeyStatement, table: TableDef): ResolvedKey[] {
  const keys = s.schema.byParent.get(table.name.toLowerCase())
  if (keys === undefined) return []
  const out: ResolvedKey[] = []
  for (const fk of keys) out.push(resolve(s, fk)!)
  return out
}

/** I.2: a parent row written takes 1 off per child row it satisfies, when the counter is above 0. */
function parentWritten(
  s: KeyStatement,
  table: TableDef,
  values: Values,
  rowKey: Uint8Array,
  assigned?: ReadonlySet<number>,
): void {
  for (const k of parentKeys(s, table)) {
    if (!touches(k.parentColumns, assigned) || counterIsZero(s, k.fk)) continue
    const key = parentKey(k, values)
    if (key === undefined) continue
    const rows = childRows(s, k, key, k.fk.child === table ? rowKey : undefined)
    if (rows.length > 0) count(s, k.fk, -rows.length)
  }
}

/** D.2: a parent row removed (or its key changing) adds 1 per child row referring to it. */
function parentRemoved(s: KeyStatement, table: TableDef, stored: StoredRow, assigned?: ReadonlySet<number>): void {
  for (const k of parentKeys(s, table)) {
    if (!touches(k.parentColumns, assigned)) continue
    const key = parentKey(k, stored.row)
    if (key === undefined) continue
    const rows = childRows(s, k, key, k.fk.child === table ? stored.key : undefined)
    if (rows.length > 0) count(s, k.fk, rows.length)
  }
}

/**
 * The actions of the keys referring to `table` after its row `old` was deleted (`next`
 * undefined) or updated to `next`: an update's only where the parent key changed (SQLite's
 * `WHEN old.key IS NOT new.key`).
 */
function runActions(s: KeyStatement, table: TableDef, old: Values, next: Values | undefined): void {
  for (const k of parentKeys(s, table)) {
    const action = next === undefined ? k.fk.onDelete : k.fk.onUpdate
    if (action === 'no action') continue
    if (action === 'restrict' && s.session.deferForeignKeys) continue
    const oldKey = parentKey(k, old)
    if (oldKey === undefined) continue
    let newKey: SqlValue[] | undefined
    if (next !== undefined) {
      const values = k.parentColumns.map((c) => valueAt(next, c.slot))
      if (values.every((v, i) => compareIs(v, oldKey[i]!))) continue
      newKey = values
    }
    const rows = childRows(s, k, oldKey)
    if (rows.length === 0) continue
    if (action === 'restrict') throw foreignKeyError()
    if (action === 'cascade' && next === undefined) {
      for (const r of rows) {
        // A cascade may have deleted it already (a table referring to itself).
        const bytes = readBucket(s.tx, k.fk.child)?.get(r.key)
        if (bytes !== undefined) deleteChecked(s.tx, k.fk.child, { key: r.key, row: rowView(k.fk.child, bytes) })
      }
      continue
    }
    const assigned = new Set(k.childColumns.map((c) => c.slot))
    for (const r of rows) {
      const bytes = readBucket(s.tx, k.fk.child)?.get(r.key)
      if (bytes === undefined) continue
      const current: StoredRow = { key: r.key, row: rowView(k.fk.child, bytes) }
      const values = current.row.all(k.fk.child.nextSlot)
      k.childColumns.forEach((c, i) => {
        values[c.slot] = action === 'cascade' ? newKey![i]! : action === 'set null' ? null : defaultValue(c)
      })
      updateChecked(s.tx, k.fk.child, current, values, assigned)
    }
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
  const s = keysOf(table)
  if (s !== undefined) {
    childSide(s, table, outcome.values, 1)
    if (s.schema.byParent.has(table.name.toLowerCase())) {
      parentWritten(s, table, outcome.values, storedKeyOf(table, outcome))
    }
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
  const s = keysOf(table)
  if (s === undefined) return deleteRow(tx, table, stored)
  childSide(s, table, stored.row, -1)
  parentRemoved(s, table, stored)
  // The row's values outlive its delete.
  const old = stored.row.all(table.nextSlot)
  deleteRow(tx, table, stored)
  runActions(s, table, old, undefined)
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
  const s = keysOf(table)
  if (s === undefined) return updateRow(tx, table, stored, values)
  childSide(s, table, stored.row, -1, assigned)
  parentRemoved(s, table, stored, assigned)
  const old = stored.row.all(table.nextSlot)
  const written = updateRow(tx, table, stored, values)
  childSide(s, table, written, 1, assigned)
  if (s.schema.byParent.has(table.name.toLowerCase())) {
    const key = rowKeyAfterUpdate(s, table, stored, written)
    parentWritten(s, table, written, key, assigned)
    runActions(s, table, old, written)
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
  const s = keysOf(table)
  if (s === undefined) return
  const isParent = s.schema.byParent.has(table.name.toLowerCase())
  const deferredChild =
    s.session.deferredViolations !== 0 && (s.schema.byChild.get(table) ?? []).some((fk) => fk.deferred)
  if (!isParent && !deferredChild) return
  const bucket = readBucket(tx, table)
  if (bucket === undefined) return
  const keys: Uint8Array[] = []
  for (const [key] of bucket.entries()) keys.push(key.slice())
  dropping = s
  try {
    for (const key of keys) {
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
