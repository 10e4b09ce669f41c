import type { OperationNode } from 'kysely'
import type { WriteTransaction } from 'btree-store'
import type { TableDef } from '../catalog/catalog.js'
import { BTreeSqlError, unsupported } from '../errors.js'
import type { SqlValue } from '../encoding/values.js'
import { nameOf, type AnyNode } from '../expression/nodes.js'
import { insertRow, type InsertOutcome } from './table-store.js'

/** Which failed row inserts an insert skips instead of failing: `onConflict(doNothing)` or `orIgnore()`. */
export interface ConflictPolicy {
  skips(error: unknown): boolean
}

function sameColumns(a: readonly string[], b: readonly string[]): boolean {
  const x = new Set(a.map((c) => c.toLowerCase()))
  return x.size === b.length && b.every((c) => x.has(c.toLowerCase()))
}

/** The columns a unique violation names (`UNIQUE constraint failed: t.a, t.b`). */
function violatedColumns(error: BTreeSqlError, table: TableDef): string[] {
  const list = error.message.slice(error.message.indexOf(':') + 1)
  return list.split(',').map((c) => c.trim().slice(table.name.length + 1))
}

/**
 * The insert's conflict policy, or undefined for none. `doNothing` with target columns skips rows
 * that conflict on the primary key or unique constraint of exactly those columns (the target must
 * name one, as SQLite requires); without a target, any uniqueness conflict. `orIgnore` skips
 * uniqueness and not-null failures, as SQLite's INSERT OR IGNORE. `doUpdateSet`, `orReplace` and
 * the other actions throw BTREE_SQL_UNSUPPORTED.
 */
export function conflictPolicy(node: AnyNode, table: TableDef): ConflictPolicy | undefined {
  const orAction = node.orAction as AnyNode | undefined
  const onConflict = node.onConflict as AnyNode | undefined
  if (node.replace === true) throw unsupported('replaceInto (InsertQueryNode replace)')
  if (orAction !== undefined && (orAction.action as string).toLowerCase() !== 'ignore') throw unsupported(`insert or ${orAction.action as string} (OrActionNode)`)
  const ignoreAll = node.ignore === true || orAction !== undefined
  if (onConflict === undefined) {
    if (!ignoreAll) return undefined
    return { skips: (e) => e instanceof BTreeSqlError && (e.code === 'BTREE_SQL_UNIQUE_VIOLATION' || e.code === 'BTREE_SQL_NOT_NULL_VIOLATION') }
  }
  if (onConflict.updates !== undefined || onConflict.doNothing !== true) throw unsupported('doUpdateSet (OnConflictNode updates)')
  if (onConflict.constraint !== undefined || onConflict.indexExpression !== undefined || onConflict.indexWhere !== undefined) {
    throw unsupported('an onConflict target other than columns (OnConflictNode)')
  }
  const target = (onConflict.columns as readonly OperationNode[] | undefined)?.map((c) => nameOf(c))
  if (target !== undefined) {
    const keys = [table.primaryKey, ...table.indexes.filter((i) => i.unique).map((i) => i.columns)]
    if (!keys.some((k) => k.length > 0 && sameColumns(k, target))) {
      throw new BTreeSqlError('BTREE_SQL_UNSUPPORTED', 'ON CONFLICT clause does not match any PRIMARY KEY or UNIQUE constraint')
    }
  }
  return {
    skips: (e) => {
      if (ignoreAll && e instanceof BTreeSqlError && e.code === 'BTREE_SQL_NOT_NULL_VIOLATION') return true
      if (!(e instanceof BTreeSqlError) || e.code !== 'BTREE_SQL_UNIQUE_VIOLATION') return false
      return target === undefined || sameColumns(violatedColumns(e, table), target)
    },
  }
}

/** Inserts one row under the policy: a skipped row leaves nothing behind (its own savepoint). */
export function insertUnder(tx: WriteTransaction, table: TableDef, values: SqlValue[], policy: ConflictPolicy | undefined): InsertOutcome | undefined {
  if (policy === undefined) return insertRow(tx, table, values)
  const sp = tx.savepoint()
  try {
    const outcome = insertRow(tx, table, values)
    tx.release(sp)
    return outcome
  } catch (error) {
    if (!policy.skips(error)) throw error
    tx.rollbackTo(sp)
    tx.release(sp)
    return undefined
  }
}
