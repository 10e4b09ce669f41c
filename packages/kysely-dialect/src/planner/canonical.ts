/**
 * Expressions compared as written, for the planner's two questions about an index's stored node
 * trees: does a query's conjunct repeat a partial index's condition (partial-index.ts), does a
 * query compare an indexed expression (expression-keys.ts).
 */

import type { OperationNode } from 'kysely'
import { Real } from '../encoding/values.js'
import { nameOf, rawChild, type AnyNode } from '../expression/nodes.js'
import { parameterExpr } from '../expression/parameters.js'
import type { Scope } from '../expression/scope.js'

function operatorOf(n: AnyNode): string {
  return operatorText(n.operator as AnyNode)
}

/** An OperatorNode's operator, lower case, with SQLite's synonyms (`==`, `<>`) as one. */
export function operatorText(operator: AnyNode): string {
  const op = (operator.operator as string).toLowerCase()
  return op === '==' ? '=' : op === '<>' ? '!=' : op
}

/** A node without its parentheses and the raw fragments that only wrap one node (sql.ref, sql.val). */
export function unwrapNode(n: AnyNode): AnyNode {
  let node = n
  for (;;) {
    if (node.kind === 'ParensNode') node = node.node as AnyNode
    else if (node.kind === 'RawNode' && rawChild(node) !== undefined) node = rawChild(node) as AnyNode
    else return node
  }
}

/** Operators whose operands may be swapped (`=` written either way round is one condition). */
const SYMMETRIC = new Set(['=', '!=', 'is', 'is not'])
const FLIPPED: Readonly<Record<string, string>> = { '<': '>', '>': '<', '<=': '>=', '>=': '<=' }

/**
 * A text that two conditions share exactly when they are written alike over source `s`'s columns
 * (each named by the slot of the column it resolves to, qualified or not, in any case): undefined when the node
 * reads another source, or holds anything whose sameness is not plain to see (a raw fragment, a
 * subquery, a value that is no number, string, boolean, bigint or null). With `values` false every
 * value is `?`: the shape, compared first, so that a cached statement's parameters are read (and
 * baked into its plan, statement-cache.ts) only where the shapes agree.
 */
export function canonicalText(node: AnyNode, scope: Scope, s: number, values: boolean): string | undefined {
  const n = unwrapNode(node)
  switch (n.kind) {
    case 'ReferenceNode':
    case 'ColumnNode': {
      const col = n.kind === 'ReferenceNode' ? (n.column as AnyNode) : n
      if (col.kind === 'SelectAllNode') return undefined
      const table = n.kind === 'ReferenceNode' && n.table !== undefined ? nameOf(n.table as OperationNode) : undefined
      try {
        const r = scope.resolve(nameOf(col), table)
        // By slot, which a column keeps when renamed (alter-table.ts renames the stored condition).
        return r.source === s ? `col:${r.column.slot}` : undefined
      } catch {
        return undefined
      }
    }
    case 'ValueNode': {
      if (!values) return '?'
      const parameter = parameterExpr(n)
      return valueText(parameter === undefined ? n.value : parameter.eval([]))
    }
    case 'BinaryOperationNode': {
      let op = operatorOf(n)
      let left = canonicalText(n.leftOperand as AnyNode, scope, s, values)
      let right = canonicalText(n.rightOperand as AnyNode, scope, s, values)
      if (left === undefined || right === undefined) return undefined
      if ((SYMMETRIC.has(op) && left > right) || (FLIPPED[op] !== undefined && left > right)) {
        ;[left, right] = [right, left]
        op = FLIPPED[op] ?? op
      }
      return `(${left} ${op} ${right})`
    }
    case 'FunctionNode': {
      const args = field(n.arguments, scope, s, values)
      return args === undefined ? undefined : `fn:${String(n.func).toLowerCase()}${args}`
    }
    case 'SelectQueryNode':
    case 'RawNode':
      return undefined
    default:
      return generic(n, scope, s, values)
  }
}

/** Any other node: its kind and its fields in order, each canonical. */
function generic(n: AnyNode, scope: Scope, s: number, values: boolean): string | undefined {
  let out = `${n.kind}{`
  for (const key of Object.keys(n).sort()) {
    if (key === 'kind') continue
    const text = field(n[key], scope, s, values)
    if (text === undefined) return undefined
    out += `${key}:${text};`
  }
  return `${out}}`
}

function field(v: unknown, scope: Scope, s: number, values: boolean): string | undefined {
  if (v === undefined) return '-'
  if (Array.isArray(v)) {
    const parts: string[] = []
    for (const item of v) {
      const text = field(item, scope, s, values)
      if (text === undefined) return undefined
      parts.push(text)
    }
    return `[${parts.join(',')}]`
  }
  if (typeof v === 'object' && v !== null && typeof (v as AnyNode).kind === 'string') {
    const node = v as AnyNode
    if (node.kind === 'IdentifierNode') return `id:${(node.name as string).toLowerCase()}`
    if (node.kind === 'OperatorNode') return `op:${operatorText(node)}`
    return canonicalText(node, scope, s, values)
  }
  return valueText(v)
}

/**
 * A value's text, by storage class: an integral number and a bigint are integers, any other number
 * and a boxed Real are reals (`x / 2` and `x / 2.0` differ), so a parameter bound per run (a Real
 * for a non-integral number) reads as the literal it stands for.
 */
function valueText(v: unknown): string | undefined {
  if (v === null) return 'null'
  if (v instanceof Real) return realText(v.value)
  switch (typeof v) {
    case 'number':
      return Number.isInteger(v) ? `int:${Object.is(v, -0) ? 0 : v}` : realText(v)
    case 'bigint':
      return `int:${v}`
    case 'string':
      return `str:${JSON.stringify(v)}`
    case 'boolean':
      return v ? 'bool:1' : 'bool:0'
    default:
      return undefined
  }
}

function realText(v: number): string {
  return `real:${Object.is(v, -0) ? 0 : v}`
}
