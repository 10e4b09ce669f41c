import type { Kysely } from 'kysely'
import { BTreeAdapter } from './adapter.js'
import { unsupported } from './errors.js'

/**
 * Refreshes the statistics the planner chooses indexes and join orders with (SQLite's ANALYZE):
 * for each index, the average number of rows per distinct value of its leading columns. Row
 * counts need no refresh (the engine keeps them exact); without statistics the planner assumes
 * ~10 rows per indexed value. `await analyze(db)` for every table, `analyze(db, 'person')` for one.
 * It runs in a transaction of its own once any open one ends: call it outside `db.transaction()`.
 */
export async function analyze<DB>(db: Kysely<DB>, table?: string): Promise<void> {
  const adapter = db.getExecutor().adapter
  if (!(adapter instanceof BTreeAdapter))
    throw unsupported('analyze on a Kysely instance that does not use BTreeDialect')
  await adapter.driver.analyze(table)
}
