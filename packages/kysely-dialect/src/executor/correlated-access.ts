import type { OperationNode } from 'kysely'
import { comparisonAffinity } from '../catalog/affinity.js'
import { Real, type SqlValue } from '../encoding/values.js'
import { compileExpr, type Expr } from '../expression/expression.js'
import { conjuncts, type AnyNode } from '../expression/nodes.js'
import type { NestedScope } from '../expression/nested-scope.js'
import type { Tuple } from '../expression/scope.js'

const COMPARISONS = new Set(['=', '==', '<', '<=', '>', '>='])

function tryCompile(node: OperationNode, scope: NestedScope): Expr | undefined {
  try {
    return compileExpr(node, scope)
  } catch {
    return undefined
  }
}

/** A value as a ValueNode carries it, such that the compiler reads back the same number or text. */
function jsValue(v: SqlValue): unknown {
  return v instanceof Real ? v.value : v
}

/**
 * For a correlated subquery: the comparisons of its where clause between a column of its first
 * table and a column of an outer query, rebuilt for each outer row with the outer value as a
 * constant, so the planner can turn them into a primary-key point or range read instead of a full
 * scan per outer row. Only comparisons where the constant gets the affinity the outer column would
 * have given are kept (a numeric key column, or text compared with text): the rest would change
 * which rows the comparison finds. The full where clause still filters every row read.
 */
export function correlatedAccessWhere(
  where: AnyNode | undefined,
  scope: NestedScope,
): ((t: Tuple) => AnyNode) | undefined {
  const parts: { left: boolean; keep: AnyNode; outer: Expr; op: AnyNode }[] = []
  for (const c of conjuncts(where)) {
    if (c.kind !== 'BinaryOperationNode') continue
    const op = ((c.operator as AnyNode).operator as string).toLowerCase()
    if (!COMPARISONS.has(op)) continue
    const l = tryCompile(c.leftOperand as OperationNode, scope)
    const r = tryCompile(c.rightOperand as OperationNode, scope)
    if (l?.column === undefined || r?.column === undefined) continue
    const own = scope.sources.length
    const [inner, outer, innerLeft] =
      l.column.source === 0 && r.column.source >= own
        ? [l, r, true]
        : r.column.source === 0 && l.column.source >= own
          ? [r, l, false]
          : []
    if (inner === undefined || outer === undefined) continue
    if (comparisonAffinity(inner.affinity, outer.affinity) !== comparisonAffinity(inner.affinity, undefined)) continue
    parts.push({
      left: innerLeft!,
      keep: (innerLeft ? c.leftOperand : c.rightOperand) as AnyNode,
      outer,
      op: c.operator as AnyNode,
    })
  }
  if (parts.length === 0) return undefined
  return (t) => {
    let out: AnyNode | undefined
    for (const p of parts) {
      const value = { kind: 'ValueNode', value: jsValue(p.outer.eval(t)) } as unknown as AnyNode
      const cmp = {
        kind: 'BinaryOperationNode',
        leftOperand: p.left ? p.keep : value,
        operator: p.op,
        rightOperand: p.left ? value : p.keep,
      } as unknown as AnyNode
      out = out === undefined ? cmp : ({ kind: 'AndNode', left: out, right: cmp } as unknown as AnyNode)
    }
    return out!
  }
}

/** An equality between a column of a correlated subquery's first table and an outer expression. */
export interface CorrelatedEquality {
  readonly inner: Expr
  readonly outer: Expr
  readonly affinity: ReturnType<typeof comparisonAffinity>
}

/**
 * The first `inner.col = outer.expr` conjunct of a correlated subquery's where clause: its first
 * table can then be read once per statement into a hash table on that column and probed per outer
 * row (a hash semi-join) instead of scanned per outer row.
 */
export function correlatedEquality(where: AnyNode | undefined, scope: NestedScope): CorrelatedEquality | undefined {
  const own = scope.sources.length
  for (const c of conjuncts(where)) {
    if (c.kind !== 'BinaryOperationNode') continue
    const op = ((c.operator as AnyNode).operator as string).toLowerCase()
    if (op !== '=' && op !== '==') continue
    const l = tryCompile(c.leftOperand as OperationNode, scope)
    const r = tryCompile(c.rightOperand as OperationNode, scope)
    if (l === undefined || r === undefined) continue
    const isInner = (e: Expr): boolean => e.column !== undefined && e.column.source === 0
    const isOuter = (e: Expr): boolean => e.column !== undefined && e.column.source >= own
    const pair = isInner(l) && isOuter(r) ? [l, r] : isInner(r) && isOuter(l) ? [r, l] : undefined
    if (pair === undefined) continue
    return { inner: pair[0]!, outer: pair[1]!, affinity: comparisonAffinity(pair[0]!.affinity, pair[1]!.affinity) }
  }
  return undefined
}
