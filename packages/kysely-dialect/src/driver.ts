import { BTreeTypeError, open, type Database } from 'btree-store'
import {
  CompiledQuery,
  createQueryId,
  IdentifierNode,
  RawNode,
  type DatabaseConnection,
  type Driver,
  type QueryCompiler,
} from 'kysely'
import type { BTreeDialectConfig } from './btree-dialect.js'
import { BTreeConnection } from './connection.js'
import { unsupported } from './errors.js'
import type { AnyNode } from './expression/nodes.js'
import { statementHandler } from './executor/statement.js'
import { statementNode } from './sql/raw-statement.js'
import type { QueryPlan } from './planner/plan.js'
import { runAnalyze } from './executor/analyze.js'
import { dropTemporaryObjects } from './executor/drop-table.js'
import { SqlSession } from './session.js'

/** Opens (or adopts) the database and hands out connection handles over one SqlSession. */
export class BTreeDriver implements Driver {
  readonly #config: BTreeDialectConfig
  #session: SqlSession | undefined
  #opening: Promise<SqlSession> | undefined

  constructor(config: BTreeDialectConfig) {
    this.#config = config
  }

  async init(): Promise<void> {
    await this.session()
  }

  /** The session, opening the file on first use. */
  session(): Promise<SqlSession> {
    this.#opening ??= this.#open()
    return this.#opening
  }

  async #open(): Promise<SqlSession> {
    const { path, database, onCreateConnection: _ignored, foreignKeys, ...options } = this.#config
    let db: Database
    if (database !== undefined) db = database
    else if (path !== undefined) db = await open(path, options)
    else throw new BTreeTypeError('BTreeDialect needs a `path` or an open `database`')
    // Plain VACUUM rebuilds a file this dialect opened for writing (rebuild-file.ts).
    const file =
      database === undefined && path !== undefined && options.readOnly !== true
        ? { path, reopen: () => open(path, options) }
        : undefined
    const session = new SqlSession(db, { foreignKeys, file })
    // Temporary tables and views a crash left behind in a file this dialect opened (a database handed in
    // may hold another dialect's, still in use).
    if (database === undefined && options.readOnly !== true && hasTemporaryObjects(session))
      await dropTemporary(session)
    this.#session = session
    return session
  }

  /** Released handles, handed out again (a handle is cheap, but one a query is garbage). */
  readonly #idle: BTreeConnection[] = []

  /** Not async: a released handle is handed out again without an async function's frame (every query takes one). */
  acquireConnection(): Promise<DatabaseConnection> {
    const idle = this.#idle.pop()
    return idle !== undefined ? Promise.resolve(idle) : this.#newConnection()
  }

  async #newConnection(): Promise<DatabaseConnection> {
    const session = await this.session()
    const connection = new BTreeConnection(session)
    await this.#config.onCreateConnection?.(connection)
    return connection
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as BTreeConnection).transactionCommand({ kind: 'begin' })
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as BTreeConnection).transactionCommand({ kind: 'commit' })
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as BTreeConnection).transactionCommand({ kind: 'rollback' })
  }

  async savepoint(
    connection: DatabaseConnection,
    name: string,
    compileQuery: QueryCompiler['compileQuery'],
  ): Promise<void> {
    await connection.executeQuery(compileQuery(savepointCommand('savepoint', name), createQueryId()))
  }

  async rollbackToSavepoint(
    connection: DatabaseConnection,
    name: string,
    compileQuery: QueryCompiler['compileQuery'],
  ): Promise<void> {
    await connection.executeQuery(compileQuery(savepointCommand('rollback to', name), createQueryId()))
  }

  async releaseSavepoint(
    connection: DatabaseConnection,
    name: string,
    compileQuery: QueryCompiler['compileQuery'],
  ): Promise<void> {
    await connection.executeQuery(compileQuery(savepointCommand('release', name), createQueryId()))
  }

  /** Keeps the handle for the next query unless it still holds a transaction (it is then not reused). */
  releaseConnection(connection: DatabaseConnection): Promise<void> {
    const handle = connection as BTreeConnection
    if (this.#idle.length < MAX_IDLE && this.#session?.owns(handle) === false) this.#idle.push(handle)
    return RELEASED
  }

  /** Rolls back a transaction left open, and closes the database unless it was passed in open. */
  async destroy(): Promise<void> {
    const opening = this.#opening
    if (opening === undefined) return
    this.#opening = undefined
    this.#idle.length = 0
    const session = await opening
    session.abandon()
    // The connection's temporary tables and views go with it, as SQLite's temp schema does.
    if (!session.db.closed && this.#config.readOnly !== true && hasTemporaryObjects(session))
      await dropTemporary(session)
    if (this.#config.database === undefined) await session.db.close()
  }

  /** The plan a select, update or delete would run with; nothing is read or written. */
  async explain(compiled: CompiledQuery): Promise<QueryPlan> {
    const node = statementNode(compiled.query as AnyNode)
    if (node.kind !== 'SelectQueryNode' && node.kind !== 'UpdateQueryNode' && node.kind !== 'DeleteQueryNode') {
      throw unsupported(`explain of a ${node.kind} (select, update and delete have plans)`)
    }
    const session = await this.session()
    const plan = session.plan(node, statementHandler(node))
    if (plan === undefined) throw unsupported(`explain of a ${node.kind} without a table`)
    return plan
  }

  /**
   * Refreshes the planner's index statistics (all tables, or `table`), as SQLite's ANALYZE: in a
   * transaction of its own, after any open one ends.
   */
  async analyze(table?: string): Promise<void> {
    const session = await this.session()
    await session.run({}, ANALYZE_NODE, {
      readOnly: false,
      schema: true,
      analyzes: true,
      run: (_, ctx) => runAnalyze(ctx, table),
    })
  }

  /** Writes the journal's commits into the file's pages, after any open transaction ends (checkpoint.ts). */
  async checkpoint(): Promise<void> {
    const session = await this.session()
    await session.checkpoint()
  }

  /** The database, once opened. */
  get database(): Database | undefined {
    return this.#session?.db
  }
}

const MAX_IDLE = 16

const RELEASED = Promise.resolve()

const ANALYZE_NODE = { kind: 'RawNode', sqlFragments: ['analyze'], parameters: [] } as unknown as AnyNode
const DROP_TEMPORARY_NODE = {
  kind: 'RawNode',
  sqlFragments: ['drop temporary objects'],
  parameters: [],
} as unknown as AnyNode

function hasTemporaryObjects(session: SqlSession): boolean {
  const catalog = session.catalog()
  return (
    catalog.tables().some((t) => t.temporary === true) ||
    catalog.views().some((v) => v.temporary === true) ||
    catalog.triggers().some((r) => r.temporary === true)
  )
}

async function dropTemporary(session: SqlSession): Promise<void> {
  await session.run({}, DROP_TEMPORARY_NODE, {
    readOnly: false,
    schema: true,
    run: (_, ctx) => {
      dropTemporaryObjects(ctx)
      return { rows: [], changes: 0, reader: false }
    },
  })
}

function savepointCommand(command: string, name: string): RawNode {
  return RawNode.createWithChildren([RawNode.createWithSql(`${command} `), IdentifierNode.create(name)])
}
