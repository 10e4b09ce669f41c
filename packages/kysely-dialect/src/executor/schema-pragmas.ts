import { schemaTableOf, type Catalog, type ColumnDefault, type TableDef } from '../catalog/catalog.js'
import { loadValue } from '../catalog/stored-value.js'
import { Real } from '../encoding/values.js'
import { reportedType } from '../catalog/affinity.js'
import { isStoredGenerated } from './generated-columns.js'

/**
 * `pragma table_info(t)`: a row per column of t (cid, name, type, notnull, dflt_value, pk), as
 * SQLite lists them: the declared type (a standard name in capitals), the default as written (an
 * expression's without its parentheses; rebuilt as SQL from the value when its text is not known),
 * and for a primary key column its place in the key from 1. Generated columns are left out and the
 * cids count the others, as in SQLite (table_xinfo lists them). Nothing for a missing table.
 */
export function tableInfo(catalog: Catalog, name: string | undefined): Record<string, unknown>[] {
  return tableXinfo(catalog, name)
    .filter((row) => row['hidden'] === 0)
    .map(({ hidden: _hidden, ...row }, cid) => ({ ...row, cid }))
}

/**
 * `pragma table_xinfo(t)`: table_info's rows for every column, generated ones included, with
 * `hidden`: 0, or 2 for a VIRTUAL generated column and 3 for a STORED one (SQLite's values).
 */
export function tableXinfo(catalog: Catalog, name: string | undefined): Record<string, unknown>[] {
  const table = name === undefined ? undefined : catalog.table(name)
  if (table === undefined) {
    if (name === undefined) return []
    // A view's columns, typed as its select's (a column's declared type, else none), as SQLite lists them.
    const view = catalog.view(name)
    if (view !== undefined)
      return view.columns.map((c, cid) => ({
        cid,
        name: c.name,
        type: reportedType(c.type),
        notnull: 0,
        dflt_value: null,
        pk: 0,
        hidden: 0,
      }))
    const own = schemaTableOf(name)
    if (own === 'main' || own === 'temp') return SCHEMA_COLUMNS
    // sqlite_sequence, once an AUTOINCREMENT table made it.
    if (own === 'sequence' && catalog.sequenceTable) return SEQUENCE_COLUMNS
    return []
  }
  return table.columns.map((c, cid) => ({
    cid,
    name: c.name,
    type: reportedType(c.type),
    notnull: c.notNull ? 1 : 0,
    dflt_value: c.default === undefined ? null : defaultText(c.default),
    pk: table.primaryKey.indexOf(c.name) + 1,
    hidden: c.generated === undefined ? 0 : isStoredGenerated(c) ? 3 : 2,
  }))
}

/** The columns of sqlite_schema, as table_xinfo lists them (table_info drops `hidden`). */
const SCHEMA_COLUMNS: Record<string, unknown>[] = [
  ['type', 'TEXT'],
  ['name', 'TEXT'],
  ['tbl_name', 'TEXT'],
  ['rootpage', 'INT'],
  ['sql', 'TEXT'],
].map(([name, type], cid) => ({ cid, name, type, notnull: 0, dflt_value: null, pk: 0, hidden: 0 }))

/** The columns of sqlite_sequence (`CREATE TABLE sqlite_sequence(name,seq)`: no types). */
const SEQUENCE_COLUMNS: Record<string, unknown>[] = ['name', 'seq'].map((name, cid) => ({
  cid,
  name,
  type: '',
  notnull: 0,
  dflt_value: null,
  pk: 0,
  hidden: 0,
}))

/**
 * `pragma table_list [(t)]` (SQLite 3.37+): a row per table and view (schema, name, type, ncol,
 * wr for WITHOUT ROWID, strict), generated columns counted; main's, then temp's (the temporary
 * views and tables, newest first), each schema's own table last (`sqlite_schema`, `sqlite_temp_schema`, five columns).
 * SQLite lists a schema in the order of its hash table of names, which depends on the
 * connection's history (what it made, dropped and renamed, a schema read afresh after reopening):
 * newest first while the schema has at most four entries, its own table among them and last; from
 * the fifth on, as the names hash. Here a schema is always in that first order (the same rows as
 * SQLite, in SQLite's order for up to three tables made one after another): views first (by name:
 * the catalog keeps no order of views), then tables newest first, its own table last. `t` is matched
 * without regard to case, against SQLite's internal names of its own tables (`sqlite_master`,
 * `sqlite_temp_master`), as SQLite does; `schema` keeps one schema's rows.
 */
export function tableList(
  catalog: Catalog,
  name: string | undefined,
  schema: 'main' | 'temp' | undefined,
): Record<string, unknown>[] {
  const rows: { schema: string; name: string; type: string; ncol: number; wr: number; strict: number }[] = []
  const wanted = name?.toLowerCase()
  const add = (schemaName: string, shown: string, matched: string, type: string, ncol: number, table?: TableDef) => {
    if (wanted !== undefined && wanted !== matched.toLowerCase()) return
    const wr = table?.withoutRowid === true ? 1 : 0
    rows.push({ schema: schemaName, name: shown, type, ncol, wr, strict: table?.strict === true ? 1 : 0 })
  }
  const newestFirst = catalog.tables().sort((a, b) => b.id - a.id)
  if (schema !== 'temp') {
    const views = catalog
      .views()
      .filter((v) => v.temporary !== true)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    for (const v of views) add('main', v.name, v.name, 'view', v.columns.length)
    for (const t of newestFirst) if (t.temporary !== true) add('main', t.name, t.name, 'table', t.columns.length, t)
    add('main', 'sqlite_schema', 'sqlite_master', 'table', 5)
  }
  if (schema !== 'main') {
    // Temporary views are all of this release, each with its place among the tables (seq): newest first together.
    const temp = [
      ...catalog
        .views()
        .filter((v) => v.temporary === true)
        .map((v) => ({ at: v.seq ?? 0, add: () => add('temp', v.name, v.name, 'view', v.columns.length) })),
      ...newestFirst
        .filter((t) => t.temporary === true)
        .map((t) => ({ at: t.id, add: () => add('temp', t.name, t.name, 'table', t.columns.length, t) })),
    ]
    for (const o of temp.sort((a, b) => b.at - a.at)) o.add()
    add('temp', 'sqlite_temp_schema', 'sqlite_temp_master', 'table', 5)
  }
  return rows
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
  return indexXinfo(catalog, name)
    .filter((row) => row['key'] === 1)
    .map(({ seqno, cid, name: column }) => ({ seqno, cid, name: column }))
}

/**
 * `pragma index_xinfo(i)`: index_info's rows with `desc`, `coll` (the part's collation: a COLLATE
 * in it, else its column's declared one as the catalog keeps it, lower case, else BINARY) and
 * `key` 1, then the columns each entry also holds (`key` 0), as SQLite lists them: a rowid
 * table's rowid (cid -1), a WITHOUT ROWID table's primary key columns not among the parts, and
 * for its primary key's own index the table's other columns.
 */
export function indexXinfo(catalog: Catalog, name: string | undefined): Record<string, unknown>[] {
  if (name === undefined) return []
  const lower = name.toLowerCase()
  for (const table of catalog.tables()) {
    const ownKey = table.primaryKeyIndex?.name.toLowerCase() === lower
    const index = ownKey ? undefined : table.indexes.find((i) => i.name.toLowerCase() === lower)
    if (!ownKey && index === undefined) continue
    const keys: Part[] = ownKey
      ? table.primaryKey.map((c, i) => columnPart(table, c, undefined, table.primaryKeyIndex!.descending?.[i] === true))
      : index!.expressions === undefined
        ? index!.columns.map((c, i) => columnPart(table, c, undefined, index!.descending?.[i] === true))
        : index!.expressions.map((part, i) => expressionPart(table, part, index!.descending?.[i] === true))
    const named = new Set(keys.map((k) => (typeof k.name === 'string' ? k.name.toLowerCase() : '')))
    let held: Part[]
    if (table.withoutRowid !== true) held = [{ cid: -1, name: null, desc: 0, coll: 'BINARY' }]
    else {
      const columns = ownKey ? table.columns.map((c) => c.name) : table.primaryKey
      held = columns.filter((c) => !named.has(c.toLowerCase())).map((c) => columnPart(table, c, undefined, false))
    }
    return [...keys.map((k) => ({ ...k, key: 1 })), ...held.map((k) => ({ ...k, key: 0 }))].map((row, seqno) => ({
      seqno,
      ...row,
    }))
  }
  return []
}

interface Part {
  cid: number
  name: string | null
  desc: number
  coll: string
}

function columnPart(table: TableDef, column: string, collate: string | undefined, desc: boolean): Part {
  const cid = table.columns.findIndex((c) => c.name.toLowerCase() === column.toLowerCase())
  return {
    cid,
    name: table.columns[cid]?.name ?? column,
    desc: desc ? 1 : 0,
    coll: collate ?? table.columns[cid]?.collation ?? 'BINARY',
  }
}

/**
 * An expression index's part (stored-node.ts): a bare column (a ColumnNode or reference), or one
 * under a COLLATE, is that column; any other expression is cid -2 with no name.
 */
function expressionPart(table: TableDef, part: unknown, desc: boolean): Part {
  let n = part as Record<string, unknown>
  let collate: string | undefined
  if (n['kind'] === 'CollateNode') {
    const c = (n['collation'] as { name?: unknown } | undefined)?.name
    if (typeof c === 'string') collate = c
    n = n['operand'] as Record<string, unknown>
  }
  const column =
    n['kind'] === 'ReferenceNode' && n['table'] === undefined ? (n['column'] as Record<string, unknown>) : n
  const name = column['kind'] === 'ColumnNode' ? (column['column'] as { name?: unknown } | undefined)?.name : undefined
  if (typeof name === 'string') return columnPart(table, name, collate, desc)
  return { cid: -2, name: null, desc: desc ? 1 : 0, coll: collate ?? 'BINARY' }
}
