import type { Catalog, TableDef } from '../catalog/catalog.js'
import type { AccessPlan, JoinPlan, QueryPlan } from '../planner/plan.js'

/** A row of SQLite's EXPLAIN QUERY PLAN. */
export interface QueryPlanRow {
  id: number
  parent: number
  notused: number
  detail: string
}

/**
 * `explain query plan <statement>` as SQLite words it (eqp.html), from the plan this dialect runs
 * the statement with (explain()): a line per table in the order they are read (`SCAN t`, `SEARCH
 * t USING INTEGER PRIMARY KEY (rowid=?)`, `SEARCH t USING [COVERING] INDEX i (a=? AND b>? AND
 * b<?)`, a hash join's `SEARCH t USING AUTOMATIC COVERING INDEX (x=?)`), then `USE TEMP B-TREE FOR
 * GROUP BY` / `ORDER BY` when rows are grouped or sorted. Each table is named as the statement
 * names it (its alias). `id` numbers the lines (SQLite's are its program's addresses), `parent` is
 * 0 and `notused` 0; a range is written with both bounds; subqueries get no lines of their own.
 */
export function queryPlanRows(plan: QueryPlan | undefined, catalog: Catalog): QueryPlanRow[] {
  if (plan === undefined) return []
  const rows: QueryPlanRow[] = []
  const add = (detail: string, parent = 0): number => {
    const id = rows.length + 2
    rows.push({ id, parent, notused: 0, detail })
    return id
  }
  const branches = plan.scan.branches
  if (branches === undefined) add(accessDetail(plan.scan, catalog))
  else {
    // SQLite's lines of an OR read: the union, then each disjunct's read under an `INDEX n`.
    const or = add('MULTI-INDEX OR')
    branches.forEach((b, i) => add(accessDetail(b, catalog), add(`INDEX ${i + 1}`, or)))
  }
  for (const j of plan.joins ?? []) add(joinDetail(j, catalog))
  if (plan.grouped === true) add('USE TEMP B-TREE FOR GROUP BY')
  if (plan.sort) add('USE TEMP B-TREE FOR ORDER BY')
  return rows
}

/** SQLite's words for a seek on a table's own key: its rowid, its WITHOUT ROWID key, or the index it keeps for a primary key. */
function keyIndex(table: TableDef | undefined): { words: string; rowid: boolean } {
  if (table === undefined) return { words: 'PRIMARY KEY', rowid: false }
  if (table.keying === 'rowid') return { words: 'INTEGER PRIMARY KEY', rowid: true }
  if (table.withoutRowid === true) return { words: 'PRIMARY KEY', rowid: false }
  return { words: `INDEX ${table.primaryKeyIndex?.name ?? `sqlite_autoindex_${table.name}_1`}`, rowid: false }
}

/** `(a=? AND b>? AND b<?)`: equality on the columns before a range's, the range's both bounds. */
function terms(columns: readonly string[], range: boolean): string {
  const parts = columns.map((c, i) => (range && i === columns.length - 1 ? `${c}>? AND ${c}<?` : `${c}=?`))
  return parts.length === 0 ? '' : ` (${parts.join(' AND ')})`
}

function accessDetail(a: AccessPlan, catalog: Catalog): string {
  const range = a.seek === 'range' || a.seek === 'prefix'
  const name = a.as ?? a.table
  switch (a.access) {
    case 'full-scan':
      return `SCAN ${name}`
    case 'index':
      return a.seek === undefined
        ? `SCAN ${name} USING ${a.covering === true ? 'COVERING ' : ''}INDEX ${a.index!}`
        : `SEARCH ${name} USING ${a.covering === true ? 'COVERING ' : ''}INDEX ${a.index!}${terms(a.keyColumns, range)}`
    default: {
      const key = keyIndex(catalog.table(a.table))
      const columns = key.rowid ? a.keyColumns.map(() => 'rowid') : a.keyColumns
      return `SEARCH ${name} USING ${key.words}${terms(columns, range)}`
    }
  }
}

function joinDetail(j: JoinPlan, catalog: Catalog): string {
  switch (j.strategy) {
    case 'primary-key-lookup': {
      const key = keyIndex(catalog.table(j.table))
      const columns = key.rowid ? j.keyColumns.map(() => 'rowid') : j.keyColumns
      return `SEARCH ${j.as} USING ${key.words}${terms(columns, false)}`
    }
    case 'index-lookup':
      return `SEARCH ${j.as} USING ${j.covering === true ? 'COVERING ' : ''}INDEX ${j.index!}${terms(j.keyColumns, false)}`
    case 'hash':
      return `SEARCH ${j.as} USING AUTOMATIC COVERING INDEX${terms(j.keyColumns, false)}`
    case 'sorted-range':
      return `SEARCH ${j.as} USING AUTOMATIC COVERING INDEX${terms(j.keyColumns, true)}`
    case 'nested-loop':
      return `SCAN ${j.as}`
  }
}
