import type { CompiledQuery, OperationNode } from 'kysely'
import type { Catalog } from '../catalog/catalog.js'
import { fromJs, type SqlValue } from '../encoding/values.js'
import type { AnyNode } from '../expression/nodes.js'
import { compileWithParameters, guardHolds, guardOf, Parameters } from '../expression/parameters.js'
import { statementNode } from '../sql/raw-statement.js'
import type { ExecContext, PreparedStatement, StatementResult, WriteContext } from './context.js'
import { allFit, collectSubqueryFits, type PlanFits, withContext } from './current-context.js'
import { runWriteStatement } from './write-statement.js'
import { prepareDelete } from './delete.js'
import { prepareInsert } from './insert.js'
import { prepareSelectStatement } from './select.js'
import type { StatementHandler } from './statement.js'
import { prepareUpdate } from './update.js'
import { nestedSelects, parameterize, shapeMatcher, type ShapeMatcher } from './statement-shape.js'

type Prepare = (node: AnyNode, ctx: WriteContext) => PreparedStatement<WriteContext>

/** The statement kinds cached, by root kind: selects and the three writes. */
const PREPARERS: Partial<Record<string, { prepare: Prepare; readOnly: boolean }>> = {
  SelectQueryNode: { prepare: prepareSelectStatement, readOnly: true },
  InsertQueryNode: { prepare: prepareInsert, readOnly: false },
  UpdateQueryNode: { prepare: prepareUpdate, readOnly: false },
  DeleteQueryNode: { prepare: prepareDelete, readOnly: false },
}

/** What a StatementCache counts (tests read it: a statement compiled once runs without compiling). */
export interface CacheCounts {
  compiled: number
}

interface Compiled {
  readonly catalog: Catalog
  /** The values read while compiling (parameter index, value): the compiled statement holds only for them. */
  readonly guard: readonly (readonly [number, SqlValue])[]
  readonly statement: PreparedStatement<WriteContext>
  /** Its subqueries' plans' checks (collectSubqueryFits): each must hold, as the statement's own. */
  readonly subqueries: readonly PlanFits[]
}

/**
 * One statement shape, compiled and planned once for all its executions (SQLite's prepared statement):
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
    /** The cache's count of compilations, which this statement's add to. */
    readonly counts: CacheCounts,
  ) {
    this.#parameters = new Parameters(slots)
    const run = (ctx: ExecContext, values: readonly SqlValue[] = []): StatementResult =>
      withContext(
        ctx,
        // A write's foreign keys and triggers, as statement.ts runs them.
        () =>
          readOnly
            ? this.#run(ctx as WriteContext, values)
            : runWriteStatement(ctx as WriteContext, tree, () => this.#run(ctx as WriteContext, values)),
        readOnly,
      )
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
      !compiled.statement.fits(ctx.tx) ||
      !allFit(compiled.subqueries, ctx.tx)
    ) {
      this.#compiled = undefined
      this.counts.compiled++
      parameters.baked.clear()
      const subqueries: PlanFits[] = []
      const statement = collectSubqueryFits(subqueries, () =>
        compileWithParameters(parameters, () => this.prepare(this.tree, ctx)),
      )
      const guard = guardOf(parameters, values)
      this.#compiled = compiled = { catalog: ctx.catalog, guard, statement, subqueries }
    }
    return compiled.statement.execute(ctx)
  }
}

/**
 * A statement shape seen before: its first tree, and the statement compiled for it (SEEN until it
 * runs a second time, so that a statement run once never pays for a compilation; UNCACHED when it
 * cannot be cached).
 */
interface Entry {
  readonly shape: AnyNode
  readonly matches: ShapeMatcher
  state: CachedStatement | typeof SEEN | typeof UNCACHED
}

/**
 * The cached statements of one session, by shape (statement-shape.ts): found by the first table
 * the statement names, then by comparing trees. The last statement's entry is tried first (a loop
 * of one statement).
 */
export class StatementCache {
  /** Compilations of the statements cached here (each cached statement's first, and every one again). */
  readonly counts: CacheCounts = { compiled: 0 }
  readonly #byTable = new Map<string, Entry[]>()
  #size = 0
  #last: Entry | undefined

  /**
   * The cached statement for a compiled query and its parameters converted, or undefined: the
   * caller then runs it uncached.
   */
  lookup(compiled: CompiledQuery): { statement: CachedStatement; values: SqlValue[] } | undefined {
    const query = compiled.query as AnyNode
    const raw: unknown[] = []
    let entry = this.#last
    if (entry === undefined || !entry.matches(query, raw)) entry = this.#find(compiled, raw)
    if (entry === undefined) return undefined
    if (entry.state === SEEN) entry.state = cacheable(entry.shape, raw.length, this.counts) ?? UNCACHED
    const state = entry.state
    if (state === UNCACHED) return undefined
    this.#last = entry
    const values = bind(raw)
    return values === undefined ? undefined : { statement: state, values }
  }

  /**
   * The entry of the query's shape (its values in `raw`), or undefined after remembering the shape
   * as SEEN. Kysely's SQLite compiler rejects some trees (a join in an update, a bad immediate
   * value), and such a statement must fail as on SQLite's dialect: a new shape's text is compiled
   * (read) before it is remembered, so a rejected one throws at every run. Values cannot make the
   * compiler throw, so a shape remembered once never needs its text again.
   */
  #find(compiled: CompiledQuery, raw: unknown[]): Entry | undefined {
    const query = compiled.query as AnyNode
    const table = firstTable(query)
    const entries = this.#byTable.get(table)
    if (entries !== undefined) {
      for (const entry of entries) {
        raw.length = 0
        if (entry.matches(query, raw)) return entry
      }
    }
    void compiled.sql
    this.#remember(table, { shape: query, matches: shapeMatcher(query), state: SEEN })
    return undefined
  }

  #remember(table: string, entry: Entry): void {
    const byTable = this.#byTable
    if (this.#size >= CACHE_LIMIT) {
      const [oldest, evicted] = byTable.entries().next().value!
      byTable.delete(oldest)
      this.#size -= evicted.length
      if (evicted.includes(this.#last!)) this.#last = undefined
    }
    let entries = byTable.get(table)
    if (entries === undefined) byTable.set(table, (entries = []))
    entries.push(entry)
    this.#size++
    if (entries.length > SHAPES_PER_TABLE) {
      entries.shift()
      this.#size--
    }
  }
}

/** Shapes remembered per session, and per table: a table's oldest shape goes first, then the table seen first. */
const CACHE_LIMIT = 256
const SHAPES_PER_TABLE = 64

const SEEN = 'seen'
const UNCACHED = 'uncached'

/**
 * The name of the first table a statement names ('' when none), or for a statement in raw text its
 * text up to its first value: the cache's first key.
 */
function firstTable(query: AnyNode): string {
  if (query.kind === 'RawNode') return `\0${(query.sqlFragments as readonly string[])[0] ?? ''}`
  let n = (query.into ?? query.table ?? query.from) as AnyNode | undefined
  while (n !== undefined) {
    switch (n.kind) {
      case 'FromNode':
        n = (n.froms as readonly AnyNode[])[0]
        break
      case 'AliasNode':
        n = n.node as AnyNode
        break
      case 'TableNode':
        n = n.table as AnyNode
        break
      case 'SchemableIdentifierNode':
        n = n.identifier as AnyNode
        break
      case 'IdentifierNode':
        return typeof n.name === 'string' ? n.name : ''
      default:
        return ''
    }
  }
  return ''
}

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
 * The statement of a shape as a cached statement, or undefined when it is not cached: a statement
 * in raw text holding a subquery, one whose raw text does not parse, or of another kind. A subquery in an
 * expression (`exists`, `in (select ...)`, a scalar one) is compiled with its statement: it reads
 * the running statement's transaction, keeps an uncorrelated one's rows for one run
 * (subquery-hook.ts), and its plan's check joins the statement's. A derived table, a common table
 * expression and a compound select's arms are prepared with it too, as the PreparedSelects a view
 * is read through (select-general.ts): their rows are read at each run, their plans' checks are
 * part of the select's own (`fits`).
 */
function cacheable(query: AnyNode, parameterCount: number, counts: CacheCounts): CachedStatement | undefined {
  // A statement in raw text (`sql\`select ... where id = ${id}\`.execute(db)`) is known by its
  // text: its kind once parsed.
  const raw = query.kind === 'RawNode'
  if (!raw && (PREPARERS[query.kind] === undefined || query.onDuplicateKey !== undefined)) return undefined
  const slots: AnyNode[] = []
  const tree = parameterize(query, slots)
  if (tree === undefined || slots.length !== parameterCount) return undefined
  // Raw text parsed once, here: the parser embeds each slot as the node it is, so their values
  // stay parameters (sql/lexer.ts: a parameter is one token holding its node).
  let resolved: AnyNode
  try {
    resolved = statementNode(tree)
  } catch {
    // Text the parser refuses (or a value it would read): the uncached run reports it, every time.
    return undefined
  }
  const kind = PREPARERS[resolved.kind]
  if (kind === undefined || resolved.onDuplicateKey !== undefined) return undefined
  // A select written in raw text (a subquery once parsed) is not cached: the raw text parsed must
  // bring no select of its own (the builder's selects around raw fragments are cached).
  if (resolved !== tree && nestedSelects(resolved) > nestedSelects(tree)) return undefined
  return new CachedStatement(resolved, new Map(slots.map((node, i) => [node, i])), kind.prepare, kind.readOnly, counts)
}
