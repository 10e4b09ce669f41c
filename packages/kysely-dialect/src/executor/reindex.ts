import { findColumn, indexBucket, type IndexDef, type TableDef } from '../catalog/catalog.js'
import { BTreeSqlError } from '../errors.js'
import { firstIn } from '../catalog/stored-node.js'
import type { StatementResult, WriteContext } from './context.js'
import { dropBucket } from './drop-table.js'
import { buildIndex } from './table-store.js'
import type { AnyNode } from '../expression/nodes.js'

const NONE: StatementResult = { rows: [], changes: 0, reader: false }

/** SQLite's built-in collations: `reindex nocase` names one of them. */
const COLLATIONS = new Set(['binary', 'nocase', 'rtrim'])

/**
 * `reindex [name]` (lang_reindex.html): each index named rebuilt from its table's rows (its
 * bucket emptied and filled again), as SQLite recreates them: every index, or those using
 * collation `name` (a key column declaring it, BINARY for one declaring none, or an expression
 * part with a COLLATE of it), or those of table `name`, or index `name`. A unique index that its
 * rows no longer satisfy fails as SQLite's UNIQUE constraint error, changing nothing (the
 * statement's transaction is undone). Another name is SQLite's "unable to identify the object to
 * be reindexed". The index SQLite makes for a keyed table's primary key is the table's own key
 * here: nothing to rebuild.
 */
export function runReindex(node: AnyNode, ctx: WriteContext): StatementResult {
  const name = typeof node.name === 'string' ? node.name : undefined
  const chosen: { table: TableDef; index: IndexDef }[] = []
  const all = ctx.catalog.tables().flatMap((table) => table.indexes.map((index) => ({ table, index })))
  const lower = name?.toLowerCase()
  if (lower === undefined) chosen.push(...all)
  else if (COLLATIONS.has(lower)) chosen.push(...all.filter(({ table, index }) => usesCollation(table, index, lower)))
  else {
    const table = ctx.catalog.table(lower)
    const owner = ctx.catalog.tableOfIndex(lower)
    if (table !== undefined) chosen.push(...table.indexes.map((index) => ({ table, index })))
    else if (owner !== undefined)
      chosen.push({ table: owner, index: owner.indexes.find((i) => i.name.toLowerCase() === lower)! })
    else if (!ctx.catalog.tables().some((t) => t.primaryKeyIndex?.name.toLowerCase() === lower))
      throw new BTreeSqlError('BTREE_SQL_NO_SUCH_INDEX', 'unable to identify the object to be reindexed')
  }
  for (const { table, index } of chosen) {
    dropBucket(ctx, indexBucket(index))
    buildIndex(ctx.tx, table, index)
  }
  return NONE
}

function usesCollation(table: TableDef, index: IndexDef, collation: string): boolean {
  if (index.expressions === undefined)
    return index.columns.some((c) => (findColumn(table, c)?.collation ?? 'binary') === collation)
  return index.expressions.some(
    (part) =>
      firstIn(part, (n) => {
        if (n['kind'] === 'CollateNode') {
          const written = (n['collation'] as { name?: unknown } | undefined)?.name
          return typeof written === 'string' && written.toLowerCase() === collation ? true : undefined
        }
        // A bare column part: its declared collation.
        if (n['kind'] === 'ColumnNode' && part === n) {
          const column = (n['column'] as { name?: unknown } | undefined)?.name
          return typeof column === 'string' && (findColumn(table, column)?.collation ?? 'binary') === collation
            ? true
            : undefined
        }
        return undefined
      }) === true,
  )
}
