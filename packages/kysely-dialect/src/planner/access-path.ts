import type { OperationNode } from 'kysely'
import { applyComparisonAffinity, comparisonAffinity } from '../catalog/affinity.js'
import type { TableDef } from '../catalog/catalog.js'
import { compareBytes, type SqlValue } from '../encoding/values.js'
import { KeyWriter, KEY_NULL, prefixEnd } from '../encoding/keys.js'
import { compileExpr, type Expr } from '../expression/expression.js'
import { conjuncts, type AnyNode } from '../expression/nodes.js'
import type { Scope } from '../expression/scope.js'
import type { AccessPlan } from './plan.js'

/** One sort key of an `order by`, already compiled; `column` is set for a plain column reference. */
export interface OrderTerm {
  expr: Expr
  desc: boolean
  nulls: 'first' | 'last' | undefined
}

interface Bound {
  value: SqlValue
  inclusive: boolean
}

interface ColumnConstraint {
  eq?: SqlValue[]
  lower?: Bound
  upper?: Bound
}

const FLIP: Record<string, string> = { '=': '=', '==': '=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' }

function keyColumnIndex(table: TableDef, e: Expr): number {
  if (e.column === undefined || e.column.source !== 0) return -1
  return table.primaryKey.indexOf(e.column.column.name)
}

/** The constant compared with a key column, converted by the affinity the comparison applies. */
function keyConstant(column: Expr, other: Expr): SqlValue | undefined {
  if (!other.constant) return undefined
  const affinity = comparisonAffinity(column.affinity, other.affinity)
  return applyComparisonAffinity(other.eval([]), affinity)
}

function tryCompile(node: OperationNode, scope: Scope): Expr | undefined {
  try {
    return compileExpr(node, scope)
  } catch {
    return undefined
  }
}

/** Constraints on primary key columns found in the where clause's conjuncts. */
function keyConstraints(table: TableDef, where: OperationNode | undefined, scope: Scope): ColumnConstraint[] {
  const out: ColumnConstraint[] = table.primaryKey.map(() => ({}))
  for (const c of conjuncts(where)) {
    if (c.kind !== 'BinaryOperationNode') continue
    const op = ((c.operator as AnyNode).operator as string).toLowerCase()
    const left = tryCompile(c.leftOperand as OperationNode, scope)
    if (left === undefined) continue
    if (op === 'in' || op === 'between') {
      const i = keyColumnIndex(table, left)
      if (i < 0) continue
      const right = c.rightOperand as AnyNode
      if (op === 'between') {
        if (right.kind !== 'AndNode') continue
        const lo = tryCompile(right.left as OperationNode, scope)
        const hi = tryCompile(right.right as OperationNode, scope)
        const lv = lo === undefined ? undefined : keyConstant(left, lo)
        const hv = hi === undefined ? undefined : keyConstant(left, hi)
        if (lv !== undefined && lv !== null) out[i]!.lower = { value: lv, inclusive: true }
        if (hv !== undefined && hv !== null) out[i]!.upper = { value: hv, inclusive: true }
      } else if (table.primaryKey.length === 1) {
        const list = right.kind === 'ValueListNode' || right.kind === 'PrimitiveValueListNode' ? right : undefined
        if (list === undefined) continue
        const values: SqlValue[] = []
        for (const v of list.values as readonly unknown[]) {
          const item =
            list.kind === 'ValueListNode'
              ? tryCompile(v as OperationNode, scope)
              : tryCompile({ kind: 'ValueNode', value: v } as OperationNode, scope)
          const k = item === undefined ? undefined : keyConstant(left, item)
          if (k === undefined) {
            values.length = 0
            break
          }
          if (k !== null) values.push(k)
        }
        if (values.length > 0 || (list.values as readonly unknown[]).length === 0) out[i]!.eq = values
      }
      continue
    }
    if (FLIP[op] === undefined) continue
    const right = tryCompile(c.rightOperand as OperationNode, scope)
    if (right === undefined) continue
    let column = left
    let other = right
    let operator = FLIP[op]! === '=' ? '=' : op
    if (keyColumnIndex(table, left) < 0) {
      column = right
      other = left
      operator = FLIP[op]!
    }
    const i = keyColumnIndex(table, column)
    if (i < 0) continue
    const v = keyConstant(column, other)
    if (v === undefined) continue
    const con = out[i]!
    if (v === null) {
      con.eq = [] // a comparison with null is never true
      continue
    }
    if (operator === '=') con.eq = [v]
    else if (operator === '>' || operator === '>=') con.lower = { value: v, inclusive: operator === '>=' }
    else con.upper = { value: v, inclusive: operator === '<=' }
  }
  return out
}

/**
 * The access path for a single-table statement: point lookups for equality on the whole key,
 * a range scan for equality on a key prefix and/or a range on the next key column, else a full
 * scan. `order by` terms that follow the key order choose the direction and drop the sort, and
 * then `limit + offset` stops the scan early.
 */
export function planAccess(
  table: TableDef,
  where: OperationNode | undefined,
  scope: Scope,
  order: readonly OrderTerm[],
  stopAfter: number | undefined,
): AccessPlan {
  const constraints = table.primaryKey.length > 0 ? keyConstraints(table, where, scope) : []
  const eqColumns: string[] = []
  const prefixValues: SqlValue[] = []
  let multi: SqlValue[] | undefined
  let k = 0
  for (; k < constraints.length; k++) {
    const eq = constraints[k]!.eq
    if (eq === undefined) break
    if (eq.length !== 1) {
      multi = eq
      eqColumns.push(table.primaryKey[k]!)
      k++
      break
    }
    prefixValues.push(eq[0]!)
    eqColumns.push(table.primaryKey[k]!)
  }
  const { orderByKey, reverse } = orderFollowsKey(table, order, multi === undefined ? k : k - 1)
  const limit = orderByKey ? stopAfter : undefined
  const base = { table: table.name, reverse, orderByKey, stopAfter: limit }
  if (multi !== undefined) {
    const keys = multi
      .map((v) => new KeyWriter().value(v).finish())
      .sort(compareBytes)
      .filter((key, i, all) => i === 0 || compareBytes(key, all[i - 1]!) !== 0)
    if (reverse) keys.reverse()
    return { ...base, access: 'point', keyColumns: eqColumns, keys }
  }
  if (k === table.primaryKey.length && k > 0) {
    return { ...base, access: 'point', keyColumns: eqColumns, keys: [encode(prefixValues)] }
  }
  const range = constraints[k]
  const keyColumns = [...eqColumns]
  const prefix = encode(prefixValues)
  let gte: Uint8Array | undefined
  let lt: Uint8Array | undefined
  if (range !== undefined && (range.lower !== undefined || range.upper !== undefined)) {
    keyColumns.push(table.primaryKey[k]!)
    // Comparisons are never true for null, so a range starts after the null keys.
    gte = range.lower === undefined ? concat(prefix, [KEY_NULL + 1]) : encode([...prefixValues, range.lower.value])
    if (range.lower !== undefined && !range.lower.inclusive) gte = prefixEnd(gte)
    lt = range.upper === undefined ? prefixEnd(prefix) : encode([...prefixValues, range.upper.value])
    if (range.upper !== undefined && range.upper.inclusive) lt = prefixEnd(lt)
  } else if (k > 0) {
    gte = prefix
    lt = prefixEnd(prefix)
  }
  if (gte === undefined && lt === undefined) return { ...base, access: 'full-scan', keyColumns: [] }
  return { ...base, access: 'range', keyColumns, gte, lt }
}

function encode(values: readonly SqlValue[]): Uint8Array {
  const w = new KeyWriter()
  for (const v of values) w.value(v)
  return w.finish()
}

function concat(a: Uint8Array, b: number[]): Uint8Array {
  const out = new Uint8Array(a.length + b.length)
  out.set(a)
  out.set(b, a.length)
  return out
}

/**
 * Whether the order by is the key order from column `fixed` on (columns before it are fixed by
 * equalities), all one direction, with nulls where the key order puts them (first ascending).
 */
function orderFollowsKey(
  table: TableDef,
  order: readonly OrderTerm[],
  fixed: number,
): { orderByKey: boolean; reverse: boolean } {
  if (order.length === 0) return { orderByKey: true, reverse: false }
  if (table.primaryKey.length === 0) return { orderByKey: false, reverse: false }
  let desc: boolean | undefined
  let next = fixed
  for (const term of order) {
    const i = keyColumnIndex(table, term.expr)
    if (i < 0) return { orderByKey: false, reverse: false }
    if (i < fixed) continue
    if (i !== next) return { orderByKey: false, reverse: false }
    next++
    if (desc !== undefined && desc !== term.desc) return { orderByKey: false, reverse: false }
    desc = term.desc
    const nullsFirst = term.nulls === undefined ? !term.desc : term.nulls === 'first'
    if (nullsFirst === term.desc) return { orderByKey: false, reverse: false }
  }
  return { orderByKey: true, reverse: desc === true }
}
