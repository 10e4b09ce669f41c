import { firstIn } from '../catalog/stored-node.js'
import { rawText, type AnyNode } from './nodes.js'

/** Functions SQLite refuses in an index's expressions or condition: their values change from call to call. */
const NON_DETERMINISTIC = new Set(['random', 'randomblob', 'changes', 'total_changes', 'last_insert_rowid'])
const CURRENT_TIME = new Set(['current_timestamp', 'current_date', 'current_time'])

/**
 * Why an index expression, a partial index's condition or a generated column's expression (`place`,
 * as SQLite's messages name it) cannot be kept: a subquery, a non-deterministic function;
 * undefined when it can.
 */
export function notIndexable(node: unknown, place: string): string | undefined {
  return firstIn(node, (n) => {
    if (n['kind'] === 'SelectQueryNode') return `subqueries prohibited in ${place}`
    if (n['kind'] === 'FunctionNode' && NON_DETERMINISTIC.has(String(n['func']).toLowerCase()))
      return `non-deterministic functions prohibited in ${place}`
    // CURRENT_TIMESTAMP and its kin (raw keywords); a date function's 'now' fails as the row is indexed.
    if (
      n['kind'] === 'RawNode' &&
      CURRENT_TIME.has(
        rawText(n as AnyNode)
          ?.trim()
          .toLowerCase() ?? '',
      )
    )
      return `non-deterministic functions prohibited in ${place}`
    return undefined
  })
}
