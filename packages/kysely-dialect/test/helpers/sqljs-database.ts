import initSqlJs from 'sql.js'

/**
 * sql.js dressed as the better-sqlite3 database Kysely's `SqliteDialect` drives (`prepare(sql)`
 * returning a statement with `reader`, `all`, `run`, `iterate`; `close()`), so the oracle is
 * SQLite itself reached through Kysely's own SQLite driver, with no native build.
 *
 * Where better-sqlite3 and sql.js differ, the adapter takes better-sqlite3's side unless noted:
 * - Rows are objects keyed by column name (the last of duplicate names wins), integers come back as
 *   JS numbers (lossy beyond 2^53, like better-sqlite3 without `safeIntegers`), blobs as `Buffer`.
 * - `run` reports `changes` as better-sqlite3 does (0 when the statement changed nothing, even after
 *   an earlier DML statement) and `lastInsertRowid` from `sqlite3_last_insert_rowid`, which outlives
 *   the statement that set it, exactly what Kysely's `SqliteDialect` turns into `insertId`.
 * - `reader` is true when the statement yields columns (selects, and anything with `returning`).
 * - Double-quoted strings are off, as in better-sqlite3's build (SQLITE_DQS=0): stock SQLite reads
 *   `select "gone"` on a missing column as the string 'gone'; better-sqlite3 raises "no such column".
 *   sql.js cannot change that setting at run time, so every double-quoted identifier Kysely emits is
 *   rewritten as a backquoted one, which SQLite only ever reads as an identifier.
 * - better-sqlite3 is also built with SQLITE_LIKE_DOESNT_MATCH_BLOBS, which sql.js is not and the
 *   adapter cannot mimic: the cases never apply `like` to a blob.
 * - Foreign keys are on, as better-sqlite3 (and node:sqlite) open SQLite and as the dialect
 *   enforces them by default (stock SQLite starts with them off).
 * - Numbers: better-sqlite3 binds every JS number as REAL, which makes `7 / 2` give 3.5 when both
 *   are parameters, stores `5` in a TEXT column as '5.0' and makes `where code = 5` miss a TEXT '5';
 *   sql.js binds only 32-bit integers as INTEGER. The oracle binds every integral number that a
 *   64-bit integer holds (`Number.isInteger`, within [-2^63, 2^63)) as INTEGER and other numbers
 *   (fractions, 1e20, infinities) as REAL: what a reader of `n / 2` expects, and the dialect's value
 *   model ("integral numbers as integers"). This is the one deliberate departure from
 *   better-sqlite3; the cases that would see it (division by a parameter, numbers into TEXT
 *   columns) document it where they stand.
 * - Booleans bind as 1/0 (sql.js's behaviour; better-sqlite3 throws on them). The dialect stores
 *   booleans as 1/0, so the oracle has to accept them to compare anything.
 * - `undefined` is rejected with a TypeError, as better-sqlite3 does.
 */
export interface SqliteStatementLike {
  readonly reader: boolean
  all(parameters: ReadonlyArray<unknown>): unknown[]
  run(parameters: ReadonlyArray<unknown>): { changes: number; lastInsertRowid: number }
  iterate(parameters: ReadonlyArray<unknown>): IterableIterator<unknown>
}

export interface SqliteDatabaseLike {
  prepare(sql: string): SqliteStatementLike
  close(): void
}

type SqlJsStatic = Awaited<ReturnType<typeof initSqlJs>>
type SqlJsDatabase = InstanceType<SqlJsStatic['Database']>

/** sql.js's Statement as used here; its bind() takes bigints, which its declarations omit. */
interface RawStatement {
  bind(values: unknown[]): boolean
  step(): boolean
  get(): unknown[]
  getColumnNames(): string[]
  free(): boolean
}

let sqlJs: Promise<SqlJsStatic> | undefined

/**
 * sql.js registers, unless told not to, the legacy extension functions of SQLite's contrib page
 * (sign, sqrt, ceil, log ... in JavaScript) over SQLite's own math functions; the oracle is SQLite,
 * so they are turned off (sql.js 1.17's option; the next major version's default).
 */
function loadSqlJs(): Promise<SqlJsStatic> {
  sqlJs ??= initSqlJs({ useOldExtensionFunctions: false } as Parameters<typeof initSqlJs>[0])
  return sqlJs
}

export class OracleError extends Error {
  readonly code: string
  constructor(message: string, code: string) {
    super(message)
    this.name = 'SqliteError'
    this.code = code
  }
}

/** better-sqlite3's extended result code for the messages the comparison cares about. */
function codeOf(message: string): string {
  if (message.startsWith('UNIQUE constraint failed')) return 'SQLITE_CONSTRAINT_UNIQUE'
  if (message.startsWith('NOT NULL constraint failed')) return 'SQLITE_CONSTRAINT_NOTNULL'
  if (message.includes('constraint failed')) return 'SQLITE_CONSTRAINT'
  return 'SQLITE_ERROR'
}

function wrapError(error: unknown): OracleError {
  const message = error instanceof Error ? error.message : String(error)
  return new OracleError(message, codeOf(message))
}

/**
 * Rewrites "identifier" as `identifier` outside single-quoted literals, so that SQLite can never
 * fall back to reading a double-quoted name as a string literal (see SQLITE_DQS above).
 */
export function backquoteIdentifiers(sql: string): string {
  let out = ''
  let i = 0
  while (i < sql.length) {
    const ch = sql[i] as string
    if (ch === "'") {
      const end = closingQuote(sql, i, "'")
      out += sql.slice(i, end + 1)
      i = end + 1
    } else if (ch === '"') {
      const end = closingQuote(sql, i, '"')
      const name = sql.slice(i + 1, end).replaceAll('""', '"')
      out += '`' + name.replaceAll('`', '``') + '`'
      i = end + 1
    } else {
      out += ch
      i += 1
    }
  }
  return out
}

/** The index of the quote closing the one at `start`, a doubled quote being an escaped one. */
function closingQuote(sql: string, start: number, quote: string): number {
  let i = start + 1
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) {
        i += 2
        continue
      }
      return i
    }
    i += 1
  }
  return sql.length
}

function toJs(value: unknown): unknown {
  return value instanceof Uint8Array ? Buffer.from(value) : value
}

class SqlJsStatement implements SqliteStatementLike {
  readonly reader: boolean
  readonly #owner: SqlJsSqliteDatabase
  readonly #statement: RawStatement

  constructor(owner: SqlJsSqliteDatabase, statement: RawStatement) {
    this.#owner = owner
    this.#statement = statement
    this.reader = statement.getColumnNames().length > 0
  }

  all(parameters: ReadonlyArray<unknown>): unknown[] {
    return [...this.iterate(parameters)]
  }

  run(parameters: ReadonlyArray<unknown>): { changes: number; lastInsertRowid: number } {
    const before = this.#owner.totalChanges()
    try {
      this.#bind(parameters)
      while (this.#statement.step()) {
        // Rows of a reader run through run() are discarded, as better-sqlite3 does.
      }
    } catch (error) {
      throw wrapError(error)
    } finally {
      this.#statement.free()
    }
    const after = this.#owner.totalChanges()
    return {
      changes: after === before ? 0 : this.#owner.changes(),
      lastInsertRowid: this.#owner.lastInsertRowid(),
    }
  }

  *iterate(parameters: ReadonlyArray<unknown>): IterableIterator<unknown> {
    const statement = this.#statement
    try {
      this.#bind(parameters)
      const names = statement.getColumnNames()
      for (;;) {
        let more: boolean
        try {
          more = statement.step()
        } catch (error) {
          throw wrapError(error)
        }
        if (!more) break
        const values = statement.get()
        const row: Record<string, unknown> = {}
        names.forEach((name, i) => {
          row[name] = toJs(values[i])
        })
        yield row
      }
    } finally {
      statement.free()
    }
  }

  #bind(parameters: ReadonlyArray<unknown>): void {
    if (parameters.length > 0) this.#statement.bind(parameters.map(toBindable))
  }
}

const twoTo63 = 2 ** 63

/** An integral JS number that a 64-bit integer holds exactly (2^63 itself does not fit). */
function isInt64(value: number): boolean {
  return Number.isInteger(value) && value >= -twoTo63 && value < twoTo63
}

export function toBindable(value: unknown): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'bigint') return value
  if (typeof value === 'boolean') return value ? 1n : 0n
  if (typeof value === 'number') return isInt64(value) ? BigInt(value) : value
  if (value instanceof Uint8Array) return value
  throw new TypeError(
    'SQLite3 can only bind numbers, strings, bigints, buffers, and null (got ' +
      (value === undefined ? 'undefined' : typeof value) +
      ')',
  )
}

/** A fresh in-memory SQLite database behind the better-sqlite3 interface. */
export class SqlJsSqliteDatabase implements SqliteDatabaseLike {
  readonly #db: SqlJsDatabase

  private constructor(db: SqlJsDatabase) {
    this.#db = db
  }

  static async create(): Promise<SqlJsSqliteDatabase> {
    const SQL = await loadSqlJs()
    const db = new SQL.Database()
    db.run('pragma foreign_keys = on')
    return new SqlJsSqliteDatabase(db)
  }

  prepare(sql: string): SqliteStatementLike {
    let statement: RawStatement
    try {
      statement = this.#db.prepare(backquoteIdentifiers(sql)) as unknown as RawStatement
    } catch (error) {
      throw wrapError(error)
    }
    return new SqlJsStatement(this, statement)
  }

  close(): void {
    this.#db.close()
  }

  totalChanges(): number {
    return Number(this.#scalar('select total_changes()'))
  }

  changes(): number {
    return Number(this.#scalar('select changes()'))
  }

  lastInsertRowid(): number {
    return Number(this.#scalar('select last_insert_rowid()'))
  }

  #scalar(sql: string): unknown {
    const result = this.#db.exec(sql)
    return result[0]?.values[0]?.[0]
  }
}
