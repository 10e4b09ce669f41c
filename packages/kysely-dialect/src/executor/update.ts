import type { OperationNode } from 'kysely'
import { requireColumn } from '../catalog/catalog.js'
import { unsupported } from '../errors.js'
import type { PreparedStatement, StatementResult, WriteContext } from './context.js'
import { compileExpr } from '../expression/expression.js'
import { nameOf, type AnyNode } from '../expression/nodes.js'
import { prepareWriteTargets } from './pipeline.js'
import { project, rejectParts, tableSource } from './query-parts.js'
import { ArrayRow } from '../expression/scope.js'
import { updateRow } from './table-store.js'

const UPDATE_PARTS_LATER = ['from', 'joins', 'with', 'explain', 'endModifiers', 'limit', 'top', 'output', 'orderBy']

export function runUpdate(node: AnyNode, ctx: WriteContext): StatementResult {
  return prepareUpdate(node, ctx).execute(ctx)
}

export function prepareUpdate(node: AnyNode, ctx: WriteContext): PreparedStatement<WriteContext> {
  rejectParts(node, UPDATE_PARTS_LATER)
  if (node.table === undefined) throw unsupported('an update without a table')
  const { table, scope } = tableSource(node.table as OperationNode, ctx)
  const sets = ((node.updates ?? []) as readonly AnyNode[]).map((u) => {
    const target = u.column as AnyNode
    const column = requireColumn(
      table,
      nameOf(target.kind === 'ReferenceNode' ? (target.column as OperationNode) : target),
    )
    return { slot: column.slot, expr: compileExpr(u.value as OperationNode, scope) }
  })
  const { read, returning } = prepareWriteTargets(ctx, node, 'update', table, scope)
  const execute = (ctx: WriteContext): StatementResult => {
    const { rows, plan } = read.run(ctx)
    const out: Record<string, unknown>[] = []
    for (const stored of rows) {
      const tuple = [stored.row]
      const values = stored.row.all(table.nextSlot)
      // Every right-hand side sees the old row, as SQLite evaluates them.
      const computed = sets.map((s) => s.expr.eval(tuple))
      sets.forEach((s, i) => (values[s.slot] = computed[i]!))
      const stored2 = updateRow(ctx.tx, table, stored, values)
      if (returning !== undefined) out.push(project(returning, [new ArrayRow(stored2)]))
    }
    return { rows: out, changes: rows.length, reader: returning !== undefined, plan }
  }
  return { fits: read.fits, execute }
}
