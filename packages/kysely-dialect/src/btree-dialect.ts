import { BTreeTypeError, type Database, type OpenOptions } from 'btree-store'
import {
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
} from 'kysely'
import { BTreeAdapter } from './adapter.js'
import { BTreeDriver } from './driver.js'
import { BTreeQueryCompiler } from './btree-query-compiler.js'
import { BTreeIntrospector } from './introspector.js'

export interface BTreeDialectConfig extends OpenOptions {
  /** The file to open (created when missing) on first use; closed by `db.destroy()`. */
  path?: string
  /** An engine database already open; the dialect never closes it. */
  database?: Database
  /**
   * Whether foreign keys (`references`, `addForeignKeyConstraint`) are enforced, as SQLite's
   * `PRAGMA foreign_keys`: default true, as better-sqlite3 and node:sqlite open SQLite. Raw
   * `pragma foreign_keys = off` (outside a transaction) changes it per dialect instance.
   */
  foreignKeys?: boolean
  /** Called with each connection handle the driver creates (released handles are reused, not created again). */
  onCreateConnection?: (connection: DatabaseConnection) => Promise<void>
}

/**
 * Kysely's dialect for btree-store: `new Kysely<DB>({ dialect: new BTreeDialect({ path: 'app.db' }) })`.
 * The connection executes the operation-node tree, never the SQL text: `compiledQuery.sql` is
 * Kysely's SQLite text, compiled only when read (in logs, say; btree-query-compiler.ts).
 */
export class BTreeDialect implements Dialect {
  readonly #config: BTreeDialectConfig
  #lastDriver: BTreeDriver | undefined

  constructor(config: BTreeDialectConfig) {
    if (typeof config !== 'object' || config === null)
      throw new BTreeTypeError('BTreeDialect needs a config object ({ path } or { database })')
    if ((config.path === undefined) === (config.database === undefined))
      throw new BTreeTypeError('BTreeDialect needs exactly one of `path` and `database`')
    if (config.foreignKeys !== undefined && typeof config.foreignKeys !== 'boolean')
      throw new BTreeTypeError('BTreeDialect: `foreignKeys` must be a boolean')
    this.#config = { ...config }
  }

  createDriver(): Driver {
    this.#lastDriver = new BTreeDriver(this.#config)
    return this.#lastDriver
  }

  createQueryCompiler(): QueryCompiler {
    return new BTreeQueryCompiler()
  }

  /** Kysely creates the driver just before the adapter; the adapter keeps it for `explain` and introspection. */
  createAdapter(): DialectAdapter {
    return new BTreeAdapter(this.#lastDriver ?? new BTreeDriver(this.#config))
  }

  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new BTreeIntrospector(db)
  }
}
