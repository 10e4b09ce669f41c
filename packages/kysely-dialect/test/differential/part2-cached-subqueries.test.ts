import { KINDS, runs, seedPets } from '../helpers/cached-runs.js'
import { both, diffSuite } from '../helpers/differential.js'
import type { Db } from '../helpers/sides.js'

/**
 * Statements holding subqueries are cached by shape like any other (statement-cache.ts): compiled
 * on a shape's second run and reused from its third, their values bound per run. Each shape here
 * runs five times with other values, a write between two runs, so that a reused statement must read
 * each run's rows (an uncorrelated subquery's are kept for one run only), its own transaction and
 * its values in the subquery as in the outer query. Every step is compared with SQLite.
 */

diffSuite('differential part 2: cached statements with subqueries', () => {
  both('exists, uncorrelated, beside a filter on its own values', seedPets, (db) =>
    runs(db, (i) =>
      db
        .selectFrom('people')
        .select('id')
        .where('age', '>', 20 + i * 5)
        .where((eb) => eb.exists(eb.selectFrom('pets').select('id').where('kind', '=', KINDS[i]!)))
        .orderBy('id'),
    ),
  )

  both('not exists, correlated', seedPets, (db) =>
    runs(db, (i) =>
      db
        .selectFrom('people')
        .select('id')
        .where((eb) =>
          eb.not(
            eb.exists(
              eb
                .selectFrom('pets')
                .select('pets.id')
                .whereRef('pets.owner_id', '=', 'people.id')
                .where('pets.kind', '=', KINDS[i]!),
            ),
          ),
        )
        .orderBy('id'),
    ),
  )

  both('in and not in (select ...), nulls among the values', seedPets, (db) =>
    runs(db, (i) =>
      db
        .selectFrom('people')
        .select(['id', 'city'])
        .where((eb) =>
          eb.or([
            eb('id', 'in', eb.selectFrom('pets').select('owner_id').where('kind', '=', KINDS[i]!)),
            eb(
              'city',
              'not in',
              eb
                .selectFrom('people as p2')
                .select('p2.city')
                .where('p2.age', '>', 30 + i),
            ),
          ]),
        )
        .orderBy('id'),
    ),
  )

  both('scalar subqueries in the select list, the where clause and the order by', seedPets, (db) =>
    runs(db, (i) =>
      db
        .selectFrom('people')
        .select((eb) => [
          'id',
          eb
            .selectFrom('pets')
            .select((e) => e.fn.countAll().as('c'))
            .whereRef('pets.owner_id', '=', 'people.id')
            .where('pets.kind', '<>', KINDS[i]!)
            .as('n'),
        ])
        .where((eb) =>
          eb(
            'age',
            '>=',
            eb
              .selectFrom('people as p2')
              .select((e) => e.fn.min('p2.age').as('m'))
              .where('p2.city', '=', ['Paris', 'Berlin', 'Lyon', 'paris', 'lyon'][i]!),
          ),
        )
        .orderBy((eb) =>
          eb
            .selectFrom('pets')
            .select((e) => e.fn.max('pets.id').as('x'))
            .whereRef('pets.owner_id', '=', 'people.id'),
        )
        .orderBy('id'),
    ),
  )

  both('having compares with a subquery', seedPets, (db) =>
    runs(db, (i) =>
      db
        .selectFrom('people')
        .select(['city', (eb) => eb.fn.countAll().as('c')])
        .groupBy('city')
        .having((eb) =>
          eb(
            eb.fn.countAll(),
            '>=',
            eb
              .selectFrom('pets')
              .select((e) => e.fn.countAll().as('k'))
              .where('kind', '=', KINDS[i]!),
          ),
        )
        .orderBy('city'),
    ),
  )

  both('update and delete whose where holds a subquery', seedPets, (db) => [
    ...runs(db, (i) =>
      db
        .updateTable('people')
        .set({ score: i * 10 })
        .where((eb) => eb('id', 'in', eb.selectFrom('pets').select('owner_id').where('kind', '=', KINDS[i]!))),
    ),
    db.selectFrom('people').select(['id', 'score']).orderBy('id'),
    ...runs(db, (i) =>
      db.deleteFrom('pets').where((eb) =>
        eb.exists(
          eb
            .selectFrom('people')
            .select('people.id')
            .whereRef('people.id', '=', 'pets.owner_id')
            .where('people.age', '<', 25 + i * 10),
        ),
      ),
    ),
    db.selectFrom('pets').select(['id', 'owner_id', 'kind']).orderBy('id'),
  ])

  both('in a transaction: a write between runs inside it, then after it', seedPets, async (db) => {
    const query = (trx: Db, kind: string) =>
      trx
        .selectFrom('people')
        .select('id')
        .where((eb) => eb('id', 'in', eb.selectFrom('pets').select('owner_id').where('kind', '=', kind)))
        .orderBy('id')
        .execute()
    const seen: unknown[] = []
    await db.transaction().execute(async (trx) => {
      for (let i = 0; i < 5; i++) {
        seen.push(await query(trx, 'cat'))
        await trx
          .insertInto('pets')
          .values({ id: 200 + i, owner_id: i + 2, kind: 'cat' })
          .execute()
      }
    })
    for (let i = 0; i < 3; i++) {
      seen.push(await query(db, 'cat'))
      await db
        .deleteFrom('pets')
        .where('id', '=', 200 + i)
        .execute()
    }
    return seen
  })
})
