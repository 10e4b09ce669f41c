import type { OperationNode } from 'kysely'
import { BTreeSqlError, unsupported } from '../errors.js'
import type { SqlValue } from '../encoding/values.js'
import { aggregateAccumulator, isAggregateName, isStar, orderKey, type Accumulator } from './aggregates.js'
import { collationName, exprFold } from './collation.js'
import { collatedKey, compileExpr, type Expr } from './expression.js'
import { isJsonNode } from './json.js'
import { orderDirection, type AnyNode } from './nodes.js'
import type { Scope } from './scope.js'

/** A window's `order by` term: as the query's own (executor/query-parts.ts OrderTerm). */
export interface WindowOrderTerm {
  readonly expr: Expr
  readonly desc: boolean
  readonly nulls: 'first' | 'last' | undefined
}

/** One end of a frame; `offset` is the expression before `preceding` / `following`. */
export interface FrameBound {
  readonly bound: 'unbounded-preceding' | 'preceding' | 'current' | 'following' | 'unbounded-following'
  readonly offset: Expr | undefined
}

/**
 * A frame written in raw SQL (`rows|range|groups between ... and ... [exclude ...]`, read by
 * sql/expression-parser.ts; Kysely's builder writes none).
 */
export interface WindowFrame {
  readonly units: 'rows' | 'range' | 'groups'
  readonly start: FrameBound
  readonly end: FrameBound
  readonly exclude: 'no others' | 'current row' | 'group' | 'ties'
}

/** SQLite's built-in window functions (windowfunctions.html §3), with their argument counts. */
const BUILT_IN: Record<string, readonly [number, number]> = {
  row_number: [0, 0],
  rank: [0, 0],
  dense_rank: [0, 0],
  percent_rank: [0, 0],
  cume_dist: [0, 0],
  ntile: [1, 1],
  lag: [1, 3],
  lead: [1, 3],
  first_value: [1, 1],
  last_value: [1, 1],
  nth_value: [2, 2],
}

/**
 * One call `f(args) [filter (where ...)] over (partition by ... order by ...)`, compiled in the
 * scope of the query's output: in a grouped query its arguments, partition and order terms may
 * read the group's aggregates (`sum(sum(x)) over ()`), as in SQLite. Computed over all the
 * query's output rows (executor/window-stage.ts) with SQLite's default frame: the partition's
 * rows up to the current row's last peer when the window has an `order by`, else the whole
 * partition.
 */
export interface WindowCall {
  readonly name: string
  /** A built-in window function (ranking, lag/lead, first/last/nth value), else an aggregate. */
  readonly builtIn: boolean
  readonly args: readonly Expr[]
  /** An aggregate's `filter (where ...)`. */
  readonly filter: Expr | undefined
  readonly partition: readonly Expr[]
  readonly order: readonly WindowOrderTerm[]
  /** The frame, when the window names one (else SQLite's default, above). */
  readonly frame: WindowFrame | undefined
  /** A new accumulator of the aggregate (aggregates only). */
  readonly create: (() => Accumulator) | undefined
}

/**
 * The window calls of one select: found while its selections and `order by` compile (withWindows),
 * then read by each row's projection from `current`, the row's values in call order.
 */
export class WindowCalls {
  readonly calls: WindowCall[] = []
  current: readonly SqlValue[] = []
}

/** The select whose selections or order by are compiling, which window calls join; undefined elsewhere. */
let active: WindowCalls | undefined

/**
 * Runs `fn` (compiling a select's selections or order by) with window calls allowed and added to
 * `windows`. Everywhere else (where, group by, having, an aggregate's or a window's own
 * arguments, update and insert statements) a window call is SQLite's "misuse of window function".
 */
export function withWindows<T>(windows: WindowCalls | undefined, fn: () => T): T {
  const outer = active
  active = windows
  try {
    return fn()
  } finally {
    active = outer
  }
}

/** An AggregateFunctionNode with an OverNode: `eb.fn.agg('rank').over(ob => ob.orderBy('x'))`, `eb.fn.sum('x').over()`. */
export function compileWindowNode(node: AnyNode, scope: Scope): Expr {
  const name = (node.func as string).toLowerCase()
  const windows = active
  if (windows === undefined) throw new BTreeSqlError('BTREE_SQL_UNSUPPORTED', `misuse of window function ${name}()`)
  if (node.distinct === true)
    throw new BTreeSqlError('BTREE_SQL_UNSUPPORTED', 'DISTINCT is not supported for window functions')
  if (node.orderBy !== undefined) throw unsupported('OrderByNode inside a window function call')
  if (node.withinGroup !== undefined) throw unsupported('within group in a window function call')
  const argNodes = node.aggregated as readonly OperationNode[]
  const arity = BUILT_IN[name]
  const star = argNodes.length === 1 && isStar(argNodes[0]!)
  if (arity !== undefined) {
    if (argNodes.length < arity[0] || argNodes.length > arity[1] || star)
      throw new BTreeSqlError('BTREE_SQL_UNSUPPORTED', `wrong number of arguments to function ${name}()`)
    if (node.filter !== undefined)
      throw new BTreeSqlError('BTREE_SQL_UNSUPPORTED', `FILTER clause may only be used with aggregate window functions`)
  } else if (!isAggregateName(name, star ? 0 : argNodes.length) || (star && name !== 'count')) {
    throw new BTreeSqlError('BTREE_SQL_UNSUPPORTED', `${name}() may not be used as a window function`)
  }
  const over = node.over as AnyNode
  const filterNode = (node.filter as AnyNode | undefined)?.where as OperationNode | undefined
  // Nothing inside a window call may be a window call.
  const call = withWindows(undefined, (): WindowCall => {
    const args = star ? [] : argNodes.map((a) => compileExpr(a, scope))
    // SQLite's window functions read their arguments back from a table: only the node's own subtype.
    const json = argNodes.map((a) => isJsonNode(a as AnyNode))
    // min() and max() as window functions compare under their argument's collation too.
    const fold = args.length === 1 ? exprFold(args[0]!) : undefined
    return {
      name,
      builtIn: arity !== undefined,
      args,
      filter: filterNode === undefined ? undefined : compileExpr(filterNode, scope),
      // Partitions and peers as the keys' collations make them (a COLLATE in the term).
      partition: (((over.partitionBy as AnyNode | undefined)?.items ?? []) as readonly AnyNode[]).map((item) => {
        const key = compileExpr(item.partitionBy as OperationNode, scope)
        return collatedKey(key, collationName(key))
      }),
      order: (((over.orderBy as AnyNode | undefined)?.items ?? []) as readonly AnyNode[]).map((item) => ({
        expr: orderKey(item, scope),
        desc: orderDirection(item.direction as OperationNode | undefined),
        nulls: item.nulls as 'first' | 'last' | undefined,
      })),
      frame: frameOf(over.frame as AnyNode | undefined, over, scope),
      create:
        arity !== undefined ? undefined : () => aggregateAccumulator(name, star || argNodes.length === 0, json, fold),
    }
  })
  const slot = windows.calls.length
  windows.calls.push(call)
  return { eval: () => windows.current[slot] ?? null, affinity: undefined, constant: false }
}

/** A frame node's bounds, compiled; SQLite's checks of which bounds may go together. */
function frameOf(node: AnyNode | undefined, over: AnyNode, scope: Scope): WindowFrame | undefined {
  if (node === undefined) return undefined
  const bound = (b: AnyNode): FrameBound => ({
    bound: b.bound as FrameBound['bound'],
    offset: b.offset === undefined ? undefined : compileExpr(b.offset as OperationNode, scope),
  })
  const frame: WindowFrame = {
    units: node.units as WindowFrame['units'],
    start: bound(node.start as AnyNode),
    end: bound(node.end as AnyNode),
    exclude: node.exclude as WindowFrame['exclude'],
  }
  const s = frame.start.bound
  const e = frame.end.bound
  if (
    s === 'unbounded-following' ||
    e === 'unbounded-preceding' ||
    (s === 'current' && e === 'preceding') ||
    (s === 'following' && (e === 'preceding' || e === 'current'))
  )
    throw new BTreeSqlError('BTREE_SQL_UNSUPPORTED', 'unsupported frame specification')
  const orderTerms = ((over.orderBy as AnyNode | undefined)?.items ?? []) as readonly unknown[]
  if (
    frame.units === 'range' &&
    (frame.start.offset !== undefined || frame.end.offset !== undefined) &&
    orderTerms.length !== 1
  )
    throw new BTreeSqlError('BTREE_SQL_UNSUPPORTED', 'RANGE with offset PRECEDING/FOLLOWING requires one ORDER BY term')
  return frame
}

/** Answers of containsWindow by tree. */
const windowTrees = new WeakMap<object, boolean>()

/** Whether an expression tree holds a window call outside nested queries. */
export function containsWindow(node: unknown): boolean {
  if (typeof node !== 'object' || node === null) return false
  let found = windowTrees.get(node)
  if (found === undefined) windowTrees.set(node, (found = hasWindow(node)))
  return found
}

function hasWindow(node: unknown): boolean {
  if (typeof node !== 'object' || node === null) return false
  if (Array.isArray(node)) return node.some(hasWindow)
  const n = node as AnyNode
  if (n.kind === 'SelectQueryNode') return false
  if (n.kind === 'AggregateFunctionNode' && n.over !== undefined) return true
  for (const key of Object.keys(n)) {
    const v = n[key]
    if (typeof v === 'object' && v !== null && hasWindow(v)) return true
  }
  return false
}
