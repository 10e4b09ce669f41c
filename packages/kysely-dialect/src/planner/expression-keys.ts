import type { OperationNode } from 'kysely'
import type { IndexDef, TableDef } from '../catalog/catalog.js'
import { nodeOf } from '../catalog/stored-node.js'
import type { AnyNode } from '../expression/nodes.js'
import { byPrecedence } from '../expression/precedence.js'
import { Scope } from '../expression/scope.js'
import { canonicalText } from './canonical.js'
import { termsOf, type Term } from './terms.js'
import { collationName, declaredCollation } from '../expression/collation.js'
import { compileExpr } from '../expression/expression.js'

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
  /** Each part's collation (a COLLATE in it, a column's declared one; undefined for BINARY), as its keys were written. */
  readonly collations: readonly (string | undefined)[]
  /** The expression parts' shapes (canonical.ts, values as `?`), to compare a query's first. */
  readonly shapes: readonly string[]
}

const keysOf = new WeakMap<IndexDef, IndexKeys>()

/** The prefix of an expression part's key name. */
export const EXPRESSION_KEY = 'expr:'

/** The names of `index`'s key parts (its columns, or its expression parts named as above). */
export function indexKeyNames(table: TableDef, index: IndexDef): readonly string[] {
  return index.expressions === undefined ? index.columns : keysFor(table, index, index.expressions).names
}

/** The collations of `index`'s key parts (lower case, undefined for BINARY), as its keys were written. */
export function indexKeyCollations(table: TableDef, index: IndexDef): readonly (string | undefined)[] {
  if (index.expressions !== undefined) return keysFor(table, index, index.expressions).collations
  return index.columns.map((name) => table.columns.find((c) => c.name === name)?.collation)
}

function keysFor(table: TableDef, index: IndexDef, expressions: readonly unknown[]): IndexKeys {
  let keys = keysOf.get(index)
  if (keys !== undefined) return keys
  const scope = new Scope([{ table, name: table.name }])
  const names: string[] = []
  const shapes: string[] = []
  const collations: (string | undefined)[] = []
  for (let i = 0; i < expressions.length; i++) {
    const part = byPrecedence(nodeOf(expressions[i]) as OperationNode)
    collations.push(partCollation(part, scope))
    const text = canonicalText(part, scope, 0, true)
    const column = text?.startsWith('col:') === true ? table.columns.find((c) => `col:${c.slot}` === text) : undefined
    if (column !== undefined) {
      names.push(column.name)
      continue
    }
    // A part no query can write alike (canonicalText cannot tell) is named apart from all others.
    names.push(text === undefined ? `${EXPRESSION_KEY}#${index.id}.${i}` : `${EXPRESSION_KEY}${text}`)
    const shape = canonicalText(part, scope, 0, false)
    if (shape !== undefined) shapes.push(shape)
  }
  keys = { names, shapes, collations }
  keysOf.set(index, keys)
  return keys
}

/** An expression part's collation (executor/table-store.ts: writeIndexKey folds by it). */
function partCollation(part: OperationNode, scope: Scope): string | undefined {
  const name = collationName(compileExpr(part, scope))
  return name === undefined ? undefined : declaredCollation(name)
}

/**
 * The terms `conds` put on the expression parts of `table`'s expression indexes (none without
 * such an index). Each conjunct's sides are compared with the parts by shape first (canonical.ts),
 * so that a cached statement's parameters are read only for a side that may be one.
 */
export function expressionTerms(table: TableDef, conds: readonly AnyNode[], s: number, scope: Scope): Term[] {
  const keyOf = expressionKeys(table, s, scope)
  if (keyOf === undefined) return []
  const out: Term[] = []
  for (const c of conds) out.push(...termsOf(c, s, scope, keyOf))
  return out
}

/**
 * The key name (`expr:...`) an expression over source `s` has in `table`'s expression indexes, by a
 * function; undefined when the table has no expression part.
 */
export function expressionKeys(
  table: TableDef,
  s: number,
  scope: Scope,
): ((node: OperationNode) => string | undefined) | undefined {
  const parts = tableParts(table)
  if (parts === null) return undefined
  const { shapes, names } = parts
  return (node) => {
    const shape = canonicalText(node as AnyNode, scope, s, false)
    if (shape === undefined || !shapes.has(shape)) return undefined
    const name = `${EXPRESSION_KEY}${canonicalText(node as AnyNode, scope, s, true)}`
    return names.has(name) ? name : undefined
  }
}

/** A table's expression parts (of all its expression indexes), once per table definition; null for none. */
const partsOf = new WeakMap<TableDef, { shapes: Set<string>; names: Set<string> } | null>()

function tableParts(table: TableDef): { shapes: Set<string>; names: Set<string> } | null {
  let parts = partsOf.get(table)
  if (parts !== undefined) return parts
  const shapes = new Set<string>()
  const names = new Set<string>()
  for (const index of table.indexes) {
    if (index.expressions === undefined) continue
    const keys = keysFor(table, index, index.expressions)
    for (const name of keys.names) if (name.startsWith(EXPRESSION_KEY)) names.add(name)
    for (const shape of keys.shapes) shapes.add(shape)
  }
  parts = shapes.size === 0 ? null : { shapes, names }
  partsOf.set(table, parts)
  return parts
}
