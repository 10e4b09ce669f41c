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
 * Set while a row's index expressions, a partial index's condition (table-store.ts) or a generated
 * column (generated-columns.ts) are evaluated, to what SQLite's message calls it: there a date
 * function's 'now' is an error, as in SQLite ("non-deterministic use of date() in an index"), since
 * a value made now would not match the same expression evaluated later.
 */
let computing: string | undefined

export function setIndexing(on: boolean, place = 'an index'): void {
  computing = on ? place : undefined
}

/** The running statement's time for a date function `name`'s 'now' (statementTime), refused while indexing. */
export function nowFor(name: string): number {
  if (computing !== undefined)
    throw new BTreeSqlError('BTREE_SQL_FUNCTION_ERROR', `non-deterministic use of ${name}() in ${computing}`)
  return statementTime()
}
