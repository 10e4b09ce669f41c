import type { OperationNode } from 'kysely'
import { indexColumns } from '../catalog/index-columns.js'
import type { AnyNode } from '../expression/nodes.js'
import type { Scope } from '../expression/scope.js'
import type { AccessPath } from '../planner/access-path.js'
import { equivalentComparisons, propagatedConstants } from '../planner/equivalences.js'
import {
  automaticIndexLoop,
  logEst,
  logEstAdd,
  outputAdjust,
  sqliteLoop,
  UNMEASURED,
  UNMEASURED_ROWS,
  type SqliteLoop,
} from '../planner/sqlite-costs.js'
import { comparison, tryCompile } from '../planner/terms.js'
import { hasEquality } from './join.js'
import { bestPath, DERIVED_ROWS, onConjuncts, termsFor, type Conjunct, type JoinSource } from './source-paths.js'

/** Partial join orders kept at each step of the search (SQLite's wherePathSolver keeps 5 to 18). */
const PATHS_KEPT = 64

/** A partial join order: the sources read so far, in order, and SQLite's cost and rows of it. */
interface PartialOrder extends PathEnd {
  readonly order: readonly number[]
  readonly bound: ReadonlySet<number>
  /** The sources SQLite reads through an automatic index on this order. */
  readonly automatic: ReadonlySet<number>
}

/** SQLite's join order, and the sources it reads through an automatic index there. */
export interface SqliteOrder {
  readonly order: number[]
  readonly automatic: ReadonlySet<number>
}

/**
 * The join order of the reorderable leading sources (the first `prefix`), found as SQLite's
 * wherePathSolver finds it: orders grown one source at a time, each step costed as SQLite costs
 * it (sqliteStep), the cheapest order kept for each set of sources read (by cost, then rows; a tie
 * keeps the order found first, nearest the written one), and of the complete orders the cheapest.
 *
 * The order is chosen as SQLite chooses it, by the conditions and the keys and indexes they use:
 * every stored table is supposed to hold 2^20 rows, as SQLite supposes of a table no ANALYZE has
 * measured (TableStats.measured: once one has, the real counts), and the conditions are seen as
 * SQLite's planner sees them: rewritten by its constant propagation (the original still lets a
 * read seek a key, without filtering; not past a right or full join, `nullsBefore`), with the
 * comparisons its column equivalences imply (planner/equivalences.ts). The loop order decides the
 * order of the rows, and so the order in which an aggregate such as total() of reals meets them;
 * the row counts still choose how each source is joined (join-order.ts). `conj` makes a Conjunct
 * of a condition.
 */
export function sqliteOrder(
  sources: readonly JoinSource[],
  prefix: number,
  pool: readonly Conjunct[],
  conj: (node: AnyNode) => Conjunct,
  nullsBefore: boolean,
  leftJoined: ReadonlySet<number>,
  scope: Scope,
  isOuter: (s: number) => boolean,
): SqliteOrder {
  const rewritten = nullsBefore
    ? new Map<AnyNode, AnyNode>()
    : propagatedConstants(
        pool.map((c) => c.node),
        scope,
      )
  const propagated = pool.flatMap((c) => {
    const next = rewritten.get(c.node)
    return next === undefined ? [c] : [{ ...c, implied: true }, conj(next)]
  })
  const implied = equivalentComparisons(
    propagated.filter((c) => c.implied !== true).map((c) => c.node),
    scope,
  ).map((c) => ({ ...conj(c.node), implied: true, ...(c.seeks === undefined ? {} : { seeks: c.seeks }) }))
  // A left-joined source is read by its on clause alone (where.c: constraintCompatibleWithOuterJoin).
  const leftOn = sources.map((src, s) =>
    leftJoined.has(s) ? onConjuncts(src.join).map((c) => ({ ...conj(c), seeks: s, outerOn: true })) : [],
  )
  const seen = [...propagated, ...implied, ...isEqualities(pool, conj, scope), ...leftOn.flat()]
  // Paths chosen for the rows SQLite supposes (sqliteStep).
  const planned = sources.map((src) =>
    src.derived === undefined && src.stats.measured !== true ? { ...src, stats: { rows: UNMEASURED_ROWS } } : src,
  )
  const prereqs = sources.map((_, s) => prerequisites(sources, s, leftJoined))
  let level: PartialOrder[] = [{ order: [], bound: new Set(), automatic: new Set(), rCost: 0, nRow: 0 }]
  for (let step = 0; step < prefix; step++) {
    const next = new Map<string, PartialOrder>()
    for (const path of level) {
      for (let s = 0; s < prefix; s++) {
        const prereq = prereqs[s]!
        if (path.bound.has(s) || !mayComeNext(sources[s]!, prereq, path.bound)) continue
        const from = step === 0 ? undefined : path
        const left = leftJoined.has(s)
        const end = sqliteStep(planned[s]!, s, from, prereq, left, seen, path.bound, scope, isOuter)
        const bound = new Set(path.bound).add(s)
        const automatic = end.automatic ? new Set(path.automatic).add(s) : path.automatic
        const grown: PartialOrder = { order: [...path.order, s], bound, automatic, rCost: end.rCost, nRow: end.nRow }
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
  return { order: [...level[0]!.order], automatic: level[0]!.automatic }
}

/**
 * `x is v` with v a value not null (as bound now) seeks x as `x = v` in SQLite's plans (WO_IS): the
 * equality, seen by the join order alone (implied: the written `is` still filters, and the
 * dialect's own reads do not seek by it, since a later run may bind null).
 */
function isEqualities(pool: readonly Conjunct[], conj: (node: AnyNode) => Conjunct, scope: Scope): Conjunct[] {
  const out: Conjunct[] = []
  for (const c of pool) {
    const n = c.node
    if (n.kind !== 'BinaryOperationNode' || ((n.operator as AnyNode).operator as string).toLowerCase() !== 'is')
      continue
    const value = [n.rightOperand, n.leftOperand]
      .map((side) => tryCompile(side as OperationNode, scope))
      .find((e) => e?.constant === true)
    if (value === undefined || value.eval([]) === null) continue
    out.push({ ...conj(comparison(n.leftOperand, '=', n.rightOperand)), implied: true })
  }
  return out
}

/** Whether partial order `a` is cheaper than `b` as SQLite's path solver compares them: by cost, then by rows. */
function cheaper(a: PathEnd, b: PathEnd): boolean {
  return a.rCost < b.rCost || (a.rCost === b.rCost && a.nRow < b.nRow)
}

/**
 * Whether a source may be read next, after those in `bound`: after the sources it must follow
 * (prerequisites), and after those a table-valued function's arguments read.
 */
function mayComeNext(src: JoinSource, prereq: ReadonlySet<number>, bound: ReadonlySet<number>): boolean {
  if (src.after !== undefined) for (const i of src.after) if (!bound.has(i)) return false
  for (const i of prereq) if (!bound.has(i)) return false
  return true
}

/**
 * The sources source `s` must follow, as where.c's whereLoopAddAll makes them (mPrereq): a
 * left-joined source follows every source written before it; any other source follows every
 * source written before the last explicit `cross join` at or before it. A CROSS JOIN is how a
 * SQLite query fixes the nesting of its loops ("the left operand is always the outer loop"): it
 * holds back every table written after it, where a left join holds back only its own table, as
 * SQLite 3.53's plans show. The loop order, the order of the rows and the order in which
 * aggregates meet them (a total() of reals rounds as SQLite's does only when its rows come in
 * SQLite's order) then follow the writer's. Tables listed in `from` (SQLite's comma joins) and
 * inner joins are otherwise reordered freely.
 */
function prerequisites(sources: readonly JoinSource[], s: number, leftJoined: ReadonlySet<number>): Set<number> {
  let cross = s
  while (cross > 0 && !sources[cross]!.fixed) cross--
  const before = leftJoined.has(s) ? s : cross
  return new Set(Array.from({ length: before }, (_, i) => i))
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
  prereq: ReadonlySet<number>,
  left: boolean,
  pool: readonly Conjunct[],
  bound: ReadonlySet<number>,
  scope: Scope,
  isOuter: (s: number) => boolean,
): PathEnd & { readonly automatic: boolean } {
  const measured = src.stats.measured === true
  const rSize = src.derived !== undefined ? logEst(DERIVED_ROWS) : measured ? logEst(src.stats.rows) : UNMEASURED
  const knownHere = (i: number): boolean => isOuter(i) || bound.has(i)
  const relevant = pool.filter(
    (c) =>
      c.sources !== undefined &&
      c.sources.has(s) &&
      [...c.sources].every((i) => i === s || bound.has(i)) &&
      (c.seeks === undefined || c.seeks === s) &&
      (c.outerOn === true) === left,
  )
  const conds = relevant.map((c) => c.node)
  const written = relevant.filter((c) => c.implied !== true)
  // The conditions whose tables a loop knows (its own, those its seek reads, those a cross join
  // puts before it) filter its rows.
  const adjusted = (loop: SqliteLoop, path: AccessPath | undefined): SqliteLoop => {
    const knows = (i: number): boolean => i === s || prereq.has(i) || path?.needs.has(i) === true
    const unanswered = written
      .filter((c) => [...c.sources!].every(knows) && path?.consumed.has(c.node) !== true)
      .map((c) => c.node)
    return { ...loop, nOut: outputAdjust(loop.nOut, rSize, unanswered) }
  }
  const loops: SqliteLoop[] = []
  let automatic: SqliteLoop | undefined
  if (src.derived !== undefined) loops.push(adjusted({ rRun: rSize + 16, nOut: rSize, rSetup: 0 }, undefined))
  else {
    const scan = bestPath(src, s, [], scope, isOuter)
    loops.push(adjusted(sqliteLoop(scan, rSize, src.reads, measured), scan))
    // The best path by the conditions on it alone, SQLite's MULTI-INDEX OR (whereLoopAddOr) among
    // them where SQLite's costs prefer it (access-path.ts: orPath, sqlite-costs.ts: prefersOr).
    const alone = bestPath(src, s, conds, scope, isOuter, true)
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
    loops.push((automatic = automaticIndexLoop(rSize, src.derived !== undefined)))
  let best: (PathEnd & { automatic: boolean }) | undefined
  for (const loop of loops) {
    let rUnsort = loop.rRun + (from?.nRow ?? 0)
    if (loop.rSetup > 0) rUnsort = logEstAdd(loop.rSetup, rUnsort)
    const end = {
      rCost: logEstAdd(rUnsort, from?.rCost ?? 0),
      nRow: (from?.nRow ?? 0) + loop.nOut,
      automatic: loop === automatic,
    }
    if (best === undefined || cheaper(end, best)) best = end
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
    (t) =>
      t.op === 'eq' &&
      t.values.length === 1 &&
      t.column !== rowid &&
      [...t.needs].every(known) &&
      goodIndexCandidate(src, t.column),
  )
}

/**
 * where.c's columnIsGoodIndexCandidate: SQLite builds no automatic index on a column that leads an
 * index of its table, whatever that index's collation (one that cannot serve the join's equality,
 * `create index i on t2 (y collate nocase)` under a BINARY `t2.y = t1.e`, still keeps it from
 * t2: SQLite reads t2 first and builds its automatic index on t1), nor on one of an index whose
 * rows per key, measured by an ANALYZE, are more than 4 (LogEst 20) up to it.
 */
function goodIndexCandidate(src: JoinSource, column: string): boolean {
  const table = src.table
  // An index's parts that name a column, under a COLLATE too (`y collate nocase` is column y's).
  const keys = table.indexes.map((ix) => ({ columns: indexColumns(ix) ?? [], perKey: ix.rowsPerKey }))
  // A primary key that is not the rowid is an index of SQLite's (WITHOUT ROWID: the table's own).
  if (table.keying === 'key') keys.push({ columns: table.primaryKey, perKey: undefined })
  for (const k of keys) {
    const j = k.columns.indexOf(column)
    if (j === 0) return false
    if (j > 0 && src.stats.measured === true && k.perKey?.[j] !== undefined && logEst(k.perKey[j]) > 20) return false
  }
  return true
}
