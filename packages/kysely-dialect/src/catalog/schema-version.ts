import type { WriteTransaction } from 'btree-store'
import { loadCatalog, readHeaderValue, writeHeaderValue, type Catalog } from './catalog.js'

/**
 * SQLite's schema cookie (`pragma schema_version`): one more for each statement that changes the
 * main schema (a table, index, view or trigger made, altered or dropped; the connection's temporary
 * ones do not count, nor do no-ops such as `create table if not exists` of one that exists), for
 * the first ANALYZE (SQLite's makes sqlite_stat1 then) and for a plain VACUUM. Kept with the
 * schema in the file, in the statement's transaction, so a rollback takes it back.
 */
export function noteSchemaChange(tx: WriteTransaction, before: Catalog, analyzes: boolean): void {
  const after = loadCatalog(tx)
  // The same catalog (loadCatalog caches one per version) is the same schema: no text to compare.
  let changed = after !== before && mainSchema(before) !== mainSchema(after)
  if (analyzes && readHeaderValue(tx, 'stat1') === 0) {
    writeHeaderValue(tx, 'stat1', 1)
    changed = true
  }
  if (changed) bumpSchemaVersion(tx)
}

export function bumpSchemaVersion(tx: WriteTransaction): void {
  writeHeaderValue(tx, 'schema_version', readHeaderValue(tx, 'schema_version') + 1)
}

/** The main schema's definitions as text (statistics left out: ANALYZE changes no schema after its first). */
function mainSchema(catalog: Catalog): string {
  return JSON.stringify([
    catalog
      .tables()
      .filter((t) => t.temporary !== true)
      .map((t) => ({ ...t, indexes: t.indexes.map(({ rowsPerKey: _stats, ...i }) => i) })),
    catalog.views().filter((v) => v.temporary !== true),
    catalog.triggers().filter((r) => !catalog.isTemporaryTrigger(r)),
  ])
}
