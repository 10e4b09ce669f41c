import { both, diffSuite } from '../helpers/differential.js'
import { seedMixed, seedPeople } from '../helpers/fixtures.js'

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
