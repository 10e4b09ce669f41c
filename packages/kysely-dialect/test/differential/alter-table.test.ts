import { both, diffSuite } from '../helpers/differential.js'
import { seedPeople } from '../helpers/fixtures.js'

diffSuite('differential: alter table', () => {
  both('addColumn: old rows read null, new rows hold values', seedPeople, (db) => [
    db.schema.alterTable('people').addColumn('email', 'text'),
    db.insertInto('people').values({ id: 9, name: 'Nia', email: 'n@x' }),
    db.selectFrom('people').selectAll().where('id', '>', 6),
  ])

  both('addColumn with defaultTo: old rows read the default', seedPeople, (db) => [
    db.schema.alterTable('people').addColumn('level', 'integer', (c) => c.notNull().defaultTo(3)),
    db.insertInto('people').values({ id: 9, name: 'Nia' }),
    db.selectFrom('people').select(['id', 'level']),
  ])

  both('addColumn: the new column can be filtered on and updated', seedPeople, (db) => [
    db.schema.alterTable('people').addColumn('flag', 'integer', (c) => c.defaultTo(0)),
    db.updateTable('people').set({ flag: 1 }).where('age', '>', 29),
    db.selectFrom('people').select('id').where('flag', '=', 1),
    db.selectFrom('people').select('id').where('flag', '=', 0),
  ])

  both('addColumn not null without a default fails', seedPeople, (db) => [
    db.schema.alterTable('people').addColumn('must', 'text', (c) => c.notNull()),
    db.selectFrom('people').selectAll().where('id', '=', 1),
  ])

  both('addColumn of an existing name fails', seedPeople, (db) => [
    db.schema.alterTable('people').addColumn('age', 'integer'),
  ])

  both('dropColumn: the column is gone from select *', seedPeople, (db) => [
    db.schema.alterTable('people').dropColumn('score'),
    db.selectFrom('people').selectAll().where('id', '<', 4),
    db.insertInto('people').values({ id: 9, name: 'Nia', age: 1 }),
    db.selectFrom('people').selectAll().where('id', '=', 9),
  ])

  both('dropColumn then selecting it fails', seedPeople, (db) => [
    db.schema.alterTable('people').dropColumn('city'),
    db.selectFrom('people').select('city'),
  ])

  both('dropColumn of the primary key fails', seedPeople, (db) => [
    db.schema.alterTable('people').dropColumn('id'),
    db.selectFrom('people').select('id').where('id', '=', 1),
  ])

  both('dropColumn of a unique column fails', undefined, (db) => [
    db.schema
      .createTable('t')
      .addColumn('a', 'integer')
      .addColumn('u', 'text', (c) => c.unique()),
    db.schema.alterTable('t').dropColumn('u'),
  ])

  both('dropColumn of a missing column fails', seedPeople, (db) => [db.schema.alterTable('people').dropColumn('nope')])

  both('dropColumn then addColumn of the same name starts empty', seedPeople, (db) => [
    db.schema.alterTable('people').dropColumn('age'),
    db.schema.alterTable('people').addColumn('age', 'text'),
    db.selectFrom('people').select(['id', 'age']).where('id', '<', 3),
  ])

  both('renameColumn keeps the values under the new name', seedPeople, (db) => [
    db.schema.alterTable('people').renameColumn('city', 'town'),
    db.selectFrom('people').select(['id', 'town']).where('town', '=', 'Berlin'),
    db.selectFrom('people').select('city'),
  ])

  both('renameColumn of the primary key', seedPeople, (db) => [
    db.schema.alterTable('people').renameColumn('id', 'pid'),
    db.insertInto('people').values({ name: 'Nia' }),
    db.selectFrom('people').select(['pid', 'name']).where('pid', '>', 7),
  ])

  both('renameColumn onto an existing name fails', seedPeople, (db) => [
    db.schema.alterTable('people').renameColumn('city', 'name'),
  ])

  both('renameTo moves the table', seedPeople, (db) => [
    db.schema.alterTable('people').renameTo('persons'),
    db.selectFrom('persons').select('name').where('id', '=', 2),
    db.selectFrom('people').selectAll(),
  ])

  both('renameTo keeps unique rules and rowids', undefined, (db) => [
    db.schema
      .createTable('t')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('u', 'text', (c) => c.unique()),
    db.insertInto('t').values([{ u: 'a' }, { u: 'b' }]),
    db.schema.alterTable('t').renameTo('t2'),
    db.insertInto('t2').values({ u: 'a' }),
    db.insertInto('t2').values({ u: 'c' }),
    db.selectFrom('t2').selectAll(),
  ])

  both('renameTo onto an existing table fails', seedPeople, (db) => [
    db.schema.createTable('other').addColumn('x', 'integer'),
    db.schema.alterTable('people').renameTo('other'),
    db.selectFrom('other').selectAll(),
  ])

  both('alter a missing table fails', undefined, (db) => [db.schema.alterTable('nowhere').addColumn('x', 'integer')])
})
