import type { OperationNode } from 'kysely'
import { BTreeSqlError } from '../errors.js'
import { containsAggregate } from '../expression/aggregates.js'
import { nameOf, type AnyNode } from '../expression/nodes.js'
import { Scope } from '../expression/scope.js'
import { containsWindow } from '../expression/window.js'

/**
 * A select's result-column aliases in its WHERE and HAVING clauses, as SQLite resolves names there
 * (resolve.c lookupName with NC_UEList): a bare name that no table of the select has, and that
 * names a result column (`select x * 2 as d from t where d > 3`, `having c > 1`), stands for that
 * column's expression, before the queries around the select are searched. In WHERE an alias of
 * an aggregate or a window function is SQLite's "misuse of aliased aggregate" error. The clause is
 * returned rewritten (unchanged when it names no alias); subqueries in it are left as they are.
 */
export function withResultAliases(
  clause: OperationNode,
  selections: readonly AnyNode[] | undefined,
  scope: Scope,
  where: 'WHERE' | 'HAVING',
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
  const rewrite = (node: unknown): unknown => {
    if (typeof node !== 'object' || node === null) return node
    if (Array.isArray(node)) {
      let changed = false
      const out = node.map((n) => {
        const r = rewrite(n)
        if (r !== n) changed = true
        return r
      })
      return changed ? out : node
    }
    const n = node as AnyNode
    if (n.kind === 'SelectQueryNode') return node
    if (
      n.kind === 'ReferenceNode' &&
      n.table === undefined &&
      (n.column as AnyNode | undefined)?.kind === 'ColumnNode'
    ) {
      const name = nameOf(n.column as OperationNode)
      const alias = aliases.get(name.toLowerCase())
      if (alias === undefined || own(name)) return node
      if (where === 'WHERE' && containsAggregate(alias))
        throw new BTreeSqlError('BTREE_SQL_UNSUPPORTED', `misuse of aliased aggregate ${name}`)
      if (containsWindow(alias))
        throw new BTreeSqlError('BTREE_SQL_UNSUPPORTED', `misuse of aliased window function ${name}`)
      return { kind: 'ParensNode', node: alias }
    }
    let out: AnyNode | undefined
    for (const key of Object.keys(n)) {
      const value = n[key]
      const r = rewrite(value)
      if (r !== value) (out ??= { ...n })[key] = r
    }
    return out ?? node
  }
  return rewrite(clause) as OperationNode
}
