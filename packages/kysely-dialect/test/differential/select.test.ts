import { both, diffSuite } from '../helpers/differential.js'
import { seedPeople } from '../helpers/fixtures.js'

diffSuite('differential: select columns', () => {
  both('selectAll returns every column in declaration order', seedPeople, (db) => db.selectFrom('people').selectAll())

  both('selectAll naming the table', seedPeople, (db) => db.selectFrom('people').selectAll('people'))

  both('select a subset of columns', seedPeople, (db) => db.selectFrom('people').select(['name', 'age']))

  both('select one column twice under two aliases', seedPeople, (db) =>
    db.selectFrom('people').select(['id as a', 'id as b', 'name as who']),
  )

  both('table alias with qualified columns', seedPeople, (db) =>
    db.selectFrom('people as p').select(['p.id', 'p.city as town']),
  )

  both(
    'selectAll of an empty table',
    async (db) => {
      await db.schema.createTable('empty').addColumn('x', 'integer').execute()
    },
    (db) => db.selectFrom('empty').selectAll(),
  )

  both('select an arithmetic expression with an alias', seedPeople, (db) =>
    db.selectFrom('people').select((eb) => ['id', eb('age', '+', 1).as('next_age')]),
  )

  both('select a string concatenation', seedPeople, (db) =>
    db.selectFrom('people').select((eb) => ['id', eb(eb('name', '||', '@'), '||', eb.ref('city')).as('tag')]),
  )

  both('select a literal next to columns', seedPeople, (db, { sql }) =>
    db.selectFrom('people').select(['id', sql.lit(7).as('seven'), sql.val('x').as('ex')]),
  )

  both('select a column reference through sql.ref', seedPeople, (db, { sql }) =>
    db.selectFrom('people').select(sql.ref<string>('name').as('n')),
  )

  both('select from a missing table raises no such table', undefined, (db) => db.selectFrom('nowhere').selectAll())

  both('select an eb arithmetic expression', seedPeople, (db) =>
    db.selectFrom('people').select((eb) => ['id', eb('score', '*', 2).as('double')]),
  )

  both('== is the same as =', seedPeople, (db) => db.selectFrom('people').select('id').where('city', '==', 'Berlin'))

  both('selectAll of an aliased table (t.*)', seedPeople, (db) =>
    db.selectFrom('people as p').selectAll('p').where('p.id', '<', 3),
  )

  both('selectNoFrom evaluates expressions once', undefined, (db) =>
    db.selectNoFrom((eb) => [
      eb.lit<number>(1).as('one'),
      eb(eb.lit<number>(7), '/', eb.lit<number>(2)).as('half'),
      eb(eb.val<string>('a'), '||', eb.val<string>('1')).as('text'),
      eb.val<null>(null).as('nothing'),
    ]),
  )

  both('sql templates holding a single reference or value', seedPeople, (db, { sql }) =>
    db
      .selectFrom('people')
      .select([sql<string>`${sql.ref('name')}`.as('n'), sql<number>`${5}`.as('five')])
      .where(sql<number>`${sql.ref('id')}`, '<', 4),
  )
})
