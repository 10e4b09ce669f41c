import type { AnyNode } from '../expression/nodes.js'
import type { AccessPath, TableStats } from './access-path.js'
import { keyWidth, rowWidth } from './widths.js'
import { ROWID_KEY, valueCount } from './terms.js'

/**
 * SQLite's query planner arithmetic (where.c, util.c), without statistics beyond a table's row
 * count: what the join order is chosen by, so that it is SQLite's (executor/sqlite-order.ts).
 * Costs and row counts are LogEst: ten times the base-2 logarithm, as integers.
 */

const LOG_EST_DIGITS = [0, 2, 3, 5, 6, 7, 8, 9]

/** sqlite3LogEst: the LogEst of a count. */
export function logEst(count: number): number {
  let x = Math.max(0, Math.floor(count))
  let y = 40
  if (x < 8) {
    if (x < 2) return 0
    while (x < 8) {
      y -= 10
      x *= 2
    }
  } else {
    while (x > 255) {
      y += 40
      x = Math.floor(x / 16)
    }
    while (x > 15) {
      y += 10
      x = Math.floor(x / 2)
    }
  }
  return LOG_EST_DIGITS[x & 7]! + y - 10
}

const ADD_STEPS = [10, 10, 9, 9, 8, 8, 7, 7, 7, 6, 6, 6, 5, 5, 5, 4, 4, 4, 4, 3, 3, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2, 2]

/** sqlite3LogEstAdd: the LogEst of the sum of two counts given as LogEst. */
export function logEstAdd(a: number, b: number): number {
  const [hi, lo] = a >= b ? [a, b] : [b, a]
  if (hi > lo + 49) return hi
  if (hi > lo + 31) return hi + 1
  return hi + ADD_STEPS[hi - lo]!
}

/** estLog: the LogEst of log2 of a count given as LogEst (a seek's comparisons). */
export function estLog(n: number): number {
  return n <= 10 ? 0 : logEst(n) - 33
}

/** A table no ANALYZE measured: SQLite supposes 2^20 rows (build.c: nRowLogEst = 200). */
export const UNMEASURED = 200
export const UNMEASURED_ROWS = 2 ** 20

/** One way SQLite reads a table in a join, per run of the loop: its cost, its rows, a one-time setup. */
export interface SqliteLoop {
  readonly rRun: number
  readonly nOut: number
  readonly rSetup: number
}

/** A row's width as SQLite estimates it (szTabRow, szIdxRow: LogEst of four times the columns' sizes). */
function widthLogEst(width: number): number {
  return logEst(width * 4)
}

/**
 * The loop SQLite's whereLoopAddBtree / whereLoopAddBtreeIndex make of a path on a table of
 * `rSize` rows (LogEst), before whereLoopOutputAdjust: a full scan costs 3 a row (+16), a scan of
 * a covering index its entries' share of a row; a seek log2 N (estLog) and, per row it yields,
 * the entries' share (an integer primary key's rows 3 each) plus, for an index that does not
 * cover, a seek into the table (3 a row); an equality on k columns of an index yields 10, 9, 8, 7,
 * 6, then 5 rows (sqlite3DefaultRowEst), on a whole unique key one; a range bound a quarter, both
 * bounds a sixty-fourth, at least 2 rows (whereRangeScanEst); an `in` list its length times.
 * `measured`: an ANALYZE has run, and an index's rows per key are its statistics.
 */
export function sqliteLoop(
  path: AccessPath,
  rSize: number,
  reads: ReadonlySet<number> | undefined,
  measured: boolean,
): SqliteLoop {
  if (path.access === 'or' && path.branches !== undefined) {
    // whereLoopAddOr: the disjuncts' loops summed (whereOrInsert), and 1 more for the rowids' set.
    let rRun: number | undefined
    let nOut: number | undefined
    for (const b of path.branches) {
      const loop = sqliteLoop(b, rSize, undefined, measured)
      rRun = rRun === undefined ? loop.rRun : logEstAdd(rRun, loop.rRun)
      nOut = nOut === undefined ? loop.nOut : logEstAdd(nOut, loop.nOut)
    }
    return { rRun: rRun! + 1, nOut: nOut!, rSetup: 0 }
  }
  const table = path.table
  // A primary key that is not the rowid is, in SQLite, a unique index of the rowid table
  // (sqlite_autoindex_<table>_1): it is sought as an index, and covers a statement reading its
  // columns alone.
  const keyIndex = path.index === undefined && table.keying === 'key' && table.withoutRowid !== true
  const index = keyIndex ? undefined : path.index
  const keyCovers =
    keyIndex &&
    reads !== undefined &&
    [...reads].every((slot) => table.primaryKey.includes(table.columns.find((c) => c.slot === slot)?.name ?? ''))
  const covering = (index !== undefined && path.covered !== undefined) || keyCovers
  const entryKey = keyIndex ? [...table.primaryKey, ROWID_KEY] : path.key
  const entryShare =
    index === undefined && !keyIndex
      ? undefined
      : Math.floor((15 * widthLogEst(keyWidth(table, entryKey))) / widthLogEst(rowWidth(table)))
  if (path.seek === undefined) {
    // The table itself, or the key's index when it covers (SCAN t USING COVERING INDEX).
    if (index === undefined) return { rRun: keyCovers ? rSize + 1 + entryShare! : rSize + 16, nOut: rSize, rSetup: 0 }
    const entries = rSize + 1 + entryShare!
    return { rRun: covering ? entries : logEstAdd(entries, rSize + 16), nOut: rSize, rSetup: 0 }
  }
  let nOut = rSize
  let nIn = 0
  const eq = path.eq.length
  if (eq > 0) {
    // The table's own key (its rowid, or a primary key SQLite keeps in a unique index) or an index.
    const keyColumns = index === undefined ? Math.max(1, table.primaryKey.length) : Math.max(1, index.columns.length)
    const unique = index === undefined || index.unique
    nOut = unique && eq >= keyColumns ? 0 : ([33, 32, 30, 28, 26][eq - 1] ?? 23)
    // After an ANALYZE, sqlite_stat1's rows per key (analyze.c: the rows over the distinct
    // prefixes, rounded up, 2 taken as 1 when nearly every prefix is distinct).
    const perKey = measured ? index?.rowsPerKey?.[eq - 1] : undefined
    if (perKey !== undefined) {
      const stat = Math.ceil(perKey - 1e-9)
      nOut = logEst(stat === 2 && perKey <= 1.1 ? 1 : stat)
    }
    for (const t of path.eq) if (t.op === 'null') nOut += 10
    for (const t of path.eq) if (valueCount(t) > 1) nIn += logEst(valueCount(t))
  }
  if (path.lower !== undefined || path.upper !== undefined || path.like !== undefined) {
    // A like prefix is two bounds (`>=` and `<`, its virtual terms).
    const bounds = path.like !== undefined ? 2 : (path.lower === undefined ? 0 : 1) + (path.upper === undefined ? 0 : 1)
    let ranged = nOut - 20 * bounds - (bounds === 2 ? 20 : 0)
    if (ranged < 10) ranged = 10
    nOut = Math.min(nOut - bounds, ranged)
  }
  const rLogSize = estLog(rSize)
  const rCostIdx = logEstAdd(rLogSize, entryShare === undefined ? nOut + 16 : nOut + 1 + entryShare)
  const rRun = entryShare === undefined || covering ? rCostIdx : logEstAdd(rCostIdx, nOut + 16)
  return { rRun: rRun + nIn, nOut: nOut + nIn, rSetup: 0 }
}

/**
 * An automatic index SQLite may build on a table of `rSize` rows for an equality no index serves
 * (whereLoopAddBtree): 7·N·log2 N once (a LogEst of 28 over N·log2 N; for a subquery's rows 25
 * under it, where.c's tuning for views), then a seek per run, 20 rows each.
 */
export function automaticIndexLoop(rSize: number, derived: boolean): SqliteLoop {
  const rLogSize = estLog(rSize)
  return { rSetup: Math.max(0, rLogSize + rSize + (derived ? -25 : 28)), rRun: logEstAdd(rLogSize, 43), nOut: 43 }
}

/**
 * whereLoopOutputAdjust: the rows a loop yields once the conditions it does not answer (and whose
 * tables it knows) filter them: each one less by a LogEst of 1, and never more than the table's
 * rows less the strongest equality's share (a quarter, a half for an integer from -1 to 1).
 */
export function outputAdjust(nOut: number, rSize: number, unanswered: readonly AnyNode[]): number {
  let reduce = 0
  let out = nOut
  for (const c of unanswered) {
    out -= 1
    if (c.kind !== 'BinaryOperationNode') continue
    const op = ((c.operator as AnyNode).operator as string).toLowerCase()
    if (op !== '=' && op !== '==' && op !== 'is') continue
    const right = c.rightOperand as AnyNode | undefined
    const value = right?.kind === 'ValueNode' ? right.value : undefined
    const small = typeof value === 'number' && Number.isInteger(value) && value >= -1 && value <= 1
    reduce = Math.max(reduce, small ? 10 : 20)
  }
  return Math.min(out, rSize - reduce)
}

/**
 * Whether SQLite's planner takes an OR loop (`or`, access-path.ts: orPath) over the best other
 * path (`best`) for a table of `stats`: by its costs of both (sqliteLoop), the cheaper run, then
 * fewer rows, with the table's rows as SQLite supposes them (2^20 unless an ANALYZE measured it).
 * Unmeasured, even a table of three rows is read by its disjuncts' indexes, its rows in their order.
 */
export function prefersOr(
  or: AccessPath,
  best: AccessPath,
  stats: TableStats,
  reads: ReadonlySet<number> | undefined,
): boolean {
  const measured = stats.measured === true
  const rSize = measured ? logEst(stats.rows) : UNMEASURED
  const a = sqliteLoop(or, rSize, reads, measured)
  const b = sqliteLoop(best, rSize, reads, measured)
  return a.rRun < b.rRun || (a.rRun === b.rRun && a.nOut < b.nOut)
}
