import { BTreeSqlError, unsupported } from '../errors.js'
import { fromJs, type SqlValue } from '../encoding/values.js'
import { compileExpr, type Expr } from '../expression/expression.js'
import type { AnyNode } from '../expression/nodes.js'
import { EMPTY_SCOPE } from '../expression/scope.js'
import type { ExecContext } from './context.js'
import { prepareSelect, type PreparedSelect } from './select-general.js'

/**
 * The select of `insert into t (cols) select ...`, prepared with its statement (a cached one's
 * values are its parameters) and run at each execution: its rows are read to the end before the
 * first row is written, so an insert reading its own table sees none of its new rows (as SQLite
 * does, through a temporary table).
 */
export function prepareSelectedRows(select: AnyNode, ctx: ExecContext, width: number): PreparedSelect {
  const prepared = prepareSelect(select, ctx, undefined)
  if (prepared.names.length !== width) {
    throw new BTreeSqlError('BTREE_SQL_NO_SUCH_COLUMN', `${prepared.names.length} values for ${width} columns`)
  }
  return prepared
}

/** The rows of a values list, compiled: each cell a constant expression, evaluated per execution. */
export function valueExprs(values: AnyNode, width: number): Expr[][] {
  if (values.kind !== 'ValuesNode')
    throw unsupported(`${values.kind} as the values of an insert (insert ... select comes in part 2)`)
  return (values.values as readonly AnyNode[]).map((item) => {
    let row: Expr[]
    if (item.kind === 'PrimitiveValueListNode') {
      row = (item.values as readonly unknown[]).map((v) => constantExpr(fromJs(v)))
    } else {
      // A cell missing from one row of a multi-row insert: Kysely's SqliteQueryCompiler writes it
      // as `null` (SQLite has no DEFAULT in values lists), so SQLite stores null, and so do we.
      row = (item.values as readonly AnyNode[]).map((v) =>
        v.kind === 'DefaultInsertValueNode' ? NULL_EXPR : compileExpr(v, EMPTY_SCOPE),
      )
    }
    if (row.length !== width)
      throw new BTreeSqlError('BTREE_SQL_NO_SUCH_COLUMN', `${row.length} values for ${width} columns`)
    return row
  })
}

function constantExpr(value: SqlValue): Expr {
  return { eval: () => value, affinity: undefined, constant: true }
}

const NULL_EXPR = constantExpr(null)
