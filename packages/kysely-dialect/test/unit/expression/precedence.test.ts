import { expect } from 'chai'
import {
  BinaryOperationNode,
  OperatorNode,
  ParensNode,
  ValueNode,
  AndNode,
  OrNode,
  UnaryOperationNode,
  type OperationNode,
} from 'kysely'
import { byPrecedence } from '../../../src/expression/precedence.js'
import type { AnyNode } from '../../../src/expression/nodes.js'

const v = (x: number | string): OperationNode => ValueNode.createImmediate(x)
const bin = (l: OperationNode, op: string, r: OperationNode): OperationNode =>
  BinaryOperationNode.create(l, OperatorNode.create(op as never), r)

/** The grouping a tree stands for, parenthesized fully. */
function show(node: OperationNode): string {
  const n = node as AnyNode
  switch (n.kind) {
    case 'ValueNode':
      return String(n.value)
    case 'ParensNode':
      return `[${show(n.node as OperationNode)}]`
    case 'BinaryOperationNode':
      return `(${show(n.leftOperand as OperationNode)} ${(n.operator as AnyNode).operator as string} ${show(n.rightOperand as OperationNode)})`
    case 'AndNode':
    case 'OrNode':
      return `(${show(n.left as OperationNode)} ${n.kind === 'AndNode' ? 'and' : 'or'} ${show(n.right as OperationNode)})`
    case 'UnaryOperationNode':
      return `(${(n.operator as AnyNode).operator as string} ${show(n.operand as OperationNode)})`
    default:
      return n.kind
  }
}

describe('expression/precedence', () => {
  it('regroups a tree as SQLite reads its unparenthesized text', () => {
    // eb(eb(a, '-', b), '*', c) prints "a - b * c"
    expect(show(byPrecedence(bin(bin(v(1), '-', v(2)), '*', v(3))))).to.equal('(1 - (2 * 3))')
    // eb(a, '-', eb(b, '-', c)) prints "a - b - c": left-associative
    expect(show(byPrecedence(bin(v(1), '-', bin(v(2), '-', v(3)))))).to.equal('((1 - 2) - 3)')
    // and(or(a, b), c) prints "a or b and c"
    expect(show(byPrecedence(AndNode.create(OrNode.create(v('a'), v('b')), v('c'))))).to.equal('(a or (b and c))')
    // not over a comparison, and not before and
    expect(
      show(byPrecedence(UnaryOperationNode.create(OperatorNode.create('not'), AndNode.create(v('a'), v('b'))))),
    ).to.equal('((not a) and b)')
    expect(show(byPrecedence(UnaryOperationNode.create(OperatorNode.create('not'), bin(v(1), '=', v(2)))))).to.equal(
      '(not (1 = 2))',
    )
    // unary minus binds tightest; || above *
    expect(show(byPrecedence(UnaryOperationNode.create(OperatorNode.create('-'), bin(v(1), '+', v(2)))))).to.equal(
      '((- 1) + 2)',
    )
    expect(show(byPrecedence(bin(bin(v(1), '*', v(2)), '||', v(3))))).to.equal('(1 * (2 || 3))')
  })

  it('parentheses keep their grouping; single operations come back unchanged', () => {
    expect(show(byPrecedence(bin(ParensNode.create(bin(v(1), '-', v(2))), '*', v(3))))).to.equal('([(1 - 2)] * 3)')
    const one = bin(v(1), '+', v(2))
    expect(show(byPrecedence(one))).to.equal('(1 + 2)')
  })
})
