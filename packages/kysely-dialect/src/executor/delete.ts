import type { OperationNode } from 'kysely'
import { unsupported } from '../errors.js'
import type { StatementResult, WriteContext } from './context.js'
import type { AnyNode } from '../expression/nodes.js'
import { readRows } from './pipeline.js'
import { project, projections, rejectParts, tableSource } from './query-parts.js'
import { deleteRow } from './table-store.js'

const DELETE_PARTS_LATER = ['using', 'joins', 'with', 'explain', 'endModifiers', 'limit', 'top', 'output', 'orderBy']

export function runDelete(node: AnyNode, ctx: WriteContext): StatementResult {
  rejectParts(node, DELETE_PARTS_LATER)
  const froms = (node.from as AnyNode).froms as readonly OperationNode[]
  if (froms.length !== 1) throw unsupported('a delete from several tables')
  const { table, scope } = tableSource(froms[0]!, ctx)
  const returning =
    node.returning === undefined
      ? undefined
      : projections((node.returning as AnyNode).selections as readonly OperationNode[], scope)
  const where = (node.where as AnyNode | undefined)?.where as OperationNode | undefined
  const { rows, plan } = readRows(ctx, {
    statement: 'delete',
    table,
    scope,
    where,
    order: [],
    limit: undefined,
    offset: 0,
  })
  const out: Record<string, unknown>[] = []
  for (const stored of rows) {
    if (returning !== undefined) out.push(project(returning, [stored.row]))
    deleteRow(ctx.tx, table, stored)
  }
  return { rows: out, changes: rows.length, reader: returning !== undefined, plan }
}
