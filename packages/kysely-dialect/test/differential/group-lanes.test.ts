import { both, diffSuite } from '../helpers/differential.js'
import type { Db } from '../helpers/sides.js'
import type { KyselyApi } from '../helpers/kysely-versions.js'

/**
 * A grouping read from stored rows keeps count(x), sum, total and avg in typed arrays per group
 * (AggregateLanes, GroupTable.addBytes): integers summed exactly, from a group's first real on a
 * Kahan-Babuska-Neumaier sum of doubles, and at the first value a lane cannot hold (an integer past
 * ±2^52 after a real, an exact sum leaving ±2^53, text, a blob, an integer past 2^53) its state
 * handed to the group's accumulator. Each group below takes its values in key order through one
 * of those transitions, so a lane that kept a different state than the accumulator would give a
 * different sum than SQLite's.
 */
async function seedLanes(db: Db, api: KyselyApi): Promise<void> {
  await db.schema
    .createTable('gl')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('k', 'integer')
    .addColumn('v', 'blob')
    .execute()
  const { sql } = api
  const groups: Record<number, readonly unknown[]> = {
    // Integers, then reals: the exact sum starts the double sum.
    0: [1, 2, 3, 0.1, 0.2, 0.3, 4],
    // Reals first, then integers (within ±2^52) summed as doubles.
    1: [0.5, 1e16, 1, -1e16, 3],
    // An exact sum that leaves ±2^53: the accumulator takes it over (BigInt).
    2: [9007199254740991, 5, -3, 2],
    // An exact sum past ±2^52, then a real: the double sum starts split (SumAccumulator's #init).
    3: [4503599627370497, 3, 0.25, 7, 4503599627370497],
    // Reals, then an integer past ±2^52: the accumulator takes it over.
    4: [1.5, sql`9007199254740993`, 2.5],
    // Text and blobs among numbers: an integer text sums as that integer, other text as a real.
    5: [1, '12', 2.5, 'x', sql`x'01'`, 3],
    // Nulls: no count, no sum.
    6: [null, 1, null, 2.5],
    // Nulls only.
    7: [null, null],
    // Integral reals (stored as reals).
    8: [sql`2.0`, sql`-5.0`, 1, sql`3.0`],
    // Integers only.
    9: [7, -7, 100, 5],
    // A small real, then a large one: the KBN step keeps the small one's part in its error.
    10: [0.1, sql`10000000000000002.0`, sql`-10000000000000002.0`, 3.5],
  }
  let id = 1
  // Rows of every group interleaved, so that each group's lane is stepped between the others'.
  const longest = Math.max(...Object.values(groups).map((g) => g.length))
  for (let i = 0; i < longest; i++)
    for (const [k, values] of Object.entries(groups))
      if (i < values.length)
        await db
          .insertInto('gl')
          .values({ id: id++, k: Number(k), v: values[i] as never })
          .execute()
  // Keys that are no small integer (negative, real, text, null) take the general path.
  for (const k of [-1, 2.5, null]) await db.insertInto('gl').values({ id: id++, k, v: 1.25 }).execute()
  await db
    .insertInto('gl')
    .values({ id: id++, k: sql`'t'` as never, v: 2 })
    .execute()
}

diffSuite('differential: aggregate lanes of a grouping read from stored rows', () => {
  both('sum, total, avg, count(x) and count(*) per group through every lane transition', seedLanes, (db) =>
    db
      .selectFrom('gl')
      .select((eb) => [
        'k',
        eb.fn.countAll().as('c'),
        eb.fn.count('v').as('cv'),
        eb.fn.sum('v').as('s'),
        eb.fn('total', ['v']).as('t'),
        eb.fn.avg('v').as('a'),
      ])
      .groupBy('k'),
  )
  both('the same calls twice, beside min and max (calls without a lane)', seedLanes, (db) =>
    db
      .selectFrom('gl')
      .select((eb) => [
        'k',
        eb.fn.sum('v').as('s1'),
        eb.fn.min('v').as('mn'),
        eb.fn.sum('v').as('s2'),
        eb.fn.max('v').as('mx'),
        eb.fn.count('k').as('ck'),
      ])
      .groupBy('k'),
  )
  both('without group by: one group over every row', seedLanes, (db) =>
    db
      .selectFrom('gl')
      .select((eb) => [eb.fn.countAll().as('c'), eb.fn('total', ['v']).as('t'), eb.fn.avg('v').as('a')]),
  )
  both(
    "one statement run again over more groups, then fewer (its lanes start with room for the last run's groups)",
    async (db) => {
      await db.schema
        .createTable('gg')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('k', 'integer')
        .addColumn('v', 'real')
        .execute()
      await db
        .insertInto('gg')
        .values(Array.from({ length: 120 }, (_, i) => ({ id: i + 1, k: i % 3, v: (i * 37) / 8 })))
        .execute()
    },
    (db) => {
      // Updates keep the row count, so the statement's plan (and its group layout) is reused.
      const grouped = () =>
        db
          .selectFrom('gg')
          .select((eb) => ['k', eb.fn.countAll().as('c'), eb.fn.sum('v').as('s'), eb.fn.count('v').as('cv')])
          .groupBy('k')
      return [
        grouped(),
        db.updateTable('gg').set((eb) => ({ k: eb('id', '%', 50) })),
        grouped(),
        db.updateTable('gg').set((eb) => ({ k: eb('id', '%', 2), v: eb('v', '+', 1) })),
        grouped(),
        db.updateTable('gg').set((eb) => ({ k: eb('id', '%', 70) })),
        grouped(),
      ]
    },
  )
  both(
    "a statement's next run takes its lanes cleared: exact integer sums after a run that summed reals, after one that spilled to text",
    async (db) => {
      await db.schema
        .createTable('gr')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('k', 'integer')
        .addColumn('v', 'blob')
        .execute()
      await db
        .insertInto('gr')
        .values(Array.from({ length: 8 }, (_, i) => ({ id: i + 1, k: i % 2, v: i + 0.5 })))
        .execute()
    },
    (db) => {
      // The rows keep their count, so every run is the same compiled statement (and group layout).
      const grouped = () =>
        db
          .selectFrom('gr')
          .select((eb) => ['k', eb.fn.countAll().as('c'), eb.fn.sum('v').as('s'), eb.fn.count('v').as('cv')])
          .groupBy('k')
      // Integers whose exact sum passes 2^53: a lane left summing doubles would round it.
      const big = (eb: { lit: (v: number) => unknown }) => eb.lit(9007199254740991)
      return [
        grouped(),
        db.updateTable('gr').set((eb) => ({ v: eb('id', '%', 3) })),
        db
          .updateTable('gr')
          .set((eb) => ({ v: big(eb) as never }))
          .where('id', '<=', 2),
        grouped(),
        db.updateTable('gr').set({ v: 'x' }).where('k', '=', 1),
        grouped(),
        db.updateTable('gr').set((eb) => ({ v: eb('id', '*', 2) })),
        grouped(),
      ]
    },
  )
  both(
    "a group made at its key's first row, for keys of every integer width and past the dense range",
    async (db) => {
      await db.schema
        .createTable('gk')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('k', 'integer')
        .addColumn('kr', 'real')
        .addColumn('v', 'real')
        .execute()
      const keys = [0, 1, 2, 127, 128, 1000, 1023, 1024, 40000, -1, -300]
      await db
        .insertInto('gk')
        .values(
          Array.from({ length: 66 }, (_, i) => ({ id: i + 1, k: keys[i % 11]!, kr: keys[(i * 7) % 11]!, v: i / 4 })),
        )
        .execute()
    },
    (db) => [
      db
        .selectFrom('gk')
        .select((eb) => ['k', eb.fn.countAll().as('c'), eb.fn.sum('v').as('s')])
        .groupBy('k'),
      db
        .selectFrom('gk')
        .select((eb) => ['kr', eb.fn.countAll().as('c'), eb.fn.sum('v').as('s')])
        .groupBy('kr'),
    ],
  )
  both(
    'an exact sum that overflows 64 bits is an error, in a lane as in the accumulator',
    async (db) => {
      await db.schema
        .createTable('go')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('k', 'integer')
        .addColumn('v', 'integer')
        .execute()
      for (let i = 1; i <= 4; i++)
        await db
          .insertInto('go')
          .values({ id: i, k: i % 2, v: 9007199254740991 })
          .execute()
    },
    (db) => [
      db
        .selectFrom('go')
        .select((eb) => ['k', eb.fn.sum('v').as('s'), eb.fn.count('v').as('c')])
        .groupBy('k'),
      db
        .selectFrom('go')
        .select((eb) => ['k', eb.fn('total', ['v']).as('t')])
        .groupBy('k'),
    ],
  )
})
