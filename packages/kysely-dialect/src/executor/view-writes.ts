import type { OperationNode } from 'kysely'
import { affinityOf } from '../catalog/affinity.js'
import { columnsTable, type TableDef, type TriggerDef, type ViewDef } from '../catalog/catalog.js'
import { BTreeSqlError, unsupported } from '../errors.js'
import type { SqlValue } from '../encoding/values.js'
import { compileExpr } from '../expression/expression.js'
import { nameOf, type AnyNode } from '../expression/nodes.js'
import { EMPTY_SCOPE } from '../expression/scope.js'
import type { PreparedStatement, StatementResult, WriteContext } from './context.js'
import { selectedRows } from './insert-select.js'
import { prepareSelect } from './select-general.js'
import { insteadOf } from './triggers.js'

/**
 * Writes to a view through its INSTEAD OF triggers (lang_createtrigger.html#instead_of_triggers):
 * an insert, update or delete naming a view runs no write of its own; each row it would write
 * fires the view's INSTEAD OF triggers of its event, NEW holding the row inserted or the row after
 * the SET list, OLD the view's row as it reads now (the rows an update or delete's where clause
 * picks, read before the first trigger runs). A view without such a trigger stays read-only
 * ("cannot modify v because it is a view", BTREE_SQL_UNSUPPORTED). The statement itself changes
 * no row: its count (changes(), Kysely's numAffectedRows) is 0, as SQLite's is; the triggers'
 * changes count in total_changes().
 */

/** The view a write statement targets: its target names a view and no table. */
export function viewTarget(ctx: WriteContext, target: OperationNode): ViewDef | undefined {
  const n = target as AnyNode
  const name = nameOf((n.kind === 'AliasNode' ? n.node : n) as OperationNode)
  return ctx.catalog.table(name) === undefined ? ctx.catalog.view(name) : undefined
}

/**
 * A view's columns as a table definition (slots in column order, affinity from each declared
 * type), one per view definition: what the trigger machinery lays NEW and OLD out by.
 */
export function viewTable(view: ViewDef): TableDef {
  let table = tables.get(view)
  if (table === undefined) {
    table = columnsTable(
      view.name,
      view.columns.map((c) => ({ name: c.name, type: c.type, affinity: affinityOf(c.type) })),
    )
    tables.set(view, table)
  }
  return table
}

const tables = new WeakMap<ViewDef, TableDef>()

/** The view's INSTEAD OF triggers of `event`, or the read-only view's error when it has none. */
function requireTriggers(ctx: WriteContext, view: ViewDef, event: TriggerDef['event']): TableDef {
  const table = viewTable(view)
  if (ctx.catalog.triggersFor(table, 'instead of', event).length === 0)
    throw new BTreeSqlError('BTREE_SQL_UNSUPPORTED', `cannot modify ${view.name} because it is a view`)
  return table
}

const ALWAYS = (): boolean => true
/** A write through INSTEAD OF triggers changes no row itself (SQLite's changes() stays 0). */
const NO_CHANGE: StatementResult = { rows: [], changes: 0, reader: false }

function noReturning(node: AnyNode, view: ViewDef): void {
  if (node.returning !== undefined)
    throw new BTreeSqlError('BTREE_SQL_UNSUPPORTED', `cannot use RETURNING on view ${view.name}`)
}

/** `insert into v [(columns)] values ... | select ... | default values`: INSTEAD OF INSERT per row. */
export function prepareViewInsert(node: AnyNode, ctx: WriteContext, view: ViewDef): PreparedStatement<WriteContext> {
  const table = requireTriggers(ctx, view, 'insert')
  noReturning(node, view)
  if (node.onConflict !== undefined) throw unsupported(`an upsert into view ${view.name}`)
  const slots =
    node.columns === undefined
      ? node.defaultValues === true
        ? []
        : table.columns.map((c) => c.slot)
      : (node.columns as readonly OperationNode[]).map((c) => {
          const name = nameOf(c).toLowerCase()
          const col = table.columns.find((x) => x.name.toLowerCase() === name)
          if (col === undefined)
            throw new BTreeSqlError('BTREE_SQL_NO_SUCH_COLUMN', `table ${view.name} has no column named ${nameOf(c)}`)
          return col.slot
        })
  const values = node.values as AnyNode | undefined
  const execute = (ctx: WriteContext): StatementResult => {
    let rows: SqlValue[][]
    if (node.defaultValues === true || values === undefined) rows = [[]]
    else if (values.kind === 'SelectQueryNode') rows = selectedRows(values, ctx, slots.length)
    else
      rows = (values.values as readonly AnyNode[]).map((item) => {
        const cells = (item.values as readonly unknown[]).map((v) =>
          item.kind === 'PrimitiveValueListNode'
            ? (v as SqlValue)
            : (v as AnyNode).kind === 'DefaultInsertValueNode'
              ? null
              : compileExpr(v as OperationNode, EMPTY_SCOPE).eval([]),
        )
        if (cells.length !== slots.length)
          throw new BTreeSqlError('BTREE_SQL_NO_SUCH_COLUMN', `${cells.length} values for ${slots.length} columns`)
        return cells
      })
    for (const input of rows) {
      const row = new Array<SqlValue>(table.nextSlot).fill(null)
      slots.forEach((slot, i) => (row[slot] = input[i] ?? null))
      insteadOf(table, 'insert', undefined, row)
    }
    return NO_CHANGE
  }
  return { fits: ALWAYS, execute }
}

/** The view's rows the where clause picks, each with `extra` values after its columns. */
function pickedRows(
  ctx: WriteContext,
  target: OperationNode,
  where: unknown,
  extra: readonly OperationNode[],
): SqlValue[][] {
  const select = {
    kind: 'SelectQueryNode',
    from: { kind: 'FromNode', froms: [target] },
    selections: [
      { kind: 'SelectionNode', selection: { kind: 'SelectAllNode' } },
      ...extra.map((e, i) => ({
        kind: 'SelectionNode',
        selection: { kind: 'AliasNode', node: e, alias: { kind: 'IdentifierNode', name: `(set ${i})` } },
      })),
    ],
    ...(where === undefined ? {} : { where }),
  } as unknown as AnyNode
  return prepareSelect(select, ctx, undefined).execute(ctx.tx, [])
}

/** `update v set ... [where ...]`: INSTEAD OF UPDATE per row of the view it picks. */
export function prepareViewUpdate(node: AnyNode, ctx: WriteContext, view: ViewDef): PreparedStatement<WriteContext> {
  const table = requireTriggers(ctx, view, 'update')
  noReturning(node, view)
  if (node.from !== undefined || ((node.joins ?? []) as readonly unknown[]).length > 0)
    throw unsupported(`update ... from on view ${view.name}`)
  const updates = (node.updates ?? []) as readonly AnyNode[]
  const slots = updates.map((u) => {
    const target = u.column as AnyNode
    const name = nameOf((target.kind === 'ReferenceNode' ? target.column : target) as OperationNode).toLowerCase()
    const col = table.columns.find((c) => c.name.toLowerCase() === name)
    if (col === undefined) throw new BTreeSqlError('BTREE_SQL_NO_SUCH_COLUMN', `no such column: ${name}`)
    return col.slot
  })
  const assigned = new Set(slots)
  const execute = (ctx: WriteContext): StatementResult => {
    const width = table.nextSlot
    const rows = pickedRows(
      ctx,
      node.table as OperationNode,
      node.where,
      updates.map((u) => u.value as OperationNode),
    )
    for (const r of rows) {
      const old = r.slice(0, width)
      const next = old.slice()
      slots.forEach((slot, i) => (next[slot] = r[width + i]!))
      insteadOf(table, 'update', old, next, assigned)
    }
    return NO_CHANGE
  }
  return { fits: ALWAYS, execute }
}

/** `delete from v [where ...]`: INSTEAD OF DELETE per row of the view it picks. */
export function prepareViewDelete(node: AnyNode, ctx: WriteContext, view: ViewDef): PreparedStatement<WriteContext> {
  const table = requireTriggers(ctx, view, 'delete')
  noReturning(node, view)
  const target = ((node.from as AnyNode).froms as readonly OperationNode[])[0]!
  const execute = (ctx: WriteContext): StatementResult => {
    for (const old of pickedRows(ctx, target, node.where, []))
      insteadOf(table, 'delete', old.slice(0, table.nextSlot), undefined)
    return NO_CHANGE
  }
  return { fits: ALWAYS, execute }
}
