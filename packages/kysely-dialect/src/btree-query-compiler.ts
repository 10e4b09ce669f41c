import {
  SqliteQueryCompiler,
  type CompiledQuery,
  type QueryCompiler,
  type QueryId,
  type RootOperationNode,
} from 'kysely'

/**
 * Kysely's SQLite compiler, run only when something reads the text. The connection executes the
 * operation-node tree and reads `sql` only the first time it meets a statement's shape (to fail
 * where Kysely's compiler fails; statement-cache.ts), so building the text for every query was
 * work nothing used: ~14% of the CPU time of a loop of one-row inserts.
 */
export class BTreeQueryCompiler implements QueryCompiler {
  compileQuery(node: RootOperationNode, queryId: QueryId): CompiledQuery {
    return new LazyCompiledQuery(node, queryId)
  }
}

/**
 * A compiled query whose `sql` and `parameters` (SQLite's, as Kysely's SqliteDialect gives them)
 * are compiled on the first read: a logger, a test or user code reading them (or JSON.stringify)
 * sees no difference, except that they are accessors (a spread copies `query` and `queryId` alone).
 */
class LazyCompiledQuery implements CompiledQuery {
  #text: CompiledQuery | undefined

  constructor(
    readonly query: RootOperationNode,
    readonly queryId: QueryId,
  ) {}

  get sql(): string {
    return this.#compiled().sql
  }

  get parameters(): readonly unknown[] {
    return this.#compiled().parameters
  }

  /** JSON.stringify (of a log record, say) writes the text and parameters as for a plain compiled query. */
  toJSON(): CompiledQuery {
    const { sql, parameters } = this.#compiled()
    return { query: this.query, queryId: this.queryId, sql, parameters }
  }

  #compiled(): CompiledQuery {
    return (this.#text ??= SQLITE.compileQuery(this.query, this.queryId))
  }
}

/** Kysely's compiler keeps no state between compilations (it resets per call): one serves every query. */
const SQLITE = new SqliteQueryCompiler()
