import type { OperationNode } from 'kysely'
import type { WriteTransaction } from 'btree-store'
import { requireColumn, type IndexDef, type TableDef } from '../catalog/catalog.js'
import { isInteger, truth } from '../encoding/values.js'
import { compileExpr } from '../expression/expression.js'
import { byPrecedence } from '../expression/precedence.js'
import { ArrayRow, Scope, type ResolvedColumn } from '../expression/scope.js'
import { BTreeSqlError, unsupported } from '../errors.js'
import type { SqlValue } from '../encoding/values.js'
import { nameOf, type AnyNode } from '../expression/nodes.js'
import { sameCondition } from '../planner/partial-index.js'
import { EXPRESSION_KEY, indexKeyCollations, indexKeyNames } from '../planner/expression-keys.js'
import { canonicalText } from '../planner/canonical.js'
import { indexColumns } from '../catalog/index-columns.js'
import { declaredCollation } from '../expression/collation.js'
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
  storedAt,
  uniqueHolder,
  violatedConstraint,
  type InsertOutcome,
  type StoredRow,
  type UniqueConstraint,
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
  readonly target?: UniqueConstraint
}

/**
 * An ON CONFLICT target: its columns, each with the COLLATE it may name (lower case, BINARY as
 * undefined; `null` where it names none, which matches any collation), and the names of its
 * expressions (`on conflict (lower(email))`, Kysely's `oc.expression(...)`) as the planner names
 * an expression index's parts (planner/expression-keys.ts), so that one matches a part written alike.
 */
interface ConflictTarget {
  readonly columns: readonly string[]
  readonly collations: readonly (string | undefined | null)[]
  readonly expressions: readonly string[]
}

/** The column a target item names (maybe under a COLLATE), or undefined for another expression. */
function targetColumn(n: AnyNode): { name: string; collation: string | undefined | null } | undefined {
  const collated = n.kind === 'CollateNode'
  const inner = (collated ? n.operand : n) as AnyNode
  if (
    inner.kind !== 'ColumnNode' &&
    !(inner.kind === 'ReferenceNode' && (inner.column as AnyNode).kind === 'ColumnNode')
  )
    return undefined
  return {
    name: nameOf(inner),
    collation: collated ? declaredCollation(nameOf(n.collation as OperationNode)) : null,
  }
}

/** The target of `onConflict` (its columns and expressions), or undefined for none. */
function conflictTarget(onConflict: AnyNode, table: TableDef): ConflictTarget | undefined {
  const nodes = [...((onConflict.columns as readonly AnyNode[] | undefined) ?? [])]
  if (onConflict.indexExpression !== undefined) nodes.push(onConflict.indexExpression as AnyNode)
  if (nodes.length === 0) return undefined
  const columns: string[] = []
  const collations: (string | undefined | null)[] = []
  const expressions: string[] = []
  const scope = new Scope([{ table, name: table.name }])
  for (const n of nodes) {
    const column = targetColumn(n)
    if (column !== undefined) {
      columns.push(column.name)
      collations.push(column.collation)
      continue
    }
    const text = canonicalText(byPrecedence(n as OperationNode) as AnyNode, scope, 0, true)
    // An expression the planner cannot name matches no index part.
    expressions.push(text === undefined ? '' : `${EXPRESSION_KEY}${text}`)
  }
  return { columns, collations, expressions }
}

function sameColumns(a: readonly string[], b: readonly string[]): boolean {
  const x = new Set(a.map((c) => c.toLowerCase()))
  return x.size === b.length && b.every((c) => x.has(c.toLowerCase()))
}

/**
 * Whether a conflict target (columns, and the `where` it may have) names unique index `i`, as
 * SQLite matches them (sqlite3UpsertAnalyzeTarget): the same columns, a part under a COLLATE
 * too; a COLLATE the target names must be the part's (a column's declared one, or the index's
 * own); a partial index only with its condition written alike as the target's `where`
 * (planner/partial-index.ts: sameCondition); any other ignores that `where`.
 */
function targets(table: TableDef, i: IndexDef, target: ConflictTarget, where: AnyNode | undefined): boolean {
  if (target.expressions.length > 0) {
    // An expression index's parts, named as the planner names them, the same set as the target's.
    if (!i.unique || i.expressions === undefined) return false
    const names = indexKeyNames(table, i)
    if (!sameColumns(names, [...target.columns, ...target.expressions]) || target.collations.some((c) => c !== null))
      return false
    return i.where === undefined || (where !== undefined && sameCondition(table, i, where))
  }
  const columns = i.unique ? indexColumns(i) : undefined
  if (columns === undefined || !sameColumns(columns, target.columns)) return false
  const collations = indexKeyCollations(table, i)
  const collationsMatch = target.columns.every((c, k) => {
    const named = target.collations[k]
    return named === null || named === collations[columns.findIndex((x) => x.toLowerCase() === c.toLowerCase())]
  })
  if (!collationsMatch) return false
  return i.where === undefined || (where !== undefined && sameCondition(table, i, where))
}

/** The constraint a conflict target names: `key` (the primary key), a unique index, or undefined for none. */
function namedConstraint(
  table: TableDef,
  target: ConflictTarget,
  where: AnyNode | undefined,
): UniqueConstraint | undefined {
  if (target.expressions.length === 0 && table.primaryKey.length > 0 && sameColumns(table.primaryKey, target.columns)) {
    const declared = target.columns.map((c) => requireColumn(table, c).collation)
    if (target.collations.every((named, k) => named === null || named === declared[k])) return 'key'
    return undefined
  }
  return table.indexes.find((i) => targets(table, i, target, where))
}

/** Whether two constraints are one (by name: a statement's catalog and a trigger's may be two copies). */
function sameConstraint(a: UniqueConstraint | undefined, b: UniqueConstraint | undefined): boolean {
  if (a === undefined || b === undefined) return false
  return a === 'key' || b === 'key' ? a === b : a.name === b.name
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
  const target = conflictTarget(onConflict, table)
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
  if (onConflict.constraint !== undefined)
    throw unsupported('an onConflict target naming a constraint (OnConflictNode)')
  const target = conflictTarget(onConflict, table)
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
    return target === undefined || sameConstraint(violatedConstraint(e), named)
  }
  // `orIgnore` skips a NOT NULL failure too, which the target's lookup must not run before.
  const find = target === undefined || ignoreAll ? undefined : targetFinder(table, target.columns, named!)
  if (onConflict.updates === undefined) return find === undefined ? { skips } : { skips, find }
  if (target === undefined) {
    // No target (SQLite allows it on the last on conflict clause): any uniqueness conflict
    // updates the row it names, found by the columns the failure reports.
    if (ignoreAll) throw unsupported('orIgnore with doUpdateSet')
    let violated: UniqueConstraint | undefined
    const anyConflict = (e: unknown): boolean => {
      if (!(e instanceof BTreeSqlError) || e.code !== 'BTREE_SQL_UNIQUE_VIOLATION') return false
      violated = violatedConstraint(e)
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
    upsert: prepareUpsert(onConflict, table, target.columns, find!),
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
  const key = uniqueHolder(tx, table, index, values)
  return key === undefined ? undefined : storedAt(tx, table, key)
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

/**
 * The row a uniqueness failure on `constraint` (the table's key or a unique index, as the failure
 * recorded it: table-store.ts violatedConstraint) names for `values`; undefined when it cannot be
 * told (a hidden rowid, which no value of the row holds).
 */
export function conflictingRow(
  tx: WriteTransaction,
  table: TableDef,
  values: readonly SqlValue[],
  constraint: UniqueConstraint | undefined,
): StoredRow | undefined {
  if (constraint === undefined) return undefined
  if (constraint !== 'key') return rowByIndex(tx, table, constraint, values)
  if (table.primaryKey.length === 0 && table.rowidColumn === undefined) return undefined
  return rowByKey(tx, table, values)
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
      const existing = conflictingRow(tx, table, values, violatedConstraint(error))
      if (existing === undefined) throw error
      // No DELETE trigger fires for a row REPLACE deletes (SQLite, recursive_triggers off).
      deleteChecked(tx, table, existing, undefined, false)
    }
  }
}
