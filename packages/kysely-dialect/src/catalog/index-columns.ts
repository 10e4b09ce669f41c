import type { IndexDef } from './catalog.js'
import { nodeOf } from './stored-node.js'

/**
 * The columns of `index`'s key parts when each part is a column, maybe under a COLLATE
 * (`unique (email collate nocase)`, `create index i on t (name collate nocase)`): SQLite names
 * those columns in a violation ("UNIQUE constraint failed: t.email") and matches them with an ON
 * CONFLICT target's columns, as it does a plain index's. Undefined when a part is another
 * expression (SQLite then names the index: "UNIQUE constraint failed: index 'i'").
 */
export function indexColumns(index: IndexDef): readonly string[] | undefined {
  if (index.expressions === undefined) return index.columns
  let columns = cached.get(index)
  if (columns === undefined) {
    const names: string[] = []
    for (const part of index.expressions) {
      const name = columnName(nodeOf(part))
      if (name === undefined) {
        names.length = 0
        break
      }
      names.push(name)
    }
    columns = names.length === 0 ? null : names
    cached.set(index, columns)
  }
  return columns ?? undefined
}

const cached = new WeakMap<IndexDef, readonly string[] | null>()

type Node = { readonly kind?: unknown; readonly [key: string]: unknown }

/** The column a part names, through parentheses and COLLATE; undefined for any other expression. */
function columnName(part: unknown): string | undefined {
  let n = part as Node | undefined
  while (n?.kind === 'ParensNode' || n?.kind === 'CollateNode')
    n = (n.kind === 'ParensNode' ? n['node'] : n['operand']) as Node | undefined
  if (n?.kind === 'ReferenceNode') n = n['column'] as Node | undefined
  if (n?.kind !== 'ColumnNode') return undefined
  const id = n['column'] as Node | undefined
  return id?.kind === 'IdentifierNode' ? (id['name'] as string) : undefined
}
