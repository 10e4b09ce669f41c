import { both, diffSuite } from '../helpers/differential.js'
import { insertRows, seedPeople } from '../helpers/fixtures.js'
import type { KyselyApi } from '../helpers/kysely-versions.js'
import type { Db } from '../helpers/sides.js'

/** people (fixtures) and `pets(id integer primary key, owner integer, name text)`; owner 99 and null have no person. */
async function seedPets(db: Db): Promise<void> {
  await seedPeople(db)
  await db.schema
    .createTable('pets')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('owner', 'integer')
    .addColumn('name', 'text')
    .execute()
  await db
    .insertInto('pets')
    .values([
      { id: 10, owner: 1, name: 'Rex' },
      { id: 11, owner: 1, name: 'Tom' },
      { id: 12, owner: 2, name: 'Bob' },
      { id: 13, owner: null, name: 'Stray' },
      { id: 14, owner: 99, name: 'Ghost' },
      { id: 15, owner: 5, name: 'Eve' },
    ])
    .execute()
}

diffSuite('differential part 2: subqueries', () => {
  both('in (select)', seedPets, (db) =>
    db.selectFrom('people').select('name').where('id', 'in', db.selectFrom('pets').select('owner')).orderBy('id'),
  )
  both('not in (select) with a null in the list gives nothing', seedPets, (db) =>
    db.selectFrom('people').select('name').where('id', 'not in', db.selectFrom('pets').select('owner')),
  )
  both('not in (select) without nulls', seedPets, (db) =>
    db
      .selectFrom('people')
      .select('name')
      .where('id', 'not in', db.selectFrom('pets').select('owner').where('owner', 'is not', null))
      .orderBy('id'),
  )
  both('in (select) that is empty', seedPets, (db) =>
    db
      .selectFrom('people')
      .select('id')
      .where('id', 'in', db.selectFrom('pets').select('owner').where('id', '>', 100)),
  )
  both('not in (select) that is empty keeps every row', seedPets, (db) =>
    db
      .selectFrom('people')
      .select('id')
      .where('age', 'not in', db.selectFrom('pets').select('owner').where('id', '>', 100))
      .orderBy('id'),
  )
  both('in (select) with text affinity on the subquery column', seedPets, (db) =>
    db.selectFrom('pets').select('id').where('name', 'in', db.selectFrom('people').select('name')).orderBy('id'),
  )
  both('exists (correlated)', seedPets, (db) =>
    db
      .selectFrom('people')
      .select('name')
      .where(({ exists, selectFrom }) =>
        exists(selectFrom('pets').select('pets.id').whereRef('pets.owner', '=', 'people.id')),
      )
      .orderBy('id'),
  )
  both('not exists (correlated)', seedPets, (db) =>
    db
      .selectFrom('people')
      .select('name')
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('pets').select('pets.id').whereRef('pets.owner', '=', 'people.id'))),
      )
      .orderBy('id'),
  )
  both('exists (uncorrelated)', seedPets, (db) =>
    db
      .selectFrom('people')
      .select('id')
      .where(({ exists, selectFrom }) => exists(selectFrom('pets').select('id').where('owner', '=', 99)))
      .orderBy('id'),
  )
  both('scalar subquery in a selection (correlated count)', seedPets, (db) =>
    db
      .selectFrom('people')
      .select((eb) => [
        'name',
        eb
          .selectFrom('pets')
          .select((e) => e.fn.countAll().as('n'))
          .whereRef('pets.owner', '=', 'people.id')
          .as('pets'),
      ])
      .orderBy('id'),
  )
  both('scalar subquery with no row is null', seedPets, (db) =>
    db
      .selectFrom('people')
      .select((eb) => [
        'id',
        eb
          .selectFrom('pets')
          .select('pets.name')
          .whereRef('pets.owner', '=', 'people.id')
          .orderBy('pets.id')
          .limit(1)
          .as('first_pet'),
      ])
      .orderBy('id'),
  )
  both('scalar subquery in a condition', seedPets, (db) =>
    db
      .selectFrom('people')
      .select('name')
      .where((eb) =>
        eb(
          'age',
          '>',
          eb.selectFrom('people').select((e) => e.fn.avg('age').as('a')),
        ),
      )
      .orderBy('id'),
  )
  both('scalar subquery compared with the key', seedPets, (db) =>
    db
      .selectFrom('people')
      .select('name')
      .where((eb) =>
        eb(
          'id',
          '=',
          eb
            .selectFrom('pets')
            .select((e) => e.fn.max('owner').as('m'))
            .where('owner', '<', 50),
        ),
      ),
  )
  both('correlated subquery with an alias on the outer table', seedPets, (db) =>
    db
      .selectFrom('people as p')
      .select('p.name')
      .where((eb) =>
        eb(
          eb
            .selectFrom('pets')
            .select((e) => e.fn.countAll().as('n'))
            .whereRef('pets.owner', '=', 'p.id'),
          '>',
          1,
        ),
      ),
  )
  both('subquery in a subquery, correlated to the outermost', seedPets, (db) =>
    db
      .selectFrom('people')
      .select('id')
      .where(({ exists, selectFrom }) =>
        exists(
          selectFrom('pets')
            .select('pets.id')
            .whereRef('pets.owner', '=', 'people.id')
            .where(({ exists: ex, selectFrom: sf }) =>
              ex(sf('people as q').select('q.id').whereRef('q.id', '=', 'pets.owner').where('q.age', '>', 26)),
            ),
        ),
      )
      .orderBy('id'),
  )
  both('derived table', seedPets, (db) =>
    db
      .selectFrom(db.selectFrom('people').select(['id', 'age']).where('age', '>', 25).as('old'))
      .select(['old.id', 'old.age'])
      .orderBy('old.age')
      .orderBy('old.id'),
  )
  both('derived table with aggregates, then filtered', seedPets, (db) =>
    db
      .selectFrom(
        db
          .selectFrom('pets')
          .select((eb) => ['owner', eb.fn.countAll().as('n')])
          .groupBy('owner')
          .as('c'),
      )
      .selectAll('c')
      .where('c.n', '>', 0)
      .orderBy('c.owner'),
  )
  both('derived table joined to a table', seedPets, (db) =>
    db
      .selectFrom('people')
      .innerJoin(
        db
          .selectFrom('pets')
          .select((eb) => ['owner', eb.fn.countAll().as('n')])
          .groupBy('owner')
          .as('c'),
        'c.owner',
        'people.id',
      )
      .select(['people.name', 'c.n'])
      .orderBy('people.id'),
  )
  both('left join to a derived table', seedPets, (db) =>
    db
      .selectFrom('people')
      .leftJoin(
        db.selectFrom('pets').select(['owner', 'name as pet']).where('name', '<>', 'Tom').as('d'),
        'd.owner',
        'people.id',
      )
      .select(['people.id', 'd.pet'])
      .orderBy('people.id'),
  )
  both('subquery with two columns where one is expected is an error', seedPets, (db) =>
    db
      .selectFrom('people')
      .select('id')
      .where('id', 'in', db.selectFrom('pets').select(['owner', 'id'])),
  )
  both('update with in (select)', seedPets, (db) => [
    db.updateTable('people').set({ score: 100 }).where('id', 'in', db.selectFrom('pets').select('owner')),
    db.selectFrom('people').select(['id', 'score']).orderBy('id'),
  ])
  both('delete with not exists (correlated)', seedPets, (db) => [
    db
      .deleteFrom('pets')
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('people').select('people.id').whereRef('people.id', '=', 'pets.owner'))),
      ),
    db.selectFrom('pets').select('id').orderBy('id'),
  ])
  both('update set from a correlated scalar subquery', seedPets, (db) => [
    db
      .updateTable('pets')
      .set((eb) => ({ name: eb.selectFrom('people').select('people.name').whereRef('people.id', '=', 'pets.owner') })),
    db.selectFrom('pets').selectAll().orderBy('id'),
  ])
})

diffSuite('differential part 2: subqueries with aggregates', () => {
  both('correlated aggregate over inner columns', seedPets, (db) =>
    db
      .selectFrom('people')
      .select((eb) => [
        'id',
        eb
          .selectFrom('pets')
          .select((e) => e.fn.max('pets.name').as('m'))
          .whereRef('pets.owner', '=', 'people.id')
          .as('m'),
      ])
      .orderBy('id'),
  )
  both('correlated aggregate mixing inner and outer columns', seedPets, (db) =>
    db
      .selectFrom('people')
      .select((eb) => [
        'id',
        eb
          .selectFrom('pets')
          .select((e) => e.fn.sum(e('pets.id', '+', e.ref('people.id'))).as('s'))
          .whereRef('pets.owner', '=', 'people.id')
          .as('s'),
      ])
      .orderBy('id'),
  )
})

/** `tags(label, person text, code text primary key)`: text that reads as the integers of people.id, and one that does not ('05'). */
async function seedTags(db: Db): Promise<void> {
  await seedPets(db)
  await db.schema
    .createTable('tags')
    .addColumn('code', 'text', (c) => c.primaryKey())
    .addColumn('person', 'text')
    .addColumn('n', 'integer')
    .execute()
  await db
    .insertInto('tags')
    .values([
      { code: '1', person: '1', n: 1 },
      { code: '05', person: '5', n: 5 },
      { code: '2', person: '02', n: 2 },
      { code: 'x', person: null, n: 7 },
      { code: '7', person: '7', n: null },
    ])
    .execute()
}

diffSuite('differential part 2: correlated subqueries read through keys and hash tables', () => {
  both('correlated on a text column against an integer outer column (numeric affinity)', seedTags, (db) =>
    db
      .selectFrom('people')
      .select('id')
      .where(({ exists, selectFrom }) =>
        exists(selectFrom('tags').select('tags.code').whereRef('tags.person', '=', 'people.id')),
      )
      .orderBy('id'),
  )
  both('correlated on a text primary key against an integer outer column', seedTags, (db) =>
    db
      .selectFrom('people')
      .select((eb) => ['id', eb.selectFrom('tags').select('tags.n').whereRef('tags.code', '=', 'people.id').as('n')])
      .orderBy('id'),
  )
  both('correlated on an integer primary key against a text outer column', seedTags, (db) =>
    db
      .selectFrom('tags')
      .select((eb) => [
        'code',
        eb.selectFrom('people').select('people.name').whereRef('people.id', '=', 'tags.person').as('who'),
      ])
      .orderBy('code'),
  )
  both('correlated range on the inner key', seedTags, (db) =>
    db
      .selectFrom('people')
      .select((eb) => [
        'id',
        eb
          .selectFrom('pets')
          .select((e) => e.fn.countAll().as('n'))
          .whereRef('pets.id', '<', eb.ref('people.age') as never)
          .as('n'),
      ])
      .orderBy('id'),
  )
  both('correlated count over a non-key column with nulls', seedTags, (db) =>
    db
      .selectFrom('tags')
      .select((eb) => [
        'code',
        eb
          .selectFrom('pets')
          .select((e) => e.fn.countAll().as('c'))
          .whereRef('pets.owner', '=', 'tags.n')
          .as('c'),
      ])
      .orderBy('code'),
  )
})

/**
 * `x in (select y ...)` read as seeks, one per row of the select (planner/terms.ts): keys and
 * indexes of integer, text, real and NOCASE columns sought with values of other affinities, nulls,
 * duplicates, an empty select, a select with its own limit and order, a composite index's leading
 * column, and a correlated select (never sought).
 */
async function seedLists(db: Db, api: KyselyApi): Promise<void> {
  const { sql } = api
  await sql`create table r (id integer primary key, code text, n integer, w real, name text collate nocase)`.execute(db)
  await sql`create table s (id integer primary key, v, t text, k integer)`.execute(db)
  await sql`create index r_code on r (code)`.execute(db)
  await sql`create index r_n_w on r (n, w)`.execute(db)
  await sql`create index r_name on r (name)`.execute(db)
  const names = ['Ann', 'ann', 'BOB', 'bob', 'Cy', null]
  // Enough rows that seeks beat a scan for every key and index.
  await insertRows(db, 'r', 6000, (i) => ({
    id: i + 1,
    code: i % 10 === 9 ? null : String(i % 1700),
    n: i % 2300,
    w: (i % 9) / 2,
    name: i < 6 ? names[i] : `n${i}`,
  }))
  // v has no affinity: integers, numeric text, reals, nulls and blobs side by side.
  const vs = [3, '3', 4.0, '07', null, 11, 11, '12.0', 2.5, 'ann', 'BOB', 119]
  await db
    .insertInto('s')
    .values(
      Array.from({ length: 36 }, (_, i) => ({ id: i + 1, v: vs[i % vs.length], t: String((i * 5) % 19), k: i % 5 })),
    )
    .execute()
}

diffSuite('differential part 2: in (select) as seeks', () => {
  both('in (select) sought through keys and indexes', seedLists, (db) => [
    db.selectFrom('r').select(['id', 'code']).where('id', 'in', db.selectFrom('s').select('v')),
    db
      .selectFrom('r')
      .select(['id', 'code'])
      .where('id', 'in', db.selectFrom('s').select('t').where('k', '=', 2)),
    db.selectFrom('r').select(['id', 'code']).where('code', 'in', db.selectFrom('s').select('v')),
    db.selectFrom('r').select(['id', 'code']).where('code', 'in', db.selectFrom('s').select('k')),
    db.selectFrom('r').select(['id', 'n', 'w']).where('n', 'in', db.selectFrom('s').select('t')),
    db.selectFrom('r').select(['id', 'n', 'w']).where('n', 'in', db.selectFrom('s').select('k')).where('w', '>', 2),
    db.selectFrom('r').select(['id', 'w']).where('w', 'in', db.selectFrom('s').select('v')),
    db.selectFrom('r').select(['id', 'name']).where('name', 'in', db.selectFrom('s').select('v')),
    db
      .selectFrom('r')
      .select(['id'])
      .where('id', 'in', db.selectFrom('s').select('v').where('k', '>', 10)),
    db.selectFrom('r').select(['id']).where('id', 'in', db.selectFrom('s').select('id').orderBy('id', 'desc').limit(4)),
    db.selectFrom('r').select(['id']).where('id', 'not in', db.selectFrom('s').select('k')),
    // Tested per row against the select's values (a set of them): a null among them makes a miss unknown.
    db
      .selectFrom('r')
      .select(['id'])
      .where('id', '<', 30)
      .where((eb) => eb(eb('code', 'in', eb.selectFrom('s').select('v')), 'is', null)),
    db.selectFrom('r').select(['id']).where('id', '<', 30).where('code', 'not in', db.selectFrom('s').select('v')),
    db
      .selectFrom('r')
      .select((eb) => ['id', eb('name', 'in', eb.selectFrom('s').select('v')).as('hit')])
      .where('id', '<', 9),
    db.selectFrom('r').select(['id']).where('id', 'in', db.selectFrom('s').select('k')).orderBy('id', 'desc'),
    db
      .selectFrom('r')
      .select((eb) => eb.fn.countAll().as('c'))
      .where('code', 'in', db.selectFrom('s').select('t')),
    db
      .selectFrom('r')
      .select(['id'])
      .where((eb) => eb('r.n', 'in', eb.selectFrom('s').select('s.k').whereRef('s.id', '=', 'r.id'))),
    db.updateTable('r').set({ code: 'x' }).where('id', 'in', db.selectFrom('s').select('k')),
    db.deleteFrom('r').where('n', 'in', db.selectFrom('s').select('t').where('k', '=', 1)),
    db.selectFrom('r').select(['id', 'code', 'n']).where('id', '<', 12),
    db.selectFrom('r').select((eb) => eb.fn.countAll().as('c')),
  ])
})
