import type { OperationNode } from 'kysely'
import { BTreeSqlError } from '../errors.js'
import { containsAggregate } from '../expression/aggregates.js'
import { nameOf, type AnyNode } from '../expression/nodes.js'
import { ROWID_NAMES, Scope } from '../expression/scope.js'
import type { Catalog } from '../catalog/catalog.js'
import { containsWindow } from '../expression/window.js'

/**
 * A select's result-column aliases in its WHERE and HAVING clauses, as SQLite resolves names there
 * (resolve.c lookupName with NC_UEList): a bare name that no table of the select has, and that
 * names a result column (`select x * 2 as d from t where d > 3`, `having c > 1`), stands for that
 * column's expression, before the queries around the select are searched. A subquery in the
 * clause sees them too, for a name none of its own tables has (`where exists (select 1 from u
 * where u.v = d)`), when its tables are stored ones whose columns are known (a view, a common or
 * derived table or a function among them leaves its names as written). In WHERE an alias of an
 * aggregate or a window function is SQLite's "misuse of aliased aggregate" error. The clause is
 * returned rewritten (unchanged when it names no alias).
 */
export function withResultAliases(
  clause: OperationNode,
  selections: readonly AnyNode[] | undefined,
  scope: Scope,
  where: 'WHERE' | 'HAVING',
  catalog: Catalog,
): OperationNode {
  const aliases = new Map<string, AnyNode>()
  for (const s of selections ?? []) {
    const selection = s.selection as AnyNode | undefined
    if (selection?.kind !== 'AliasNode') continue
    const name = nameOf(selection.alias as OperationNode).toLowerCase()
    if (!aliases.has(name)) aliases.set(name, selection.node as AnyNode)
  }
  if (aliases.size === 0) return clause
  const own = (name: string): boolean => {
    try {
      Scope.prototype.resolve.call(scope, name)
      return true
    } catch {
      return false
    }
  }
  /** `inner`: the subqueries' tables around a name, innermost last; undefined: unknown. */
  const rewrite = (node: unknown, inner: readonly (InnerTables | undefined)[]): unknown => {
    if (typeof node !== 'object' || node === null) return node
    if (Array.isArray(node)) {
      let changed = false
      const out = node.map((n) => {
        const r = rewrite(n, inner)
        if (r !== n) changed = true
        return r
      })
      return changed ? out : node
    }
    const n = node as AnyNode
    if (n.kind === 'SelectQueryNode') inner = [...inner, subqueryColumns(n, catalog)]
    if (
      n.kind === 'ReferenceNode' &&
      n.table === undefined &&
      (n.column as AnyNode | undefined)?.kind === 'ColumnNode'
    ) {
      const name = nameOf(n.column as OperationNode)
      const alias = aliases.get(name.toLowerCase())
      if (alias === undefined || inner.some((c) => c === undefined || c.columns.has(name.toLowerCase())) || own(name))
        return node
      // Inside a subquery the expression must still read the outer row: its columns are qualified
      // with their tables' names there, when no table of the subqueries is read under that name.
      let substituted: AnyNode = alias
      if (inner.length > 0) {
        const qualified = qualifiedOutside(alias, scope, inner)
        if (qualified === undefined) return node
        substituted = qualified
      }
      if (where === 'WHERE' && containsAggregate(alias))
        throw new BTreeSqlError('BTREE_SQL_UNSUPPORTED', `misuse of aliased aggregate ${name}`)
      if (containsWindow(alias))
        throw new BTreeSqlError('BTREE_SQL_UNSUPPORTED', `misuse of aliased window function ${name}`)
      return { kind: 'ParensNode', node: substituted }
    }
    let out: AnyNode | undefined
    for (const key of Object.keys(n)) {
      const value = n[key]
      const r = rewrite(value, inner)
      if (r !== value) (out ??= { ...n })[key] = r
    }
    return out ?? node
  }
  return rewrite(clause, []) as OperationNode
}

/** A subquery's tables: their columns' and their names (lower-cased). */
interface InnerTables {
  readonly columns: ReadonlySet<string>
  readonly names: ReadonlySet<string>
}

/**
 * `expr` (a result column's) with each column reference qualified by the name its table has in
 * the outer select, so that it reads the outer row from inside a subquery; undefined when that
 * cannot be said so (a subquery in it, a reference the outer select does not resolve, or a
 * subquery around reading a table under the same name).
 */
function qualifiedOutside(
  expr: AnyNode,
  scope: Scope,
  inner: readonly (InnerTables | undefined)[],
): AnyNode | undefined {
  let ok = true
  const visit = (node: unknown): unknown => {
    if (!ok || typeof node !== 'object' || node === null) return node
    if (Array.isArray(node)) return node.map(visit)
    const n = node as AnyNode
    if (n.kind === 'SelectQueryNode') {
      ok = false
      return node
    }
    if (n.kind === 'ReferenceNode' && (n.column as AnyNode).kind === 'ColumnNode') {
      const column = nameOf(n.column as OperationNode)
      let source: string
      try {
        const qualifier = n.table === undefined ? undefined : nameOf(n.table as OperationNode)
        source = scope.sources[Scope.prototype.resolve.call(scope, column, qualifier).source]!.name
      } catch {
        ok = false
        return node
      }
      if (inner.some((t) => t === undefined || t.names.has(source.toLowerCase()))) ok = false
      return {
        ...n,
        table: {
          kind: 'TableNode',
          table: { kind: 'SchemableIdentifierNode', identifier: { kind: 'IdentifierNode', name: source } },
        },
      }
    }
    const out: Record<string, unknown> = {}
    for (const key of Object.keys(n)) out[key] = visit(n[key])
    return out
  }
  const result = visit(expr) as AnyNode
  return ok ? result : undefined
}

/** A subquery's tables; undefined when one is not a stored table (or it has common tables). */
function subqueryColumns(select: AnyNode, catalog: Catalog): InnerTables | undefined {
  if (select.with !== undefined) return undefined
  const items = [
    ...(((select.from as AnyNode | undefined)?.froms ?? []) as AnyNode[]),
    ...((select.joins ?? []) as AnyNode[]).map((j) => j.table as AnyNode),
  ]
  const columns = new Set<string>()
  const names = new Set<string>()
  for (const item of items) {
    const source = item.kind === 'AliasNode' ? (item.node as AnyNode) : item
    if (source.kind !== 'TableNode') return undefined
    const table = catalog.table(nameOf(source))
    if (table === undefined) return undefined
    for (const c of table.columns) columns.add(c.name.toLowerCase())
    for (const r of ROWID_NAMES) columns.add(r)
    names.add(nameOf(item.kind === 'AliasNode' ? (item.alias as OperationNode) : source).toLowerCase())
  }
  return { columns, names }
}
