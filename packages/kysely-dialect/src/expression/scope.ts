import type { ColumnDef, TableDef } from '../catalog/catalog.js'
import { BTreeSqlError, unsupported } from '../errors.js'
import type { SqlValue } from '../encoding/values.js'

/** One source's current row: a lazily decoded stored row, or values computed by a statement. */
export interface RowLike {
  get(slot: number): SqlValue
  /**
   * The row's rowid, read by the `rowid` pseudo-column (rowidColumn): a stored row's hidden one or
   * its key's, an inserted or updated row's as the write gave it. Absent where no such row is read.
   */
  rowid?(): SqlValue
}

/** The rows an expression sees, one per source of the statement (one until joins exist). */
export type Tuple = readonly RowLike[]

/** A row held as an array of slot values (inserted and updated rows before they are encoded). */
export class ArrayRow implements RowLike {
  /**
   * `id`: the row's rowid where the statement knows it (an insert's RETURNING), or how to read it
   * (an update's: the row it updated, read only when RETURNING names it).
   */
  constructor(
    readonly values: SqlValue[],
    readonly id?: SqlValue | (() => SqlValue),
  ) {}
  get(slot: number): SqlValue {
    return this.values[slot] ?? null
  }
  rowid(): SqlValue {
    const id = this.id
    if (id === undefined) throw unsupported('the rowid of a row computed here')
    return typeof id === 'function' ? id() : id
  }
}

export interface Source {
  table: TableDef
  /** The name columns are qualified with: the alias, or the table's name. */
  name: string
  /**
   * Columns (lower case) an unqualified name and `*` do not find here: the right table's copy of a
   * USING join's column, which names the left table's (executor/using-joins.ts).
   */
  hidden?: ReadonlySet<string>
  /**
   * Set when a name resolved to this source's rowid pseudo-column: its rows must then come with
   * their keys (a scan of rows alone, row-source.ts: eachTransientRow, is no longer enough).
   */
  rowidRead?: boolean
}

export interface ResolvedColumn {
  source: number
  column: ColumnDef
}

/** The tables a statement reads, and how names resolve against them. */
export class Scope {
  constructor(readonly sources: readonly Source[]) {}

  resolve(column: string, table?: string): ResolvedColumn {
    const lower = column.toLowerCase()
    let found = this.#find(column, table, (t, s) =>
      table === undefined && s.hidden?.has(lower) === true
        ? undefined
        : t.columns.find((col) => col.name.toLowerCase() === lower),
    )
    // `rowid`, `_rowid_` or `oid` naming no column: the `integer primary key` column, which SQLite's
    // rowid is (a table keyed otherwise has no rowid a statement can read here).
    // Any other table with a rowid (not WITHOUT ROWID, not a view's or a derived table's columns):
    // the rowid pseudo-column, after every real column as SQLite looks names up.
    if (found === undefined && ROWID_NAMES.has(lower))
      found = this.#find(column, table, (t) =>
        t.keying === 'rowid' && t.rowidColumn !== undefined
          ? t.columns.find((col) => col.name === t.rowidColumn)
          : rowidColumn(t),
      )
    if (found?.column.slot === ROWID_SLOT) this.sources[found.source]!.rowidRead = true
    if (found === undefined) {
      const where = table === undefined ? '' : `${table}.`
      throw new BTreeSqlError('BTREE_SQL_NO_SUCH_COLUMN', `no such column: ${where}${column}`)
    }
    return found
  }

  /** The one source (named `table`, when given) whose `pick` is a column; two are ambiguous. */
  #find(
    column: string,
    table: string | undefined,
    pick: (t: TableDef, s: Source) => ColumnDef | undefined,
  ): ResolvedColumn | undefined {
    let found: ResolvedColumn | undefined
    for (let i = 0; i < this.sources.length; i++) {
      const s = this.sources[i]!
      if (table !== undefined && s.name.toLowerCase() !== table.toLowerCase()) continue
      const c = pick(s.table, s)
      if (c === undefined) continue
      if (found !== undefined) throw new BTreeSqlError('BTREE_SQL_NO_SUCH_COLUMN', `ambiguous column name: ${column}`)
      found = { source: i, column: c }
    }
    return found
  }

  sourceNamed(table: string): number {
    const i = this.sources.findIndex((s) => s.name.toLowerCase() === table.toLowerCase())
    if (i < 0) throw new BTreeSqlError('BTREE_SQL_NO_SUCH_TABLE', `no such table: ${table}`)
    return i
  }
}

/** The names SQLite gives a table's rowid (each a column's own name first). */
export const ROWID_NAMES = new Set(['rowid', '_rowid_', 'oid'])

/**
 * The slot of the rowid pseudo-column: no stored slot, so no index, key or covering entry ever
 * names it (planner/access-path.ts finds no column for it), and an expression reads it through
 * RowLike.rowid (expression.ts: columnExpr).
 */
export const ROWID_SLOT = -2

const rowidColumns = new WeakMap<TableDef, ColumnDef>()

/**
 * The rowid pseudo-column of a table whose rowid no column holds (one made per definition), or
 * undefined when it has none to read: a WITHOUT ROWID table, a view's or a derived table's
 * columns (id -1, catalog.ts: columnsTable), as SQLite has "no such column" there.
 */
export function rowidColumn(table: TableDef): ColumnDef | undefined {
  if (table.withoutRowid === true || table.id < 0 || (table.keying === 'rowid' && table.rowidColumn !== undefined))
    return undefined
  let c = rowidColumns.get(table)
  if (c === undefined) {
    c = { name: 'rowid', slot: ROWID_SLOT, type: '', affinity: 'integer', notNull: false }
    rowidColumns.set(table, c)
  }
  return c
}

/** A scope with no tables: expressions of `values (...)` and constants. */
export const EMPTY_SCOPE = new Scope([])
