import type { TableDef } from '../catalog/catalog.js'

/**
 * SQLite's estimates of the widths of rows and index entries (where.c, sqlite3AffinityType's
 * szEst), which its planner weighs a covering index's read by: shared by this dialect's access
 * paths (access-path.ts) and its model of SQLite's costs (sqlite-costs.ts).
 */

/** SQLite's estimate of a column's width (sqlite3AffinityType's szEst): text and blob 5, a number 1. */
function columnWidth(table: TableDef, name: string): number {
  const a = table.columns.find((c) => c.name === name)?.affinity
  return a === undefined || a === 'integer' || a === 'real' || a === 'numeric' ? 1 : 5
}

/** A key's estimated width: its columns' (a hidden rowid 1). */
export function keyWidth(table: TableDef, key: readonly string[]): number {
  return key.reduce((sum, name) => sum + columnWidth(table, name), 0)
}

/** A row's estimated width: every column's, and a hidden rowid's. */
export function rowWidth(table: TableDef): number {
  const hidden = table.rowidColumn === undefined && table.withoutRowid !== true ? 1 : 0
  return table.columns.reduce((sum, c) => sum + columnWidth(table, c.name), hidden)
}
