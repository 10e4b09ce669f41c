import type { WriteTransaction } from 'btree-store'
import { findColumn, type ConflictResolution, type IndexDef, type TableDef } from '../catalog/catalog.js'
import { equalBytes } from '../encoding/keys.js'
import type { SqlValue } from '../encoding/values.js'
import { BTreeSqlError } from '../errors.js'
import { checkConstraints } from './check-constraints.js'
import { markAction } from './conflict-actions.js'
import { deleteChecked, insertChecked } from './foreign-keys.js'
import { isGenerated } from './generated-columns.js'
import {
  checkedForInsert,
  defaultValue,
  indexViolation,
  keyViolation,
  nextHiddenRowid,
  nextKeyRowid,
  notNullViolation,
  ownKey,
  storedAt,
  uniqueHolder,
  withAffinity,
  type InsertOutcome,
  type StoredRow,
} from './table-store.js'

/**
 * The constraints' own ON CONFLICT clauses (lang_conflict.html, lang_createtable.html):
 * `a not null on conflict replace`, `unique (a, b) on conflict ignore`, `primary key on conflict
 * fail`. A clause is the constraint's algorithm for the statements that name none: an OR of the
 * statement (`insert or abort` too, `replace into`) overrides every one of them, and an upsert's
 * DO clause takes the uniqueness constraints it targets (all of them without a target). SQLite
 * checks a row's constraints in a fixed order, which decides when several fail: NOT NULL column by
 * column, CHECK (always ABORT), then uniqueness (uniqueChecks). IGNORE skips the row, REPLACE
 * gives a NOT NULL column its default and deletes the row a uniqueness conflict names, and ABORT,
 * FAIL and ROLLBACK throw the violation marked with their action (conflict-actions.ts), which the
 * insert or update applies.
 */

/** One uniqueness constraint: the rowid or primary key (`key`), or a unique index. */
interface UniqueCheck {
  readonly index: IndexDef | 'key'
  readonly action: ConflictResolution
}

const owning = new WeakMap<TableDef, boolean>()

/** Whether a constraint of the table names an algorithm other than ABORT (definitions are replaced, not edited). */
export function hasOwnConflicts(table: TableDef): boolean {
  let has = owning.get(table)
  if (has === undefined) {
    has =
      (table.primaryKeyConflict ?? 'abort') !== 'abort' ||
      table.columns.some((c) => c.notNull && (c.notNullConflict ?? 'abort') !== 'abort') ||
      table.indexes.some((i) => (i.conflict ?? 'abort') !== 'abort')
    owning.set(table, has)
  }
  return has
}

const orders = new WeakMap<TableDef, readonly UniqueCheck[]>()

/**
 * The table's uniqueness constraints in the order SQLite checks them (insert.c,
 * sqlite3GenerateConstraintChecks): an integer primary key (the rowid) first, then the unique
 * indexes newest first (build.c links each new one at the head of the table's list), a primary key
 * the table is keyed by among them at its place in creation order; but those whose clause is
 * REPLACE after all the others (build.c keeps them last), so that IGNORE, FAIL and ABORT decide
 * before a REPLACE deletes anything, and so an integer primary key's REPLACE when the table has
 * indexes ("defer IPK REPLACE until last").
 */
function uniqueChecks(table: TableDef): readonly UniqueCheck[] {
  let order = orders.get(table)
  if (order !== undefined) return order
  const keyAction = table.primaryKeyConflict ?? 'abort'
  const listed: { check: UniqueCheck; id: number }[] = []
  if (table.keying === 'key')
    listed.push({ check: { index: 'key', action: keyAction }, id: table.primaryKeyIndex?.id ?? -1 })
  for (const i of table.indexes)
    if (i.unique) listed.push({ check: { index: i, action: i.conflict ?? 'abort' }, id: i.id })
  const tier = (c: UniqueCheck): number => (c.action === 'replace' ? 1 : 0)
  listed.sort((a, b) => tier(a.check) - tier(b.check) || b.id - a.id)
  order = listed.map((l) => l.check)
  if (table.keying === 'rowid' && table.rowidColumn !== undefined) {
    const rowid: UniqueCheck = { index: 'key', action: keyAction }
    order = keyAction === 'replace' && table.indexes.length > 0 ? [...order, rowid] : [rowid, ...order]
  }
  orders.set(table, order)
  return order
}

/**
 * NOT NULL column by column, under each column's clause or `override` (an OR REPLACE statement's):
 * REPLACE gives the column its default, ABORT without one (and on a second pass, when the default
 * is null too), IGNORE returns the violation that skips the row, ABORT, FAIL and ROLLBACK throw it
 * marked. `skipSlot`: an insert's integer primary key, which a null numbers. Generated columns
 * are checked as they are computed (table-store.ts).
 */
export function resolveNotNull(
  table: TableDef,
  values: SqlValue[],
  skipSlot: number | undefined,
  override?: ConflictResolution,
): BTreeSqlError | undefined {
  let replaced = false
  for (const c of table.columns) {
    if (!c.notNull || c.slot === skipSlot || (values[c.slot] ?? null) !== null || isGenerated(c)) continue
    const action = override ?? c.notNullConflict ?? 'abort'
    if (action === 'ignore') return notNullViolation(table, c)
    if (action === 'replace') {
      if (c.default === undefined) throw notNullViolation(table, c)
      values[c.slot] = defaultValue(c)
      replaced = true
    } else throw markAction(notNullViolation(table, c), action)
  }
  if (replaced)
    for (const c of table.columns)
      if (c.notNull && c.slot !== skipSlot && (values[c.slot] ?? null) === null && !isGenerated(c))
        throw notNullViolation(table, c)
  return undefined
}

/**
 * The uniqueness constraints of a row about to be written (values by slot, affinity applied), in
 * SQLite's order, each under its clause: IGNORE returns the violation that skips the row; ABORT,
 * FAIL and ROLLBACK throw it marked; REPLACE deletes the row in the way (with its foreign keys'
 * actions, but no DELETE trigger, as SQLite with recursive_triggers off). `self`: an update's row,
 * which conflicts with nothing; `target`: an upsert's, looked up already.
 */
export function resolveUniques(
  tx: WriteTransaction,
  table: TableDef,
  values: readonly SqlValue[],
  self?: StoredRow,
  target?: IndexDef | 'key',
): BTreeSqlError | undefined {
  for (const check of uniqueChecks(table)) {
    if (check.index === target) continue
    const holder = check.index === 'key' ? ownKey(table, values) : uniqueHolder(tx, table, check.index, values)
    if (holder === undefined || (self !== undefined && equalBytes(holder, self.key))) continue
    const existing = storedAt(tx, table, holder)
    if (existing === undefined) continue
    if (check.action === 'ignore') return violation(table, check.index)
    if (check.action !== 'replace') throw markAction(violation(table, check.index), check.action)
    deleteChecked(tx, table, existing, undefined, false)
  }
  return undefined
}

function violation(table: TableDef, index: IndexDef | 'key'): BTreeSqlError {
  return index === 'key' ? keyViolation(table) : indexViolation(table, index)
}

/** The slot of an insert's integer primary key, which a null numbers (undefined for other tables). */
export function rowidSlot(table: TableDef): number | undefined {
  return table.keying === 'rowid' && table.rowidColumn !== undefined
    ? findColumn(table, table.rowidColumn)!.slot
    : undefined
}

/**
 * Inserts a row, its NOT NULL constraints resolved already (resolveNotNull), under its uniqueness
 * constraints' clauses; undefined when IGNORE skips it. The row is numbered first, as SQLite
 * numbers a row before it checks it: a REPLACE that deletes the row holding the largest rowid
 * leaves the new row's rowid as it was. `target`: an upsert's target, which conflicted with nothing.
 */
export function insertResolved(
  tx: WriteTransaction,
  table: TableDef,
  values: SqlValue[],
  target?: IndexDef | 'key',
): InsertOutcome | undefined {
  const slot = rowidSlot(table)
  if (slot !== undefined && (values[slot] ?? null) === null) values[slot] = nextKeyRowid(tx, table)
  const hidden = slot === undefined ? nextHiddenRowid(tx, table) : undefined
  // Affinity, the generated columns' NOT NULL and CHECK, which SQLite checks before uniqueness.
  const checked = checkedForInsert(tx, table, values)
  if (resolveUniques(tx, table, checked, undefined, target) !== undefined) return undefined
  return insertChecked(tx, table, values, hidden)
}

/**
 * An update's row under its constraints' clauses, before it is written (update.ts, in the row's
 * savepoint): the violation IGNORE meets is thrown marked `ignore`, which skips the row.
 */
export function resolveUpdate(tx: WriteTransaction, table: TableDef, stored: StoredRow, values: SqlValue[]): void {
  let skip = resolveNotNull(table, values, undefined)
  if (skip === undefined) {
    // Affinity (which updateRow applies again, to the same values) and CHECK before uniqueness.
    const checked = withAffinity(table, values)
    checkConstraints(table, checked)
    skip = resolveUniques(tx, table, checked, stored)
  }
  if (skip !== undefined) throw markAction(skip, 'ignore')
}
