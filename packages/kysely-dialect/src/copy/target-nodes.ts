/**
 * Node trees of this dialect's catalog made ready for a target's Kysely compiler, in a DDL
 * statement (a default, an index's parts and where, a view's select):
 * - values written inline (a DDL statement takes no parameters), as Kysely's defaultTo and
 *   createView write theirs;
 * - a COLLATE inside an expression (this dialect's parser puts one anywhere, a CollateNode with the
 *   `operand` it applies to: sql/expression-parser.ts), which Kysely's compilers never write (their
 *   CollateNode only ends an order by item, without an operand), as raw SQL around its operand:
 *   `(<operand> collate nocase)`.
 */
export function forTargetCompiler<T>(tree: T): T {
  return rewrite(tree) as T
}

function rewrite(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewrite)
  if (value === null || typeof value !== 'object') return value
  const node = value as Record<string, unknown>
  if (node['kind'] === 'ValueNode') return { ...node, immediate: true }
  if (node['kind'] === 'CollateNode' && node['operand'] !== undefined) {
    const collation = (node['collation'] as { name: string }).name
    const name = /^[A-Za-z_][A-Za-z0-9_]*$/.test(collation) ? collation : `"${collation.replace(/"/g, '""')}"`
    return {
      kind: 'RawNode',
      sqlFragments: ['(', ` collate ${name})`],
      parameters: [rewrite(node['operand'])],
    }
  }
  const out: Record<string, unknown> = {}
  for (const [key, v] of Object.entries(node)) out[key] = rewrite(v)
  return out
}
