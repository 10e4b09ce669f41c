import initSqlJs from 'sql.js'
import type { SqliteDatabase, SqliteStatement } from 'kysely'

type SqlJsStatic = Awaited<ReturnType<typeof initSqlJs>>
type SqlJsDatabase = InstanceType<SqlJsStatic['Database']>
type SqlJsStatement = ReturnType<SqlJsDatabase['prepare']>
type BindParams = Parameters<SqlJsStatement['bind']>[0]

/**
 * sql.js (SQLite compiled to WASM, in memory) shaped as the better-sqlite3 database that Kysely's
 * `SqliteDialect` drives. Kept lean on purpose: it is a column of the benchmark, so it prepares and
 * frees a statement per query as better-sqlite3 does under Kysely (Kysely never caches statements),
 * and it reads `last_insert_rowid()` only after inserts, where better-sqlite3 reports it for free.
 */
export async function openSqlJs(): Promise<SqliteDatabase> {
  const SQL = await initSqlJs()
  const db = new SQL.Database()
  // As better-sqlite3 opens SQLite (the foreign-key workloads check the keys on every side).
  db.run('pragma foreign_keys = on')
  return new SqlJsSqliteDatabase(db)
}

class SqlJsSqliteDatabase implements SqliteDatabase {
  readonly #db: SqlJsDatabase
  #lastRowid: SqlJsStatement | undefined

  constructor(db: SqlJsDatabase) {
    this.#db = db
  }

  prepare(sql: string): SqliteStatement {
    return new SqlJsSqliteStatement(this, this.#db.prepare(sql), /^\s*(insert|replace)\b/i.test(sql))
  }

  close(): void {
    this.#lastRowid?.free()
    this.#db.close()
  }

  changes(): number {
    return this.#db.getRowsModified()
  }

  lastInsertRowid(): number {
    this.#lastRowid ??= this.#db.prepare('select last_insert_rowid()')
    this.#lastRowid.step()
    const id = this.#lastRowid.get()[0] as number
    this.#lastRowid.reset()
    return id
  }
}

class SqlJsSqliteStatement implements SqliteStatement {
  readonly reader: boolean
  readonly #owner: SqlJsSqliteDatabase
  readonly #statement: SqlJsStatement
  readonly #insert: boolean

  constructor(owner: SqlJsSqliteDatabase, statement: SqlJsStatement, insert: boolean) {
    this.#owner = owner
    this.#statement = statement
    this.#insert = insert
    this.reader = statement.getColumnNames().length > 0
  }

  all(parameters: ReadonlyArray<unknown>): unknown[] {
    return [...this.iterate(parameters)]
  }

  run(parameters: ReadonlyArray<unknown>): { changes: number; lastInsertRowid: number } {
    try {
      this.#statement.bind(parameters as BindParams)
      while (this.#statement.step());
      const changes = this.#owner.changes()
      return { changes, lastInsertRowid: this.#insert ? this.#owner.lastInsertRowid() : 0 }
    } finally {
      this.#statement.free()
    }
  }

  *iterate(parameters: ReadonlyArray<unknown>): IterableIterator<unknown> {
    try {
      this.#statement.bind(parameters as BindParams)
      const names = this.#statement.getColumnNames()
      while (this.#statement.step()) {
        const values = this.#statement.get()
        const row: Record<string, unknown> = {}
        for (let i = 0; i < names.length; i++) row[names[i] as string] = values[i]
        yield row
      }
    } finally {
      this.#statement.free()
    }
  }
}
