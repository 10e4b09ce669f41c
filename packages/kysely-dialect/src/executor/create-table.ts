import type { OperationNode } from 'kysely'
import { storedCheck, validateChecks } from './check-constraints.js'
import {
  checkObjectName,
  markSequenceTable,
  nextId,
  rowidBucket,
  rowidTable,
  saveCatalog,
  tableBucket,
  findColumn,
  type ConflictResolution,
  type IndexDef,
  type TableDef,
} from '../catalog/catalog.js'
import { BTreeSqlError, unsupported } from '../errors.js'
import { parseColumn } from './column-definition.js'
import { validateGenerated } from './generated-columns.js'
import { applyTableOptions, tableOptions } from './table-options.js'
import type { StatementResult, WriteContext } from './context.js'
import { nameOf, type AnyNode } from '../expression/nodes.js'
import { rejectParts } from './query-parts.js'
import { runCreateTableAs } from './create-table-as.js'
import { schemaText, statementText } from '../sql/schema-text.js'
import { declaredCollation } from '../expression/collation.js'

const CREATE_TABLE_PARTS_LATER = ['onCommit', 'frontModifiers']

const NONE: StatementResult = { rows: [], changes: 0, reader: false }

function schemaError(message: string): BTreeSqlError {
  return new BTreeSqlError('BTREE_SQL_INVALID_SCHEMA', message)
}

export function runCreateTable(node: AnyNode, ctx: WriteContext): StatementResult {
  rejectParts(node, CREATE_TABLE_PARTS_LATER)
  const name = nameOf(node.table as OperationNode)
  checkObjectName(name)
  if (
    ctx.catalog.table(name) !== undefined ||
    ctx.catalog.tableOfIndex(name) !== undefined ||
    ctx.catalog.view(name) !== undefined
  ) {
    if (node.ifNotExists === true) return NONE
    throw new BTreeSqlError('BTREE_SQL_TABLE_EXISTS', `table ${name} already exists`)
  }
  if (node.selectQuery !== undefined) return runCreateTableAs(node, ctx, name)
  const table: TableDef = rowidTable(nextId(ctx.tx), name, [])
  // The connection's own table, dropped when the dialect closes (drop-table.ts: dropTemporaryObjects).
  if (node.temporary === true) table.temporary = true
  // The primary key (`null`) and the unique constraints, in the order written: SQLite numbers their
  // indexes (sqlite_autoindex_<table>_<n>) so. Each with its ON CONFLICT clause, if written.
  // A unique constraint's `collations`: the COLLATE each of its columns names, where one differs
  // from the column's declared collation (its index is then keyed under them, as SQLite's).
  const uniques: {
    columns: string[] | null
    collations?: (string | undefined)[]
    written?: (string | undefined)[]
    descending?: boolean[]
    conflict: ConflictResolution | undefined
  }[] = []
  // The primary key's columns written `desc` (`pragma index_xinfo` of its index reports them).
  let keyDescending: boolean[] | undefined
  let autoIncrementColumn: string | undefined
  let primaryKeyDesc = false
  for (const c of node.columns as readonly AnyNode[]) {
    const parsed = parseColumn(c, table.nextSlot++)
    if (findColumn(table, parsed.def.name) !== undefined)
      throw new BTreeSqlError('BTREE_SQL_COLUMN_EXISTS', `duplicate column name: ${parsed.def.name}`)
    table.columns.push(parsed.def)
    if (parsed.primaryKey) {
      if (table.primaryKey.length > 0) throw schemaError(`table ${name} has more than one primary key`)
      table.primaryKey = [parsed.def.name]
      primaryKeyDesc = parsed.primaryKeyDesc
      if (primaryKeyDesc) keyDescending = [true]
      uniques.push({ columns: null, conflict: parsed.primaryKeyConflict })
    }
    if (parsed.autoIncrement) autoIncrementColumn = parsed.def.name
    if (parsed.unique) uniques.push({ columns: [parsed.def.name], conflict: parsed.uniqueConflict })
  }
  for (const constraint of (node.constraints ?? []) as readonly AnyNode[]) {
    switch (constraint.kind) {
      case 'PrimaryKeyConstraintNode': {
        if (table.primaryKey.length > 0) throw schemaError(`table ${name} has more than one primary key`)
        const parts = keyParts(table, constraint)
        if (parts.collations !== undefined)
          throw unsupported(
            `a PRIMARY KEY column under a COLLATE other than its declared one (table ${name}; a UNIQUE constraint may have one)`,
          )
        table.primaryKey = parts.columns
        keyDescending = parts.descending
        uniques.push({ columns: null, conflict: conflictOf(constraint) })
        break
      }
      case 'UniqueConstraintNode':
        uniques.push({ ...keyParts(table, constraint), conflict: conflictOf(constraint) })
        break
      case 'CheckConstraintNode':
        table.checks.push(storedCheck(constraint))
        break
      case 'ForeignKeyConstraintNode':
        validateForeignKey(table, constraint)
        table.checks.push(JSON.stringify(constraint))
        break
      default:
        throw unsupported(`${constraint.kind} in createTable`)
    }
  }
  const options = tableOptions(node.endModifiers as readonly OperationNode[] | undefined)
  applyTableOptions(table, options, autoIncrementColumn !== undefined)
  const pk = table.primaryKey.length === 1 ? findColumn(table, table.primaryKey[0]!) : undefined
  if (options.withoutRowid) {
    table.keying = 'key'
  } else if (pk !== undefined && pk.type.trim().toLowerCase() === 'integer' && !primaryKeyDesc) {
    // (A column's own INTEGER PRIMARY KEY DESC is no rowid alias: SQLite's quirk, lang_createtable.html#rowid.)
    table.rowidColumn = pk.name
  } else if (table.primaryKey.length > 0) {
    table.keying = 'key'
  }
  if (autoIncrementColumn !== undefined) {
    if (table.rowidColumn !== autoIncrementColumn)
      throw schemaError('AUTOINCREMENT is only allowed on an INTEGER PRIMARY KEY')
    table.autoIncrement = true
  }
  const sameAs = (a: readonly string[], b: readonly string[]): boolean =>
    a.length === b.length && a.every((c, i) => c === b[i])
  // What a unique constraint's index is keyed by: each column under its collation.
  const signature = (columns: readonly string[], collations: readonly (string | undefined)[] | undefined): string =>
    JSON.stringify(
      columns.map((c, i) => [c, collations === undefined ? findColumn(table, c)!.collation : collations[i]]),
    )
  const signatures = new Map<string, IndexDef>()
  const keyConflict = uniques.find((u) => u.columns === null)?.conflict
  if (keyConflict !== undefined) table.primaryKeyConflict = keyConflict
  for (const { columns, collations, written, descending, conflict } of uniques) {
    if (columns === null) {
      // A primary key the table is keyed by has an index of SQLite's making (an INTEGER PRIMARY
      // KEY is the rowid, and has none): named in its turn, listed by `pragma index_list`.
      if (table.rowidColumn === undefined) {
        table.autoIndexCount++
        table.primaryKeyIndex = { name: autoIndexName(table), id: nextId(ctx.tx) }
        if (keyDescending !== undefined) table.primaryKeyIndex.descending = keyDescending
      }
      continue
    }
    // SQLite skips a unique constraint that repeats the primary key or an earlier one, the
    // constraint it repeats taking its conflict clause (two written clauses must agree).
    const earlier = signatures.get(signature(columns, collations))
    if (earlier !== undefined || (collations === undefined && sameAs(columns, table.primaryKey))) {
      const kept = earlier === undefined ? table.primaryKeyConflict : earlier.conflict
      if (conflict !== undefined && kept !== undefined && conflict !== kept)
        throw schemaError('conflicting ON CONFLICT clauses specified')
      if (conflict !== undefined && earlier !== undefined) earlier.conflict = conflict
      else if (conflict !== undefined) table.primaryKeyConflict = conflict
      continue
    }
    const index = uniqueIndex(ctx, table, columns, written)
    if (conflict !== undefined) index.conflict = conflict
    if (descending !== undefined) index.descending = descending
    signatures.set(signature(columns, collations), index)
    table.indexes.push(index)
  }
  validateChecks(table)
  validateGenerated(table)
  const text = schemaText(statementText(node), 'table')
  if (text !== undefined) table.sql = text
  // SQLite makes sqlite_sequence as the first AUTOINCREMENT table's statement ends (schema-table.ts).
  if (table.autoIncrement && table.temporary !== true)
    markSequenceTable(ctx.tx, Math.max(table.id, ...table.indexes.map((i) => i.id)) + 0.5)
  ctx.tx.createBucket(tableBucket(table))
  if (table.keying === 'key') ctx.tx.createBucket(rowidBucket(table))
  // Stored as a clone, like the definitions createIndex, alterTable and analyze change: one shape
  // (the same hidden classes) for every table definition keeps the code reading them on every row
  // optimized, where a literal's shape beside a clone's deoptimized it on each new database.
  const defined = structuredClone(table)
  const catalog = ctx.catalog.withTable(defined)
  saveCatalog(ctx.tx, catalog, [defined])
  return NONE
}

/** A table constraint's ON CONFLICT clause (raw SQL's: statement-parser.ts). */
function conflictOf(constraint: AnyNode): ConflictResolution | undefined {
  return typeof constraint.onConflict === 'string' ? (constraint.onConflict as ConflictResolution) : undefined
}

/** SQLite's checks of a `foreign key (...) references p (...)` when the table is made. */
function validateForeignKey(table: TableDef, constraint: AnyNode): void {
  const columns = constraint.columns as readonly OperationNode[]
  for (const c of columns)
    if (findColumn(table, nameOf(c)) === undefined)
      throw schemaError(`unknown column "${nameOf(c)}" in foreign key definition`)
  const parentColumns = (constraint.references as AnyNode).columns as readonly OperationNode[]
  if (parentColumns.length > 0 && parentColumns.length !== columns.length)
    throw schemaError('number of columns in foreign key does not match the number of columns in the referenced table')
}

/** SQLite's name for a table's newest index of its own making. */
function autoIndexName(table: TableDef): string {
  return `sqlite_autoindex_${table.name}_${table.autoIndexCount}`
}

/**
 * The index of a unique constraint on `columns`; with `collations` (the COLLATE each column names,
 * as written, where one differs from its column's declared one), keyed as an expression index
 * whose parts are the columns, under their COLLATE where they name one, as `create index ...
 * (email collate nocase)` is.
 */
export function uniqueIndex(
  ctx: WriteContext,
  table: TableDef,
  columns: string[],
  collations?: readonly (string | undefined)[],
): IndexDef {
  table.autoIndexCount++
  const index: IndexDef = {
    id: nextId(ctx.tx),
    name: autoIndexName(table),
    columns,
    unique: true,
    origin: 'unique',
  }
  if (collations !== undefined) {
    index.columns = []
    index.expressions = columns.map((c, i) => {
      const column = { kind: 'ColumnNode', column: { kind: 'IdentifierNode', name: c } }
      const collation = collations[i]
      if (collation === undefined) return column
      return { kind: 'CollateNode', collation: { kind: 'IdentifierNode', name: collation }, operand: column }
    })
  }
  return index
}

/**
 * A PRIMARY KEY or UNIQUE table constraint's columns (names as declared) and, when one names a
 * COLLATE other than its column's declared collation, each column's collation (`collations`: lower
 * case, BINARY as undefined; an unknown one is SQLite's "no such collation sequence") and the
 * COLLATE names as written (`written`, undefined where none is: `pragma index_xinfo` shows them so);
 * `descending` when a column is written `desc`.
 */
function keyParts(
  table: TableDef,
  constraint: AnyNode,
): {
  columns: string[]
  collations?: (string | undefined)[]
  written?: (string | undefined)[]
  descending?: boolean[]
} {
  const columns: string[] = []
  const collations: (string | undefined)[] = []
  const written: (string | undefined)[] = []
  const descending = (constraint.columns as readonly AnyNode[]).map((part) => part.descending === true)
  let differs = false
  for (const part of constraint.columns as readonly AnyNode[]) {
    const collated = part.kind === 'CollateNode'
    const name = nameOf((collated ? part.operand : part) as OperationNode)
    const column = findColumn(table, name)
    if (column === undefined) throw new BTreeSqlError('BTREE_SQL_NO_SUCH_COLUMN', `no such column: ${name}`)
    const named = collated ? nameOf(part.collation as OperationNode) : undefined
    const collation = named === undefined ? column.collation : declaredCollation(named)
    if (collation !== column.collation) differs = true
    columns.push(column.name)
    collations.push(collation)
    written.push(named)
  }
  const directions = descending.some((d) => d) ? { descending } : {}
  return differs ? { columns, collations, written, ...directions } : { columns, ...directions }
}
