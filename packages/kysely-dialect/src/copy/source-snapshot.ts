import { BTreeRangeError, type ReadTransaction } from 'btree-store'
import { loadCatalog, type ColumnDef, type TableDef, type TriggerDef, type ViewDef } from '../catalog/catalog.js'
import { compareText, type SqlValue } from '../encoding/values.js'
import { readBucket, rowView } from '../executor/table-store.js'

/** A page of rows in the table's key order and the key to resume after. */
export interface RowBatch {
  rows: SqlValue[][]
  /** The last key read; undefined when the table is exhausted. */
  resumeAfter: Uint8Array | undefined
}

/**
 * The tables to copy, read from one engine snapshot: the copy sees the database as of one commit
 * however long it takes, and writers keep going meanwhile (a snapshot never blocks them).
 */
export class SourceSnapshot {
  readonly tables: TableDef[]
  /** The views, when the whole database is copied (`tables` not given). */
  readonly views: ViewDef[]
  /** The triggers, when the whole database is copied, in the order they were made. */
  readonly triggers: TriggerDef[]
  readonly #tx: ReadTransaction

  constructor(tx: ReadTransaction, names: readonly string[] | undefined) {
    this.#tx = tx
    const catalog = loadCatalog(tx)
    // Temporary views, tables and triggers (made temp, or on those) are the source connection's own: not copied.
    this.views =
      names === undefined
        ? catalog
            .views()
            .filter((v) => v.temporary !== true)
            .sort((a, b) => compareText(a.name, b.name))
        : []
    this.triggers =
      names === undefined
        ? catalog
            .triggers()
            .filter((r) => !catalog.isTemporaryTrigger(r))
            .sort((a, b) => a.seq - b.seq)
        : []
    if (names === undefined) {
      this.tables = catalog
        .tables()
        .filter((t) => t.temporary !== true)
        .sort((a, b) => compareText(a.name, b.name))
    } else {
      this.tables = names.map((name) => catalog.requireTable(name))
      const seen = new Set<TableDef>()
      for (const t of this.tables) {
        if (seen.has(t)) throw new BTreeRangeError(`copyDatabase: the table ${t.name} is listed twice in \`tables\``)
        seen.add(t)
      }
    }
  }

  /** O(1): the engine keeps each bucket's entry count. */
  rowCount(table: TableDef): number {
    return readBucket(this.#tx, table)?.size ?? 0
  }

  /**
   * Up to `limit` rows after `after` (from the start when undefined), each as its columns' values
   * in definition order. Key order is primary-key order (SQLite's value order), or rowid order for
   * tables keyed by their rowid. O(limit + log n).
   */
  batch(table: TableDef, after: Uint8Array | undefined, limit: number): RowBatch {
    const bucket = readBucket(this.#tx, table)
    if (bucket === undefined) return { rows: [], resumeAfter: undefined }
    const rows: SqlValue[][] = []
    let last: Uint8Array | undefined
    for (const [key, value] of bucket.entries(after === undefined ? { limit } : { gt: after, limit })) {
      rows.push(columnValues(table.columns, rowView(table, value)))
      last = key
    }
    return { rows, resumeAfter: rows.length < limit ? undefined : last }
  }

  /** Every value of the table, column by column, for the type choice of targets with strict types. O(n). */
  *values(table: TableDef): Generator<SqlValue[]> {
    const bucket = readBucket(this.#tx, table)
    if (bucket === undefined) return
    for (const [, value] of bucket.entries()) yield columnValues(table.columns, rowView(table, value))
  }

  close(): void {
    this.#tx.close()
  }
}

function columnValues(columns: readonly ColumnDef[], row: { get(slot: number): SqlValue }): SqlValue[] {
  return columns.map((c) => row.get(c.slot))
}
