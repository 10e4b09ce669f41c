import type { AnyNode } from '../expression/nodes.js'
import type { Scope } from '../expression/scope.js'
import { referencedSources } from './terms.js'

/**
 * Whether a conjunct of a where clause is false or null whenever every column of source `s` is
 * null, so that it rejects the rows a left join extends with nulls and the left join may be read
 * as an inner join: SQLite's sqlite3ExprImpliesNonNullRow (expr.c: impliesNotNullRow), which its
 * planner uses to simplify joins (select.c). `x is not null` at the top counts as x; below,
 * `is`, `is not`, `is null`, functions (coalesce and ifnull among them), `case` and subqueries
 * say nothing; both sides of an `and` or `or` must reject; the left side of an `in` with a list
 * of values must (with a subquery, which may be empty, nothing); `between` its operand or both
 * bounds; anything else (comparisons, `like`, arithmetic, `not`, casts) rejects when any operand
 * does.
 */
export function impliesNonNullRow(node: AnyNode, s: number, scope: Scope): boolean {
  if (node.kind === 'BinaryOperationNode' && operatorOf(node) === 'is not' && isNull(node.rightOperand as AnyNode))
    return rejects(node.leftOperand as AnyNode, s, scope)
  return rejects(node, s, scope)
}

function operatorOf(node: AnyNode): string {
  return ((node.operator as AnyNode | undefined)?.operator as string | undefined)?.toLowerCase() ?? ''
}

function isNull(node: AnyNode | undefined): boolean {
  return node?.kind === 'ValueNode' && node.value === null
}

/** The number of values an `in` list holds; 0 for a subquery or anything else. */
function listLength(node: AnyNode): number {
  if (node.kind === 'ParensNode') return listLength(node.node as AnyNode)
  if (node.kind === 'ValueListNode' || node.kind === 'PrimitiveValueListNode')
    return (node.values as readonly unknown[]).length
  return 0
}

function rejects(node: AnyNode | undefined, s: number, scope: Scope): boolean {
  if (node === undefined || node === null || typeof node !== 'object') return false
  switch (node.kind) {
    case 'ReferenceNode':
    case 'ColumnNode': {
      const read = referencedSources(node, scope)
      return read !== undefined && read.size === 1 && read.has(s)
    }
    case 'ValueNode':
    case 'FunctionNode':
    case 'AggregateFunctionNode':
    case 'CaseNode':
    case 'SelectQueryNode':
    case 'RawNode':
      return false
    case 'AndNode':
    case 'OrNode':
      return rejects(node.left as AnyNode, s, scope) && rejects(node.right as AnyNode, s, scope)
    case 'ParensNode':
      return rejects(node.node as AnyNode, s, scope)
    case 'UnaryOperationNode':
      return operatorOf(node) === 'not' || operatorOf(node) === '-' || operatorOf(node) === '+'
        ? rejects(node.operand as AnyNode, s, scope)
        : false
    case 'CastNode':
      return rejects(node.expression as AnyNode, s, scope)
    case 'BinaryOperationNode': {
      const op = operatorOf(node)
      const left = node.leftOperand as AnyNode
      const right = node.rightOperand as AnyNode
      if (op === 'is' || op === 'is not' || op === 'is distinct from' || op === 'is not distinct from') return false
      if (op === 'and' || op === 'or') return rejects(left, s, scope) && rejects(right, s, scope)
      // A null left side makes an `in` null, but for a subquery (which may be empty) or an empty list.
      if (op === 'in' || op === 'not in') return listLength(right) > 0 && rejects(left, s, scope)
      if (op === 'between' || op === 'not between' || op === 'between symmetric') {
        const bounds = right.kind === 'AndNode' ? right : undefined
        return (
          rejects(left, s, scope) ||
          (bounds !== undefined &&
            rejects(bounds.left as AnyNode, s, scope) &&
            rejects(bounds.right as AnyNode, s, scope))
        )
      }
      return rejects(left, s, scope) || rejects(right as AnyNode, s, scope)
    }
    default:
      return false
  }
}
