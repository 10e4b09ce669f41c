import type { AnyNode } from './lexer.js'
import { resolveRaw } from './resolve-raw.js'
import { parseRawStatement } from './statement-parser.js'

/**
 * The node a connection executes for a compiled query: a raw statement parsed into the builder's
 * node for it, and raw fragments inside any statement parsed into expressions.
 */
export function statementNode(query: AnyNode): AnyNode {
  const root = query.kind === 'RawNode' ? parseRawStatement(query) : query
  switch (root.kind) {
    case 'SelectQueryNode':
    case 'InsertQueryNode':
    case 'UpdateQueryNode':
    case 'DeleteQueryNode':
      return resolveRaw(root)
    default:
      // Schema statements keep their raw parts (defaults, checks, types) for their own readers.
      return root
  }
}
