import type { CompiledQuery, DatabaseConnection, QueryResult } from 'kysely'
import type { StatementResult } from './executor/context.js'
import type { AnyNode } from './expression/nodes.js'
import { withContext } from './executor/current-context.js'
import { selectStream } from './executor/select-stream.js'
import { statementHandler } from './executor/statement.js'
import { pinStatementClock } from './expression/statement-clock.js'
import { setCaseSensitiveLike } from './expression/operators.js'
import { planOn, type Owner, type SqlSession } from './session.js'
import { statementNode } from './sql/raw-statement.js'
import { matchTransactionCommand, type TransactionCommand } from './transaction-command.js'
import { matchPragma } from './pragma.js'
import { matchVacuum } from './vacuum.js'
import { matchExplainQueryPlan } from './query-plan.js'
import { queryPlanRows } from './executor/query-plan-rows.js'
import { analyzeHandler } from './executor/analyze.js'
import { queryOnlyError } from './errors.js'

/**
 * A connection handle. Handles are cheap and share the driver's one session: a handle that began
 * a transaction owns it until commit or rollback, and the others wait (see SqlSession).
 */
export class BTreeConnection implements DatabaseConnection {
  readonly #session: SqlSession

  constructor(session: SqlSession) {
    this.#session = session
  }

  /**
   * Not async: a statement that runs at once (the usual case) resolves with its result without
   * the extra turn an `await` of a plain value costs, and reads the last insert rowid as it ran.
   */
  executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    try {
      const query = compiledQuery.query as AnyNode
      if (query.kind === 'RawNode') {
        const command = matchTransactionCommand(query)
        // Text from user code: a transaction it begins is every handle's, as on SQLite's one connection.
        if (command !== undefined)
          return this.#command(command, this.#session.ownerFor(this)).then(() => ({ rows: [] }))
        const explained = matchExplainQueryPlan(query)
        if (explained !== undefined) {
          const node = statementNode(explained)
          // Selects, updates and deletes have plans; an insert or a schema statement reads no table.
          const plan = ['SelectQueryNode', 'UpdateQueryNode', 'DeleteQueryNode'].includes(node.kind)
            ? this.#session.plan(node, statementHandler(node))
            : undefined
          return Promise.resolve({ rows: queryPlanRows(plan, this.#session.catalog()) as R[] })
        }
        const vacuum = matchVacuum(query)
        if (vacuum !== undefined) {
          if (vacuum.into === undefined && this.#session.settings.queryOnly) throw queryOnlyError()
          return this.#session.vacuum(this.#session.ownerFor(this), vacuum.into).then(() => ({ rows: [] }))
        }
        const pragma = matchPragma(query)
        if (pragma !== undefined) {
          // ANALYZE writes statistics: a statement of this handle's, in its transaction when it has one.
          const statistics = pragma.name === 'analyze' || pragma.name === 'optimize'
          if (statistics && this.#session.settings.queryOnly) throw queryOnlyError()
          const rows = statistics
            ? Promise.resolve(this.#session.run(this, query, analyzeHandler(pragma))).then(() => [])
            : this.#session.pragma(pragma, this)
          return Promise.resolve(rows).then((r) => ({ rows: r as R[] }))
        }
      }
      const cached = this.#session.statements.lookup(compiledQuery)
      // `pragma query_only`: every statement that writes is refused, as on a read-only database.
      const queryOnly = this.#session.settings.queryOnly
      let result: StatementResult | Promise<StatementResult>
      if (cached !== undefined) {
        if (queryOnly && !cached.statement.handler.readOnly) throw queryOnlyError()
        result = this.#session.run(this, cached.statement.tree, cached.statement.handler, cached.values)
      } else {
        const node = statementNode(query)
        const handler = statementHandler(node)
        if (queryOnly && !handler.readOnly) throw queryOnlyError()
        result = this.#session.run(this, node, handler)
      }
      return result instanceof Promise
        ? result.then((r) => this.#result<R>(r))
        : Promise.resolve(this.#result<R>(result))
    } catch (err) {
      return Promise.reject(err as Error)
    }
  }

  /** Kysely's `transaction()` (through the driver): the transaction is this handle's alone. */
  transactionCommand(command: TransactionCommand): Promise<void> {
    return this.#command(command, this)
  }

  async #command(command: TransactionCommand, owner: Owner): Promise<void> {
    const s = this.#session
    switch (command.kind) {
      case 'begin':
        return s.begin(owner)
      case 'commit':
        return s.commit(owner)
      case 'rollback':
        return s.rollback(owner)
      case 'savepoint':
        return s.savepoint(owner, command.name)
      case 'rollback to':
        return s.rollbackTo(owner, command.name)
      case 'release':
        return s.release(owner, command.name)
    }
  }

  /** The shape better-sqlite3 gives Kysely's SqliteDialect: rows for readers, counts for the rest. */
  #result<R>(result: StatementResult): QueryResult<R> {
    // INSERT OR FAIL: the rows before the failing one were kept (committed, outside a transaction).
    if (result.failure !== undefined) throw result.failure
    if (result.reader) return { rows: result.rows as R[] }
    return {
      rows: [],
      numAffectedRows: bigint(result.changes),
      insertId: bigint(this.#session.session.lastInsertRowid),
    }
  }

  /**
   * Kysely's `stream()`: a select's rows in chunks of `chunkSize`, read lazily from a snapshot held
   * until the last chunk or until the consumer stops (a `break` closes it). Other statements run
   * whole and hand out their rows in chunks.
   */
  async *streamQuery<R>(compiledQuery: CompiledQuery, chunkSize = 100): AsyncIterableIterator<QueryResult<R>> {
    const size = Math.max(1, Math.floor(chunkSize))
    const query = compiledQuery.query as AnyNode
    const node = query.kind === 'RawNode' && matchTransactionCommand(query) !== undefined ? query : statementNode(query)
    const snapshot = node.kind === 'SelectQueryNode' ? await this.#session.openSnapshot(this) : undefined
    if (snapshot === undefined) {
      const result = await this.executeQuery<R>(compiledQuery)
      for (let i = 0; i < result.rows.length; i += size) yield { rows: result.rows.slice(i, i + size) }
      return
    }
    const { ctx } = snapshot
    const handler = statementHandler(node)
    const time = Date.now()
    const caseSensitiveLike = this.#session.caseSensitiveLike
    // Every pull runs in the statement's context, at the statement's one 'now', with its connection's LIKE.
    const pull = <T>(f: () => T): T =>
      withContext(
        ctx,
        () => {
          pinStatementClock(time)
          setCaseSensitiveLike(caseSensitiveLike)
          return f()
        },
        true,
      )
    let rows: Generator<Record<string, unknown>> | undefined
    try {
      rows = pull(() => selectStream(node, ctx, planOn(ctx.tx, node, handler)))
      for (;;) {
        const chunk = pull(() => {
          const out: Record<string, unknown>[] = []
          while (out.length < size) {
            const next = rows!.next()
            if (next.done === true) break
            out.push(next.value)
          }
          return out
        })
        if (chunk.length > 0) yield { rows: chunk as R[] }
        if (chunk.length < size) return
      }
    } finally {
      rows?.return(undefined)
      snapshot.close()
    }
  }
}

/** Small counts as bigints made once: every write statement reports one or two. */
const SMALL = Array.from({ length: 256 }, (_, i) => BigInt(i))

function bigint(n: number): bigint {
  return SMALL[n] ?? BigInt(n)
}
