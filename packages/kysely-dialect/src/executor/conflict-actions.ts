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

/**
 * The action a failed constraint's own ON CONFLICT clause chose for its error
 * (constraint-conflicts.ts), when the statement names none: `rollback` also tells the session to
 * end the open transaction; `fail` and `ignore` tell the insert or update what to keep.
 */
const marks = new WeakMap<object, ConflictAction | 'ignore'>()

export function markAction<E>(error: E, action: ConflictAction | 'ignore'): E {
  if (typeof error === 'object' && error !== null) marks.set(error, action)
  return error
}

/** The action marked on `error` (ABORT, every constraint's default, when none is). */
export function markedAction(error: unknown): ConflictAction | 'ignore' {
  return (typeof error === 'object' && error !== null ? marks.get(error) : undefined) ?? 'abort'
}

/** Errors of OR ROLLBACK statements: the session ends the open transaction when it meets one. */
export function markRollback(error: unknown): unknown {
  return markAction(error, 'rollback')
}

/** Whether the statement that threw `error` rolls back the whole transaction (OR ROLLBACK). */
export function rollsBackTransaction(error: unknown): boolean {
  return markedAction(error) === 'rollback'
}
