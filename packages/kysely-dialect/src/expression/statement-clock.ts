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
