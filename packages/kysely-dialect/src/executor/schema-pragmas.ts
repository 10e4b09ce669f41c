import type { Catalog, ColumnDefault } from '../catalog/catalog.js'
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
