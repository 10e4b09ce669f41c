import type { OperationNode } from 'kysely'
import type { ReadTransaction } from 'btree-store'
import type { TableDef } from '../catalog/catalog.js'
import { compileExpr, type Expr } from '../expression/expression.js'
import { conjuncts, type AnyNode } from '../expression/nodes.js'
import type { RowLike, Scope, Tuple } from '../expression/scope.js'
import { boundedKeyColumns, type AccessPath } from '../planner/access-path.js'
import type { JoinPlan } from '../planner/plan.js'
import { impliesNonNullRow } from '../planner/null-rejection.js'
import { referencedSources, termsOf, type Term } from '../planner/terms.js'
import {
  equalities,
  hasEquality,
  joinType,
  lateralStage,
  lookupStage,
  matchStage,
  passesAll,
  sortedRangeStage,
  type SortedRange,
  type Equality,
  type JoinStage,
  type RowsOf,
  type StageParts,
} from './join.js'
import { readPath } from './row-source.js'
import {
  bestPath,
  DERIVED_ROWS,
  onConjuncts,
  rowsOfSource,
  termsFor,
  withPlanMemo,
  type Conjunct,
  type JoinSource,
} from './source-paths.js'
import { sqliteOrder } from './sqlite-order.js'
import { equivalentComparisons } from '../planner/equivalences.js'
import { unsupported } from '../errors.js'

/** How the first source (in join order) is read, and what it yields. */
export interface FirstRead {
  readonly s: number
  /** Undefined for a derived table. */
  readonly path: AccessPath | undefined
  readonly filters: readonly Expr[]
  readonly derived: RowsOf | undefined
}

export interface JoinedSources {
  readonly first: FirstRead
  readonly stages: readonly JoinStage[]
  /** Conjuncts of the where clause left for after every join (subqueries, or after a right or full join). */
  readonly final: readonly Expr[]
}

const NOTHING: ReadonlySet<AnyNode> = new Set()

/** The share of rows a condition the read does not answer keeps: a guess, as SQLite's. */
function keeps(c: AnyNode): number {
  const op = c.kind === 'BinaryOperationNode' ? ((c.operator as AnyNode).operator as string) : ''
  return op === '=' || op === '==' || op === 'is' ? 0.1 : 0.25
}
interface Choice {
  s: number
  cost: number
  rows: number
}

/**
 * Plans the sources of a select: the order they are read in and how each is joined.
 *
 * Leading sources joined by inner or cross joins are reordered, in SQLite's order (sqlite-order.ts:
 * a source written after an explicit `cross join` only after every source written before it),
 * with the on clauses and where conjuncts placed at the first step that knows every source they
 * read. Outer joins keep their place and their on clause as the match condition. Each join uses,
 * in this order of preference by cost (by the real row counts): a seek per outer row in the inner
 * table's primary key or an index (index nested loop), a hash table on the equalities between the
 * two sides, or a nested loop; the inner side of a hash join or nested loop is read once, through
 * its own cheapest path.
 */
export function planJoins(
  sources: readonly JoinSource[],
  where: OperationNode | undefined,
  scope: Scope,
  own: number,
): JoinedSources {
  return withPlanMemo(scope, () => planSources(sources, where, scope, own))
}

function planSources(
  sources: readonly JoinSource[],
  where: OperationNode | undefined,
  scope: Scope,
  own: number,
): JoinedSources {
  const n = sources.length
  const types = sources.map((src, s) => (s === 0 || src.join === undefined ? 'cross' : joinType(src.join)))
  const nullsBefore = types.some((t) => t === 'right' || t === 'full')
  // A left join whose null-extended rows the where clause or an inner join's on clause rejects is
  // an inner join (SQLite's simplification of joins, select.c): its on clause joins the others,
  // its table may be read earlier. Not with a right or full join in the statement.
  if (!nullsBefore) {
    const rejecting = [
      ...conjuncts(where),
      ...types.flatMap((t, s) => (t === 'inner' ? onConjuncts(sources[s]!.join) : [])),
    ]
    for (let s = 1; s < n; s++)
      if (types[s] === 'left' && rejecting.some((c) => impliesNonNullRow(c, s, scope))) types[s] = 'inner'
  }
  // The leading sources joined by inner, cross and (without a right or full join) left joins are
  // ordered together; a left-joined one after every source written before it (sqlite-order.ts).
  let prefix = 1
  const leads = (t: string): boolean => t === 'inner' || t === 'cross' || (t === 'left' && !nullsBefore)
  while (prefix < n && leads(types[prefix]!)) prefix++
  const isOuter = (s: number): boolean => s >= own
  const conj = (node: AnyNode, on = false): Conjunct => {
    const read = referencedSources(node, scope)
    return {
      node,
      on,
      sources: read === undefined ? undefined : new Set([...read].filter((s) => !isOuter(s))),
      placed: false,
    }
  }
  const pool: Conjunct[] = []
  for (let s = 1; s < prefix; s++)
    if (types[s] !== 'left') for (const c of onConjuncts(sources[s]!.join)) pool.push(conj(c, true))
  const final: Conjunct[] = []
  for (const c of conjuncts(where)) {
    if (!nullsBefore) {
      pool.push(conj(c))
      continue
    }
    // After a right or full join the where clause runs once every join is done (the null-extended
    // rows must meet it). A conjunct that compares a column of one leading source, and so rejects
    // the rows that join extends with nulls, filters that source's own read too, as in SQLite
    // (`where b.id > ?` before `full join c`: b read by its primary key's range, first): the same
    // rows in the end, and the loop order, the row order and the order in which an aggregate such
    // as total() of reals meets them, SQLite's.
    const late = conj(c)
    final.push(late)
    const s = late.sources?.size === 1 ? [...late.sources][0]! : -1
    // Its own copy: placing it in the pool leaves the final one to run.
    if (s >= 0 && s < prefix && rejectsNulls(c, s, scope)) pool.push({ ...late })
  }

  const leftJoined = new Set(types.flatMap((t, s) => (t === 'left' && s < prefix ? [s] : [])))
  const { order, automatic } = sqliteOrder(sources, prefix, pool, conj, nullsBefore, leftJoined, scope, isOuter)
  const bounds = readBounds(pool, prefix, types, scope, isOuter)
  // The rows expected before each source, by the real row counts: they choose each join's strategy.
  const rowsBefore = new Map<number, number>()
  const before = new Set<number>()
  let real = 1
  for (const s of order) {
    rowsBefore.set(s, real)
    const choice = joinCost(sources[s]!, s, before.size === 0 ? undefined : real, pool, before, scope, isOuter)
    before.add(s)
    real = Math.max(1, choice.rows)
  }
  for (let s = prefix; s < n; s++) {
    // Past an outer join sources keep their written order: a function reads only those before it.
    if ([...(sources[s]!.after ?? [])].some((i) => i > s))
      throw unsupported(`a table-valued function reading a table joined after it past an outer join`)
    order.push(s)
  }

  const bound = new Set<number>()
  const known = (s: number): boolean => isOuter(s) || bound.has(s)
  const placeable = (c: Conjunct): boolean => !c.placed && c.sources !== undefined && [...c.sources].every(known)
  const compile = (cs: readonly Conjunct[]): Expr[] => cs.map((c) => compileExpr(c.node, scope))

  const firstSource = order[0]!
  bound.add(firstSource)
  const firstConds = pool.filter(placeable)
  for (const c of firstConds) c.placed = true
  const firstSrc = sources[firstSource]!
  // The first source may be read as SQLite's MULTI-INDEX OR (its rows then come as SQLite's do:
  // each disjunct's read in turn), as its join order supposes (sqlite-order.ts).
  const firstPath =
    firstSrc.derived === undefined
      ? bestPath(
          firstSrc,
          firstSource,
          [...firstConds.map((c) => c.node), ...bounds[firstSource]!],
          scope,
          isOuter,
          true,
        )
      : undefined
  const first: FirstRead = {
    s: firstSource,
    path: firstPath,
    filters: compile(firstConds.filter((c) => firstPath?.consumed.has(c.node) !== true)),
    derived: firstSrc.derived,
  }

  const stages: JoinStage[] = []
  const lastOfPrefix = order[prefix - 1]
  for (const s of order.slice(1)) {
    const src = sources[s]!
    const type = types[s]!
    const before = (i: number): boolean => isOuter(i) || bound.has(i)
    bound.add(s)
    let match: AnyNode[]
    let after: Conjunct[]
    if (type === 'inner' || type === 'cross') {
      // On conditions whose tables cannot be told (subqueries) run once the prefix is joined.
      const placed = pool.filter((c) => placeable(c) || (s === lastOfPrefix && c.on && !c.placed))
      for (const c of placed) c.placed = true
      // An inner join after an outer one keeps its on clause at its place.
      match = [...(s >= prefix ? onConjuncts(src.join) : []), ...placed.map((c) => c.node)]
      after = []
    } else {
      match = onConjuncts(src.join)
      after = pool.filter(placeable)
      for (const c of after) c.placed = true
    }
    stages.push(
      joinStage(src, s, type, match, compile(after), scope, before, rowsBefore.get(s), bounds[s]!, automatic.has(s)),
    )
  }
  for (const c of pool) if (!c.placed) final.push(c)
  return { first, stages, final: compile(final) }
}

/**
 * For each source, the comparisons that bound its own read beside the conditions written on it:
 * those the written conditions' column equivalences imply (planner/equivalences.ts, `holds`) on
 * that source alone, its values constants, parameters or outer columns (`a.id = b.a_id and b.a_id
 * = 3`: a read by `a.id = 3`), as SQLite's scans follow equivalences to a key or an index. For the
 * sources of the reordered prefix joined as inner joins; a path either answers one (a seek, an
 * index range) or leaves it, never filtering by it: the written conditions filter the rows.
 */
function readBounds(
  pool: readonly Conjunct[],
  prefix: number,
  types: readonly string[],
  scope: Scope,
  isOuter: (s: number) => boolean,
): AnyNode[][] {
  const out: AnyNode[][] = scope.sources.map(() => [])
  const implied = equivalentComparisons(
    pool.map((c) => c.node),
    scope,
  )
  for (const c of implied) {
    if (!c.holds) continue
    const read = referencedSources(c.node, scope)
    const own = read === undefined ? [] : [...read].filter((i) => !isOuter(i))
    const s = own[0]
    if (own.length !== 1 || s! >= prefix || (c.seeks !== undefined && c.seeks !== s)) continue
    if (s! > 0 && types[s!] !== 'inner' && types[s!] !== 'cross') continue
    out[s!]!.push(c.node)
  }
  return out
}

/**
 * Whether conjunct `c` is a comparison of a column of source `s` (a seekable term: =, <, in,
 * between, like...), never true when that source's columns are null; `is` and `is not` are not.
 */
function rejectsNulls(c: AnyNode, s: number, scope: Scope): boolean {
  if (c.kind !== 'BinaryOperationNode') return false
  const op = ((c.operator as AnyNode).operator as string).toLowerCase()
  if (op === 'is' || op === 'is not') return false
  return termsOf(c, s, scope).length > 0
}

function joinCost(
  src: JoinSource,
  s: number,
  outerRows: number | undefined,
  pool: readonly Conjunct[],
  bound: ReadonlySet<number>,
  scope: Scope,
  isOuter: (s: number) => boolean,
): Choice {
  const conds = pool
    .filter((c) => c.sources !== undefined && c.sources.has(s) && [...c.sources].every((i) => i === s || bound.has(i)))
    .map((c) => c.node)
  const alone = src.derived === undefined ? bestPath(src, s, conds, scope, isOuter) : undefined
  let keep = 1
  for (const c of conds) if (alone?.consumed.has(c) !== true) keep *= keeps(c)
  const scanCost = alone?.cost ?? DERIVED_ROWS
  const scanRows = alone?.estimatedRows ?? DERIVED_ROWS
  if (outerRows === undefined) return { s, cost: scanCost, rows: scanRows * keep }
  const knownHere = (i: number): boolean => isOuter(i) || bound.has(i)
  let cost = scanCost + outerRows * scanRows
  let rows = outerRows * scanRows * keep
  if (hasEquality(conds, s, scope, knownHere)) {
    cost = scanCost + outerRows
    rows = outerRows * Math.max(1, scanRows / Math.max(1, Math.min(scanRows, outerRows)))
  } else if (
    src.derived === undefined &&
    rangeTerms(src.table, termsFor(conds, s, scope), knownHere, scope.sources.length)
  ) {
    // A sorted-range join: one sort, a binary search per outer row, a quarter of the rows per bound.
    cost = scanCost + (scanRows * Math.log2(scanRows + 2)) / 8 + outerRows * Math.log2(scanRows + 2)
    rows = outerRows * scanRows * 0.25
  }
  if (src.derived === undefined) {
    const lookup = bestPath(src, s, conds, scope, knownHere)
    if ([...lookup.needs].some((i) => bound.has(i)) && outerRows * lookup.cost < cost) {
      cost = outerRows * lookup.cost
      rows = outerRows * lookup.estimatedRows
    }
  }
  return { s, cost, rows: Math.max(rowsOfSource(src) === 0 ? 0 : 1, rows) }
}

/** The stage joining source `s`: a seek per outer row when a path uses the outer rows, else a hash join or nested loop. */
function joinStage(
  src: JoinSource,
  s: number,
  type: JoinPlan['type'],
  match: readonly AnyNode[],
  after: readonly Expr[],
  scope: Scope,
  known: (source: number) => boolean,
  outerRows: number | undefined,
  bounds: readonly AnyNode[],
  automatic: boolean,
): JoinStage {
  const compiled = (except: ReadonlySet<AnyNode>): Expr[] =>
    match.filter((c) => !except.has(c)).map((c) => compileExpr(c, scope))
  const parts = (except: ReadonlySet<AnyNode>): StageParts => ({ s, type, match: compiled(except), after })
  // A table moved into an inner join prefix (the first from table, a comma join) joins as inner.
  const shown = type === 'cross' && match.length > 0 ? 'inner' : type
  const base = { table: src.table.name, as: src.as, type: shown }
  const outerJoin = type === 'right' || type === 'full'
  if (src.after !== undefined && src.after.size > 0) {
    // SQLite has no right or full join to a function of the tables before it either.
    if (outerJoin) throw unsupported(`a ${type} join to a table-valued function of the tables before it`)
    return lateralStage({ ...base, strategy: 'nested-loop', keyColumns: [] }, parts(NOTHING), src.derived!)
  }
  if (src.derived === undefined && !outerJoin) {
    const lookup = bestPath(src, s, [...match, ...bounds], scope, known)
    // A seek per outer row only pays when it reads the outer row (else one read serves them all).
    const usesOuter = [...lookup.needs].some((i) => i < scope.sources.length)
    // Against a hash join: one read of the table through its own path, then a probe per outer row.
    const alone = bestPath(src, s, [...match, ...bounds], scope, (i) => i >= scope.sources.length)
    const rows = outerRows ?? 1
    const seeks = !hasEquality(match, s, scope, known) || rows * lookup.cost < alone.cost + rows
    if (usesOuter && seeks) {
      const columns = boundedKeyColumns(lookup)
      const plan: JoinPlan =
        lookup.index === undefined
          ? { ...base, strategy: 'primary-key-lookup', keyColumns: columns }
          : {
              ...base,
              strategy: 'index-lookup',
              keyColumns: columns,
              index: lookup.index.name,
              covering: lookup.covered !== undefined,
            }
      return lookupStage(plan, parts(lookup.consumed), lookup)
    }
  }
  // Right and full joins must see every row of the source, matched or not: no prefiltering.
  const localConds = outerJoin
    ? []
    : match.filter((c) => {
        const read = referencedSources(c, scope)
        return read !== undefined && [...read].every((i) => i === s || i >= scope.sources.length)
      })
  const rowsOf = sourceRows(src, s, localConds, outerJoin ? [] : bounds, scope)
  const eqs: Equality[] = equalities(match, s, scope, known)
  if (eqs.length === 0 && !outerJoin && src.derived === undefined) {
    // A range between the two sides: the source sorted once, then a binary search per outer row.
    const range = rangeTerms(src.table, termsFor(match, s, scope), known, scope.sources.length)
    if (range !== undefined) {
      const plan: JoinPlan = { ...base, strategy: 'sorted-range', keyColumns: [range.column] }
      return sortedRangeStage(plan, parts(NOTHING), rowsOf, range)
    }
  }
  const strategy = eqs.length > 0 ? 'hash' : 'nested-loop'
  const keyColumns = eqs.map((e) => e.inner.column?.column.name ?? '(expression)')
  const sorted = automatic && eqs.length > 0 ? automaticIndexOrder(src, eqs) : undefined
  return matchStage({ ...base, strategy, keyColumns }, parts(NOTHING), rowsOf, eqs.length > 0 ? eqs : undefined, sorted)
}

/**
 * Where SQLite reads a source through an automatic index (sqlite-order.ts) and the dialect through
 * a hash table on the same equalities, the rows of one key come in the index's order: by the other
 * columns the statement reads of it, in the table's column order (BINARY), then by the rowid (where.c:
 * constructAutomaticIndex; its order decides the joined rows' order, and the order in which an
 * aggregate such as total() of reals meets them). The slots of those columns; undefined when the
 * statement's columns cannot be told or a key is no column of it.
 */
function automaticIndexOrder(src: JoinSource, eqs: readonly Equality[]): number[] | undefined {
  const used = src.columns
  if (src.derived !== undefined || used === undefined) return undefined
  const keyed = new Set<number>()
  for (const e of eqs) {
    const column = e.inner.column?.column
    if (column === undefined) return undefined
    keyed.add(column.slot)
  }
  // The rowid's alias is the rowid (SQLite counts no column of it).
  const table = src.table
  return table.columns
    .filter((c) => used.has(c.slot) && !keyed.has(c.slot) && c.name !== table.rowidColumn)
    .map((c) => c.slot)
}

/**
 * The bounds of a range join: `lower` and/or `upper` terms on one column of the source whose
 * values read the rows before it, as a sorted-range stage uses them.
 */
function rangeTerms(
  table: TableDef,
  terms: readonly Term[],
  known: (source: number) => boolean,
  own: number,
): SortedRange | undefined {
  const usable = terms.filter(
    (t) => (t.op === 'lower' || t.op === 'upper') && [...t.needs].every(known) && [...t.needs].some((i) => i < own),
  )
  const first = usable[0]
  const column = first === undefined ? undefined : table.columns.find((c) => c.name === first.column)
  if (first === undefined || column === undefined) return undefined
  return {
    column: column.name,
    slot: column.slot,
    lower: usable.find((t) => t.op === 'lower' && t.column === first.column),
    upper: usable.find((t) => t.op === 'upper' && t.column === first.column),
  }
}

/**
 * A source's rows read once per run, through its cheapest path with the conditions on it alone
 * (and those that may bound its read, readBounds).
 */
function sourceRows(
  src: JoinSource,
  s: number,
  local: readonly AnyNode[],
  bounds: readonly AnyNode[],
  scope: Scope,
): RowsOf {
  if (src.derived !== undefined) return src.derived
  const outer = (i: number): boolean => i >= scope.sources.length
  const path = bestPath(src, s, [...local, ...bounds], scope, outer)
  const filters = local.filter((c) => !path.consumed.has(c)).map((c) => compileExpr(c, scope))
  return (tx: ReadTransaction, template: Tuple): RowLike[] => {
    const rows: RowLike[] = []
    const scratch = template.slice()
    const passes = (row: RowLike): boolean => {
      scratch[s] = row
      return passesAll(filters, scratch)
    }
    readPath(
      tx,
      path,
      template,
      (_, row) => void rows.push(row),
      'select',
      undefined,
      filters.length === 0 ? undefined : passes,
    )
    return rows
  }
}
