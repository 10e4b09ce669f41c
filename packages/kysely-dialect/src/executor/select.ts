import type { OperationNode } from 'kysely'
import { withResultAliases } from './result-aliases.js'
import { unsupported } from '../errors.js'
import type { ExecContext, PreparedStatement, StatementResult } from './context.js'
import { prepareSelectRows } from './pipeline.js'
import { columnsRead } from '../planner/terms.js'
import { limitOffset, orderTerms, project, projections, rejectParts, tableSource } from './query-parts.js'
import type { AnyNode } from '../expression/nodes.js'
import { compileExpr } from '../expression/expression.js'
import { byPrecedence } from '../expression/precedence.js'
import { truth } from '../encoding/values.js'
import { EMPTY_SCOPE } from '../expression/scope.js'
import { needsGeneralSelect, prepareGeneralSelect, runGeneralSelect } from './select-general.js'

/** Constructs that arrive in part 2 (joins, grouping, subqueries, set operations) or never. */
const SELECT_PARTS_LATER = [
  'joins',
  'groupBy',
  'having',
  'with',
  'setOperations',
  'distinctOn',
  'frontModifiers',
  'endModifiers',
  'explain',
  'fetch',
  'top',
]

export function runSelect(node: AnyNode, ctx: ExecContext): StatementResult {
  if (needsGeneralSelect(node, ctx.catalog)) return runGeneralSelect(node, ctx)
  return prepareSimpleSelect(node, ctx).execute(ctx)
}

/** A select compiled once for many runs (a cached statement, a trigger's): the general one when it needs it. */
export function prepareSelectStatement(node: AnyNode, ctx: ExecContext): PreparedStatement {
  return needsGeneralSelect(node, ctx.catalog) ? prepareGeneralSelect(node, ctx) : prepareSimpleSelect(node, ctx)
}

const ALWAYS = (): boolean => true

/** A select of at most one table without grouping (the caller checked `needsGeneralSelect`). */
export function prepareSimpleSelect(node: AnyNode, ctx: ExecContext): PreparedStatement {
  rejectParts(node, SELECT_PARTS_LATER)
  const froms = ((node.from as AnyNode | undefined)?.froms ?? []) as readonly OperationNode[]
  if (froms.length > 1) throw unsupported('several tables in from (joins come in part 2)')
  const { limit, offset } = limitOffset(node)
  if (froms.length === 0) {
    const projection = projections(node.selections as readonly OperationNode[] | undefined, EMPTY_SCOPE)
    // `select 1 where 0` is no row (the where of a select without from was ignored before).
    const whereNode = (node.where as AnyNode | undefined)?.where as OperationNode | undefined
    const where = whereNode === undefined ? undefined : compileExpr(byPrecedence(whereNode), EMPTY_SCOPE)
    return {
      fits: ALWAYS,
      execute: () => ({
        rows:
          offset > 0 || limit === 0 || (where !== undefined && truth(where.eval([])) !== true)
            ? []
            : [project(projection, [])],
        changes: 0,
        reader: true,
      }),
    }
  }
  const { table, scope } = tableSource(froms[0]!, ctx)
  const projection = projections(node.selections as readonly OperationNode[] | undefined, scope)
  const order = orderTerms(node.orderBy as OperationNode | undefined, scope, projection)
  const written = (node.where as AnyNode | undefined)?.where as OperationNode | undefined
  const where =
    written === undefined
      ? undefined
      : withResultAliases(written, node.selections as readonly AnyNode[] | undefined, scope, 'WHERE', ctx.catalog)
  const reads = columnsRead([node.selections, where, node.orderBy], scope, 0)
  const read = prepareSelectRows(ctx, { statement: 'select', table, scope, where, order, limit, offset, reads })
  return {
    fits: read.fits,
    execute: (ctx) => {
      const { rows, plan } = read.run(ctx)
      return { rows: rows.map((r) => project(projection, [r])), changes: 0, reader: true, plan }
    },
  }
}
