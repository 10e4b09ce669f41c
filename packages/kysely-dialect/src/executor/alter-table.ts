import type { OperationNode } from 'kysely'
import {
  checkObjectName,
  findColumn,
  type Catalog,
  requireColumn,
  saveCatalog,
  saveTriggers,
  saveView,
  type TableDef,
  type ViewDef,
} from '../catalog/catalog.js'
import { BTreeSqlError, unsupported } from '../errors.js'
import { parseColumn } from './column-definition.js'
import type { StatementResult, WriteContext } from './context.js'
import { dispatch, nameOf, type AnyNode, type NodeKind } from '../expression/nodes.js'
import { rejectParts } from './query-parts.js'
import { checkDropColumn, triggersAfterAlter, type Rename } from './trigger-alter.js'
import {
  addColumnText,
  alterations,
  dropColumnText,
  renameColumnText,
  renameTableText,
  statementText,
} from '../sql/schema-text.js'
import { namesColumn, namesTable, nodeOf, renameIn, renameTableIn } from '../catalog/stored-node.js'
import { preparedColumns } from './create-view.js'
import { prepareSelect } from './select-general.js'
import { withContext } from './current-context.js'
import { columnIdentifiers, renameColumnInSelect, renamePairedTokens } from './rename-column.js'
import { parseRawStatement } from '../sql/statement-parser.js'
import { checkNames, renameInChecks, validateChecks } from './check-constraints.js'
import { generatedReading, isGenerated, isStored, renameInGenerated, validateGenerated } from './generated-columns.js'
import { fillGenerated } from './table-store.js'
import { resolveRaw } from '../sql/resolve-raw.js'
import { strictColumn } from './table-options.js'
import {
  foreignKeyConstraintNames,
  foreignKeySchema,
  renameChildColumn,
  renameInForeignKeys,
} from '../catalog/foreign-keys.js'

type Alteration = (node: AnyNode, table: TableDef) => void

/**
 * RENAME COLUMN in a view's text, as SQLite rewrites it: its select parsed again from the text and
 * renamed by the same pass as the view's tree (rename-column.ts), the references renamed there
 * rewritten in the text (renamePairedTokens: left as written if its names do not pair up).
 */
function renameColumnInViewText(
  sql: string,
  catalog: Catalog,
  table: TableDef,
  from: string,
  to: string,
  quoted: boolean,
): string {
  let select: unknown
  try {
    select = parseRawStatement({ kind: 'RawNode', sqlFragments: [sql], parameters: [] } as unknown as AnyNode)['as']
  } catch {
    return sql
  }
  const lower = from.toLowerCase()
  const ids = columnIdentifiers(select, lower)
  const before = ids.map((id) => id['name'])
  renameColumnInSelect(select, catalog, table, from, to)
  // The select: after the first AS (the view's name and column list come before it).
  return renamePairedTokens(sql, ids, before, lower, to, quoted, (tokens) => {
    const as = tokens.findIndex((t) => t.t === 'name' && !t.quoted && t.v.toLowerCase() === 'as')
    return as < 0 ? -1 : as + 1
  })
}

/** RENAME COLUMN in the texts of the table and its indexes (sql/schema-text.ts), as SQLite rewrites them. */
function renameColumnInTexts(table: TableDef, name: string, [from, to, quoted]: Rename): void {
  if (table.sql !== undefined) table.sql = renameColumnText(table.sql, name, from, to, quoted ?? true, 'table')
  for (const index of table.indexes)
    if (index.sql !== undefined) index.sql = renameColumnText(index.sql, name, from, to, quoted ?? true, 'index')
}

function schemaError(message: string): BTreeSqlError {
  return new BTreeSqlError('BTREE_SQL_INVALID_SCHEMA', message)
}

/**
 * Added columns take a new slot: old rows are shorter and read the column's default, so no row is
 * rewritten. A dropped column's slot stays unused. Renames touch only the catalog.
 */
/**
 * Whether an added column's default is one SQLite's ADD COLUMN takes (sqlite3ValueFromExpr): a
 * literal, a signed number, or a literal's cast; `(2 * 3)`, a function and CURRENT_TIMESTAMP are
 * "non-constant" to it.
 */
function literalDefault(node: AnyNode): boolean {
  if (node.kind === 'ValueNode') return true
  if (node.kind === 'ParensNode') return literalDefault(node.node as AnyNode)
  if (node.kind === 'CastNode') return literalDefault(node.expression as AnyNode)
  if (node.kind === 'UnaryOperationNode') {
    const op = (node.operator as AnyNode).operator
    const operand = node.operand as AnyNode
    return (op === '-' || op === '+') && operand.kind === 'ValueNode' && typeof operand.value !== 'string'
  }
  return false
}

function addColumn(node: AnyNode, table: TableDef): void {
  const parsed = parseColumn(node.column as AnyNode, table.nextSlot)
  if (findColumn(table, parsed.def.name) !== undefined)
    throw new BTreeSqlError('BTREE_SQL_COLUMN_EXISTS', `duplicate column name: ${parsed.def.name}`)
  if (parsed.primaryKey) throw schemaError('Cannot add a PRIMARY KEY column')
  if (parsed.unique) throw schemaError('Cannot add a UNIQUE column')
  const written = ((node.column as AnyNode).defaultTo as AnyNode | undefined)?.defaultValue as AnyNode | undefined
  if (written !== undefined && !literalDefault(resolveRaw(written)))
    throw schemaError('Cannot add a column with non-constant default')
  // A VIRTUAL generated column is computed for the rows there are (runAlterTable: fillGenerated).
  if (isGenerated(parsed.def) && isStored(parsed.def)) throw schemaError('cannot add a STORED column')
  if (
    !isGenerated(parsed.def) &&
    parsed.def.notNull &&
    (parsed.def.default === undefined || (parsed.def.default.kind === 'value' && parsed.def.default.value === null))
  ) {
    throw schemaError('Cannot add a NOT NULL column with default value NULL')
  }
  if (table.strict === true) strictColumn(table, parsed.def)
  table.nextSlot++
  table.columns.push(parsed.def)
}

function dropColumn(node: AnyNode, table: TableDef): void {
  const column = requireColumn(table, nameOf(node.column as OperationNode))
  if (table.primaryKey.includes(column.name)) throw schemaError(`cannot drop PRIMARY KEY column: "${column.name}"`)
  const index = table.indexes.find(
    (i) =>
      i.columns.includes(column.name) ||
      (i.where !== undefined && namesColumn(i.where, column.name)) ||
      (i.expressions !== undefined && namesColumn(i.expressions, column.name)),
  )
  if (index !== undefined)
    throw schemaError(`cannot drop ${index.origin === 'unique' ? 'UNIQUE' : 'indexed'} column: "${column.name}"`)
  if (table.columns.length === 1) throw schemaError(`cannot drop column "${column.name}": no other columns exist`)
  // A check of the table's, or another column's, that reads the column (its own goes with it).
  if (table.columns.every((c) => c === column || isGenerated(c)))
    throw schemaError(`error in table ${table.name} after drop column: must have at least one non-generated column`)
  if (checkNames(table, column) || generatedReading(table, column) !== undefined)
    throw schemaError(`error in table ${table.name} after drop column: no such column: ${column.name}`)
  // A column-level `references` goes with its column; a table's `foreign key (...)` naming it stays.
  if (foreignKeyConstraintNames(table, column.name))
    throw schemaError(
      `error in table ${table.name} after drop column: unknown column "${column.name}" in foreign key definition`,
    )
  table.columns = table.columns.filter((c) => c !== column)
}

function renameColumn(node: AnyNode, table: TableDef): void {
  const column = requireColumn(table, nameOf(node.column as OperationNode))
  const to = nameOf(node.renameTo as OperationNode)
  if (findColumn(table, to) !== undefined && to.toLowerCase() !== column.name.toLowerCase())
    throw new BTreeSqlError('BTREE_SQL_COLUMN_EXISTS', `duplicate column name: ${to}`)
  const from = column.name
  column.name = to
  const rename = (c: string): string => (c === from ? to : c)
  table.primaryKey = table.primaryKey.map(rename)
  if (table.rowidColumn === from) table.rowidColumn = to
  for (const i of table.indexes) {
    i.columns = i.columns.map(rename)
    // A partial index's condition names columns too (SQLite rewrites it as well).
    if (i.where !== undefined) renameIn(i.where, from, to)
    if (i.expressions !== undefined) renameIn(i.expressions, from, to)
  }
  // Check constraints name columns too, in their trees and their text (SQLite rewrites both).
  renameInChecks(table, from, to)
  renameInGenerated(table, from, to)
  renameChildColumn(table, from, to)
}

const ALTERATIONS: Partial<Record<NodeKind, Alteration>> &
  Record<'AddColumnNode' | 'DropColumnNode' | 'RenameColumnNode', Alteration> = {
  AddColumnNode: addColumn,
  DropColumnNode: dropColumn,
  RenameColumnNode: renameColumn,
  AlterColumnNode: undefined,
  ModifyColumnNode: undefined,
}

export function runAlterTable(node: AnyNode, ctx: WriteContext): StatementResult {
  rejectParts(node, ['setSchema', 'addConstraint', 'dropConstraint', 'renameConstraint', 'addIndex', 'dropIndex'])
  const original = ctx.catalog.requireTable(nameOf(node.table as OperationNode))
  const table: TableDef = structuredClone(original)
  // The statement as written, for the texts sqlite_schema lists (sql/schema-text.ts).
  const written = alterations(statementText(node))
  const renames: Rename[] = []
  ;((node.columnAlterations ?? []) as readonly AnyNode[]).forEach((alteration, k) => {
    if (alteration.kind === 'DropColumnNode')
      checkDropColumn(ctx.catalog, original, nameOf(alteration.column as OperationNode))
    dispatch(ALTERATIONS as Record<NodeKind, Alteration | undefined>, alteration, 'in alterTable')(alteration, table)
    const w = written[k]
    if (alteration.kind === 'RenameColumnNode') {
      const rename: Rename = [
        nameOf(alteration.column as OperationNode),
        nameOf(alteration.renameTo as OperationNode),
        w?.kind === 'rename' ? w.quoted : true,
      ]
      renames.push(rename)
      renameColumnInTexts(table, original.name, rename)
    } else if (table.sql !== undefined) {
      if (alteration.kind === 'AddColumnNode' && w?.kind === 'add') table.sql = addColumnText(table.sql, w.definition)
      else if (alteration.kind === 'DropColumnNode')
        table.sql = dropColumnText(table.sql, nameOf(alteration.column as OperationNode))
    }
  })
  if (node.renameTo !== undefined) {
    const to = nameOf(node.renameTo as OperationNode)
    checkObjectName(to)
    if (
      to.toLowerCase() !== original.name.toLowerCase() &&
      (ctx.catalog.table(to) !== undefined ||
        ctx.catalog.tableOfIndex(to) !== undefined ||
        ctx.catalog.view(to) !== undefined)
    ) {
      throw new BTreeSqlError('BTREE_SQL_TABLE_EXISTS', `there is already another table or index with this name: ${to}`)
    }
    // The indexes SQLite names after the table (sqlite_autoindex_<t>_<n>) take the new name, as SQLite's do.
    const old = `sqlite_autoindex_${original.name}_`
    const renamed = (name: string): string =>
      name.toLowerCase().startsWith(old.toLowerCase()) ? `sqlite_autoindex_${to}_${name.slice(old.length)}` : name
    for (const index of table.indexes) index.name = renamed(index.name)
    if (table.primaryKeyIndex !== undefined) table.primaryKeyIndex.name = renamed(table.primaryKeyIndex.name)
    table.name = to
    if (table.sql !== undefined) table.sql = renameTableText(table.sql, original.name, to, 'table')
    for (const index of table.indexes)
      if (index.sql !== undefined) index.sql = renameTableText(index.sql, original.name, to, 'index')
  }
  if (node.columnAlterations === undefined && node.renameTo === undefined)
    throw unsupported('an alterTable without alterations')
  validateChecks(table)
  validateGenerated(table)
  // Rows written before a generated column was added hold no value for it: computed now, once.
  if (table.columns.some((c) => isGenerated(c) && original.columns.every((o) => o.slot !== c.slot)))
    fillGenerated(ctx.tx, table)
  let catalog = ctx.catalog.withTable(table, original.name)
  const changed = [table]
  // Foreign keys referring to the table follow its new name and its renamed columns (SQLite
  // rewrites them in every table, the altered one included).
  const referring = new Set(
    (foreignKeySchema(ctx.catalog).byParent.get(original.name.toLowerCase()) ?? []).map((fk) => fk.child),
  )
  for (const other of referring) {
    const copy = other === original ? table : structuredClone(other)
    let touched = false
    for (const [from, to, quoted] of renames) {
      if (!renameInForeignKeys(copy, original.name, to, from)) continue
      touched = true
      // The table's own text had its self-references renamed with the rest of it.
      if (copy !== table && copy.sql !== undefined)
        copy.sql = renameColumnText(copy.sql, original.name, from, to, quoted ?? true, 'child')
    }
    if (node.renameTo !== undefined && renameInForeignKeys(copy, original.name, table.name)) {
      touched = true
      if (copy !== table && copy.sql !== undefined)
        copy.sql = renameTableText(copy.sql, original.name, table.name, 'table')
    }
    if (touched && copy !== table) {
      catalog = catalog.withTable(copy)
      changed.push(copy)
    }
  }
  // Triggers follow the table's name and its renamed columns (triggers.ts).
  const triggers = triggersAfterAlter(ctx.catalog, original, table, renames)
  // Views follow the table's new name and its renamed columns, as SQLite rewrites their text
  // (a view's column named after a renamed column takes the new name, as in SQLite).
  const views: ViewDef[] = []
  const oldName = original.name.toLowerCase()
  const drops = ((node.columnAlterations ?? []) as readonly AnyNode[]).some((a) => a.kind === 'DropColumnNode')
  for (const view of ctx.catalog.views()) {
    if (!namesTable(view.select, oldName)) continue
    const copy = structuredClone(view)
    let touched = false
    for (const [a, b, quoted] of renames) {
      if (!renameColumnInSelect(copy.select, ctx.catalog, original, a, b)) continue
      touched = true
      if (copy.sql !== undefined)
        copy.sql = renameColumnInViewText(copy.sql, ctx.catalog, original, a, b, quoted ?? true)
    }
    if (table.name !== original.name) {
      renameTableIn(copy.select, oldName, table.name)
      if (copy.sql !== undefined) copy.sql = renameTableText(copy.sql, original.name, table.name, 'body')
      touched = true
    }
    // A dropped column: the view is read again (its `*` has a column fewer; one it names fails).
    if (!touched && !drops) continue
    views.push(copy)
    catalog = catalog.withView(copy)
  }
  // Each prepared under the new schema (its subqueries too: they read the running statement's
  // context), which gives its columns (set on the definition the catalog holds); one the renames
  // or a dropped column leave unreadable fails the ALTER, as SQLite's "error in view v after
  // rename" / "after drop column".
  const after = { ...ctx, catalog }
  for (const view of views) {
    try {
      const prepared = withContext(after, () => prepareSelect(nodeOf(view.select) as AnyNode, after, undefined))
      view.columns = preparedColumns(prepared, view.given)
    } catch (err) {
      const what = drops ? 'drop column' : 'rename'
      throw schemaError(`error in view ${view.name} after ${what}: ${(err as Error).message}`)
    }
  }
  if (triggers.length > 0) {
    for (const r of triggers) catalog = catalog.withTrigger(r)
    saveTriggers(ctx.tx, catalog, triggers)
  }
  for (const view of views) saveView(ctx.tx, catalog, view.name, view)
  saveCatalog(ctx.tx, catalog, changed, [original.name])
  return { rows: [], changes: 0, reader: false }
}
