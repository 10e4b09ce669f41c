import type { OperationNode } from 'kysely'
import {
  deleteSequence,
  indexBucket,
  loadCatalog,
  rowidBucket,
  saveCatalog,
  saveTriggers,
  tableBucket,
} from '../catalog/catalog.js'
import { tableNode } from '../sql/expression-parser.js'
import { BTreeSqlError } from '../errors.js'
import type { StatementResult, WriteContext } from './context.js'
import { nameOf, type AnyNode } from '../expression/nodes.js'
import { rejectParts } from './query-parts.js'
import { deleteAllForDrop } from './foreign-keys.js'
import { runDropView } from './create-view.js'
import { runDropTrigger } from './triggers.js'

function dropBucket(ctx: WriteContext, name: string): void {
  if (ctx.tx.bucket(name) !== undefined) ctx.tx.deleteBucket(name)
}

/** Drops the table's buckets (O(1) each in the engine), its indexes and its catalog entry. */
export function runDropTable(node: AnyNode, ctx: WriteContext): StatementResult {
  rejectParts(node, ['cascade'])
  const name = nameOf(node.table as OperationNode)
  const table = ctx.catalog.table(name)
  if (table === undefined && ctx.catalog.view(name) !== undefined)
    throw new BTreeSqlError('BTREE_SQL_UNSUPPORTED', `use DROP VIEW to delete view ${name}`)
  if (table === undefined) {
    if (node.ifExists === true) return { rows: [], changes: 0, reader: false }
    throw new BTreeSqlError('BTREE_SQL_NO_SUCH_TABLE', `no such table: ${name}`)
  }
  // Under foreign keys, rows referring to its rows are dealt with first (their actions, or a
  // violation that fails the drop at the statement's end).
  deleteAllForDrop(ctx.tx, table)
  dropBucket(ctx, tableBucket(table))
  dropBucket(ctx, rowidBucket(table))
  for (const index of table.indexes) dropBucket(ctx, indexBucket(index))
  deleteSequence(ctx.tx, table)
  // Its triggers go with it.
  const triggers = ctx.catalog.triggersOn(table.name)
  const catalog = (
    triggers.length === 0 ? ctx.catalog : ctx.catalog.withoutTriggers(triggers.map((r) => r.name))
  ).without(table.name)
  if (triggers.length > 0) saveTriggers(ctx.tx, catalog, [], triggers)
  saveCatalog(ctx.tx, catalog, [], [table.name])
  return { rows: [], changes: 0, reader: false }
}

/**
 * Drops every temporary view and table (`create temp view | table`), with their triggers: when the
 * dialect closes, and when it opens a file a crash left them in. Each in the catalog as the drop
 * before it left it.
 */
export function dropTemporaryObjects(ctx: WriteContext): void {
  // Temp triggers on main tables (those on temporary ones go with them).
  for (const trigger of ctx.catalog.triggers()) {
    if (trigger.temporary !== true) continue
    const node = { kind: 'DropTriggerNode', name: trigger.name } as unknown as AnyNode
    runDropTrigger(node, { ...ctx, catalog: loadCatalog(ctx.tx) })
  }
  for (const view of ctx.catalog.views()) {
    if (view.temporary !== true) continue
    const node = { kind: 'DropViewNode', name: tableNode(view.name) } as unknown as AnyNode
    runDropView(node, { ...ctx, catalog: loadCatalog(ctx.tx) })
  }
  for (const table of ctx.catalog.tables()) {
    if (table.temporary !== true) continue
    const node = { kind: 'DropTableNode', table: tableNode(table.name) } as unknown as AnyNode
    runDropTable(node, { ...ctx, catalog: loadCatalog(ctx.tx) })
  }
}

export { dropBucket }
