import type { OperationNode } from 'kysely'
import type { ReadTransaction } from 'btree-store'
import { applyComparisonAffinity, comparisonAffinity, type Affinity } from '../catalog/affinity.js'
import type { TableDef } from '../catalog/catalog.js'
import { unsupported } from '../errors.js'
import { KeyWriter } from '../encoding/keys.js'
import { truth, type SqlValue } from '../encoding/values.js'
import { compileExpr, type Expr } from '../expression/expression.js'
import { conjuncts, nameOf, type AnyNode } from '../expression/nodes.js'
import { byPrecedence } from '../expression/precedence.js'
import type { RowLike, Scope, Tuple } from '../expression/scope.js'
import { valueKey } from '../expression/value-key.js'
import type { JoinPlan } from '../planner/plan.js'
import { allRows } from './row-source.js'
import { readBucket, rowView } from './table-store.js'

/** The row a left (right, full) join pairs with when nothing matches: every column null. */
export const NULL_ROW: RowLike = { get: () => null }

const JOIN_TYPES: Record<string, JoinPlan['type'] | undefined> = {
  InnerJoin: 'inner',
  LeftJoin: 'left',
  RightJoin: 'right',
  FullJoin: 'full',
  CrossJoin: 'cross',
}

/** The join's type, or BTREE_SQL_UNSUPPORTED naming it (lateral joins, using, apply). */
export function joinType(join: AnyNode): JoinPlan['type'] {
  const type = JOIN_TYPES[join.joinType as string]
  if (type === undefined) throw unsupported(`${join.joinType as string} (JoinNode)`)
  return type
}

/** One join step: extends each tuple of the tables before it with the matching rows of one table. */
export interface JoinStage {
  readonly plan: JoinPlan
  /**
   * `template` is a full-width tuple of null rows followed by the rows of the queries around this
   * one (subqueries); joined tuples are copies of it with the sources filled in.
   */
  run(tx: ReadTransaction, outer: readonly Tuple[], template: Tuple): Tuple[]
}

/** Reads every row of a source once (a table's full scan, or a derived table's rows). */
export type RowsOf = (tx: ReadTransaction, template: Tuple) => RowLike[]

function withRow(t: Tuple, s: number, row: RowLike): Tuple {
  const joined = t.slice()
  joined[s] = row
  return joined
}

/** The sources an expression reads (undefined when it cannot tell, as for a subquery). */
function referencedSources(node: unknown, scope: Scope, out = new Set<number>()): Set<number> | undefined {
  if (typeof node !== 'object' || node === null) return out
  if (Array.isArray(node)) {
    for (const n of node) if (referencedSources(n, scope, out) === undefined) return undefined
    return out
  }
  const n = node as AnyNode
  if (n.kind === 'SelectQueryNode') return undefined
  try {
    if (n.kind === 'ReferenceNode') {
      const col = n.column as AnyNode
      if (col.kind === 'SelectAllNode') return undefined
      out.add(scope.resolve(nameOf(col), n.table === undefined ? undefined : nameOf(n.table as OperationNode)).source)
      return out
    }
    if (n.kind === 'ColumnNode') {
      out.add(scope.resolve(nameOf(n)).source)
      return out
    }
  } catch {
    return undefined
  }
  for (const key of Object.keys(n)) if (referencedSources(n[key], scope, out) === undefined) return undefined
  return out
}

interface Equality {
  inner: Expr
  outer: Expr
  affinity: Affinity | undefined
}

/** Equalities of the on condition between an expression of table `s` alone and one of the tables before it. */
function equalities(on: AnyNode | undefined, s: number, scope: Scope): Equality[] {
  const out: Equality[] = []
  for (const c of conjuncts(on)) {
    if (c.kind !== 'BinaryOperationNode') continue
    const op = ((c.operator as AnyNode).operator as string).toLowerCase()
    if (op !== '=' && op !== '==') continue
    const sides = [c.leftOperand, c.rightOperand].map((x) => ({
      node: x as OperationNode,
      sources: referencedSources(x, scope),
    }))
    if (sides.some((x) => x.sources === undefined)) continue
    const innerAt = sides.findIndex((x) => x.sources!.size === 1 && x.sources!.has(s))
    if (innerAt < 0) continue
    const other = sides[1 - innerAt]!
    if ([...other.sources!].some((i) => i >= s)) continue
    const inner = compileExpr(sides[innerAt]!.node, scope)
    const outer = compileExpr(other.node, scope)
    out.push({ inner, outer, affinity: comparisonAffinity(inner.affinity, outer.affinity) })
  }
  return out
}

/**
 * Whether a key lookup finds every row the equality holds for: the comparison's affinity must
 * leave the stored key values as they are. NUMERIC affinity turns a text '05' stored in a TEXT or
 * BLOB column into 5, which equals an integer 5 but is keyed as text: a hash join applies the
 * affinity to both sides instead.
 */
function keyReadable(e: Equality): boolean {
  const stored = e.inner.affinity
  return !(e.affinity === 'numeric' && (stored === 'text' || stored === 'blob'))
}

/**
 * Plans joining `table` (source `s`) to the tables before it: a primary-key lookup when the on
 * condition fixes its whole key (inner and left joins), else a hash join on its equalities, else a
 * nested loop.
 */
export function planJoin(
  join: AnyNode,
  s: number,
  scope: Scope,
  table: TableDef,
  as: string,
  rowsOf: RowsOf | undefined,
): JoinStage {
  const type = joinType(join)
  const onNode = (join.on as AnyNode | undefined)?.on as OperationNode | undefined
  const on = onNode === undefined ? undefined : byPrecedence(onNode)
  const filter = on === undefined ? undefined : compileExpr(on, scope)
  const eqs = type === 'cross' ? [] : equalities(on, s, scope)
  const byKey = table.primaryKey.map((name) =>
    eqs.find((e) => e.inner.column?.source === s && e.inner.column.column.name === name && keyReadable(e)),
  )
  const keep: StageParts = { type, filter, s, table, rowsOf: rowsOf ?? ((tx) => tableRows(tx, table)) }
  if (
    rowsOf === undefined &&
    (type === 'inner' || type === 'left') &&
    byKey.length > 0 &&
    byKey.every((e) => e !== undefined)
  ) {
    return lookupStage(
      { table: table.name, as, type, strategy: 'primary-key-lookup', keyColumns: table.primaryKey },
      keep,
      byKey as Equality[],
    )
  }
  if (eqs.length > 0) {
    return matchStage(
      {
        table: table.name,
        as,
        type,
        strategy: 'hash',
        keyColumns: eqs.map((e) => e.inner.column?.column.name ?? '(expression)'),
      },
      keep,
      eqs,
    )
  }
  return matchStage({ table: table.name, as, type, strategy: 'nested-loop', keyColumns: [] }, keep, undefined)
}

interface StageParts {
  type: JoinPlan['type']
  filter: Expr | undefined
  s: number
  table: TableDef
  rowsOf: RowsOf
}

/** Every row of a stored table, in key order. */
export function tableRows(tx: ReadTransaction, table: TableDef): RowLike[] {
  return allRows(tx, table)
}

function passes(filter: Expr | undefined, t: Tuple): boolean {
  return filter === undefined || truth(filter.eval(t)) === true
}

function lookupStage(plan: JoinPlan, parts: StageParts, byKey: readonly Equality[]): JoinStage {
  return {
    plan,
    run(tx, outer) {
      const bucket = readBucket(tx, parts.table)
      const out: Tuple[] = []
      for (const t of outer) {
        const w = new KeyWriter()
        let found: RowLike | undefined
        let missing = false
        for (const e of byKey) {
          const v = applyComparisonAffinity(e.outer.eval(t), e.affinity)
          if (v === null) {
            missing = true
            break
          }
          w.value(v)
        }
        if (!missing && bucket !== undefined) {
          const bytes = bucket.get(w.finish())
          if (bytes !== undefined) found = rowView(parts.table, bytes)
        }
        const joined = found === undefined ? undefined : withRow(t, parts.s, found)
        if (joined !== undefined && passes(parts.filter, joined)) out.push(joined)
        else if (parts.type === 'left') out.push(t)
      }
      return out
    },
  }
}

/** Hash join (with equalities) or nested loop (without): the joined table is read once. */
function matchStage(plan: JoinPlan, parts: StageParts, eqs: readonly Equality[] | undefined): JoinStage {
  return {
    plan,
    run(tx, outer, template) {
      const rows = parts.rowsOf(tx, template)
      let index: Map<string, number[]> | undefined
      if (eqs !== undefined) {
        index = new Map()
        const scratch = template.slice()
        rows.forEach((row, i) => {
          scratch[parts.s] = row
          const key = hashKey(eqs, (e) => e.inner.eval(scratch))
          if (key === undefined) return
          const list = index!.get(key)
          if (list === undefined) index!.set(key, [i])
          else list.push(i)
        })
      }
      const matched = parts.type === 'right' || parts.type === 'full' ? new Uint8Array(rows.length) : undefined
      const out: Tuple[] = []
      const all = rows.map((_, i) => i)
      for (const t of outer) {
        let candidates: readonly number[] = all
        if (index !== undefined) {
          const key = hashKey(eqs!, (e) => e.outer.eval(t))
          candidates = key === undefined ? [] : (index.get(key) ?? [])
        }
        let any = false
        for (const i of candidates) {
          const joined = withRow(t, parts.s, rows[i]!)
          if (!passes(parts.filter, joined)) continue
          any = true
          if (matched !== undefined) matched[i] = 1
          out.push(joined)
        }
        if (!any && (parts.type === 'left' || parts.type === 'full')) out.push(t)
      }
      if (matched !== undefined) {
        rows.forEach((row, i) => {
          if (matched[i] === 0) out.push(withRow(template, parts.s, row))
        })
      }
      return out
    },
  }
}

function hashKey(eqs: readonly Equality[], read: (e: Equality) => SqlValue): string | undefined {
  let key = ''
  for (const e of eqs) {
    const v = applyComparisonAffinity(read(e), e.affinity)
    if (v === null) return undefined
    key += valueKey(v) + '\u0000'
  }
  return key
}
