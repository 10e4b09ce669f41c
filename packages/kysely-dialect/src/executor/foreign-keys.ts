import type { WriteTransaction } from 'btree-store'
import { type Catalog, findColumn, type TableDef } from '../catalog/catalog.js'
import {
  type ForeignKeyAction,
  type ForeignKeyDef,
  type ForeignKeySchema,
  foreignKeySchema,
} from '../catalog/foreign-keys.js'
import { KeyWriter } from '../encoding/keys.js'
import type { RowView } from '../encoding/rows.js'
import { compareValues, type SqlValue } from '../encoding/values.js'
import { BTreeSqlError } from '../errors.js'
import type { Session, WriteContext } from './context.js'
import { beforeRow, fireRow, mayFire, storedValues, withoutTriggers } from './triggers.js'
import { currentContext } from './current-context.js'
import { nameOf, type AnyNode } from '../expression/nodes.js'
import type { OperationNode } from 'kysely'
import {
  childKeyHasNull,
  childKeys,
  type Key,
  parentFound,
  parentKey,
  referringTo,
  resolve,
  type ResolvedKey,
  use,
  valueAt,
  type Values,
} from './foreign-key-lookup.js'
import {
  defaultValue,
  deleteRow,
  type InsertOutcome,
  insertRow,
  readBucket,
  rowView,
  type StoredRow,
  updateRow,
  columnsKey,
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
 * - An update counts only for the keys whose columns its SET list names (changed or not), and a
 *   key to the table's own rows always.
 * - The counter is the statement's for immediate keys, checked when the statement ends
 *   ("FOREIGN KEY constraint failed", the statement undone); the transaction's for keys declared
 *   `deferrable initially deferred` (and every key under `PRAGMA defer_foreign_keys`), checked at
 *   the commit (Session.deferredViolations). Either fails when not 0 (below 0 only over rows
 *   written with foreign keys off, where SQLite 3.54 fails too).
 *
 * The keys' two sides (the parent found, the rows looked up) are foreign-key-lookup.ts.
 * - After a parent row is deleted, or its key changed, each key's action runs on the child rows
 *   that referred to it: CASCADE deletes them (or sets their key to the new one), SET NULL / SET
 *   DEFAULT update them, each as a row change with its own foreign key processing; RESTRICT fails
 *   at once when there are any (unless defer_foreign_keys is on).
 *
 * The parent key must be the parent's primary key or have a unique index (not partial) on exactly
 * its columns, else "foreign key mismatch"; a missing parent table is "no such table", both raised
 * when a statement writes either table, as SQLite prepares them.
 */

/** A key as one table's writes meet it, worked out once per catalog. */
interface TableKey {
  /** The key resolved, or the error a write meets. */
  readonly key: Key
  /** The slots of its columns in this table: its child columns, or (as a parent) its parent key's. */
  readonly slots: readonly number[]
  /** It refers to this same table. */
  readonly self: boolean
}

/** A table's part in the catalog's foreign keys: its own keys, and the keys referring to it. */
interface TableKeys {
  readonly asChild: readonly TableKey[]
  readonly asParent: readonly TableKey[]
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
  /**
   * An insert of one row from a VALUES list (no upsert, no replace): SQLite leaves its immediate
   * keys' parent side alone (I.2 cannot change a count that starts at 0), mismatch or not.
   */
  readonly singleRowInsert: boolean
}

let statement: KeyStatement | undefined

/** TableKeys by table, per catalog (a catalog never changes; a changed table is a new definition in a new one). */
const plans = new WeakMap<Catalog, Map<TableDef, TableKeys | null>>()

/** The table an insert, update or delete writes, and the columns an update's SET list names. */
function target(node: AnyNode): { name: string; assigned?: readonly string[] } | undefined {
  const named = (n: AnyNode | undefined): string | undefined => {
    const inner = n?.kind === 'AliasNode' ? (n.node as AnyNode) : n
    return inner?.kind === 'TableNode' ? nameOf(inner as OperationNode) : undefined
  }
  switch (node.kind) {
    case 'InsertQueryNode': {
      const name = named(node.into as AnyNode)
      return name === undefined ? undefined : { name }
    }
    case 'DeleteQueryNode': {
      const name = named(((node.from as AnyNode | undefined)?.froms as AnyNode[] | undefined)?.[0])
      return name === undefined ? undefined : { name }
    }
    case 'UpdateQueryNode': {
      const name = named(node.table as AnyNode)
      if (name === undefined) return undefined
      const assigned = ((node.updates ?? []) as readonly AnyNode[]).map((u) => {
        const c = u.column as AnyNode
        return nameOf((c.kind === 'ReferenceNode' ? c.column : c) as OperationNode)
      })
      return { name, assigned }
    }
    default:
      return undefined
  }
}

/**
 * The keys a statement needs, resolved before it writes anything, as SQLite resolves them when it
 * prepares it: a missing parent table or a key no unique index serves is the statement's error
 * even when it changes no row (the row checks meet the same keys).
 */
function checkKeysOf(s: KeyStatement, node: AnyNode): void {
  const t = target(node)
  const table = t === undefined ? undefined : s.catalog.table(t.name)
  if (t === undefined || table === undefined) return
  const keys = keysOf(s, table)
  if (keys === undefined) return
  const assigned =
    t.assigned === undefined
      ? undefined
      : new Set(t.assigned.map((name) => findColumn(table, name)?.slot).filter((slot) => slot !== undefined))
  for (const k of keys.asChild) if (assigned === undefined || k.self || touched(k, assigned)) use(k.key)
  for (const k of keys.asParent) {
    if (node.kind === 'InsertQueryNode' && s.singleRowInsert && !deferredFor(s, k.key.fk)) continue
    if (assigned === undefined || touched(k, assigned)) use(k.key)
  }
}

/**
 * Whether a statement is an insert of one row from VALUES (or default values) with no upsert and no
 * replace: SQLite's single-row insert, which opens no statement transaction (withForeignKeys).
 */
function isSingleRowInsert(node: AnyNode): boolean {
  if (node.kind !== 'InsertQueryNode' || node.onConflict !== undefined || node.replace === true) return false
  if ((node.orAction as AnyNode | undefined)?.action === 'replace') return false
  if (node.defaultValues === true) return true
  const values = node.values as AnyNode | undefined
  return values?.kind === 'ValuesNode' && (values.values as readonly unknown[]).length === 1
}

export function foreignKeyError(): BTreeSqlError {
  return new BTreeSqlError('BTREE_SQL_FOREIGN_KEY_VIOLATION', 'FOREIGN KEY constraint failed')
}

/**
 * Runs a write statement with its foreign key processing: the statement's violations counted as it
 * writes, and BTREE_SQL_FOREIGN_KEY_VIOLATION when some remain at its end (the caller undoes it).
 */
export function withForeignKeys<T>(ctx: WriteContext, node: AnyNode, run: () => T): T {
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
    singleRowInsert: isSingleRowInsert(node),
  }
  statement = current
  try {
    checkKeysOf(current, node)
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
    const name = table.name.toLowerCase()
    const asChild = (s.schema.byChild.get(table) ?? []).map((fk) => ({
      key: resolve(s.catalog, fk),
      slots: fk.columns.map((c) => findColumn(table, c)!.slot),
      self: fk.parent.toLowerCase() === name,
    }))
    const asParent = (s.schema.byParent.get(name) ?? []).map((fk) => ({
      key: resolve(s.catalog, fk),
      // The columns the key names, else the primary key's (SQLite's fkParentIsModified).
      slots: (fk.parentColumns ?? table.primaryKey).flatMap((c) => findColumn(table, c)?.slot ?? []),
      self: fk.child === table,
    }))
    keys = asChild.length === 0 && asParent.length === 0 ? null : { asChild, asParent }
    s.tables.set(table, keys)
  }
  return keys ?? undefined
}

/** Whether an update assigning the slots `assigned` names one of the key's columns in this table. */
function touched(k: TableKey, assigned: ReadonlySet<number>): boolean {
  return k.slots.some((slot) => assigned.has(slot))
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
 * I.1 / D.1: a child row written (+1) or removed (-1), for each of its table's keys that the change
 * concerns; a key whose parent is missing or not served by a unique index is that error (SQLite's,
 * as it prepares the statement).
 */
function childSide(
  s: KeyStatement,
  keys: TableKeys,
  values: Values,
  by: 1 | -1,
  assigned?: ReadonlySet<number>,
  orphanOf?: ForeignKeyDef,
): void {
  for (const { key, self, slots } of keys.asChild) {
    // A key to its own table is checked whatever the update assigns (SQLite's sqlite3FkCheck).
    if (assigned !== undefined && !self && !slots.some((slot) => assigned.has(slot))) continue
    // The rows of a table being dropped meet no key's errors (SQLite runs that delete ignoring them).
    if (s === dropping && 'error' in key && !key.missing) continue
    const k = use(key, s === dropping)
    if (by < 0 && counterIsZero(s, key.fk)) continue
    if (k === undefined) {
      // The parent is missing while its child is dropped: as if it were empty (fkey.c).
      if (by < 0 && !childKeyHasNull(key.fk, values)) count(s, key.fk, -1)
      continue
    }
    // A row a cascade deletes refers to the parent row just deleted: no lookup needed to know it is gone.
    if (k.fk === orphanOf || !parentFound(s.tx, k, values)) count(s, k.fk, by)
  }
}

/** I.2: a parent row written takes 1 off per child row it satisfies, when the counter is above 0. */
function parentWritten(
  s: KeyStatement,
  keys: TableKeys,
  values: Values,
  rowKey: () => Uint8Array,
  assigned?: ReadonlySet<number>,
): void {
  for (const tk of keys.asParent) {
    if (assigned !== undefined && !touched(tk, assigned)) continue
    if (assigned === undefined && s.singleRowInsert && !deferredFor(s, tk.key.fk)) continue
    const k = use(tk.key)!
    if (counterIsZero(s, k.fk)) continue
    const parent = parentKey(k, values)
    if (parent === undefined) continue
    // The row's own key only where the key refers to its own table (the row is no child of itself).
    const rows = childKeys(s.tx, k, parent, tk.self ? rowKey() : undefined)
    if (rows.length > 0) count(s, k.fk, -rows.length)
  }
}

/** The rows a deleted parent row's ON DELETE action is to change (found by D.2, parentRemoved). */
interface PendingAction {
  readonly k: ResolvedKey
  readonly oldKey: readonly SqlValue[]
  readonly rows: readonly Uint8Array[]
}

/**
 * D.2: a parent row removed (or its key changing) adds 1 per child row referring to it. For a
 * delete (`pending`), the rows its keys' actions are to change are kept: the same rows an action's
 * scan after the delete would find.
 */
function parentRemoved(
  s: KeyStatement,
  keys: TableKeys,
  stored: StoredRow,
  assigned: ReadonlySet<number> | undefined,
  pending: PendingAction[] | undefined,
): void {
  for (const tk of keys.asParent) {
    if (assigned !== undefined && !touched(tk, assigned)) continue
    if (s === dropping && 'error' in tk.key) continue
    const k = use(tk.key)!
    const oldKey = parentKey(k, stored.row)
    if (oldKey === undefined) continue
    const rows = childKeys(s.tx, k, oldKey, tk.self ? stored.key : undefined)
    if (rows.length === 0) continue
    count(s, k.fk, rows.length)
    if (pending !== undefined && acts(s, k.fk.onDelete)) pending.push({ k, oldKey, rows })
  }
}

/** Whether an action changes anything, or fails (RESTRICT waits, under defer_foreign_keys). */
function acts(s: KeyStatement, action: ForeignKeyAction): boolean {
  return action !== 'no action' && !(action === 'restrict' && s.session.deferForeignKeys)
}

/** The child row under `key` as it is now, if it still refers (`refers`) to the old key: an earlier action may have changed or deleted it. */
function stillReferring(
  s: KeyStatement,
  k: ResolvedKey,
  key: Uint8Array,
  refers: (row: RowView) => boolean,
): StoredRow | undefined {
  const bytes = readBucket(s.tx, k.fk.child)?.get(key)
  if (bytes === undefined) return undefined
  const row = rowView(k.fk.child, bytes)
  return refers(row) ? { key, row } : undefined
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
  rows: readonly Uint8Array[],
  newKey: readonly SqlValue[] | undefined,
): void {
  if (action === 'restrict') throw foreignKeyError()
  const child = k.fk.child
  const assigned = action === 'cascade' && newKey === undefined ? undefined : new Set(k.childColumns.map((c) => c.slot))
  const refers = referringTo(k, oldKey)
  for (const rowKey of rows) {
    const current = stillReferring(s, k, rowKey, refers)
    if (current === undefined) continue
    if (assigned === undefined) {
      deleteChecked(s.tx, child, current, k.fk)
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
function updateActions(
  s: KeyStatement,
  keys: TableKeys,
  old: Values,
  next: Values,
  assigned: ReadonlySet<number>,
): void {
  for (const tk of keys.asParent) {
    if (!touched(tk, assigned)) continue
    const k = use(tk.key)!
    if (!acts(s, k.fk.onUpdate)) continue
    const oldKey = parentKey(k, old)
    if (oldKey === undefined) continue
    const newKey = k.parentColumns.map((c) => valueAt(next, c.slot))
    if (newKey.every((v, i) => compareIs(v, oldKey[i]!))) continue
    const rows = childKeys(s.tx, k, oldKey)
    if (rows.length > 0) act(s, k, k.fk.onUpdate, oldKey, rows, newKey)
  }
}

/** SQLite's IS: equal, or both null. */
function compareIs(a: SqlValue, b: SqlValue): boolean {
  if (a === null || b === null) return a === b
  return compareValues(a, b) === 0
}

/** Row keys built here (each finished into a copy before the next). */
const keyWriter = new KeyWriter()

/** insertRow with the statement's foreign key processing (I.1 and I.2). */
export function insertChecked(
  tx: WriteTransaction,
  table: TableDef,
  values: SqlValue[],
  hiddenRowid?: number | bigint,
): InsertOutcome {
  const outcome = insertRow(tx, table, values, hiddenRowid)
  // SQLite's last_insert_rowid() follows each row as it goes in (a statement that fails later keeps
  // it, and an AFTER trigger reads it), a WITHOUT ROWID table's excepted.
  if (table.withoutRowid !== true) currentContext().session.lastInsertRowid = outcome.rowid
  const s = statement
  const keys = keysOf(s, table)
  if (keys !== undefined) {
    childSide(s!, keys, outcome.values, 1)
    if (keys.asParent.length > 0) parentWritten(s!, keys, outcome.values, () => storedKeyOf(table, outcome))
  }
  fireRow(table, 'after', 'insert', undefined, outcome.values, undefined, outcome.rowid)
  return outcome
}

/** The key of the row just inserted, found again by its rowid or primary key (for a self-referring table's scan). */
function storedKeyOf(table: TableDef, outcome: InsertOutcome): Uint8Array {
  if (table.keying === 'rowid') return keyWriter.reset().value(outcome.rowid).finish()
  // A key holding a null is made unique by the hidden rowid: no row of the table refers to it.
  return columnsKey(table, table.primaryKey, outcome.values)
}

/**
 * deleteRow with the statement's foreign key processing (D.1, D.2, then the ON DELETE actions).
 * `orphanOf`: the key whose parent row a cascade deleted, this row's parent under that key.
 */
export function deleteChecked(
  tx: WriteTransaction,
  table: TableDef,
  stored: StoredRow,
  orphanOf?: ForeignKeyDef,
  triggers = true,
): boolean {
  // Its triggers (triggers.ts), but not for the rows INSERT OR REPLACE deletes (`triggers`
  // false), as SQLite with recursive_triggers off.
  const old = triggers && mayFire(table, 'delete') ? storedValues(table, stored.row) : undefined
  if (old !== undefined && !beforeRow(table, 'delete', old, undefined)) return false
  const s = statement
  const keys = keysOf(s, table)
  if (keys === undefined) deleteRow(tx, table, stored)
  else {
    childSide(s!, keys, stored.row, -1, undefined, orphanOf)
    const pending: PendingAction[] = []
    if (keys.asParent.length > 0) parentRemoved(s!, keys, stored, undefined, pending)
    deleteRow(tx, table, stored)
    for (const p of pending) act(s!, p.k, p.k.fk.onDelete, p.oldKey, p.rows, undefined)
  }
  if (old !== undefined) fireRow(table, 'after', 'delete', old, undefined)
  return true
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
  guard?: (write: () => SqlValue[]) => SqlValue[],
): SqlValue[] | undefined {
  // Its triggers (triggers.ts): a BEFORE trigger's RAISE(IGNORE) leaves the row as it is.
  const before = mayFire(table, 'update') ? storedValues(table, stored.row) : undefined
  if (before !== undefined && !beforeRow(table, 'update', before, values, assigned)) return undefined
  // `guard`: an UPDATE OR action's handling of the write alone (update.ts), after the BEFORE
  // triggers, whose changes stay when the row is skipped, as in SQLite.
  const write = (): SqlValue[] => updateKeyed(tx, table, stored, values, assigned)
  const written = guard === undefined ? write() : guard(write)
  if (before !== undefined) fireRow(table, 'after', 'update', before, written, assigned)
  return written
}

function updateKeyed(
  tx: WriteTransaction,
  table: TableDef,
  stored: StoredRow,
  values: SqlValue[],
  assigned: ReadonlySet<number>,
): SqlValue[] {
  const s = statement
  const keys = keysOf(s, table)
  if (keys === undefined) return updateRow(tx, table, stored, values)
  childSide(s!, keys, stored.row, -1, assigned)
  const isParent = keys.asParent.length > 0
  if (isParent) parentRemoved(s!, keys, stored, assigned, undefined)
  const old = isParent ? stored.row.all(table.nextSlot) : undefined
  const written = updateRow(tx, table, stored, values)
  childSide(s!, keys, written, 1, assigned)
  if (old !== undefined) {
    parentWritten(s!, keys, written, () => rowKeyAfterUpdate(s!, table, stored, written), assigned)
    updateActions(s!, keys, old, written, assigned)
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
  const key = columnsKey(table, table.primaryKey, written)
  return readBucket(s.tx, table)?.has(key) === true ? key : stored.key
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
  const deferredChild = s!.session.deferredViolations !== 0 && keys.asChild.some((k) => k.key.fk.deferred)
  if (keys.asParent.length === 0 && !deferredChild) return
  const bucket = readBucket(tx, table)
  if (bucket === undefined) return
  const all: Uint8Array[] = []
  for (const [key] of bucket.entries()) all.push(key.slice())
  dropping = s
  try {
    // The rows DROP TABLE deletes fire no trigger (SQLite's implicit DELETE FROM).
    withoutTriggers(() => {
      for (const key of all) {
        const bytes = readBucket(tx, table)?.get(key)
        if (bytes !== undefined) deleteChecked(tx, table, { key, row: rowView(table, bytes, key) })
      }
    })
  } finally {
    dropping = undefined
  }
}
