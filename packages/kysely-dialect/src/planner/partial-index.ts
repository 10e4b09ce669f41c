import type { OperationNode } from 'kysely'
import type { IndexDef, TableDef } from '../catalog/catalog.js'
import { nodeOf } from '../catalog/stored-node.js'
import { conjuncts, type AnyNode } from '../expression/nodes.js'
import { byPrecedence } from '../expression/precedence.js'
import { Scope } from '../expression/scope.js'
import { canonicalText, operatorText, unwrapNode } from './canonical.js'
import type { Term } from './terms.js'

/**
 * When a partial index may be read for a query: when the query's conditions imply the index's
 * (`createIndex(...).where(...)`), so that every row the query can return has an entry in it.
 * SQLite's rule (its docs, "Partial Indexes", 2.0 "Queries Using Partial Indexes"), term by term:
 * each conjunct of the index's condition is a conjunct of the query's, written the same way; or it
 * is `column is not null` and the query compares that column with `=`, `<`, `<=`, `>`, `>=`,
 * `between`, `in` or `like` (each is never true for null). Nothing subtler is proved (`x > 5` does
 * not imply `x > 0` here, nor in SQLite): a partial index not proved usable is simply not read.
 */

/** What a partial index's condition asks, compiled once per index definition. */
interface Condition {
  /** The canonical text of each conjunct that must appear among the query's. */
  readonly terms: readonly string[]
  /** The same with every value as `?`: a query's conjunct of another shape is never compared further. */
  readonly shapes: ReadonlySet<string>
  /** Slots of the columns of `is not null` conjuncts, which a comparison on the column also implies. */
  readonly notNull: readonly (number | undefined)[]
}

const conditions = new WeakMap<IndexDef, Condition | null>()

/**
 * Whether the query's conditions on source `s` imply `index`'s condition (true for an index that
 * has none). `conds` are conjuncts that filter source s's rows (a where clause, or the conditions
 * of an inner join placed at s); only those reading no other source count, and of the terms only
 * those usable now (`known`), as a seek would use them: both are the rows the planner may already
 * leave unread.
 */
export function impliesCondition(
  table: TableDef,
  index: IndexDef,
  conds: readonly AnyNode[],
  terms: readonly Term[],
  s: number,
  scope: Scope,
  known: (source: number) => boolean,
): boolean {
  if (index.where === undefined) return true
  const condition = conditionOf(table, index)
  if (condition === null) return false
  const have = new Set<string>()
  for (const c of conds) {
    // The shape first: a cached statement's parameters are read (and the plan then holds for
    // their values only, statement-cache.ts) just for conjuncts that may match.
    const shape = canonicalText(c, scope, s, false)
    if (shape === undefined || !condition.shapes.has(shape)) continue
    const text = canonicalText(c, scope, s, true)
    if (text !== undefined) have.add(text)
  }
  for (let i = 0; i < condition.terms.length; i++) {
    if (have.has(condition.terms[i]!)) continue
    const slot = condition.notNull[i]
    if (slot === undefined || !comparesColumn(table, terms, slot, s, known)) return false
  }
  return true
}

function comparesColumn(
  table: TableDef,
  terms: readonly Term[],
  slot: number,
  s: number,
  known: (source: number) => boolean,
): boolean {
  for (const t of terms) {
    if (t.source !== s || t.op === 'null') continue
    if (table.columns.find((c) => c.name === t.column)?.slot !== slot) continue
    if ([...t.needs].every(known)) return true
  }
  return false
}

function conditionOf(table: TableDef, index: IndexDef): Condition | null {
  let condition = conditions.get(index)
  if (condition !== undefined) return condition
  const scope = new Scope([{ table, name: table.name }])
  const terms: string[] = []
  const shapes = new Set<string>()
  const notNull: (number | undefined)[] = []
  condition = { terms, shapes, notNull }
  for (const c of conjuncts(byPrecedence(nodeOf(index.where) as OperationNode))) {
    const text = canonicalText(c, scope, 0, true)
    const shape = canonicalText(c, scope, 0, false)
    if (text === undefined || shape === undefined) {
      condition = null
      break
    }
    terms.push(text)
    shapes.add(shape)
    notNull.push(notNullColumn(c, scope))
  }
  conditions.set(index, condition)
  return condition
}

/** The slot of the column of a `column is not null` conjunct. */
function notNullColumn(c: AnyNode, scope: Scope): number | undefined {
  if (c.kind !== 'BinaryOperationNode') return undefined
  if (operatorText(c.operator as AnyNode) !== 'is not') return undefined
  const right = unwrapNode(c.rightOperand as AnyNode)
  if (right.kind !== 'ValueNode' || right.value !== null) return undefined
  const left = canonicalText(c.leftOperand as AnyNode, scope, 0, false)
  return left?.startsWith('col:') === true ? Number(left.slice(4)) : undefined
}

/**
 * Whether `where` (an upsert's conflict target's, `onConflict(oc => oc.column(...).where(...))`)
 * is `index`'s condition written alike, as SQLite requires of a target naming a partial index
 * (lang_upsert.html; its sqlite3ExprCompare: the whole expression, not an implication).
 */
export function sameCondition(table: TableDef, index: IndexDef, where: AnyNode): boolean {
  if (index.where === undefined) return false
  const scope = new Scope([{ table, name: table.name }])
  const mine = canonicalText(byPrecedence(nodeOf(index.where) as OperationNode), scope, 0, true)
  return mine !== undefined && mine === canonicalText(byPrecedence(where), scope, 0, true)
}
