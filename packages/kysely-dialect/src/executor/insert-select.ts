import { BTreeSqlError } from '../errors.js'
import type { SqlValue } from '../encoding/values.js'
import type { AnyNode } from '../expression/nodes.js'
import type { ExecContext } from './context.js'
import { prepareSelect } from './select-general.js'

/**
 * The rows of `insert into t (cols) select ...`: the select runs to the end before the first row
 * is written, so an insert reading its own table sees none of its new rows (as SQLite does, through
 * a temporary table).
 */
export function selectedRows(select: AnyNode, ctx: ExecContext, width: number): SqlValue[][] {
  const prepared = prepareSelect(select, ctx, undefined)
  if (prepared.names.length !== width) {
    throw new BTreeSqlError('BTREE_SQL_NO_SUCH_COLUMN', `${prepared.names.length} values for ${width} columns`)
  }
  return prepared.execute(ctx.tx, [])
}
