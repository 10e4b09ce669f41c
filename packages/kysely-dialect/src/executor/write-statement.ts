import type { StatementResult, WriteContext } from './context.js'
import type { AnyNode } from '../expression/nodes.js'
import { raiseActionOf } from '../expression/raise.js'
import { withForeignKeys } from './foreign-keys.js'
import { withConflictActionOf } from './triggers.js'

/**
 * What every write statement runs inside (statement.ts, and statement-cache.ts for a cached one):
 * its foreign keys counted as it writes and checked at its end (foreign-keys.ts), its conflict
 * action handed to the statements of the triggers it fires (triggers.ts), and a trigger's
 * RAISE(FAIL) turned into a failure that keeps what the statement changed before, as INSERT OR
 * FAIL does (StatementResult.failure).
 */
export function runWriteStatement(ctx: WriteContext, node: AnyNode, run: () => StatementResult): StatementResult {
  try {
    return withForeignKeys(ctx, node, () => withConflictActionOf(node, run))
  } catch (err) {
    if (raiseActionOf(err) !== 'fail') throw err
    return { rows: [], changes: 0, reader: false, failure: err }
  }
}
