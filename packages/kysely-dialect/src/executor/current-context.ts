import { unsupported } from '../errors.js'
import type { ExecContext } from './context.js'
import { startStatementClock, stopStatementClock } from '../expression/statement-clock.js'
import { registerSessionReader } from '../expression/session-hook.js'

/**
 * The context of the statement being run. Statements run synchronously from start to end, so a
 * subquery met while compiling an expression (which has no context of its own) reads the
 * transaction and catalog of the statement it sits in from here.
 */
let current: ExecContext | undefined
let readOnly = false

export function withContext<T>(ctx: ExecContext, run: () => T, readOnlyStatement = false): T {
  const previous = current
  const previousReadOnly = readOnly
  current = ctx
  readOnly = readOnlyStatement
  // A statement (not a subquery's nested context) starts a new 'now'.
  if (previous === undefined) startStatementClock()
  try {
    return run()
  } finally {
    current = previous
    readOnly = previousReadOnly
    if (previous === undefined) stopStatementClock()
  }
}

/** The running statement only reads (a select): tables cannot change while it runs. */
export function inReadOnlyStatement(): boolean {
  return readOnly
}

registerSessionReader(() => currentContext().session)

export function currentContext(): ExecContext {
  if (current === undefined) throw unsupported('a subquery outside a statement')
  return current
}
