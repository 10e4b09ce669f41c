import { both, diffSuite } from '../helpers/differential.js'
import { seedPeople } from '../helpers/fixtures.js'
import type { Db } from '../helpers/sides.js'

async function accounts(db: Db): Promise<void> {
  await db.schema
    .createTable('accounts')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('org', 'text')
    .addColumn('email', 'text')
    .addColumn('rank', 'integer')
    .execute()
  await db
    .insertInto('accounts')
    .values([
      { id: 1, org: 'a', email: 'x@a', rank: 1 },
      { id: 2, org: 'a', email: 'y@a', rank: 2 },
      { id: 3, org: 'b', email: 'x@a', rank: 1 },
      { id: 4, org: null, email: null, rank: null },
      { id: 5, org: null, email: null, rank: 3 },
    ])
    .execute()
}

diffSuite('differential: indexes', () => {
  both('an index leaves query results unchanged', seedPeople, (db) => [
    db.schema.createIndex('people_city').on('people').column('city'),
    db.selectFrom('people').select('id').where('city', '=', 'Berlin'),
    db.selectFrom('people').select(['id', 'city']).orderBy('city').orderBy('id'),
  ])

  both('a multi-column index leaves results unchanged after writes', seedPeople, (db) => [
    db.schema.createIndex('people_city_age').on('people').columns(['city', 'age']),
    db.updateTable('people').set({ city: 'Berlin' }).where('id', '=', 1),
    db.deleteFrom('people').where('id', '=', 5),
    db.insertInto('people').values({ id: 20, name: 'New', city: 'Berlin', age: 1 }),
    db.selectFrom('people').select('id').where('city', '=', 'Berlin').where('age', '<', 40),
  ])

  both('a unique index rejects a duplicate insert', accounts, (db) => [
    db.schema.createIndex('accounts_rank').on('accounts').column('id').unique(),
    db.schema.createIndex('accounts_org_email').on('accounts').columns(['org', 'email']).unique(),
    db.insertInto('accounts').values({ id: 9, org: 'a', email: 'x@a' }),
    db.insertInto('accounts').values({ id: 10, org: 'b', email: 'y@a' }),
    db.selectFrom('accounts').select('id'),
  ])

  both('a unique index over existing duplicates fails and is not created', accounts, (db) => [
    db.schema.createIndex('accounts_email').on('accounts').column('email').unique(),
    db.insertInto('accounts').values({ id: 9, org: 'c', email: 'x@a' }),
    db.selectFrom('accounts').select('id'),
  ])

  both('a unique index can be built once the duplicate is gone', accounts, (db) => [
    db.schema.createIndex('accounts_email').on('accounts').column('email').unique(),
    db.deleteFrom('accounts').where('id', '=', 3),
    db.schema.createIndex('accounts_email').on('accounts').column('email').unique(),
    db.insertInto('accounts').values({ id: 9, email: 'x@a' }),
    db.insertInto('accounts').values({ id: 10, email: null }),
    db.selectFrom('accounts').select('id'),
  ])

  both('a unique index allows several nulls', accounts, (db) => [
    db.schema.createIndex('accounts_org_email').on('accounts').columns(['org', 'email']).unique(),
    db.insertInto('accounts').values({ id: 9, org: null, email: null }),
    db.insertInto('accounts').values({ id: 10, org: 'a', email: null }),
    db.insertInto('accounts').values({ id: 11, org: 'a', email: null }),
    db.selectFrom('accounts').select('id'),
  ])

  both('a composite unique index rejects only the full duplicate', accounts, (db) => [
    db.schema.createIndex('accounts_org_rank').on('accounts').columns(['org', 'rank']).unique(),
    db.insertInto('accounts').values({ id: 9, org: 'a', rank: 3 }),
    db.insertInto('accounts').values({ id: 10, org: 'b', rank: 2 }),
    db.insertInto('accounts').values({ id: 11, org: 'a', rank: 2 }),
    db.selectFrom('accounts').select('id'),
  ])

  both('an update colliding on a unique index fails and changes nothing', accounts, (db) => [
    db.schema.createIndex('accounts_org_rank').on('accounts').columns(['org', 'rank']).unique(),
    db.updateTable('accounts').set({ rank: 1 }).where('id', '=', 2),
    db.updateTable('accounts').set({ org: 'c' }).where('org', '=', 'a'),
    db.selectFrom('accounts').selectAll(),
  ])

  both('a multi-row insert colliding on a unique index on its last row inserts nothing', accounts, (db) => [
    db.schema.createIndex('accounts_email').on('accounts').column('rank').unique().ifNotExists(),
    db.deleteFrom('accounts').where('id', '=', 3),
    db.schema.createIndex('accounts_email2').on('accounts').column('email').unique(),
    db.insertInto('accounts').values([
      { id: 20, email: 'p' },
      { id: 21, email: 'q' },
      { id: 22, email: 'y@a' },
    ]),
    db.selectFrom('accounts').select('id'),
  ])

  both('createIndex ifNotExists twice', accounts, (db) => [
    db.schema.createIndex('i').on('accounts').column('org').ifNotExists(),
    db.schema.createIndex('i').on('accounts').column('org').ifNotExists(),
    db.selectFrom('accounts').select('id').where('org', '=', 'a'),
  ])

  both('createIndex twice without ifNotExists fails', accounts, (db) => [
    db.schema.createIndex('i').on('accounts').column('org'),
    db.schema.createIndex('i').on('accounts').column('email'),
  ])

  both('createIndex on a missing table fails', undefined, (db) => [
    db.schema.createIndex('i').on('nowhere').column('x'),
  ])

  both('dropIndex lifts the unique rule', accounts, (db) => [
    db.schema.createIndex('u').on('accounts').column('email').unique().ifNotExists(),
    db.schema.createIndex('u2').on('accounts').column('id').unique(),
    db.schema.dropIndex('u2'),
    db.insertInto('accounts').values({ id: 9, email: 'x@a' }),
    db.selectFrom('accounts').select('id'),
  ])

  both('dropIndex on a missing index fails, ifExists does not', accounts, (db) => [
    db.schema.dropIndex('nope'),
    db.schema.dropIndex('nope').ifExists(),
  ])

  both('dropping a table drops its indexes', accounts, (db) => [
    db.schema.createIndex('i').on('accounts').column('org'),
    db.schema.dropTable('accounts'),
    db.schema.createTable('accounts').addColumn('org', 'text'),
    db.schema.createIndex('i').on('accounts').column('org'),
    db.insertInto('accounts').values({ org: 'z' }),
    db.selectFrom('accounts').selectAll(),
  ])

  both('a unique index on an expression-free column treats 1 and 1.0 as equal', undefined, (db) => [
    db.schema.createTable('t').addColumn('v', 'blob'),
    db.schema.createIndex('t_v').on('t').column('v').unique(),
    db.insertInto('t').values({ v: 1 }),
    db.insertInto('t').values({ v: 1.0 }),
    db.insertInto('t').values({ v: '1' }),
    db.selectFrom('t').selectAll(),
  ])
})
