import type { OperationNode } from 'kysely'
import { truth } from '../encoding/values.js'
import { compileExpr } from '../expression/expression.js'
import type { AnyNode } from '../expression/nodes.js'
import { byPrecedence } from '../expression/precedence.js'
import type { RowLike } from '../expression/scope.js'
import type { QueryPlan } from '../planner/plan.js'
import type { ExecContext } from './context.js'
import { limitOffset, project, projections, tableSource } from './query-parts.js'
import { runSelect } from './select.js'
import { needsGeneralSelect } from './select-general.js'
import { readBucket, rowView } from './table-store.js'

/** Rows read from the table by lazy streams, for tests that prove a stream reads as it is consumed. */
export const streamCounters = { rowsRead: 0 }

/**
 * The rows of a select, produced as they are pulled (`stream()`): a whole scan or one key range of
 * the table, in key order or backwards, through the filter and offset/limit, one row at a time from
 * the engine's cursor, so memory holds one row however large the table. Selects that must see every
 * row before the first (a sort, grouping, distinct, joins, compound selects) or that read through
 * an index or by keys run whole, then hand out their rows.
 *
 * Each pull must run inside the statement's context (withContext) on the snapshot `ctx` holds.
 */
export function* selectStream(
  node: AnyNode,
  ctx: ExecContext,
  plan: QueryPlan | undefined,
): Generator<Record<string, unknown>> {
  if (!lazy(node, plan, ctx)) {
    yield* runSelect(node, ctx).rows
    return
  }
  const froms = (node.from as AnyNode).froms as readonly OperationNode[]
  const { table, scope } = tableSource(froms[0]!, ctx)
  const projection = projections(node.selections as readonly OperationNode[] | undefined, scope)
  const whereNode = (node.where as AnyNode | undefined)?.where as OperationNode | undefined
  const filter = whereNode === undefined ? undefined : compileExpr(byPrecedence(whereNode), scope)
  const { limit, offset } = limitOffset(node)
  const bucket = readBucket(ctx.tx, table)
  if (limit === 0 || bucket === undefined) return
  const scan = plan.scan
  const range = {
    reverse: scan.reverse,
    ...(scan.access === 'range' && scan.gte !== undefined ? { gte: scan.gte } : {}),
    ...(scan.access === 'range' && scan.lt !== undefined ? { lt: scan.lt } : {}),
  }
  const tuple: RowLike[] = []
  let skipped = 0
  let emitted = 0
  for (const [key, value] of bucket.entries(range)) {
    streamCounters.rowsRead++
    tuple[0] = rowView(table, value, key)
    if (filter !== undefined && truth(filter.eval(tuple)) !== true) continue
    if (skipped < offset) {
      skipped++
      continue
    }
    yield project(projection, tuple)
    if (limit !== undefined && ++emitted >= limit) return
  }
}

/** Whether the plan reads the table's own bucket in the order the rows go out. */
function lazy(node: AnyNode, plan: QueryPlan | undefined, ctx: ExecContext): plan is QueryPlan {
  if (plan === undefined || needsGeneralSelect(node, ctx.catalog)) return false
  if ((plan.joins?.length ?? 0) > 0 || plan.grouped === true) return false
  const ordered = (((node.orderBy as AnyNode | undefined)?.items as readonly unknown[] | undefined)?.length ?? 0) > 0
  if (ordered && plan.sort) return false
  const scan = plan.scan as QueryPlan['scan'] & { readonly ranges?: unknown }
  return scan.access === 'full-scan' || (scan.access === 'range' && scan.ranges === undefined)
}
