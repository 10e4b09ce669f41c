import type { OperationNode } from 'kysely'
import type { ReadTransaction } from 'btree-store'
import { BTreeSqlError, unsupported } from '../errors.js'
import { compareValues, type SqlValue } from '../encoding/values.js'
import type { OuterLink } from '../expression/nested-scope.js'
import { nameOf, type AnyNode } from '../expression/nodes.js'
import { ArrayRow, Scope, type Tuple } from '../expression/scope.js'
import { rowKey } from '../expression/value-key.js'
import type { ExecContext } from './context.js'
import { compareTuples, limitOffset, orderTerms, resultColumns } from './query-parts.js'
import { prepareRecursiveCte } from './recursive-cte.js'
import { derivedTable, prepareSelect, rejectCollatedColumns, relabeled, type PreparedSelect } from './select-general.js'
import { collationName } from '../expression/collation.js'

/** Common table expressions in scope while a statement is prepared, innermost last. */
const cteScopes: Map<string, PreparedSelect>[] = []

/** The prepared select a table name stands for inside `with`, if any. */
export function lookupCte(name: string): PreparedSelect | undefined {
  const key = name.toLowerCase()
  for (let i = cteScopes.length - 1; i >= 0; i--) {
    const found = cteScopes[i]!.get(key)
    if (found !== undefined) return found
  }
  return undefined
}

/**
 * `with a as (...), b as (...) select ...` (or insert, update, delete): each expression is prepared
 * in order (a later one may read an earlier one) and read wherever its name is a source, as a
 * derived table. Under `with recursive`, one that reads itself runs as recursive-cte.ts says.
 */
export function withCommonTables<T>(node: AnyNode, ctx: ExecContext, prepare: (node: AnyNode) => T): T {
  const withNode = node.with as AnyNode
  const env = new Map<string, PreparedSelect>()
  cteScopes.push(env)
  try {
    for (const cte of withNode.expressions as readonly AnyNode[]) {
      const expression = cte.expression as AnyNode
      if (expression.kind !== 'SelectQueryNode') throw unsupported(`${expression.kind} in a common table expression`)
      const nameNode = cte.name as AnyNode
      const name = nameOf(nameNode.table as OperationNode)
      const columns = (nameNode.columns as readonly OperationNode[] | undefined)?.map((c) => nameOf(c))
      if (withNode.recursive === true) {
        const recursive = prepareRecursiveCte(name, columns, expression, ctx, (self) =>
          env.set(name.toLowerCase(), self),
        )
        if (recursive !== undefined) {
          env.set(name.toLowerCase(), recursive)
          continue
        }
      }
      let prepared = prepareSelect(expression, ctx, undefined)
      if (columns !== undefined) {
        if (columns.length !== prepared.names.length) {
          throw new BTreeSqlError(
            'BTREE_SQL_UNSUPPORTED',
            `table ${name} has ${prepared.names.length} values for ${columns.length} columns`,
          )
        }
        prepared = relabeled(prepared, { names: columns })
      }
      env.set(name.toLowerCase(), prepared)
    }
    return prepare({ ...node, with: undefined } as AnyNode)
  } finally {
    cteScopes.pop()
  }
}

/**
 * `union` / `union all` / `intersect` / `except` chains, read left to right as SQLite reads them;
 * `order by`, `limit` and `offset` of the first select apply to the whole result and name its
 * columns.
 */
export function prepareCompound(node: AnyNode, ctx: ExecContext, link: OuterLink | undefined): PreparedSelect {
  const core = prepareSelect(
    { ...node, setOperations: undefined, orderBy: undefined, limit: undefined, offset: undefined } as AnyNode,
    ctx,
    link,
  )
  const operations = (node.setOperations as readonly AnyNode[]).map((op) => {
    const expression = op.expression as AnyNode
    if (expression.kind !== 'SelectQueryNode') throw unsupported(`${expression.kind} in a ${op.operator as string}`)
    if (expression.orderBy !== undefined || expression.limit !== undefined) {
      throw new BTreeSqlError(
        'BTREE_SQL_UNSUPPORTED',
        `ORDER BY or LIMIT clause should come after ${op.operator as string} not before`,
      )
    }
    const prepared = prepareSelect(expression, ctx, link)
    if (prepared.names.length !== core.names.length) {
      throw new BTreeSqlError(
        'BTREE_SQL_UNSUPPORTED',
        `SELECTs to the left and right of ${op.operator as string} do not have the same number of result columns`,
      )
    }
    return { operator: op.operator as string, all: op.all === true, prepared }
  })
  // A result column's collation is the first arm's that has one (SQLite's multiSelectCollSeq: a
  // COLLATE, a column's declared one, BINARY for a plain column); the order by sorts under it.
  // Which of the rows a collation makes equal UNION, INTERSECT and EXCEPT keep is SQLite's own
  // choice: those are not done over a column whose collation is other than BINARY.
  const arms = [core, ...operations.map((op) => op.prepared)]
  const collations = core.names.map((_, i) => {
    for (const arm of arms) {
      const c = arm.collations?.[i]
      const name = c === undefined ? undefined : collationName(c)
      if (name !== undefined) return { columnCollation: name }
    }
    return {}
  })
  if (operations.some((op) => !(op.operator === 'union' && op.all)))
    rejectCollatedColumns(relabeled(core, { collations }), 'a compound select that removes duplicates')
  // Order by terms name the result columns: they read a row of the result as a derived table.
  const table = derivedTable('(compound)', relabeled(core, { collations }))
  const scope = new Scope([{ table, name: table.name }])
  const projection = resultColumns(table)
  const order = orderTerms(node.orderBy as OperationNode | undefined, scope, projection)
  const { limit, offset } = limitOffset(node)

  const execute = (tx: ReadTransaction, outer: Tuple, stopAfter?: number): SqlValue[][] => {
    let rows = core.execute(tx, outer)
    for (const op of operations) {
      const right = op.prepared.execute(tx, outer)
      if (op.operator === 'union') {
        rows = op.all ? rows.concat(right) : inIndexOrder(distinct(rows.concat(right), true))
      } else if (op.operator === 'intersect' || op.operator === 'except') {
        if (op.all) throw unsupported(`${op.operator} all`)
        const keys = new Set(right.map(rowKey))
        const keep = op.operator === 'intersect'
        rows = inIndexOrder(distinct(rows.filter((r) => keys.has(rowKey(r)) === keep)))
      } else {
        throw unsupported(`the set operator ${op.operator}`)
      }
    }
    if (order.length > 0) {
      const keyed = rows.map((values) => {
        const t: Tuple = [new ArrayRow(values), ...outer]
        return { values, key: order.map((o) => o.expr.eval(t)) }
      })
      const cmp = compareTuples(order)
      keyed.sort((a, b) => cmp(a.key, b.key))
      rows = keyed.map((k) => k.values)
    }
    let end = limit === undefined ? undefined : offset + limit
    if (stopAfter !== undefined) end = Math.min(end ?? Infinity, offset + stopAfter)
    return offset > 0 || end !== undefined ? rows.slice(offset, end) : rows
  }
  return {
    get plan() {
      return { ...core.plan, sort: order.length > 0 }
    },
    names: core.names,
    affinities: core.affinities,
    fits: (tx) => core.fits(tx) && operations.every((op) => op.prepared.fits(tx)),
    execute,
  }
}

/**
 * Rows without repeats (SQLite's distinct: 1 and 1.0 are the same, nulls are equal), each where
 * its first equal stands; with `last`, holding the last of the equal rows' values, as SQLite's
 * UNION gives them (each row replaces its equal in the index it builds: `select 1 union select
 * 1.0` is the real 1.0).
 */
function distinct(rows: readonly SqlValue[][], last = false): SqlValue[][] {
  const seen = new Map<string, number>()
  const out: SqlValue[][] = []
  for (const r of rows) {
    const key = rowKey(r)
    const at = seen.get(key)
    if (at === undefined) {
      seen.set(key, out.length)
      out.push(r)
    } else if (last) out[at] = r
  }
  return out
}

/**
 * Rows as SQLite's UNION, INTERSECT and EXCEPT give them: they build an index of the result's
 * rows and read it back, so the rows come out sorted on every column in turn (BINARY: the
 * compounds that remove duplicates refuse other collations here), which an order by then sorts.
 */
function inIndexOrder(rows: SqlValue[][]): SqlValue[][] {
  return rows.sort((a, b) => {
    for (let i = 0; i < a.length; i++) {
      const c = compareValues(a[i]!, b[i]!)
      if (c !== 0) return c
    }
    return 0
  })
}
