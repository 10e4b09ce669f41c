import type { OperationNode } from 'kysely'
import type { ReadTransaction } from 'btree-store'
import { applyComparisonAffinity, type Affinity } from '../catalog/affinity.js'
import { columnsTable, readHeaderValue, schemaTableOf, type TableDef } from '../catalog/catalog.js'
import { BTreeSqlError, unsupported } from '../errors.js'
import { truth, type SqlValue, toJs } from '../encoding/values.js'
import { containsAggregate, GroupScope } from '../expression/aggregates.js'
import { collatedKey, compileExpr, type Expr } from '../expression/expression.js'
import { NestedScope, OuterLink } from '../expression/nested-scope.js'
import { conjuncts, nameOf, rawText, type AnyNode } from '../expression/nodes.js'
import { byPrecedence } from '../expression/precedence.js'
import { ArrayRow, type RowLike, type Scope, type Source, type Tuple } from '../expression/scope.js'
import { registerSubqueryCompiler, type PreparedSubquery } from '../expression/subquery-hook.js'
import { SeenRows, ValueBuckets } from '../expression/value-key.js'
import { collationName, declaredCollation, exprFold, foldOf, folded, type Collated } from '../expression/collation.js'
import { containsWindow, WindowCalls, withWindows } from '../expression/window.js'
import { describeAccess, planAccess, type AccessPath, type TableStats } from '../planner/access-path.js'
import type { AccessPlan, QueryPlan } from '../planner/plan.js'
import { columnsRead, referencedSources } from '../planner/terms.js'
import { markJsonValueColumn } from '../expression/json.js'
import { JSON_EACH_COLUMNS } from '../expression/json-table.js'
import { GroupLayout, GroupTable } from './group-by.js'
import { readBucket } from './table-store.js'
import type { ExecContext, PreparedStatement, StatementResult } from './context.js'
import { currentContext, inReadOnlyStatement, noteSubqueryFits } from './current-context.js'
import { correlatedEquality, type CorrelatedEquality } from './correlated-access.js'
import { resolveUsingJoins } from './using-joins.js'
import { withResultAliases } from './result-aliases.js'
import { lookupCte, prepareCompound, withCommonTables } from './compound-select.js'
import { joinType, NULL_ROW, passesAll, type RowsOf } from './join.js'
import { planJoins, type FirstRead } from './join-order.js'
import { limitOffset, orderTerms, projections, rejectParts, resultPosition, tableSource } from './query-parts.js'
import { eachRowView, eachStoredRef, eachTransientRow, readPath } from './row-source.js'
import { plannedStats, tableStats } from './pipeline.js'
import { sortByKeys } from '../expression/order.js'
import { windowValues } from './window-stage.js'
import { viewSelect } from '../catalog/stored-node.js'
import { checkViewReachable, inViewScope } from './view-scope.js'
import { tableFunctionOf, type TableFunction } from './table-functions.js'
import { schemaColumns, schemaRows } from './schema-table.js'
import { isStar } from '../sql/expression-parser.js'
import type { Catalog } from '../catalog/catalog.js'

/** Select parts neither pipeline runs yet. */
const PARTS_LATER = ['distinctOn', 'endModifiers', 'explain', 'fetch', 'top']

/** Views whose select is being prepared (a view read inside its own definition is circular). */
const preparingViews = new Set<string>()

/** A view named as a source, prepared as the derived table it reads as (create-view.ts). */
function viewOf(table: AnyNode, ctx: ExecContext): PreparedSelect | undefined {
  const view = ctx.catalog.view(nameOf(table))
  if (view === undefined) return undefined
  checkViewReachable(view)
  const key = view.name.toLowerCase()
  if (preparingViews.has(key))
    throw new BTreeSqlError('BTREE_SQL_UNSUPPORTED', `view ${view.name} is circularly defined`)
  preparingViews.add(key)
  let prepared: PreparedSelect
  try {
    prepared = inViewScope(view, () => prepareSelect(viewSelect(view) as AnyNode, ctx, undefined))
  } finally {
    preparingViews.delete(key)
  }
  if (view.given === undefined) return prepared
  if (view.given.length !== prepared.names.length)
    throw new BTreeSqlError(
      'BTREE_SQL_UNSUPPORTED',
      `expected ${view.given.length} columns for '${view.name}' but got ${prepared.names.length}`,
    )
  return relabeled(prepared, { names: view.given })
}

/** Whether a source of the from clause is a view of `catalog`. */
function readsView(f: AnyNode, catalog: Catalog | undefined): boolean {
  const inner = f.kind === 'AliasNode' ? (f.node as AnyNode) : f
  if (inner.kind !== 'TableNode') return false
  const name = nameOf(inner)
  return (catalog !== undefined && catalog.view(name) !== undefined) || schemaTableOf(name) !== undefined
}

/** Whether a select needs the general pipeline: joins, several tables, derived tables or views, grouping, aggregates, window functions or distinct. */
export function needsGeneralSelect(node: AnyNode, catalog?: Catalog): boolean {
  const froms = ((node.from as AnyNode | undefined)?.froms ?? []) as readonly AnyNode[]
  return (
    froms.some((f) => readsView(f, catalog)) ||
    node.with !== undefined ||
    ((node.setOperations as readonly unknown[] | undefined)?.length ?? 0) > 0 ||
    froms.length > 1 ||
    froms.some(
      (f) => f.kind === 'FunctionNode' || (f.kind === 'AliasNode' && (f.node as AnyNode).kind !== 'TableNode'),
    ) ||
    ((node.joins as readonly unknown[] | undefined)?.length ?? 0) > 0 ||
    node.groupBy !== undefined ||
    node.having !== undefined ||
    ((node.frontModifiers as readonly unknown[] | undefined)?.length ?? 0) > 0 ||
    containsAggregate(node.selections) ||
    containsAggregate(node.orderBy) ||
    containsWindow(node.selections) ||
    containsWindow(node.orderBy)
  )
}

function isDistinct(node: AnyNode): boolean {
  let distinct = false
  for (const m of (node.frontModifiers ?? []) as readonly AnyNode[]) {
    if (m.modifier === 'Distinct') distinct = true
    else
      throw unsupported(
        `the select modifier ${(m.modifier as string | undefined) ?? rawText(m.rawModifier as OperationNode) ?? 'SelectModifierNode'}`,
      )
  }
  return distinct
}

interface Output {
  values: SqlValue[]
  order: SqlValue[]
}

/** A select compiled once, run for each outer tuple (just once for a top-level statement). */
export interface PreparedSelect {
  /**
   * Described when read, with the values bound then: a cached statement reads it per run, and
   * its compilation must not read (and so guard) the values of the first table's seek.
   */
  readonly plan: QueryPlan
  readonly names: readonly string[]
  readonly affinities: readonly (Affinity | undefined)[]
  /** Result columns' declared types: a stored column's, else '' (a view's columns, introspection). */
  readonly types?: readonly string[]
  /** Result columns' collations (a COLLATE in the column's expression, a column's declared one), where known. */
  readonly collations?: readonly Collated[]
  /** Whether the plan still suits `tx`: while each stored table's row count is the one planned for. */
  fits(tx: ReadTransaction): boolean
  execute(tx: ReadTransaction, outer: Tuple, stopAfter?: number): SqlValue[][]
}

/**
 * `prepared` under other column names or collations (a view's or a common table's column list, a
 * compound's collations). Its plan stays a getter: a spread (`{ ...prepared, names }`) would
 * describe it at once, reading the values of the first table's seek, which a cached statement's
 * compilation then guards (parameters.ts): such a statement was compiled again at every run.
 */
export function relabeled(
  prepared: PreparedSelect,
  change: { readonly names?: readonly string[]; readonly collations?: readonly Collated[] },
): PreparedSelect {
  const { types } = prepared
  const collations = change.collations ?? prepared.collations
  return {
    get plan() {
      return prepared.plan
    },
    names: change.names ?? prepared.names,
    affinities: prepared.affinities,
    ...(types === undefined ? {} : { types }),
    ...(collations === undefined ? {} : { collations }),
    fits: prepared.fits,
    execute: prepared.execute,
  }
}

/** A source of the from clause or of a join: a stored table, or a derived table (`subquery.as(x)`). */
interface PreparedSource {
  source: Source
  derived: PreparedSelect | undefined
  /** A table-valued function: its arguments are compiled once the select's sources are known (callRows). */
  call?: TableCall
}

interface TableCall {
  readonly fn: TableFunction
  readonly args: readonly OperationNode[]
}

function prepareSource(node: OperationNode, ctx: ExecContext, link: OuterLink | undefined): PreparedSource {
  const n = node as AnyNode
  const inner = n.kind === 'AliasNode' ? (n.node as AnyNode) : n
  if (inner.kind === 'TableNode') {
    const cte = lookupCte(nameOf(inner)) ?? viewOf(inner, ctx) ?? schemaSource(inner, ctx)
    if (cte === undefined) return { source: tableSource(node, ctx).scope.sources[0]!, derived: undefined }
    const table = derivedTable(nameOf(n.kind === 'AliasNode' ? (n.alias as OperationNode) : inner), cte)
    return { source: { table, name: table.name }, derived: cte }
  }
  if (inner.kind === 'FunctionNode') return tableFunction(n, inner)
  if (n.kind !== 'AliasNode' || inner.kind !== 'SelectQueryNode') throw unsupported(`${inner.kind} as a source`)
  // A derived table sees the queries around this one (not its siblings): jsonArrayFrom's shape.
  const derived = prepareSelect(inner, ctx, link)
  const table = derivedTable(nameOf(n.alias as OperationNode), derived)
  return { source: { table, name: table.name }, derived }
}

/** A table's access plan naming the alias it is read under, when it has one. */
function withAlias(plan: AccessPlan, as: string): AccessPlan {
  return as === plan.table ? plan : { ...plan, as }
}

/**
 * One of SQLite's own tables (sqlite_schema, sqlite_temp_schema, sqlite_sequence: schema-table.ts)
 * read as a derived table of the rows the transaction's catalog gives, unless the catalog has a
 * table of the name (it cannot: SQLite reserves `sqlite_` names, create-table.ts).
 */
function schemaSource(table: AnyNode, ctx: ExecContext): PreparedSelect | undefined {
  const name = nameOf(table)
  const which = schemaTableOf(name)
  if (which === undefined || ctx.catalog.table(name) !== undefined) return undefined
  // sqlite_sequence exists once an AUTOINCREMENT table does (else SQLite's "no such table").
  if (which === 'sequence' && !ctx.catalog.sequenceTable) return undefined
  const columns = schemaColumns(which)
  return {
    plan: {
      statement: 'select',
      scan: {
        table: name,
        access: 'full-scan',
        keyColumns: [],
        reverse: false,
        orderByKey: false,
        stopAfter: undefined,
      },
      sort: false,
    },
    names: columns.names,
    affinities: columns.affinities,
    types: columns.types,
    fits: () => true,
    execute: (tx, _outer, stopAfter) => {
      const rows = schemaRows(tx, which)
      return stopAfter === undefined ? rows : rows.slice(0, stopAfter)
    },
  }
}

/**
 * A table-valued function as a source: `json_each(x [, path])`, SQLite's JSON table, and the
 * pragma functions (`pragma_table_info(t)`, ...: table-functions.ts), named by its alias or its
 * own name. Its arguments are compiled with the select's other sources (prepareSelect: callRows):
 * like SQLite's, they may read the tables before it in the from clause, the function then read
 * again for each of their rows (`from sqlite_master m, pragma_table_info(m.name) p`), and the
 * queries around this one.
 */
function tableFunction(n: AnyNode, call: AnyNode): PreparedSource {
  const written = call.func as string
  const fn = tableFunctionOf(written)
  if (fn === undefined) throw unsupported(`the table-valued function ${written}()`)
  const args = call.arguments as readonly OperationNode[]
  if (args.length < fn.minArgs || args.length > fn.maxArgs)
    throw new BTreeSqlError('BTREE_SQL_UNSUPPORTED', `wrong number of arguments to function ${written}()`)
  const alias = n.kind === 'AliasNode' ? nameOf(n.alias as OperationNode) : written
  const table = columnsTable(
    alias,
    fn.columns.map((name) => ({ name, type: '', affinity: 'blob' as const })),
  )
  // json_each's and json_tree's `value`: an array or object there is JSON-subtyped (json.ts).
  if (fn.columns === JSON_EACH_COLUMNS) markJsonValueColumn(table.columns.find((c) => c.name === 'value'))
  return { source: { table, name: table.name }, derived: undefined, call: { fn, args } }
}

/**
 * A table-valued function's rows for a tuple of the select (its arguments compiled in the select's
 * scope: `after`, the select's own sources they read), or SQLite's error for one that reads itself.
 */
function callRows(call: TableCall, s: number, scope: Scope): { rows: RowsOf; after: ReadonlySet<number> } {
  const args = call.args.map((a) => compileExpr(byPrecedence(a), scope))
  const read = referencedSources(call.args, scope) ?? new Set<number>()
  const after = new Set([...read].filter((i) => i < scope.sources.length))
  if (after.has(s)) throw unsupported(`a table-valued function reading its own columns`)
  return {
    rows: (tx, t, stopAfter) => {
      const rows = call.fn.rows(
        tx,
        args.map((a) => a.eval(t)),
      )
      return (stopAfter === undefined ? rows : rows.slice(0, stopAfter)).map((values) => new ArrayRow(values))
    },
    after,
  }
}

/**
 * A derived table's columns: its rows are ArrayRows, slot i holding result column i with its
 * affinity and the collation of its expression (SQLite's selectAddColumnTypeAndCollation: a
 * COLLATE in it, else its column's declared one), which a reference to the column then carries.
 */
export function derivedTable(name: string, derived: PreparedSelect): TableDef {
  return columnsTable(
    name,
    derived.names.map((column, slot) => {
      const named = derived.collations?.[slot]
      const collation = named === undefined ? undefined : collationName(named)
      return {
        name: column,
        type: derived.types?.[slot] ?? '',
        affinity: derived.affinities[slot] ?? 'blob',
        ...(collation === undefined ? {} : { collation: declaredCollation(collation) }),
      }
    }),
  )
}

const NO_ORDER: SqlValue[] = []

const CROSS_JOIN = { kind: 'JoinNode', joinType: 'CrossJoin' } as unknown as AnyNode

/** A derived table's rows for a join stage; `template` ends with the outer tuple after `width` own sources. */
function derivedRows(derived: PreparedSelect, width: number): RowsOf {
  return (tx, template, stopAfter) =>
    derived.execute(tx, template.slice(width), stopAfter).map((values) => new ArrayRow(values))
}

/**
 * The general select pipeline: scan the first source (its where-planned access path) -> join
 * each further source (join.ts) -> filter (where) -> group and aggregate -> having -> project ->
 * distinct -> sort -> offset/limit. Tuples hold one row per source, then the rows of the queries
 * around this one when it is a subquery (`link`).
 */
export function prepareSelect(node: AnyNode, ctx: ExecContext, link: OuterLink | undefined): PreparedSelect {
  if (node.with !== undefined) return withCommonTables(node, ctx, (n) => prepareSelect(n, ctx, link))
  if (((node.setOperations as readonly unknown[] | undefined)?.length ?? 0) > 0) return prepareCompound(node, ctx, link)
  rejectParts(node, PARTS_LATER)
  const distinct = isDistinct(node)
  const froms = ((node.from as AnyNode | undefined)?.froms ?? []) as readonly OperationNode[]
  const written = (node.joins ?? []) as readonly AnyNode[]
  for (const j of written) joinType(j)
  const prepared = [
    ...froms.map((f) => prepareSource(f, ctx, link)),
    ...written.map((j) => prepareSource(j.table as OperationNode, ctx, link)),
  ]
  // USING and NATURAL joins: their conditions, and the columns they hide (using-joins.ts).
  const { joins, sources } = resolveUsingJoins(
    written,
    prepared.map((p) => p.source),
    froms.length,
  )
  // UPDATE FROM's joined select (update.ts) names its target as a peer, not an outer query.
  const scope = new NestedScope(sources, link, node.peerOuter === true)
  const grouped =
    node.groupBy !== undefined ||
    node.having !== undefined ||
    containsAggregate(node.selections) ||
    containsAggregate(node.orderBy)
  const outScope: Scope = grouped ? new GroupScope(sources, link) : scope

  const selections = node.selections as readonly AnyNode[] | undefined
  const whereNode = (node.where as AnyNode | undefined)?.where as OperationNode | undefined
  const where =
    whereNode === undefined
      ? undefined
      : byPrecedence(withResultAliases(whereNode, selections, scope, 'WHERE', ctx.catalog))
  // Window calls may appear in the selections and the order by only (executor/window-stage.ts).
  const windows = new WindowCalls()
  const projection = withWindows(windows, () =>
    projections(node.selections as readonly OperationNode[] | undefined, outScope),
  )
  const groupBy = ((node.groupBy as AnyNode | undefined)?.items ?? []) as readonly AnyNode[]
  const groupExprs = groupBy.map((g, i) => {
    const term = compileGroupTerm(g.groupBy as AnyNode, scope, (node.selections ?? []) as readonly AnyNode[], i)
    // Groups under the term's collation (a COLLATE, its column's declared one): the term's folded
    // value is the group's key, and the output reads the term from the group's row, as SQLite's does.
    return collatedKey(term, collationName(term))
  })
  const havingNode = (node.having as AnyNode | undefined)?.having as OperationNode | undefined
  const having =
    havingNode === undefined
      ? undefined
      : compileExpr(byPrecedence(withResultAliases(havingNode, selections, scope, 'HAVING', ctx.catalog)), outScope)
  const order = withWindows(windows, () => orderTerms(node.orderBy as OperationNode | undefined, outScope, projection))
  const windowed = windows.calls.length > 0
  const { limit, offset } = limitOffset(node)

  // A correlated subquery's conditions may read the queries around it: their rows are known on each run.
  const own = sources.length
  // Everything that may read a column, a table function's arguments in the from clause too
  // (`from t, json_each(t.tags)`): an index covers a source only if it holds all of them.
  const statementNodes = [node.selections, node.where, node.orderBy, node.groupBy, node.having, joins, node.from]
  // Once an ANALYZE has run, the planner reads the row counts as SQLite reads sqlite_stat1's.
  const measured = readHeaderValue(ctx.tx, 'stat1') !== 0
  const stats = prepared.map((p) =>
    p.derived === undefined && p.call === undefined ? plannedStats(ctx.tx, p.source.table, measured) : { rows: 0 },
  )
  const calls = prepared.map((p, s) => (p.call === undefined ? undefined : callRows(p.call, s, scope)))
  const joined =
    sources.length === 0
      ? undefined
      : planJoins(
          prepared.map((p, s) => ({
            table: p.source.table,
            as: p.source.name,
            derived: calls[s]?.rows ?? (p.derived === undefined ? undefined : derivedRows(p.derived, sources.length)),
            ...(calls[s] === undefined ? {} : { after: calls[s].after }),
            // Extra from tables are cross joins; then the join clauses in order.
            join: s === 0 ? undefined : s < froms.length ? CROSS_JOIN : joins[s - froms.length]!,
            fixed: s >= froms.length && joins[s - froms.length]!.joinType === 'CrossJoin',
            stats: stats[s]!,
            // The slots read matter only to an index that may cover them (SQLite's index of a
            // primary key that is not the rowid too: sqlite-order.ts, sqliteStep).
            reads:
              p.derived === undefined && (p.source.table.indexes.length > 0 || p.source.table.keying === 'key')
                ? columnsRead(statementNodes, scope, s)
                : undefined,
            ...(node.orderBy === undefined ? { unordered: true } : {}),
            ...(p.derived === undefined && p.call === undefined && sources.length > 1
              ? { columns: columnsRead(statementNodes, scope, s) }
              : {}),
          })),
          where,
          scope,
          own,
        )
  const noSourceFilter = where === undefined ? [] : [compileExpr(where, scope)]
  const extreme =
    grouped && groupExprs.length === 0 && !windowed && joined !== undefined && joined.stages.length === 0
      ? extremeRead(joined.first, where, outScope, scope, stats[0]!)
      : undefined
  const first = joined?.first
  const firstName = first === undefined ? '' : sources[first.s]!.name
  const describe = (): QueryPlan => ({
    statement: 'select',
    scan: ((extreme?.path ?? first?.path) &&
      withAlias(describeAccess(extreme?.path ?? first!.path!, []), firstName)) ?? {
      table: firstName,
      access: 'full-scan',
      keyColumns: [],
      reverse: false,
      orderByKey: true,
      stopAfter: undefined,
    },
    sort: order.length > 0,
    ...(joined !== undefined && joined.stages.length > 0 ? { joins: joined.stages.map((s) => s.plan) } : {}),
    // SQLite's `USE TEMP B-TREE FOR GROUP BY` is a GROUP BY's: aggregates over all rows get none.
    ...(grouped && node.groupBy !== undefined ? { grouped: true } : {}),
  })

  const equality =
    link === undefined || first?.path === undefined || first.s !== 0 ? undefined : correlatedEquality(where, scope)
  const semiJoin = equality === undefined ? undefined : new SemiJoinTable(sources[0]!.table, equality, sources.length)
  const layout = outScope instanceof GroupScope ? new GroupLayout(groupExprs, outScope) : undefined
  const stages = joined?.stages ?? []
  // Whatever reaches `done` is projected or grouped at once: unless groups keep rows, the last
  // read (the first source's, or the last join stage's) may reuse one row and one tuple throughout.
  // Window functions read every output row at the end: each row is kept, none reused.
  const transient = !windowed && (layout === undefined || !layout.retainsRows)
  const plain = order.length === 0 && !distinct
  // Result columns are compared under their collations (a COLLATE, a column's declared one).
  const folds = projection.map((p) => exprFold(p.expr))
  const collated = folds.some((f) => f !== undefined)

  const execute = (tx: ReadTransaction, outer: Tuple, stopAfter?: number): SqlValue[][] => {
    // The rows kept, offset included: the limit's, or fewer when the caller wants fewer.
    const end =
      stopAfter === undefined
        ? limit === undefined
          ? undefined
          : offset + limit
        : Math.min(limit === undefined ? Infinity : offset + limit, offset + stopAfter)
    const template: Tuple = [...sources.map((): RowLike => NULL_ROW), ...outer]
    const outputs: Output[] = []
    // Without distinct or order by, results go out as they are made.
    const results: SqlValue[][] = []
    // A distinct select keeps the first of equal rows, dropping the others as they are made.
    const seen = distinct ? new SeenRows() : undefined
    const project = (t: Tuple): void => {
      const values = new Array<SqlValue>(projection.length)
      for (let i = 0; i < values.length; i++) values[i] = projection[i]!.expr.eval(t)
      if (seen !== undefined && !seen.add(collated ? values.map((v, i) => folded(v, folds[i])) : values)) return
      if (plain) results.push(values)
      else outputs.push({ values, order: order.length === 0 ? NO_ORDER : order.map((o) => o.expr.eval(t)) })
    }
    // With window calls, the rows (and a grouped query's aggregate values) wait for all the others.
    const waiting: Tuple[] = []
    const groupValues: (readonly SqlValue[])[] = []
    const emit = (t: Tuple): void => {
      if (having !== undefined && truth(having.eval(t)) !== true) return
      if (!windowed) return project(t)
      waiting.push(t.slice())
      if (outScope instanceof GroupScope) groupValues.push(outScope.current)
    }
    const grouper = layout === undefined ? undefined : new GroupTable(layout, template)
    const final = joined?.final ?? noSourceFilter
    // Tuples that pass every filter go straight to grouping or projection.
    const done = (t: Tuple): void => {
      if (final.length > 0 && !passesAll(final, t)) return
      if (grouper !== undefined) grouper.add(t)
      else emit(t)
    }
    // Every stage but the last collects its tuples for the next; the last streams them to `done`.
    let tuples: Tuple[] = []
    const joinedRow = stages.length === 0 ? done : (t: Tuple): void => void tuples.push(t)
    if (first === undefined) joinedRow(template)
    else {
      const s = first.s
      const direct = transient && stages.length === 0
      // Filters run on a scratch tuple: only the rows that pass are copied (when they are kept).
      const scratch = template.slice()
      const passes = (row: RowLike): boolean => {
        scratch[s] = row
        return passesAll(first.filters, scratch)
      }
      // Each row read goes out as it is made, or not at all: `end` rows are all there is to read.
      const streamed = direct && plain && grouper === undefined && !windowed && final.length === 0 && end !== undefined
      const kept = (row: RowLike): void => {
        if (direct) {
          scratch[s] = row
          return joinedRow(scratch)
        }
        const t = template.slice()
        t[s] = row
        joinedRow(t)
      }
      const add = (row: RowLike): void => {
        if (passes(row)) kept(row)
      }
      if (extreme !== undefined) {
        // min(x) or max(x) alone: the first row in x's order (nulls skipped) that passes is the
        // one the aggregate keeps; no other is read. Without one (x null wherever the where
        // clause holds), the first row that passes gives the bare columns, as SQLite's does.
        let found = false
        for (const filters of [[...extreme.filters, extreme.notNull], extreme.filters]) {
          readPath(
            tx,
            extreme.path,
            template,
            (_, row) => {
              found = true
              kept(row)
              return false
            },
            direct ? 'transient' : 'select',
            undefined,
            (row) => {
              scratch[s] = row
              return passesAll(filters, scratch)
            },
          )
          if (found) break
        }
      } else if (first.derived !== undefined) {
        // A select that passes its one derived table's rows through as they are reads only as
        // many as its limit keeps (an unbounded recursive table: `select x from c limit 10`).
        const through =
          plain &&
          stages.length === 0 &&
          grouper === undefined &&
          !windowed &&
          final.length === 0 &&
          first.filters.length === 0
        for (const row of first.derived(tx, template, through ? end : undefined)) add(row)
      } else if (first.path!.access === 'full-scan' && semiJoin !== undefined && inReadOnlyStatement())
        for (const row of semiJoin.probe(tx, template)) add(row)
      else if (!(
        direct &&
        grouper !== undefined &&
        first.filters.length === 0 &&
        final.length === 0 &&
        // A scan of rows without their keys has no rowid to read (RowView.rowid).
        sources[s]!.rowidRead !== true &&
        (layout?.direct?.source === s
          ? countedRows(tx, first.path!, grouper) || eachStoredRef(tx, first.path!, template, grouper.addRef)
          : eachTransientRow(tx, first.path!, template, (row) => {
              scratch[s] = row
              grouper.add(scratch)
            }))
      ))
        readPath(
          tx,
          first.path!,
          template,
          (_, row) => {
            kept(row)
            // Rows that go straight out stop the read at the limit (`exists (select ...)` asks one).
            return !(streamed && results.length >= end!)
          },
          direct ? 'transient' : 'select',
          undefined,
          first.filters.length === 0 ? undefined : passes,
        )
    }
    for (let i = 0; i < stages.length; i++) {
      const last = i === stages.length - 1
      const next: Tuple[] = []
      stages[i]!.run(tx, tuples, template, last ? done : (t) => void next.push(t), last && transient)
      tuples = next
    }
    if (grouper !== undefined && outScope instanceof GroupScope) {
      for (const group of grouper.finish(template)) {
        outScope.current = group.state.final()
        emit(group.tuple)
      }
    }
    if (windowed) {
      const enter = (i: number): void => {
        if (outScope instanceof GroupScope) outScope.current = groupValues[i]!
      }
      const { values, order: windowOrder } = windowValues(windows.calls, waiting, enter)
      // In the order SQLite's window sorts leave the rows (window-stage.ts).
      for (const i of windowOrder) {
        enter(i)
        windows.current = values[i]!
        project(waiting[i]!)
      }
    }

    if (plain) return offset > 0 || end !== undefined ? results.slice(offset, end) : results
    let rows = outputs
    if (order.length > 0) rows = sortByKeys([...rows], (r) => r.order, order)
    if (offset > 0 || end !== undefined) rows = rows.slice(offset, end)
    return rows.map((r) => r.values)
  }
  // The join order and each source's path were chosen for these row counts.
  const fits = (tx: ReadTransaction): boolean =>
    prepared.every(
      (p, s) =>
        p.call !== undefined ||
        (p.derived !== undefined ? p.derived.fits(tx) : tableStats(tx, p.source.table).rows === stats[s]!.rows),
    )
  return {
    get plan() {
      return describe()
    },
    names: projection.map((p) => p.name),
    affinities: projection.map((p) => p.expr.affinity),
    types: projection.map((p) => p.expr.column?.column.type ?? ''),
    collations: projection.map((p) => p.expr),
    fits,
    execute,
  }
}

/**
 * A group by term. A bare name that is no column of the sources is a result column's alias, as
 * SQLite resolves it (columns first); an alias of an aggregate is an error there and here.
 */
function compileGroupTerm(node: AnyNode, scope: Scope, selections: readonly AnyNode[], index: number): Expr {
  const byPosition = groupByPosition(node, scope, selections, index)
  if (byPosition !== undefined) return byPosition
  try {
    return compileExpr(node, scope)
  } catch (error) {
    const bare =
      node.kind === 'ReferenceNode' && node.table === undefined && (node.column as AnyNode).kind === 'ColumnNode'
        ? nameOf(node.column as OperationNode).toLowerCase()
        : undefined
    const alias = selections
      .map((s) => s.selection as AnyNode)
      .find(
        (sel) =>
          sel.kind === 'AliasNode' && bare !== undefined && nameOf(sel.alias as OperationNode).toLowerCase() === bare,
      )
    if (!(error instanceof BTreeSqlError) || error.code !== 'BTREE_SQL_NO_SUCH_COLUMN' || alias === undefined)
      throw error
    if (containsAggregate(alias.node))
      throw new BTreeSqlError(
        'BTREE_SQL_UNSUPPORTED',
        `aggregate functions are not allowed in the GROUP BY clause (${bare})`,
      )
    return compileExpr(alias.node as OperationNode, scope)
  }
}

/**
 * A group by term that is an integer literal: the result column at that position, read per row
 * (SQLite's resolveOrderGroupBy; query-parts.ts: resultPosition), an aggregate there being
 * SQLite's error. Undefined for any other term.
 */
function groupByPosition(node: AnyNode, scope: Scope, selections: readonly AnyNode[], index: number): Expr | undefined {
  if (node.kind !== 'ValueNode' || node.immediate !== true) return undefined
  // A `*` stands for its tables' columns (expanded over the rows), anything else for one column.
  const columns: ({ expr: Expr } | { node: AnyNode })[] = []
  for (const s of selections) {
    const selection = s.selection as AnyNode
    if (isStar(selection)) for (const p of projections([s], scope)) columns.push({ expr: p.expr })
    else columns.push({ node: selection.kind === 'AliasNode' ? (selection.node as AnyNode) : selection })
  }
  const position = resultPosition(node, columns.length, 'GROUP BY', index)
  if (position === undefined) return undefined
  const column = columns[position]!
  if ('expr' in column) return column.expr
  if (containsAggregate(column.node))
    throw new BTreeSqlError('BTREE_SQL_UNSUPPORTED', 'aggregate functions are not allowed in the GROUP BY clause')
  return compileExpr(column.node as OperationNode, scope)
}

/**
 * A correlated subquery's first table read once into a hash table on its correlated column, then
 * probed per outer row. Only in read-only statements: a write statement may change the table
 * between two outer rows.
 */
class SemiJoinTable {
  #tx: ReadTransaction | undefined
  #rows = new ValueBuckets<RowLike>()

  constructor(
    readonly table: TableDef,
    readonly equality: CorrelatedEquality,
    readonly width: number,
  ) {}

  probe(tx: ReadTransaction, template: Tuple): readonly RowLike[] {
    if (this.#tx !== tx) this.#build(tx, template)
    const v = applyComparisonAffinity(this.equality.outer.eval(template), this.equality.affinity)
    if (v === null) return []
    return this.#rows.get(folded(v, this.equality.fold)) ?? []
  }

  /** The table's rows as views (a read-only statement's snapshot holds them), filed by the inner side. */
  #build(tx: ReadTransaction, template: Tuple): void {
    this.#tx = tx
    const rows = (this.#rows = new ValueBuckets())
    const scratch = template.slice()
    eachRowView(tx, this.table, (row) => {
      scratch[0] = row
      const v = applyComparisonAffinity(this.equality.inner.eval(scratch), this.equality.affinity)
      if (v !== null) rows.add(folded(v, this.equality.fold), row)
    })
  }
}

export function runGeneralSelect(node: AnyNode, ctx: ExecContext): StatementResult {
  return prepareGeneralSelect(node, ctx).execute(ctx)
}

/** A top-level general select as a statement (statement-cache.ts runs it again with new values). */
export function prepareGeneralSelect(node: AnyNode, ctx: ExecContext): PreparedStatement {
  const prepared = prepareSelect(node, ctx, undefined)
  const names = prepared.names
  return {
    fits: prepared.fits,
    execute: (ctx) => {
      // Described when asked for, with this run's values (they are bound until the next statement).
      ctx.onPlan?.(() => prepared.plan)
      if (ctx.planOnly === true) return { rows: [], changes: 0, reader: true, plan: prepared.plan }
      const rows = prepared.execute(ctx.tx, []).map((values) => {
        const row: Record<string, unknown> = {}
        for (let i = 0; i < names.length; i++) row[names[i]!] = toJs(values[i]!)
        return row
      })
      return { rows, changes: 0, reader: true }
    },
  }
}

/** Subqueries in expressions: prepared in the statement's context, linked to the scope around them. */
registerSubqueryCompiler((node: AnyNode, outer: Scope): PreparedSubquery => {
  const link = new OuterLink(outer)
  const prepared = prepareSelect(node, currentContext(), link)
  // A cached statement runs it again in later transactions: it reads the running one's, and is
  // compiled afresh with its statement once its plan no longer suits the row counts.
  noteSubqueryFits(prepared.fits)
  return {
    width: prepared.names.length,
    affinities: prepared.affinities,
    collations: prepared.collations ?? [],
    correlated: link.used,
    rows: (t, limit) => prepared.execute(currentContext().tx, t, limit),
  }
})

/**
 * SQLite gives a compound's result column the collation of the first arm's column that has one (a
 * COLLATE, a column's declared one), which its duplicates and its order by compare under; this
 * dialect does not carry it there.
 */
export function rejectCollatedColumns(prepared: PreparedSelect, where: string): void {
  const named = prepared.collations?.map(collationName).find((c) => foldOf(c) !== undefined)
  if (named !== undefined) throw unsupported(`COLLATE ${named} in ${where}`)
}

/**
 * `select count(*) from t` and its kin (every call count(*), no group by, no condition): the
 * table's row count, kept by the engine, added without reading a row. False for any other read.
 */
function countedRows(tx: ReadTransaction, path: AccessPath, grouper: GroupTable): boolean {
  // Every row of the table: a full scan, or a whole index that is not partial (a covering one).
  const whole =
    path.access === 'full-scan' ||
    (path.index !== undefined &&
      path.index.where === undefined &&
      path.eq.length === 0 &&
      path.lower === undefined &&
      path.upper === undefined &&
      path.like === undefined)
  return whole && grouper.addRows(readBucket(tx, path.table)?.size ?? 0)
}

/**
 * SQLite's min/max optimization (select.c: minMaxQuery): a select of one stored table whose only
 * aggregate is min(x) or max(x) of one of its columns, without group by, reads the table in x's
 * order (descending for max) through a key or an index that gives it, and stops at the first row
 * whose x is not null and that passes the where clause: `select max(id) from t` reads one row.
 * The path, the filters that row must pass (the where clause's conjuncts the path does not
 * answer) and the test that its x is not null; undefined when the query is no such select or no
 * key or index gives x's order.
 */
function extremeRead(
  first: FirstRead,
  where: OperationNode | undefined,
  outScope: Scope,
  scope: Scope,
  stats: TableStats,
): { path: AccessPath; filters: Expr[]; notNull: Expr } | undefined {
  if (!(outScope instanceof GroupScope) || first.derived !== undefined || first.path === undefined || first.s !== 0)
    return undefined
  const calls = outScope.calls
  const call = calls.length === 1 ? calls[0]! : undefined
  const arg = call?.extreme === true && call.filter === undefined ? call.args[0] : undefined
  if (arg?.column === undefined || arg.column.source !== 0) return undefined
  const path = planAccess(
    first.path.table,
    where,
    scope,
    [{ expr: arg, desc: call!.highest === true, nulls: undefined }],
    1,
    { stats, collatedOrder: true },
  )
  // An `in` list's seeks (SQLite then answers from each value's rows in its own order): not so.
  if (!path.orderByKey || path.seek === 'in') return undefined
  const filters = conjuncts(where)
    .filter((c) => !path.consumed.has(c))
    .map((c) => compileExpr(c, scope))
  const notNull: Expr = { eval: (t) => (arg.eval(t) === null ? 0 : 1), affinity: undefined, constant: false }
  return { path, filters, notNull }
}
