import type { OperationNode } from 'kysely'
import type { IndexDef, TableDef } from '../catalog/catalog.js'
import { nodeOf } from '../catalog/stored-node.js'
import type { AnyNode } from '../expression/nodes.js'
import { byPrecedence } from '../expression/precedence.js'
import { Scope } from '../expression/scope.js'
import { canonicalText } from './canonical.js'
import { termsOf, type Term } from './terms.js'

/**
 * The key parts of an expression index (`createIndex(...).expression(sql\`lower(email)\`)`) as the
 * planner names them: a column part by its column's name, as any index's; an expression part as
 * `expr:` and its text (canonical.ts), which a query's terms on that expression carry too. A query
 * comparing `lower(email)` with a value then seeks the index as it would an indexed column, as
 * SQLite does when the query writes the expression as the index does.
 */

/** What an expression index's parts are named, once per index definition. */
interface IndexKeys {
  readonly names: readonly string[]
}

const keysOf = new WeakMap<IndexDef, IndexKeys>()

/** The prefix of an expression part's key name. */
export const EXPRESSION_KEY = 'expr:'

/** The names of `index`'s key parts (its columns, or its expression parts named as above). */
export function indexKeyNames(table: TableDef, index: IndexDef): readonly string[] {
  if (index.expressions === undefined) return index.columns
  let keys = keysOf.get(index)
  if (keys === undefined) {
    const scope = new Scope([{ table, name: table.name }])
    const names = index.expressions.map((part, i) => {
      const text = canonicalText(partNode(part), scope, 0, true)
      if (text?.startsWith('col:') === true) {
        const slot = Number(text.slice(4))
        const column = table.columns.find((c) => c.slot === slot)
        if (column !== undefined) return column.name
      }
      // A part no query can write alike (canonicalText cannot tell) is named apart from all others.
      return text === undefined ? `${EXPRESSION_KEY}#${index.id}.${i}` : `${EXPRESSION_KEY}${text}`
    })
    keys = { names }
    keysOf.set(index, keys)
  }
  return keys.names
}

function partNode(part: unknown): AnyNode {
  return byPrecedence(nodeOf(part) as OperationNode)
}

/**
 * The terms `conds` put on the expression parts of `table`'s expression indexes (none without
 * such an index). Each conjunct's sides are compared with the parts by shape first (canonical.ts),
 * so that a cached statement's parameters are read only for a side that may be one.
 */
export function expressionTerms(table: TableDef, conds: readonly AnyNode[], s: number, scope: Scope): Term[] {
  const shapes = new Set<string>()
  const names = new Set<string>()
  const tableScope = new Scope([{ table, name: table.name }])
  for (const index of table.indexes) {
    if (index.expressions === undefined) continue
    for (const name of indexKeyNames(table, index)) if (name.startsWith(EXPRESSION_KEY)) names.add(name)
    for (const part of index.expressions) {
      const shape = canonicalText(partNode(part), tableScope, 0, false)
      if (shape !== undefined && !shape.startsWith('col:')) shapes.add(shape)
    }
  }
  if (shapes.size === 0) return []
  const keyOf = (node: OperationNode): string | undefined => {
    const shape = canonicalText(node as AnyNode, scope, s, false)
    if (shape === undefined || !shapes.has(shape)) return undefined
    const name = `${EXPRESSION_KEY}${canonicalText(node as AnyNode, scope, s, true)}`
    return names.has(name) ? name : undefined
  }
  const out: Term[] = []
  for (const c of conds) out.push(...termsOf(c, s, scope, keyOf))
  return out
}
