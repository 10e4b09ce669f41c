import type { OperationNode } from 'kysely'
import type { TableDef } from '../catalog/catalog.js'
import { truth, type SqlValue } from '../encoding/values.js'
import { planAccess, type OrderTerm } from '../planner/access-path.js'
import type { QueryPlan } from '../planner/plan.js'
import type { ExecContext } from './context.js'
import { compileExpr } from '../expression/expression.js'
import { byPrecedence } from '../expression/precedence.js'
import { compareTuples } from './query-parts.js'
import { scanRows } from './row-source.js'
import type { Scope } from '../expression/scope.js'
import type { StoredRow } from './table-store.js'

export interface ReadRequest {
  statement: QueryPlan['statement']
  table: TableDef
  scope: Scope
  where: OperationNode | undefined
  order: readonly OrderTerm[]
  limit: number | undefined
  offset: number
}

/**
 * The operator pipeline of a single-table statement: scan (the planned access path) -> filter
 * (the whole where clause, always) -> sort (unless the scan is in key order) -> offset/limit.
 * Rows are collected before the caller writes, so an update never sees its own changes.
 */
export function readRows(ctx: ExecContext, req: ReadRequest): { rows: StoredRow[]; plan: QueryPlan } {
  const stopAfter = req.limit === undefined ? undefined : req.limit + req.offset
  // The planner reads conjuncts: they must be SQLite's (`a or b and c` is not a conjunction of c).
  const where = req.where === undefined ? undefined : byPrecedence(req.where)
  const access = planAccess(req.table, where, req.scope, req.order, stopAfter)
  const plan: QueryPlan = { statement: req.statement, scan: access, sort: !access.orderByKey }
  ctx.onPlan?.(plan)
  if (ctx.planOnly === true) return { rows: [], plan }
  const filter = where === undefined ? undefined : compileExpr(where, req.scope)
  const matched: StoredRow[] = []
  const tuple: [StoredRow['row']] = [undefined as unknown as StoredRow['row']]
  if (access.stopAfter === 0) return { rows: [], plan }
  for (const stored of scanRows(ctx.tx, req.table, access)) {
    tuple[0] = stored.row
    if (filter !== undefined && truth(filter.eval(tuple)) !== true) continue
    matched.push(stored)
    if (access.stopAfter !== undefined && matched.length >= access.stopAfter) break
  }
  let rows = matched
  if (plan.sort && req.order.length > 0) {
    const keyed = rows.map((r) => ({ r, k: req.order.map((t): SqlValue => t.expr.eval([r.row])) }))
    const cmp = compareTuples(req.order)
    keyed.sort((a, b) => cmp(a.k, b.k))
    rows = keyed.map((x) => x.r)
  }
  if (req.offset > 0 || req.limit !== undefined)
    rows = rows.slice(req.offset, req.limit === undefined ? undefined : req.offset + req.limit)
  return { rows, plan }
}
