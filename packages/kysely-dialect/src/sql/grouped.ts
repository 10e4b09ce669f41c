/**
 * The mark of an operator node whose grouping is already SQLite's: the expression compiler and the
 * planner take such a node as built, instead of re-reading the chain by precedence (as they must
 * for the builder's chains, which Kysely prints without parentheses; expression/precedence.ts).
 * The raw SQL parser marks what it builds: it parsed the text as SQLite does.
 */
export const FLAT: unique symbol = Symbol('kysely-btree: grouped by precedence')

export function markGrouped<T extends object>(node: T): T {
  Object.defineProperty(node, FLAT, { value: true, enumerable: false })
  return node
}

export function isGroupedNode(node: object): boolean {
  return (node as Record<symbol, unknown>)[FLAT] === true
}
