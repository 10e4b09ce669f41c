import type { OperationNode } from 'kysely'
import { BTreeSqlError, unsupported } from '../errors.js'
import { nameOf, type AnyNode } from '../expression/nodes.js'
import type { Source } from '../expression/scope.js'
import { reference } from '../sql/expression-parser.js'

/**
 * `join t using (a, b)` and `natural join t` (raw SQL; sql/query-parser.ts), as SQLite's
 * sqlite3ProcessJoin makes them: each column pairs the right table's column with the left-most
 * source before it that has one (a natural join: every column name of the right table some source
 * before it has), the join's condition is their equality, and the right table's copy is hidden from
 * `*` and from unqualified names, which then name the left one's (Source.hidden). `t.*` still gives
 * it. RIGHT and FULL joins, whose USING column SQLite makes the coalesce of both sides, are not done.
 *
 * Returns the joins with their conditions and `sources` with the hidden columns (a copy of each
 * source that hides some); `first` is the source index of the first join's table.
 */
export function resolveUsingJoins(
  joins: readonly AnyNode[],
  sources: readonly Source[],
  first: number,
): { joins: AnyNode[]; sources: Source[] } {
  const out = [...sources]
  const resolved = joins.map((join, j) => {
    if (join.using === undefined && join.natural !== true) return join
    const s = first + j
    const type = join.joinType as string
    if (type === 'RightJoin' || type === 'FullJoin')
      throw unsupported(
        `${join.natural === true ? 'NATURAL' : 'USING'} in a ${type === 'RightJoin' ? 'RIGHT' : 'FULL'} join`,
      )
    const right = out[s]!
    const visible = (source: Source, lower: string): boolean =>
      source.hidden?.has(lower) !== true && source.table.columns.some((c) => c.name.toLowerCase() === lower)
    const names =
      join.natural === true
        ? right.table.columns
            .map((c) => c.name)
            .filter((name) => out.slice(0, s).some((left) => visible(left, name.toLowerCase())))
        : (join.using as readonly OperationNode[]).map((n) => nameOf(n))
    const hidden = new Set(right.hidden)
    let on: AnyNode | undefined
    for (const name of names) {
      const lower = name.toLowerCase()
      const left = out.slice(0, s).find((l) => visible(l, lower))
      if (left === undefined || !right.table.columns.some((c) => c.name.toLowerCase() === lower))
        throw new BTreeSqlError(
          'BTREE_SQL_NO_SUCH_COLUMN',
          `cannot join using column ${name} - column not present in both tables`,
        )
      const equal = {
        kind: 'BinaryOperationNode',
        leftOperand: reference(name, left.name),
        operator: { kind: 'OperatorNode', operator: '=' },
        rightOperand: reference(name, right.name),
      } as unknown as AnyNode
      on = on === undefined ? equal : ({ kind: 'AndNode', left: on, right: equal } as unknown as AnyNode)
      hidden.add(lower)
    }
    out[s] = { ...right, hidden }
    // No column in common: a natural join joins every pair (a left one keeps its unmatched rows).
    on ??= { kind: 'ValueNode', value: 1 } as unknown as AnyNode
    return { ...join, on: { kind: 'OnNode', on } } as AnyNode
  })
  return { joins: resolved, sources: out }
}
