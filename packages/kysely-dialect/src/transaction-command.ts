import type { OperationNode } from 'kysely'
import { unsupported } from './errors.js'
import { rawText } from './expression/nodes.js'

/** A transaction command as Kysely's drivers send it (`CompiledQuery.raw('begin')`, savepoint nodes). */
export type TransactionCommand =
  | { kind: 'begin' }
  | { kind: 'commit' }
  | { kind: 'rollback' }
  | { kind: 'savepoint'; name: string }
  | { kind: 'rollback to'; name: string }
  | { kind: 'release'; name: string }

const NAME = String.raw`(?:"((?:[^"]|"")+)"|([A-Za-z_][A-Za-z0-9_$]*))`
const PATTERNS: [RegExp, TransactionCommand['kind']][] = [
  [/^begin(?: deferred| immediate| exclusive)?(?: transaction)?$/i, 'begin'],
  [/^(?:commit|end)(?: transaction)?$/i, 'commit'],
  [/^rollback(?: transaction)?$/i, 'rollback'],
  [new RegExp(`^savepoint ${NAME}$`, 'i'), 'savepoint'],
  [new RegExp(`^rollback(?: transaction)? to(?: savepoint)? ${NAME}$`, 'i'), 'rollback to'],
  [new RegExp(`^release(?: savepoint)? ${NAME}$`, 'i'), 'release'],
]

/**
 * Recognises the transaction commands (the only raw SQL the connection accepts) by matching the
 * whole command against these few forms; anything else is BTREE_SQL_UNSUPPORTED with its text.
 */
export function transactionCommand(node: OperationNode): TransactionCommand {
  const command = matchTransactionCommand(node)
  if (command !== undefined) return command
  throw unsupported(
    `raw SQL (${rawText(node) ?? node.kind}); only begin, commit, rollback, savepoint, rollback to and release are executed as text`,
  )
}

/** The transaction command a raw node is, if it is one. */
export function matchTransactionCommand(node: OperationNode): TransactionCommand | undefined {
  const text = rawText(node)
  if (text === undefined) return undefined
  const normalized = text.trim().replace(/;$/, '').replace(/\s+/g, ' ')
  for (const [re, kind] of PATTERNS) {
    const m = re.exec(normalized)
    if (m === null) continue
    if (kind === 'begin' || kind === 'commit' || kind === 'rollback') return { kind }
    const name = m[1] !== undefined ? m[1].replace(/""/g, '"') : m[2]!
    return { kind, name }
  }
  return undefined
}
