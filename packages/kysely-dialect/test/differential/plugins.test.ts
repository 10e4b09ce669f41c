import * as k028 from 'kysely'
import { jsonArrayFrom, jsonBuildObject, jsonObjectFrom } from 'kysely/helpers/sqlite'
import { both, diffSuite } from '../helpers/differential.js'
import { seedPeople } from '../helpers/fixtures.js'
import type { Db } from '../helpers/sides.js'

/**
 * Kysely's plugins over both sides: the plugins transform the nodes before the dialect sees them
 * and the rows after, so the dialect must give what SQLite gives for the transformed statements.
 * The plugin classes come from Kysely 0.28 and run on both versions (they only touch nodes).
 */
const camel = (db: Db): Db => db.withPlugin(new k028.CamelCasePlugin())

async function seedCamel(db: Db): Promise<void> {
  const c = camel(db)
  await c.schema
    .createTable('personRecord')
    .addColumn('personId', 'integer', (col) => col.primaryKey())
    .addColumn('firstName', 'text')
    .addColumn('birthYear', 'integer')
    .execute()
  await c.schema
    .createTable('petRecord')
    .addColumn('petId', 'integer', (col) => col.primaryKey())
    .addColumn('ownerId', 'integer')
    .addColumn('petName', 'text')
    .execute()
  await c
    .insertInto('personRecord')
    .values([
      { personId: 1, firstName: 'Ada', birthYear: 1815 },
      { personId: 2, firstName: 'Alan', birthYear: 1912 },
      { personId: 3, firstName: 'Grace', birthYear: null },
    ])
    .execute()
  await c
    .insertInto('petRecord')
    .values([
      { petId: 10, ownerId: 1, petName: 'Byron' },
      { petId: 11, ownerId: 1, petName: 'Babbage' },
      { petId: 12, ownerId: 2, petName: 'Enigma' },
    ])
    .execute()
}

diffSuite('differential: plugins', () => {
  both('CamelCasePlugin: select, where, order by', seedCamel, (db) =>
    camel(db)
      .selectFrom('personRecord')
      .select(['personId', 'firstName', 'birthYear'])
      .where('birthYear', '>', 1800)
      .orderBy('personId'),
  )
  both('CamelCasePlugin: the stored columns are snake_case', seedCamel, (db) =>
    db.selectFrom('person_record').selectAll().orderBy('person_id'),
  )
  both('CamelCasePlugin: joins, aliases, aggregates', seedCamel, (db) =>
    camel(db)
      .selectFrom('personRecord as p')
      .leftJoin('petRecord as q', 'q.ownerId', 'p.personId')
      .select(['p.firstName', (eb) => eb.fn.count('q.petId').as('petCount')])
      .groupBy('p.firstName')
      .orderBy('p.firstName'),
  )
  both('CamelCasePlugin: update and delete with returning', seedCamel, (db) => [
    camel(db)
      .updateTable('personRecord')
      .set({ birthYear: 1906 })
      .where('firstName', '=', 'Grace')
      .returning(['personId', 'birthYear']),
    camel(db).deleteFrom('petRecord').where('petName', 'like', 'B%').returning('petName'),
    camel(db).selectFrom('petRecord').selectAll().orderBy('petId'),
  ])
  both('CamelCasePlugin: raw sql.ref is renamed, raw text is not', seedCamel, (db, { sql }) =>
    camel(db)
      .selectFrom('personRecord')
      .select([sql`${sql.ref('firstName')} || '/' || birth_year`.as('label')])
      .orderBy('personId'),
  )
  both('ParseJSONResultsPlugin with jsonArrayFrom and jsonObjectFrom', seedCamel, (db) =>
    db
      .withPlugin(new k028.ParseJSONResultsPlugin())
      .selectFrom('person_record as p')
      .select((eb) => [
        'p.first_name',
        jsonArrayFrom(
          eb
            .selectFrom('pet_record')
            .select(['pet_id', 'pet_name'])
            .whereRef('owner_id', '=', 'p.person_id')
            .orderBy('pet_id'),
        ).as('pets'),
        jsonObjectFrom(
          eb.selectFrom('pet_record').select(['pet_name']).whereRef('owner_id', '=', 'p.person_id').limit(1),
        ).as('firstPet'),
        jsonBuildObject({ id: eb.ref('p.person_id'), year: eb.ref('p.birth_year') }).as('obj'),
      ])
      .orderBy('p.person_id'),
  )
  both('jsonArrayFrom nested in jsonArrayFrom (correlated through two derived tables)', seedCamel, (db) =>
    db
      .withPlugin(new k028.ParseJSONResultsPlugin())
      .selectFrom('person_record as p')
      .select((eb) => [
        'p.person_id',
        jsonArrayFrom(
          eb
            .selectFrom('pet_record as q')
            .select((eb2) => [
              'q.pet_name',
              jsonArrayFrom(
                eb2
                  .selectFrom('person_record as o')
                  .select(['o.first_name', 'o.birth_year'])
                  .whereRef('o.person_id', '=', 'q.owner_id')
                  .whereRef('o.person_id', '=', 'p.person_id'),
              ).as('owners'),
            ])
            .whereRef('q.owner_id', '=', 'p.person_id')
            .orderBy('q.pet_id'),
        ).as('pets'),
      ])
      .orderBy('p.person_id'),
  )
  both('ParseJSONResultsPlugin over JSON text columns and json functions', undefined, async (db, { sql }) => {
    await db.schema.createTable('j').addColumn('id', 'integer').addColumn('doc', 'text').execute()
    await db
      .insertInto('j')
      .values([
        { id: 1, doc: '{"a":[1,2,{"b":"c"}]}' },
        { id: 2, doc: '[true,null,1.5]' },
        { id: 3, doc: 'not json' },
      ])
      .execute()
    return db
      .withPlugin(new k028.ParseJSONResultsPlugin())
      .selectFrom('j')
      .select(['id', 'doc', sql`json_array(id, doc, json(doc -> '$'))`.as('arr'), sql`json_group_array(id)`.as('g')])
      .where('id', '<', 3)
      .groupBy('id')
      .orderBy('id')
      .execute()
  })
  both('json_group_array and json_group_object embed JSON from json functions', seedPeople, (db, { sql }) =>
    db
      .selectFrom('people')
      .select([
        'city',
        sql`json_group_array(json_object('id', id, 'score', score))`.as('a'),
        sql`json_group_object(name, age)`.as('o'),
        sql`json_group_array(name)`.as('names'),
      ])
      .where('city', 'is not', null)
      .groupBy('city')
      .orderBy('city'),
  )
  both('DeduplicateJoinsPlugin removes a repeated join', seedCamel, (db) =>
    db
      .withPlugin(new k028.DeduplicateJoinsPlugin())
      .selectFrom('person_record as p')
      .innerJoin('pet_record as q', 'q.owner_id', 'p.person_id')
      .innerJoin('pet_record as q', 'q.owner_id', 'p.person_id')
      .select(['p.first_name', 'q.pet_name'])
      .orderBy('q.pet_id'),
  )
  both("withSchema('main') names SQLite's one database", seedPeople, (db) => [
    db.withSchema('main').selectFrom('people').select(['id', 'name']).where('age', '>', 29).orderBy('id'),
    db.withSchema('main').insertInto('people').values({ id: 20, name: 'Main' }),
    db.withSchema('main').updateTable('people').set({ age: 1 }).where('id', '=', 20),
    db.withSchema('main').selectFrom('people as p').select('p.age').where('p.id', '=', 20),
    db.withSchema('main').deleteFrom('people').where('id', '=', 20),
  ])
  both("withSchema('x') is an unknown database, as on SQLite", seedPeople, (db) => [
    db.withSchema('x').selectFrom('people').selectAll(),
    db.withSchema('x').insertInto('people').values({ id: 21, name: 'X' }),
    db.selectFrom('people').select((eb) => eb.fn.countAll().as('n')),
  ])
  both("WithSchemaPlugin('main') through the schema builder", undefined, async (db) => {
    const main = db.withPlugin(new k028.WithSchemaPlugin('main'))
    await main.schema
      .createTable('s')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('v', 'text')
      .execute()
    await main.insertInto('s').values({ id: 1, v: 'one' }).execute()
    return main.selectFrom('s').selectAll().execute()
  })
})
