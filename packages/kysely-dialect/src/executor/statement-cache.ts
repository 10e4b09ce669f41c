import { createQueryId, SqliteQueryCompiler, type CompiledQuery, type OperationNode } from 'kysely'
import type { Catalog } from '../catalog/catalog.js'
import { fromJs, Real, type SqlValue } from '../encoding/values.js'
import type { AnyNode } from '../expression/nodes.js'
import { compileWithParameters, Parameters } from '../expression/parameters.js'
import { statementNode } from '../sql/raw-statement.js'
import type { ExecContext, PreparedStatement, StatementResult, WriteContext } from './context.js'
import { withContext } from './current-context.js'
import { prepareDelete } from './delete.js'
import { prepareInsert } from './insert.js'
import { needsGeneralSelect, prepareGeneralSelect } from './select-general.js'
import { prepareSimpleSelect } from './select.js'
import type { StatementHandler } from './statement.js'
import { prepareUpdate } from './update.js'

/** Distinct SQL texts remembered per session (compiled statements and texts seen once). */
const CACHE_LIMIT = 256

type Prepare = (node: AnyNode, ctx: WriteContext) => PreparedStatement<WriteContext>

/** The statement kinds cached, by root kind: selects and the three writes. */
const PREPARERS: Partial<Record<string, { prepare: Prepare; readOnly: boolean }>> = {
  SelectQueryNode: { prepare: prepareSelectStatement, readOnly: true },
  InsertQueryNode: { prepare: prepareInsert, readOnly: false },
  UpdateQueryNode: { prepare: prepareUpdate, readOnly: false },
  DeleteQueryNode: { prepare: prepareDelete, readOnly: false },
}

/** A select without subqueries (parameterize leaves none): of one table, or with joins and grouping. */
function prepareSelectStatement(node: AnyNode, ctx: WriteContext): PreparedStatement<WriteContext> {
  return needsGeneralSelect(node) ? prepareGeneralSelect(node, ctx) : prepareSimpleSelect(node, ctx)
}

interface Compiled {
  readonly catalog: Catalog
  /** The values read while compiling (parameter index, value): the compiled statement holds only for them. */
  readonly guard: readonly (readonly [number, SqlValue])[]
  readonly statement: PreparedStatement<WriteContext>
}

/**
 * One SQL text, compiled and planned once for all its executions (SQLite's prepared statement):
 * its value nodes read the parameters bound per execution. The compiled form is dropped, and the
 * statement compiled afresh, when the schema differs (a schema change, `analyze`, another
 * connection's commit: the catalog's version token), when a value the compilation read differs
 * (parameters.ts), or when the plan no longer suits the table's row count.
 */
export class CachedStatement {
  readonly #parameters: Parameters
  #compiled: Compiled | undefined
  /** Runs the statement with the values the session passes (a compiled query's parameters, converted). */
  readonly handler: StatementHandler

  constructor(
    /** The statement with each value node replaced by a parameter slot (never executed as values). */
    readonly tree: AnyNode,
    slots: ReadonlyMap<OperationNode, number>,
    readonly prepare: Prepare,
    readonly readOnly: boolean,
  ) {
    this.#parameters = new Parameters(slots)
    const run = (ctx: ExecContext, values: readonly SqlValue[] = []): StatementResult =>
      withContext(ctx, () => this.#run(ctx as WriteContext, values), readOnly)
    this.handler = readOnly
      ? { readOnly: true, schema: false, run: (_, c, v) => run(c, v) }
      : { readOnly: false, schema: false, run: (_, c, v) => run(c, v) }
  }

  #run(ctx: WriteContext, values: readonly SqlValue[]): StatementResult {
    const parameters = this.#parameters
    parameters.values = values
    let compiled = this.#compiled
    if (
      compiled === undefined ||
      compiled.catalog !== ctx.catalog ||
      !guardHolds(compiled.guard, values) ||
      !compiled.statement.fits(ctx.tx)
    ) {
      this.#compiled = undefined
      parameters.baked.clear()
      const statement = compileWithParameters(parameters, () => this.prepare(this.tree, ctx))
      const guard = [...parameters.baked].map((i) => [i, copyValue(values[i]!)] as const)
      this.#compiled = compiled = { catalog: ctx.catalog, guard, statement }
    }
    return compiled.statement.execute(ctx)
  }
}

/** The cached statements of one session, by SQL text. */
export class StatementCache {
  /** A text seen once maps to SEEN (most one-off statements never pay for a compilation), UNCACHED when it cannot be cached. */
  readonly #entries = new Map<string, CachedStatement | typeof SEEN | typeof UNCACHED>()
  #lastSql: string | undefined
  #lastEntry: CachedStatement | undefined

  /**
   * The cached statement for a compiled query and its parameters converted, or undefined: the
   * caller then runs it uncached.
   */
  lookup(compiled: CompiledQuery): { statement: CachedStatement; values: SqlValue[] } | undefined {
    const sql = compiled.sql
    // The same text as the last statement (a loop of one statement): compared without hashing
    // Kysely's text, which it builds piece by piece and a map lookup would first flatten.
    let entry = sql === this.#lastSql ? this.#lastEntry : this.#entries.get(sql)
    if (entry === undefined) {
      this.#remember(sql, SEEN)
      return undefined
    }
    if (entry === SEEN) {
      entry = cacheable(compiled) ?? UNCACHED
      this.#remember(sql, entry)
    }
    if (entry === UNCACHED) return undefined
    this.#lastSql = sql
    this.#lastEntry = entry
    const values = bind(compiled.parameters)
    return values === undefined ? undefined : { statement: entry, values }
  }

  #remember(sql: string, entry: CachedStatement | typeof SEEN | typeof UNCACHED): void {
    const entries = this.#entries
    if (entries.size >= CACHE_LIMIT && !entries.has(sql)) entries.delete(entries.keys().next().value!)
    entries.set(sql, entry)
  }
}

const SEEN = 'seen'
const UNCACHED = 'uncached'

/** The parameters as value nodes read them; undefined when one is no SQL value (the uncached run then reports it). */
function bind(parameters: readonly unknown[]): SqlValue[] | undefined {
  const out = new Array<SqlValue>(parameters.length)
  try {
    for (let i = 0; i < parameters.length; i++) out[i] = fromJs(parameters[i])
  } catch {
    return undefined
  }
  return out
}

/**
 * The statement of a compiled query as a cached statement, or undefined when it is not cached:
 * raw SQL (its text is parsed), subqueries, derived tables, common table expressions and compound
 * selects (they compile against the running statement), upserts, and any tree that Kysely's
 * SQLite compiler does not turn back into the same text with every value node at a parameter of
 * its own (then the parameters could not be told apart).
 */
function cacheable(compiled: CompiledQuery): CachedStatement | undefined {
  const query = compiled.query as AnyNode
  const kind = PREPARERS[query.kind]
  if (kind === undefined || statementNode(query) !== query) return undefined
  if (query.onConflict !== undefined || query.onDuplicateKey !== undefined) return undefined
  const slots: AnyNode[] = []
  const tree = parameterize(query, slots, true)
  if (tree === undefined) return undefined
  let recompiled: CompiledQuery
  try {
    recompiled = new SqliteQueryCompiler().compileQuery(tree as never, createQueryId())
  } catch {
    return undefined
  }
  if (recompiled.sql !== compiled.sql || recompiled.parameters.length !== compiled.parameters.length) return undefined
  const index = new Map<unknown, number>()
  recompiled.parameters.forEach((p, i) => index.set(p, i))
  const byNode = new Map<OperationNode, number>()
  for (const node of slots) {
    const i = index.get(node.value)
    if (i === undefined) return undefined
    byNode.set(node, i)
  }
  // Every parameter is exactly one value node's.
  if (byNode.size !== recompiled.parameters.length) return undefined
  return new CachedStatement(tree, byNode, kind.prepare, kind.readOnly)
}

/**
 * A copy of the statement whose value nodes (and the items of value lists) are new value nodes
 * holding a marker of their own, collected in `slots`; unchanged subtrees are shared. Undefined
 * for a subquery, or raw SQL with values in it.
 */
function parameterize(n: AnyNode, slots: AnyNode[], root = false): AnyNode | undefined {
  switch (n.kind) {
    case 'SelectQueryNode':
      if (!root) return undefined
      break
    case 'RawNode':
      return (n.parameters as readonly unknown[]).length > 0 ? undefined : n
    case 'ValueNode':
      return n.immediate === true ? n : slot(slots)
    case 'PrimitiveValueListNode':
      return { kind: 'ValueListNode', values: (n.values as readonly unknown[]).map(() => slot(slots)) }
  }
  let copy: Record<string, unknown> | undefined
  for (const key in n) {
    const v = n[key]
    if (typeof v !== 'object' || v === null) continue
    let r: unknown = v
    if (Array.isArray(v)) {
      let items: unknown[] | undefined
      for (let i = 0; i < v.length; i++) {
        const item = v[i] as unknown
        if (!isNode(item)) continue
        const c = parameterize(item, slots)
        if (c === undefined) return undefined
        if (c !== item) (items ??= [...v])[i] = c
      }
      if (items !== undefined) r = items
    } else if (isNode(v)) {
      const c = parameterize(v, slots)
      if (c === undefined) return undefined
      r = c
    }
    if (r !== v) (copy ??= { ...n })[key] = r
  }
  return (copy ?? n) as AnyNode
}

function isNode(v: unknown): v is AnyNode {
  return typeof v === 'object' && v !== null && typeof (v as AnyNode).kind === 'string'
}

function slot(slots: AnyNode[]): AnyNode {
  // The marker is what Kysely's compiler puts in the parameters: its position there is the slot's.
  const node: AnyNode = { kind: 'ValueNode', value: { parameter: slots.length } }
  slots.push(node)
  return node
}

function guardHolds(guard: readonly (readonly [number, SqlValue])[], values: readonly SqlValue[]): boolean {
  for (const [i, v] of guard) if (!sameValue(v, values[i]!)) return false
  return true
}

/** The same SQL value, of the same type (1 and 1.0 differ: a compilation may have read the type). */
function sameValue(a: SqlValue, b: SqlValue): boolean {
  if (Object.is(a, b)) return true
  if (a instanceof Real && b instanceof Real) return Object.is(a.value, b.value)
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    if (a.length !== b.length) return false
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
    return true
  }
  return false
}

/** A guarded value kept apart from the caller's buffer, which it may change after the statement. */
function copyValue(v: SqlValue): SqlValue {
  return v instanceof Uint8Array ? v.slice() : v
}
