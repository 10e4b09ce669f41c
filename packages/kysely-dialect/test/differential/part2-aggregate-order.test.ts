import { sql } from 'kysely'
import { both, diffSuite } from '../helpers/differential.js'
import { seedPeople } from '../helpers/fixtures.js'

diffSuite('differential part 2: an aggregate with an order by of its own', () => {
  both('group_concat in a given order, per group', seedPeople, (db) =>
    db
      .selectFrom('people')
      .select((eb) => [
        'age',
        eb.fn.agg<string>('group_concat', ['name']).orderBy('name').as('asc'),
        eb.fn
          .agg<string>('group_concat', ['name', sql.lit(' / ')])
          .orderBy('id', 'desc')
          .as('desc'),
      ])
      .groupBy('age')
      .orderBy('age'),
  )
  both('over the whole table, several keys, nulls placed', seedPeople, (db) =>
    db.selectFrom('people').select((eb) => [
      eb.fn
        .agg<string>('group_concat', ['id'])
        .orderBy('city', (o) => o.asc().nullsLast())
        .orderBy('id', 'desc')
        .as('by_city'),
      eb.fn.agg<string>('json_group_array', ['name']).orderBy('score', 'desc').as('by_score'),
      eb.fn.countAll().as('n'),
    ]),
  )
  both('with distinct and filter', seedPeople, (db) =>
    db
      .selectFrom('people')
      .select((eb) => [
        eb.fn.agg<string>('group_concat', ['age']).distinct().orderBy('age', 'desc').as('ages'),
        eb.fn
          .agg<string>('group_concat', ['name'])
          .filterWhere('age', '>', 24)
          .orderBy('age')
          .orderBy('name')
          .as('older'),
      ]),
  )
  both('an order by on an aggregate whose order does not matter', seedPeople, (db) =>
    db
      .selectFrom('people')
      .select((eb) => [eb.fn.agg<number>('sum', ['age']).orderBy('name').as('s'), eb.fn.max('id').as('m')]),
  )
  both('raw: group_concat(x, sep order by y) and json_group_object', seedPeople, async (db) => {
    const r = await sql`select city, group_concat(name, '|' order by age desc, id) as names,
      json_group_object(name, age order by name) as o from people group by city order by city`.execute(db)
    return r.rows
  })
})
