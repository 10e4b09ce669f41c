import { both, diffSuite } from '../helpers/differential.js'
import type { Db } from '../helpers/sides.js'
import type { KyselyApi } from '../helpers/kysely-versions.js'

/**
 * Grouping reads a group's bare columns from the group's values when they are group terms of a
 * column whose equal values are the same value (integer, numeric and text affinity), and the scan
 * feeding it then reuses one row for every row; a column without affinity (1 and 1.0 group
 * together but differ) or a bare column that is no group term keeps a row per group.
 */
async function seedKeys(db: Db, api: KyselyApi): Promise<void> {
  await db.schema
    .createTable('gk')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('i', 'integer')
    .addColumn('n', 'numeric')
    .addColumn('t', 'text')
    .addColumn('r', 'real')
    .addColumn('b', 'blob')
    .addColumn('v', 'integer')
    .execute()
  const { sql } = api
  const rows = [
    [1, 1, '1', 'a', 0, sql`1`, 10],
    [2, 1, '1.0', 'a', sql`-0.0`, sql`1.0`, 20],
    [3, 2, 'x', 'A', 1.5, sql`'1'`, 30],
    [4, null, null, null, null, null, 40],
    [5, 2000, '2000', 'b', 1.5, sql`x'01'`, 50],
    [6, -3, '-3', 'b', 2, sql`1.5`, 60],
    [7, 2000, '2e3', 'a', -1, sql`2`, 70],
    [8, 9007199254740993n, '9007199254740993', 'c', 2, sql`2.0`, 80],
  ] as const
  for (const [id, i, n, t, r, b, v] of rows)
    await db
      .insertInto('gk')
      .values({ id, i: typeof i === 'bigint' ? sql`9007199254740993` : i, n, t, r, b, v })
      .execute()
}

diffSuite('differential part 2: group rows', () => {
  for (const column of ['i', 'n', 't', 'r'] as const)
    both(`group by ${column}, the bare term and its type`, seedKeys, (db) =>
      db
        .selectFrom('gk')
        .select((eb) => [
          column,
          eb.fn('typeof', [eb.ref(column)]).as('type'),
          eb.fn.countAll().as('c'),
          eb.fn.sum('v').as('s'),
        ])
        .groupBy(column),
    )
  // Which row of a group a bare column reads is SQLite's arbitrary choice (SQL.md, part 2): the cases
  // below keep to answers that do not depend on it.
  both('group by a column without affinity (1 and 1.0 meet)', seedKeys, (db) =>
    db
      .selectFrom('gk')
      .select((eb) => ['b', eb.fn.countAll().as('c'), eb.fn.sum('v').as('s')])
      .groupBy('b'),
  )
  both('group by the key with bare columns that are no term (groups of one row)', seedKeys, (db) =>
    db
      .selectFrom('gk')
      .select((eb) => ['i', 't', 'b', eb.fn.countAll().as('c')])
      .groupBy('id'),
  )
  both('group by a term and max(): bare columns follow the max row', seedKeys, (db) =>
    db
      .selectFrom('gk')
      .select((eb) => ['t', 'id', eb.fn.max('v').as('m')])
      .groupBy('t'),
  )
  both('two terms, having and order by on the terms', seedKeys, (db) =>
    db
      .selectFrom('gk')
      .select((eb) => ['t', 'i', eb.fn.countAll().as('c')])
      .groupBy(['t', 'i'])
      .having((eb) => eb.fn.countAll(), '>=', 1)
      .orderBy('t')
      .orderBy('i'),
  )
  both('grouping over a join', seedKeys, (db) =>
    db
      .selectFrom('gk as a')
      .innerJoin('gk as b', 'b.t', 'a.t')
      .select((eb) => ['a.t', eb.fn.countAll().as('c'), eb.fn.sum('b.v').as('s')])
      .groupBy('a.t'),
  )
  both('aggregates without group by over a filtered scan', seedKeys, (db) =>
    db
      .selectFrom('gk')
      .where('v', '>', 15)
      .select((eb) => [eb.fn.countAll().as('c'), eb.fn.min('r').as('lo'), eb.fn.max('t').as('hi')]),
  )
  both('one-column aggregates of every kind per group, read straight from the row', seedKeys, (db) =>
    db
      .selectFrom('gk')
      .select((eb) => [
        't',
        eb.fn.count('i').as('ci'),
        eb.fn.countAll().as('c'),
        eb.fn('total', [eb.ref('r')]).as('tr'),
        eb.fn.avg('i').as('ai'),
        eb.fn.min('b').as('lo'),
        eb.fn.max('n').as('hi'),
        eb.fn.sum('i').as('si'),
      ])
      .groupBy('t'),
  )
  both('the same without group by, and with a filter or distinct (the general path)', seedKeys, (db) => [
    db.selectFrom('gk').select((eb) => [eb.fn.count('r').as('c'), eb.fn.sum('r').as('s'), eb.fn.max('t').as('m')]),
    db
      .selectFrom('gk')
      .select((eb) => ['t', eb.fn.count('i').distinct().as('d'), eb.fn.sum('v').filterWhere('v', '>', 30).as('s')])
      .groupBy('t'),
  ])
  both('grouping over key ranges, key lists and a descending scan', seedKeys, (db) => [
    db
      .selectFrom('gk')
      .where('id', '>', 2)
      .select((eb) => ['t', eb.fn.countAll().as('c'), eb.fn.sum('v').as('s')])
      .groupBy('t'),
    db
      .selectFrom('gk')
      .where('id', '<', 6)
      .select((eb) => [eb.fn.countAll().as('c'), eb.fn.max('v').as('m')]),
    db
      .selectFrom('gk')
      .where('id', '>=', 2)
      .where('id', '<=', 6)
      .select((eb) => ['i', eb.fn.countAll().as('c')])
      .groupBy('i'),
    db
      .selectFrom('gk')
      .where('id', 'in', [1, 3, 8])
      .select((eb) => ['t', eb.fn.sum('v').as('s')])
      .groupBy('t'),
    db
      .selectFrom('gk')
      .where('id', '>', 100)
      .select((eb) => [eb.fn.countAll().as('c'), eb.fn.sum('v').as('s')]),
  ])
  // The direct read decodes numbers from the row's bytes unboxed (a stored real stays a real:
  // 2.0 sums as a real, -0.0 groups with 0); anything else goes through the value.
  for (const key of ['i', 'n', 'r', 'b'] as const)
    both(`every one-column aggregate of every column, grouped by ${key}, from the stored rows`, seedKeys, (db) =>
      db
        .selectFrom('gk')
        .select((eb) => [
          key,
          eb.fn.countAll().as('c'),
          ...(['i', 'n', 't', 'r', 'b'] as const).flatMap((column) => [
            eb.fn.count(column).as(`c_${column}`),
            eb.fn.sum(column).as(`s_${column}`),
            // Numbers come back as JavaScript numbers: typeof tells an integer sum from a real one.
            eb.fn('typeof', [eb.fn.sum(column)]).as(`st_${column}`),
            eb.fn('typeof', [eb.fn.min(column)]).as(`lt_${column}`),
            eb.fn('total', [eb.ref(column)]).as(`t_${column}`),
            eb.fn.avg(column).as(`a_${column}`),
            eb.fn.min(column).as(`lo_${column}`),
            eb.fn.max(column).as(`hi_${column}`),
          ]),
        ])
        .groupBy(key),
    )
  both(
    'a column added by alter table: rows stored before it read its default, as group term and argument',
    async (db, api) => {
      await seedKeys(db, api)
      await db.schema
        .alterTable('gk')
        .addColumn('z', 'real', (c) => c.defaultTo(2))
        .execute()
      await db.insertInto('gk').values({ id: 9, i: 1, z: 0.5 }).execute()
      await db.insertInto('gk').values({ id: 10, i: 2, z: null }).execute()
    },
    (db) => [
      db
        .selectFrom('gk')
        .select((eb) => ['z', eb.fn.countAll().as('c'), eb.fn.sum('v').as('s')])
        .groupBy('z'),
      db
        .selectFrom('gk')
        .select((eb) => ['i', eb.fn.sum('z').as('s'), eb.fn.min('z').as('lo'), eb.fn.count('z').as('c')])
        .groupBy('i'),
    ],
  )
  both(
    'integer sums past 64 bits: an error, unless a real follows',
    async (db) => {
      await db.schema
        .createTable('big')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('g', 'integer')
        .addColumn('x', 'numeric')
        .execute()
      const rows: [number, number, number | string][] = [
        [1, 1, '9223372036854775807'],
        [2, 1, 1],
        [3, 2, '9223372036854775807'],
        [4, 2, 1],
        [5, 2, 0.5],
        [6, 3, 3],
      ]
      for (const [id, g, x] of rows) await db.insertInto('big').values({ id, g, x }).execute()
    },
    (db) => [
      db
        .selectFrom('big')
        .select((eb) => ['g', eb.fn.sum('x').as('s')])
        .groupBy('g'),
      db
        .selectFrom('big')
        .where('g', '>', 1)
        .select((eb) => ['g', eb.fn.sum('x').as('s'), eb.fn.avg('x').as('a')])
        .groupBy('g'),
    ],
  )
  both('an expression of a term reads the group value', seedKeys, (db) =>
    db
      .selectFrom('gk')
      .select((eb) => [eb('i', '+', 1).as('next'), eb.fn.countAll().as('c')])
      .groupBy('i'),
  )
})
