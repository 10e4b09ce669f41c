import type { OperationNode } from 'kysely'
import type { ReadTransaction } from 'btree-store'
import { readHeaderValue, type TableDef } from '../catalog/catalog.js'
import { truth, type SqlValue } from '../encoding/values.js'
import { bounds, describeAccess, planAccess, type OrderTerm, type TableStats } from '../planner/access-path.js'
import type { QueryPlan } from '../planner/plan.js'
import type { ExecContext } from './context.js'
import { compileExpr } from '../expression/expression.js'
import { byPrecedence } from '../expression/precedence.js'
import { conjuncts, type AnyNode } from '../expression/nodes.js'
import { compareTuples, returningProjections, type Projection } from './query-parts.js'
import { sortByKeys } from '../expression/order.js'
import { readPath } from './row-source.js'
import type { RowLike, Scope } from '../expression/scope.js'
import { readBucket, type StoredRow } from './table-store.js'

export interface ReadRequest {
  statement: QueryPlan['statement']
  table: TableDef
  scope: Scope
  where: OperationNode | undefined
  order: readonly OrderTerm[]
  limit: number | undefined
  offset: number
  /** Slots a select reads (for a covering index); update and delete always read whole rows. */
  reads?: ReadonlySet<number> | undefined
}

/** The planner's statistics of a stored table: its row count, which the engine keeps exact. */
export function tableStats(tx: ReadTransaction, table: TableDef): TableStats {
  return { rows: readBucket(tx, table)?.size ?? 0 }
}

/**
 * tableStats for planning: with `measured` once an ANALYZE has run, as SQLite then plans by
 * sqlite_stat1's counts (a MULTI-INDEX OR's choice, access-path.ts; the join order,
 * sqlite-order.ts), where it supposes an unmeasured table large.
 */
export function plannedStats(
  tx: ReadTransaction,
  table: TableDef,
  measured: boolean = readHeaderValue(tx, 'stat1') !== 0,
): TableStats {
  const stats = tableStats(tx, table)
  return measured ? { ...stats, measured: true } : stats
}

/** A single-table read compiled and planned once: `run` reads with the values bound at the time. */
export interface PreparedRead<T> {
  /** Whether the plan still suits `tx`: a point read always does, others while the row count is the one planned for. */
  fits(tx: ReadTransaction): boolean
  /** The rows, and the plan when only planning. */
  run(ctx: ExecContext): { rows: T[]; plan?: QueryPlan }
}

/**
 * The operator pipeline of a single-table statement: scan (the planned access path) -> filter
 * (the whole where clause, always) -> sort (unless the scan is in key order) -> offset/limit.
 * Rows are collected before the caller writes, so an update never sees its own changes.
 */
function prepareCollect<T>(
  ctx: ExecContext,
  req: ReadRequest,
  covering: boolean,
  keep: (key: Uint8Array, row: RowLike) => T,
  rowOf: (kept: T) => RowLike,
): PreparedRead<T> {
  const stopAfter = req.limit === undefined ? undefined : req.limit + req.offset
  // The planner reads conjuncts: they must be SQLite's (`a or b and c` is not a conjunction of c).
  const where = req.where === undefined ? undefined : byPrecedence(req.where)
  const stats = plannedStats(ctx.tx, req.table)
  const path = planAccess(req.table, where, req.scope, req.order, stopAfter, {
    stats,
    ...(covering ? { reads: req.reads } : {}),
    ...(covering && req.order.length === 0 ? { unordered: true } : {}),
    orBranches: true,
  })
  // Conjuncts the seek answers exactly need no second look (compiled unless only planning).
  const filters =
    ctx.planOnly === true
      ? []
      : conjuncts(where)
          .filter((c) => !path.consumed.has(c))
          .map((c) => compileExpr(c, req.scope))
  const sort = !path.orderByKey
  const cmp = sort && req.order.length > 0 ? compareTuples(req.order) : undefined
  const fits = (tx: ReadTransaction): boolean =>
    path.access === 'point' || tableStats(tx, req.table).rows === stats.rows
  const run = (ctx: ExecContext): { rows: T[]; plan?: QueryPlan } => {
    const keys = bounds(path, [])
    const describe = (): QueryPlan => ({ statement: req.statement, scan: describeAccess(path, [], keys), sort })
    ctx.onPlan?.(describe)
    if (ctx.planOnly === true) return { rows: [], plan: describe() }
    const matched: T[] = []
    const tuple: RowLike[] = [undefined as unknown as RowLike]
    const limit = path.stopAfter
    if (limit === 0) return { rows: [] }
    // Rows are tested before they are made (views, or copies for a write): only those kept are.
    const passes = (row: RowLike): boolean => {
      tuple[0] = row
      for (const f of filters) if (truth(f.eval(tuple)) !== true) return false
      return true
    }
    const orderOf = (row: RowLike): SqlValue[] => req.order.map((t): SqlValue => t.expr.eval([row]))
    if (cmp !== undefined && req.limit !== undefined) {
      // A sort that keeps offset + limit rows keeps only those: the best so far, in order (a row
      // after those equal to it, as a stable sort leaves them), each row's order tested before it
      // is made.
      const top = topRows<T>(req.offset + req.limit, cmp)
      // Each row's order is made in one scratch array; only a kept row's is copied.
      const scratch = new Array<SqlValue>(req.order.length)
      readPath(
        ctx.tx,
        path,
        [],
        (key, row) => void top.add(keep(key, row), scratch.slice()),
        covering ? 'select' : 'write',
        keys,
        (row) => {
          if (filters.length > 0 && !passes(row)) return false
          tuple[0] = row
          for (let i = 0; i < scratch.length; i++) scratch[i] = req.order[i]!.expr.eval(tuple)
          return top.admits(scratch)
        },
      )
      return { rows: top.rows().slice(req.offset) }
    }
    readPath(
      ctx.tx,
      path,
      [],
      (key, row) => {
        matched.push(keep(key, row))
        return limit === undefined || matched.length < limit
      },
      covering ? 'select' : 'write',
      keys,
      filters.length === 0 ? undefined : passes,
    )
    let rows = matched
    if (cmp !== undefined) {
      const keyed = rows.map((r) => ({ r, k: orderOf(rowOf(r)) }))
      rows = sortByKeys(keyed, (x) => x.k, req.order).map((x) => x.r)
    }
    if (req.offset > 0 || req.limit !== undefined)
      rows = rows.slice(req.offset, req.limit === undefined ? undefined : req.offset + req.limit)
    return { rows }
  }
  return { fits, run }
}

/**
 * The first `size` rows by `cmp` of those added, in order; of rows that compare equal, those added
 * first (the rows a stable sort of them all would put first). `admits` tells whether a row of that
 * order would be kept, before it is made.
 */
function topRows<T>(
  size: number,
  cmp: (a: SqlValue[], b: SqlValue[]) => number,
): {
  admits(order: SqlValue[]): boolean
  add(row: T, order: SqlValue[]): void
  rows(): T[]
} {
  const kept: { row: T; order: SqlValue[] }[] = []
  return {
    admits: (order) => size > 0 && (kept.length < size || cmp(order, kept[kept.length - 1]!.order) < 0),
    add(row, order) {
      // After every kept row that is not greater: a binary search for the upper bound.
      let lo = 0
      let hi = kept.length
      while (lo < hi) {
        const mid = (lo + hi) >>> 1
        if (cmp(kept[mid]!.order, order) <= 0) lo = mid + 1
        else hi = mid
      }
      kept.splice(lo, 0, { row, order })
      if (kept.length > size) kept.pop()
    },
    rows: () => kept.map((k) => k.row),
  }
}

/** The stored rows an update or delete changes, with their keys. */
export function prepareReadRows(ctx: ExecContext, req: ReadRequest): PreparedRead<StoredRow> {
  return prepareCollect(
    ctx,
    req,
    false,
    (key, row): StoredRow => ({ key, row: row as StoredRow['row'] }),
    (r) => r.row,
  )
}

/**
 * What an update or delete of one table reads before it writes: the rows its where clause keeps
 * (copies, in key order) and its returning list, compiled against the table's scope.
 */
export function prepareWriteTargets(
  ctx: ExecContext,
  node: AnyNode,
  statement: 'update' | 'delete',
  table: TableDef,
  scope: Scope,
): { read: PreparedRead<StoredRow>; returning: Projection[] | undefined } {
  const returning = node.returning === undefined ? undefined : returningProjections(node.returning as AnyNode, scope)
  const where = (node.where as AnyNode | undefined)?.where as OperationNode | undefined
  const read = prepareReadRows(ctx, { statement, table, scope, where, order: [], limit: undefined, offset: 0 })
  return { read, returning }
}

/** The rows a single-table select reads: whole rows, or index entries when an index covers it. */
export function prepareSelectRows(ctx: ExecContext, req: ReadRequest): PreparedRead<RowLike> {
  return prepareCollect(
    ctx,
    req,
    true,
    (_, row) => row,
    (row) => row,
  )
}
