import type { ReadTransaction } from 'btree-store'
import type { TableDef } from '../catalog/catalog.js'
import type { AccessPlan } from '../planner/plan.js'
import { readBucket, rowView, type StoredRow } from './table-store.js'

/**
 * The rows an access plan reads, in the plan's order. The first operator of a statement's
 * pipeline (scan -> filter -> sort -> limit -> project); joins will add sources beside it.
 */
export function* scanRows(tx: ReadTransaction, table: TableDef, plan: AccessPlan): Generator<StoredRow> {
  const bucket = readBucket(tx, table)
  if (bucket === undefined) return
  if (plan.access === 'point') {
    for (const key of plan.keys!) {
      const value = bucket.get(key)
      if (value !== undefined) yield { key, row: rowView(table, value) }
    }
    return
  }
  const range = {
    reverse: plan.reverse,
    ...(plan.gte === undefined ? {} : { gte: plan.gte }),
    ...(plan.lt === undefined ? {} : { lt: plan.lt }),
  }
  for (const [key, value] of bucket.entries(range)) yield { key, row: rowView(table, value) }
}
