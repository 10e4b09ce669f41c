import { both, diffSuite } from '../helpers/differential.js'
import { insertRows, seedPeople } from '../helpers/fixtures.js'
import type { KyselyApi } from '../helpers/kysely-versions.js'
import type { Db } from '../helpers/sides.js'

diffSuite('differential: where', () => {
  both('= on an integer column', seedPeople, (db) => db.selectFrom('people').selectAll().where('age', '=', 25))

  both('= on a text column is case-sensitive', seedPeople, (db) =>
    db.selectFrom('people').select('id').where('city', '=', 'paris'),
  )

  both('<> excludes nulls as well', seedPeople, (db) => db.selectFrom('people').select('id').where('age', '<>', 25))

  both('!= is the same as <>', seedPeople, (db) => db.selectFrom('people').select('id').where('city', '!=', 'Berlin'))

  both('< on a real column', seedPeople, (db) => db.selectFrom('people').select('id').where('score', '<', 5))

  both('<= on an integer column', seedPeople, (db) => db.selectFrom('people').select('id').where('age', '<=', 30))

  both('> on a text column compares bytes (uppercase first)', seedPeople, (db) =>
    db.selectFrom('people').select('name').where('name', '>', 'Zzz'),
  )

  both('>= on the primary key', seedPeople, (db) => db.selectFrom('people').select('id').where('id', '>=', 6))

  both('= null matches nothing', seedPeople, (db) => db.selectFrom('people').select('id').where('age', '=', null))

  both('is null', seedPeople, (db) => db.selectFrom('people').select('id').where('city', 'is', null))

  both('is not null', seedPeople, (db) => db.selectFrom('people').select('id').where('score', 'is not', null))

  both('two wheres are an and', seedPeople, (db) =>
    db.selectFrom('people').select('id').where('age', '>', 20).where('city', '=', 'Berlin'),
  )

  both('or of two comparisons', seedPeople, (db) =>
    db
      .selectFrom('people')
      .select('id')
      .where((eb) => eb.or([eb('age', '<', 20), eb('score', '>', 10)])),
  )

  both('and nested in or', seedPeople, (db) =>
    db
      .selectFrom('people')
      .select('id')
      .where((eb) => eb.or([eb.and([eb('age', '=', 25), eb('city', '=', 'Berlin')]), eb('id', '=', 1)])),
  )

  both('not of a comparison with a null operand stays unknown', seedPeople, (db) =>
    db
      .selectFrom('people')
      .select('id')
      .where((eb) => eb.not(eb('age', '>', 28))),
  )

  both('not of an or', seedPeople, (db) =>
    db
      .selectFrom('people')
      .select('id')
      .where((eb) => eb.not(eb.or([eb('city', '=', 'Lyon'), eb('city', '=', 'lyon')]))),
  )

  both('and([]) is true, or([]) is false', seedPeople, (db) => [
    db
      .selectFrom('people')
      .select('id')
      .where((eb) => eb.and([])),
    db
      .selectFrom('people')
      .select('id')
      .where((eb) => eb.or([])),
  ])

  both('in a list of integers', seedPeople, (db) =>
    db.selectFrom('people').select('id').where('age', 'in', [25, 64, 99]),
  )

  both('in a list of strings', seedPeople, (db) =>
    db.selectFrom('people').select('id').where('city', 'in', ['Paris', 'Lyon']),
  )

  both('not in a list skips nulls', seedPeople, (db) =>
    db.selectFrom('people').select('id').where('age', 'not in', [25, 30]),
  )

  both('in a list holding null matches no null', seedPeople, (db, { sql }) =>
    db
      .selectFrom('people')
      .select('id')
      .where('city', 'in', [sql.lit(null), 'Lyon']),
  )

  both('not in a list holding null matches nothing', seedPeople, (db, { sql }) =>
    db
      .selectFrom('people')
      .select('id')
      .where('city', 'not in', [sql.lit(null), 'Lyon']),
  )

  both('like with a trailing %', seedPeople, (db) => db.selectFrom('people').select('id').where('name', 'like', 'a%'))

  both('like is case-insensitive for ASCII', seedPeople, (db) =>
    db.selectFrom('people').select('id').where('city', 'like', 'PaRiS'),
  )

  both('like is case-sensitive beyond ASCII', seedPeople, (db) =>
    db.selectFrom('people').select('id').where('name', 'like', 'émile'),
  )

  both('like with _ matches exactly one character', seedPeople, (db) =>
    db.selectFrom('people').select('id').where('name', 'like', '_o_'),
  )

  both('like with % in the middle', seedPeople, (db) =>
    db.selectFrom('people').select('id').where('name', 'like', 'a%e'),
  )

  both('like matches % and _ in the data only as wildcards', seedPeople, (db) =>
    db.selectFrom('people').select('id').where('name', 'like', '%_%'),
  )

  both('like on an integer column compares its text', seedPeople, (db) =>
    db.selectFrom('people').select('id').where('age', 'like', '2%'),
  )

  both('like on a real column', seedPeople, (db) => db.selectFrom('people').select('id').where('score', 'like', '%.%'))

  both('not like', seedPeople, (db) => db.selectFrom('people').select('id').where('name', 'not like', '%e%'))

  both('like against null is unknown either way', seedPeople, (db) => [
    db.selectFrom('people').select('id').where('city', 'like', '%'),
    db.selectFrom('people').select('id').where('city', 'not like', '%'),
  ])

  both('between on integers is inclusive', seedPeople, (db) =>
    db
      .selectFrom('people')
      .select('id')
      .where((eb) => eb.between('age', 25, 41)),
  )

  both('between on text', seedPeople, (db) =>
    db
      .selectFrom('people')
      .select('id')
      .where((eb) => eb.between('name', 'B', 'e')),
  )

  both('between with bounds reversed matches nothing', seedPeople, (db) =>
    db
      .selectFrom('people')
      .select('id')
      .where((eb) => eb.between('age', 41, 25)),
  )

  both('not between', seedPeople, (db) =>
    db
      .selectFrom('people')
      .select('id')
      .where((eb) => eb.not(eb.between('score', 0, 7))),
  )

  both('a range on the primary key', seedPeople, (db) =>
    db.selectFrom('people').selectAll().where('id', '>', 2).where('id', '<=', 5),
  )

  both('a point lookup on the primary key', seedPeople, (db) => db.selectFrom('people').selectAll().where('id', '=', 4))

  both('a point lookup on a missing primary key', seedPeople, (db) =>
    db.selectFrom('people').selectAll().where('id', '=', 40),
  )

  both('column compared with a column', seedPeople, (db) =>
    db
      .selectFrom('people')
      .select('id')
      .where((eb) => eb('age', '<', eb.ref('id'))),
  )

  both('a where on an arithmetic expression', seedPeople, (db) =>
    db
      .selectFrom('people')
      .select('id')
      .where((eb) => eb(eb('age', '*', 2), '>', 60)),
  )
})

/**
 * Rows a filtered scan tests where they lie and makes only when kept (row-source.ts: walkFiltered):
 * a table keyed by its hidden rowid (whose filters read the rowid from the key), one keyed by a
 * text primary key, values too long for a page, ranges, reverse reads, limits that stop a leaf
 * halfway, and updates and deletes, which keep copies of the rows they change.
 */
async function seedLog(db: Db, api: KyselyApi): Promise<void> {
  const { sql } = api
  await sql`create table log (n integer, tag text, body text)`.execute(db)
  await sql`create table kv (k text primary key, v text, n integer)`.execute(db)
  await insertRows(db, 'log', 2400, (i) => ({
    n: i,
    tag: `t${i % 7}`,
    body: i % 97 === 0 ? 'x'.repeat(6000 + i) : `b${i}`,
  }))
  await db
    .insertInto('kv')
    .values(Array.from({ length: 600 }, (_, i) => ({ k: `k${String(i).padStart(4, '0')}`, v: `x${i % 13}`, n: i })))
    .execute()
}

diffSuite('differential: filtered scans', () => {
  both('filters tested in place: rowid keys, long values, ranges, reverse, limits, writes', seedLog, (db) => [
    db.selectFrom('log').select(['rowid', 'n', 'tag']).where('tag', '=', 't3'),
    db.selectFrom('log').select(['n']).where('rowid', '>', 2300).where('tag', '=', 't1'),
    // A filter no key answers reads each row's rowid from its key.
    db
      .selectFrom('log')
      .select(['n', 'tag'])
      .where((eb) => eb(eb('rowid', '%', 50), '=', 7)),
    db.selectFrom('log').select(['n']).where('rowid', '<', 300).where('tag', '=', 't1').orderBy('rowid', 'desc'),
    db
      .selectFrom('log')
      .select((eb) => [
        'n',
        eb.fn('length', ['body']).as('len'),
        eb.fn('substr', ['body', eb.lit(5990), eb.lit(20)]).as('tail'),
      ])
      .where((eb) => eb(eb.fn('length', ['body']), '>', 1000)),
    db.selectFrom('log').select(['n']).where('tag', '=', 't2').orderBy('rowid', 'desc').limit(5),
    db.selectFrom('log').select(['n', 'rowid']).where('tag', '=', 't2').limit(3),
    db.selectFrom('log').select(['n']).where('tag', '=', 't2').limit(4).offset(300),
    db
      .updateTable('log')
      .set((eb) => ({ n: eb('n', '+', 10000) }))
      .where('tag', '=', 't4'),
    db.selectFrom('log').select(['rowid', 'n']).where('n', '>', 10000).where('rowid', '<', 200),
    db.deleteFrom('log').where('tag', '=', 't5').where('rowid', '<', 1000),
    db
      .selectFrom('log')
      .select((eb) => [eb.fn.countAll().as('c'), eb.fn.sum('n').as('s')])
      .where('tag', 'in', ['t4', 't5']),
    db.selectFrom('kv').select(['k', 'n']).where('v', '=', 'x7'),
    db.selectFrom('kv').select(['k']).where('v', '=', 'x7').where('k', '>', 'k0300').limit(2),
    db.selectFrom('kv').select(['k']).where('v', '=', 'x3').orderBy('k', 'desc').limit(3),
    db.updateTable('kv').set({ v: 'changed' }).where('n', '>', 590),
    db.selectFrom('kv').select(['k', 'v']).where('v', '=', 'changed'),
    db.deleteFrom('kv').where('v', '=', 'x1'),
    db.selectFrom('kv').select((eb) => eb.fn.countAll().as('c')),
  ])
})

/** 4,000 rows with indexes on a, b and (c, d): enough that one seek per disjunct beats a scan. */
async function seedOrs(db: Db, api: KyselyApi): Promise<void> {
  await api.sql`create table o (id integer primary key, a integer, b text collate nocase, c integer, d real, e text)`.execute(
    db,
  )
  await api.sql`create index o_a on o (a)`.execute(db)
  await api.sql`create index o_b on o (b)`.execute(db)
  await api.sql`create index o_c_d on o (c, d)`.execute(db)
  await insertRows(db, 'o', 4000, (i) => ({
    id: i + 1,
    a: i % 29 === 0 ? null : (i * 7) % 1000,
    b: ['x', 'X', 'y', 'Zed'][i % 4]! + String(i % 300),
    c: i % 50,
    d: (i % 9) / 2,
    e: String(i % 31),
  }))
}

diffSuite('differential: or of disjuncts each read through a key or an index', () => {
  both('or read one disjunct at a time (MULTI-INDEX OR), rows read twice once', seedOrs, (db) => [
    db
      .selectFrom('o')
      .selectAll()
      .where((eb) => eb.or([eb('a', '=', 7), eb('id', '=', 3)])),
    db
      .selectFrom('o')
      .select(['id', 'a'])
      .where((eb) => eb.or([eb('a', '=', 7), eb('a', '=', 14), eb('id', '=', 2)])),
    db
      .selectFrom('o')
      .select(['id'])
      .where((eb) => eb.or([eb('a', '=', 49), eb('id', 'in', [8, 9, 10])])),
    db
      .selectFrom('o')
      .select(['id', 'b'])
      .where((eb) => eb.or([eb('b', '=', 'x4'), eb('a', '<', 3)])),
    db
      .selectFrom('o')
      .select(['id', 'c', 'd'])
      .where((eb) => eb.or([eb.and([eb('c', '=', 3), eb('d', '>', 2)]), eb('id', '<', 5)])),
    db
      .selectFrom('o')
      .select(['id'])
      .where((eb) => eb.or([eb('a', '=', 7), eb('id', '=', 3)]))
      .where('e', '<>', '5'),
    // One disjunct no key or index bounds: a scan.
    db
      .selectFrom('o')
      .select(['id'])
      .where((eb) => eb.or([eb('a', '=', 7), eb('e', '=', '3')])),
    db
      .selectFrom('o')
      .select(['id'])
      .where((eb) => eb.or([eb('a', '=', 7), eb('id', '=', 3), eb('a', 'is', null)]))
      .orderBy('id'),
    db
      .selectFrom('o')
      .select(['id'])
      .where((eb) => eb.or([eb('a', '=', 7), eb('id', '=', 3)]))
      .limit(2),
    // Equalities of one column are an in list (its values in key order); an in list beside them a
    // disjunct of its own; `is null` of the rowid no disjunct an index reads (a scan, rowid order).
    db
      .selectFrom('o')
      .select(['id'])
      .where((eb) => eb.or([eb('a', '=', 14), eb('a', '=', 7)]))
      .limit(4),
    db
      .selectFrom('o')
      .select(['id'])
      .where((eb) => eb.or([eb('a', 'in', [14, 7]), eb('a', '=', 21)]))
      .limit(5),
    db
      .selectFrom('o')
      .select(['id'])
      .where((eb) => eb.or([eb('id', 'is', null), eb('a', '=', 7), eb('b', '=', 'x4')]))
      .limit(3),
    db
      .selectFrom('o')
      .select(['id'])
      .where((eb) => eb.or([eb('e', 'like', '3%'), eb('a', '=', 7)]))
      .limit(3),
    db
      .selectFrom('o')
      .select((eb) => eb.fn.countAll().as('n'))
      .where((eb) => eb.or([eb('a', '=', 7), eb('c', '=', 1)])),
    db
      .updateTable('o')
      .set({ e: 'hit' })
      .where((eb) => eb.or([eb('a', '=', 21), eb('id', '=', 5)])),
    db.selectFrom('o').select(['id', 'a']).where('e', '=', 'hit'),
    db.deleteFrom('o').where((eb) => eb.or([eb('b', '=', 'y2'), eb('id', '>=', 3990)])),
    db.selectFrom('o').select((eb) => eb.fn.countAll().as('n')),
  ])
})
