import { unsupported } from '../errors.js'

/**
 * What SQLite's connection counts, as its functions read them: `last_insert_rowid()`, `changes()`
 * (rows the latest insert, update or delete changed) and `total_changes()` (since the database was
 * opened). The session keeps them (executor/context.ts Session); the expression layer sits below it
 * and reads them through this hook, which the executor registers (current-context.ts).
 */
export interface SessionCounters {
  readonly lastInsertRowid: number
  readonly changes: number
  readonly totalChanges: number
}

let reader: (() => SessionCounters) | undefined

export function registerSessionReader(read: () => SessionCounters): void {
  reader = read
}

/** The running statement's session's counters. */
export function sessionCounters(): SessionCounters {
  if (reader === undefined) throw unsupported('a session function outside a statement')
  return reader()
}
