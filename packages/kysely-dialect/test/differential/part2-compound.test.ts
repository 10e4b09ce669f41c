import { both, diffSuite, rawOutcomes } from '../helpers/differential.js'
import { seedPeople } from '../helpers/fixtures.js'
import type { Db } from '../helpers/sides.js'

async function seedTwo(db: Db): Promise<void> {
  await seedPeople(db)
  await db.schema
    .createTable('staff')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('name', 'text')
    .addColumn('age', 'integer')
    .execute()
  await db
    .insertInto('staff')
    .values([
      { id: 1, name: 'Alice', age: 30 },
      { id: 2, name: 'Bob', age: 25 },
      { id: 3, name: 'Zed', age: null },
      { id: 4, name: 'Eve', age: 25 },
    ])
    .execute()
}

diffSuite('differential part 2: with and set operations', () => {
  both('with: one common table', seedTwo, (db) =>
    db
      .with('old', (qb) => qb.selectFrom('people').select(['id', 'name']).where('age', '>', 28))
      .selectFrom('old')
      .selectAll()
      .orderBy('id'),
  )
  both('with: two, the second reading the first', seedTwo, (db) =>
    db
      .with('old', (qb) => qb.selectFrom('people').select(['id', 'name', 'city']).where('age', '>', 20))
      .with('paris', (qb) => qb.selectFrom('old').select(['id', 'name']).where('city', 'like', 'paris'))
      .selectFrom('paris')
      .select('name')
      .orderBy('name'),
  )
  both('with: column names', seedTwo, (db) =>
    db
      .with('c(n, a)', (qb) => qb.selectFrom('people').select(['name', 'age']) as never)
      .selectFrom('c')
      .select(['c.n', 'c.a'])
      .where('c.a', '<', 30)
      .orderBy('c.n'),
  )
  both('with: joined to a table, aggregated', seedTwo, (db) =>
    db
      .with('ages', (qb) =>
        qb
          .selectFrom('staff')
          .select((eb) => ['age', eb.fn.countAll().as('n')])
          .groupBy('age'),
      )
      .selectFrom('people')
      .innerJoin('ages', 'ages.age', 'people.age')
      .select(['people.name', 'ages.n'])
      .orderBy('people.id'),
  )
  both('with: read in a subquery', seedTwo, (db) =>
    db
      .with('s', (qb) => qb.selectFrom('staff').select('name'))
      .selectFrom('people')
      .select('id')
      .where((eb) => eb('name', 'in', eb.selectFrom('s').select('s.name')))
      .orderBy('id'),
  )
  both('union removes duplicates', seedTwo, (db) =>
    db.selectFrom('people').select('age').union(db.selectFrom('staff').select('age')),
  )
  both('union all keeps them', seedTwo, (db) =>
    db
      .selectFrom('people')
      .select(['name', 'age'])
      .unionAll(db.selectFrom('staff').select(['name', 'age'])),
  )
  both('intersect', seedTwo, (db) =>
    db
      .selectFrom('people')
      .select(['name', 'age'])
      .intersect(db.selectFrom('staff').select(['name', 'age'])),
  )
  both('except', seedTwo, (db) => db.selectFrom('people').select('age').except(db.selectFrom('staff').select('age')))
  both('union then order by and limit over the whole', seedTwo, (db) =>
    db
      .selectFrom('people')
      .select(['name', 'age'])
      .union(db.selectFrom('staff').select(['name', 'age']))
      .orderBy('age', 'desc')
      .orderBy('name')
      .limit(5),
  )
  both('three-way chain: union all then except', seedTwo, (db) =>
    db
      .selectFrom('people')
      .select('age')
      .unionAll(db.selectFrom('staff').select('age'))
      .except(db.selectFrom('people').select('age').where('age', '>', 40)),
  )
  both('union of aggregates', seedTwo, (db) =>
    db
      .selectFrom('people')
      .select((eb) => [eb.val('people').as('src'), eb.fn.countAll().as('n')])
      .unionAll(db.selectFrom('staff').select((eb) => [eb.val('staff').as('src'), eb.fn.countAll().as('n')]))
      .orderBy('src'),
  )
  both('union with different widths is an error', seedTwo, (db) =>
    db
      .selectFrom('people')
      .select(['name', 'age'])
      .union(db.selectFrom('staff').select('name') as never),
  )
  both('union in a derived table', seedTwo, (db) =>
    db
      .selectFrom(db.selectFrom('people').select('name').union(db.selectFrom('staff').select('name')).as('u'))
      .select((eb) => eb.fn.countAll().as('n')),
  )
  both('in (union)', seedTwo, (db) =>
    db
      .selectFrom('people')
      .select('id')
      .where(
        'age',
        'in',
        db
          .selectFrom('staff')
          .select('age')
          .union(db.selectFrom('people').select('age').where('id', '=', 8)),
      )
      .orderBy('id'),
  )
  // SQLite's UNION, INTERSECT and EXCEPT read their rows back from the index they build: sorted on
  // every column, with no order by; UNION ALL appends. Compared in order.
  both(
    'without an order by, union, intersect and except come out sorted on every column; union all appends',
    undefined,
    (db, { sql }) =>
      rawOutcomes(
        db,
        sql,
        [
          'create table h (a, b)',
          "insert into h values (3, 'x'), (1, 'y'), (2, 'x'), (1, 'z')",
          'select a from h union select b from h',
          'select a from h union select b from h union all select 0',
          "select 'b' union select 'a' union select 2 union select null union select x'00'",
          "select a, b from h union select 1, 'a'",
          'select a from h intersect select a from h where a > 1',
          'select a from h except select 1',
          'select * from (select a from h union select 5) t',
          'select a from h union select a from h limit 2',
          'select a from h union all select a from h',
          'select b, a from h union select b, a from h order by 2 desc',
        ],
        'failed',
      ),
    { ordered: true },
  )
})
