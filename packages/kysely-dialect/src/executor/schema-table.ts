import type { ReadTransaction } from 'btree-store'
import {
  loadCatalog,
  sequenceEntry,
  sequenceOrder,
  sequenceTableAt,
  type Catalog,
  type SchemaTable,
  type TableDef,
} from '../catalog/catalog.js'
import type { Affinity } from '../catalog/affinity.js'
import type { SqlValue } from '../encoding/values.js'
import { schemaText } from '../sql/schema-text.js'

/*
 * SQLite's own tables (catalog.ts: schemaTableOf), read here from the catalog (never stored): `sqlite_schema` (alias
 * `sqlite_master`) lists the tables, indexes, views and triggers with the text that made them
 * (sql/schema-text.ts keeps it through ALTER TABLE), `sqlite_temp_schema` (`sqlite_temp_master`) the
 * temporary tables and views (and their triggers), `sqlite_sequence` the largest rowid each AUTOINCREMENT table handed out.
 * They are read-only, as SQLite's are to statements.
 */

export interface SchemaColumns {
  readonly names: readonly string[]
  readonly types: readonly string[]
  readonly affinities: readonly Affinity[]
}

const SCHEMA: SchemaColumns = {
  names: ['type', 'name', 'tbl_name', 'rootpage', 'sql'],
  types: ['text', 'text', 'text', 'int', 'text'],
  affinities: ['text', 'text', 'text', 'integer', 'text'],
}

const SEQUENCE: SchemaColumns = { names: ['name', 'seq'], types: ['', ''], affinities: ['blob', 'blob'] }

export function schemaColumns(which: SchemaTable): SchemaColumns {
  return which === 'sequence' ? SEQUENCE : SCHEMA
}

/** SQLite's text of the table it makes for AUTOINCREMENT. */
const SEQUENCE_SQL = 'CREATE TABLE sqlite_sequence(name,seq)'

/**
 * The rows of one of SQLite's tables as `tx` sees the schema. sqlite_schema's come in the order
 * the objects were made (SQLite's rowid order: a table, then the indexes its constraints made,
 * then `sqlite_sequence` after the first AUTOINCREMENT table); `rootpage` is the object's bucket
 * id here, not a page number (0 for views and triggers, as in SQLite). Objects made before this
 * release kept no text: their `sql` is null.
 */
export function schemaRows(tx: ReadTransaction, which: SchemaTable): SqlValue[][] {
  const catalog = loadCatalog(tx)
  if (which === 'sequence') return sequenceRows(tx, catalog)
  const temp = which === 'temp'
  const rows: { key: number; row: SqlValue[] }[] = []
  const tables = catalog.tables().filter((t) => (t.temporary === true) === temp)
  for (const t of tables) {
    rows.push({ key: t.id, row: ['table', t.name, t.name, t.id, t.sql ?? null] })
    // A WITHOUT ROWID table is its primary key's index: SQLite lists no index for it.
    const pk = t.primaryKeyIndex
    if (pk !== undefined && t.withoutRowid !== true)
      rows.push({ key: pk.id, row: ['index', pk.name, t.name, pk.id, null] })
    for (const i of t.indexes)
      rows.push({
        key: i.id,
        row: ['index', i.name, t.name, i.id, i.origin === 'unique' ? null : (i.sql ?? null)],
      })
  }
  const sequenceAt = temp ? undefined : sequenceTablePlace(tx, catalog)
  if (sequenceAt !== undefined)
    rows.push({ key: sequenceAt, row: ['table', 'sqlite_sequence', 'sqlite_sequence', 0, SEQUENCE_SQL] })
  for (const v of catalog.views())
    if ((v.temporary === true) === temp)
      rows.push({ key: v.seq ?? Number.MAX_SAFE_INTEGER, row: ['view', v.name, v.name, 0, v.sql ?? null] })
  // A trigger made temp, or on a temporary table or view, is temporary, as SQLite makes it.
  for (const r of catalog.triggers())
    if (catalog.isTemporaryTrigger(r) === temp)
      rows.push({ key: r.seq, row: ['trigger', r.name, r.table, 0, schemaText(r.sql, 'trigger') ?? r.sql] })
  return rows.sort((a, b) => a.key - b.key).map((r) => r.row)
}

/** sqlite_sequence: a row per AUTOINCREMENT table that has handed out a rowid. */
function sequenceRows(tx: ReadTransaction, catalog: Catalog): SqlValue[][] {
  const rows: { order: number; row: SqlValue[] }[] = []
  for (const t of sequenceTables(catalog)) {
    const seq = sequenceEntry(tx, t)
    // In the order the tables first handed out a rowid (an entry older than that order, by id, last).
    if (seq !== undefined)
      rows.push({ order: sequenceOrder(tx, t) ?? Number.MAX_SAFE_INTEGER / 2 + t.id, row: [t.name, seq] })
  }
  return rows.sort((a, b) => a.order - b.order).map((r) => r.row)
}

function sequenceTables(catalog: Catalog): TableDef[] {
  return catalog.tables().filter((t) => t.autoIncrement && t.temporary !== true)
}

/**
 * sqlite_sequence's place among the schema's objects, if it exists: made as the first
 * AUTOINCREMENT table's statement ended, after the indexes it made, and kept (a file from before
 * the place was kept: while an AUTOINCREMENT table exists, after the oldest one).
 */
function sequenceTablePlace(tx: ReadTransaction, catalog: Catalog): number | undefined {
  const at = sequenceTableAt(tx)
  if (at !== undefined) return at
  const first = sequenceTables(catalog).sort((a, b) => a.id - b.id)[0]
  return first === undefined ? undefined : Math.max(first.id, ...first.indexes.map((i) => i.id)) + 0.5
}
