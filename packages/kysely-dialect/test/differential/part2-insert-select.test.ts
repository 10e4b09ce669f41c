import { both, diffSuite } from '../helpers/differential.js'
import { seedPeople } from '../helpers/fixtures.js'
import type { Db } from '../helpers/sides.js'

async function seedArchive(db: Db): Promise<void> {
  await seedPeople(db)
  await db.schema
    .createTable('archive')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.defaultTo('none'))
    .execute()
}

diffSuite('differential part 2: insert ... select', () => {
  both('insert the rows a select gives', seedArchive, (db) => [
    db
      .insertInto('archive')
      .columns(['id', 'name'])
      .expression(db.selectFrom('people').select(['id', 'name']).where('age', '>', 28)),
    db.selectFrom('archive').selectAll().orderBy('id'),
  ])
  both('insert ... select with expressions and a join', seedArchive, (db) => [
    db
      .insertInto('archive')
      .columns(['id', 'name', 'note'])
      .expression(
        db
          .selectFrom('people as a')
          .innerJoin('people as b', 'b.id', 'a.id')
          .select((eb) => [
            eb('a.id', '+', 100).as('id'),
            eb.fn('upper', ['a.name']).as('name'),
            eb.fn.coalesce('b.city', eb.val('?')).as('note'),
          ]),
      ),
    db.selectFrom('archive').selectAll().orderBy('id'),
  ])
  both('insert ... select of aggregates', seedArchive, (db) => [
    db
      .insertInto('archive')
      .columns(['name', 'note'])
      .expression(
        db
          .selectFrom('people')
          .select((eb) => [eb.fn.max('name').as('n'), eb.fn('typeof', [eb.fn.countAll()]).as('t')]),
      ),
    db.selectFrom('archive').selectAll(),
  ])
  both('insert ... select from its own table reads the old rows only', seedArchive, (db) => [
    db
      .insertInto('archive')
      .columns(['id', 'name'])
      .expression(db.selectFrom('people').select(['id', 'name'])),
    db
      .insertInto('archive')
      .columns(['id', 'name'])
      .expression(db.selectFrom('archive').select((eb) => [eb('id', '+', 10).as('id'), 'name'])),
    db.selectFrom('archive').select(['id', 'name']).orderBy('id'),
  ])
  both('insert ... select violating the key changes nothing', seedArchive, (db) => [
    db
      .insertInto('archive')
      .columns(['id', 'name'])
      .expression(db.selectFrom('people').select(['age', 'name'])),
    db.selectFrom('archive').selectAll(),
  ])
  both('insert ... select violating not null changes nothing', seedArchive, (db) => [
    db
      .insertInto('archive')
      .columns(['id', 'name'])
      .expression(db.selectFrom('people').select(['id', 'city'])),
    db.selectFrom('archive').selectAll(),
  ])
  both('insert ... select with returning', seedArchive, (db) =>
    db
      .insertInto('archive')
      .columns(['id', 'name'])
      .expression(db.selectFrom('people').select(['id', 'name']).where('id', '<', 3))
      .returning(['id', 'note']),
  )
  both('insert ... select with union', seedArchive, (db) => [
    db
      .insertInto('archive')
      .columns(['id', 'name'])
      .expression(
        db
          .selectFrom('people')
          .select(['id', 'name'])
          .where('id', '=', 1)
          .unionAll(db.selectFrom('people').select(['score', 'city']).where('id', '=', 2) as never),
      ),
    db.selectFrom('archive').selectAll().orderBy('id'),
  ])
  both('insert ... select with the wrong width is an error', seedArchive, (db) =>
    db
      .insertInto('archive')
      .columns(['id', 'name'])
      .expression(db.selectFrom('people').select(['id']) as never),
  )
})
