import { expect } from 'chai'
import { estLog, logEst, logEstAdd, outputAdjust } from '../../../src/planner/sqlite-costs.js'
import type { AnyNode } from '../../../src/expression/nodes.js'

/** A `column op value` condition node, as far as outputAdjust reads it. */
function comparison(op: string, value: unknown): AnyNode {
  return {
    kind: 'BinaryOperationNode',
    leftOperand: { kind: 'ColumnNode' },
    operator: { kind: 'OperatorNode', operator: op },
    rightOperand: { kind: 'ValueNode', value },
  } as unknown as AnyNode
}

describe("planner: SQLite's LogEst arithmetic", () => {
  it('logEst gives the values sqliteInt.h lists', () => {
    // sqliteInt.h: 1 -> 0, 2 -> 10, 10 -> 33, 100 -> 66, 1000 -> 99, 1000000 -> 199, 1048576 -> 200.
    const table: [number, number][] = [
      [1, 0],
      [2, 10],
      [8, 30],
      [10, 33],
      [20, 43],
      [100, 66],
      [1000, 99],
      [1_000_000, 199],
      [1_048_576, 200],
    ]
    expect(table.map(([x]) => logEst(x))).to.deep.equal(table.map(([, y]) => y))
  })

  it('logEstAdd adds counts: equal ones double, a far smaller one adds nothing', () => {
    expect(logEstAdd(43, 43)).to.equal(53)
    expect(logEstAdd(200, 100)).to.equal(200)
    expect(logEstAdd(82, 47)).to.equal(83)
    expect(logEstAdd(82, 53)).to.equal(84)
    expect(logEstAdd(10, 30)).to.equal(logEstAdd(30, 10))
  })

  it('estLog of an unmeasured table is log2 of 2^20 rows', () => {
    expect(estLog(200)).to.equal(43)
    expect(estLog(10)).to.equal(0)
  })

  it('outputAdjust: an equality caps the rows at a quarter of the table, other conditions take a LogEst each', () => {
    expect(outputAdjust(200, 200, [comparison('=', 5)])).to.equal(180)
    expect(outputAdjust(200, 200, [comparison('=', 1)])).to.equal(190)
    expect(outputAdjust(200, 200, [comparison('<', 5), comparison('>', 1)])).to.equal(198)
    expect(outputAdjust(33, 200, [comparison('=', 5)])).to.equal(32)
  })
})
