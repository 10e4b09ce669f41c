import type { OperationNode, OperationNodeKind } from 'kysely'
import { BTreeSqlError, unsupported } from '../errors.js'

/**
 * Every node kind of Kysely 0.28, for the exhaustive dispatch tables: a table typed
 * `Record<NodeKind, Handler>` fails to compile until someone decides how a new kind is handled.
 * Kinds only newer Kysely versions send (0.29's AlterTypeNode, AddValueNode, RenameValueNode) fall
 * through to `dispatch`'s unsupported branch at run time.
 */
export type NodeKind = OperationNodeKind

/** Node fields read by name; Kysely's node interfaces are not exported for every kind. */
export type AnyNode = OperationNode & Record<string, unknown>

export function dispatch<H>(table: Record<NodeKind, H | undefined>, node: OperationNode, context: string): H {
  const handler = (table as Record<string, H | undefined>)[node.kind]
  if (handler === undefined) throw unsupported(`${node.kind} ${context}`)
  return handler
}

/** The name of an IdentifierNode, SchemableIdentifierNode, TableNode or ColumnNode. */
export function nameOf(node: OperationNode | undefined): string {
  const n = node as AnyNode | undefined
  if (n === undefined) throw unsupported('a missing name')
  switch (n.kind) {
    case 'IdentifierNode':
      return n.name as string
    case 'SchemableIdentifierNode':
      // One file is SQLite's "main" database (withSchema('main') names it); in any other schema
      // no table exists, and SQLite says so the same way.
      if (n.schema !== undefined && nameOf(n.schema as OperationNode).toLowerCase() !== 'main')
        throw new BTreeSqlError(
          'BTREE_SQL_NO_SUCH_TABLE',
          `no such table: ${nameOf(n.schema as OperationNode)}.${nameOf(n.identifier as OperationNode)}`,
        )
      return nameOf(n.identifier as OperationNode)
    case 'TableNode':
      return nameOf(n.table as OperationNode)
    case 'ColumnNode':
      return nameOf(n.column as OperationNode)
    default:
      throw unsupported(`${n.kind} where a name was expected`)
  }
}

/**
 * A RawNode flattened into text with its identifiers quoted as SQLite would, for the few raw
 * commands the connection recognises (transactions, CURRENT_TIMESTAMP); never evaluated as SQL.
 */
export function rawText(node: OperationNode): string | undefined {
  const n = node as AnyNode
  if (n.kind === 'IdentifierNode') return `"${n.name as string}"`
  if (n.kind !== 'RawNode') return undefined
  const fragments = n.sqlFragments as readonly string[]
  const params = n.parameters as readonly OperationNode[]
  let out = fragments[0] ?? ''
  for (let i = 0; i < params.length; i++) {
    const inner = rawText(params[i]!)
    if (inner === undefined) return undefined
    out += inner + (fragments[i + 1] ?? '')
  }
  return out
}

/** The one child of a RawNode that is nothing but blanks around it (sql.ref, sql.val, sql.lit, `${x}`). */
export function rawChild(node: AnyNode): OperationNode | undefined {
  const fragments = node.sqlFragments as readonly string[]
  const params = node.parameters as readonly OperationNode[]
  if (params.length === 1 && fragments.every((f) => f.trim() === '')) return params[0]
  return undefined
}

/** The conjuncts of a condition: `a and (b and c)` is [a, b, c]. */
export function conjuncts(node: OperationNode | undefined, out: AnyNode[] = []): AnyNode[] {
  if (node === undefined) return out
  const n = node as AnyNode
  if (n.kind === 'AndNode') {
    conjuncts(n.left as OperationNode, out)
    conjuncts(n.right as OperationNode, out)
  } else if (n.kind === 'ParensNode') {
    conjuncts(n.node as OperationNode, out)
  } else {
    out.push(n)
  }
  return out
}

/** An order by item's direction (a RawNode `asc` / `desc`, or none: ascending): whether it is descending. */
export function orderDirection(node: OperationNode | undefined): boolean {
  if (node === undefined) return false
  const text = rawText(node)?.trim().toLowerCase()
  if (text === 'asc') return false
  if (text === 'desc') return true
  throw unsupported(`the order by direction ${text ?? node.kind}`)
}
