/** A range of keys: from `gte` (inclusive) to `lt` (exclusive); a missing end is unbounded. */
export interface KeyRange {
  readonly gte?: Uint8Array
  readonly lt?: Uint8Array
}

/**
 * How a statement reads a table, as `explain` reports it.
 * - `point`: one `get` per key (equality on the whole primary key, or an `in` list on it).
 * - `range`: ordered scans of the table's bucket between keys (equality on a key prefix and/or a
 *   range on the next key column).
 * - `index`: ordered scans of an index (`index` names it) between keys, each entry then read from
 *   the table by its primary key, or not at all when the index `covering` the query holds every
 *   column it reads.
 * - `full-scan`: every row, in key order.
 * - `or`: one read per disjunct of a where clause's `or` (`branches`), each through its own key or
 *   index, a row read again skipped (SQLite's MULTI-INDEX OR).
 * Filters always run on the rows read, so a plan only has to read a superset of the answer.
 */
export interface AccessPlan {
  readonly table: string
  /** The name the statement reads the table by, when it is an alias (`from person as p`). */
  readonly as?: string
  readonly access: 'point' | 'range' | 'index' | 'full-scan' | 'or'
  /** The index read (`index` access). */
  readonly index?: string
  /**
   * What bounds the read: `equality` on the leading key columns, an `in` list (one seek per
   * value), a `range` on the column after the equalities, `is-null`, a `prefix` (`like 'abc%'` on a
   * text column: one range per ASCII case variant, for text and blob values); absent for a whole scan.
   */
  readonly seek?: 'equality' | 'in' | 'range' | 'is-null' | 'prefix'
  /**
   * Key columns the access is bounded on (equalities first, then at most one range); an expression
   * index's expression part as `expression <n>`, its place in the index (from 1).
   */
  readonly keyColumns: readonly string[]
  /** Keys of a point access, in the order they are read. */
  readonly keys?: readonly Uint8Array[]
  /** The one range read (a range or index access with a single seek). */
  readonly gte?: Uint8Array
  readonly lt?: Uint8Array
  /** The ranges read when there are several (an `in` list on an index or key prefix). */
  readonly ranges?: readonly KeyRange[]
  /** Key order is read backwards (an `order by` on the key, descending). */
  readonly reverse: boolean
  /** The `order by` is satisfied by the key (or index) order: no sort step. */
  readonly orderByKey: boolean
  /** Rows stop being read after this many pass the filter (limit + offset pushed into the scan). */
  readonly stopAfter: number | undefined
  /** The index holds every column the statement reads: no table lookups. */
  readonly covering?: boolean
  /** The planner's estimate of the rows read, from row counts and `analyze()` statistics. */
  readonly estimatedRows?: number
  /** The reads of an `or` access, one per disjunct, in the order they run. */
  readonly branches?: readonly AccessPlan[]
}

/** The plan of one statement; `explain(db, query)` returns it without running the statement. */
export interface QueryPlan {
  readonly statement: 'select' | 'update' | 'delete'
  /** How the first table (in join order) is read. */
  readonly scan: AccessPlan
  /** A sort step runs after the scan (the order by is not the key order). */
  readonly sort: boolean
  /** Each joined table after the first, in the order they are joined (absent without joins). */
  readonly joins?: readonly JoinPlan[]
  /** Rows are grouped by a GROUP BY (aggregates over the whole result are not). */
  readonly grouped?: boolean
}

/**
 * How a joined table is read for each row of the tables before it:
 * - `primary-key-lookup`: the join fixes its primary key, or a prefix of it (index nested loop: one
 *   point read or range per outer row);
 * - `index-lookup`: the join fixes the leading columns of one of its indexes (`index`), one seek
 *   per outer row;
 * - `hash`: an equality between it and the tables before it; its rows are read once into a hash
 *   table keyed by that equality;
 * - `sorted-range`: a range between it and the tables before it (`b.x < a.y`) without an index for
 *   it: its rows are read once and sorted by that column, then binary-searched per outer row;
 * - `nested-loop`: its rows are read once and every pair is tested (cross joins, other conditions).
 * The whole on condition is always evaluated on the pairs a strategy proposes.
 */
export interface JoinPlan {
  readonly table: string
  /** The name it is referred to by (its alias, or the table's name). */
  readonly as: string
  readonly type: 'inner' | 'left' | 'right' | 'full' | 'cross'
  readonly strategy: 'primary-key-lookup' | 'index-lookup' | 'hash' | 'sorted-range' | 'nested-loop'
  /** The inner table's columns the strategy matches on. */
  readonly keyColumns: readonly string[]
  /** The index an `index-lookup` seeks in. */
  readonly index?: string
  /** The index entries hold every column read: no table lookups. */
  readonly covering?: boolean
}
