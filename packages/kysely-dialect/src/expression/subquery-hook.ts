import type { Affinity } from '../catalog/affinity.js'
import { applyComparisonAffinity, comparisonAffinity } from '../catalog/affinity.js'
import { BTreeSqlError, unsupported } from '../errors.js'
import type { SqlValue } from '../encoding/values.js'
import { collatedCompare, comparisonFold, exprFold, folded, type Collated } from './collation.js'
import type { Expr } from './expression.js'
import type { AnyNode } from './nodes.js'
import type { Scope, Tuple } from './scope.js'
import { valueKey } from './value-key.js'

/**
 * A select nested in an expression, ready to run for the current outer tuple. Uncorrelated ones
 * run once per statement run (their rows are kept for it); correlated ones run once per outer row.
 */
export interface PreparedSubquery {
  readonly width: number
  /** The affinity of each result column (a column's, or none), as comparisons with `in` read it. */
  readonly affinities: readonly (Affinity | undefined)[]
  /** The explicit collation of each result column (a COLLATE in it), or undefined. */
  readonly collations: readonly Collated[]
  readonly correlated: boolean
  rows(outer: Tuple, limit?: number): SqlValue[][]
}

type SubqueryCompiler = (node: AnyNode, outer: Scope) => PreparedSubquery

/**
 * The executor registers how to prepare a select (select-general.ts); the expression layer sits
 * below it and reaches it only through this hook.
 */
let compiler: SubqueryCompiler | undefined

export function registerSubqueryCompiler(c: SubqueryCompiler): void {
  compiler = c
}

/**
 * The statement run under way: a new object for each run (withStatementRun, called by the
 * executor's withContext). An uncorrelated subquery keeps its rows for one run of its statement,
 * as SQLite materializes it once: a statement compiled once and run many times (the statement
 * cache) reads them afresh at each run.
 */
let run: object = {}

/** Runs `fn` as a statement run of its own (see `run`). */
export function withStatementRun<T>(fn: () => T): T {
  const previous = run
  run = {}
  try {
    return fn()
  } finally {
    run = previous
  }
}

function prepare(node: AnyNode, scope: Scope): PreparedSubquery {
  if (compiler === undefined) throw unsupported('SelectQueryNode in an expression')
  const p = compiler(node, scope)
  if (p.correlated) return p
  let cached: SqlValue[][] | undefined
  let cachedLimit: number | undefined
  let cachedRun: object | undefined
  return {
    ...p,
    rows(outer, limit) {
      if (
        cached === undefined ||
        cachedRun !== run ||
        (cachedLimit !== undefined && (limit === undefined || limit > cachedLimit))
      ) {
        cached = p.rows(outer, limit)
        cachedLimit = limit
        cachedRun = run
      }
      return limit === undefined ? cached : cached.slice(0, limit)
    },
  }
}

/**
 * A select whose rows a row value compares with (row-values.ts): undefined when `node` is no
 * select; prepared as any nested select (uncorrelated ones run once).
 */
export function prepareRowSubquery(node: AnyNode, scope: Scope): PreparedSubquery | undefined {
  const select = selectOf(node)
  return select.kind === 'SelectQueryNode' ? prepare(select, scope) : undefined
}

function selectOf(node: AnyNode): AnyNode {
  if (node.kind === 'ParensNode') return selectOf(node.node as AnyNode)
  return node
}

/** `(select x ...)` as a value: the first row's only column, null without rows. */
export function compileScalarSubquery(node: AnyNode, scope: Scope): Expr {
  const p = prepare(node, scope)
  if (p.width !== 1)
    throw new BTreeSqlError('BTREE_SQL_UNSUPPORTED', `sub-select returns ${p.width} columns - expected 1`)
  return {
    eval: (t) => p.rows(t, 1)[0]?.[0] ?? null,
    affinity: p.affinities[0],
    constant: false,
  }
}

/** `exists (select ...)` and `not exists`. */
export function compileExists(operand: AnyNode, scope: Scope, negated: boolean): Expr {
  const node = selectOf(operand)
  if (node.kind !== 'SelectQueryNode') throw unsupported(`exists over ${node.kind}`)
  const p = prepare(node, scope)
  return { eval: (t) => (p.rows(t, 1).length > 0 !== negated ? 1 : 0), affinity: undefined, constant: false }
}

/**
 * The values of `node` when it is an uncorrelated select of one column (its rows' first values,
 * read once per statement as any uncorrelated select), with the column's affinity, for a seek by
 * `x in (select y ...)` (planner/terms.ts); undefined for anything else.
 */
export function selectValues(
  node: AnyNode,
  scope: Scope,
): { values: (t: Tuple) => SqlValue[]; affinity: Affinity | undefined } | undefined {
  const select = selectOf(node)
  if (select.kind !== 'SelectQueryNode') return undefined
  let p: PreparedSubquery
  try {
    p = prepare(select, scope)
  } catch {
    return undefined
  }
  if (p.correlated || p.width !== 1) return undefined
  return { values: (t) => p.rows(t).map((row) => row[0]!), affinity: p.affinities[0] }
}

/** Rows of an uncorrelated `in (select ...)` past which its values are looked up in a set. */
const HASHED_IN = 8

/** `x in (select y ...)`: as an `in` list, with the affinity of x and y, nulls making it unknown. */
export function compileInSubquery(left: Expr, right: AnyNode, scope: Scope, negated: boolean): Expr | undefined {
  const node = selectOf(right)
  if (node.kind !== 'SelectQueryNode') return undefined
  const p = prepare(node, scope)
  if (p.width !== 1)
    throw new BTreeSqlError('BTREE_SQL_UNSUPPORTED', `sub-select returns ${p.width} columns - expected 1`)
  const affinity = comparisonAffinity(left.affinity, p.affinities[0])
  // A column on the left compares under its own collation (its declared one, BINARY when none, as
  // SQLite does when an index on it serves the IN): `name in (select 'B' collate nocase)` is
  // BINARY; anything else as a comparison with the result column: `'B' in (select name ...)`
  // under name's.
  const fold = left.column !== undefined ? exprFold(left) : comparisonFold(left, p.collations[0] ?? {})
  const compare = collatedCompare(fold)
  // An uncorrelated select's rows, once they are many, as a set of their values' keys (equal
  // under the collation exactly when their keys are: value-key.ts): a probe per outer row instead
  // of a walk of every row.
  let keyed: SqlValue[][] | undefined
  let keys: Set<string> | undefined
  let keyedNull = false
  const keyOf = (v: SqlValue): string => valueKey(folded(v, fold))
  return {
    eval: (t) => {
      const a = applyComparisonAffinity(left.eval(t), affinity)
      const rows = p.rows(t)
      if (rows.length === 0) return negated ? 1 : 0
      if (a === null) return null
      if (!p.correlated && rows.length > HASHED_IN) {
        if (rows !== keyed) {
          keys = new Set()
          keyedNull = false
          for (const row of rows) {
            const b = applyComparisonAffinity(row[0]!, affinity)
            if (b === null) keyedNull = true
            else keys.add(keyOf(b))
          }
          keyed = rows
        }
        if (keys!.has(keyOf(a))) return negated ? 0 : 1
        return keyedNull ? null : negated ? 1 : 0
      }
      let sawNull = false
      for (const row of rows) {
        const b = applyComparisonAffinity(row[0]!, affinity)
        if (b === null) sawNull = true
        else if (compare(a, b) === 0) return negated ? 0 : 1
      }
      return sawNull ? null : negated ? 1 : 0
    },
    affinity: undefined,
    constant: false,
  }
}
