import { sql } from 'kysely'
import { KINDS, runs, seedPets } from '../helpers/cached-runs.js'
import { both, diffSuite } from '../helpers/differential.js'

/**
 * Statements whose selects stand where a table does are cached by shape like any other
 * (statement-cache.ts): a derived table, a common table expression (with a column list, recursive,
 * several), a compound select's arms, and a subquery with a WITH or a compound of its own. Each
 * shape runs five times with other values, a write between two runs, so that a reused statement
 * must read each run's rows and bind each run's values in every one of its selects. Every step is
 * compared with SQLite.
 */

diffSuite('differential part 2: cached statements with derived tables, common tables and compounds', () => {
  both('a derived table filtered inside and outside, joined to a table', seedPets, (db) =>
    runs(db, (i) =>
      db
        .selectFrom((qb) =>
          qb.selectFrom('pets').select(['owner_id', 'kind', 'id']).where('kind', '<>', KINDS[i]!).as('p'),
        )
        .innerJoin('people', 'people.id', 'p.owner_id')
        .select(['p.id', 'p.kind', 'people.name'])
        .where('people.age', '>', 18 + i * 3)
        .orderBy('p.id'),
    ),
  )

  both('a grouped derived table read by a point lookup of its own key', seedPets, (db) =>
    runs(db, (i) =>
      db
        .selectFrom((qb) =>
          qb
            .selectFrom('pets')
            .select((eb) => ['owner_id', eb.fn.countAll<number>().as('n')])
            .where('id', '<', 100 + i)
            .groupBy('owner_id')
            .as('g'),
        )
        .selectAll()
        .where('g.owner_id', '=', [1, 3, 5, 0, 8][i]!),
    ),
  )

  both('a common table expression with a seek on its first table, read twice', seedPets, (db) =>
    runs(db, (i) =>
      db
        .with('near', (qb) =>
          qb
            .selectFrom('people')
            .select(['id', 'age', 'city'])
            .where('id', '=', i + 1),
        )
        .selectFrom('near')
        .innerJoin('near as n2', 'n2.id', 'near.id')
        .select(['near.id', 'near.age', 'n2.city']),
    ),
  )

  both('common table expressions with column lists, the second reading the first', seedPets, (db) =>
    runs(db, (i) =>
      db
        .with(
          'owners(who, kinds)',
          (qb) =>
            qb
              .selectFrom('pets')
              .select((eb) => ['owner_id', eb.fn.count<number>('kind').as('k')])
              .where('kind', '<>', KINDS[i]!)
              .groupBy('owner_id') as never,
        )
        .with('named(who, name, kinds)', (qb) =>
          qb
            .selectFrom('owners')
            .innerJoin('people', 'people.id', 'owners.who')
            .select(['owners.who', 'people.name', 'owners.kinds'])
            .where('people.id', '>', i),
        )
        .selectFrom('named')
        .selectAll()
        .orderBy('who'),
    ),
  )

  both('a recursive common table expression bounded by a value', seedPets, (db) =>
    runs(db, (i) =>
      db
        .withRecursive('n(x)', (qb) =>
          qb.selectNoFrom(sql<number>`${i + 1}`.as('x')).unionAll((q) =>
            q
              .selectFrom('n')
              .select(sql<number>`x + 1`.as('x'))
              .where('x', '<', i + 6),
          ),
        )
        .selectFrom('n')
        .leftJoin('pets', 'pets.id', 'n.x')
        .select(['n.x', 'pets.kind'])
        .orderBy('n.x'),
    ),
  )

  both('union, union all, intersect and except with values in every arm, ordered and limited', seedPets, (db) =>
    runs(db, (i) =>
      db
        .selectFrom('people')
        .select(['id', 'city'])
        .where('id', '=', i + 1)
        .union(
          db
            .selectFrom('people')
            .select(['id', 'city'])
            .where('age', '>', 20 + i * 4),
        )
        .unionAll(db.selectFrom('pets').select(['id', 'kind as city']).where('kind', '=', KINDS[i]!))
        .orderBy('id')
        .orderBy('city')
        .limit(3 + i),
    ),
  )

  both('intersect and except', seedPets, (db) =>
    runs(db, (i) =>
      db
        .selectFrom('pets')
        .select('owner_id')
        .where('id', '<', 100 + i)
        .intersect(
          db
            .selectFrom('people')
            .select('id as owner_id')
            .where('age', '<', 30 + i * 5),
        )
        .except(db.selectFrom('pets').select('owner_id').where('kind', '=', KINDS[i]!))
        .orderBy('owner_id'),
    ),
  )

  both('a subquery in an expression with a WITH and a compound of its own', seedPets, (db) =>
    runs(db, (i) =>
      db
        .selectFrom('people')
        .select(['id', 'name'])
        .where((eb) =>
          eb(
            'id',
            'in',
            eb
              .selectFrom('pets')
              .select('owner_id')
              .where('kind', '=', KINDS[i]!)
              .union(
                eb
                  .selectFrom('pets')
                  .select('owner_id')
                  .where('id', '=', i + 2),
              ),
          ),
        )
        .where((eb) =>
          eb.exists(
            eb
              .selectFrom((qb) => qb.selectFrom('pets').select('id').where('id', '>', i).as('later'))
              .select('later.id'),
          ),
        )
        .orderBy('id'),
    ),
  )

  both('insert ... select, its select filtered by values and reading the table it fills', seedPets, (db) => {
    const steps: unknown[] = []
    for (let i = 0; i < 5; i++) {
      steps.push(
        db
          .insertInto('pets')
          .columns(['id', 'owner_id', 'kind'])
          .expression((eb) =>
            eb
              .selectFrom('pets as p')
              .select((e) => [e('p.id', '+', 1000 * (i + 1)).as('id'), 'p.owner_id', e.val(KINDS[i]!).as('kind')])
              .where('p.kind', '=', KINDS[(i + 1) % 5]!)
              .where('p.id', '<', 1000),
          ),
        db.selectFrom('pets').select(['id', 'owner_id', 'kind']).orderBy('id'),
        db
          .updateTable('pets')
          .set({ kind: KINDS[(i + 3) % 5] })
          .where('id', '=', i + 1),
      )
    }
    return steps
  })

  both('an update and a delete whose where reads a derived table or a compound', seedPets, (db) => {
    const steps: unknown[] = []
    for (let i = 0; i < 5; i++) {
      steps.push(
        db
          .updateTable('people')
          .set({ score: i * 2 })
          .where((eb) =>
            eb(
              'id',
              'in',
              eb
                .selectFrom((qb) => qb.selectFrom('pets').select('owner_id').where('kind', '=', KINDS[i]!).as('k'))
                .select('k.owner_id'),
            ),
          ),
        db.selectFrom('people').select(['id', 'score']).orderBy('id'),
        db.deleteFrom('pets').where((eb) =>
          eb(
            'id',
            'in',
            eb
              .selectFrom('pets as q')
              .select('q.id')
              .where('q.id', '=', i + 1)
              .union(
                eb
                  .selectFrom('pets as r')
                  .select('r.id')
                  .where('r.kind', '=', KINDS[(i + 2) % 5]!),
              ),
          ),
        ),
        db.selectFrom('pets').select(['id', 'kind']).orderBy('id'),
        db.insertInto('pets').values({ id: 100 + i, owner_id: i, kind: KINDS[(i + 2) % 5] }),
      )
    }
    return steps
  })
})
