import type { OperationNode } from 'kysely'
import { checkObjectName, nextId, saveTriggers, saveView, type ViewDef } from '../catalog/catalog.js'
import { schemaText, statementText } from '../sql/schema-text.js'
import { BTreeSqlError, unsupported } from '../errors.js'
import type { StatementResult, WriteContext } from './context.js'
import { nameOf, type AnyNode } from '../expression/nodes.js'
import { prepareSelect, type PreparedSelect } from './select-general.js'
import { storedNode } from '../catalog/stored-node.js'
import { inViewScope } from './view-scope.js'

const NONE: StatementResult = { rows: [], changes: 0, reader: false }

/**
 * `create [temp] view v [(a, b)] as select ...` (`db.schema.createView('v').as(query)`): the select is
 * kept in the catalog as its node tree (catalog/stored-node.ts: viewSelect reads it back) and prepared wherever the view is
 * read, so that, as in SQLite, a view over a table that does not exist yet (or a column list of
 * the wrong length) fails when it is read, not when it is made. Its columns and their declared
 * types, for introspection, are those of a preparation here when it succeeds. `if not exists` leaves any table,
 * index or view of the name alone. `or replace` and materialized views are not SQLite's.
 *
 * A temporary view (`.temporary()`) is the connection's, as a temporary table is: in the file's
 * catalog marked `temporary`, dropped when the dialect closes (drop-table.ts dropTemporaryObjects).
 * It shares one namespace with main's objects: SQLite lets a temporary object shadow a main one of
 * its name (and a main one be made under a temporary one); here either is "already exists", as for
 * temporary tables.
 */
export function runCreateView(node: AnyNode, ctx: WriteContext): StatementResult {
  if (node.materialized === true) throw unsupported('materialized views (not SQLite)')
  if (node.orReplace === true) throw unsupported('create or replace view (not SQLite: drop the view first)')
  const name = nameOf(node.name as OperationNode)
  checkObjectName(name)
  const select = node.as as AnyNode | undefined
  if (select === undefined || select.kind !== 'SelectQueryNode')
    throw unsupported(`${select?.kind ?? 'a view without'} as a view's select`)
  const existing = ctx.catalog.view(name)
  const taken = ctx.catalog.table(name) !== undefined || ctx.catalog.tableOfIndex(name) !== undefined
  if (node.ifNotExists === true && (existing !== undefined || taken)) return NONE
  if (taken) throw new BTreeSqlError('BTREE_SQL_TABLE_EXISTS', `table ${name} already exists`)
  if (existing !== undefined) throw new BTreeSqlError('BTREE_SQL_TABLE_EXISTS', `view ${name} already exists`)
  const given = (node.columns as readonly OperationNode[] | undefined)?.map((c) => nameOf(c))
  const temporary = node.temporary === true
  const columns = inViewScope({ temporary }, () => viewColumns(select, given, ctx))
  // SQLite's text drops TEMP: `CREATE VIEW v ...` in sqlite_temp_schema.
  const text = schemaText(statementText(node), 'view')
  const view: ViewDef = {
    name,
    ...(given === undefined ? {} : { given }),
    columns,
    select: storedNode(select),
    ...(text === undefined ? {} : { sql: text }),
    seq: nextId(ctx.tx),
    ...(temporary ? { temporary } : {}),
  }
  saveView(ctx.tx, ctx.catalog.withView(view), name, view)
  return NONE
}

/**
 * A view's columns: the names `create view v (a, b)` gave, else its select's, and their declared
 * types. A select that does not prepare now (a table it reads is missing) gives the given names
 * alone: SQLite's error comes when the view is used (viewOf, select-general.ts).
 */
export function viewColumns(
  select: AnyNode,
  given: readonly string[] | undefined,
  ctx: WriteContext,
): ViewDef['columns'] {
  try {
    return preparedColumns(prepareSelect(select, ctx, undefined), given)
  } catch {
    // Read as SQLite reads it.
    return (given ?? []).map((n) => ({ name: n, type: '' }))
  }
}

/** A view's columns from its prepared select: the given names (when as many), else the select's. */
export function preparedColumns(prepared: PreparedSelect, given: readonly string[] | undefined): ViewDef['columns'] {
  if (given !== undefined && given.length !== prepared.names.length) return given.map((n) => ({ name: n, type: '' }))
  return prepared.names.map((n, i) => ({ name: given?.[i] ?? n, type: prepared.types?.[i] ?? '' }))
}

/** `drop view [if exists] v`; a table of the name is SQLite's "use DROP TABLE". */
export function runDropView(node: AnyNode, ctx: WriteContext): StatementResult {
  if (node.materialized === true) throw unsupported('materialized views (not SQLite)')
  if (node.cascade === true) throw unsupported('drop view ... cascade')
  const name = nameOf(node.name as OperationNode)
  if (ctx.catalog.view(name) === undefined) {
    if (ctx.catalog.table(name) !== undefined)
      throw new BTreeSqlError('BTREE_SQL_UNSUPPORTED', `use DROP TABLE to delete table ${name}`)
    if (node.ifExists === true) return NONE
    throw new BTreeSqlError('BTREE_SQL_NO_SUCH_TABLE', `no such view: ${name}`)
  }
  // Its INSTEAD OF triggers go with it.
  const triggers = ctx.catalog.triggersOn(name)
  const catalog = (
    triggers.length === 0 ? ctx.catalog : ctx.catalog.withoutTriggers(triggers.map((r) => r.name))
  ).withoutView(name)
  if (triggers.length > 0) saveTriggers(ctx.tx, catalog, [], triggers)
  saveView(ctx.tx, catalog, name, undefined)
  return NONE
}
