import type { OperationNode } from 'kysely'
import { affinityOf } from '../catalog/affinity.js'
import { columnsTable, findColumn, type TableDef, type TriggerDef, type ViewDef } from '../catalog/catalog.js'
import { BTreeSqlError, unsupported } from '../errors.js'
import type { SqlValue } from '../encoding/values.js'
import { nameOf, type AnyNode } from '../expression/nodes.js'
import type { PreparedStatement, StatementResult, WriteContext } from './context.js'
import { prepareSelectedRows, valueExprs } from './insert-select.js'
import { prepareSelect, type PreparedSelect } from './select-general.js'
import { fireRow } from './triggers.js'

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
          const col = findColumn(table, nameOf(c))
          if (col === undefined)
            throw new BTreeSqlError('BTREE_SQL_NO_SUCH_COLUMN', `table ${view.name} has no column named ${nameOf(c)}`)
          return col.slot
        })
  const values = node.values as AnyNode | undefined
  // A values list compiled once, as insert.ts compiles it; a select prepared once, its rows read
  // when it runs.
  const selection =
    values?.kind === 'SelectQueryNode' && node.defaultValues !== true
      ? prepareSelectedRows(values, ctx, slots.length)
      : undefined
  const exprs =
    node.defaultValues === true || values === undefined
      ? [[]]
      : selection !== undefined
        ? []
        : valueExprs(values, slots.length)
  const execute = (ctx: WriteContext): StatementResult => {
    const rows =
      selection !== undefined ? selection.execute(ctx.tx, []) : exprs.map((row) => row.map((e) => e.eval([])))
    for (const input of rows) {
      const row = new Array<SqlValue>(table.nextSlot).fill(null)
      slots.forEach((slot, i) => (row[slot] = input[i] ?? null))
      fireRow(table, 'instead of', 'insert', undefined, row)
    }
    return NO_CHANGE
  }
  return { fits: selection?.fits ?? ALWAYS, execute }
}

/** The select of the view's rows the where clause picks, each with `extra` values after its columns. */
function pickRows(
  ctx: WriteContext,
  target: OperationNode,
  where: unknown,
  extra: readonly OperationNode[],
): PreparedSelect {
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
  return prepareSelect(select, ctx, undefined)
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
    const name = nameOf((target.kind === 'ReferenceNode' ? target.column : target) as OperationNode)
    const col = findColumn(table, name)
    if (col === undefined) throw new BTreeSqlError('BTREE_SQL_NO_SUCH_COLUMN', `no such column: ${name}`)
    return col.slot
  })
  const assigned = new Set(slots)
  const picked = pickRows(
    ctx,
    node.table as OperationNode,
    node.where,
    updates.map((u) => u.value as OperationNode),
  )
  const execute = (ctx: WriteContext): StatementResult => {
    const width = table.nextSlot
    for (const r of picked.execute(ctx.tx, [])) {
      const old = r.slice(0, width)
      const next = old.slice()
      slots.forEach((slot, i) => (next[slot] = r[width + i]!))
      fireRow(table, 'instead of', 'update', old, next, assigned)
    }
    return NO_CHANGE
  }
  return { fits: (tx) => picked.fits(tx), execute }
}

/** `delete from v [where ...]`: INSTEAD OF DELETE per row of the view it picks. */
export function prepareViewDelete(node: AnyNode, ctx: WriteContext, view: ViewDef): PreparedStatement<WriteContext> {
  const table = requireTriggers(ctx, view, 'delete')
  noReturning(node, view)
  const picked = pickRows(ctx, ((node.from as AnyNode).froms as readonly OperationNode[])[0]!, node.where, [])
  const execute = (ctx: WriteContext): StatementResult => {
    for (const old of picked.execute(ctx.tx, [])) fireRow(table, 'instead of', 'delete', old, undefined)
    return NO_CHANGE
  }
  return { fits: (tx) => picked.fits(tx), execute }
}
