import type { OperationNode } from 'kysely'
import { findColumn, type ColumnDef, type TableDef } from '../catalog/catalog.js'
import { isInteger, type SqlValue } from '../encoding/values.js'
import { BTreeSqlError, unsupported } from '../errors.js'
import { rawText } from '../expression/nodes.js'

/**
 * SQLite's table options (lang_createtable.html): `STRICT` (stricttables.html) and `WITHOUT ROWID`
 * (withoutrowid.html), as Kysely writes them (`.modifyEnd(sql\`strict\`)`, `sql\`without rowid\``,
 * or both, comma-separated) and as a raw `create table (...) strict, without rowid` has them.
 */
export interface TableOptions {
  strict: boolean
  withoutRowid: boolean
}

function schemaError(message: string): BTreeSqlError {
  return new BTreeSqlError('BTREE_SQL_INVALID_SCHEMA', message)
}

/** The options a CreateTableNode's end modifiers name; anything else there is unsupported. */
export function tableOptions(endModifiers: readonly OperationNode[] | undefined): TableOptions {
  const options: TableOptions = { strict: false, withoutRowid: false }
  for (const modifier of endModifiers ?? []) {
    const text = rawText(modifier)
    if (text === undefined) throw unsupported(`${modifier.kind} after a table definition`)
    for (const part of text.split(',')) {
      const option = part.trim().toLowerCase().replace(/\s+/g, ' ')
      if (option === 'strict') options.strict = true
      else if (option === 'without rowid') options.withoutRowid = true
      else throw unsupported(`the table option ${part.trim()} (SQLite has STRICT and WITHOUT ROWID)`)
    }
  }
  return options
}

/** The column types a STRICT table allows, each as SQLite names it in messages. */
const STRICT_TYPES = new Set(['INT', 'INTEGER', 'REAL', 'TEXT', 'BLOB', 'ANY'])

/**
 * Applies the options to a table being created (its columns and primary key known): a STRICT
 * table's columns must each have one of the six types, an ANY one keeping values as they are (no
 * affinity); a WITHOUT ROWID table needs a primary key, whose columns are NOT NULL, and is keyed by
 * it even when it is one integer column (no rowid, so no alias of one, and no AUTOINCREMENT).
 */
export function applyTableOptions(table: TableDef, options: TableOptions, autoIncrement: boolean): void {
  if (options.strict) {
    for (const c of table.columns) strictColumn(table, c)
    table.strict = true
  }
  if (options.withoutRowid) {
    if (table.primaryKey.length === 0) throw schemaError(`PRIMARY KEY missing on table ${table.name}`)
    if (autoIncrement) throw schemaError('AUTOINCREMENT not allowed on WITHOUT ROWID tables')
    for (const name of table.primaryKey) findColumn(table, name)!.notNull = true
    table.withoutRowid = true
  }
}

/** A STRICT table's column (created, or added by alterTable): one of the six types; ANY without affinity. */
export function strictColumn(table: TableDef, c: ColumnDef): void {
  const type = c.type.trim().toUpperCase()
  if (type === '') throw schemaError(`missing datatype for ${table.name}.${c.name}`)
  if (!STRICT_TYPES.has(type)) throw schemaError(`unknown datatype for ${table.name}.${c.name}: "${c.type}"`)
  if (type === 'ANY') c.affinity = 'blob'
}

/** Each STRICT table's column types as SQLite names them, by column position (definitions are replaced, not edited). */
const strictTypes = new WeakMap<TableDef, readonly string[]>()

function typesOf(table: TableDef): readonly string[] {
  const types = table.columns.map((c) => c.type.trim().toUpperCase())
  strictTypes.set(table, types)
  return types
}

function storageName(v: SqlValue): string {
  if (isInteger(v)) return 'INT'
  if (typeof v === 'string') return 'TEXT'
  if (v instanceof Uint8Array) return 'BLOB'
  return 'REAL'
}

/**
 * A STRICT table's row (values by slot, affinity applied): a value its column's type cannot hold
 * after that conversion is SQLite's "cannot store TEXT value in INT column t.x". Null passes.
 */
export function checkStrict(table: TableDef, values: readonly SqlValue[]): void {
  const types = strictTypes.get(table) ?? typesOf(table)
  const columns = table.columns
  for (let i = 0; i < columns.length; i++) {
    const c = columns[i]!
    const v = values[c.slot] ?? null
    if (v === null) continue
    const type = types[i]!
    const kind = storageName(v)
    const fits =
      type === 'ANY' ||
      (kind === 'INT' && (type === 'INT' || type === 'INTEGER' || type === 'REAL')) ||
      (kind === 'REAL' && type === 'REAL') ||
      (kind === 'TEXT' && type === 'TEXT') ||
      (kind === 'BLOB' && type === 'BLOB')
    if (!fits)
      throw new BTreeSqlError(
        'BTREE_SQL_DATATYPE_MISMATCH',
        `cannot store ${kind} value in ${type} column ${table.name}.${c.name}`,
      )
  }
}
