import { affinityOf, type Affinity } from '../catalog/affinity.js'
import { nextId, rowidTable, saveCatalog, tableBucket, type ColumnDef, type TableDef } from '../catalog/catalog.js'
import { unsupported } from '../errors.js'
import type { AnyNode } from '../expression/nodes.js'
import type { StatementResult, WriteContext } from './context.js'
import { prepareSelect } from './select-general.js'
import { insertRow } from './table-store.js'
import { createTableAsText } from '../sql/schema-text.js'

const NONE: StatementResult = { rows: [], changes: 0, reader: false }

/**
 * The declared type SQLite gives a column of `create table ... as select` (sqlite3ColumnsFromExprList
 * and its affinity's name): INT, TEXT, REAL, NUM, or none for an expression without affinity.
 */
const DECLARED: Record<Affinity, string> = { integer: 'INT', text: 'TEXT', real: 'REAL', numeric: 'NUM', blob: '' }

/**
 * `create table t as select ...` (raw SQL; Kysely's `createTable(t).as(query)`), as SQLite makes
 * it: a rowid table whose columns are the select's result columns, named as the select names them
 * (a repeated name gets `:1`, `:2`, ..., as SQLite's), each declared with its expression's affinity
 * (INT, TEXT, REAL, NUM, or no type); no constraint, default or collation comes along. The rows go
 * in in the select's order, in the same transaction.
 */
export function runCreateTableAs(node: AnyNode, ctx: WriteContext, name: string): StatementResult {
  if (((node.columns as readonly unknown[] | undefined)?.length ?? 0) > 0)
    throw unsupported('columns beside AS SELECT in createTable')
  if (((node.constraints as readonly unknown[] | undefined)?.length ?? 0) > 0)
    throw unsupported('constraints beside AS SELECT in createTable')
  if (((node.endModifiers as readonly unknown[] | undefined)?.length ?? 0) > 0)
    throw unsupported('table options beside AS SELECT in createTable')
  const select = prepareSelect(node.selectQuery as AnyNode, ctx, undefined)
  const taken = new Set<string>()
  const columns: ColumnDef[] = select.names.map((written, slot) => {
    let column = written
    for (let n = 1; taken.has(column.toLowerCase()); n++) column = `${written}:${n}`
    taken.add(column.toLowerCase())
    const type = DECLARED[select.affinities[slot] ?? 'blob']
    return { name: column, slot, type, affinity: affinityOf(type), notNull: false }
  })
  // The rows first: the select reads the catalog as it was.
  const rows = select.execute(ctx.tx, [])
  const table: TableDef = structuredClone(rowidTable(nextId(ctx.tx), name, columns))
  if (node.temporary === true) table.temporary = true
  // SQLite writes the text of such a table itself (createTableStmt).
  table.sql = createTableAsText(name, columns)
  ctx.tx.createBucket(tableBucket(table))
  saveCatalog(ctx.tx, ctx.catalog.withTable(table), [table])
  for (const values of rows) insertRow(ctx.tx, table, [...values])
  return NONE
}
