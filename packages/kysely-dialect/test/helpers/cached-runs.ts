import { seedPeople } from './fixtures.js'
import type { Db } from './sides.js'

/**
 * What the differential cases of cached statements share (part2-cached-subqueries,
 * part2-cached-tables): a pets table beside seedPeople's people, and runs of one statement shape
 * with other values, a write between two runs.
 */

/** `pets(id integer primary key, owner_id integer, kind text)`, beside seedPeople's `people`. */
export async function seedPets(db: Db): Promise<void> {
  await seedPeople(db)
  await db.schema
    .createTable('pets')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('owner_id', 'integer')
    .addColumn('kind', 'text')
    .execute()
  await db.schema.createIndex('pets_owner').on('pets').column('owner_id').execute()
  await db
    .insertInto('pets')
    .values([
      { id: 1, owner_id: 1, kind: 'cat' },
      { id: 2, owner_id: 1, kind: 'dog' },
      { id: 3, owner_id: 3, kind: 'cat' },
      { id: 4, owner_id: 5, kind: 'fish' },
      { id: 5, owner_id: null, kind: 'dog' },
      { id: 6, owner_id: 8, kind: null },
    ])
    .execute()
}

export const KINDS = ['cat', 'dog', 'fish', 'bird', 'cat'] as const

/**
 * Five runs of `query(i)`, each followed by a write that the next run must see: a statement
 * cached on its second run and reused from its third must read each run's rows.
 */
export function runs(db: Db, query: (i: number) => unknown): unknown[] {
  const steps: unknown[] = []
  for (let i = 0; i < 5; i++) {
    steps.push(query(i))
    steps.push(
      i % 2 === 0
        ? db.insertInto('pets').values({ id: 100 + i, owner_id: (i * 3) % 9, kind: KINDS[(i + 1) % 5] })
        : db
            .updateTable('people')
            .set({ age: 20 + i * 11 })
            .where('id', '=', i + 2),
    )
  }
  return steps
}
