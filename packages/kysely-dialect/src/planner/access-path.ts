import type { OperationNode } from 'kysely'
import { applyComparisonAffinity } from '../catalog/affinity.js'
import type { IndexDef, TableDef } from '../catalog/catalog.js'
import { compareBytes, textBytes, type SqlValue } from '../encoding/values.js'
import { KeyWriter, KEY_NULL, prefixEnd } from '../encoding/keys.js'
import type { Expr } from '../expression/expression.js'
import { conjuncts, type AnyNode } from '../expression/nodes.js'
import type { Scope, Tuple } from '../expression/scope.js'
import {
  EXPRESSION_KEY,
  expressionKeys,
  expressionTerms,
  indexKeyCollations,
  indexKeyNames,
} from './expression-keys.js'
import { collationName, declaredCollation, folded } from '../expression/collation.js'
import { impliesCondition } from './partial-index.js'
import { prefersOr, UNMEASURED_ROWS } from './sqlite-costs.js'
import { keyWidth, rowWidth } from './widths.js'
import type { AccessPlan, KeyRange } from './plan.js'
import { keyComponentOf, orTerms, ROWID_KEY, termsOf, valueCount, type SeekValue, type Term } from './terms.js'

/** One sort key of an `order by`, already compiled. */
export interface OrderTerm {
  expr: Expr
  desc: boolean
  nulls: 'first' | 'last' | undefined
  /** The expression's node, when the term was compiled from it (not a result column's alias): an expression index's order may serve it. */
  node?: AnyNode
}

/**
 * How one source is read: the table's own key (a point lookup, a range, or every row) or one of its
 * indexes, with the terms that bound it. Values of the terms are expressions over rows known before
 * the read (constants; in a join, the tables before it): `bounds(t)` turns them into keys and
 * ranges for each such tuple. Filters always run on the rows read, so a path only has to read a
 * superset of the answer.
 */
export interface AccessPath {
  readonly table: TableDef
  readonly index: IndexDef | undefined
  readonly access: AccessPlan['access']
  readonly seek: AccessPlan['seek']
  /** The columns of the key read, in key order: the index's, then the primary key the entries end with. */
  readonly key: readonly string[]
  /** The leading key columns bounded by an equality (or an `in` list, or `is null`). */
  readonly eq: readonly Term[]
  readonly lower: Term | undefined
  readonly upper: Term | undefined
  /** `like 'abc%'` on the column after the equalities: one range per case variant, text and blob. */
  readonly like: Term | undefined
  readonly reverse: boolean
  readonly orderByKey: boolean
  readonly stopAfter: number | undefined
  /** Slots read from the index entry alone (no table lookup); undefined when the row is read. */
  readonly covered: readonly CoveredSlot[] | undefined
  readonly estimatedRows: number
  readonly cost: number
  /** Sources the term values read (besides constants). */
  readonly needs: ReadonlySet<number>
  /** Conjuncts every row the path reads satisfies: filters may skip them. */
  readonly consumed: ReadonlySet<AnyNode>
  /** An `or` access's reads, one per disjunct (chooseAccess: orPath). */
  readonly branches?: readonly AccessPath[]
}

/** A column a covering index answers: its slot in the row and its component's position in the entry. */
export interface CoveredSlot {
  readonly slot: number
  readonly position: number
  readonly reading: 'integer' | 'real' | 'unknown'
}

/** What the planner knows about a table beyond its definition. */
export interface TableStats {
  readonly rows: number
  /**
   * An ANALYZE has measured the table: the join order uses its row count, as SQLite's uses
   * sqlite_stat1's (executor/sqlite-order.ts); unmeasured, every table is supposed as large.
   */
  readonly measured?: boolean
}

/** How a statement asks for a source to be read. */
export interface AccessRequest {
  readonly table: TableDef
  readonly source: number
  readonly stats: TableStats
  /** Terms on this source (any others are ignored); only those whose needs are all `known` are used. */
  readonly terms: readonly Term[]
  readonly known: (source: number) => boolean
  readonly order: readonly OrderTerm[]
  readonly stopAfter: number | undefined
  /** Slots the statement reads from this source; undefined: every column, or cannot tell. */
  readonly reads: ReadonlySet<number> | undefined
  /**
   * The statement asks for no order (a select without an order by): a covering index may then be
   * read for being narrower than the table, as SQLite reads one (candidate: perRow).
   */
  readonly unordered?: boolean
  /**
   * The order's terms compare under their own collations and their ties may come in key order
   * (min or max of a column, select-general.ts: extremeRead): a component keyed by its collation's
   * fold serves a term of that collation.
   */
  readonly collatedOrder?: boolean
  /**
   * A conjunct that is an `or` of disjuncts each of which a key or an index bounds may be read as
   * one read per disjunct (SQLite's MULTI-INDEX OR), where SQLite's costs prefer it: for a single
   * table's statement, and a join's first table.
   */
  readonly orBranches?: boolean
  /**
   * The conjuncts that filter this source's rows, and the scope they resolve in: what proves a
   * partial index usable (partial-index.ts). Without them no partial index is read.
   */
  readonly conds?: readonly AnyNode[]
  readonly scope?: Scope
}

/** SQLite's guesses without statistics: an equality on an indexed column matches ~10 rows. */
const DEFAULT_ROWS_PER_KEY = 10
/** Relative cost of reading a row through an index entry (a seek into the table) vs in key order. */
const LOOKUP_COST = 2
const SEEK_COST = 2
/** Without statistics, the share of a table's rows a partial index is guessed to hold. */
const PARTIAL_SHARE = 0.25

/** The terms of a where (or on) clause on one source. */
export function whereTerms(where: OperationNode | undefined, source: number, scope: Scope): Term[] {
  const out: Term[] = []
  for (const c of conjuncts(where)) out.push(...termsOf(c, source, scope))
  return out
}

/**
 * The components of a table's own key: its primary key's columns, or its rowid (ROWID_KEY) for a
 * table keyed by a rowid no column holds, whose key (and every index entry's tail) is the rowid
 * encoded as a `where rowid = ?` seeks it (executor/table-store.ts: insertRow).
 */
function ownKey(table: TableDef): readonly string[] {
  return table.keying === 'rowid' && table.rowidColumn === undefined && table.withoutRowid !== true
    ? ROWID_ONLY
    : table.primaryKey
}

const ROWID_ONLY: readonly string[] = [ROWID_KEY]

function keyColumns(table: TableDef, index: IndexDef | undefined): readonly string[] {
  return index === undefined ? ownKey(table) : [...indexKeyNames(table, index), ...ownKey(table)]
}

/**
 * The collations of a key's components (lower case, undefined for BINARY), in key order: a
 * column's declared one (ColumnDef.collation), an expression part's (expression-keys.ts), as the
 * keys were written (executor/table-store.ts: writeColumns, writeIndexKey).
 */
function keyCollations(table: TableDef, index: IndexDef | undefined): (string | undefined)[] {
  const parts = index === undefined ? [] : indexKeyCollations(table, index)
  const own = ownKey(table).map((name) => table.columns.find((c) => c.name === name)?.collation)
  return [...parts, ...own]
}

/** A term on `column` with operator `op` whose comparison's collation is the key component's. */
function pick(terms: readonly Term[], column: string, op: Term['op'], collation: string | undefined): Term | undefined {
  let best: Term | undefined
  for (const t of terms) {
    if (t.column !== column || t.op !== op || t.collation !== collation) continue
    // One value beats a list: a longer key prefix stays ordered.
    if (best === undefined || valueCount(t) < valueCount(best)) best = t
  }
  return best
}

/** Rows per distinct value of the first k key columns. */
function rowsPerKey(table: TableDef, index: IndexDef | undefined, k: number, rows: number): number {
  if (k === 0) return rows
  const indexed = index === undefined ? 0 : (index.expressions?.length ?? index.columns.length)
  if (index === undefined ? k >= table.primaryKey.length : k > indexed || (index.unique && k === indexed)) return 1
  const stat = index?.rowsPerKey?.[k - 1]
  if (stat !== undefined) return Math.max(1, Math.min(rows, stat))
  return Math.max(1, Math.min(rows, Math.ceil(DEFAULT_ROWS_PER_KEY / k)))
}

/**
 * Whether the order by is the key order from column `fixed` on (columns before it are fixed by
 * equalities), all one direction, with nulls where the key order puts them (first ascending).
 */
function orderFollowsKey(
  key: readonly string[],
  source: number,
  order: readonly OrderTerm[],
  fixed: number,
  collations: readonly (string | undefined)[],
  keyOf?: (node: OperationNode) => string | undefined,
  collatedOrder = false,
): { orderByKey: boolean; reverse: boolean } {
  if (order.length === 0) return { orderByKey: true, reverse: false }
  let desc: boolean | undefined
  let next = fixed
  for (const term of order) {
    const c = term.expr.column
    const component = keyComponentOf(term.expr, source)
    let i = component === undefined ? -1 : key.indexOf(component)
    // An indexed expression, ordered by as the index writes it.
    if (i < 0 && c === undefined && keyOf !== undefined && term.node !== undefined) {
      const name = keyOf(term.node)
      if (name !== undefined) i = key.indexOf(name)
    }
    if (i < 0) return { orderByKey: false, reverse: false }
    if (i < fixed) continue
    // A component keyed by its fold (a collated column) is in the collation's order, ties unordered:
    // a term that sorts under that collation is no bare column (query-parts.ts: collatedKey).
    if (collatedOrder) {
      if (declaredCollation(collationName(term.expr) ?? 'binary') !== collations[i])
        return { orderByKey: false, reverse: false }
    } else if (collations[i] !== undefined) return { orderByKey: false, reverse: false }
    if (i !== next) return { orderByKey: false, reverse: false }
    next++
    if (desc !== undefined && desc !== term.desc) return { orderByKey: false, reverse: false }
    desc = term.desc
    const nullsFirst = term.nulls === undefined ? !term.desc : term.nulls === 'first'
    if (nullsFirst === term.desc) return { orderByKey: false, reverse: false }
  }
  return { orderByKey: true, reverse: desc === true }
}

function coveredSlots(
  table: TableDef,
  index: IndexDef,
  reads: ReadonlySet<number> | undefined,
): CoveredSlot[] | undefined {
  if (reads === undefined) return undefined
  const key = keyColumns(table, index)
  const out: CoveredSlot[] = []
  for (const slot of reads) {
    const column = table.columns.find((c) => c.slot === slot)
    const position = column === undefined ? -1 : key.indexOf(column.name)
    // A collated column's component is its value's fold, not its value.
    if (column === undefined || position < 0 || column.collation !== undefined) return undefined
    const a = column.affinity
    out.push({
      slot,
      position,
      reading: a === 'real' ? 'real' : a === 'integer' || a === 'numeric' || a === 'text' ? 'integer' : 'unknown',
    })
  }
  return out.sort((a, b) => a.position - b.position)
}

function candidate(req: AccessRequest, index: IndexDef | undefined): AccessPath {
  const { table, source, stats } = req
  const usable = req.terms.filter((t) => t.source === source && [...t.needs].every(req.known))
  const key = keyColumns(table, index)
  const collations = keyCollations(table, index)
  const eq: Term[] = []
  let k = 0
  for (; k < key.length; k++) {
    const t = pick(usable, key[k]!, 'eq', collations[k]) ?? pick(usable, key[k]!, 'null', undefined)
    if (t === undefined) break
    eq.push(t)
    if (valueCount(t) > 1) {
      k++
      break
    }
  }
  const rangeColumn = k < key.length ? key[k] : undefined
  const lower = rangeColumn === undefined ? undefined : pick(usable, rangeColumn, 'lower', collations[k])
  const upper = rangeColumn === undefined ? undefined : pick(usable, rangeColumn, 'upper', collations[k])
  // A like prefix's ranges are of values as stored: no collated (folded) component.
  const like =
    rangeColumn === undefined || lower !== undefined || upper !== undefined || collations[k] !== undefined
      ? undefined
      : pick(usable, rangeColumn, 'prefix', undefined)
  const fixed = eq.filter((t) => valueCount(t) === 1 || t.op === 'null').length
  const keyOf =
    index?.expressions !== undefined && req.scope !== undefined && req.order.length > 0
      ? expressionKeys(table, source, req.scope)
      : undefined
  const ordered =
    eq.length > 0 && valueCount(eq[eq.length - 1]!) > 1
      ? orderFollowsKey(key, source, req.order, fixed, collations, keyOf, req.collatedOrder)
      : orderFollowsKey(key, source, req.order, eq.length, collations, keyOf, req.collatedOrder)
  const needs = new Set<number>()
  const used = new Map<AnyNode, number>()
  for (const t of [...eq, lower, upper]) {
    if (t === undefined) continue
    for (const n of t.needs) needs.add(n)
    used.set(t.conjunct, (used.get(t.conjunct) ?? 0) + 1)
  }
  const consumed = new Set<AnyNode>()
  for (const t of [...eq, lower, upper])
    if (t !== undefined && t.of > 0 && used.get(t.conjunct) === t.of) consumed.add(t.conjunct)

  let seeks = 1
  for (const t of eq) seeks *= t.op === 'null' ? 1 : valueCount(t)
  let rows = seeks * rowsPerKey(table, index, eq.length, stats.rows)
  if (index?.where !== undefined && (eq.length === 0 || index.rowsPerKey?.[eq.length - 1] === undefined))
    rows *= PARTIAL_SHARE
  if (lower !== undefined) rows /= 4
  if (upper !== undefined) rows /= 4
  if (like !== undefined) rows /= 16
  rows = Math.min(rows, stats.rows)
  const point = index === undefined && eq.length === key.length && key.length > 0 && eq.every((t) => t.op === 'eq')
  const bounded = eq.length > 0 || lower !== undefined || upper !== undefined || like !== undefined
  const covered = index === undefined ? undefined : coveredSlots(table, index, req.reads)
  const stopAfter = ordered.orderByKey ? req.stopAfter : undefined
  let read = stopAfter === undefined ? rows : Math.min(rows, 2 * stopAfter + 1)
  if (req.order.length > 0 && !ordered.orderByKey) read += (rows * Math.log2(rows + 2)) / 8
  // An index that answers the query alone costs its entries' share of a row's width, as SQLite
  // estimates them (szIdxRow / szTabRow: a text or blob column ~5 units, a number 1), when the
  // statement asks for no order: a narrower index is read before the table, as SQLite reads one
  // (`select label from item`: SCAN USING COVERING INDEX), its rows then coming out in its order.
  const perRow =
    index === undefined
      ? 1
      : covered === undefined
        ? LOOKUP_COST
        : req.unordered === true
          ? Math.min(1, keyWidth(table, key) / rowWidth(table))
          : 1
  const cost = (bounded ? seeks * SEEK_COST * (like?.prefixes?.length ?? 1) : 0) + read * perRow
  const access: AccessPlan['access'] = index !== undefined ? 'index' : point ? 'point' : bounded ? 'range' : 'full-scan'
  const seek: AccessPlan['seek'] = !bounded
    ? undefined
    : eq.some((t) => valueCount(t) > 1)
      ? 'in'
      : lower !== undefined || upper !== undefined
        ? 'range'
        : like !== undefined
          ? 'prefix'
          : eq.some((t) => t.op === 'null')
            ? 'is-null'
            : 'equality'
  return {
    table,
    index,
    access,
    seek,
    key,
    eq,
    lower,
    upper,
    like,
    reverse: ordered.reverse,
    orderByKey: ordered.orderByKey,
    stopAfter,
    covered,
    estimatedRows: point ? seeks : rows,
    cost: point ? seeks * SEEK_COST : cost,
    needs,
    consumed,
  }
}

/**
 * The cheapest way to read a source: its key (point lookups for equality on the whole key, a range
 * for equality on a prefix and/or a range on the next column, else every row) or an index (the
 * same seeks on the index's columns, then its entries' primary key), costed from the table's row
 * count and the indexes' statistics. An index is only worth it when it bounds the read, orders it
 * for a limit, or answers the query alone.
 */
export function chooseAccess(req: AccessRequest): AccessPath {
  let best = candidate(req, undefined)
  // Terms on indexed expressions, for the expression indexes (expression-keys.ts).
  let withExpressions: AccessRequest | undefined
  for (const index of req.table.indexes) {
    // A partial index holds only the rows its condition keeps: read when the query's imply it.
    if (index.where !== undefined && !partialUsable(req, index)) continue
    let asked = req
    if (index.expressions !== undefined) {
      if (req.conds === undefined || req.scope === undefined) continue
      withExpressions ??= {
        ...req,
        terms: [...req.terms, ...expressionTerms(req.table, req.conds, req.source, req.scope)],
      }
      asked = withExpressions
    }
    const c = candidate(asked, index)
    // A partial index read whole still reads fewer rows than the table.
    const useful =
      c.seek !== undefined ||
      (c.orderByKey && req.order.length > 0) ||
      c.covered !== undefined ||
      index.where !== undefined
    if (useful && c.cost < best.cost) best = c
  }
  if (req.orBranches === true && best.seek === undefined && req.order.length === 0) {
    // As SQLite's planner chooses, by its costs, the table as large as it supposes it: an OR loop
    // reads the rows in another order than a scan, and a total() of reals rounds by that order.
    const or = orPath(req)
    if (or !== undefined && prefersOr(or, best, req.stats, req.reads)) best = or
  }
  return best
}

/**
 * SQLite's OR optimization (where.c: whereLoopAddOr): a conjunct `x or y or ...` whose every
 * disjunct a key or an index bounds is read as the union of their reads, in the order written,
 * each row once: the cheapest such conjunct (chooseAccess weighs it against the best other path
 * by SQLite's costs, prefersOr). The conjunct still filters (a disjunct's read may hold rows of
 * others).
 */
function orPath(req: AccessRequest): AccessPath | undefined {
  if (req.conds === undefined || req.scope === undefined) return undefined
  const scope = req.scope
  const sqliteStats = req.stats.measured === true ? req.stats : { rows: UNMEASURED_ROWS }
  let best: AccessPath | undefined
  for (const c of req.conds) {
    const disjuncts = orTerms(c)
    if (disjuncts.length < 2) continue
    const branches: AccessPath[] = []
    for (const d of disjuncts) {
      const conds = conjuncts(d as OperationNode)
      const terms = conds.flatMap((x) => termsOf(x, req.source, scope))
      // Not covering: a branch's rows are told apart by their keys, which index entries alone do not give.
      const path = chooseAccess({
        ...req,
        // Each disjunct's read as SQLite chooses it: through its index on a table it supposes large.
        stats: sqliteStats,
        terms,
        conds,
        order: [],
        stopAfter: undefined,
        reads: undefined,
        unordered: false,
        orBranches: false,
      })
      // Nor a like's prefix ranges: SQLite reads no BINARY index for a case-insensitive like.
      if (path.seek === undefined || path.seek === 'prefix' || alwaysNull(req.table, path)) break
      branches.push(path)
    }
    if (branches.length !== disjuncts.length) continue
    let cost = 0
    let rows = 0
    const needs = new Set<number>()
    for (const b of branches) {
      cost += b.cost
      rows += b.estimatedRows
      for (const n of b.needs) needs.add(n)
    }
    if (best !== undefined && best.cost <= cost) continue
    best = {
      table: req.table,
      index: undefined,
      access: 'or',
      seek: undefined,
      key: [],
      eq: [],
      lower: undefined,
      upper: undefined,
      like: undefined,
      reverse: false,
      // Only asked for without an order by: none to follow.
      orderByKey: true,
      stopAfter: undefined,
      covered: undefined,
      estimatedRows: Math.min(rows, req.stats.rows),
      cost,
      needs,
      consumed: new Set(),
      branches,
    }
  }
  return best
}

/**
 * Whether a path seeks `is null` on a column that holds no null (the rowid, a NOT NULL column):
 * SQLite's index loops skip such a term (where.c), so an `or` holding it is no MULTI-INDEX OR.
 */
function alwaysNull(table: TableDef, path: AccessPath): boolean {
  const t = path.eq.find((e) => e.op === 'null')
  if (t === undefined) return false
  const column = table.columns.find((c) => c.name === t.column)
  return t.column === ROWID_KEY || column === undefined || column.notNull || column.name === table.rowidColumn
}

function partialUsable(req: AccessRequest, index: IndexDef): boolean {
  if (req.conds === undefined || req.scope === undefined) return false
  return impliesCondition(req.table, index, req.conds, req.terms, req.source, req.scope, req.known)
}

/** The keys (point access) or key ranges (any other) of a path for a tuple of known rows, in read order. */
export interface Bounds {
  readonly keys?: readonly Uint8Array[]
  readonly ranges?: readonly KeyRange[]
}

const NOTHING: Bounds = { ranges: [] }

/** A seek's value: converted by the comparison's affinity, folded as the keys it seeks are (a collated component). */
function seekValue(v: SeekValue, t: Tuple): SqlValue {
  return convert(v, v.expr.eval(t))
}

/** `x` as seek value `v` compares it. */
function convert(v: SeekValue, x: SqlValue): SqlValue {
  return folded(applyComparisonAffinity(x, v.affinity), v.fold)
}

/** The writer of one-value keys; `finish` copies, so nothing keeps its buffer. */
const POINT_KEY = new KeyWriter()

/** Encoded prefixes for the equality columns: the product of their values, sorted, duplicates dropped. */
function prefixes(eq: readonly Term[], t: Tuple): Uint8Array[] {
  // One column equal to one value (a point lookup, most index seeks): its key alone.
  if (eq.length === 1 && eq[0]!.op === 'eq' && valueCount(eq[0]!) === 1) {
    const value = seekValue(eq[0]!.values[0]!, t)
    return value === null ? [] : [POINT_KEY.reset().value(value).finish()]
  }
  let out: Uint8Array[] = [new Uint8Array(0)]
  for (const term of eq) {
    if (term.op === 'null') {
      out = out.map((p) => concat(p, [KEY_NULL]))
      continue
    }
    const encoded: Uint8Array[] = []
    for (const v of term.values) {
      for (const value of v.many === undefined ? [seekValue(v, t)] : v.many(t).map((x) => convert(v, x))) {
        // A comparison with null is never true.
        if (value !== null) encoded.push(new KeyWriter().value(value).finish())
      }
    }
    const next: Uint8Array[] = []
    for (const p of out) for (const e of encoded) next.push(concatBytes(p, e))
    out = next
    if (out.length === 0) return out
  }
  if (out.length > 1) {
    out.sort(compareBytes)
    out = out.filter((key, i, all) => i === 0 || compareBytes(key, all[i - 1]!) !== 0)
  }
  return out
}

export function bounds(path: AccessPath, t: Tuple): Bounds {
  if (path.access === 'full-scan') return { ranges: [{}] }
  // An `or` access is read branch by branch (row-source.ts), each with bounds of its own.
  if (path.access === 'or') return NOTHING
  const heads = prefixes(path.eq, t)
  if (path.reverse) heads.reverse()
  if (path.access === 'point') return { keys: heads }
  const lower = path.lower === undefined ? undefined : seekValue(path.lower.values[0]!, t)
  const upper = path.upper === undefined ? undefined : seekValue(path.upper.values[0]!, t)
  if (lower === null || upper === null) return NOTHING
  if (path.like !== undefined) return { ranges: likeRanges(heads, path.like.prefixes!, path.reverse) }
  const ranges = heads.map((prefix): KeyRange => {
    // Comparisons are never true for null, so a range starts after the null keys.
    let gte = lower === undefined ? undefined : encodeAfter(prefix, lower)
    if (gte !== undefined && !path.lower!.inclusive) gte = prefixEnd(gte)
    if (gte === undefined && path.upper !== undefined) gte = concat(prefix, [KEY_NULL + 1])
    if (gte === undefined && prefix.length > 0) gte = prefix
    let lt = upper === undefined ? undefined : encodeAfter(prefix, upper)
    if (lt !== undefined && path.upper!.inclusive) lt = prefixEnd(lt)
    if (lt === undefined && prefix.length > 0) lt = prefixEnd(prefix)
    return { ...(gte === undefined ? {} : { gte }), ...(lt === undefined ? {} : { lt }) }
  })
  return { ranges }
}

/**
 * The ranges of keys whose component after `heads` is a text or a blob starting with one of
 * `texts`: the component's tag and escaped bytes without the terminator, to that plus KEY_AFTER.
 * Sorted, so that the reads stay in key order.
 */
function likeRanges(heads: readonly Uint8Array[], texts: readonly string[], reverse: boolean): KeyRange[] {
  const out: KeyRange[] = []
  for (const head of heads)
    for (const text of texts)
      for (const value of [text, textBytes(text)]) {
        const full = encodeAfter(head, value)
        const gte = full.subarray(0, full.length - 2)
        out.push({ gte, lt: prefixEnd(gte) })
      }
  out.sort((a, b) => compareBytes(a.gte!, b.gte!))
  if (reverse) out.reverse()
  return out
}

/**
 * The key columns a path bounds (its equalities, then at most one range), as `explain` shows them:
 * an expression index's expression part as `expression <n>`, its place in the index (from 1).
 */
export function boundedKeyColumns(path: AccessPath): string[] {
  return path.key
    .slice(0, path.eq.length + ((path.lower ?? path.upper ?? path.like) ? 1 : 0))
    .map((name, i) => (name === ROWID_KEY ? 'rowid' : name.startsWith(EXPRESSION_KEY) ? `expression ${i + 1}` : name))
}

/**
 * The plan `explain` reports for a path read with tuple `t` (constants only for a statement's
 * first table).
 */
export function describeAccess(
  path: AccessPath,
  t: Tuple,
  b: Bounds | undefined = path.needs.size === 0 ? bounds(path, t) : undefined,
): AccessPlan {
  const keyColumns = boundedKeyColumns(path)
  const range = b?.ranges?.length === 1 ? b.ranges[0] : undefined
  return {
    table: path.table.name,
    access: path.access,
    ...(path.index === undefined ? {} : { index: path.index.name }),
    ...(path.seek === undefined ? {} : { seek: path.seek }),
    keyColumns,
    ...(b?.keys === undefined ? {} : { keys: b.keys }),
    ...(range?.gte === undefined ? {} : { gte: range.gte }),
    ...(range?.lt === undefined ? {} : { lt: range.lt }),
    ...(b?.ranges !== undefined && b.ranges.length > 1 ? { ranges: b.ranges } : {}),
    reverse: path.reverse,
    orderByKey: path.orderByKey,
    stopAfter: path.stopAfter,
    covering: path.covered !== undefined,
    estimatedRows: Math.round(path.estimatedRows),
    ...(path.branches === undefined ? {} : { branches: path.branches.map((p) => describeAccess(p, t)) }),
  }
}

/**
 * The access path for a single-table statement (and a query's first table): see chooseAccess.
 * `order by` terms that follow the key order choose the direction and drop the sort, and then
 * `limit + offset` stops the scan early.
 */
export function planAccess(
  table: TableDef,
  where: OperationNode | undefined,
  scope: Scope,
  order: readonly OrderTerm[],
  stopAfter: number | undefined,
  options: {
    stats?: TableStats
    reads?: ReadonlySet<number>
    known?: (source: number) => boolean
    unordered?: boolean
    collatedOrder?: boolean
    orBranches?: boolean
  } = {},
): AccessPath {
  return chooseAccess({
    table,
    source: 0,
    stats: options.stats ?? { rows: 1000 },
    terms: whereTerms(where, 0, scope),
    known: options.known ?? NONE,
    order,
    stopAfter,
    reads: options.reads,
    ...(options.unordered === true ? { unordered: true } : {}),
    ...(options.collatedOrder === true ? { collatedOrder: true } : {}),
    ...(options.orBranches === true ? { orBranches: true } : {}),
    conds: conjuncts(where),
    scope,
  })
}

const NONE = (): boolean => false

function encodeAfter(prefix: Uint8Array, v: SqlValue): Uint8Array {
  return new KeyWriter().bytes(prefix).value(v).finish()
}

function concat(a: Uint8Array, b: number[]): Uint8Array {
  const out = new Uint8Array(a.length + b.length)
  out.set(a)
  out.set(b, a.length)
  return out
}

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b
  const out = new Uint8Array(a.length + b.length)
  out.set(a)
  out.set(b, a.length)
  return out
}
