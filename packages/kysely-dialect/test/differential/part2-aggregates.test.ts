import { both, diffSuite, rawOutcomes } from '../helpers/differential.js'
import { insertRows, seedMixed, seedPeople } from '../helpers/fixtures.js'
import type { KyselyApi } from '../helpers/kysely-versions.js'
import type { Db } from '../helpers/sides.js'

/** `nums(id, i integer, r real, t text)`: integer sums, real sums, text that sums as numbers. */
async function seedNums(db: Db): Promise<void> {
  await db.schema
    .createTable('nums')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('g', 'text')
    .addColumn('i', 'integer')
    .addColumn('r', 'real')
    .addColumn('t', 'text')
    .execute()
  await db
    .insertInto('nums')
    .values([
      { id: 1, g: 'a', i: 1, r: 0.5, t: '3' },
      { id: 2, g: 'a', i: 2, r: null, t: 'x' },
      { id: 3, g: 'b', i: null, r: 1.5, t: '4.5' },
      { id: 4, g: 'b', i: 4, r: 2, t: null },
      { id: 5, g: null, i: 5, r: -1, t: '5' },
      { id: 6, g: 'c', i: null, r: null, t: null },
      { id: 7, g: 'a', i: 2, r: 0.25, t: '2' },
    ])
    .execute()
}

/** A seed of `name(id integer primary key, v integer)` holding `values` as v, ids from 1. */
function integersIn(name: string, values: readonly number[]): (db: Db) => Promise<void> {
  return async (db) => {
    await db.schema
      .createTable(name)
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('v', 'integer')
      .execute()
    await db
      .insertInto(name as 'u')
      .values(values.map((v, i) => ({ id: i + 1, v })))
      .execute()
  }
}

diffSuite('differential part 2: aggregates and grouping', () => {
  both('countAll', seedPeople, (db) => db.selectFrom('people').select((eb) => eb.fn.countAll().as('n')))
  both('count(column) skips nulls', seedPeople, (db) =>
    db.selectFrom('people').select((eb) => [eb.fn.count('age').as('a'), eb.fn.count('city').as('c')]),
  )
  both('count(distinct age)', seedPeople, (db) =>
    db.selectFrom('people').select((eb) => eb.fn.count('age').distinct().as('n')),
  )
  both('count(distinct) of text is case-sensitive', seedPeople, (db) =>
    db.selectFrom('people').select((eb) => eb.fn.count('city').distinct().as('n')),
  )
  both('sum of integers is an integer', seedNums, (db) =>
    db.selectFrom('nums').select((eb) => [eb.fn.sum('i').as('s'), eb.fn('typeof', [eb.fn.sum('i')]).as('t')]),
  )
  both('sum of reals is a real', seedNums, (db) =>
    db.selectFrom('nums').select((eb) => [eb.fn.sum('r').as('s'), eb.fn('typeof', [eb.fn.sum('r')]).as('t')]),
  )
  both('sum of text reads numbers and is a real', seedNums, (db) =>
    db.selectFrom('nums').select((eb) => [eb.fn.sum('t').as('s'), eb.fn('typeof', [eb.fn.sum('t')]).as('t')]),
  )
  both('sum of nothing is null, count 0', seedNums, (db) =>
    db
      .selectFrom('nums')
      .where('id', '>', 100)
      .select((eb) => [
        eb.fn.sum('i').as('s'),
        eb.fn.countAll().as('n'),
        eb.fn.avg('i').as('a'),
        eb.fn.max('i').as('m'),
      ]),
  )
  both('avg is a real', seedNums, (db) =>
    db.selectFrom('nums').select((eb) => [eb.fn.avg('i').as('a'), eb.fn('typeof', [eb.fn.avg('i')]).as('t')]),
  )
  both('min and max of integers, reals and text', seedNums, (db) =>
    db
      .selectFrom('nums')
      .select((eb) => [eb.fn.min('i').as('a'), eb.fn.max('r').as('b'), eb.fn.min('t').as('c'), eb.fn.max('t').as('d')]),
  )
  both('min and max across storage classes', seedMixed, (db) =>
    db.selectFrom('kv').select((eb) => [eb.fn.min('v').as('lo'), eb.fn.max('v').as('hi'), eb.fn.count('v').as('n')]),
  )
  both('aggregates over expressions', seedPeople, (db) =>
    db
      .selectFrom('people')
      .select((eb) => [
        eb.fn.sum(eb('age', '*', 2)).as('s'),
        eb.fn.max(eb.fn('length', ['name'])).as('l'),
        eb.fn.avg(eb('score', '+', 1)).as('a'),
      ]),
  )
  both('expression over aggregates', seedPeople, (db) =>
    db
      .selectFrom('people')
      .select((eb) => [eb(eb.fn.sum('age'), '-', eb.fn.min('age')).as('d'), eb(eb.fn.countAll(), '*', 10).as('n')]),
  )
  both('aggregate with a where', seedPeople, (db) =>
    db
      .selectFrom('people')
      .where('city', 'like', 'paris')
      .select((eb) => [eb.fn.countAll().as('n'), eb.fn.sum('score').as('s')]),
  )
  both('group by one column', seedPeople, (db) =>
    db
      .selectFrom('people')
      .select((eb) => ['city', eb.fn.countAll().as('n'), eb.fn.sum('age').as('s')])
      .groupBy('city'),
  )
  both('group by with order by the group', seedPeople, (db) =>
    db
      .selectFrom('people')
      .select((eb) => ['age', eb.fn.count('id').as('n')])
      .groupBy('age')
      .orderBy('age'),
  )
  both('group by an expression', seedPeople, (db) =>
    db
      .selectFrom('people')
      .select((eb) => [eb.fn('lower', ['city']).as('c'), eb.fn.countAll().as('n')])
      .groupBy((eb) => eb.fn('lower', ['city']))
      .orderBy('c'),
  )
  both('group by two columns', seedNums, (db) =>
    db
      .selectFrom('nums')
      .select((eb) => ['g', 'i', eb.fn.countAll().as('n')])
      .groupBy(['g', 'i'])
      .orderBy('g')
      .orderBy('i'),
  )
  both('group by null forms one group', seedNums, (db) =>
    db
      .selectFrom('nums')
      .select((eb) => ['g', eb.fn.sum('i').as('s'), eb.fn('total', ['r']).as('t')])
      .groupBy('g')
      .orderBy('g'),
  )
  both(
    'group by integer and real values alike',
    async (db) => {
      await db.schema
        .createTable('u')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('v', 'blob')
        .execute()
      await db
        .insertInto('u')
        .values([
          { id: 1, v: 1 },
          { id: 2, v: 1.0 },
          { id: 3, v: '1' },
          { id: 4, v: 2.5 },
        ])
        .execute()
    },
    (db) =>
      db
        .selectFrom('u')
        .select((eb) => [eb.fn.countAll().as('n'), eb.fn('typeof', ['v']).as('t')])
        .groupBy('v')
        .orderBy('n'),
  )
  both('group by a column of every storage class: a group each, in SQLite order', seedMixed, (db) =>
    db
      .selectFrom('kv')
      .select((eb) => ['v', eb.fn.countAll().as('n'), eb.fn.max('k').as('last')])
      .groupBy('v'),
  )
  both('group by reals cast from every class: integers and integral reals meet', seedMixed, (db) =>
    db
      .selectFrom('kv')
      .select((eb) => [eb.cast('v', 'real').as('r'), eb.fn.countAll().as('n')])
      .groupBy((eb) => eb.cast('v', 'real')),
  )
  both('group by two columns, one of every storage class', seedMixed, (db) =>
    db
      .selectFrom('kv')
      .select((eb) => ['v', eb.fn('length', ['k']).as('l'), eb.fn.countAll().as('n')])
      .groupBy(['v', (eb) => eb.fn('length', ['k'])]),
  )
  both('having on an aggregate', seedPeople, (db) =>
    db
      .selectFrom('people')
      .select((eb) => ['age', eb.fn.countAll().as('n')])
      .groupBy('age')
      .having((eb) => eb.fn.countAll(), '>', 1)
      .orderBy('age'),
  )
  both('having on the group column', seedPeople, (db) =>
    db
      .selectFrom('people')
      .select((eb) => ['city', eb.fn.max('score').as('m')])
      .groupBy('city')
      .having('city', 'is not', null)
      .orderBy('city'),
  )
  both('having with an aggregate not selected', seedNums, (db) =>
    db
      .selectFrom('nums')
      .select('g')
      .groupBy('g')
      .having((eb) => eb(eb.fn.sum('i'), '>=', 4))
      .orderBy('g'),
  )
  both('order by an aggregate', seedPeople, (db) =>
    db
      .selectFrom('people')
      .select((eb) => ['city', eb.fn.countAll().as('n')])
      .groupBy('city')
      .orderBy((eb) => eb.fn.countAll(), 'desc')
      .orderBy('city'),
  )
  both('order by an aggregate alias, limit', seedPeople, (db) =>
    db
      .selectFrom('people')
      .select((eb) => ['age', eb.fn.sum('score').as('total')])
      .groupBy('age')
      .orderBy('total', 'desc')
      .orderBy('age')
      .limit(3),
  )
  both('group by with offset', seedPeople, (db) =>
    db
      .selectFrom('people')
      .select((eb) => ['age', eb.fn.countAll().as('n')])
      .groupBy('age')
      .orderBy('age')
      .limit(2)
      .offset(2),
  )
  both(
    'group by on an empty table gives no rows',
    async (db) => {
      await db.schema.createTable('e').addColumn('x', 'integer').execute()
    },
    (db) =>
      db
        .selectFrom('e')
        .select((eb) => ['x', eb.fn.countAll().as('n')])
        .groupBy('x'),
  )
  both(
    'aggregate on an empty table gives one row',
    async (db) => {
      await db.schema.createTable('e').addColumn('x', 'integer').execute()
    },
    (db) =>
      db
        .selectFrom('e')
        .select((eb) => [eb.fn.countAll().as('n'), eb.fn.sum('x').as('s'), eb.fn('total', ['x']).as('t')]),
  )
  both('count(distinct) per group', seedPeople, (db) =>
    db
      .selectFrom('people')
      .select((eb) => ['age', eb.fn.count('city').distinct().as('n')])
      .groupBy('age')
      .orderBy('age'),
  )
  both('sum(distinct)', seedPeople, (db) =>
    db.selectFrom('people').select((eb) => [eb.fn.sum('age').distinct().as('s'), eb.fn.avg('age').distinct().as('a')]),
  )
  both('aggregate filter where', seedPeople, (db) =>
    db
      .selectFrom('people')
      .select((eb) => [
        eb.fn.countAll().filterWhere('age', '>', 25).as('old'),
        eb.fn.sum('score').filterWhere('city', 'is', null).as('s'),
      ]),
  )
  both('count via eb.fn by name', seedPeople, (db) =>
    db.selectFrom('people').select((eb) => [eb.fn('count', ['city']).as('n'), eb.fn('max', ['age']).as('m')]),
  )
  both('group_concat in a group ordered by id', seedNums, (db) =>
    db
      .selectFrom('nums')
      .select((eb) => ['g', eb.fn('group_concat', ['id']).as('ids')])
      .where('g', 'is not', null)
      .groupBy('g')
      .orderBy('g'),
  )
  both('case inside an aggregate', seedPeople, (db) =>
    db.selectFrom('people').select((eb) => [eb.fn.sum(eb.case().when('age', '>=', 30).then(1).else(0).end()).as('n')]),
  )
  both('aggregate in where is an error', seedPeople, (db) =>
    db
      .selectFrom('people')
      .select('id')
      .where((eb) => eb(eb.fn.countAll(), '>', 1)),
  )
  both('nested aggregate is an error', seedPeople, (db) =>
    db.selectFrom('people').select((eb) => eb.fn.sum(eb.fn.count('id')).as('x')),
  )
  both('selectNoFrom count', undefined, (db) => db.selectNoFrom((eb) => [eb.fn.countAll().as('n')]))
  both('distinct of one column', seedPeople, (db) => db.selectFrom('people').select('age').distinct())
  both('distinct of two columns ordered', seedPeople, (db) =>
    db.selectFrom('people').select(['age', 'city']).distinct().orderBy('age').orderBy('city'),
  )
  both('distinct over an expression', seedPeople, (db) =>
    db
      .selectFrom('people')
      .select((eb) => eb.fn('lower', ['city']).as('c'))
      .distinct()
      .orderBy('c'),
  )
  both('distinct with limit', seedPeople, (db) =>
    db.selectFrom('people').select('age').distinct().orderBy('age', 'desc').limit(3),
  )
  both(
    'distinct keeps 1 and 1.0 as one row',
    async (db) => {
      await db.schema
        .createTable('u')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('v', 'blob')
        .execute()
      await db
        .insertInto('u')
        .values([
          { id: 1, v: 1 },
          { id: 2, v: 1.5 },
          { id: 3, v: 'a' },
          { id: 4, v: 'A' },
          { id: 5, v: null },
          { id: 6, v: null },
        ])
        .execute()
    },
    (db) => db.selectFrom('u').select('v').distinct().orderBy('v'),
  )
  both('count of a distinct subset with where on the key', seedPeople, (db) =>
    db
      .selectFrom('people')
      .where('id', '>', 2)
      .where('id', '<=', 6)
      .select((eb) => [eb.fn.count('age').distinct().as('n'), eb.fn.max('id').as('m')]),
  )
})

diffSuite('differential part 2: bare columns and group by aliases', () => {
  both('a bare column beside max() comes from the max row', seedPeople, (db) =>
    db.selectFrom('people').select((eb) => ['name', eb.fn.max('age').as('m')]),
  )
  both('a bare column beside min() per group comes from the min row', seedPeople, (db) =>
    db
      .selectFrom('people')
      .select((eb) => ['city', 'name', eb.fn.min('score').as('m')])
      .groupBy('city')
      .orderBy('city'),
  )
  both(
    'min() over nulls only, with a bare column',
    async (db) => {
      await db.schema
        .createTable('u')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('v', 'integer')
        .addColumn('g', 'text')
        .execute()
      await db
        .insertInto('u')
        .values([
          { id: 1, v: null, g: 'a' },
          { id: 2, v: null, g: 'a' },
          { id: 3, v: 5, g: 'b' },
          { id: 4, v: 5, g: 'b' },
        ])
        .execute()
    },
    (db) =>
      db
        .selectFrom('u')
        .select((eb) => ['g', 'id', eb.fn.min('v').as('m')])
        .groupBy('g')
        .orderBy('g'),
  )
  both('max() ties keep the first row', integersIn('u', [3, 7, 7, 1]), (db) =>
    db.selectFrom('u').select((eb) => ['id', eb.fn.max('v').as('m')]),
  )
  both('group by a result alias', seedPeople, (db) =>
    db
      .selectFrom('people')
      .select((eb) => [eb.fn('lower', ['city']).as('town'), eb.fn.countAll().as('n')])
      .groupBy('town' as never)
      .orderBy('town'),
  )
  both('group by a name that is both a column and an alias uses the column', seedPeople, (db) =>
    db
      .selectFrom('people')
      .select((eb) => [eb.fn('lower', ['city']).as('city'), eb.fn.countAll().as('n')])
      .groupBy('city')
      .orderBy('n')
      .orderBy('city'),
  )
})

diffSuite('differential part 2: sums of reals round as SQLite', () => {
  const tenths = async (db: import('../helpers/sides.js').Db): Promise<void> => {
    await db.schema
      .createTable('f')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('x', 'real')
      .addColumn('g', 'integer')
      .execute()
    const xs = [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 1e16, 1, -1e16, 0.7, 3.3, 2.2]
    await db
      .insertInto('f')
      .values(xs.map((x, i) => ({ id: i + 1, x, g: i % 3 })))
      .execute()
  }
  both('sum, total and avg of reals (Kahan-Babuska-Neumaier)', tenths, (db) =>
    db.selectFrom('f').select((eb) => [eb.fn.sum('x').as('s'), eb.fn('total', ['x']).as('t'), eb.fn.avg('x').as('a')]),
  )
  both('sums of reals per group', tenths, (db) =>
    db
      .selectFrom('f')
      .select((eb) => ['g', eb.fn.sum('x').as('s'), eb.fn.avg('x').as('a')])
      .groupBy('g')
      .orderBy('g'),
  )
  both('sum of the first ten tenths', tenths, (db) =>
    db
      .selectFrom('f')
      .where('id', '<=', 10)
      .select((eb) => eb.fn.sum('x').as('s')),
  )
  both(
    'integer sum that overflows is an error, unless a real follows',
    async (db) => {
      await db.schema
        .createTable('o')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('v', 'blob')
        .execute()
      await db
        .insertInto('o')
        .values([
          { id: 1, v: 9007199254740991 },
          { id: 2, v: 9007199254740991 },
        ])
        .execute()
      await db
        .insertInto('o')
        .values([{ id: 3, v: 2.5 }])
        .execute()
    },
    (db) => [
      db.selectFrom('o').select((eb) => eb.fn.sum('v').as('s')),
      db
        .selectFrom('o')
        .where('id', '<', 3)
        .select((eb) => [eb.fn.sum('v').as('s'), eb.fn('typeof', [eb.fn.sum('v')]).as('t')]),
    ],
  )
  both(
    'an integer sum stays exact past 2^53 and back',
    integersIn('o', [9007199254740991, 9007199254740991, -9007199254740989, 5]),
    (db) => [
      db
        .selectFrom('o')
        .select((eb) => [
          eb.cast(eb.fn.sum('v'), 'text').as('s'),
          eb.fn('typeof', [eb.fn.sum('v')]).as('t'),
          eb.cast(eb.fn.avg('v'), 'text').as('a'),
        ]),
      db
        .selectFrom('o')
        .where('id', '>', 2)
        .select((eb) => [eb.fn.sum('v').as('s'), eb.fn('total', ['v']).as('total')]),
    ],
  )
})

diffSuite('differential part 2: grouping read straight from stored rows', () => {
  /**
   * `k(id, g, a, n integer, r real)`: g has no affinity (blob), so it keeps integers, integral
   * reals, reals, text and nulls as they were given; a holds small integer group keys.
   */
  const keys = async (db: Db): Promise<void> => {
    await db.schema
      .createTable('k')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('g', 'blob')
      .addColumn('a', 'integer')
      .addColumn('n', 'integer')
      .addColumn('r', 'real')
      .execute()
    const gs = [3, 1, null, 1.0, 2.5, 'x', 2, null, -4, 1, 'a', 3, 7000, 0, -0.0, 2.5, '1', 9007199254740993n]
    await db
      .insertInto('k')
      .values(
        gs.map((g, i) => ({
          id: i + 1,
          g: g as never,
          a: i % 5 === 4 ? null : (i * 7) % 4,
          n: i % 3 === 0 ? null : i * 11 - 40,
          r: i % 4 === 1 ? null : i % 2 === 0 ? i / 4 : i,
        })),
      )
      .execute()
  }
  const empty = async (db: Db): Promise<void> => {
    await db.schema
      .createTable('e')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('g', 'integer')
      .addColumn('v', 'real')
      .execute()
  }
  both('count(*), count, sum, total, avg, min, max per small integer key, null group first', keys, (db) =>
    db
      .selectFrom('k')
      .select((eb) => [
        'a',
        eb.fn.countAll().as('c'),
        eb.fn.count('n').as('cn'),
        eb.fn.sum('n').as('sn'),
        eb.fn.sum('r').as('sr'),
        eb.fn('total', ['n']).as('tn'),
        eb.fn.avg('r').as('ar'),
        eb.fn.min('r').as('mi'),
        eb.fn.max('n').as('ma'),
        eb.fn.countAll().as('c2'),
      ])
      .groupBy('a'),
  )
  both('group by a column holding integers, reals, text, nulls and a big integer (key order)', keys, (db) =>
    db
      .selectFrom('k')
      .select((eb) => [
        'g',
        eb.fn.countAll().as('c'),
        eb.fn.sum('n').as('s'),
        eb.fn('typeof', [eb.fn.sum('r')]).as('t'),
      ])
      .groupBy('g'),
  )
  both('count(*) alone per key, and with having on it', keys, (db) => [
    db
      .selectFrom('k')
      .select((eb) => ['a', eb.fn.countAll().as('c')])
      .groupBy('a'),
    db
      .selectFrom('k')
      .select((eb) => ['g', eb.fn.countAll().as('c'), eb.fn.sum('r').as('s')])
      .groupBy('g')
      .having((eb) => eb.fn.countAll(), '>', 1),
    db
      .selectFrom('k')
      .select((eb) => ['a', eb.fn.sum('r').as('s')])
      .groupBy('a')
      .having((eb) => eb.fn.sum('n'), '>', 0),
  ])
  both('sum and count of a key column per that key', keys, (db) =>
    db
      .selectFrom('k')
      .select((eb) => ['a', eb.fn.sum('a').as('s'), eb.fn.count('a').as('c'), eb.fn.countAll().as('n')])
      .groupBy('a'),
  )
  both('aggregates over an empty table, grouped and not', empty, (db) => [
    db
      .selectFrom('e')
      .select((eb) => ['g', eb.fn.countAll().as('c'), eb.fn.sum('v').as('s')])
      .groupBy('g'),
    db.selectFrom('e').select((eb) => [eb.fn.countAll().as('c'), eb.fn.sum('v').as('s'), eb.fn.avg('v').as('a')]),
  ])
  both('count(*) and sums without group by over stored rows', keys, (db) =>
    db
      .selectFrom('k')
      .select((eb) => [
        eb.fn.countAll().as('c'),
        eb.fn.sum('n').as('s'),
        eb.fn.countAll().as('c2'),
        eb.fn.max('g').as('m'),
      ]),
  )
})

/** Values distinct keeps apart or together: 1, 1.0 and '1'; zeros; big integers; blobs; NOCASE text. */
async function seedDistinct(db: Db, api: KyselyApi): Promise<void> {
  await api.sql`create table dv (id integer primary key, v, c text collate nocase, n integer)`.execute(db)
  await api.sql`insert into dv (v, c, n) values
    (1, 'a', 1), (1.0, 'A', 1), ('1', 'b', 2), (2.5, 'B', 2), (2.50, 'b ', 3), (0, 'c', 3), (-0.0, 'C', 4),
    (9007199254740993, 'x', 4), (9007199254740992.0, 'X', 5), (9007199254740992, 'y', 5), (x'01', 'Y', 6),
    (x'01', 'z', 6), (null, null, 7), (null, 'Z', 7), ('a', 'a', 8), ('A', 'ä', 8), (1e300, 'Ä', 9), (1e300, 'q', 9)`.execute(
    db,
  )
}

diffSuite('differential part 2: distinct rows', () => {
  both('distinct keeps the first of equal rows, equal as SQLite compares them', seedDistinct, (db, api) =>
    rawOutcomes(db, api.sql, [
      'select distinct v from dv',
      'select distinct c from dv',
      'select distinct v, n from dv',
      'select distinct c, n from dv order by n desc',
      'select distinct v collate nocase from dv',
      'select distinct typeof(v), v from dv where id > 3',
      'select distinct c from dv where n < 6',
    ]),
  )
})

/**
 * min(x) or max(x) alone read as SQLite reads them (select-general.ts: extremeRead): the first row
 * in x's order through a key or an index, nulls skipped, the where clause's other conjuncts tested;
 * bare columns from that row (the first of equal values in the index's order).
 */
async function seedExtremes(db: Db, api: KyselyApi): Promise<void> {
  const { sql } = api
  await sql`create table m (id integer primary key, a integer, b text collate nocase, r real, v, g integer)`.execute(db)
  await sql`create index m_a on m (a)`.execute(db)
  await sql`create index m_b on m (b)`.execute(db)
  await sql`create index m_g_r on m (g, r)`.execute(db)
  await sql`create index m_v on m (v)`.execute(db)
  await sql`create table empty (id integer primary key, a integer)`.execute(db)
  await sql`create index empty_a on empty (a)`.execute(db)
  await insertRows(db, 'm', 3000, (i) => {
    const vs = [null, 3, '3', 2.5, 'abc', 'ABD', 7, -1]
    return {
      id: i + 1,
      a: i % 97 === 0 ? null : (i * 37) % 1001,
      b: i % 13 === 0 ? null : ['apple', 'Apple', 'banana', 'Cherry', 'cherry'][i % 5]! + String(i % 7),
      r: i % 11 === 0 ? null : ((i * 17) % 400) / 8,
      v: vs[i % vs.length],
      g: i % 6,
    }
  })
}

diffSuite('differential part 2: min and max read through an order', () => {
  both('min(x) and max(x) alone: first row in order, bare columns, where clauses', seedExtremes, (db, api) =>
    rawOutcomes(db, api.sql, [
      'select max(id) from m',
      'select min(id), a from m',
      'select min(a) from m',
      'select max(a), id, b from m',
      "select min(a), id from m where b > 'b'",
      'select max(a), id from m where a < 500',
      'select max(a), id from m where a < 0',
      'select min(b), id from m',
      'select max(b), id from m',
      'select min(r), id from m where g = 2',
      'select max(r), id from m where g = 5 and a > 100',
      'select max(v), id from m',
      'select min(v), id from m',
      'select min(v), id from m where v > 2',
      'select max(a) from empty',
      // x null wherever the where clause holds: the bare columns of the first row read.
      'select min(a), id from m where a is null',
      'select max(a), id, b from m where g = 2 and id > 2990',
      'select max(a), id from m where a in (5, 7, null)',
      "select max(b), id from m where b in ('apple1', 'Apple1', 'banana2')",
      'select min(a), count(*) from m',
      'select max(a) + 1 as n from m',
      'select max(a) from m having max(a) > 10',
      'select max(a) from m having max(a) > 5000',
      'select max(a) as x from m order by x',
      'select max(a) from m where id in (select id from m where g = 1)',
      'select (select max(a) from m where m.g = o.g) as x from m as o where o.id < 8',
    ]),
  )
})

diffSuite('differential part 2: groups of texts in UTF-8 order', () => {
  // Groups of texts alone sort by JavaScript's comparison when no text holds a surrogate (group-by.ts).
  both(
    'group by text: private-use and high BMP characters, with and without characters past U+FFFF',
    async (db, api) => {
      await api.sql`create table gt (t text, n integer)`.execute(db)
      const texts = ['b', 'a', '\ue000x', 'é', 'z', '\uffffa', 'ab', 'A', '', 'ñ', '\u0800', '~']
      await insertRows(db, 'gt', 60, (i) => ({ t: texts[i % texts.length]!, n: i }))
      await api.sql`create table ge (t text, n integer)`.execute(db)
      await insertRows(db, 'ge', 60, (i) => ({ t: [...texts, '😀', 'a😀'][i % (texts.length + 2)]!, n: i }))
    },
    (db, api) =>
      rawOutcomes(db, api.sql, [
        'select t, count(*), sum(n) from gt group by t',
        'select t, count(*), sum(n) from ge group by t',
        'select t, count(*) from gt where n > 10 group by t having count(*) > 3',
      ]),
  )
})
