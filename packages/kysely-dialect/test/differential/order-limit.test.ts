import { both, diffSuite } from '../helpers/differential.js'
import { insertRows, seedMixed, seedPeople } from '../helpers/fixtures.js'
import type { KyselyApi } from '../helpers/kysely-versions.js'
import type { Db } from '../helpers/sides.js'

/**
 * Every ordered case orders totally (ties broken by the key), since SQLite leaves the order of ties
 * unspecified and the comparison is order-sensitive once a query orders.
 */
diffSuite('differential: order by, limit, offset', () => {
  both('order by the primary key ascending', seedPeople, (db) => db.selectFrom('people').select('id').orderBy('id'))

  both('order by the primary key descending', seedPeople, (db) =>
    db.selectFrom('people').select('id').orderBy('id', 'desc'),
  )

  both('nulls sort first ascending', seedPeople, (db) =>
    db.selectFrom('people').select(['id', 'age']).orderBy('age').orderBy('id'),
  )

  both('nulls sort last descending', seedPeople, (db) =>
    db.selectFrom('people').select(['id', 'score']).orderBy('score', 'desc').orderBy('id'),
  )

  both('text sorts by bytes: uppercase before lowercase, accents last', seedPeople, (db) =>
    db.selectFrom('people').select('name').orderBy('name'),
  )

  both('several columns, mixed directions', seedPeople, (db) =>
    db.selectFrom('people').select(['id', 'age', 'city']).orderBy('age', 'desc').orderBy('city').orderBy('id', 'desc'),
  )

  both('mixed storage classes sort null, numbers, text, blobs', seedMixed, (db) =>
    db.selectFrom('kv').selectAll().orderBy('v').orderBy('k'),
  )

  both('mixed storage classes descending', seedMixed, (db) =>
    db.selectFrom('kv').selectAll().orderBy('v', 'desc').orderBy('k'),
  )

  both('order by an expression', seedPeople, (db) =>
    db
      .selectFrom('people')
      .select('id')
      .orderBy((eb) => eb('id', '%', 3))
      .orderBy('id'),
  )

  both('order by a column not selected', seedPeople, (db) =>
    db.selectFrom('people').select('name').orderBy('score').orderBy('id'),
  )

  both('order by a select alias', seedPeople, (db) =>
    db.selectFrom('people').select(['id', 'city as town']).orderBy('town').orderBy('id'),
  )

  both('limit on an ordered scan', seedPeople, (db) => db.selectFrom('people').select('id').orderBy('id').limit(3))

  both('limit on the key descending (pushed down)', seedPeople, (db) =>
    db.selectFrom('people').selectAll().orderBy('id', 'desc').limit(2),
  )

  both('limit with offset', seedPeople, (db) =>
    db.selectFrom('people').select('id').orderBy('name').orderBy('id').limit(3).offset(2),
  )

  both('offset past the end', seedPeople, (db) =>
    db.selectFrom('people').select('id').orderBy('id').limit(5).offset(50),
  )

  both('limit 0', seedPeople, (db) => db.selectFrom('people').select('id').orderBy('id').limit(0))

  both('limit larger than the table', seedPeople, (db) => db.selectFrom('people').select('id').orderBy('id').limit(100))

  both('range on the key, ordered descending, limited', seedPeople, (db) =>
    db.selectFrom('people').select('id').where('id', '<', 7).where('id', '>=', 2).orderBy('id', 'desc').limit(3),
  )

  both('filter, order by a non-key column, limit and offset', seedPeople, (db) =>
    db
      .selectFrom('people')
      .select(['id', 'score'])
      .where('score', 'is not', null)
      .orderBy('score', 'desc')
      .orderBy('id')
      .limit(2)
      .offset(1),
  )

  both('order by a text primary key', seedMixed, (db) => db.selectFrom('kv').select('k').orderBy('k', 'desc'))

  // Which rows an unordered limit returns is unspecified; how many is not.
  both('limit without order by returns that many rows', seedPeople, async (db) => {
    const rows = await db.selectFrom('people').select('id').where('age', '>', 20).limit(3).execute()
    return rows.length
  })
})

/**
 * 3,000 rows whose sort columns repeat, with nulls, reals, text and a NOCASE column; each order
 * ends with the key (ties' order is SQLite's to choose). How ties come out under a limit is the
 * integration test's (plan.test.ts: "a limit keeps...").
 */
async function seedTies(db: Db, api: KyselyApi): Promise<void> {
  await api.sql`create table ties (id integer primary key, g integer, r real, t text, c text collate nocase)`.execute(
    db,
  )
  await insertRows(db, 'ties', 3000, (i) => ({
    id: i + 1,
    g: i % 11 === 0 ? null : (i * 7) % 13,
    r: ((i * 31) % 97) / 4,
    t: `t${(i * 17) % 41}`,
    c: ['a', 'A', 'b', 'B', 'c'][i % 5],
  }))
}

diffSuite('differential: order by with a limit, its rows kept as they come (pipeline.ts: topRows)', () => {
  both('ties, nulls, offsets, directions, collations and filters under a limit', seedTies, (db) => [
    db.selectFrom('ties').select(['id', 'g']).orderBy('g').orderBy('id').limit(10),
    db.selectFrom('ties').select(['id', 'g']).orderBy('g', 'desc').orderBy('id').limit(7).offset(200),
    db.selectFrom('ties').select(['id', 'g', 'r']).orderBy('g').orderBy('r', 'desc').orderBy('id').limit(25).offset(3),
    db.selectFrom('ties').selectAll().orderBy('r').orderBy('id').limit(1),
    db.selectFrom('ties').select(['id', 't']).orderBy('t').orderBy('id').limit(50).offset(2990),
    db.selectFrom('ties').select(['id', 'c']).orderBy('c').orderBy('id').limit(12),
    db.selectFrom('ties').select(['id', 'c']).orderBy('c', 'desc').orderBy('id').limit(12).offset(1),
    db.selectFrom('ties').select(['id', 'g']).where('t', '=', 't3').orderBy('g').orderBy('id').limit(4),
    db.selectFrom('ties').select(['id', 'g']).where('g', '>', 5).orderBy('r').orderBy('id').limit(0),
    db
      .selectFrom('ties')
      .select((eb) => ['id', eb('g', '*', eb.ref('r')).as('p')])
      .orderBy('p', 'desc')
      .orderBy('id')
      .limit(9),
  ])
})

diffSuite('differential: sorts of one term (expression/order.ts: sortByKeys)', () => {
  both(
    'one term of numbers alone, of texts alone, and of both, each way',
    async (db, api) => {
      await api.sql`create table u1 (id integer primary key, x real, s text, m)`.execute(db)
      await insertRows(db, 'u1', 400, (i) => ({
        x: ((i * 7919) % 400) / 8 - 20,
        s: `k${(i * 263) % 400}${i % 3 === 0 ? 'é' : ''}`,
        m: i % 2 === 0 ? (i * 13) % 401 : `t${(i * 17) % 401}`,
      }))
    },
    (db) => [
      db.selectFrom('u1').select(['id', 'x']).orderBy('x'),
      db.selectFrom('u1').select(['id', 'x']).orderBy('x', 'desc'),
      db.selectFrom('u1').select(['id', 's']).orderBy('s'),
      db.selectFrom('u1').select(['id', 's']).orderBy('s', 'desc'),
      db.selectFrom('u1').select(['id', 'm']).orderBy('m', 'desc'),
      db.selectFrom('u1').select(['id', 'm']).orderBy('m'),
    ],
  )
})
