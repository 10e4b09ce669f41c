import type { OperationNode } from 'kysely'
import { applyAffinity } from '../catalog/affinity.js'
import { requireColumn, type ColumnDef, type TableDef } from '../catalog/catalog.js'
import { namesColumn, nodeOf, renameIn, storedNode } from '../catalog/stored-node.js'
import type { SqlValue } from '../encoding/values.js'
import { BTreeSqlError, unsupported } from '../errors.js'
import { notIndexable } from '../expression/determinism.js'
import { compileExpr, type Expr } from '../expression/expression.js'
import type { AnyNode } from '../expression/nodes.js'
import { byPrecedence } from '../expression/precedence.js'
import { ArrayRow, Scope } from '../expression/scope.js'
import { setIndexing } from '../expression/statement-clock.js'
import { resolveRaw } from '../sql/resolve-raw.js'

/**
 * Generated columns, as SQLite has them (gencol.html): `generatedAlwaysAs(expr)` (virtual) and
 * `.stored()`, raw `b int generated always as (a * 2) [virtual | stored]` and `b int as (...)`. A
 * generated column's value is its expression over the row's other columns (generated ones too, in
 * the order their references need), with the column's affinity, computed whenever a row is written
 * (insertRow, updateRow) and kept in the row: both kinds read as SQLite's do, and indexes, NOT NULL,
 * CHECK and UNIQUE see the value. An insert or update that names one is refused, as SQLite does.
 *
 * The catalog keeps a column's as the JSON of `{ kind: 'StoredGenerated', expression, stored }`,
 * the expression's tree tagged (storedNode), so that a rename of a column it reads follows.
 */
interface StoredGenerated {
  kind: 'StoredGenerated'
  expression: unknown
  stored: boolean
}

function schemaError(message: string): BTreeSqlError {
  return new BTreeSqlError('BTREE_SQL_INVALID_SCHEMA', message)
}

/** A GeneratedNode as the catalog keeps it; SQLite's refusals of what cannot be generated. */
export function storedGenerated(node: AnyNode, column: string): string {
  if (node.identity === true || node.byDefault === true || node.expression === undefined)
    throw unsupported(`an identity column (${column}): SQLite has none`)
  const expression = resolveRaw(node.expression as AnyNode)
  const why = notIndexable(expression, 'generated columns')
  if (why !== undefined) throw schemaError(why)
  const stored: StoredGenerated = { kind: 'StoredGenerated', expression, stored: node.stored === true }
  return JSON.stringify(storedNode(stored))
}

function readGenerated(column: ColumnDef): StoredGenerated {
  return nodeOf(JSON.parse(column.generated!)) as StoredGenerated
}

/** Whether the column is generated (a catalog without the field: none is). */
export function isGenerated(column: ColumnDef): boolean {
  return column.generated !== undefined
}

/** Whether a generated column is STORED (VIRTUAL otherwise; both are kept in the row here). */
export function isStoredGenerated(column: ColumnDef): boolean {
  return readGenerated(column).stored
}

/** Whether the table has a generated column. */
export function hasGenerated(table: TableDef): boolean {
  return (compiled.get(table) ?? generatedOf(table)).length > 0
}

/** Whether generated column `column` is STORED (else VIRTUAL). */
export function isStored(column: ColumnDef): boolean {
  return readGenerated(column).stored
}

interface Compiled {
  readonly column: ColumnDef
  readonly expr: Expr
}

/** A table's generated columns, compiled, in the order they are computed; one list per definition. */
const compiled = new WeakMap<TableDef, readonly Compiled[]>()
const NONE: readonly Compiled[] = []

function generatedOf(table: TableDef): readonly Compiled[] {
  const cached = compiled.get(table)
  if (cached !== undefined) return cached
  const columns = table.columns.filter(isGenerated)
  if (columns.length === 0) {
    compiled.set(table, NONE)
    return NONE
  }
  const scope = new Scope([{ table, name: table.name }])
  // readGenerated gives the tree with its values untagged (a real literal a Real again): read once.
  const trees = new Map(columns.map((c) => [c, readGenerated(c).expression as AnyNode]))
  const out: Compiled[] = []
  const state = new Map<ColumnDef, 'visiting' | 'done'>()
  // Depth first over the generated columns each one reads: those first; a column met again
  // while it is being visited closes a loop, which SQLite names after the column that reads it.
  const visit = (c: ColumnDef): void => {
    if (state.get(c) === 'done') return
    state.set(c, 'visiting')
    const tree = trees.get(c)!
    for (const other of columns) {
      if (!namesColumn(tree, other.name)) continue
      if (state.get(other) === 'visiting') throw schemaError(`generated column loop on "${c.name}"`)
      visit(other)
    }
    out.push({ column: c, expr: compileExpr(byPrecedence(tree as OperationNode), scope) })
    state.set(c, 'done')
  }
  for (const c of columns) visit(c)
  compiled.set(table, out)
  return out
}

/**
 * A new or altered table's generated columns checked as SQLite checks them when the schema
 * statement runs: none in the primary key, none with a default, one ordinary column at least, no
 * loop, and each expression compiling over the table's columns.
 */
export function validateGenerated(table: TableDef): void {
  const columns = table.columns.filter(isGenerated)
  if (columns.length === 0) return
  for (const c of columns) {
    if (table.primaryKey.includes(c.name)) throw schemaError('generated columns cannot be part of the PRIMARY KEY')
    if (c.default !== undefined) throw schemaError(`error in generated column "${c.name}"`)
  }
  if (columns.length === table.columns.length) throw schemaError('must have at least one non-generated column')
  generatedOf(table)
}

/**
 * Computes the row's generated columns (values by slot, the others' affinity applied), each with
 * its own affinity. A date function's 'now' there is SQLite's error, as in an index.
 */
export function computeGenerated(table: TableDef, values: SqlValue[]): void {
  const list = compiled.get(table) ?? generatedOf(table)
  if (list.length === 0) return
  const t = [new ArrayRow(values)]
  setIndexing(true, 'a generated column')
  try {
    for (const g of list) values[g.column.slot] = applyAffinity(g.expr.eval(t), g.column.affinity)
  } finally {
    setIndexing(false)
  }
}

/** The column an insert or update assigns: never a generated one, as in SQLite. */
export function writableColumn(table: TableDef, name: string, statement: 'INSERT' | 'UPDATE'): ColumnDef {
  const column = requireColumn(table, name)
  if (isGenerated(column))
    throw new BTreeSqlError(
      'BTREE_SQL_GENERATED_COLUMN',
      `cannot ${statement === 'INSERT' ? 'INSERT into' : 'UPDATE'} generated column "${column.name}"`,
    )
  return column
}

/** Renames column `from` to `to` in the table's generated columns' expressions (in place, as renameInChecks). */
export function renameInGenerated(table: TableDef, from: string, to: string): void {
  for (const c of table.columns) {
    if (!isGenerated(c)) continue
    const g = JSON.parse(c.generated!) as { expression: unknown }
    renameIn(g.expression, from, to)
    c.generated = JSON.stringify(g)
  }
}

/** The generated column, other than `column`, whose expression reads `column` (a drop must not leave it dangling). */
export function generatedReading(table: TableDef, column: ColumnDef): ColumnDef | undefined {
  return table.columns.find(
    (c) => c !== column && isGenerated(c) && namesColumn(readGenerated(c).expression, column.name),
  )
}
