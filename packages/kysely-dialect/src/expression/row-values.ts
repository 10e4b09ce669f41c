import type { OperationNode } from 'kysely'
import { applyComparisonAffinity, comparisonAffinity, type Affinity } from '../catalog/affinity.js'
import { BTreeSqlError } from '../errors.js'
import type { SqlValue } from '../encoding/values.js'
import { collatedCompare, comparisonCollation, foldOf, type Collated } from './collation.js'
import { compileExpr } from './expression.js'
import type { Expr } from './expression.js'
import type { AnyNode } from './nodes.js'
import type { Scope, Tuple } from './scope.js'
import { prepareRowSubquery } from './subquery-hook.js'

/**
 * SQLite's row values (rowvalue.html): `(a, b) = (1, 2)`, `<`, `in (list or select)`, `between`,
 * as Kysely writes `eb(refTuple('a', 'b'), '>', tuple(x, y))` for keyset pagination. Each pair of
 * columns compares as a scalar comparison of the two would (affinity, collation); `=` is the `and`
 * of the pairs' equalities (a false pair wins over a null one), `<` and the like are decided by
 * the first pair that is not equal (a null met first makes them null). A row value anywhere else,
 * or two of different sizes, is SQLite's "row value misused".
 */
export function rowValueMisused(): BTreeSqlError {
  return new BTreeSqlError('BTREE_SQL_UNSUPPORTED', 'row value misused')
}

/** One side of a row-value comparison: a tuple of expressions, or a select's first row. */
interface RowSide {
  readonly width: number
  readonly affinities: readonly (Affinity | undefined)[]
  /** Each column's collations (collation.ts: an explicit one and a column's declared one). */
  readonly collations: readonly Collated[]
  readonly constant: boolean
  values(t: Tuple): SqlValue[]
}

function unparenthesised(node: AnyNode): AnyNode {
  let n = node
  while (n.kind === 'ParensNode') n = n.node as AnyNode
  return n
}

/** Whether `node` is a row value: a TupleNode, in parentheses or not. */
export function isRowValue(node: OperationNode): boolean {
  return unparenthesised(node as AnyNode).kind === 'TupleNode'
}

function tupleSide(node: AnyNode, scope: Scope): RowSide {
  const exprs: Expr[] = (node.values as readonly OperationNode[]).map((v) => {
    if (isRowValue(v)) throw rowValueMisused()
    return compileExpr(v, scope)
  })
  return {
    width: exprs.length,
    affinities: exprs.map((e) => e.affinity),
    collations: exprs,
    constant: exprs.every((e) => e.constant),
    values: (t) => exprs.map((e) => e.eval(t)),
  }
}

/** `(select x, y ...)` as a row value: its first row, all nulls without one. */
function subquerySide(node: AnyNode, scope: Scope): RowSide | undefined {
  const p = prepareRowSubquery(node, scope)
  if (p === undefined) return undefined
  const nulls = new Array<SqlValue>(p.width).fill(null)
  return {
    width: p.width,
    affinities: p.affinities,
    collations: p.collations,
    constant: false,
    values: (t) => p.rows(t, 1)[0] ?? nulls,
  }
}

function sideOf(node: AnyNode, scope: Scope): RowSide {
  const n = unparenthesised(node)
  if (n.kind === 'TupleNode') return tupleSide(n, scope)
  const sub = subquerySide(n, scope)
  if (sub === undefined) throw rowValueMisused()
  return sub
}

/** How each pair of columns compares: the pair's comparison affinity and collation. */
interface Pairs {
  readonly affinities: readonly (Affinity | undefined)[]
  readonly compares: readonly ((a: SqlValue, b: SqlValue) => number)[]
}

/**
 * The pairs of `left` and `right`, same-sized or misused, each under its comparison's collation
 * (collation.ts: comparisonCollation): SQLite compares a row value's columns pair by pair as `=`
 * does, in an `in` list or `in (select ...)` too (`('b', 1) in (('B' collate nocase, 1))` is true).
 */
function pairsOf(left: RowSide, right: RowSide): Pairs {
  if (left.width !== right.width) throw rowValueMisused()
  const affinities: (Affinity | undefined)[] = []
  const compares: ((a: SqlValue, b: SqlValue) => number)[] = []
  for (let i = 0; i < left.width; i++) {
    affinities.push(comparisonAffinity(left.affinities[i], right.affinities[i]))
    compares.push(collatedCompare(foldOf(comparisonCollation(left.collations[i]!, right.collations[i]!))))
  }
  return { affinities, compares }
}

/** `a = b` of two rows: 0 when a pair differs, else null when a pair holds a null, else 1. */
function equalRows(a: readonly SqlValue[], b: readonly SqlValue[], pairs: Pairs): 0 | 1 | null {
  let sawNull = false
  for (let i = 0; i < a.length; i++) {
    const x = applyComparisonAffinity(a[i]!, pairs.affinities[i])
    const y = applyComparisonAffinity(b[i]!, pairs.affinities[i])
    if (x === null || y === null) sawNull = true
    else if (pairs.compares[i]!(x, y) !== 0) return 0
  }
  return sawNull ? null : 1
}

/** `a is b` of two rows: every pair the same, nulls equal to nulls. */
function sameRows(a: readonly SqlValue[], b: readonly SqlValue[], pairs: Pairs): boolean {
  for (let i = 0; i < a.length; i++) {
    const x = applyComparisonAffinity(a[i]!, pairs.affinities[i])
    const y = applyComparisonAffinity(b[i]!, pairs.affinities[i])
    if (x === null || y === null ? x !== y : pairs.compares[i]!(x, y) !== 0) return false
  }
  return true
}

/** The order of two rows by their first unequal pair (0: all equal); null when a null comes first. */
function orderRows(a: readonly SqlValue[], b: readonly SqlValue[], pairs: Pairs): number | null {
  for (let i = 0; i < a.length; i++) {
    const x = applyComparisonAffinity(a[i]!, pairs.affinities[i])
    const y = applyComparisonAffinity(b[i]!, pairs.affinities[i])
    if (x === null || y === null) return null
    const c = pairs.compares[i]!(x, y)
    if (c !== 0) return c
  }
  return 0
}

const ORDERS: Record<string, (c: number) => boolean> = {
  '<': (c) => c < 0,
  '<=': (c) => c <= 0,
  '>': (c) => c > 0,
  '>=': (c) => c >= 0,
}

function truthValue(v: boolean | null): SqlValue {
  return v === null ? null : v ? 1 : 0
}

/**
 * `left op right` when either operand is a row value (`in` and `between` when the left one is);
 * undefined when none is, for the scalar comparison.
 */
export function compileRowComparison(
  op: string,
  leftNode: AnyNode,
  rightNode: AnyNode,
  scope: Scope,
): Expr | undefined {
  const left = unparenthesised(leftNode)
  const right = unparenthesised(rightNode)
  if (op === 'in' || op === 'not in') {
    return left.kind === 'TupleNode' ? rowIn(tupleSide(left, scope), right, scope, op === 'not in') : undefined
  }
  if (op === 'between' || op === 'not between') {
    return left.kind === 'TupleNode'
      ? rowBetween(tupleSide(left, scope), right, scope, op === 'not between')
      : undefined
  }
  if (left.kind !== 'TupleNode' && right.kind !== 'TupleNode') return undefined
  const a = sideOf(left, scope)
  const b = sideOf(right, scope)
  const pairs = pairsOf(a, b)
  const constant = a.constant && b.constant
  const order = ORDERS[op]
  let evaluate: (x: SqlValue[], y: SqlValue[]) => SqlValue
  if (order !== undefined) {
    evaluate = (x, y) => {
      const c = orderRows(x, y, pairs)
      return c === null ? null : order(c) ? 1 : 0
    }
  } else if (op === '=' || op === '==' || op === '!=' || op === '<>') {
    const negated = op === '!=' || op === '<>'
    evaluate = (x, y) => {
      const e = equalRows(x, y, pairs)
      return e === null ? null : (e === 1) !== negated ? 1 : 0
    }
  } else if (op === 'is' || op === 'is not') {
    const negated = op === 'is not'
    evaluate = (x, y) => (sameRows(x, y, pairs) !== negated ? 1 : 0)
  } else {
    throw rowValueMisused()
  }
  return { eval: (t) => evaluate(a.values(t), b.values(t)), affinity: undefined, constant }
}

/** `(a, b) in ((1, 2), ...)` or `in (select x, y ...)`: true on an equal row, null when only nulls kept one from being. */
function rowIn(left: RowSide, right: AnyNode, scope: Scope, negated: boolean): Expr {
  let rows: (t: Tuple) => readonly (readonly SqlValue[])[]
  let pairs: Pairs
  let constant = left.constant
  if (right.kind === 'SelectQueryNode') {
    const p = prepareRowSubquery(right, scope)!
    if (p.width !== left.width) {
      throw new BTreeSqlError('BTREE_SQL_UNSUPPORTED', `sub-select returns ${p.width} columns - expected ${left.width}`)
    }
    pairs = pairsOf(left, { ...left, affinities: p.affinities, collations: p.collations })
    rows = (t) => p.rows(t)
    constant = false
  } else if (right.kind === 'ValueListNode') {
    const items = (right.values as readonly AnyNode[]).map((item) => {
      if (!isRowValue(item)) throw rowValueMisused()
      return tupleSide(unparenthesised(item), scope)
    })
    // Each item's pairs could differ in affinity; a list of literals has none, so the left's rules.
    const itemPairs = items.map((item) => pairsOf(left, item))
    constant &&= items.every((i) => i.constant)
    return {
      eval: (t) => {
        if (items.length === 0) return negated ? 1 : 0
        const a = left.values(t)
        let sawNull = false
        for (let i = 0; i < items.length; i++) {
          const e = equalRows(a, items[i]!.values(t), itemPairs[i]!)
          if (e === 1) return negated ? 0 : 1
          if (e === null) sawNull = true
        }
        return sawNull ? null : negated ? 1 : 0
      },
      affinity: undefined,
      constant,
    }
  } else {
    throw rowValueMisused()
  }
  return {
    eval: (t) => {
      const found = rows(t)
      if (found.length === 0) return negated ? 1 : 0
      const a = left.values(t)
      let sawNull = false
      for (const row of found) {
        const e = equalRows(a, row, pairs)
        if (e === 1) return negated ? 0 : 1
        if (e === null) sawNull = true
      }
      return sawNull ? null : negated ? 1 : 0
    },
    affinity: undefined,
    constant,
  }
}

/** `(a, b) between (l1, l2) and (h1, h2)`: `>= lo and <= hi`, with `and`'s nulls. */
function rowBetween(left: RowSide, bounds: AnyNode, scope: Scope, negated: boolean): Expr {
  if (bounds.kind !== 'AndNode') throw rowValueMisused()
  const lo = sideOf(bounds.left as AnyNode, scope)
  const hi = sideOf(bounds.right as AnyNode, scope)
  const pLo = pairsOf(left, lo)
  const pHi = pairsOf(left, hi)
  return {
    eval: (t) => {
      const a = left.values(t)
      const cLo = orderRows(a, lo.values(t), pLo)
      const cHi = orderRows(a, hi.values(t), pHi)
      const geLo = cLo === null ? null : cLo >= 0
      const leHi = cHi === null ? null : cHi <= 0
      const r = geLo === false || leHi === false ? false : geLo === null || leHi === null ? null : true
      return truthValue(r === null ? null : r !== negated)
    },
    affinity: undefined,
    constant: left.constant && lo.constant && hi.constant,
  }
}
