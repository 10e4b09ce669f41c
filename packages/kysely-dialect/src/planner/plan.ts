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
  /** Each joined table after the first, in join order (absent without joins). */
  readonly joins?: readonly JoinPlan[]
  /** Rows are grouped (group by, or aggregates over the whole result). */
  readonly grouped?: boolean
}

/**
 * How a joined table is read for each row of the tables before it:
 * - `primary-key-lookup`: the on condition fixes its whole primary key (index nested loop: one
 *   point read per outer row);
 * - `hash`: an equality between it and the tables before it; its rows are read once into a hash
 *   table keyed by that equality;
 * - `nested-loop`: its rows are read once and every pair is tested (cross joins, other conditions).
 * The whole on condition is always evaluated on the pairs a strategy proposes.
 */
export interface JoinPlan {
  readonly table: string
  /** The name it is referred to by (its alias, or the table's name). */
  readonly as: string
  readonly type: 'inner' | 'left' | 'right' | 'full' | 'cross'
  readonly strategy: 'primary-key-lookup' | 'hash' | 'nested-loop'
  /** The inner table's columns the strategy matches on. */
  readonly keyColumns: readonly string[]
}
