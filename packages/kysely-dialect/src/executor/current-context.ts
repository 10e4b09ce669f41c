import { unsupported } from '../errors.js'
import type { ReadTransaction } from 'btree-store'
import type { ExecContext } from './context.js'
import { startStatementClock, stopStatementClock } from '../expression/statement-clock.js'
import { registerSessionReader } from '../expression/session-hook.js'
import { withStatementRun } from '../expression/subquery-hook.js'

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
    return withStatementRun(run)
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

/** A plan's check that it still suits the tables' row counts (PreparedStatement.fits). */
export type PlanFits = (tx: ReadTransaction) => boolean

/** Where the subqueries compiled now note their plans' checks (collectSubqueryFits), or undefined. */
let subqueryFits: PlanFits[] | undefined

/**
 * Runs `compile` (a cached statement's compilation), gathering into `into` the checks of the
 * plans its subqueries make (noteSubqueryFits): the statement is compiled afresh once one of them,
 * or its own, no longer holds.
 */
export function collectSubqueryFits<T>(into: PlanFits[], compile: () => T): T {
  const previous = subqueryFits
  subqueryFits = into
  try {
    return compile()
  } finally {
    subqueryFits = previous
  }
}

/** Whether every one of `checks` holds for `tx` (a compiled statement's subqueries' plans). */
export function allFit(checks: readonly PlanFits[], tx: ReadTransaction): boolean {
  for (let i = 0; i < checks.length; i++) if (!checks[i]!(tx)) return false
  return true
}

/** A subquery's plan, made while a cached statement compiles, holds while `fits` says so. */
export function noteSubqueryFits(fits: PlanFits): void {
  subqueryFits?.push(fits)
}
