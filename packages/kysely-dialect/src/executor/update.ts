import type { OperationNode } from 'kysely'
import { findColumn, type TableDef } from '../catalog/catalog.js'
import { writableColumn } from './generated-columns.js'
import { BTreeSqlError, unsupported } from '../errors.js'
import type { PreparedStatement, StatementResult, WriteContext } from './context.js'
import { compileExpr } from '../expression/expression.js'
import { nameOf, type AnyNode } from '../expression/nodes.js'
import { prepareWriteTargets } from './pipeline.js'
import { withCommonTables } from './compound-select.js'
import { project, rejectParts, tableSource } from './query-parts.js'
import { ArrayRow, ROWID_NAMES, rowidColumn } from '../expression/scope.js'
import { deleteChecked, updateChecked } from './foreign-keys.js'
import { isConflict, markedAction, markRollback } from './conflict-actions.js'
import { hasOwnConflicts, resolveUpdate } from './constraint-conflicts.js'
import { conflictingRow } from './insert-conflict.js'
import { defaultValue, inSavepoint, violatedConstraint, type StoredRow } from './table-store.js'
import { equalBytes } from '../encoding/keys.js'
import { mayFire, rowNow } from './triggers.js'
import { prepareViewUpdate, viewTarget } from './view-writes.js'
import { OuterLink } from '../expression/nested-scope.js'
import { prepareSelect } from './select-general.js'
import type { SqlValue } from '../encoding/values.js'

const UPDATE_PARTS_LATER = ['explain', 'endModifiers', 'limit', 'top', 'output', 'orderBy']

export function runUpdate(node: AnyNode, ctx: WriteContext): StatementResult {
  return prepareUpdate(node, ctx).execute(ctx)
}

export function prepareUpdate(node: AnyNode, ctx: WriteContext): PreparedStatement<WriteContext> {
  // `with ... update`: its common tables in scope while it is prepared.
  if (node.with !== undefined) return withCommonTables(node, ctx, (n) => prepareUpdate(n, ctx))
  rejectParts(node, UPDATE_PARTS_LATER)
  if (node.table === undefined) throw unsupported('an update without a table')
  // A view, through its INSTEAD OF triggers.
  const view = viewTarget(ctx, node.table as OperationNode)
  if (view !== undefined) return prepareViewUpdate(node, ctx, view)
  if (node.from !== undefined) return prepareUpdateFrom(node, ctx)
  if (((node.joins ?? []) as readonly unknown[]).length > 0) throw unsupported('JoinNode in an update without from')
  const { table, scope } = tableSource(node.table as OperationNode, ctx)
  const sets = ((node.updates ?? []) as readonly AnyNode[]).map((u) => {
    return { slot: targetSlot(table, u), expr: compileExpr(u.value as OperationNode, scope) }
  })
  const assigned = new Set(sets.map((s) => s.slot))
  const action = updateAction(node)
  // Without an OR (`or abort` too), the table's constraints' own clauses (constraint-conflicts.ts).
  const own = node.orAction === undefined && hasOwnConflicts(table)
  const { read, returning } = prepareWriteTargets(ctx, node, 'update', table, scope)
  const execute = (ctx: WriteContext): StatementResult => {
    const { rows, plan } = read.run(ctx)
    const out: Record<string, unknown>[] = []
    // With triggers, or OR REPLACE, each row is read again as it is now: a trigger, or a row
    // replaced before it, may have changed or deleted it.
    const fresh = action === 'replace' || own || mayFire(table, 'update')
    let changes = 0
    let failure: unknown
    for (const found of rows) {
      const stored = fresh ? rowNow(ctx.tx, table, found) : found
      if (stored === undefined) continue
      const tuple = [stored.row]
      const values = stored.row.all(table.nextSlot)
      // Every right-hand side sees the old row, as SQLite evaluates them.
      const computed = sets.map((s) => s.expr.eval(tuple))
      sets.forEach((s, i) => (values[s.slot] = computed[i]!))
      let stored2: SqlValue[] | undefined
      if (action === undefined && !own) stored2 = updateChecked(ctx.tx, table, stored, values, assigned)
      else
        try {
          stored2 = updateChecked(ctx.tx, table, stored, values, assigned, (write) =>
            action === undefined
              ? inSavepoint(ctx.tx, () => (resolveUpdate(ctx.tx, table, stored, values), write()))
              : writeUnder(ctx.tx, table, stored, values, action, write),
          )
        } catch (error) {
          if (!isConflict(error)) throw error
          const act = action ?? markedAction(error)
          if (act === 'ignore') continue
          if (act === 'rollback') throw markRollback(error)
          if (act !== 'fail') throw error
          failure = error
          break
        }
      if (stored2 === undefined) continue
      changes++
      if (returning !== undefined) out.push(project(returning, [new ArrayRow(stored2, () => stored.row.rowid())]))
    }
    return failure === undefined
      ? { rows: out, changes, reader: returning !== undefined, plan }
      : { rows: out, changes, reader: returning !== undefined, plan, failure }
  }
  return { fits: read.fits, execute }
}

/**
 * `update t set ... from a, b join c ... where ...` (SQLite 3.33's UPDATE FROM,
 * lang_update.html#upfrom): each row of `t` is joined with the from clause's rows, the where
 * clause deciding which pairs match; a row of `t` that matches none is left alone, one that
 * matches several is updated from one of them (SQLite: an arbitrary one; here the first the plan
 * reads). Run as, per row of `t`, the correlated select `select <set values> from <from clause>
 * where <where> limit 1` (planned as any subquery: a key or index equality on the row's values
 * seeks); every new row is computed before the first is written, so a from clause that reads `t`
 * sees it unchanged. `returning` reads `t`'s columns only, as in SQLite.
 */
function prepareUpdateFrom(node: AnyNode, ctx: WriteContext): PreparedStatement<WriteContext> {
  if (updateAction(node) !== undefined) throw unsupported('update or ... from')
  const { table, scope } = tableSource(node.table as OperationNode, ctx)
  const updates = (node.updates ?? []) as readonly AnyNode[]
  const slots = updates.map((u) => targetSlot(table, u))
  const assigned = new Set(slots)
  const own = node.orAction === undefined && hasOwnConflicts(table)
  const joined = prepareSelect(
    {
      kind: 'SelectQueryNode',
      // Its sources and the target are peers (select-general.ts: a bare name both have is ambiguous).
      peerOuter: true,
      from: node.from,
      ...(node.joins === undefined ? {} : { joins: node.joins }),
      ...(node.where === undefined ? {} : { where: node.where }),
      selections: updates.map((u, i) => ({
        kind: 'SelectionNode',
        selection: {
          kind: 'AliasNode',
          node: u.value,
          alias: { kind: 'IdentifierNode', name: `s${i}` },
        },
      })),
    } as unknown as AnyNode,
    ctx,
    new OuterLink(scope),
  )
  const { read, returning } = prepareWriteTargets(ctx, { ...node, where: undefined } as AnyNode, 'update', table, scope)
  const execute = (ctx: WriteContext): StatementResult => {
    const { rows, plan } = read.run(ctx)
    const pending: { stored: (typeof rows)[number]; values: SqlValue[] }[] = []
    for (const stored of rows) {
      const found = joined.execute(ctx.tx, [stored.row], 1)
      if (found.length === 0) continue
      const values = stored.row.all(table.nextSlot)
      slots.forEach((slot, i) => (values[slot] = found[0]![i]!))
      pending.push({ stored, values })
    }
    const out: Record<string, unknown>[] = []
    let changes = 0
    let failure: unknown
    for (const { stored: found, values } of pending) {
      // A REPLACE of the constraints' own clauses may have deleted a row read before.
      const stored = own ? rowNow(ctx.tx, table, found) : found
      if (stored === undefined) continue
      let stored2: SqlValue[] | undefined
      if (!own) stored2 = updateChecked(ctx.tx, table, stored, values, assigned)
      else
        try {
          stored2 = updateChecked(ctx.tx, table, stored, values, assigned, (write) =>
            inSavepoint(ctx.tx, () => (resolveUpdate(ctx.tx, table, stored, values), write())),
          )
        } catch (error) {
          if (!isConflict(error)) throw error
          const act = markedAction(error)
          if (act === 'ignore') continue
          if (act === 'rollback') throw markRollback(error)
          if (act !== 'fail') throw error
          failure = error
          break
        }
      if (stored2 === undefined) continue
      changes++
      if (returning !== undefined) out.push(project(returning, [new ArrayRow(stored2, () => stored.row.rowid())]))
    }
    return failure === undefined
      ? { rows: out, changes, reader: returning !== undefined, plan }
      : { rows: out, changes, reader: returning !== undefined, plan, failure }
  }
  return { fits: (tx) => read.fits(tx) && joined.fits(tx), execute }
}

/** `update or ignore | replace | fail | rollback` (raw SQL; `or abort` is every update's default). */
type UpdateAction = 'ignore' | 'replace' | 'fail' | 'rollback'

function updateAction(node: AnyNode): UpdateAction | undefined {
  const action = ((node.orAction as AnyNode | undefined)?.action as string | undefined)?.toLowerCase()
  if (action === undefined || action === 'abort') return undefined
  if (action !== 'ignore' && action !== 'replace' && action !== 'fail' && action !== 'rollback')
    throw unsupported(`update or ${action}`)
  return action
}

/**
 * One row's write under an UPDATE OR action (lang_conflict.html), in a savepoint of its own: a
 * constraint failure undoes the row's write and is thrown for execute() to apply the action
 * (IGNORE skips the row, FAIL stops keeping the rows before, ROLLBACK ends the transaction).
 * REPLACE first deletes the row a uniqueness failure names (no DELETE trigger fires, as SQLite
 * with recursive_triggers off) and writes the row again, and gives a NOT NULL column its default,
 * as SQLite does; one without a default fails.
 */
function writeUnder(
  tx: WriteContext['tx'],
  table: TableDef,
  stored: StoredRow,
  values: SqlValue[],
  action: UpdateAction,
  write: () => SqlValue[],
): SqlValue[] {
  for (let attempt = 0; ; attempt++) {
    try {
      return inSavepoint(tx, write)
    } catch (error) {
      if (action !== 'replace' || !(error instanceof BTreeSqlError) || attempt > table.indexes.length + 2) throw error
      if (error.code === 'BTREE_SQL_UNIQUE_VIOLATION') {
        const other = conflictingRow(tx, table, values, violatedConstraint(error))
        if (other === undefined || equalBytes(other.key, stored.key)) throw error
        deleteChecked(tx, table, other, undefined, false)
      } else if (error.code === 'BTREE_SQL_NOT_NULL_VIOLATION') {
        const column = findColumn(table, error.message.slice(error.message.lastIndexOf('.') + 1))
        if (column?.default === undefined) throw error
        values[column.slot] = defaultValue(column)
      } else throw error
    }
  }
}

/** The slot of the column a `set` assigns (`name` or `t.name`). */
function targetSlot(table: TableDef, update: AnyNode): number {
  const target = update.column as AnyNode
  const name = nameOf(target.kind === 'ReferenceNode' ? (target.column as OperationNode) : target)
  // `set rowid = ...`: the INTEGER PRIMARY KEY's column; a hidden rowid is not moved here.
  if (findColumn(table, name) === undefined && ROWID_NAMES.has(name.toLowerCase())) {
    if (table.keying === 'rowid' && table.rowidColumn !== undefined)
      return writableColumn(table, table.rowidColumn, 'UPDATE').slot
    if (rowidColumn(table) !== undefined)
      throw unsupported('update ... set rowid of a table without an INTEGER PRIMARY KEY')
  }
  return writableColumn(table, name, 'UPDATE').slot
}
