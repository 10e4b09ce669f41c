/**
 * How a statement reads its table, as `explain` reports it.
 * - `point`: one `get` per key (primary key equality, or an `in` list on a one-column key).
 * - `range`: one ordered scan of the table's bucket between two keys.
 * - `full-scan`: every row, in key order.
 * Filters always run on the rows read, so a plan only has to read a superset of the answer.
 */
export interface AccessPlan {
  readonly table: string
  readonly access: 'point' | 'range' | 'full-scan'
  /** Primary key columns the access is bounded on (equalities first, then at most one range). */
  readonly keyColumns: readonly string[]
  /** Keys of a point access, in the order they are read. */
  readonly keys?: readonly Uint8Array[]
  readonly gte?: Uint8Array
  readonly lt?: Uint8Array
  /** Key order is read backwards (an `order by` on the key, descending). */
  readonly reverse: boolean
  /** The `order by` is satisfied by the key order: no sort step. */
  readonly orderByKey: boolean
  /** Rows stop being read after this many pass the filter (limit + offset pushed into the scan). */
  readonly stopAfter: number | undefined
}

/** The plan of one statement; `explain(db, query)` returns it without running the statement. */
export interface QueryPlan {
  readonly statement: 'select' | 'update' | 'delete'
  readonly scan: AccessPlan
  /** A sort step runs after the scan (the order by is not the key order). */
  readonly sort: boolean
}
