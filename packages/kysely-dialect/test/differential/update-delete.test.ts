import { both, diffSuite } from '../helpers/differential.js'
import { seedPeople } from '../helpers/fixtures.js'
import type { Db } from '../helpers/sides.js'

async function counters(db: Db): Promise<void> {
  await db.schema
    .createTable('counters')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('n', 'integer', (c) => c.notNull())
    .addColumn('tag', 'text', (c) => c.unique())
    .execute()
  await db
    .insertInto('counters')
    .values([
      { name: 'a', n: 1, tag: 'x' },
      { name: 'b', n: 10, tag: 'y' },
      { name: 'c', n: -5, tag: null },
    ])
    .execute()
}

diffSuite('differential: update', () => {
  both('set n = n + 1 on every row: numUpdatedRows', counters, (db) => [
    db.updateTable('counters').set((eb) => ({ n: eb('n', '+', 1) })),
    db.selectFrom('counters').selectAll(),
  ])

  both('set n = n + 1 returning', counters, (db) =>
    db
      .updateTable('counters')
      .set((eb) => ({ n: eb('n', '+', 1) }))
      .where('name', '=', 'b')
      .returning(['name', 'n']),
  )

  both('string concatenation in set', counters, (db) => [
    db.updateTable('counters').set((eb) => ({ tag: eb(eb('name', '||', '-'), '||', eb.ref('n')) })),
    db.selectFrom('counters').selectAll(),
  ])

  both('concatenation with a null gives null', counters, (db) =>
    db
      .updateTable('counters')
      .set((eb) => ({ tag: eb('tag', '||', eb.ref('name')) }))
      .returning(['name', 'tag']),
  )

  both('set several columns from expressions', counters, (db) =>
    db
      .updateTable('counters')
      .set((eb) => ({ n: eb('n', '*', 3), tag: eb.ref('name') }))
      .where('n', '>', 0)
      .returningAll(),
  )

  both('update matching no row reports 0', counters, (db) =>
    db.updateTable('counters').set({ n: 0 }).where('name', '=', 'zzz'),
  )

  both('update setting a value to its current value still counts', counters, (db) =>
    db.updateTable('counters').set({ n: 1 }).where('name', '=', 'a'),
  )

  both('update to null on a not-null column fails and changes nothing', counters, (db) => [
    db.updateTable('counters').set({ n: null }).where('name', '=', 'c'),
    db.selectFrom('counters').selectAll(),
  ])

  both('update to a taken unique value fails and changes nothing', counters, (db) => [
    db.updateTable('counters').set({ tag: 'x' }).where('name', '=', 'b'),
    db.selectFrom('counters').selectAll(),
  ])

  both('update making two rows collide on a unique column fails and changes nothing', counters, (db) => [
    db.updateTable('counters').set({ tag: 'same' }).where('n', '>', -100),
    db.selectFrom('counters').selectAll(),
  ])

  both('update of the primary key moves the row', counters, (db) => [
    db.updateTable('counters').set({ name: 'z' }).where('name', '=', 'a').returningAll(),
    db.selectFrom('counters').selectAll().orderBy('name'),
  ])

  both('update of the primary key onto a taken one fails', counters, (db) => [
    db.updateTable('counters').set({ name: 'b' }).where('name', '=', 'a'),
    db.selectFrom('counters').selectAll(),
  ])

  both('update of an integer primary key', seedPeople, (db) => [
    db
      .updateTable('people')
      .set((eb) => ({ id: eb('id', '+', 100) }))
      .where('id', '>', 6),
    db.selectFrom('people').select(['id', 'name']).orderBy('id'),
  ])

  both('update where on a range of the key', seedPeople, (db) =>
    db.updateTable('people').set({ city: 'Rome' }).where('id', '>=', 3).where('id', '<', 6).returning(['id', 'city']),
  )

  both('update text affinity: an integer into a text column', counters, (db) =>
    db.updateTable('counters').set({ tag: 12 }).where('name', '=', 'c').returning(['tag']),
  )

  both('update integer affinity: text digits into an integer column', counters, (db) =>
    db.updateTable('counters').set({ n: '77' }).where('name', '=', 'c').returning(['n']),
  )

  both('update a missing table raises no such table', undefined, (db) => db.updateTable('nowhere').set({ a: 1 }))
})

diffSuite('differential: delete', () => {
  both('delete where: numDeletedRows', seedPeople, (db) => [
    db.deleteFrom('people').where('age', '=', 25),
    db.selectFrom('people').select('id'),
  ])

  both('delete returning', seedPeople, (db) =>
    db.deleteFrom('people').where('city', 'like', 'paris').returning(['id', 'name']),
  )

  both('delete returning all', seedPeople, (db) => db.deleteFrom('people').where('score', 'is', null).returningAll())

  both('delete matching nothing reports 0', seedPeople, (db) => db.deleteFrom('people').where('id', '>', 1000))

  both('delete everything', seedPeople, (db) => [db.deleteFrom('people'), db.selectFrom('people').selectAll()])

  both('delete a range of the key', seedPeople, (db) => [
    db.deleteFrom('people').where('id', '>', 2).where('id', '<', 7),
    db.selectFrom('people').select('id'),
  ])

  both('delete by text primary key', counters, (db) => [
    db.deleteFrom('counters').where('name', '=', 'b').returningAll(),
    db.selectFrom('counters').selectAll(),
  ])

  both('a deleted unique value can be inserted again', counters, (db) => [
    db.deleteFrom('counters').where('tag', '=', 'x'),
    db.insertInto('counters').values({ name: 'd', n: 0, tag: 'x' }),
    db.selectFrom('counters').selectAll(),
  ])
})
