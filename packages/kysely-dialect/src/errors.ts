/**
 * Every error the dialect raises itself carries a stable `code`; compare codes, never messages.
 * Errors from the engine (`BTREE_*` without `SQL`) pass through unchanged.
 */
export type SqlErrorCode =
  /** A node kind, operator, raw SQL text or option this dialect does not execute. */
  | 'BTREE_SQL_UNSUPPORTED'
  /** A statement names a table that does not exist (or one in a schema other than "main"). */
  | 'BTREE_SQL_NO_SUCH_TABLE'
  /** `createTable` (without `ifNotExists`) or `renameTo` names a table that exists. */
  | 'BTREE_SQL_TABLE_EXISTS'
  /** A statement names a column the table does not have, or a column twice, or a result column position (order by 3) out of range. */
  | 'BTREE_SQL_NO_SUCH_COLUMN'
  /** `addColumn` or `renameColumn` names a column that exists. */
  | 'BTREE_SQL_COLUMN_EXISTS'
  /** `dropIndex` (without `ifExists`) names an index that does not exist. */
  | 'BTREE_SQL_NO_SUCH_INDEX'
  /** `createIndex` (without `ifNotExists`) names an index that exists. */
  | 'BTREE_SQL_INDEX_EXISTS'
  /** A primary key or unique constraint (column, table constraint or unique index) would hold two equal rows. */
  | 'BTREE_SQL_UNIQUE_VIOLATION'
  /** A `notNull` column would hold null. */
  | 'BTREE_SQL_NOT_NULL_VIOLATION'
  /** A comparison or sort names a collating sequence SQLite does not have (it has BINARY, NOCASE and RTRIM). */
  | 'BTREE_SQL_NO_SUCH_COLLATION'
  /** An insert or update names a generated column, whose value only its expression gives. */
  | 'BTREE_SQL_GENERATED_COLUMN'
  /**
   * A statement (or, for deferred keys, a commit) would leave a row referring to a parent row
   * that does not exist, or a RESTRICT key's parent row was deleted or changed (foreign keys are
   * enforced unless the dialect's `foreignKeys` is false or `PRAGMA foreign_keys = off`).
   */
  | 'BTREE_SQL_FOREIGN_KEY_VIOLATION'
  /** A row would make a `check` constraint false (as SQLite, which always enforces them). */
  | 'BTREE_SQL_CHECK_VIOLATION'
  /** An `integer primary key` (rowid) would hold something other than an integer, or a STRICT table's column a value not of its type. */
  | 'BTREE_SQL_DATATYPE_MISMATCH'
  /** A schema SQLite rejects too: two primary keys, autoIncrement off an integer primary key, dropping a key column. */
  | 'BTREE_SQL_INVALID_SCHEMA'
  /** A JavaScript value that cannot be bound (a Date, an object, a symbol, ...). */
  | 'BTREE_SQL_INVALID_VALUE'
  /**
   * A transaction command out of place: commit without begin, an unknown savepoint, a nested begin;
   * `pragma wal_checkpoint` in the statement's own transaction, or a `temp_store` change in one while
   * temporary tables exist (SQLite's errors there).
   */
  | 'BTREE_SQL_TRANSACTION'
  /**
   * A function rejects its arguments as SQLite's does: malformed JSON, a bad JSON path, a blob in
   * JSON; a date function reading 'now' while a row's index expressions or partial condition are
   * evaluated.
   */
  | 'BTREE_SQL_FUNCTION_ERROR'
  /** `drop trigger` (without `if exists`) names a trigger that does not exist. */
  | 'BTREE_SQL_NO_SUCH_TRIGGER'
  /** `create trigger` (without `if not exists`) names a trigger that exists. */
  | 'BTREE_SQL_TRIGGER_EXISTS'
  /** A trigger's `RAISE(ABORT | FAIL | ROLLBACK, message)`: the message is the trigger's (SQLite's SQLITE_CONSTRAINT_TRIGGER). */
  | 'BTREE_SQL_RAISE'
  /** The dialect's catalog in the file is not one it can read. */
  | 'BTREE_SQL_CATALOG_CORRUPT'
  /** `copyDatabase`: a table to copy exists in the target (and `ifTableExists` is `'error'`). */
  | 'BTREE_SQL_COPY_TARGET_EXISTS'
  /** `copyDatabase`: the target refused a statement (its error is the `cause`), or a column holds values no target type can take. */
  | 'BTREE_SQL_COPY_FAILED'
  /** `copyDatabase`: the `signal` aborted the copy (its reason is the `cause`). */
  | 'BTREE_SQL_COPY_ABORTED'
  /** A write while `pragma query_only` is on: SQLite's "attempt to write a readonly database". */
  | 'BTREE_SQL_READONLY'

/** The dialect's error: `code` is stable; `cause` holds the engine error where there is one. */
export class BTreeSqlError extends Error {
  readonly code: SqlErrorCode

  constructor(code: SqlErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'BTreeSqlError'
    this.code = code
  }
}

export function unsupported(what: string): BTreeSqlError {
  return new BTreeSqlError('BTREE_SQL_UNSUPPORTED', `not supported by kysely-btree: ${what}`)
}

/** A write refused while `pragma query_only` is on (SQLite's SQLITE_READONLY). */
export function queryOnlyError(): BTreeSqlError {
  return new BTreeSqlError('BTREE_SQL_READONLY', 'attempt to write a readonly database')
}
