import type { OperationNode } from 'kysely'
import { unsupported } from '../errors.js'
import type { PreparedStatement, StatementResult, WriteContext } from './context.js'
import type { AnyNode } from '../expression/nodes.js'
import { prepareWriteTargets } from './pipeline.js'
import { withCommonTables } from './compound-select.js'
import { project, rejectParts, tableSource } from './query-parts.js'
import { deleteChecked } from './foreign-keys.js'
import { mayFire, rowNow } from './triggers.js'
import { prepareViewDelete, viewTarget } from './view-writes.js'

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
  // A view, through its INSTEAD OF triggers.
  const view = viewTarget(ctx, froms[0]!)
  if (view !== undefined) return prepareViewDelete(node, ctx, view)
  const { table, scope } = tableSource(froms[0]!, ctx)
  const { read, returning } = prepareWriteTargets(ctx, node, 'delete', table, scope)
  const execute = (ctx: WriteContext): StatementResult => {
    const { rows, plan } = read.run(ctx)
    const out: Record<string, unknown>[] = []
    // With triggers, each row is read again as it is now: a trigger may have changed or deleted it.
    const fresh = mayFire(table, 'delete')
    let changes = 0
    for (const found of rows) {
      const stored = fresh ? rowNow(ctx.tx, table, found) : found
      if (stored === undefined) continue
      const projected = returning === undefined ? undefined : project(returning, [stored.row])
      if (!deleteChecked(ctx.tx, table, stored)) continue
      changes++
      if (projected !== undefined) out.push(projected)
    }
    return { rows: out, changes, reader: returning !== undefined, plan }
  }
  return { fits: read.fits, execute }
}
