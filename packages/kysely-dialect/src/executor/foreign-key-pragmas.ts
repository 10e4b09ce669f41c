import type { ReadTransaction } from 'btree-store'
import type { Catalog, TableDef } from '../catalog/catalog.js'
import { type ForeignKeyAction, type ForeignKeyDef, foreignKeySchema } from '../catalog/foreign-keys.js'
import { decodeKeyInteger } from '../encoding/keys.js'
import { childKeyHasNull, parentFound, resolve } from './foreign-key-lookup.js'
import { readBucket, rowView } from './table-store.js'

const ACTION_NAMES: Record<ForeignKeyAction, string> = {
  'no action': 'NO ACTION',
  restrict: 'RESTRICT',
  cascade: 'CASCADE',
  'set null': 'SET NULL',
  'set default': 'SET DEFAULT',
}

/** A table's keys as SQLite numbers them: the last declared is 0 (its list is built by prepending). */
function numbered(catalog: Catalog, table: TableDef): readonly ForeignKeyDef[] {
  return [...(foreignKeySchema(catalog).byChild.get(table) ?? [])].reverse()
}

/**
 * `pragma foreign_key_list(t)`: a row per column of each of t's keys (id, seq, table, from, to,
 * on_update, on_delete, match), `to` null where the parent's primary key is implied.
 */
export function foreignKeyList(catalog: Catalog, name: string | undefined): Record<string, unknown>[] {
  const table = name === undefined ? undefined : catalog.table(name)
  if (table === undefined) return []
  const out: Record<string, unknown>[] = []
  numbered(catalog, table).forEach((fk, id) =>
    fk.columns.forEach((from, seq) =>
      out.push({
        id,
        seq,
        table: fk.parent,
        from,
        to: fk.parentColumns?.[seq] ?? null,
        on_update: ACTION_NAMES[fk.onUpdate],
        on_delete: ACTION_NAMES[fk.onDelete],
        match: 'NONE',
      }),
    ),
  )
  return out
}

/**
 * `pragma foreign_key_check [(t)]`: a row (table, rowid, parent, fkid) per key of a row that names
 * no parent row, rows in key order and, within a row, keys by number; a missing parent table is
 * a violation for every key without a null. A key no unique index serves is its error.
 */
export function foreignKeyCheck(
  tx: ReadTransaction,
  catalog: Catalog,
  name: string | undefined,
): Record<string, unknown>[] {
  const tables = name === undefined ? catalog.tables() : [catalog.requireTable(name)]
  const out: Record<string, unknown>[] = []
  for (const table of tables) {
    const keys = numbered(catalog, table).map((fk) => resolve(catalog, fk))
    if (keys.length === 0) continue
    for (const key of keys) if ('error' in key && !key.missing) throw key.error
    const bucket = readBucket(tx, table)
    if (bucket === undefined) continue
    for (const [rowKey, bytes] of bucket.entries()) {
      const row = rowView(table, bytes)
      keys.forEach((key, fkid) => {
        const violated = 'error' in key ? !childKeyHasNull(key.fk, row) : !parentFound(tx, key, row)
        if (!violated) return
        const rowid = table.keying === 'rowid' ? decodeKeyInteger(rowKey) : (row.hiddenRowid ?? null)
        out.push({ table: table.name, rowid, parent: key.fk.parent, fkid })
      })
    }
  }
  return out
}
