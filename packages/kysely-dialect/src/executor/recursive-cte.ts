import type { OperationNode } from 'kysely'
import type { ReadTransaction } from 'btree-store'
import { BTreeSqlError, unsupported } from '../errors.js'
import type { SqlValue } from '../encoding/values.js'
import { containsAggregate } from '../expression/aggregates.js'
import { nameOf, type AnyNode } from '../expression/nodes.js'
import { ArrayRow, Scope, type Tuple } from '../expression/scope.js'
import { rowKey } from '../expression/value-key.js'
import { containsWindow } from '../expression/window.js'
import type { ExecContext } from './context.js'
import { compareTuples, limitOffset, orderTerms, resultColumns } from './query-parts.js'
import { derivedTable, prepareSelect, type PreparedSelect } from './select-general.js'

/** The sources of a select's from clause and joins. */
function sourcesOf(select: AnyNode): AnyNode[] {
  return [
    ...(((select.from as AnyNode | undefined)?.froms ?? []) as readonly AnyNode[]),
    ...((select.joins ?? []) as readonly AnyNode[]).map((j) => j.table as AnyNode),
  ]
}

/**
 * How a select reads table `name`: how many of its own sources are that table, and whether a
 * select nested in it (a subquery, a derived table) has it as a source.
 */
function references(select: AnyNode, name: string): { direct: number; nested: boolean } {
  const key = name.toLowerCase()
  const isIt = (n: AnyNode): boolean => {
    const inner = n.kind === 'AliasNode' ? (n.node as AnyNode) : n
    return inner.kind === 'TableNode' && nameOf(inner).toLowerCase() === key
  }
  const direct = sourcesOf(select).filter(isIt).length
  let nested = false
  const visit = (v: unknown): void => {
    if (nested || typeof v !== 'object' || v === null) return
    if (Array.isArray(v)) return v.forEach(visit)
    const n = v as AnyNode
    if (n.kind === 'SelectQueryNode' && sourcesOf(n).some(isIt)) {
      nested = true
      return
    }
    for (const k of Object.keys(n)) visit(n[k])
  }
  for (const k of Object.keys(select)) visit(select[k])
  return { direct, nested }
}

/**
 * A common table expression of `with recursive` that reads itself (lang_with.html §3), or
 * undefined when it does not (then it is an ordinary one). Its select is a compound: the initial
 * selects, then, after `union` or `union all`, the recursive ones, each reading the table once
 * in its from clause or joins. Run as SQLite runs it: the initial rows go into a queue; a row is
 * taken from the queue (the oldest, or the first by the compound's `order by`), becomes a row of
 * the result, and is the only row the recursive selects then see under the table's name; the rows
 * they make join the queue (with `union`, only rows never queued before). `limit` stops it after
 * that many rows, `offset` leaves out the first rows taken. `bind(self)` makes the table's name
 * stand for the row being expanded while the recursive selects are prepared.
 */
export function prepareRecursiveCte(
  name: string,
  columns: readonly string[] | undefined,
  expression: AnyNode,
  ctx: ExecContext,
  bind: (self: PreparedSelect) => void,
): PreparedSelect | undefined {
  const operations = (expression.setOperations ?? []) as readonly AnyNode[]
  const members = [
    { ...expression, setOperations: undefined } as AnyNode,
    ...operations.map((op) => op.expression as AnyNode),
  ]
  const first = members.findIndex((m) => m.kind === 'SelectQueryNode' && references(m, name).direct > 0)
  if (first < 0) {
    for (const m of members)
      if (m.kind === 'SelectQueryNode' && references(m, name).nested)
        throw new BTreeSqlError('BTREE_SQL_UNSUPPORTED', `recursive reference in a subquery: ${name}`)
    return undefined
  }
  if (first === 0) throw new BTreeSqlError('BTREE_SQL_UNSUPPORTED', `circular reference: ${name}`)
  for (let i = first; i < members.length; i++) {
    const op = operations[i - 1]!
    if (op.operator !== 'union')
      throw unsupported(`${op.operator as string} joining the recursive select of ${name} (union or union all)`)
    const m = members[i]!
    if (m.kind !== 'SelectQueryNode') throw unsupported(`${m.kind} in a recursive common table expression`)
    const refs = references(m, name)
    if (refs.direct === 0)
      throw new BTreeSqlError('BTREE_SQL_UNSUPPORTED', `a select after the recursive one does not read ${name}`)
    if (refs.direct > 1)
      throw new BTreeSqlError('BTREE_SQL_UNSUPPORTED', `multiple references to recursive table: ${name}`)
    if (refs.nested) throw new BTreeSqlError('BTREE_SQL_UNSUPPORTED', `recursive reference in a subquery: ${name}`)
    if (m.groupBy !== undefined || containsAggregate(m.selections) || containsAggregate(m.having))
      throw new BTreeSqlError('BTREE_SQL_UNSUPPORTED', 'recursive aggregate queries not supported')
    if (containsWindow(m.selections) || containsWindow(m.orderBy))
      throw unsupported(`window functions in the recursive select of ${name}`)
  }
  const whole = { ...expression, orderBy: undefined, limit: undefined, offset: undefined } as AnyNode
  const initial = prepareSelect(
    first === 1
      ? ({ ...whole, setOperations: undefined } as AnyNode)
      : ({ ...whole, setOperations: operations.slice(0, first - 1) } as AnyNode),
    ctx,
    undefined,
  )
  if (columns !== undefined && columns.length !== initial.names.length)
    throw new BTreeSqlError(
      'BTREE_SQL_UNSUPPORTED',
      `table ${name} has ${initial.names.length} values for ${columns.length} columns`,
    )
  const names = columns ?? initial.names
  // What the recursive selects read under the table's name: the row being expanded.
  let current: SqlValue[][] = []
  const self: PreparedSelect = {
    get plan() {
      return initial.plan
    },
    names,
    affinities: initial.affinities,
    fits: () => true,
    execute: () => current,
  }
  bind(self)
  const recursive = members.slice(first).map((m) => {
    const prepared = prepareSelect(m, ctx, undefined)
    if (prepared.names.length !== names.length)
      throw new BTreeSqlError(
        'BTREE_SQL_UNSUPPORTED',
        `SELECTs to the left and right of UNION do not have the same number of result columns`,
      )
    return prepared
  })
  // Any `union` (not `all`) drops every row queued before, as SQLite's does.
  const distinct = operations.slice(first - 1).some((op) => op.all !== true)
  const table = derivedTable(name, self)
  const scope = new Scope([{ table, name }])
  // Order by terms name the result columns as the initial select does (a position `order by 3`
  // reads as its third selection), or by the table's column names.
  const projection = resultColumns(table, initial.names)
  const order = orderTerms(expression.orderBy as OperationNode | undefined, scope, projection)
  const cmp = compareTuples(order)
  const { limit, offset } = limitOffset(expression)

  const execute = (tx: ReadTransaction, outer: Tuple, stopAfter?: number): SqlValue[][] => {
    const seen = distinct ? new Set<string>() : undefined
    const queue = new RowQueue(order.length === 0 ? undefined : cmp)
    const push = (row: SqlValue[]): void => {
      if (seen !== undefined) {
        const key = rowKey(row)
        if (seen.has(key)) return
        seen.add(key)
      }
      queue.push(row, order.length === 0 ? [] : order.map((o) => o.expr.eval([new ArrayRow(row), ...outer])))
    }
    for (const row of initial.execute(tx, outer)) push(row)
    let end = limit === undefined ? Infinity : offset + limit
    if (stopAfter !== undefined) end = Math.min(end, offset + stopAfter)
    const out: SqlValue[][] = []
    const before = current
    try {
      for (let taken = 0; taken < end && queue.size > 0;) {
        const row = queue.take()
        if (++taken > MAX_ROWS && end === Infinity)
          throw new BTreeSqlError(
            'BTREE_SQL_UNSUPPORTED',
            `recursive common table expression ${name} made more than ${MAX_ROWS} rows; a LIMIT inside it bounds it (it is computed whole before the query reads it)`,
          )
        if (taken > offset) out.push(row)
        current = [row]
        for (const r of recursive) for (const made of r.execute(tx, outer)) push(made)
      }
    } finally {
      current = before
    }
    return out
  }
  return {
    get plan() {
      return initial.plan
    },
    names,
    affinities: initial.affinities,
    fits: (tx) => initial.fits(tx) && recursive.every((r) => r.fits(tx)),
    execute,
  }
}

/**
 * The most rows a recursive table without a limit of its own may make. SQLite computes one lazily,
 * so an outer query's `where ... limit` can stop an endless recursion there; here the table is
 * computed whole first (only a query that passes its rows straight to a limit reads fewer), and
 * this bound turns an endless one into an error rather than a hang.
 */
const MAX_ROWS = 10_000_000

/**
 * The queue of a recursive table's rows: first in, first out; or, with the compound's `order by`,
 * the first row by it (ties: the oldest), a binary heap on (key, arrival).
 */
class RowQueue {
  readonly #rows: SqlValue[][] = []
  readonly #keys: SqlValue[][] = []
  readonly #seq: number[] = []
  #head = 0
  #arrivals = 0

  constructor(readonly cmp: ((a: SqlValue[], b: SqlValue[]) => number) | undefined) {}

  get size(): number {
    return this.#rows.length - this.#head
  }

  push(row: SqlValue[], key: SqlValue[]): void {
    if (this.cmp === undefined) {
      this.#rows.push(row)
      return
    }
    this.#rows.push(row)
    this.#keys.push(key)
    this.#seq.push(this.#arrivals++)
    let i = this.#rows.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (this.#before(parent, i)) break
      this.#swap(i, parent)
      i = parent
    }
  }

  take(): SqlValue[] {
    if (this.cmp === undefined) {
      const row = this.#rows[this.#head]!
      this.#rows[this.#head++] = []
      if (this.#head > 1024 && this.#head * 2 > this.#rows.length) {
        this.#rows.splice(0, this.#head)
        this.#head = 0
      }
      return row
    }
    const top = this.#rows[0]!
    const last = this.#rows.length - 1
    this.#swap(0, last)
    this.#rows.pop()
    this.#keys.pop()
    this.#seq.pop()
    let i = 0
    for (;;) {
      const l = 2 * i + 1
      const r = l + 1
      let best = i
      if (l < this.#rows.length && !this.#before(best, l)) best = l
      if (r < this.#rows.length && !this.#before(best, r)) best = r
      if (best === i) break
      this.#swap(i, best)
      i = best
    }
    return top
  }

  /** Whether entry a comes before entry b. */
  #before(a: number, b: number): boolean {
    const c = this.cmp!(this.#keys[a]!, this.#keys[b]!)
    return c < 0 || (c === 0 && this.#seq[a]! < this.#seq[b]!)
  }

  #swap(a: number, b: number): void {
    const r = this.#rows[a]!
    this.#rows[a] = this.#rows[b]!
    this.#rows[b] = r
    const k = this.#keys[a]!
    this.#keys[a] = this.#keys[b]!
    this.#keys[b] = k
    const s = this.#seq[a]!
    this.#seq[a] = this.#seq[b]!
    this.#seq[b] = s
  }
}
