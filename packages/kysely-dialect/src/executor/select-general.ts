import type { OperationNode } from 'kysely'
import type { TableDef } from '../catalog/catalog.js'
import { unsupported } from '../errors.js'
import { compareValues, truth, type SqlValue, toJs } from '../encoding/values.js'
import { containsAggregate, GroupScope, GroupState } from '../expression/aggregates.js'
import { compileExpr } from '../expression/expression.js'
import { rawText, type AnyNode } from '../expression/nodes.js'
import { byPrecedence } from '../expression/precedence.js'
import { Scope, type RowLike, type Source, type Tuple } from '../expression/scope.js'
import { rowKey } from '../expression/value-key.js'
import { planAccess } from '../planner/access-path.js'
import type { QueryPlan } from '../planner/plan.js'
import type { ExecContext, StatementResult } from './context.js'
import { joinType, NULL_ROW, planJoin, type JoinStage } from './join.js'
import { compareTuples, limitOffset, orderTerms, projections, rejectParts, tableSource } from './query-parts.js'
import { scanRows } from './row-source.js'

/** Select parts neither pipeline runs yet. */
const PARTS_LATER = ['with', 'setOperations', 'distinctOn', 'endModifiers', 'explain', 'fetch', 'top']

/** Whether a select needs the general pipeline: joins, several tables, grouping, aggregates or distinct. */
export function needsGeneralSelect(node: AnyNode): boolean {
  const froms = ((node.from as AnyNode | undefined)?.froms ?? []) as readonly unknown[]
  return (
    froms.length > 1 ||
    ((node.joins as readonly unknown[] | undefined)?.length ?? 0) > 0 ||
    node.groupBy !== undefined ||
    node.having !== undefined ||
    ((node.frontModifiers as readonly unknown[] | undefined)?.length ?? 0) > 0 ||
    containsAggregate(node.selections) ||
    containsAggregate(node.orderBy)
  )
}

function isDistinct(node: AnyNode): boolean {
  let distinct = false
  for (const m of (node.frontModifiers ?? []) as readonly AnyNode[]) {
    if (m.modifier === 'Distinct') distinct = true
    else throw unsupported(`the select modifier ${(m.modifier as string | undefined) ?? rawText(m.rawModifier as OperationNode) ?? 'SelectModifierNode'}`)
  }
  return distinct
}

interface Output {
  values: SqlValue[]
  order: SqlValue[]
}

/**
 * The general select pipeline: scan the first table (its where-planned access path) -> join each
 * further table (join.ts) -> filter (where) -> group and aggregate -> having -> project ->
 * distinct -> sort -> offset/limit. Tuples hold one row per source.
 */
export function runGeneralSelect(node: AnyNode, ctx: ExecContext): StatementResult {
  rejectParts(node, PARTS_LATER)
  const distinct = isDistinct(node)
  const froms = ((node.from as AnyNode | undefined)?.froms ?? []) as readonly OperationNode[]
  const joins = (node.joins ?? []) as readonly AnyNode[]
  const sources: Source[] = froms.map((f) => tableSource(f, ctx).scope.sources[0]!)
  for (const j of joins) joinType(j)
  for (const j of joins) sources.push(tableSource(j.table as OperationNode, ctx).scope.sources[0]!)
  const scope = new Scope(sources)
  const grouped = node.groupBy !== undefined || node.having !== undefined || containsAggregate(node.selections) || containsAggregate(node.orderBy)
  const outScope = grouped ? new GroupScope(sources) : scope

  const whereNode = (node.where as AnyNode | undefined)?.where as OperationNode | undefined
  const where = whereNode === undefined ? undefined : byPrecedence(whereNode)
  const filter = where === undefined ? undefined : compileExpr(where, scope)
  // Extra from tables are cross joins; then the join clauses in order.
  const stages: JoinStage[] = []
  for (let s = 1; s < sources.length; s++) {
    const join = s < froms.length ? ({ kind: 'JoinNode', joinType: 'CrossJoin' } as unknown as AnyNode) : joins[s - froms.length]!
    stages.push(planJoin(join, s, scope, sources[s]!.table, sources[s]!.name))
  }
  const groupBy = ((node.groupBy as AnyNode | undefined)?.items ?? []) as readonly AnyNode[]
  const groupExprs = groupBy.map((g) => compileExpr(g.groupBy as OperationNode, scope))
  const projection = projections(node.selections as readonly OperationNode[] | undefined, outScope)
  const havingNode = (node.having as AnyNode | undefined)?.having as OperationNode | undefined
  const having = havingNode === undefined ? undefined : compileExpr(byPrecedence(havingNode), outScope)
  const order = orderTerms(node.orderBy as OperationNode | undefined, outScope, projection)
  const { limit, offset } = limitOffset(node)

  const first: TableDef | undefined = sources[0]?.table
  const access = first === undefined ? undefined : planAccess(first, where, scope, [], undefined)
  const plan: QueryPlan = {
    statement: 'select',
    scan: access ?? { table: '', access: 'full-scan', keyColumns: [], reverse: false, orderByKey: true, stopAfter: undefined },
    sort: order.length > 0,
    ...(stages.length > 0 ? { joins: stages.map((s) => s.plan) } : {}),
    ...(grouped ? { grouped: true } : {}),
  }
  ctx.onPlan?.(plan)
  if (ctx.planOnly === true) return { rows: [], changes: 0, reader: true, plan }

  let tuples: Tuple[] = []
  if (first === undefined) tuples.push([])
  else for (const stored of scanRows(ctx.tx, first, access!)) tuples.push([stored.row])
  for (const stage of stages) tuples = stage.run(ctx.tx, tuples)
  if (filter !== undefined) tuples = tuples.filter((t) => truth(filter.eval(t)) === true)

  const outputs: Output[] = []
  const emit = (t: Tuple): void => {
    if (having !== undefined && truth(having.eval(t)) !== true) return
    outputs.push({ values: projection.map((p) => p.expr.eval(t)), order: order.map((o) => o.expr.eval(t)) })
  }
  if (outScope instanceof GroupScope) {
    const groups = new Map<string, { tuple: Tuple; state: GroupState; values: SqlValue[] }>()
    for (const t of tuples) {
      const values = groupExprs.map((g) => g.eval(t))
      const key = rowKey(values)
      let group = groups.get(key)
      if (group === undefined) {
        group = { tuple: t, state: new GroupState(outScope.calls), values }
        groups.set(key, group)
      }
      // Bare columns read the group's last row, as SQLite's do.
      group.tuple = t
      group.state.step(t)
    }
    if (groups.size === 0 && groupExprs.length === 0) {
      groups.set('', { tuple: sources.map((): RowLike => NULL_ROW), state: new GroupState(outScope.calls), values: [] })
    }
    // Groups come out in the order of their keys, as SQLite's sorter (or a group-by index) yields them.
    const ordered = [...groups.values()].sort((a, b) => {
      for (let i = 0; i < a.values.length; i++) {
        const c = compareValues(a.values[i]!, b.values[i]!)
        if (c !== 0) return c
      }
      return 0
    })
    for (const group of ordered) {
      outScope.current = group.state.final()
      emit(group.tuple)
    }
  } else {
    for (const t of tuples) emit(t)
  }

  let rows = outputs
  if (distinct) {
    const seen = new Set<string>()
    rows = rows.filter((r) => {
      const key = rowKey(r.values)
      if (seen.has(key)) return false
      seen.add(key)
      return true
    })
  }
  if (order.length > 0) {
    const cmp = compareTuples(order)
    rows = [...rows].sort((a, b) => cmp(a.order, b.order))
  }
  if (offset > 0 || limit !== undefined) rows = rows.slice(offset, limit === undefined ? undefined : offset + limit)
  const names = projection.map((p) => p.name)
  return {
    rows: rows.map((r) => {
      const row: Record<string, unknown> = {}
      for (let i = 0; i < names.length; i++) row[names[i]!] = toJs(r.values[i]!)
      return row
    }),
    changes: 0,
    reader: true,
    plan,
  }
}
