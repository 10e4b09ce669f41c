import type { OperationNode } from 'kysely'
import { comparisonFold, folded, type Fold } from '../expression/collation.js'
import { isRowValue } from '../expression/row-values.js'
import type { ReadTransaction } from 'btree-store'
import { applyComparisonAffinity, comparisonAffinity, type Affinity } from '../catalog/affinity.js'
import { unsupported } from '../errors.js'
import { compareValues, truth, type SqlValue } from '../encoding/values.js'
import { compileExpr, type Expr } from '../expression/expression.js'
import type { AnyNode } from '../expression/nodes.js'
import type { RowLike, Scope, Tuple } from '../expression/scope.js'
import { ValueBuckets, valueKey } from '../expression/value-key.js'
import type { AccessPath } from '../planner/access-path.js'
import type { JoinPlan } from '../planner/plan.js'
import { referencedSources, type Term } from '../planner/terms.js'
import { PathReader } from './row-source.js'

/** The row a left (right, full) join pairs with when nothing matches: every column null. */
export const NULL_ROW: RowLike = { get: () => null, rowid: () => null }

const JOIN_TYPES: Record<string, JoinPlan['type'] | undefined> = {
  InnerJoin: 'inner',
  LeftJoin: 'left',
  RightJoin: 'right',
  FullJoin: 'full',
  CrossJoin: 'cross',
}

/** The join's type, or BTREE_SQL_UNSUPPORTED naming it (lateral joins, using, apply). */
export function joinType(join: AnyNode): JoinPlan['type'] {
  const type = JOIN_TYPES[join.joinType as string]
  if (type === undefined) throw unsupported(`${join.joinType as string} (JoinNode)`)
  return type
}

/** One join step: extends each tuple of the tables before it with the matching rows of one table. */
export interface JoinStage {
  readonly plan: JoinPlan
  /**
   * `template` is a full-width tuple of null rows followed by the rows of the queries around this
   * one (subqueries); joined tuples are copies of it with the sources filled in. `transient`: the
   * sink keeps nothing of a tuple it is given, so one tuple (and one row view) serves every pair.
   */
  run(tx: ReadTransaction, outer: readonly Tuple[], template: Tuple, sink: (t: Tuple) => void, transient: boolean): void
}

/** Reads the rows of a source once per statement run (a table's cheapest read, or a derived table's rows). */
/** A derived table's rows for a join stage; `stopAfter`: no more are read (a limit the caller applies as is). */
export type RowsOf = (tx: ReadTransaction, template: Tuple, stopAfter?: number) => RowLike[]

function withRow(t: Tuple, s: number, row: RowLike): Tuple {
  const joined = t.slice()
  joined[s] = row
  return joined
}

/**
 * Pairs of one outer tuple with rows of source `s`: fresh copies, or (transient) one tuple
 * reused for every pair of the outer tuple.
 */
function pairing(s: number, transient: boolean): (t: Tuple, row: RowLike) => Tuple {
  if (!transient) return (t, row) => withRow(t, s, row)
  let outer: Tuple | undefined
  let scratch: RowLike[] = []
  return (t, row) => {
    if (t !== outer) {
      outer = t
      scratch = t.slice()
    }
    scratch[s] = row
    return scratch
  }
}

export interface Equality {
  inner: Expr
  outer: Expr
  affinity: Affinity | undefined
  /** The comparison's collation (a COLLATE on either side): values hash as their folds. */
  fold: Fold | undefined
}

/**
 * Equalities among `conds` between an expression of source `s` alone and one of the sources
 * `known` (the tables before it, the queries around).
 */
export function equalities(
  conds: readonly AnyNode[],
  s: number,
  scope: Scope,
  known: (source: number) => boolean,
): Equality[] {
  const out: Equality[] = []
  for (const c of conds) {
    const sides = equalitySides(c, s, scope, known)
    if (sides === undefined) continue
    const inner = compileExpr(sides[0], scope)
    const outer = compileExpr(sides[1], scope)
    // The collation of `left = right` as written (the left operand's COLLATE first).
    const fold = sides[0] === c.leftOperand ? comparisonFold(inner, outer) : comparisonFold(outer, inner)
    out.push({ inner, outer, affinity: comparisonAffinity(inner.affinity, outer.affinity), fold })
  }
  return out
}

/** Whether `conds` hold such an equality (without compiling it: the join order asks often). */
export function hasEquality(
  conds: readonly AnyNode[],
  s: number,
  scope: Scope,
  known: (source: number) => boolean,
): boolean {
  return conds.some((c) => equalitySides(c, s, scope, known) !== undefined)
}

/** The inner and outer operands of `c` when it is such an equality. */
function equalitySides(
  c: AnyNode,
  s: number,
  scope: Scope,
  known: (source: number) => boolean,
): [OperationNode, OperationNode] | undefined {
  if (c.kind !== 'BinaryOperationNode') return undefined
  const op = ((c.operator as AnyNode).operator as string).toLowerCase()
  if (op !== '=' && op !== '==') return undefined
  // A row-value equality is a filter (row-values.ts); its pairs' index terms come from planner/terms.ts.
  if (isRowValue(c.leftOperand as OperationNode) || isRowValue(c.rightOperand as OperationNode)) return undefined
  const sides = [c.leftOperand, c.rightOperand].map((x) => ({
    node: x as OperationNode,
    sources: referencedSources(x, scope),
  }))
  if (sides.some((x) => x.sources === undefined)) return undefined
  const innerAt = sides.findIndex((x) => x.sources!.size === 1 && x.sources!.has(s))
  if (innerAt < 0) return undefined
  const other = sides[1 - innerAt]!
  // The other side reads the tables before this one only: `c.id = c.b_id` compares two columns of
  // the inner row, a filter, never a key to match the outer rows by.
  if (other.sources!.size === 0 || other.sources!.has(s) || [...other.sources!].some((i) => !known(i))) return undefined
  return [sides[innerAt]!.node, other.node]
}

/** Conditions compiled once; a tuple passes when each is true. */
export function passesAll(filters: readonly Expr[], t: Tuple): boolean {
  for (const f of filters) if (truth(f.eval(t)) !== true) return false
  return true
}

/** What every stage needs: the source it fills, the join type, and the conditions a pair must meet. */
export interface StageParts {
  readonly s: number
  readonly type: JoinPlan['type']
  /** The pair's conditions: the on clause of an outer join, the conjuncts placed here for an inner one. */
  readonly match: readonly Expr[]
  /** Where-clause conjuncts that can run once the stage is done (after null rows are added). */
  readonly after: readonly Expr[]
}

/** The stage's output: joined tuples that pass the where conjuncts placed after it. */
function output(parts: StageParts, sink: (t: Tuple) => void): (t: Tuple) => void {
  const after = parts.after
  return after.length === 0 ? sink : (t) => void (passesAll(after, t) && sink(t))
}

/**
 * A table-valued function of the tables before it (`pragma_table_info(t.name)`): its rows made for
 * each outer tuple, which its arguments read (inner and left joins).
 */
export function lateralStage(plan: JoinPlan, parts: StageParts, rowsOf: RowsOf): JoinStage {
  return {
    plan,
    run(tx, outer, _template, sink, transient) {
      const out = output(parts, sink)
      const pair = pairing(parts.s, transient)
      for (const t of outer) {
        let any = false
        for (const row of rowsOf(tx, t)) {
          const joined = pair(t, row)
          if (!passesAll(parts.match, joined)) continue
          any = true
          out(joined)
        }
        if (!any && parts.type === 'left') out(t)
      }
    },
  }
}

/**
 * Index nested loop: for each outer tuple, a seek in the source's primary key or one of its
 * indexes with the outer values (inner and left joins).
 */
export function lookupStage(plan: JoinPlan, parts: StageParts, path: AccessPath): JoinStage {
  return {
    plan,
    run(tx, outer, _template, sink, transient) {
      const out = output(parts, sink)
      const reader = new PathReader(tx, path, transient ? 'transient' : 'select')
      const pair = pairing(parts.s, transient)
      for (const t of outer) {
        let any = false
        reader.read(t, (_, row) => {
          const joined = pair(t, row)
          if (!passesAll(parts.match, joined)) return
          any = true
          out(joined)
        })
        if (!any && parts.type === 'left') out(t)
      }
    },
  }
}

/**
 * Hash join (with equalities) or nested loop (without): the joined source is read once per run
 * (`rowsOf`, through its own cheapest access path), pairs are proposed from the hash table or by
 * trying every row. Right and full joins add the rows nothing matched.
 */
export function matchStage(
  plan: JoinPlan,
  parts: StageParts,
  rowsOf: RowsOf,
  eqs: readonly Equality[] | undefined,
  /** The slots a key's rows are ordered by, then their read order (join-order.ts: automaticIndexOrder). */
  sorted?: readonly number[],
): JoinStage {
  return {
    plan,
    run(tx, outer, template, sink, transient) {
      const rows = rowsOf(tx, template)
      const pair = pairing(parts.s, transient)
      let index: ValueBuckets<number> | undefined
      if (eqs !== undefined) {
        index = new ValueBuckets()
        const scratch = template.slice()
        rows.forEach((row, i) => {
          scratch[parts.s] = row
          const key = hashKey(eqs, (e) => e.inner.eval(scratch))
          if (key !== undefined) index!.add(key, i)
        })
        if (sorted !== undefined && sorted.length > 0) index.forEachList((list) => sortRows(list, rows, sorted))
      }
      const matched = parts.type === 'right' || parts.type === 'full' ? new Uint8Array(rows.length) : undefined
      const out = output(parts, sink)
      const all = rows.map((_, i) => i)
      for (const t of outer) {
        let candidates: readonly number[] = all
        if (index !== undefined) {
          const key = hashKey(eqs!, (e) => e.outer.eval(t))
          candidates = key === undefined ? [] : (index.get(key) ?? [])
        }
        let any = false
        for (const i of candidates) {
          const joined = pair(t, rows[i]!)
          if (!passesAll(parts.match, joined)) continue
          any = true
          if (matched !== undefined) matched[i] = 1
          out(joined)
        }
        if (!any && (parts.type === 'left' || parts.type === 'full')) out(t)
      }
      if (matched !== undefined) {
        rows.forEach((row, i) => {
          if (matched[i] === 0) out(withRow(template, parts.s, row))
        })
      }
    },
  }
}

/** Sorts row numbers by the rows' values in `slots` (BINARY), then by number (the read order). */
function sortRows(list: number[], rows: readonly RowLike[], slots: readonly number[]): void {
  if (list.length < 2) return
  list.sort((a, b) => {
    for (const slot of slots) {
      const c = compareValues(rows[a]!.get(slot), rows[b]!.get(slot))
      if (c !== 0) return c
    }
    return a - b
  })
}

/**
 * A hash join's key of a row: one equality's value as the comparison converts and folds it (a
 * ValueBuckets key as it is), several as one string of their valueKeys; undefined when one is null.
 */
function hashKey(eqs: readonly Equality[], read: (e: Equality) => SqlValue): SqlValue | undefined {
  if (eqs.length === 1) {
    const e = eqs[0]!
    const v = applyComparisonAffinity(read(e), e.affinity)
    return v === null ? undefined : folded(v, e.fold)
  }
  let key = ''
  for (const e of eqs) {
    const v = applyComparisonAffinity(read(e), e.affinity)
    if (v === null) return undefined
    key += valueKey(folded(v, e.fold)) + '\u0000'
  }
  return key
}

/** A range join's bounds on one column of the source (terms over the rows before it). */
export interface SortedRange {
  readonly column: string
  readonly slot: number
  readonly lower: Term | undefined
  readonly upper: Term | undefined
}

/** The first index in `sorted` whose value is >= `v` (`after`: > `v`). O(log n). */
function boundIndex(sorted: readonly { v: SqlValue }[], v: SqlValue, after: boolean): number {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    const c = compareValues(sorted[mid]!.v, v)
    if (c < 0 || (after && c === 0)) lo = mid + 1
    else hi = mid
  }
  return lo
}

/**
 * A join on a range between the two sides (`b.x < a.y`) without an index for it: the source's rows
 * sorted once by the column (nulls left out: no comparison holds for them; the comparison's
 * affinity leaves stored values as they are, planner/terms.ts), then a binary search per outer
 * row for its bounds, instead of trying every pair. Inner and left joins. The rows an outer row
 * matches come in the order the source was read, as a nested loop gives them and as SQLite's
 * does (a range cannot drive its automatic indexes: it scans the table per outer row), not by the
 * column: a total() of reals then meets them in SQLite's order (part2-random seed 2978546986).
 */
export function sortedRangeStage(plan: JoinPlan, parts: StageParts, rowsOf: RowsOf, range: SortedRange): JoinStage {
  const bound = (t: Tuple, term: Term): SqlValue =>
    applyComparisonAffinity(term.values[0]!.expr.eval(t), term.values[0]!.affinity)
  return {
    plan,
    run(tx, outer, template, sink, transient) {
      const out = output(parts, sink)
      const pair = pairing(parts.s, transient)
      const sorted: { v: SqlValue; row: RowLike; at: number }[] = []
      let at = 0
      for (const row of rowsOf(tx, template)) {
        const v = row.get(range.slot)
        if (v !== null) sorted.push({ v, row, at })
        at++
      }
      sorted.sort((a, b) => compareValues(a.v, b.v))
      const hits: { row: RowLike; at: number }[] = []
      for (const t of outer) {
        const lower = range.lower === undefined ? undefined : bound(t, range.lower)
        const upper = range.upper === undefined ? undefined : bound(t, range.upper)
        let any = false
        if (lower !== null && upper !== null) {
          const from = lower === undefined ? 0 : boundIndex(sorted, lower, !range.lower!.inclusive)
          const to = upper === undefined ? sorted.length : boundIndex(sorted, upper, range.upper!.inclusive)
          hits.length = 0
          for (let i = from; i < to; i++) hits.push(sorted[i]!)
          if (hits.length > 1) hits.sort((a, b) => a.at - b.at)
          for (const hit of hits) {
            const joined = pair(t, hit.row)
            if (!passesAll(parts.match, joined)) continue
            any = true
            out(joined)
          }
        }
        if (!any && parts.type === 'left') out(t)
      }
    },
  }
}
