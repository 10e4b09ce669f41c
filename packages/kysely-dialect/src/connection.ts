import type { CompiledQuery, DatabaseConnection, QueryResult } from 'kysely'
import type { StatementResult } from './executor/context.js'
import type { AnyNode } from './expression/nodes.js'
import { statementHandler } from './executor/statement.js'
import type { SqlSession } from './session.js'
import { statementNode } from './sql/raw-statement.js'
import { matchTransactionCommand, type TransactionCommand } from './transaction-command.js'

/**
 * A connection handle. Handles are cheap and share the driver's one session: a handle that began
 * a transaction owns it until commit or rollback, and the others wait (see SqlSession).
 */
export class BTreeConnection implements DatabaseConnection {
  readonly #session: SqlSession

  constructor(session: SqlSession) {
    this.#session = session
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const query = compiledQuery.query as AnyNode
    if (query.kind === 'RawNode') {
      const command = matchTransactionCommand(query)
      if (command !== undefined) {
        await this.#command(command)
        return { rows: [] }
      }
    }
    const node = statementNode(query)
    const result = await this.#session.run(this, node, statementHandler(node))
    return this.#result<R>(result)
  }

  async #command(command: TransactionCommand): Promise<void> {
    const s = this.#session
    switch (command.kind) {
      case 'begin':
        return s.begin(this)
      case 'commit':
        return s.commit(this)
      case 'rollback':
        return s.rollback(this)
      case 'savepoint':
        return s.savepoint(this, command.name)
      case 'rollback to':
        return s.rollbackTo(this, command.name)
      case 'release':
        return s.release(this, command.name)
    }
  }

  /** The shape better-sqlite3 gives Kysely's SqliteDialect: rows for readers, counts for the rest. */
  #result<R>(result: StatementResult): QueryResult<R> {
    if (result.reader) return { rows: result.rows as R[] }
    return {
      rows: [],
      numAffectedRows: BigInt(result.changes),
      insertId: BigInt(this.#session.session.lastInsertRowid),
    }
  }

  async *streamQuery<R>(compiledQuery: CompiledQuery, chunkSize = 100): AsyncIterableIterator<QueryResult<R>> {
    const result = await this.executeQuery<R>(compiledQuery)
    const size = Math.max(1, chunkSize)
    for (let i = 0; i < result.rows.length; i += size) yield { rows: result.rows.slice(i, i + size) }
  }
}
