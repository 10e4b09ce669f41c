import type { Catalog, ColumnDefault, TableDef } from '../catalog/catalog.js'
import { loadValue } from '../catalog/stored-value.js'
import { Real } from '../encoding/values.js'
import { reportedType } from '../catalog/affinity.js'

/**
 * `pragma table_info(t)`: a row per column of t (cid, name, type, notnull, dflt_value, pk), as
 * SQLite lists them: the declared type (a standard name in capitals), the default as written (an
 * expression's without its parentheses; rebuilt as SQL from the value when its text is not known),
 * and for a primary key column its place in the key from 1. Nothing for a missing table.
 */
export function tableInfo(catalog: Catalog, name: string | undefined): Record<string, unknown>[] {
  const table = name === undefined ? undefined : catalog.table(name)
  if (table === undefined) return []
  return table.columns.map((c, cid) => ({
    cid,
    name: c.name,
    type: reportedType(c.type),
    notnull: c.notNull ? 1 : 0,
    dflt_value: c.default === undefined ? null : defaultText(c.default),
    pk: table.primaryKey.indexOf(c.name) + 1,
  }))
}

function defaultText(d: ColumnDefault): string | null {
  if (d.text !== undefined) return d.text.replace(/^\(([\s\S]*)\)$/, '$1').trim()
  if (d.kind === 'current') return `CURRENT_${d.what.toUpperCase()}`
  if (d.kind === 'expression') return null
  const v = loadValue(d.value)
  if (v === null) return 'NULL'
  if (typeof v === 'string') return `'${v.replace(/'/g, "''")}'`
  if (v instanceof Uint8Array) return `X'${Buffer.from(v).toString('hex').toUpperCase()}'`
  if (v instanceof Real) return Number.isInteger(v.value) ? `${v.value}.0` : String(v.value)
  return String(v)
}

/**
 * `pragma index_list(t)`: a row per index of t (seq, name, unique, origin, partial), newest first
 * as SQLite lists them: `c` for createIndex, `u` for a unique constraint, `pk` for the index SQLite
 * makes for a primary key the table is keyed by (this dialect's table key).
 */
export function indexList(catalog: Catalog, name: string | undefined): Record<string, unknown>[] {
  const table = name === undefined ? undefined : catalog.table(name)
  if (table === undefined) return []
  const entries = table.indexes.map((i) => ({
    id: i.id,
    name: i.name,
    unique: i.unique ? 1 : 0,
    origin: i.origin === 'unique' ? 'u' : 'c',
    partial: i.where === undefined ? 0 : 1,
  }))
  const pk = table.primaryKeyIndex
  if (pk !== undefined) entries.push({ id: pk.id, name: pk.name, unique: 1, origin: 'pk', partial: 0 })
  return entries.sort((a, b) => b.id - a.id).map(({ id: _id, ...row }, seq) => ({ seq, ...row }))
}

/**
 * `pragma index_info(i)`: a row per key column of index i (seqno, cid, name); an expression part
 * is cid -2 with no name, as in SQLite. Nothing for a name that is no index.
 */
export function indexInfo(catalog: Catalog, name: string | undefined): Record<string, unknown>[] {
  if (name === undefined) return []
  const lower = name.toLowerCase()
  for (const table of catalog.tables()) {
    if (table.primaryKeyIndex?.name.toLowerCase() === lower) return columnRows(table, table.primaryKey)
    const index = table.indexes.find((i) => i.name.toLowerCase() === lower)
    if (index === undefined) continue
    if (index.expressions === undefined) return columnRows(table, index.columns)
    return index.expressions.map((part, seqno) => {
      const column = columnPart(part)
      const cid = column === undefined ? -1 : table.columns.findIndex((c) => c.name === column)
      return cid < 0 ? { seqno, cid: -2, name: null } : { seqno, cid, name: table.columns[cid]!.name }
    })
  }
  return []
}

function columnRows(table: TableDef, columns: readonly string[]): Record<string, unknown>[] {
  return columns.map((name, seqno) => ({ seqno, cid: table.columns.findIndex((c) => c.name === name), name }))
}

/** An expression index's part that is a bare column (a ColumnNode, stored-node.ts): its name. */
function columnPart(part: unknown): string | undefined {
  const n = part as { kind?: string; column?: { name?: unknown } }
  return n.kind === 'ColumnNode' && typeof n.column?.name === 'string' ? n.column.name : undefined
}
