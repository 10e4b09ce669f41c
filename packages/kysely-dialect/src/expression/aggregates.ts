import type { OperationNode } from 'kysely'
import { BTreeSqlError, unsupported } from '../errors.js'
import {
  doubleOf,
  integer,
  integerFromText,
  isInteger,
  real,
  Real,
  toText,
  truth,
  type SqlValue,
} from '../encoding/values.js'
import { collatedKey, compileExpr, type Expr } from './expression.js'
import { collatedCompare, collationName, exprFold, folded, type Fold } from './collation.js'
import { jsonArgOf, JsonArrayAccumulator, JsonObjectAccumulator, type JsonArg } from './json.js'
import { nameOf, type AnyNode } from './nodes.js'
import { NestedScope, type OuterLink } from './nested-scope.js'
import type { ResolvedColumn, Scope, Source } from './scope.js'
import { SeenRows } from './value-key.js'
import { PercentileAccumulator } from './percentile.js'
import { compareTuples, type SortTerm } from './order.js'
import { orderDirection } from './nodes.js'

/** One group's running state of one aggregate call. */
export interface Accumulator {
  step(args: readonly SqlValue[]): void
  final(): SqlValue
}

/** An accumulator of one argument (or none: count(*)) that steps on the value alone, without an array. */
export interface SingleAccumulator extends Accumulator {
  stepOne(v: SqlValue | undefined): void
  /** stepOne of the real `n` (a stored float64), without boxing a whole one into a Real. */
  stepReal(n: number): void
  /** `rows` times stepOne(undefined): count(*) of rows counted elsewhere (GroupTable.addStored). */
  stepMany(rows: number): void
}

/** An aggregate call found while compiling a grouped query's selections, having and order by. */
export interface AggregateCall {
  readonly args: readonly Expr[]
  readonly distinct: boolean
  readonly filter: Expr | undefined
  readonly create: () => Accumulator
  /** A distinct call's argument's collation (collation.ts): values equal under it are one value. */
  readonly fold?: Fold
  /** min() or max() of one argument: the call bare columns may follow. */
  readonly extreme: boolean
  /** Which, for an extreme call: max (true) or min. */
  readonly highest?: boolean
  /** Its accumulators are SingleAccumulators (count, sum, total, avg, min, max). */
  readonly single: boolean
  /**
   * How a grouping that reads numbers straight from stored rows may keep this call's state in
   * typed arrays instead of stepping its accumulator per row (executor/group-by.ts): `count` for
   * count(x) (a CountAccumulator), `sum` for sum, total and avg (a SumAccumulator), undefined
   * for every other call.
   */
  readonly lane: 'count' | 'sum' | undefined
}

/**
 * The scope of a grouped query's output expressions: columns read the group's first row, and each
 * aggregate call reads its slot in `current`, the finished values of the group being emitted.
 * Aggregate arguments are compiled in a plain scope over the same sources, so an aggregate nested
 * in another is SQLite's "misuse of aggregate function" error.
 */
export class GroupScope extends NestedScope {
  readonly calls: AggregateCall[] = []
  current: readonly SqlValue[] = []
  readonly plain: Scope
  /**
   * The columns of its own sources that output expressions read from a group's row (bare columns):
   * a group keeps its first row only when one of them is not a group term (executor/group-by.ts).
   */
  readonly bare: ResolvedColumn[] = []

  constructor(sources: readonly Source[], link?: OuterLink) {
    super(sources, link)
    this.plain = new NestedScope(sources, link)
  }

  override resolve(column: string, table?: string): ResolvedColumn {
    const r = super.resolve(column, table)
    if (r.source < this.sources.length) this.bare.push(r)
    return r
  }
}

const TWO52_NUMBER = 4503599627370496
const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n

/**
 * sum(), total() and avg() as SQLite computes them (func.c sumStep): integers summed exactly while
 * every input is one; from the first real (or an integer overflow) on, a Kahan-Babuska-Neumaier
 * sum of doubles, so that sums of reals round as SQLite's do. sum() of integers that overflow is
 * an error unless a real comes later.
 */
export class SumAccumulator implements SingleAccumulator {
  #count = 0
  /** The exact integer sum while it is a safe number; then #int holds it (#big). */
  #small = 0
  #big = false
  #int = 0n
  #approx = false
  #overflow = false
  #sum = 0
  #err = 0
  constructor(readonly kind: 'sum' | 'total' | 'avg') {}

  /**
   * Takes the state a sum lane kept for this accumulator's group (executor/aggregate-lanes.ts): `count`
   * values summed, `small` their exact integer sum while `approx` is false, else `sum` + `err`,
   * the running Kahan-Babuska-Neumaier sum. The lane kept exactly what stepOne/stepReal would
   * have kept for the same values (never a BigInt, never an overflow); the accumulator steps on
   * from there.
   */
  absorb(count: number, small: number, approx: boolean, sum: number, err: number): void {
    this.#count = count
    this.#small = small
    this.#big = false
    this.#approx = approx
    this.#overflow = false
    this.#sum = sum
    this.#err = err
  }

  #init(i: bigint): void {
    const TWO52 = 4503599627370496n
    if (i <= -TWO52 || i >= TWO52) {
      const small = i % 16384n
      this.#sum = Number(i - small)
      this.#err = Number(small)
    } else {
      this.#sum = Number(i)
      this.#err = 0
    }
  }

  #step(r: number): void {
    const s = this.#sum
    const t = s + r
    if (Math.abs(s) > Math.abs(r)) this.#err += s - t + r
    else this.#err += r - t + s
    this.#sum = t
  }

  #stepInt(i: bigint): void {
    const TWO52 = 4503599627370496n
    if (i <= -TWO52 || i >= TWO52) {
      const small = i % 16384n
      this.#step(Number(i - small))
      this.#step(Number(small))
    } else {
      this.#step(Number(i))
    }
  }

  step(args: readonly SqlValue[]): void {
    // args[0], not a destructuring parameter: that goes through the array iterator on every row.
    this.stepOne(args[0])
  }

  /** Rows without an argument add nothing (only count(*) is stepped so). */
  stepMany(): void {}

  stepReal(n: number): void {
    if (!this.#approx) return this.stepOne(Number.isInteger(n) ? new Real(n) : n)
    // What stepOne does with a Real once summing doubles.
    this.#count++
    this.#overflow = false
    this.#step(n)
  }

  stepOne(v: SqlValue | undefined): void {
    if (v === null || v === undefined) return
    if (typeof v === 'string') {
      // SQLite's sumStep types each value with sqlite3_value_numeric_type: a text that is an
      // integer literal sums as that integer (any other text or a blob as a real, doubleOf).
      const i = integerFromText(v)
      if (i !== undefined) return this.stepOne(i)
    }
    this.#count++
    if (this.#approx) {
      // Summing doubles already: numbers within ±2^52 (integers included) and reals step as they
      // are, with no BigInt on the way (what #stepInt and doubleOf would give them).
      if (typeof v === 'number' && v > -TWO52_NUMBER && v < TWO52_NUMBER) {
        if (!Number.isInteger(v)) this.#overflow = false
        this.#step(v)
        return
      }
      if (v instanceof Real) {
        this.#overflow = false
        this.#step(v.value)
        return
      }
    }
    if (!this.#approx && !this.#big && typeof v === 'number' && Number.isInteger(v)) {
      // Integers summed as numbers while exact, without a BigInt per row.
      const s = this.#small + v
      if (Number.isSafeInteger(s)) {
        this.#small = s
        return
      }
    }
    if (!this.#big) {
      this.#big = true
      this.#int = BigInt(this.#small)
    }
    const integral = isInteger(v)
    if (!this.#approx) {
      if (!integral) {
        this.#init(this.#int)
        this.#approx = true
        this.#step(doubleOf(v))
        return
      }
      const x = this.#int + BigInt(v)
      if (x <= INT64_MAX && x >= INT64_MIN) {
        this.#int = x
        return
      }
      this.#overflow = true
      this.#init(this.#int)
      this.#approx = true
      this.#stepInt(BigInt(v))
      return
    }
    if (integral) this.#stepInt(BigInt(v))
    else {
      this.#overflow = false
      this.#step(doubleOf(v))
    }
  }

  final(): SqlValue {
    if (!this.#big) this.#int = BigInt(this.#small)
    const approx = this.#approx ? this.#sum + (Number.isFinite(this.#err) ? this.#err : 0) : Number(this.#int)
    if (this.kind === 'total') return real(approx)
    if (this.#count === 0) return null
    if (this.kind === 'avg') return real(approx / this.#count)
    if (!this.#approx) return integer(this.#int)
    if (this.#overflow) throw new BTreeSqlError('BTREE_SQL_INVALID_VALUE', 'integer overflow')
    return real(approx)
  }
}

export class CountAccumulator implements SingleAccumulator {
  #n = 0
  constructor(readonly all: boolean) {}
  step(args: readonly SqlValue[]): void {
    this.stepOne(args[0])
  }
  stepOne(v: SqlValue | undefined): void {
    if (this.all || v !== null) this.#n++
  }
  stepReal(): void {
    this.#n++
  }
  stepMany(rows: number): void {
    if (this.all) this.#n += rows
  }
  /** `values` non-null values counted elsewhere (a count lane, executor/group-by.ts). */
  addCounted(values: number): void {
    this.#n += values
  }
  final(): SqlValue {
    return this.#n
  }
}

class ExtremeAccumulator implements SingleAccumulator {
  #best: SqlValue = null
  /** The last step found a new minimum (maximum); ties keep the first row, as SQLite's do. */
  improved = false
  readonly #compare: (a: SqlValue, b: SqlValue) => number

  constructor(
    readonly sign: 1 | -1,
    fold: Fold | undefined,
  ) {
    this.#compare = collatedCompare(fold)
  }
  step(args: readonly SqlValue[]): void {
    this.stepOne(args[0])
  }
  stepReal(n: number): void {
    this.stepOne(Number.isInteger(n) ? new Real(n) : n)
  }
  /** Rows without an argument change no extreme (only count(*) is stepped so). */
  stepMany(): void {
    this.improved = false
  }
  stepOne(v: SqlValue | undefined): void {
    this.improved = false
    if (v === null || v === undefined) return
    if (this.#best === null || this.#compare(v, this.#best) * this.sign < 0) {
      this.#best = v
      this.improved = true
    }
  }
  final(): SqlValue {
    return this.#best
  }
}

class ConcatAccumulator implements Accumulator {
  #out: string | null = null
  step(args: readonly SqlValue[]): void {
    const v = args[0]
    const sep = args[1]
    if (v === null || v === undefined) return
    const separator = sep === undefined ? ',' : (toText(sep) ?? '')
    this.#out = this.#out === null ? toText(v) : this.#out + separator + toText(v)
  }
  final(): SqlValue {
    return this.#out
  }
}

/** SQLite's aggregate functions by name, with the argument counts that make a call an aggregate. */
const AGGREGATES: Record<
  string,
  {
    arity: readonly [number, number]
    /** `fold`: the argument's collation (min and max compare under it). */
    create: (all: boolean, json: readonly JsonArg[], fold: Fold | undefined) => Accumulator
  }
> = {
  count: { arity: [0, 1], create: (all) => new CountAccumulator(all) },
  sum: { arity: [1, 1], create: () => new SumAccumulator('sum') },
  total: { arity: [1, 1], create: () => new SumAccumulator('total') },
  avg: { arity: [1, 1], create: () => new SumAccumulator('avg') },
  min: { arity: [1, 1], create: (_all, _json, fold) => new ExtremeAccumulator(1, fold) },
  max: { arity: [1, 1], create: (_all, _json, fold) => new ExtremeAccumulator(-1, fold) },
  group_concat: { arity: [1, 2], create: () => new ConcatAccumulator() },
  // SQLite 3.44's standard name for group_concat, its separator required.
  string_agg: { arity: [2, 2], create: () => new ConcatAccumulator() },
  // SQLite's percentile functions (percentile.ts).
  median: { arity: [1, 1], create: () => new PercentileAccumulator('median', 1, false) },
  percentile: { arity: [2, 2], create: () => new PercentileAccumulator('percentile', 100, false) },
  percentile_cont: { arity: [2, 2], create: () => new PercentileAccumulator('percentile_cont', 1, false) },
  percentile_disc: { arity: [2, 2], create: () => new PercentileAccumulator('percentile_disc', 1, true) },
  json_group_array: { arity: [1, 1], create: (_all, json) => new JsonArrayAccumulator(json[0] ?? false) },
  json_group_object: { arity: [2, 2], create: (_all, json) => new JsonObjectAccumulator(json[1] ?? false) },
  jsonb_group_array: { arity: [1, 1], create: (_all, json) => new JsonArrayAccumulator(json[0] ?? false, true) },
  jsonb_group_object: { arity: [2, 2], create: (_all, json) => new JsonObjectAccumulator(json[1] ?? false, true) },
}

/** A new accumulator of aggregate `name` (a window call's, expression/window.ts); `all`: count(*). */
export function aggregateAccumulator(
  name: string,
  all: boolean,
  json: readonly JsonArg[],
  fold: Fold | undefined,
): Accumulator {
  return AGGREGATES[name]!.create(all, json, fold)
}

/** The aggregates whose accumulators are SingleAccumulators. */
const SINGLE: ReadonlySet<string> = new Set(['count', 'sum', 'total', 'avg', 'min', 'max'])

/** The aggregates a SumAccumulator computes. */
const SUM_LIKE: ReadonlySet<string> = new Set(['sum', 'total', 'avg'])

/** Whether `name(args...)` is an aggregate call in SQLite (min and max are scalar with 2+ arguments). */
export function isAggregateName(name: string, argCount: number): boolean {
  const a = AGGREGATES[name.toLowerCase()]
  return a !== undefined && argCount >= a.arity[0] && argCount <= a.arity[1]
}

/** `*` as countAll() sends it (a SelectAllNode, bare or inside a SelectionNode). */
export function isStar(node: OperationNode): boolean {
  const n = node as AnyNode
  return n.kind === 'SelectAllNode' || (n.kind === 'SelectionNode' && (n.selection as AnyNode).kind === 'SelectAllNode')
}

/**
 * An aggregate with an `order by` of its own (`group_concat(x order by y)`, SQLite 3.44): its rows'
 * arguments are kept with their sort keys (the arguments past `argCount`) and fed to a new inner
 * accumulator in that order (ties: as they came) when the value is asked for.
 */
class OrderedAccumulator implements Accumulator {
  readonly #rows: SqlValue[][] = []
  constructor(
    readonly create: () => Accumulator,
    readonly argCount: number,
    readonly terms: readonly SortTerm[],
  ) {}

  step(args: readonly SqlValue[]): void {
    this.#rows.push(args.slice())
  }

  final(): SqlValue {
    const cmp = compareTuples(this.terms)
    const n = this.argCount
    const keyed = this.#rows.map((r) => ({ args: r.slice(0, n), key: r.slice(n) }))
    keyed.sort((a, b) => cmp(a.key, b.key))
    const inner = this.create()
    for (const k of keyed) inner.step(k.args)
    return inner.final()
  }
}

/** Registers an aggregate call in the group scope; the expression reads its finished value. */
export function compileAggregateCall(
  name: string,
  argNodes: readonly OperationNode[],
  distinct: boolean,
  filterNode: OperationNode | undefined,
  scope: Scope,
  orderBy?: AnyNode,
): Expr {
  if (!(scope instanceof GroupScope))
    throw new BTreeSqlError('BTREE_SQL_UNSUPPORTED', `misuse of aggregate function ${name}()`)
  const spec = AGGREGATES[name]!
  const all = argNodes.length === 0 || (argNodes.length === 1 && isStar(argNodes[0]!))
  if (all && name !== 'count') throw unsupported(`${name}(*)`)
  if (all && distinct) throw unsupported('count(distinct *)')
  const args = all ? [] : argNodes.map((a) => compileExpr(a, scope.plain))
  if (scope.link !== undefined && args.length > 0 && !readsOwnSources(argNodes, scope)) {
    // SQLite makes such a call an aggregate of the outer query; this dialect does not.
    throw unsupported(`${name}() over columns of an outer query only`)
  }
  if (distinct && args.length !== 1)
    throw new BTreeSqlError('BTREE_SQL_UNSUPPORTED', `DISTINCT aggregates must have exactly one argument`)
  const filter = filterNode === undefined ? undefined : compileExpr(filterNode, scope.plain)
  const json = argNodes.map((a, i) => jsonArgOf(a as AnyNode, args[i]))
  // min(), max() and distinct compare under the argument's collation (SQLite's NEEDCOLL functions
  // and the distinct key's KeyInfo): `count(distinct x collate nocase)`.
  const fold = args.length === 1 ? exprFold(args[0]!) : undefined
  const slot = scope.calls.length
  const orderItems = (orderBy?.items ?? []) as readonly AnyNode[]
  if (orderItems.length > 0) {
    // The sort keys ride after the arguments; distinct reads the first argument only.
    const terms: SortTerm[] = orderItems.map((item) => ({
      desc: orderDirection(item.direction as OperationNode | undefined),
      nulls: item.nulls as 'first' | 'last' | undefined,
    }))
    const keys = orderItems.map((item) => orderKey(item, scope.plain))
    scope.calls.push({
      args: [...args, ...keys],
      distinct,
      ...(fold === undefined ? {} : { fold }),
      filter,
      create: () => new OrderedAccumulator(() => spec.create(all, json, fold), args.length, terms),
      extreme: false,
      single: false,
      lane: undefined,
    })
    return { eval: () => scope.current[slot] ?? null, affinity: undefined, constant: false }
  }
  scope.calls.push({
    args,
    distinct,
    ...(fold === undefined ? {} : { fold }),
    filter,
    create: () => spec.create(all, json, fold),
    extreme: name === 'min' || name === 'max',
    ...(name === 'max' ? { highest: true } : {}),
    single: SINGLE.has(name),
    lane:
      distinct || filter !== undefined
        ? undefined
        : name === 'count'
          ? 'count'
          : SUM_LIKE.has(name)
            ? 'sum'
            : undefined,
  })
  return { eval: () => scope.current[slot] ?? null, affinity: undefined, constant: false }
}

/** Whether aggregate arguments read a column of the group scope's own sources (not only outer ones). */
function readsOwnSources(argNodes: readonly OperationNode[], scope: GroupScope): boolean {
  let own = false
  let outer = false
  const visit = (node: unknown): void => {
    if (typeof node !== 'object' || node === null) return
    if (Array.isArray(node)) return node.forEach(visit)
    const n = node as AnyNode
    if (n.kind === 'SelectQueryNode') return
    if (n.kind === 'ReferenceNode' || n.kind === 'ColumnNode') {
      try {
        const r =
          n.kind === 'ColumnNode'
            ? scope.plain.resolve(nameOf(n))
            : (n.column as AnyNode).kind === 'SelectAllNode'
              ? undefined
              : scope.plain.resolve(
                  nameOf(n.column as OperationNode),
                  n.table === undefined ? undefined : nameOf(n.table as OperationNode),
                )
        if (r !== undefined && r.source < scope.sources.length) own = true
        else if (r !== undefined) outer = true
      } catch {
        own = true
      }
      return
    }
    for (const key of Object.keys(n)) visit(n[key])
  }
  visit(argNodes)
  return own || !outer
}

/** An AggregateFunctionNode (`eb.fn.count(x)`, `countAll()`, `.distinct()`, `.filterWhere(...)`). */
export function compileAggregateNode(node: AnyNode, scope: Scope): Expr {
  if (node.over !== undefined) throw unsupported('OverNode (window functions) here')
  if (node.withinGroup !== undefined) throw unsupported('within group in an aggregate call')
  const name = (node.func as string).toLowerCase()
  const args = node.aggregated as readonly OperationNode[]
  if (!isAggregateName(name, args.length)) throw unsupported(`the aggregate function ${node.func as string}()`)
  const filter = (node.filter as AnyNode | undefined)?.where as OperationNode | undefined
  return compileAggregateCall(name, args, node.distinct === true, filter, scope, node.orderBy as AnyNode | undefined)
}

/** What every group of one query shares about its calls, worked out once (callsPlan). */
interface CallsPlan {
  readonly length: number
  /** The only min() / max() call, which bare columns follow. */
  readonly follow: number | undefined
  readonly distinct: boolean
}

const callsPlans = new WeakMap<readonly AggregateCall[], CallsPlan>()

function callsPlan(calls: readonly AggregateCall[]): CallsPlan {
  let plan = callsPlans.get(calls)
  // A query's calls are all found while it compiles; the length check covers a plan made earlier.
  if (plan === undefined || plan.length !== calls.length) {
    const extremes = calls.flatMap((c, i) => (c.extreme ? [i] : []))
    plan = {
      length: calls.length,
      follow: extremes.length === 1 ? extremes[0] : undefined,
      distinct: calls.some((c) => c.distinct),
    }
    callsPlans.set(calls, plan)
  }
  return plan
}

const NO_SEEN: readonly undefined[] = []

/**
 * Running state of every aggregate call for one group. A query makes one per group (a hundred
 * groups over 10,000 rows made this constructor ~5% of a group-by): what all its groups share is
 * worked out once (callsPlan), and the argument arrays wait for the first step() that needs them.
 */
export class GroupState {
  readonly accumulators: Accumulator[]
  readonly seen: readonly (SeenRows | undefined)[]
  #args: SqlValue[][] | undefined

  readonly #follow: number | undefined

  constructor(readonly calls: readonly AggregateCall[]) {
    const n = calls.length
    const accumulators = new Array<Accumulator>(n)
    for (let i = 0; i < n; i++) accumulators[i] = calls[i]!.create()
    this.accumulators = accumulators
    const plan = callsPlan(calls)
    this.#follow = plan.follow
    this.seen = plan.distinct ? calls.map((c) => (c.distinct ? new SeenRows() : undefined)) : NO_SEEN
  }

  /**
   * Feeds one row to every call. Returns true when the query's only min() or max() call found a
   * new extreme in this row: SQLite then reads the group's bare columns from this row.
   */
  step(t: Parameters<Expr['eval']>[0]): boolean {
    const follow = this.#follow
    if (follow !== undefined) (this.accumulators[follow] as ExtremeAccumulator).improved = false
    for (let i = 0; i < this.calls.length; i++) {
      const call = this.calls[i]!
      if (call.filter !== undefined && truth(call.filter.eval(t)) !== true) continue
      const args = (this.#args ??= this.calls.map((c) => new Array<SqlValue>(c.args.length)))[i]!
      for (let j = 0; j < call.args.length; j++) args[j] = call.args[j]!.eval(t)
      const seen = this.seen[i]
      if (seen !== undefined) {
        if (args[0] === null) continue
        if (!seen.addValue(call.fold === undefined ? args[0]! : folded(args[0]!, call.fold))) continue
      }
      this.accumulators[i]!.step(args)
    }
    return follow !== undefined && (this.accumulators[follow] as ExtremeAccumulator).improved
  }

  /** Whether bare columns follow a min()/max() call (and the group's last row until it sees a value) rather than the group's first row. */
  get followsExtreme(): boolean {
    return this.#follow !== undefined
  }

  final(): SqlValue[] {
    return this.accumulators.map((a) => a.final())
  }
}

/** Answers of containsAggregate by tree: a statement asks of its selections more than once. */
const aggregateTrees = new WeakMap<object, boolean>()

/** Whether an expression tree holds an aggregate call outside nested queries. */
export function containsAggregate(node: unknown): boolean {
  if (typeof node !== 'object' || node === null) return false
  let found = aggregateTrees.get(node)
  if (found === undefined) aggregateTrees.set(node, (found = hasAggregate(node)))
  return found
}

function hasAggregate(node: unknown): boolean {
  if (typeof node !== 'object' || node === null) return false
  if (Array.isArray(node)) return node.some(hasAggregate)
  const n = node as AnyNode
  if (n.kind === 'SelectQueryNode') return false
  if (n.kind === 'AggregateFunctionNode' && n.over === undefined) return true
  if (n.kind === 'FunctionNode' && isAggregateName(n.func as string, (n.arguments as readonly unknown[]).length))
    return true
  for (const key of Object.keys(n)) {
    const v = n[key]
    if (typeof v === 'object' && v !== null && hasAggregate(v)) return true
  }
  return false
}

/**
 * An order by item's sort key (an aggregate's or a window's): the expression, folded by the
 * item's collation (Kysely's `.collate()`) or by a COLLATE in it (collation.ts).
 */
export function orderKey(item: AnyNode, scope: Scope): Expr {
  const expr = compileExpr(item.orderBy as OperationNode, scope)
  const named =
    item.collation === undefined ? collationName(expr) : nameOf((item.collation as AnyNode).collation as OperationNode)
  return collatedKey(expr, named)
}
