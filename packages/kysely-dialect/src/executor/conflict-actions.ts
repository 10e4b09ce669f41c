import { BTreeSqlError } from '../errors.js'

/**
 * SQLite's conflict actions besides IGNORE and REPLACE (lang_conflict.html), for an INSERT's
 * `orAbort()`, `orFail()` and `orRollback()`: what a constraint failure (UNIQUE, PRIMARY KEY, NOT
 * NULL, CHECK) does to the statement and its transaction. ABORT is every statement's default: the
 * statement's changes are undone. FAIL keeps the rows the statement wrote before the failing one
 * (StatementResult.failure). ROLLBACK undoes the whole transaction (rollsBackTransaction).
 */
export type ConflictAction = 'abort' | 'fail' | 'rollback'

/** Whether an error is a conflict the action applies to (foreign keys and the rest abort as always). */
export function isConflict(error: unknown): boolean {
  return (
    error instanceof BTreeSqlError &&
    (error.code === 'BTREE_SQL_UNIQUE_VIOLATION' ||
      error.code === 'BTREE_SQL_NOT_NULL_VIOLATION' ||
      error.code === 'BTREE_SQL_CHECK_VIOLATION')
  )
}

/** Errors of OR ROLLBACK statements: the session ends the open transaction when it meets one. */
const rollbacks = new WeakSet<object>()

export function markRollback(error: unknown): unknown {
  if (typeof error === 'object' && error !== null) rollbacks.add(error)
  return error
}

/** Whether the statement that threw `error` rolls back the whole transaction (OR ROLLBACK). */
export function rollsBackTransaction(error: unknown): boolean {
  return typeof error === 'object' && error !== null && rollbacks.has(error)
}
