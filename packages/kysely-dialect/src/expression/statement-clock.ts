import { BTreeSqlError } from '../errors.js'

/**
 * The time of the running statement: SQLite reads the clock once per statement, so every 'now',
 * CURRENT_TIMESTAMP and date('now') in one statement sees the same instant. Outside a statement
 * (a constant folded while compiling) it is the clock's time.
 */
let running = false
let now: number | undefined

export function startStatementClock(): void {
  running = true
  now = undefined
}

export function stopStatementClock(): void {
  running = false
  now = undefined
}

/** Fixes the running statement's time (a stream's later chunks keep its first chunk's 'now'). */
export function pinStatementClock(time: number): void {
  now = time
}

/** Milliseconds since the unix epoch, fixed for the running statement. */
export function statementTime(): number {
  if (!running) return Date.now()
  now ??= Date.now()
  return now
}

/**
 * Set while a row's index expressions or a partial index's condition are evaluated (table-store.ts):
 * there a date function's 'now' is an error, as in SQLite ("non-deterministic use of date() in an
 * index"), since an entry made now would not match the same expression evaluated later.
 */
let indexing = false

export function setIndexing(on: boolean): void {
  indexing = on
}

/** The running statement's time for a date function `name`'s 'now' (statementTime), refused while indexing. */
export function nowFor(name: string): number {
  if (indexing) throw new BTreeSqlError('BTREE_SQL_FUNCTION_ERROR', `non-deterministic use of ${name}() in an index`)
  return statementTime()
}
