import type { OperationNode } from 'kysely'
import { unsupported } from '../errors.js'
import type { PreparedStatement, StatementResult, WriteContext } from './context.js'
import type { AnyNode } from '../expression/nodes.js'
import { prepareWriteTargets } from './pipeline.js'
import { withCommonTables } from './compound-select.js'
import { project, rejectParts, tableSource } from './query-parts.js'
import { deleteChecked } from './foreign-keys.js'

const DELETE_PARTS_LATER = ['using', 'joins', 'explain', 'endModifiers', 'limit', 'top', 'output', 'orderBy']

export function runDelete(node: AnyNode, ctx: WriteContext): StatementResult {
  return prepareDelete(node, ctx).execute(ctx)
}

export function prepareDelete(node: AnyNode, ctx: WriteContext): PreparedStatement<WriteContext> {
  // `with ... delete`: its common tables in scope while it is prepared.
  if (node.with !== undefined) return withCommonTables(node, ctx, (n) => prepareDelete(n, ctx))
  rejectParts(node, DELETE_PARTS_LATER)
  const froms = (node.from as AnyNode).froms as readonly OperationNode[]
  if (froms.length !== 1) throw unsupported('a delete from several tables')
  const { table, scope } = tableSource(froms[0]!, ctx)
  const { read, returning } = prepareWriteTargets(ctx, node, 'delete', table, scope)
  const execute = (ctx: WriteContext): StatementResult => {
    const { rows, plan } = read.run(ctx)
    const out: Record<string, unknown>[] = []
    for (const stored of rows) {
      if (returning !== undefined) out.push(project(returning, [stored.row]))
      deleteChecked(ctx.tx, table, stored)
    }
    return { rows: out, changes: rows.length, reader: returning !== undefined, plan }
  }
  return { fits: read.fits, execute }
}
