// Imported: the global Buffer is an accessor, called on every use in a module.
import { Buffer } from 'node:buffer'
import type { ReadTransaction } from 'btree-store'
import type { TableDef } from '../catalog/catalog.js'
import type { AccessPlan } from '../planner/plan.js'
import { compareBytes } from '../encoding/values.js'
import { RowView } from '../encoding/rows.js'
import { readBucket, rowView, slotDefaults, type StoredRow } from './table-store.js'

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
  // A cursor rather than bucket.entries (a generator of [key, value] copies under this one): the
  // copies are made here, and the table's defaults are looked up once per scan, not per row.
  const defaults = slotDefaults(table)
  const c = bucket.cursor()
  const { gte, lt } = plan
  let ok = plan.reverse
    ? lt !== undefined && c.seek(lt)
      ? c.prev()
      : c.last()
    : gte !== undefined
      ? c.seek(gte)
      : c.first()
  while (ok) {
    const key = c.key!
    if (plan.reverse ? gte !== undefined && compareBytes(key, gte) < 0 : lt !== undefined && compareBytes(key, lt) >= 0)
      return
    const stored: StoredRow = { key: Buffer.from(key), row: new RowView(Buffer.from(c.value!), defaults) }
    yield stored
    ok = plan.reverse ? c.prev() : c.next()
  }
}
