import type { AnyNode } from './expression/nodes.js'

const EXPLAIN_QUERY_PLAN = /^\s*explain\s+query\s+plan\s+/i

/**
 * The statement an `explain query plan <statement>` raw node asks about, as a raw node of its own
 * (the connection answers with executor/query-plan-rows.ts); undefined for any other text. Plain
 * `explain` (SQLite's program listing) is not read.
 */
export function matchExplainQueryPlan(node: AnyNode): AnyNode | undefined {
  const fragments = node.sqlFragments as readonly string[] | undefined
  const first = fragments?.[0]
  if (first === undefined) return undefined
  const m = EXPLAIN_QUERY_PLAN.exec(first)
  if (m === null) return undefined
  return { ...node, sqlFragments: [first.slice(m[0].length), ...fragments!.slice(1)] } as AnyNode
}
