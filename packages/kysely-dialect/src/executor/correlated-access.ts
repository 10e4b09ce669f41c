import type { OperationNode } from 'kysely'
import { comparisonAffinity } from '../catalog/affinity.js'
import { comparisonFold, type Fold } from '../expression/collation.js'
import { compileExpr, type Expr } from '../expression/expression.js'
import { conjuncts, type AnyNode } from '../expression/nodes.js'
import type { NestedScope } from '../expression/nested-scope.js'

function tryCompile(node: OperationNode, scope: NestedScope): Expr | undefined {
  try {
    return compileExpr(node, scope)
  } catch {
    return undefined
  }
}

/** An equality between a column of a correlated subquery's first table and an outer expression. */
export interface CorrelatedEquality {
  readonly inner: Expr
  readonly outer: Expr
  readonly affinity: ReturnType<typeof comparisonAffinity>
  /** The comparison's collation as written (its operands' declared ones, collation.ts): values hash as their folds. */
  readonly fold: Fold | undefined
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
    return {
      inner: pair[0]!,
      outer: pair[1]!,
      affinity: comparisonAffinity(pair[0]!.affinity, pair[1]!.affinity),
      fold: comparisonFold(l, r),
    }
  }
  return undefined
}
