import type { OperationNode } from 'kysely'
import type { WriteTransaction } from 'btree-store'
import { indexBucket, requireColumn, type IndexDef, type TableDef } from '../catalog/catalog.js'
import { startsWith } from '../encoding/keys.js'
import { isInteger, truth } from '../encoding/values.js'
import { compileExpr } from '../expression/expression.js'
import { byPrecedence } from '../expression/precedence.js'
import { ArrayRow, Scope, type ResolvedColumn } from '../expression/scope.js'
import { BTreeSqlError, unsupported } from '../errors.js'
import type { SqlValue } from '../encoding/values.js'
import { nameOf, type AnyNode } from '../expression/nodes.js'
import { sameCondition } from '../planner/partial-index.js'
import { writableColumn } from './generated-columns.js'
import { deleteChecked, insertChecked, updateChecked } from './foreign-keys.js'
import { beforeRow } from './triggers.js'
import { hasOwnConflicts, insertResolved, resolveNotNull, rowidSlot } from './constraint-conflicts.js'
import {
  checkedForInsert,
  indexIncludes,
  nextHiddenRowid,
  inSavepoint,
  readBucket,
  rowView,
  type InsertOutcome,
  type StoredRow,
  columnsKey,
} from './table-store.js'

/** Which failed row inserts an insert skips instead of failing: `onConflict(doNothing)` or `orIgnore()`. */
export interface ConflictPolicy {
  skips(error: unknown): boolean
  /**
   * With a conflict target: the row a new row (affinity applied) conflicts with on the target,
   * looked up before the insert is tried, as SQLite checks the target's constraint before the
   * others (and a conflict then costs no failed insert).
   */
  readonly find?: (tx: WriteTransaction, values: readonly SqlValue[]) => StoredRow | undefined
  /**
   * doUpdateSet: updates the row the new one conflicted with (`existing`, or looked up on the
   * target); undefined when its where is false.
   */
  readonly upsert?: (tx: WriteTransaction, values: SqlValue[], existing?: StoredRow) => SqlValue[] | undefined
  /** orReplace / replaceInto: the rows the new one conflicts with are deleted, then it goes in. */
  readonly replace?: boolean
  /**
   * The statement names no algorithm and the table's constraints have their own
   * (constraint-conflicts.ts): `all` of them apply (but to `target`, an upsert's), or only the NOT
   * NULL ones (an upsert without a target takes every uniqueness constraint).
   */
  readonly own?: 'all' | 'notNull'
  readonly target?: IndexDef | 'key'
}

function sameColumns(a: readonly string[], b: readonly string[]): boolean {
  const x = new Set(a.map((c) => c.toLowerCase()))
  return x.size === b.length && b.every((c) => x.has(c.toLowerCase()))
}

/**
 * Whether a conflict target (columns, and the `where` it may have) names unique index `i`, as
 * SQLite matches them: the same columns; a partial index only with its condition written alike as
 * the target's `where` (planner/partial-index.ts: sameCondition); any other ignores that `where`.
 */
function targets(table: TableDef, i: IndexDef, columns: readonly string[], where: AnyNode | undefined): boolean {
  if (!i.unique || i.expressions !== undefined || !sameColumns(i.columns, columns)) return false
  return i.where === undefined || (where !== undefined && sameCondition(table, i, where))
}

/** The constraint a conflict target names: `key` (the primary key), a unique index, or undefined for none. */
function namedConstraint(
  table: TableDef,
  columns: readonly string[],
  where: AnyNode | undefined,
): 'key' | IndexDef | undefined {
  if (table.primaryKey.length > 0 && sameColumns(table.primaryKey, columns)) return 'key'
  return table.indexes.find((i) => targets(table, i, columns, where))
}

/** The columns a unique violation names (`UNIQUE constraint failed: t.a, t.b`). */
export function violatedColumns(error: BTreeSqlError, table: TableDef): string[] {
  const list = error.message.slice(error.message.indexOf(':') + 1)
  return list.split(',').map((c) => c.trim().slice(table.name.length + 1))
}

/**
 * The insert's conflict policy, or undefined for none. `doNothing` with target columns skips rows
 * that conflict on the primary key or unique constraint of exactly those columns (the target must
 * name one, as SQLite requires); without a target, any uniqueness conflict. `orIgnore` skips
 * uniqueness and not-null failures, as SQLite's INSERT OR IGNORE. `orReplace` deletes the rows a
 * new one conflicts with; `orAbort`, `orFail` and `orRollback` skip nothing (insert.ts applies them).
 * Without any of them, the table's constraints' own ON CONFLICT clauses apply (`own`).
 */
export function conflictPolicy(node: AnyNode, table: TableDef): ConflictPolicy | undefined {
  const orAction = node.orAction as AnyNode | undefined
  const onConflict = node.onConflict as AnyNode | undefined
  const action = orAction === undefined ? undefined : (orAction.action as string).toLowerCase()
  if (node.replace === true || action === 'replace') {
    if (onConflict !== undefined) throw unsupported('orReplace with onConflict')
    return { skips: (e) => e instanceof BTreeSqlError && e.code === 'BTREE_SQL_UNIQUE_VIOLATION', replace: true }
  }
  // ABORT, FAIL and ROLLBACK skip nothing: the insert executor applies them (conflict-actions.ts).
  if (action !== undefined && action !== 'ignore' && action !== 'abort' && action !== 'fail' && action !== 'rollback')
    throw unsupported(`insert or ${action} (OrActionNode)`)
  const ignoreAll = node.ignore === true || action === 'ignore'
  const policy = conflictPolicyOf(node, table, ignoreAll)
  // Without an OR of the statement's, the table's constraints' own clauses apply.
  if (action !== undefined || ignoreAll || !hasOwnConflicts(table)) return policy
  if (onConflict === undefined) return { skips: () => false, own: 'all' }
  const target = (onConflict.columns as readonly OperationNode[] | undefined)?.map((c) => nameOf(c))
  if (target === undefined) return { ...policy!, own: 'notNull' }
  const where = (onConflict.indexWhere as AnyNode | undefined)?.where as AnyNode | undefined
  return { ...policy!, own: 'all', target: namedConstraint(table, target, where)! }
}

function conflictPolicyOf(node: AnyNode, table: TableDef, ignoreAll: boolean): ConflictPolicy | undefined {
  const onConflict = node.onConflict as AnyNode | undefined
  if (onConflict === undefined) {
    if (!ignoreAll) return undefined
    return {
      skips: (e) =>
        e instanceof BTreeSqlError &&
        (e.code === 'BTREE_SQL_UNIQUE_VIOLATION' ||
          e.code === 'BTREE_SQL_NOT_NULL_VIOLATION' ||
          e.code === 'BTREE_SQL_CHECK_VIOLATION'),
    }
  }
  if (onConflict.updates === undefined && onConflict.doNothing !== true)
    throw unsupported('an onConflict action other than doNothing / doUpdateSet')
  if (onConflict.constraint !== undefined || onConflict.indexExpression !== undefined) {
    throw unsupported('an onConflict target other than columns (OnConflictNode)')
  }
  const target = (onConflict.columns as readonly OperationNode[] | undefined)?.map((c) => nameOf(c))
  const targetWhere = (onConflict.indexWhere as AnyNode | undefined)?.where as AnyNode | undefined
  if (targetWhere !== undefined && target === undefined) throw unsupported('an onConflict where without columns')
  const named = target === undefined ? undefined : namedConstraint(table, target, targetWhere)
  if (target !== undefined && named === undefined) {
    throw new BTreeSqlError(
      'BTREE_SQL_UNSUPPORTED',
      'ON CONFLICT clause does not match any PRIMARY KEY or UNIQUE constraint',
    )
  }
  const skips = (e: unknown): boolean => {
    if (
      ignoreAll &&
      e instanceof BTreeSqlError &&
      (e.code === 'BTREE_SQL_NOT_NULL_VIOLATION' || e.code === 'BTREE_SQL_CHECK_VIOLATION')
    )
      return true
    if (!(e instanceof BTreeSqlError) || e.code !== 'BTREE_SQL_UNIQUE_VIOLATION') return false
    return target === undefined || sameColumns(violatedColumns(e, table), target)
  }
  // `orIgnore` skips a NOT NULL failure too, which the target's lookup must not run before.
  const find = target === undefined || ignoreAll ? undefined : targetFinder(table, target, named!)
  if (onConflict.updates === undefined) return find === undefined ? { skips } : { skips, find }
  if (target === undefined) {
    // No target (SQLite allows it on the last on conflict clause): any uniqueness conflict
    // updates the row it names, found by the columns the failure reports.
    if (ignoreAll) throw unsupported('orIgnore with doUpdateSet')
    let violated: readonly string[] = []
    const anyConflict = (e: unknown): boolean => {
      if (!(e instanceof BTreeSqlError) || e.code !== 'BTREE_SQL_UNIQUE_VIOLATION') return false
      violated = violatedColumns(e, table)
      return true
    }
    const conflicting = (tx: WriteTransaction, values: readonly SqlValue[]): StoredRow | undefined =>
      conflictingRow(tx, table, values, violated)
    return { skips: anyConflict, upsert: prepareUpsert(onConflict, table, ['its conflicting columns'], conflicting) }
  }
  if (ignoreAll) throw unsupported('orIgnore with doUpdateSet')
  return {
    skips: (e) => skips(e) && !(e instanceof BTreeSqlError && e.code === 'BTREE_SQL_NOT_NULL_VIOLATION'),
    find: find!,
    upsert: prepareUpsert(onConflict, table, target, find!),
  }
}

/**
 * `doUpdateSet`: finds the row holding the target's values (through the primary key, or the
 * unique index on the target), evaluates the sets and the where with `excluded` naming the row
 * that failed to go in (its values after affinity), and updates it.
 */
function prepareUpsert(
  onConflict: AnyNode,
  table: TableDef,
  target: readonly string[],
  find: (tx: WriteTransaction, values: readonly SqlValue[]) => StoredRow | undefined,
): (tx: WriteTransaction, values: SqlValue[], existing?: StoredRow) => SqlValue[] | undefined {
  const scope = new UpsertScope([
    { table, name: table.name },
    { table, name: 'excluded' },
  ])
  const sets = (onConflict.updates as readonly AnyNode[]).map((u) => ({
    column: writableColumn(table, nameOf(u.column as OperationNode), 'UPDATE'),
    value: compileExpr(u.value as OperationNode, scope),
  }))
  const assigned = new Set(sets.map((s) => s.column.slot))
  const whereNode = (onConflict.updateWhere as AnyNode | undefined)?.where as OperationNode | undefined
  const where = whereNode === undefined ? undefined : compileExpr(byPrecedence(whereNode), scope)
  return (tx, values, found) => {
    const existing = found ?? find(tx, values)
    if (existing === undefined)
      throw new BTreeSqlError(
        'BTREE_SQL_UNSUPPORTED',
        `kysely-btree: the row conflicting on ${target.join(', ')} was not found`,
      )
    const t = [existing.row, new ArrayRow(values)]
    if (where !== undefined && truth(where.eval(t)) !== true) return undefined
    const next = existing.row.all(table.nextSlot)
    const computed = sets.map((s) => s.value.eval(t))
    sets.forEach((s, i) => (next[s.column.slot] = computed[i]!))
    return updateChecked(tx, table, existing, next, assigned)
  }
}

/** An unqualified name in doUpdateSet is the target table's column; `excluded.x` must be qualified. */
class UpsertScope extends Scope {
  override resolve(column: string, table?: string): ResolvedColumn {
    return super.resolve(column, table ?? this.sources[0]!.name)
  }
}

function encodeColumns(table: TableDef, columns: readonly string[], values: readonly SqlValue[]): Uint8Array {
  for (const name of columns) requireColumn(table, name)
  return columnsKey(table, columns, values)
}

function rowByKey(tx: WriteTransaction, table: TableDef, values: readonly SqlValue[]): StoredRow | undefined {
  const key = encodeColumns(table, table.primaryKey, values)
  const bytes = readBucket(tx, table)?.get(key)
  return bytes === undefined ? undefined : { key, row: rowView(table, bytes, key) }
}

function rowByIndex(
  tx: WriteTransaction,
  table: TableDef,
  index: IndexDef,
  values: readonly SqlValue[],
): StoredRow | undefined {
  const prefix = encodeColumns(table, index.columns, values)
  const c = tx.bucket(indexBucket(index))?.cursor()
  if (c === undefined || !c.seek(prefix) || !startsWith(c.key!, prefix)) return undefined
  const key = c.key!.slice(prefix.length)
  const bytes = readBucket(tx, table)?.get(key)
  return bytes === undefined ? undefined : { key, row: rowView(table, bytes, key) }
}

/**
 * The lookup of a conflict target's row (ConflictPolicy.find): by the key, or through the target's
 * unique index. A null in the target's columns conflicts with nothing (nor a new rowid), and a row
 * outside a partial index's condition has no entry to conflict with.
 */
function targetFinder(
  table: TableDef,
  target: readonly string[],
  named: 'key' | IndexDef,
): (tx: WriteTransaction, values: readonly SqlValue[]) => StoredRow | undefined {
  const slots = target.map((c) => requireColumn(table, c).slot)
  return (tx, values) => {
    for (let i = 0; i < slots.length; i++) if (values[slots[i]!] === null) return undefined
    if (named === 'key') {
      // A rowid that is no integer fails the insert (datatype mismatch): nothing to look up.
      if (table.keying === 'rowid' && !isInteger(values[slots[0]!]!)) return undefined
      return rowByKey(tx, table, values)
    }
    return indexIncludes(table, named, values) ? rowByIndex(tx, table, named, values) : undefined
  }
}

/** The row a uniqueness failure on `columns` (the key's or a unique index's) names for `values`. */
export function conflictingRow(
  tx: WriteTransaction,
  table: TableDef,
  values: readonly SqlValue[],
  columns: readonly string[],
): StoredRow | undefined {
  const keyColumns =
    table.primaryKey.length > 0 ? table.primaryKey : table.rowidColumn === undefined ? [] : [table.rowidColumn]
  if (sameColumns(keyColumns, columns)) return rowByKey(tx, table, values)
  const index = table.indexes.find((x) => x.unique && sameColumns(x.columns, columns))
  return index === undefined ? undefined : rowByIndex(tx, table, index, values)
}

/** Inserts one row under the policy: a skipped row leaves nothing behind (its own savepoint). */
export function insertUnder(
  tx: WriteTransaction,
  table: TableDef,
  values: SqlValue[],
  policy: ConflictPolicy | undefined,
  rowid?: number | bigint,
): InsertOutcome | undefined {
  // A rowid the insert lists, for a table whose rowid no column holds (insert.ts).
  if (rowid !== undefined && policy !== undefined) throw unsupported('a listed rowid under a conflict clause')
  // BEFORE INSERT triggers run before the row's constraints are checked, outside the savepoint a
  // skipped row rolls back (triggers.ts); RAISE(IGNORE) there drops the row.
  if (!beforeRow(table, 'insert', undefined, values, undefined, rowid)) return undefined
  if (policy === undefined) return insertChecked(tx, table, values, rowid)
  if (policy.replace === true) return replaceRow(tx, table, values)
  // NOT NULL under the columns' own clauses comes first, before an upsert's target is looked up.
  if (policy.own !== undefined && resolveNotNull(table, values, rowidSlot(table)) !== undefined) return undefined
  if (policy.find !== undefined) {
    const existing = policy.find(tx, checkedForInsert(tx, table, values))
    if (existing !== undefined) {
      if (policy.upsert === undefined) return undefined
      const updated = policy.upsert(tx, values, existing)
      return updated === undefined ? undefined : { rowid: Number.NaN, values: updated }
    }
  }
  if (policy.own === 'all') return insertResolved(tx, table, values, policy.target)
  try {
    return inSavepoint(tx, () => insertChecked(tx, table, values))
  } catch (error) {
    if (!policy.skips(error)) throw error
    if (policy.upsert === undefined) return undefined
    // insertRow applied the columns' affinity to `values` before it failed: they are `excluded`.
    const updated = policy.upsert(tx, values)
    return updated === undefined ? undefined : { rowid: Number.NaN, values: updated }
  }
}

/**
 * INSERT OR REPLACE: each uniqueness conflict deletes the row it names (primary key or unique
 * index), and the insert is tried again; at most one retry per key and unique index.
 */
function replaceRow(tx: WriteTransaction, table: TableDef, input: SqlValue[]): InsertOutcome {
  // A NOT NULL column takes its default (ABORT without one), as under its own REPLACE clause.
  resolveNotNull(table, input, rowidSlot(table), 'replace')
  // SQLite gives the new row its rowid before deleting what it replaces: a retry here keeps the
  // rowid the first attempt took (insertRow writes it into an integer primary key's value; a
  // hidden rowid is fixed before the first attempt, nextHiddenRowid).
  const hidden = nextHiddenRowid(tx, table)
  const attempts = 2 + table.indexes.length
  let values = input.slice()
  for (let i = 0; ; i++) {
    // A fresh copy each try: insertRow writes the rowid it gives into its values.
    const row = (values = values.slice())
    try {
      return inSavepoint(tx, () => insertChecked(tx, table, row, hidden))
    } catch (error) {
      if (!(error instanceof BTreeSqlError) || error.code !== 'BTREE_SQL_UNIQUE_VIOLATION' || i >= attempts) throw error
      const existing = conflictingRow(tx, table, values, violatedColumns(error, table))
      if (existing === undefined) throw error
      // No DELETE trigger fires for a row REPLACE deletes (SQLite, recursive_triggers off).
      deleteChecked(tx, table, existing, undefined, false)
    }
  }
}
