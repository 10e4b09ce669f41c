import { sql } from 'kysely'
import { both, diffSuite } from '../helpers/differential.js'
import { seedPeople } from '../helpers/fixtures.js'
import type { Db } from '../helpers/sides.js'

/** people (fixtures) and `pets(id, owner, name, kind)`, and three views over them. */
async function seedViews(db: Db): Promise<void> {
  await seedPeople(db)
  await db.schema
    .createTable('pets')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('owner', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text')
    .execute()
  await db
    .insertInto('pets')
    .values([
      { id: 1, owner: 1, name: 'rex', kind: 'dog' },
      { id: 2, owner: 1, name: 'tom', kind: 'cat' },
      { id: 3, owner: 2, name: 'kit', kind: 'cat' },
      { id: 4, owner: 5, name: 'bo', kind: null },
      { id: 5, owner: 8, name: 'ace', kind: 'dog' },
    ])
    .execute()
  await db.schema
    .createView('adults')
    .as(db.selectFrom('people').select(['id', 'name', 'age', 'city']).where('age', '>=', 25))
    .execute()
  await db.schema
    .createView('owners')
    .columns(['person', 'pets', 'first_pet'])
    .as(
      db
        .selectFrom('people')
        .innerJoin('pets', 'pets.owner', 'people.id')
        .select((eb) => ['people.name', eb.fn.countAll().as('n'), eb.fn.min('pets.name').as('f')])
        .groupBy('people.name'),
    )
    .execute()
  await db.schema
    .createView('adult_cities')
    .as(db.selectFrom('adults').select('city').distinct().where('city', 'is not', null))
    .execute()
}

diffSuite('differential part 2: views', () => {
  both('select everything from a view', seedViews, (db) => db.selectFrom('adults').selectAll().orderBy('id'))
  both('a view with named columns over a join and a grouping', seedViews, (db) =>
    db.selectFrom('owners').selectAll().orderBy('person'),
  )
  both('where, order and limit over a view', seedViews, (db) =>
    db.selectFrom('adults').select(['name', 'age']).where('age', '<', 40).orderBy('age', 'desc').orderBy('id').limit(3),
  )
  both('a view of a view', seedViews, (db) => db.selectFrom('adult_cities').selectAll().orderBy('city'))
  both('a view joined to a table, aliased', seedViews, (db) =>
    db
      .selectFrom('adults as a')
      .leftJoin('pets', 'pets.owner', 'a.id')
      .select(['a.name', 'pets.name as pet'])
      .orderBy('a.id')
      .orderBy('pets.id'),
  )
  both('a view in a subquery', seedViews, (db) =>
    db
      .selectFrom('pets')
      .select(['id', 'name'])
      .where('owner', 'in', db.selectFrom('adults').select('id'))
      .orderBy('id'),
  )
  both('aggregates over a view', seedViews, (db) =>
    db.selectFrom('adults').select((eb) => [eb.fn.countAll().as('n'), eb.fn.avg('age').as('a')]),
  )
  both('a view sees the rows written after it was made', seedViews, (db) => [
    db.insertInto('people').values({ id: 9, name: 'Neo', age: 37, city: 'Oslo', score: 1 }),
    db.selectFrom('adults').select(['id', 'city']).orderBy('id'),
  ])
  both('create or replace, if not exists, and drop view', seedViews, (db) => [
    db.schema
      .createView('adults')
      .orReplace()
      .as(db.selectFrom('people').select(['id', 'name']).where('age', '>', 40)),
    db.selectFrom('adults').selectAll().orderBy('id'),
    db.schema.createView('adults').ifNotExists().as(db.selectFrom('pets').select('id')),
    db.selectFrom('adults').selectAll().orderBy('id'),
    db.schema.dropView('adults'),
    db.schema.dropView('adults').ifExists(),
    db.selectFrom('people').select('id').orderBy('id'),
  ])
  both('views and tables share names: each error', seedViews, (db) => [
    db.schema.createView('pets').as(db.selectFrom('people').select('id')),
    db.schema.createView('adults').as(db.selectFrom('people').select('id')),
    db.schema.createTable('adults').addColumn('x', 'integer'),
    db.schema.dropView('pets'),
    db.schema.dropTable('adults'),
    db.schema.dropView('nothing'),
    db.schema.alterTable('pets').renameTo('adults'),
    db.schema.createIndex('owners').on('pets').column('name'),
    db.selectFrom('adults').select('id').orderBy('id'),
  ])
  both('writing into a view is an error', seedViews, (db) => [
    db.insertInto('adults').values({ id: 20, name: 'x' }),
    db.updateTable('adults').set({ name: 'y' }),
    db.deleteFrom('adults'),
    db.selectFrom('people').select(['id', 'name']).orderBy('id'),
  ])
  both('a view over a missing table, or of the wrong width, fails when read, not when made', seedPeople, (db) => [
    db.schema.createView('v').as(db.selectFrom('nothing' as 'people').select('id')),
    db.schema.createView('v2').columns(['a', 'b']).as(db.selectFrom('people').select('id')),
    db.selectFrom('v' as 'people').selectAll(),
    db.selectFrom('v2' as 'people').selectAll(),
    db.schema.createTable('nothing').addColumn('id', 'integer'),
    db.insertInto('nothing' as 'people').values({ id: 3 } as never),
    db.selectFrom('v' as 'people').selectAll(),
  ])
  both('views defined in a circle fail when read', seedPeople, (db) => [
    db.schema.createView('va').as(db.selectFrom('vb' as 'people').select('id')),
    db.schema.createView('vb').as(db.selectFrom('va' as 'people').select('id')),
    db.selectFrom('va' as 'people').selectAll(),
    db.selectFrom('people').select('id').orderBy('id'),
  ])
  both('introspection lists views beside tables', seedViews, async (db) => {
    const tables = await db.introspection.getTables()
    return tables.map((t) => ({
      name: t.name,
      isView: t.isView,
      columns: t.columns.map((c) => [c.name, c.dataType.toLowerCase(), c.isNullable, c.hasDefaultValue].join(' ')),
    }))
  })
  // Round s28: a standard type name (INTEGER, TEXT, REAL, BLOB, INT, ANY in any case) came back as
  // written (`integer`); SQLite reports it in capitals, and other names as written.
  both('introspection reports declared types as SQLite does', seedViews, async (db, { sql }) => {
    await sql`create table typed (a integer, b Text, c real, d blob, e int, f any, g varchar(9), h int primary, i, j bigint)`.execute(
      db,
    )
    await db.schema
      .createView('typed_view')
      .as(db.selectFrom('typed').select(['a', 'b', 'g']))
      .execute()
    const tables = await db.introspection.getTables()
    return tables
      .filter((t) => t.name.startsWith('typed') || t.name === 'people')
      .map((t) => ({ name: t.name, types: t.columns.map((c) => `${c.name} ${c.dataType}`) }))
  })
  both('raw: select from a view', seedViews, async (db) => {
    const r = await sql`select person, pets from owners where pets > 1 order by person`.execute(db)
    return r.rows
  })
})
