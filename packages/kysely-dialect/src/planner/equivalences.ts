import type { OperationNode } from 'kysely'
import { comparisonCollation } from '../expression/collation.js'
import type { Expr } from '../expression/expression.js'
import type { AnyNode } from '../expression/nodes.js'
import { notIndexable } from '../expression/determinism.js'
import { isRowValue } from '../expression/row-values.js'
import type { Scope } from '../expression/scope.js'
import { comparison, isNumeric, tryCompile } from './terms.js'

/** A comparison column equivalences imply; `seeks`: the one source it may bound a read of (all when absent). */
export interface ImpliedComparison {
  readonly node: AnyNode
  readonly seeks?: number
  /**
   * It holds of every row the written conditions keep, as the dialect evaluates it: an equality of
   * two columns the written ones tie, or a comparison under the collation of the one it comes from
   * whose value is deterministic and reads no subquery (the class's columns share an affinity and
   * are equal as BINARY). Such a comparison may bound a read (join-order.ts: readBounds).
   */
  readonly holds: boolean
}

/** Operators a column's equivalent columns inherit (SQLite's scan follows them for these). */
const CARRIED = new Set(['=', '==', '<', '<=', '>', '>='])

/** SQLite's limit on the columns one scan follows through equivalences (where.c: aiCur of WhereScan). */
const MAX_EQUIVALENT = 11

interface ColumnRef {
  readonly key: string
  readonly node: OperationNode
}

/** `node` as a column of one of the statement's sources, or undefined. */
function columnRef(node: OperationNode, scope: Scope): { ref: ColumnRef; expr: Expr } | undefined {
  if (isRowValue(node)) return undefined
  const expr = tryCompile(node, scope)
  if (expr?.column === undefined) return undefined
  return { ref: { key: `${expr.column.source}.${expr.column.column.name}`, node }, expr }
}

/**
 * The comparisons SQLite's planner also sees through column equivalences (where.c: a term `a.x =
 * b.y` between two columns whose affinities agree, or are both numeric, under BINARY, is marked
 * WO_EQUIV, termIsEquivalence, and a scan for terms on b.y follows it to the terms on a.x): for
 * each class of columns such equalities tie, every comparison of one of them with a value (=, <,
 * <=, >, >=) is also made of each other one, and every two of them are equated. Used to choose the
 * join order as SQLite does (executor/sqlite-order.ts); the conditions that run stay those written.
 * A comparison made of another member serves only that member's source (`seeks`): SQLite's scan
 * finds it for the column it scans, not for the value's side.
 */
export function equivalentComparisons(conds: readonly AnyNode[], scope: Scope): ImpliedComparison[] {
  const parent = new Map<string, string>()
  const nodes = new Map<string, OperationNode>()
  const find = (k: string): string => {
    let r = k
    while (parent.get(r) !== r) r = parent.get(r)!
    return r
  }
  const equated = new Set<string>()
  for (const c of conds) {
    if (c.kind !== 'BinaryOperationNode') continue
    const op = ((c.operator as AnyNode).operator as string).toLowerCase()
    if (op !== '=' && op !== '==') continue
    const left = columnRef(c.leftOperand as OperationNode, scope)
    const right = columnRef(c.rightOperand as OperationNode, scope)
    if (left === undefined || right === undefined || left.ref.key === right.ref.key) continue
    const affinitiesAgree =
      left.expr.affinity === right.expr.affinity || (isNumeric(left.expr.affinity) && isNumeric(right.expr.affinity))
    const collation = comparisonCollation(left.expr, right.expr)
    if (!affinitiesAgree || (collation !== undefined && collation.toLowerCase() !== 'binary')) continue
    for (const { ref } of [left, right]) {
      if (!parent.has(ref.key)) parent.set(ref.key, ref.key)
      if (!nodes.has(ref.key)) nodes.set(ref.key, ref.node)
    }
    parent.set(find(left.ref.key), find(right.ref.key))
    equated.add(`${left.ref.key}|${right.ref.key}`).add(`${right.ref.key}|${left.ref.key}`)
  }
  if (parent.size === 0) return []
  const classes = new Map<string, string[]>()
  for (const k of parent.keys()) {
    const root = find(k)
    classes.set(root, [...(classes.get(root) ?? []), k])
  }
  const members = (k: string): string[] => (classes.get(find(k)) ?? []).slice(0, MAX_EQUIVALENT)
  const out: ImpliedComparison[] = []
  for (const cls of classes.values())
    for (const a of cls.slice(0, MAX_EQUIVALENT))
      for (const b of cls.slice(0, MAX_EQUIVALENT))
        if (a < b && !equated.has(`${a}|${b}`))
          out.push({ node: comparison(nodes.get(a)!, '=', nodes.get(b)!), holds: true })
  for (const c of conds) {
    if (c.kind !== 'BinaryOperationNode') continue
    const op = ((c.operator as AnyNode).operator as string).toLowerCase()
    if (!CARRIED.has(op)) continue
    const left = columnRef(c.leftOperand as OperationNode, scope)
    const right = columnRef(c.rightOperand as OperationNode, scope)
    // An equality between two columns of one class is the class itself.
    if (
      left !== undefined &&
      right !== undefined &&
      parent.has(left.ref.key) &&
      find(left.ref.key) === find(right.ref.key)
    )
      continue
    for (const [side, other, flip] of [
      [left, c.rightOperand, false],
      [right, c.leftOperand, true],
    ] as const) {
      if (side === undefined || !parent.has(side.ref.key)) continue
      const value = tryCompile(other as OperationNode, scope)
      const steady = value !== undefined && notIndexable(other, '') === undefined
      const collation = value === undefined ? undefined : written(side.expr, value, flip)
      for (const m of members(side.ref.key)) {
        if (m === side.ref.key) continue
        const node = nodes.get(m)!
        const seeks = Number(m.slice(0, m.indexOf('.')))
        const implied = flip ? comparison(other, op, node) : comparison(node, op, other)
        const member = steady ? tryCompile(node, scope) : undefined
        const holds = member !== undefined && written(member, value!, flip) === collation
        out.push({ node: implied, seeks, holds })
      }
    }
  }
  return out
}

/** The collation of a comparison of a column with a value, the column on the left unless `flip`. */
function written(column: Expr, value: Expr, flip: boolean): string | undefined {
  const name = flip ? comparisonCollation(value, column) : comparisonCollation(column, value)
  return name === undefined || name.toLowerCase() === 'binary' ? undefined : name.toLowerCase()
}

/**
 * SQLite's WHERE-clause constant propagation (select.c: propagateConstants), as its planner sees
 * the conditions: for each top-level `column = constant` (a constant without affinity, under
 * BINARY, the column not BLOB), every other occurrence of that column in the conditions (not in a
 * subquery) reads as the constant, so that `t1.n = t0.v and t1.n = 6` costs as `t0.v = 6` too.
 * The conjuncts it rewrites, each with its rewritten form (used to choose the join order only).
 */
export function propagatedConstants(conds: readonly AnyNode[], scope: Scope): Map<AnyNode, AnyNode> {
  const constants = new Map<string, { value: OperationNode; column: OperationNode }>()
  // findConstInWhere walks the AND tree right side first: the last conjunct's column is taken first.
  for (const c of [...conds].reverse()) {
    if (c.kind !== 'BinaryOperationNode') continue
    const op = ((c.operator as AnyNode).operator as string).toLowerCase()
    if (op !== '=' && op !== '==') continue
    for (const [columnNode, valueNode] of [
      [c.rightOperand, c.leftOperand],
      [c.leftOperand, c.rightOperand],
    ] as [OperationNode, OperationNode][]) {
      const column = columnRef(columnNode, scope)
      const value = tryCompile(valueNode, scope)
      if (column === undefined || value === undefined || !value.constant || value.affinity !== undefined) continue
      if (column.expr.affinity === undefined || column.expr.affinity === 'blob') continue
      const collation = comparisonCollation(column.expr, value)
      if (collation !== undefined && collation.toLowerCase() !== 'binary') continue
      if (!constants.has(column.ref.key)) constants.set(column.ref.key, { value: valueNode, column: columnNode })
    }
  }
  const out = new Map<AnyNode, AnyNode>()
  if (constants.size === 0) return out
  const rewrite = (node: unknown): unknown => {
    if (typeof node !== 'object' || node === null) return node
    if (Array.isArray(node)) {
      const items = node.map(rewrite)
      return items.some((x, i) => x !== node[i]) ? items : node
    }
    const n = node as AnyNode
    if (n.kind === 'SelectQueryNode') return node
    if (n.kind === 'ReferenceNode' || n.kind === 'ColumnNode') {
      const column = columnRef(n as unknown as OperationNode, scope)
      const constant = column === undefined ? undefined : constants.get(column.ref.key)
      return constant === undefined || constant.column === node ? node : constant.value
    }
    let changed: Record<string, unknown> | undefined
    for (const key of Object.keys(n)) {
      const next = rewrite(n[key])
      if (next !== n[key]) (changed ??= { ...n })[key] = next
    }
    return changed ?? node
  }
  for (const c of conds) {
    const next = rewrite(c) as AnyNode
    if (next !== c) out.set(c, next)
  }
  return out
}
