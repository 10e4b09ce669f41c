import type { Compilable, CompiledQuery, Kysely } from 'kysely'
import { BTreeAdapter } from './adapter.js'
import { unsupported } from './errors.js'
import type { QueryPlan } from './planner/plan.js'

/**
 * The plan `db` would run `query` with (a select, update or delete), without running it:
 * `await explain(db, db.selectFrom('person').where('id', '=', 1))` gives a point access.
 */
export async function explain<DB>(db: Kysely<DB>, query: Compilable | CompiledQuery): Promise<QueryPlan> {
  const adapter = db.getExecutor().adapter
  if (!(adapter instanceof BTreeAdapter))
    throw unsupported('explain on a Kysely instance that does not use BTreeDialect')
  const compiled = 'compile' in query ? query.compile() : query
  return adapter.driver.explain(compiled)
}
