import type { OperationNode } from 'kysely'
import type { ReadTransaction } from 'btree-store'
import type { TableDef } from '../catalog/catalog.js'
import { compileExpr, type Expr } from '../expression/expression.js'
import { conjuncts, type AnyNode } from '../expression/nodes.js'
import { byPrecedence } from '../expression/precedence.js'
import type { RowLike, Scope, Tuple } from '../expression/scope.js'
import { boundedKeyColumns, chooseAccess, type AccessPath, type TableStats } from '../planner/access-path.js'
import {
  automaticIndexLoop,
  logEst,
  logEstAdd,
  outputAdjust,
  sqliteLoop,
  UNMEASURED,
  type SqliteLoop,
} from '../planner/sqlite-costs.js'
import type { JoinPlan } from '../planner/plan.js'
import { equivalentComparisons, propagatedConstants } from '../planner/equivalences.js'
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
import { unsupported } from '../errors.js'

/** One source of a select as the join planner sees it. */
export interface JoinSource {
  readonly table: TableDef
  readonly as: string
  /** A derived table's rows; undefined for a stored table. */
  readonly derived: RowsOf | undefined
  /** How it joins the sources before it (`cross` for extra from tables); ignored for the first. */
  readonly join: AnyNode | undefined
  /**
   * Joined by an explicit `cross join` (not listed in `from`): read after every source written
   * before it (mayComeNext).
   */
  readonly fixed: boolean
  readonly stats: TableStats
  /** Slots the statement reads from it (for covering reads); undefined: all, or cannot tell. */
  readonly reads: ReadonlySet<number> | undefined
  /** The statement has no order by (access-path.ts: AccessRequest.unordered). */
  readonly unordered?: boolean
  /**
   * A table-valued function whose arguments read these sources of the select (`pragma_table_info(t.name)`):
   * read after them, its rows made again for each tuple of them (`derived` is given the tuple).
   */
  readonly after?: ReadonlySet<number>
}

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

interface Conjunct {
  readonly node: AnyNode
  /** From an inner join's on clause (it must run before any later outer join), or the where clause. */
  readonly on: boolean
  /** Own sources it reads (outer ones are always known); undefined when it cannot tell. */
  readonly sources: ReadonlySet<number> | undefined
  placed: boolean
  /**
   * Implied by SQLite's column equivalences, not written (planner/equivalences.ts): it lets a read
   * seek a key or index, as SQLite's scans for terms do, and does not filter rows.
   */
  readonly implied?: boolean
}

const NOTHING: ReadonlySet<AnyNode> = new Set()

/** The share of rows a condition the read does not answer keeps: a guess, as SQLite's. */
function keeps(c: AnyNode): number {
  const op = c.kind === 'BinaryOperationNode' ? ((c.operator as AnyNode).operator as string) : ''
  return op === '=' || op === '==' || op === 'is' ? 0.1 : 0.25
}
/** Rows of a derived table, which has no statistics. */
const DERIVED_ROWS = 1000

interface Choice {
  s: number
  cost: number
  rows: number
}

/**
 * Plans the sources of a select: the order they are read in and how each is joined.
 *
 * Leading sources joined by inner or cross joins are reordered, in SQLite's order (sqliteOrder; a
 * source written after an explicit `cross join` only after every source written before it,
 * mayComeNext), with the on clauses and where conjuncts placed at the first step that knows every
 * source they read. Outer
 * joins keep their place and their on clause as the match condition. Each join uses, in this
 * order of preference by cost: a seek per outer row in the inner table's primary key or an index
 * (index nested loop), a hash table on the equalities between the two sides, or a nested loop;
 * the inner side of a hash join or nested loop is read once, through its own cheapest path.
 */
export function planJoins(
  sources: readonly JoinSource[],
  where: OperationNode | undefined,
  scope: Scope,
  own: number,
): JoinedSources {
  // Planning asks for the same terms and paths many times: remembered while this scope is planned.
  memos.set(scope, { terms: new Map(), paths: [] })
  try {
    return planSources(sources, where, scope, own)
  } finally {
    memos.delete(scope)
  }
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
  let prefix = 1
  while (prefix < n && (types[prefix] === 'inner' || types[prefix] === 'cross')) prefix++
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
  for (let s = 1; s < prefix; s++) for (const c of onConjuncts(sources[s]!.join)) pool.push(conj(c, true))
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

  // SQLite orders the tables seeing the conditions as its constant propagation rewrites them (the
  // original still lets a read seek a key, without filtering), and the comparisons its column
  // equivalences imply.
  const rewritten = nullsBefore
    ? new Map<AnyNode, AnyNode>()
    : propagatedConstants(
        pool.map((c) => c.node),
        scope,
      )
  const seen = pool.flatMap((c) => {
    const next = rewritten.get(c.node)
    return next === undefined ? [c] : [{ ...c, implied: true }, conj(next)]
  })
  const implied = equivalentComparisons(
    seen.filter((c) => c.implied !== true).map((c) => c.node),
    scope,
  ).map((c) => ({ ...conj(c), implied: true }))
  const { order, rowsBefore } = sqliteOrder(sources, prefix, pool, [...seen, ...implied], scope, isOuter)
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
  const firstPath =
    firstSrc.derived === undefined
      ? bestPath(
          firstSrc,
          firstSource,
          firstConds.map((c) => c.node),
          scope,
          isOuter,
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
    stages.push(joinStage(src, s, type, match, compile(after), scope, before, rowsBefore.get(s)))
  }
  for (const c of pool) if (!c.placed) final.push(c)
  return { first, stages, final: compile(final) }
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

function onConjuncts(join: AnyNode | undefined): AnyNode[] {
  const on = (join?.on as AnyNode | undefined)?.on as OperationNode | undefined
  return on === undefined ? [] : conjuncts(byPrecedence(on))
}

/**
 * Terms by conjunct and source, and paths chosen by source, of the scopes being planned. Plain
 * maps dropped when planJoins returns: WeakMaps keyed by each statement's nodes cost their
 * ephemeron upkeep in every garbage collection.
 */
interface PlanMemo {
  readonly terms: Map<AnyNode, Map<number, Term[]>>
  readonly paths: ChosenPath[][]
}
const memos = new Map<Scope, PlanMemo>()

function termsFor(conds: readonly AnyNode[], s: number, scope: Scope): Term[] {
  const memo = memos.get(scope)
  const out: Term[] = []
  for (const c of conds) {
    if (memo === undefined) {
      out.push(...termsOf(c, s, scope))
      continue
    }
    let bySource = memo.terms.get(c)
    if (bySource === undefined) memo.terms.set(c, (bySource = new Map()))
    let terms = bySource.get(s)
    if (terms === undefined) bySource.set(s, (terms = termsOf(c, s, scope)))
    out.push(...terms)
  }
  return out
}

/** A path chosen for a source: the conditions it was chosen with and the sources then known. */
interface ChosenPath {
  readonly conds: readonly AnyNode[]
  readonly known: string
  readonly path: AccessPath
}

/** A source's cheapest path using the conditions whose other sources are `known`. */
function bestPath(
  src: JoinSource,
  s: number,
  conds: readonly AnyNode[],
  scope: Scope,
  known: (source: number) => boolean,
): AccessPath {
  let mask = `${src.stats.rows}:`
  for (let i = 0; i < scope.sources.length; i++) mask += known(i) ? '1' : '0'
  // Planning asks again and again, with few distinct questions.
  const chosen = memos.get(scope)?.paths
  const bySource = chosen === undefined ? [] : (chosen[s] ??= [])
  for (const c of bySource) if (c.known === mask && sameNodes(c.conds, conds)) return c.path
  const path = chooseAccess({
    table: src.table,
    source: s,
    stats: src.stats,
    terms: termsFor(conds, s, scope),
    known,
    order: [],
    stopAfter: undefined,
    reads: src.reads,
    ...(src.unordered === true ? { unordered: true } : {}),
    conds,
    scope,
  })
  bySource.push({ conds: conds.slice(), known: mask, path })
  return path
}

function sameNodes(a: readonly AnyNode[], b: readonly AnyNode[]): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

function rowsOfSource(src: JoinSource): number {
  return src.derived === undefined ? src.stats.rows : DERIVED_ROWS
}

/** Partial join orders kept at each step of the search (SQLite's wherePathSolver keeps 5 to 18). */
const PATHS_KEPT = 64

/** A partial join order: the sources read so far, in order, and SQLite's cost and rows of it. */
interface PartialOrder extends PathEnd {
  readonly order: readonly number[]
  readonly bound: ReadonlySet<number>
}

/**
 * The join order of the reorderable leading sources, found as SQLite's wherePathSolver finds it:
 * orders grown one source at a time, each step costed as SQLite costs it (sqliteStep), the
 * cheapest order kept for each set of sources read (by cost, then rows; a tie keeps the order
 * found first, nearest the written one), and of the complete orders the cheapest.
 *
 * The order is chosen as SQLite chooses it, by the conditions and the keys and indexes they use:
 * every stored table is supposed to hold 2^20 rows, as SQLite supposes of a table no ANALYZE has
 * measured (TableStats.measured: once one has, the real counts). The loop order decides the order
 * of the rows, and so the order in which an aggregate such as total() of reals meets them; the row
 * counts still choose how each source is joined (joinStage), and `rowsBefore` gives it the rows
 * expected before each source by the real counts. `seen` is `pool` with the comparisons SQLite's
 * column equivalences imply (planner/equivalences.ts), which its costs see.
 */
function sqliteOrder(
  sources: readonly JoinSource[],
  prefix: number,
  pool: readonly Conjunct[],
  seen: readonly Conjunct[],
  scope: Scope,
  isOuter: (s: number) => boolean,
): { order: number[]; rowsBefore: Map<number, number> } {
  // Paths chosen for the rows SQLite supposes (sqliteStep).
  const planned = sources.map((src) =>
    src.derived === undefined && src.stats.measured !== true ? { ...src, stats: { rows: 2 ** 20 } } : src,
  )
  let level: PartialOrder[] = [{ order: [], bound: new Set(), rCost: 0, nRow: 0 }]
  for (let step = 0; step < prefix; step++) {
    const next = new Map<string, PartialOrder>()
    for (const path of level) {
      for (let s = 0; s < prefix; s++) {
        if (path.bound.has(s) || !mayComeNext(sources, s, path.bound)) continue
        const end = sqliteStep(planned[s]!, s, step === 0 ? undefined : path, seen, path.bound, scope, isOuter)
        const bound = new Set(path.bound).add(s)
        const grown: PartialOrder = { order: [...path.order, s], bound, ...end }
        const key = [...bound].sort((x, y) => x - y).join(',')
        const held = next.get(key)
        if (held === undefined || cheaper(grown, held)) next.set(key, grown)
      }
    }
    // In the order found (the next step extends them in that order), the costliest dropped.
    level = [...next.values()]
    while (level.length > PATHS_KEPT) {
      let worst = 0
      for (let i = 1; i < level.length; i++) if (!cheaper(level[i]!, level[worst]!)) worst = i
      level.splice(worst, 1)
    }
  }
  const order = [...level[0]!.order]
  const rowsBefore = new Map<number, number>()
  const before = new Set<number>()
  let real = 1
  for (const s of order) {
    rowsBefore.set(s, real)
    const choice = joinCost(sources[s]!, s, before.size === 0 ? undefined : real, pool, before, scope, isOuter)
    before.add(s)
    real = Math.max(1, choice.rows)
  }
  return { order, rowsBefore }
}

/** Whether partial order `a` is cheaper than `b` as SQLite's path solver compares them: by cost, then by rows. */
function cheaper(a: PathEnd, b: PathEnd): boolean {
  return a.rCost < b.rCost || (a.rCost === b.rCost && a.nRow < b.nRow)
}

/**
 * Whether source `s` may be read next, after those in `bound`. A source written after an explicit
 * `cross join` (its right operand or any later one) comes after every source written before that
 * cross join, as in SQLite, where a CROSS JOIN is how a query fixes the nesting of its loops ("the
 * left operand is always the outer loop"; where.c, whereLoopAddAll: a CROSS JOIN adds the tables
 * before it to the prerequisites of every table from there on, `mPrereq |= mPrior`). The loop
 * order, the order of the rows and the order in which aggregates meet them (a total() of reals
 * rounds as SQLite's does only when its rows come in SQLite's order) then follow the writer's.
 * Tables listed in `from` (SQLite's comma joins) and inner joins are otherwise reordered freely.
 */
function mayComeNext(sources: readonly JoinSource[], s: number, bound: ReadonlySet<number>): boolean {
  const after = sources[s]!.after
  if (after !== undefined) for (const i of after) if (!bound.has(i)) return false
  let cross = s
  while (cross > 0 && !sources[cross]!.fixed) cross--
  for (let i = 0; i < cross; i++) if (!bound.has(i)) return false
  return true
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

/** How far a partial join order has come, as SQLite's path solver keeps it (LogEst). */
interface PathEnd {
  readonly rCost: number
  readonly nRow: number
}

/**
 * The cheapest way SQLite's wherePathSolver would extend a partial order that has read `bound`
 * (`from`: its cost and rows; undefined for the first source) with source `s`: each loop
 * whereLoopAddBtree makes of it (planner/sqlite-costs.ts), a full scan, its cheapest path by the
 * conditions on it alone, a seek with the values of the sources before it, an automatic index
 * (not for an outer loop expected to run less than 1.25 times), costed as
 * `rCost = setup + rRun × rows before + the cost before` and ranked by cost, then rows.
 */
function sqliteStep(
  src: JoinSource,
  s: number,
  from: PathEnd | undefined,
  pool: readonly Conjunct[],
  bound: ReadonlySet<number>,
  scope: Scope,
  isOuter: (s: number) => boolean,
): PathEnd {
  const measured = src.stats.measured === true
  const rSize = src.derived !== undefined ? logEst(DERIVED_ROWS) : measured ? logEst(src.stats.rows) : UNMEASURED
  const knownHere = (i: number): boolean => isOuter(i) || bound.has(i)
  const relevant = pool.filter(
    (c) => c.sources !== undefined && c.sources.has(s) && [...c.sources].every((i) => i === s || bound.has(i)),
  )
  const conds = relevant.map((c) => c.node)
  const written = relevant.filter((c) => c.implied !== true)
  // The conditions whose tables a loop knows (its own and those its seek reads) filter its rows.
  const adjusted = (loop: SqliteLoop, path: AccessPath | undefined): SqliteLoop => {
    const knows = (i: number): boolean => i === s || path?.needs.has(i) === true
    const unanswered = written
      .filter((c) => [...c.sources!].every(knows) && path?.consumed.has(c.node) !== true)
      .map((c) => c.node)
    return { ...loop, nOut: outputAdjust(loop.nOut, rSize, unanswered) }
  }
  const loops: SqliteLoop[] = []
  if (src.derived !== undefined) loops.push(adjusted({ rRun: rSize + 16, nOut: rSize, rSetup: 0 }, undefined))
  else {
    const scan = bestPath(src, s, [], scope, isOuter)
    loops.push(adjusted(sqliteLoop(scan, rSize, src.reads, measured), scan))
    const alone = bestPath(src, s, conds, scope, isOuter)
    if (alone !== scan) loops.push(adjusted(sqliteLoop(alone, rSize, src.reads, measured), alone))
    const lookup = bestPath(src, s, conds, scope, knownHere)
    if ([...lookup.needs].some((i) => bound.has(i)))
      loops.push(adjusted(sqliteLoop(lookup, rSize, src.reads, measured), lookup))
  }
  if (
    from !== undefined &&
    from.nRow >= 3 &&
    drivesAutomaticIndex(
      src,
      s,
      written.map((c) => c.node),
      scope,
      knownHere,
    )
  )
    loops.push(automaticIndexLoop(rSize, src.derived !== undefined))
  let best: PathEnd | undefined
  for (const loop of loops) {
    let rUnsort = loop.rRun + (from?.nRow ?? 0)
    if (loop.rSetup > 0) rUnsort = logEstAdd(loop.rSetup, rUnsort)
    const end = { rCost: logEstAdd(rUnsort, from?.rCost ?? 0), nRow: (from?.nRow ?? 0) + loop.nOut }
    if (best === undefined || end.rCost < best.rCost || (end.rCost === best.rCost && end.nRow < best.nRow)) best = end
  }
  return best!
}

/**
 * Whether SQLite would consider an automatic index on source `s` (where.c: termCanDriveIndex): an
 * equality between one of its columns, not its rowid, and a value known before it, the tables
 * read before or a constant.
 */
function drivesAutomaticIndex(
  src: JoinSource,
  s: number,
  conds: readonly AnyNode[],
  scope: Scope,
  known: (source: number) => boolean,
): boolean {
  if (src.derived !== undefined) return hasEquality(conds, s, scope, known)
  const rowid = src.table.rowidColumn
  return termsFor(conds, s, scope).some(
    (t) => t.op === 'eq' && t.values.length === 1 && t.column !== rowid && [...t.needs].every(known),
  )
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
    const lookup = bestPath(src, s, match, scope, known)
    // A seek per outer row only pays when it reads the outer row (else one read serves them all).
    const usesOuter = [...lookup.needs].some((i) => i < scope.sources.length)
    // Against a hash join: one read of the table through its own path, then a probe per outer row.
    const alone = bestPath(src, s, match, scope, (i) => i >= scope.sources.length)
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
  const rowsOf = sourceRows(src, s, localConds, scope)
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
  return matchStage({ ...base, strategy, keyColumns }, parts(NOTHING), rowsOf, eqs.length > 0 ? eqs : undefined)
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

/** A source's rows read once per run, through its cheapest path with the conditions on it alone. */
function sourceRows(src: JoinSource, s: number, local: readonly AnyNode[], scope: Scope): RowsOf {
  if (src.derived !== undefined) return src.derived
  const outer = (i: number): boolean => i >= scope.sources.length
  const path = bestPath(src, s, local, scope, outer)
  const filters = local.filter((c) => !path.consumed.has(c)).map((c) => compileExpr(c, scope))
  return (tx: ReadTransaction, template: Tuple): RowLike[] => {
    const rows: RowLike[] = []
    const scratch = template.slice()
    readPath(tx, path, template, (_, row) => {
      scratch[s] = row
      if (passesAll(filters, scratch)) rows.push(row)
    })
    return rows
  }
}
