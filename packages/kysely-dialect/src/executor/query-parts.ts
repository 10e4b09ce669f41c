import type { OperationNode } from 'kysely'
import type { TableDef } from '../catalog/catalog.js'
import { BTreeSqlError, unsupported } from '../errors.js'
import { numberOf, toJs, toNumeric } from '../encoding/values.js'
import type { OrderTerm } from '../planner/access-path.js'
import type { ExecContext } from './context.js'
import { collationName } from '../expression/collation.js'
import { collatedKey, compileExpr, evalConstant, type Expr } from '../expression/expression.js'
import { nameOf, orderDirection, type AnyNode } from '../expression/nodes.js'
import { EMPTY_SCOPE, ROWID_NAMES, Scope, type Tuple } from '../expression/scope.js'
export { compareTuples } from '../expression/order.js'
import { GroupScope } from '../expression/aggregates.js'

/** The one table a single-table statement names, with its alias. */
export function tableSource(node: OperationNode, ctx: ExecContext): { table: TableDef; scope: Scope } {
  const n = node as AnyNode
  if (n.kind === 'AliasNode') {
    const inner = n.node as AnyNode
    if (inner.kind !== 'TableNode') throw unsupported(`${inner.kind} as a source (subqueries come in part 2)`)
    const table = ctx.catalog.requireTable(nameOf(inner))
    return { table, scope: new Scope([{ table, name: nameOf(n.alias as OperationNode) }]) }
  }
  if (n.kind !== 'TableNode') throw unsupported(`${n.kind} as a source`)
  const table = ctx.catalog.requireTable(nameOf(n))
  return { table, scope: new Scope([{ table, name: table.name }]) }
}

/** A result column: its name in the row objects and its expression. */
export interface Projection {
  name: string
  expr: Expr
}

/** Selections (or `returning`) as named expressions, `*` and `t.*` expanded in column order. */
/**
 * A RETURNING clause's result columns: as a select's, but `t.*`, which SQLite refuses there
 * ("RETURNING may not use "TABLE.*" wildcards").
 */
export function returningProjections(returning: AnyNode, scope: Scope): Projection[] {
  const selections = returning.selections as readonly OperationNode[] | undefined
  for (const s of selections ?? []) {
    const sel = (s as AnyNode).selection as AnyNode
    if (sel.kind === 'ReferenceNode' && (sel.column as AnyNode).kind === 'SelectAllNode')
      throw new BTreeSqlError('BTREE_SQL_UNSUPPORTED', 'RETURNING may not use "TABLE.*" wildcards')
  }
  return projections(selections, scope)
}

export function projections(selections: readonly OperationNode[] | undefined, scope: Scope): Projection[] {
  const out: Projection[] = []
  for (const s of selections ?? []) {
    const sel = (s as AnyNode).selection as AnyNode
    if (sel.kind === 'SelectAllNode') {
      for (let i = 0; i < scope.sources.length; i++) expandAll(out, scope, i, true)
    } else if (sel.kind === 'ReferenceNode' && (sel.column as AnyNode).kind === 'SelectAllNode') {
      expandAll(out, scope, scope.sourceNamed(nameOf(sel.table as OperationNode)))
    } else if (sel.kind === 'AliasNode') {
      out.push({ name: nameOf(sel.alias as OperationNode), expr: compileExpr(sel.node as OperationNode, scope) })
    } else if (sel.kind === 'ReferenceNode' || sel.kind === 'ColumnNode') {
      // The result column is named as the query wrote it (SQLite's behaviour), not as declared;
      // a rowid alias (`rowid`, `oid`) by the integer primary key's name, as SQLite names it.
      const written = nameOf(sel.kind === 'ReferenceNode' ? (sel.column as OperationNode) : sel)
      const expr = compileExpr(sel, scope)
      const declared = expr.column?.column.name
      // The rowid pseudo-column is `rowid` however it was written (`T.OID`, `_rowid_`), as SQLite names it.
      const name =
        declared !== undefined && declared.toLowerCase() !== written.toLowerCase()
          ? declared
          : declared === undefined && ROWID_NAMES.has(written.toLowerCase())
            ? 'rowid'
            : written
      out.push({ name, expr })
    } else {
      throw unsupported(`a ${sel.kind} selection without an alias`)
    }
  }
  return out
}

/**
 * The columns `*` (all: `star`) or `t.*` gives of one source: `*` leaves out those a USING join
 * hides (Source.hidden: the right table's copy of a USING column), `t.*` gives them all.
 */
function expandAll(out: Projection[], scope: Scope, source: number, star = false): void {
  const { table, hidden } = scope.sources[source]!
  for (const c of table.columns) {
    if (star && hidden?.has(c.name.toLowerCase()) === true) continue
    const slot = c.slot
    // `*` in a grouped query reads bare columns as a name would.
    if (scope instanceof GroupScope) scope.bare.push({ source, column: c })
    out.push({
      name: c.name,
      expr: {
        eval: (t) => t[source]!.get(slot),
        affinity: c.affinity,
        constant: false,
        column: { source, column: c },
        // As a name would (expression.ts: columnExpr): a derived table's column carries it.
        columnCollation: c.collation ?? 'binary',
      },
    })
  }
}

/**
 * The columns of a one-source result (a compound's, a recursive table's) as projections over
 * it, named `names[i]` (default: the columns' names): what an outer order by resolves against.
 */
export function resultColumns(table: TableDef, names?: readonly string[]): Projection[] {
  return table.columns.map((c, i) => ({
    name: names?.[i] ?? c.name,
    expr: {
      eval: (t: Tuple) => t[0]!.get(c.slot),
      affinity: c.affinity,
      constant: false,
      column: { source: 0, column: c },
    },
  }))
}

export function project(projection: readonly Projection[], t: Tuple): Record<string, unknown> {
  const row: Record<string, unknown> = {}
  for (const p of projection) row[p.name] = toJs(p.expr.eval(t))
  return row
}

const ORDINALS = ['1st', '2nd', '3rd']

/**
 * An ORDER BY or GROUP BY term that names a result column by its position, as SQLite reads an
 * integer literal there (`order by 2`, `group by 1`; Kysely's `sql.lit(2)` or raw text `2`, never
 * a bound parameter): the column's index from 0, undefined for any other term. A position outside
 * 1..`count` (the result columns, `*` expanded) is SQLite's error. `term` is the clause's
 * `index`-th term (from 0), for the message.
 */
export function resultPosition(target: AnyNode, count: number, clause: string, index: number): number | undefined {
  if (target.kind !== 'ValueNode' || target.immediate !== true) return undefined
  const v = target.value
  if (typeof v !== 'bigint' && !(typeof v === 'number' && Number.isInteger(v))) return undefined
  const n = Number(v)
  if (n < 1 || n > count) {
    const nth = ORDINALS[index] ?? `${index + 1}th`
    throw new BTreeSqlError(
      'BTREE_SQL_NO_SUCH_COLUMN',
      `${nth} ${clause} term out of range - should be between 1 and ${count}`,
    )
  }
  return n - 1
}

/**
 * Order by terms; an unqualified name that is a result column's alias orders by that column, and
 * an integer literal by the column at that position (resultPosition).
 */
export function orderTerms(
  orderBy: OperationNode | undefined,
  scope: Scope,
  projection: readonly Projection[],
): OrderTerm[] {
  if (orderBy === undefined) return []
  const items = (orderBy as AnyNode).items as readonly AnyNode[]
  return items.map((item, i) => {
    // `order by 2 collate nocase`, `order by alias collate nocase`: the collation applies to what
    // the position or alias names (raw SQL's COLLATE wraps the term, expression-parser.ts).
    const written = item.orderBy as AnyNode
    const wrapped = written.kind === 'CollateNode' && written.operand !== undefined
    const target = wrapped ? (written.operand as AnyNode) : written
    let expr: Expr | undefined
    const position = resultPosition(target, projection.length, 'ORDER BY', i)
    if (position !== undefined) expr = projection[position]!.expr
    else if (
      target.kind === 'ReferenceNode' &&
      target.table === undefined &&
      (target.column as AnyNode).kind === 'ColumnNode'
    ) {
      const name = nameOf(target.column as OperationNode).toLowerCase()
      expr = projection.find(
        (p) =>
          p.name.toLowerCase() === name &&
          (p.expr.column === undefined || p.expr.column.column.name.toLowerCase() !== name),
      )?.expr
    }
    let node: AnyNode | undefined = expr === undefined ? target : undefined
    expr ??= compileExpr(target, scope)
    // Kysely's `.collate()` (an item's CollateNode), else a COLLATE in the term (`order by 1 collate nocase`).
    const collation =
      item.collation !== undefined
        ? nameOf((item.collation as AnyNode).collation as OperationNode)
        : wrapped
          ? nameOf(written.collation as OperationNode)
          : collationName(expr)
    const key = collatedKey(expr, collation)
    if (key !== expr) node = undefined
    return {
      expr: key,
      desc: orderDirection(item.direction as OperationNode | undefined),
      nulls: item.nulls as 'first' | 'last' | undefined,
      ...(node === undefined ? {} : { node }),
    }
  })
}

/** LIMIT and OFFSET as SQLite reads them: a negative limit is none, a negative offset is 0. */
export function limitOffset(node: AnyNode): { limit: number | undefined; offset: number } {
  let limit: number | undefined
  let offset = 0
  if (node.limit !== undefined) {
    const v = toNumeric(evalConstant((node.limit as AnyNode).limit as OperationNode, EMPTY_SCOPE))
    if (v !== null && numberOf(v) >= 0) limit = Math.trunc(numberOf(v))
  }
  if (node.offset !== undefined) {
    const v = toNumeric(evalConstant((node.offset as AnyNode).offset as OperationNode, EMPTY_SCOPE))
    if (v !== null && numberOf(v) > 0) offset = Math.trunc(numberOf(v))
  }
  return { limit, offset }
}

/** Rejects the parts of a statement node this part does not execute, naming their node kind. */
export function rejectParts(node: AnyNode, parts: readonly string[]): void {
  for (const part of parts) {
    const v = node[part]
    if (v === undefined || v === false || (Array.isArray(v) && v.length === 0)) continue
    const kind = Array.isArray(v)
      ? (v[0] as AnyNode).kind
      : typeof v === 'object' && v !== null
        ? (v as AnyNode).kind
        : part
    throw unsupported(`${kind} (${part}) in a ${node.kind}`)
  }
}
