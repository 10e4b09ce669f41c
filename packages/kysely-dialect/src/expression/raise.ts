import type { OperationNode } from 'kysely'
import { BTreeSqlError } from '../errors.js'
import type { SqlValue } from '../encoding/values.js'
import type { AnyNode } from './nodes.js'
import type { Expr } from './expression.js'

/**
 * SQLite's RAISE() (lang_createtrigger.html#raise): `raise(ignore)` and `raise(abort | fail |
 * rollback, message)`, allowed only in a trigger's statements (executor/triggers.ts runs them
 * between enterTriggerProgram and leaveTriggerProgram).
 */
export type RaiseAction = 'ignore' | 'abort' | 'fail' | 'rollback'

/** RAISE(IGNORE): thrown through the trigger's statements to the trigger that runs them. */
export class RaiseIgnore extends Error {
  constructor() {
    super('RAISE(IGNORE) outside a trigger')
    this.name = 'RaiseIgnore'
  }
}

/** The action of each error a RAISE threw (executor/triggers.ts gives FAIL and ROLLBACK their effect). */
const actions = new WeakMap<object, RaiseAction>()

export function raiseActionOf(error: unknown): RaiseAction | undefined {
  return typeof error === 'object' && error !== null ? actions.get(error) : undefined
}

let depth = 0

export function enterTriggerProgram(): void {
  depth++
}

export function leaveTriggerProgram(): void {
  depth--
}

const ACTIONS = new Set<string>(['ignore', 'abort', 'fail', 'rollback'])

/** Compiles `raise(...)`'s arguments (a FunctionNode's: the action is read as a bare name). */
export function compileRaise(args: readonly OperationNode[], compile: (node: OperationNode) => Expr): Expr {
  if (depth === 0) throw new BTreeSqlError('BTREE_SQL_UNSUPPORTED', 'RAISE() may only be used within a trigger-program')
  const first = args[0] as AnyNode | undefined
  const column = first?.kind === 'ReferenceNode' && first.table === undefined ? (first.column as AnyNode) : undefined
  const action = ((column?.column as AnyNode | undefined)?.name as string | undefined)?.toLowerCase()
  if (action === undefined || !ACTIONS.has(action))
    throw new BTreeSqlError('BTREE_SQL_UNSUPPORTED', 'RAISE() takes IGNORE, ROLLBACK, ABORT or FAIL')
  if ((action === 'ignore') !== (args.length === 1) || args.length > 2)
    throw new BTreeSqlError(
      'BTREE_SQL_UNSUPPORTED',
      action === 'ignore' ? 'RAISE(IGNORE) takes no message' : `RAISE(${action.toUpperCase()}) needs a message`,
    )
  const message = args.length === 2 ? compile(args[1]!) : undefined
  return {
    eval: (t): SqlValue => {
      if (message === undefined) throw new RaiseIgnore()
      const text = message.eval(t)
      const error = new BTreeSqlError('BTREE_SQL_RAISE', text === null ? '' : String(text))
      actions.set(error, action as RaiseAction)
      throw error
    },
    affinity: undefined,
    constant: false,
  }
}
