import type { OperationNode } from 'kysely'
import { PRECEDENCE } from '../sql/expression-parser.js'
import { FLAT, isGroupedNode, markGrouped } from '../sql/grouped.js'
import type { AnyNode } from './nodes.js'
import { unsupported } from '../errors.js'

/**
 * Kysely's compiler prints nested BinaryOperationNode, AndNode, OrNode and prefix unary nodes
 * without parentheses (only a ParensNode adds them), so SQLite reads `eb(eb('a', '-', 'b'), '*', 'c')`
 * as `a - b * c`, and `where(a).orWhere(b).where(c)` as `a or b and c`: what every SqliteDialect user
 * gets is the flat text under SQL precedence, not the tree as built. This module re-reads such a
 * chain the way SQLite parses the text, and returns a tree whose nodes are marked as already
 * grouped (`FLAT`), which the expression compiler and the planner then take as built.
 */
export { FLAT }

type Token = { op: string } | { prefix: string } | { operand: AnyNode }

/** SQLite's binary operator precedence (higher binds tighter); all left-associative. */
const BINARY: Record<string, number> = {
  ...PRECEDENCE,
  ...Object.fromEntries(
    [
      'is',
      'is not',
      'in',
      'not in',
      'like',
      'not like',
      'between',
      'not between',
      'glob',
      'match',
      'regexp',
      'not ilike',
      'ilike',
      'is distinct from',
      'is not distinct from',
    ].map((op) => [op, PRECEDENCE['=']!]),
  ),
}
const NOT_PRECEDENCE = 3

function isFlat(node: AnyNode): boolean {
  return isGroupedNode(node)
}

function operatorName(node: AnyNode): string | undefined {
  const op = node.operator as AnyNode | undefined
  return op?.kind === 'OperatorNode' ? (op.operator as string).toLowerCase() : undefined
}

function flatten(node: AnyNode, out: Token[]): void {
  if (isFlat(node)) {
    out.push({ operand: node })
    return
  }
  switch (node.kind) {
    case 'BinaryOperationNode': {
      const op = operatorName(node)
      if (op === undefined || BINARY[op] === undefined) break
      flatten(node.leftOperand as AnyNode, out)
      out.push({ op })
      // The bounds of between (an AndNode) and the list of in stay one operand, as SQLite parses them.
      if (op === 'between' || op === 'not between' || op === 'in' || op === 'not in')
        out.push({ operand: node.rightOperand as AnyNode })
      else flatten(node.rightOperand as AnyNode, out)
      return
    }
    case 'AndNode':
    case 'OrNode':
      flatten(node.left as AnyNode, out)
      out.push({ op: node.kind === 'AndNode' ? 'and' : 'or' })
      flatten(node.right as AnyNode, out)
      return
    case 'UnaryOperationNode': {
      const op = operatorName(node)
      if (op !== 'not' && op !== '-' && op !== '+' && op !== '~') break
      out.push({ prefix: op })
      flatten(node.operand as AnyNode, out)
      return
    }
  }
  out.push({ operand: node })
}

const mark = markGrouped

function binaryNode(left: AnyNode, op: string, right: AnyNode): AnyNode {
  if (op === 'and' || op === 'or')
    return mark({ kind: op === 'and' ? 'AndNode' : 'OrNode', left, right } as unknown as AnyNode)
  return mark({
    kind: 'BinaryOperationNode',
    leftOperand: left,
    operator: { kind: 'OperatorNode', operator: op },
    rightOperand: right,
  } as unknown as AnyNode)
}

function unaryNode(op: string, operand: AnyNode): AnyNode {
  return mark({
    kind: 'UnaryOperationNode',
    operator: { kind: 'OperatorNode', operator: op },
    operand,
  } as unknown as AnyNode)
}

class Parser {
  #at = 0
  constructor(readonly tokens: Token[]) {}

  expression(min: number): AnyNode {
    let left = this.prefix()
    for (;;) {
      const t = this.tokens[this.#at]
      if (t === undefined || !('op' in t)) return left
      const precedence = BINARY[t.op]!
      if (precedence < min) return left
      this.#at++
      // The list of in and the bounds of between are one operand, which nothing after binds to:
      // SQLite reads `a in (1) >= b` as `(a in (1)) >= b`.
      const whole = t.op === 'in' || t.op === 'not in' || t.op === 'between' || t.op === 'not between'
      const right = whole ? this.prefix() : this.expression(precedence + 1)
      left = binaryNode(left, t.op, right)
    }
  }

  prefix(): AnyNode {
    const t = this.tokens[this.#at++]!
    if ('operand' in t) return t.operand
    if ('prefix' in t) {
      // NOT binds looser than comparisons; unary minus, plus and ~ bind tightest.
      const operand = t.prefix === 'not' ? this.expression(NOT_PRECEDENCE) : this.prefix()
      return unaryNode(t.prefix, operand)
    }
    throw unsupported(`operator ${t.op} where an operand was expected`)
  }
}

/**
 * The expression as SQLite reads Kysely's text for it. Nodes outside a chain come back as they are;
 * a chain of one operator comes back rebuilt but equal.
 */
export function byPrecedence(node: OperationNode): AnyNode {
  const n = node as AnyNode
  if (isFlat(n)) return n
  if (
    n.kind !== 'BinaryOperationNode' &&
    n.kind !== 'AndNode' &&
    n.kind !== 'OrNode' &&
    n.kind !== 'UnaryOperationNode'
  )
    return n
  if (isSimpleComparison(n)) return n
  const tokens: Token[] = []
  flatten(n, tokens)
  if (tokens.length === 1) return n
  return new Parser(tokens).expression(0)
}

function isOperand(node: AnyNode): boolean {
  return (
    isFlat(node) ||
    (node.kind !== 'BinaryOperationNode' &&
      node.kind !== 'AndNode' &&
      node.kind !== 'OrNode' &&
      node.kind !== 'UnaryOperationNode')
  )
}

/**
 * One binary operator between two operands that are no chains (`id = ?`, most conditions): its
 * reading by precedence is itself, so it comes back as it is, neither rebuilt nor marked (a
 * statement's conditions are regrouped on every run). Its operator must already be lower case, as
 * a rebuilt node's is.
 */
function isSimpleComparison(n: AnyNode): boolean {
  if (n.kind !== 'BinaryOperationNode') return false
  const op = n.operator as AnyNode | undefined
  if (op?.kind !== 'OperatorNode') return false
  const name = op.operator as string
  return name === name.toLowerCase() && isOperand(n.leftOperand as AnyNode) && isOperand(n.rightOperand as AnyNode)
}

export function isGrouped(node: OperationNode): boolean {
  return isFlat(node as AnyNode)
}
