import { sql } from 'kysely'
import { both, diffSuite } from '../helpers/differential.js'
import { seedPeople } from '../helpers/fixtures.js'
import type { Db } from '../helpers/sides.js'

/** `sales(id, region, rep, amount, day)`: ties within regions, a null amount, a null region. */
async function seedSales(db: Db): Promise<void> {
  await db.schema
    .createTable('sales')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('region', 'text')
    .addColumn('rep', 'text', (c) => c.notNull())
    .addColumn('amount', 'integer')
    .addColumn('day', 'integer', (c) => c.notNull())
    .execute()
  await db
    .insertInto('sales')
    .values([
      { id: 1, region: 'north', rep: 'ann', amount: 100, day: 1 },
      { id: 2, region: 'north', rep: 'bob', amount: 250, day: 1 },
      { id: 3, region: 'south', rep: 'cy', amount: 100, day: 2 },
      { id: 4, region: 'north', rep: 'ann', amount: 100, day: 3 },
      { id: 5, region: 'south', rep: 'dee', amount: null, day: 3 },
      { id: 6, region: 'east', rep: 'eve', amount: 75, day: 4 },
      { id: 7, region: 'south', rep: 'cy', amount: 300, day: 4 },
      { id: 8, region: null, rep: 'fay', amount: 50, day: 5 },
      { id: 9, region: 'north', rep: 'bob', amount: 250, day: 6 },
      { id: 10, region: 'east', rep: 'eve', amount: 75, day: 6 },
    ])
    .execute()
  await db.schema
    .createTable('reps')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('team', 'text')
    .execute()
  await db
    .insertInto('reps')
    .values([
      { name: 'ann', team: 'red' },
      { name: 'bob', team: 'blue' },
      { name: 'cy', team: 'red' },
      { name: 'dee', team: 'blue' },
      { name: 'eve', team: 'red' },
    ])
    .execute()
}

diffSuite('differential part 2: window functions', () => {
  both('row_number over the whole result in id order', seedSales, (db) =>
    db
      .selectFrom('sales')
      .select((eb) => [
        'id',
        eb.fn
          .agg<number>('row_number')
          .over((ob) => ob.orderBy('id'))
          .as('n'),
      ])
      .orderBy('id'),
  )
  both('row_number, rank and dense_rank within partitions, ties and a null partition', seedSales, (db) =>
    db
      .selectFrom('sales')
      .select((eb) => [
        'id',
        eb.fn
          .agg<number>('row_number')
          .over((ob) => ob.partitionBy('region').orderBy('amount').orderBy('id'))
          .as('rn'),
        eb.fn
          .agg<number>('rank')
          .over((ob) => ob.partitionBy('region').orderBy('amount'))
          .as('rk'),
        eb.fn
          .agg<number>('dense_rank')
          .over((ob) => ob.partitionBy('region').orderBy('amount'))
          .as('dr'),
      ])
      .orderBy('id'),
  )
  both('rank and dense_rank descending, nulls last and first', seedSales, (db) =>
    db
      .selectFrom('sales')
      .select((eb) => [
        'id',
        eb.fn
          .agg<number>('rank')
          .over((ob) => ob.orderBy('amount', 'desc'))
          .as('a'),
        eb.fn
          .agg<number>('dense_rank')
          .over((ob) => ob.orderBy('amount', (o) => o.asc().nullsLast()))
          .as('b'),
        eb.fn
          .agg<number>('rank')
          .over((ob) => ob.orderBy('amount', (o) => o.desc().nullsFirst()))
          .as('c'),
      ])
      .orderBy('id'),
  )
  both('without an order by every row is a peer', seedSales, (db) =>
    db
      .selectFrom('sales')
      .select((eb) => [
        'id',
        eb.fn
          .agg<number>('rank')
          .over((ob) => ob.partitionBy('region'))
          .as('rk'),
        eb.fn.agg<number>('cume_dist').over().as('cd'),
        eb.fn.agg<number>('percent_rank').over().as('pr'),
      ])
      .orderBy('id'),
  )
  both('percent_rank and cume_dist are reals', seedSales, (db) =>
    db
      .selectFrom('sales')
      .select((eb) => [
        'id',
        eb.fn
          .agg<number>('percent_rank')
          .over((ob) => ob.orderBy('amount'))
          .as('pr'),
        eb.fn
          .agg<number>('cume_dist')
          .over((ob) => ob.partitionBy('region').orderBy('day'))
          .as('cd'),
        sql<string>`typeof(percent_rank() over (order by amount))`.as('t'),
      ])
      .orderBy('id'),
  )
  both('ntile splits larger buckets first, and by partition', seedSales, (db) =>
    db
      .selectFrom('sales')
      .select((eb) => [
        'id',
        eb.fn
          .agg<number>('ntile', [sql.lit(3)])
          .over((ob) => ob.orderBy('id'))
          .as('t3'),
        eb.fn
          .agg<number>('ntile', [sql.lit(4)])
          .over((ob) => ob.partitionBy('region').orderBy('id'))
          .as('t4'),
        eb.fn
          .agg<number>('ntile', [sql.lit(20)])
          .over((ob) => ob.orderBy('id'))
          .as('t20'),
      ])
      .orderBy('id'),
  )
  both('lag and lead with offsets and defaults', seedSales, (db) =>
    db
      .selectFrom('sales')
      .select((eb) => [
        'id',
        eb.fn
          .agg<number>('lag', ['amount'])
          .over((ob) => ob.orderBy('id'))
          .as('prev'),
        eb.fn
          .agg<number>('lead', ['amount', sql.lit(2)])
          .over((ob) => ob.orderBy('id'))
          .as('next2'),
        eb.fn
          .agg<number>('lag', ['rep', sql.lit(1), sql.lit('none')])
          .over((ob) => ob.partitionBy('region').orderBy('day').orderBy('id'))
          .as('prev_rep'),
        eb.fn
          .agg<number>('lead', ['day', sql.lit(0)])
          .over((ob) => ob.orderBy('id'))
          .as('same'),
      ])
      .orderBy('id'),
  )
  both('lag and lead with a negative, a null and a real offset; ntile and nth_value of reals', seedSales, (db) =>
    db
      .selectFrom('sales')
      .select((eb) => [
        'id',
        eb.fn
          .agg<number>('lag', ['amount', sql.lit(-1)])
          .over((ob) => ob.orderBy('id'))
          .as('neg'),
        eb.fn
          .agg<number>('lead', ['amount', sql.lit(null), sql.lit(-5)])
          .over((ob) => ob.orderBy('id'))
          .as('nul'),
        eb.fn
          .agg<number>('lag', ['amount', sql`2.0`])
          .over((ob) => ob.orderBy('id'))
          .as('real'),
        eb.fn
          .agg<number>('ntile', [sql`3.0`])
          .over((ob) => ob.orderBy('id'))
          .as('t'),
        eb.fn
          .agg<number>('nth_value', ['rep', sql`2.0`])
          .over((ob) => ob.orderBy('id'))
          .as('n'),
      ])
      .orderBy('id'),
  )
  both('first_value, last_value and nth_value in the default frame', seedSales, (db) =>
    db
      .selectFrom('sales')
      .select((eb) => [
        'id',
        eb.fn
          .agg<string>('first_value', ['rep'])
          .over((ob) => ob.partitionBy('region').orderBy('amount').orderBy('id'))
          .as('fv'),
        eb.fn
          .agg<string>('last_value', ['rep'])
          .over((ob) => ob.partitionBy('region').orderBy('amount'))
          .as('lv_peers'),
        eb.fn
          .agg<string>('last_value', ['id'])
          .over((ob) => ob.partitionBy('region'))
          .as('lv_all'),
        eb.fn
          .agg<number>('nth_value', ['amount', sql.lit(2)])
          .over((ob) => ob.orderBy('day'))
          .as('nv'),
      ])
      .orderBy('id'),
  )
  both('aggregates over a whole partition', seedSales, (db) =>
    db
      .selectFrom('sales')
      .select((eb) => [
        'id',
        eb.fn
          .sum('amount')
          .over((ob) => ob.partitionBy('region'))
          .as('s'),
        eb.fn
          .count('amount')
          .over((ob) => ob.partitionBy('region'))
          .as('c'),
        eb.fn.countAll().over().as('n'),
        eb.fn
          .avg('amount')
          .over((ob) => ob.partitionBy('region'))
          .as('a'),
        eb.fn
          .min('rep')
          .over((ob) => ob.partitionBy('region'))
          .as('mn'),
        eb.fn
          .max('amount')
          .over((ob) => ob.partitionBy('region'))
          .as('mx'),
      ])
      .orderBy('id'),
  )
  both('running totals include the current row and its peers', seedSales, (db) =>
    db
      .selectFrom('sales')
      .select((eb) => [
        'id',
        eb.fn
          .sum('amount')
          .over((ob) => ob.orderBy('day'))
          .as('running'),
        eb.fn
          .count('amount')
          .over((ob) => ob.partitionBy('rep').orderBy('day').orderBy('id'))
          .as('per_rep'),
        eb.fn
          .agg<number>('total', ['amount'])
          .over((ob) => ob.orderBy('amount', 'desc'))
          .as('t'),
        eb.fn
          .agg<string>('group_concat', ['rep'])
          .over((ob) => ob.partitionBy('region').orderBy('id'))
          .as('g'),
      ])
      .orderBy('id'),
  )
  both('an aggregate window with filter', seedSales, (db) =>
    db
      .selectFrom('sales')
      .select((eb) => [
        'id',
        eb.fn
          .sum('amount')
          .filterWhere('day', '>', 2)
          .over((ob) => ob.partitionBy('region'))
          .as('late'),
        eb.fn
          .countAll()
          .filterWhere('amount', '>=', 100)
          .over((ob) => ob.orderBy('id'))
          .as('big_so_far'),
      ])
      .orderBy('id'),
  )
  both('window values in expressions, and the order by a window', seedSales, (db) =>
    db
      .selectFrom('sales')
      .select((eb) => [
        'id',
        'amount',
        eb(
          eb.fn.agg<number>('rank').over((ob) => ob.orderBy('amount', 'desc')),
          '*',
          10,
        ).as('r10'),
        eb(
          'amount',
          '-',
          eb.fn.avg('amount').over((ob) => ob.partitionBy('region')),
        ).as('vs_avg'),
      ])
      .orderBy((eb) => eb.fn.agg<number>('row_number').over((ob) => ob.orderBy('amount', 'desc').orderBy('id')))
      .limit(6)
      .offset(1),
  )
  both('order by a window alias, with limit', seedSales, (db) =>
    db
      .selectFrom('sales')
      .select((eb) => [
        'id',
        eb.fn
          .agg<number>('dense_rank')
          .over((ob) => ob.orderBy('day', 'desc'))
          .as('dr'),
      ])
      .orderBy('dr')
      .orderBy('id')
      .limit(4),
  )
  both('windows over a where: the filter runs first', seedSales, (db) =>
    db
      .selectFrom('sales')
      .where('amount', '>', 80)
      .select((eb) => [
        'id',
        eb.fn
          .agg<number>('row_number')
          .over((ob) => ob.orderBy('id'))
          .as('n'),
        eb.fn.countAll().over().as('of'),
      ])
      .orderBy('id'),
  )
  both('windows over groups: rank of a group sum', seedSales, (db) =>
    db
      .selectFrom('sales')
      .groupBy('region')
      .select((eb) => [
        'region',
        eb.fn.sum('amount').as('s'),
        eb.fn
          .agg<number>('rank')
          .over((ob) => ob.orderBy(eb.fn.sum('amount'), 'desc'))
          .as('rk'),
        eb.fn.sum(eb.fn.sum('amount')).over().as('grand'),
      ])
      .orderBy('region'),
  )
  both('windows over a join', seedSales, (db) =>
    db
      .selectFrom('sales')
      .innerJoin('reps', 'reps.name', 'sales.rep')
      .select((eb) => [
        'sales.id',
        'reps.team',
        eb.fn
          .sum('sales.amount')
          .over((ob) => ob.partitionBy('reps.team').orderBy('sales.id'))
          .as('team_running'),
        eb.fn
          .agg<number>('row_number')
          .over((ob) => ob.partitionBy('reps.team').orderBy('sales.amount', 'desc').orderBy('sales.id'))
          .as('rn'),
      ])
      .orderBy('sales.id'),
  )
  both('top two per region through a derived table', seedSales, (db) =>
    db
      .selectFrom(
        db
          .selectFrom('sales')
          .select((eb) => [
            'id',
            'region',
            'amount',
            eb.fn
              .agg<number>('row_number')
              .over((ob) => ob.partitionBy('region').orderBy('amount', 'desc').orderBy('id'))
              .as('rn'),
          ])
          .as('ranked'),
      )
      .selectAll()
      .where('rn', '<=', 2)
      .orderBy('region')
      .orderBy('rn'),
  )
  both('a window in a subquery in the selections', seedSales, (db) =>
    db
      .selectFrom('reps')
      .select((eb) => [
        'name',
        eb
          .selectFrom('sales')
          .whereRef('sales.rep', '=', 'reps.name')
          .select((eb2) =>
            eb2.fn
              .agg<number>('rank')
              .over((ob) => ob.orderBy('amount', 'desc'))
              .as('r'),
          )
          .orderBy('day', 'desc')
          .limit(1)
          .as('last_rank'),
      ])
      .orderBy('name'),
  )
  both('windows beside distinct', seedSales, (db) =>
    db
      .selectFrom('sales')
      .select((eb) => [
        'region',
        eb.fn
          .count('id')
          .over((ob) => ob.partitionBy('region'))
          .as('n'),
      ])
      .distinct()
      .orderBy('region'),
  )
  both('windows over people: ages ranked by city, case-sensitive partitions', seedPeople, (db) =>
    db
      .selectFrom('people')
      .select((eb) => [
        'id',
        eb.fn
          .agg<number>('rank')
          .over((ob) => ob.partitionBy('city').orderBy('age', 'desc'))
          .as('rk'),
        eb.fn
          .agg<number>('lag', ['score'])
          .over((ob) => ob.orderBy('score').orderBy('id'))
          .as('lower'),
        eb.fn
          .avg('score')
          .over((ob) => ob.orderBy('age'))
          .as('avg_to_age'),
      ])
      .orderBy('id'),
  )
  both('raw window calls in the selections', seedSales, (db) =>
    db
      .selectFrom('sales')
      .select([
        'id',
        sql<number>`rank() over (partition by region order by amount desc nulls last, id)`.as('r'),
        sql<number>`sum(amount) filter (where day > 1) over (order by day)`.as('s'),
        sql<number>`lag(rep, 2, '-') over (order by id) || '/' || count(*) over ()`.as('l'),
      ])
      .orderBy('id'),
  )
  both('a whole raw statement with windows', seedSales, async (db) => {
    const r = await sql`select region, rep, amount, dense_rank() over (partition by region order by amount desc) as dr,
      avg(amount) over (partition by region) as a from sales where amount is not null order by region, dr, rep, id`.execute(
      db,
    )
    return r.rows
  })
  both('a raw statement: windows over a grouped query', seedSales, async (db) => {
    const r = await sql`select rep, sum(amount) as s, row_number() over (order by sum(amount) desc, rep) as n
      from sales group by rep order by n`.execute(db)
    return r.rows
  })
  both('raw frames: moving sums and averages over rows', seedSales, (db) =>
    db
      .selectFrom('sales')
      .select([
        'id',
        sql<number>`sum(amount) over (order by id rows between 1 preceding and current row)`.as('s2'),
        sql<number>`avg(amount) over (order by id rows between 2 preceding and 1 following)`.as('a4'),
        sql<number>`count(*) over (order by id rows 2 preceding)`.as('c3'),
        sql<number>`sum(amount) over (order by id rows between current row and unbounded following)`.as('rest'),
        sql<number>`max(amount) over (partition by region order by id rows between unbounded preceding and 1 preceding)`.as(
          'best_before',
        ),
        sql<number>`sum(amount) over (order by id rows between 1 following and 3 following)`.as('ahead'),
      ])
      .orderBy('id'),
  )
  both('raw frames: groups and range by peers', seedSales, (db) =>
    db
      .selectFrom('sales')
      .select([
        'id',
        sql<number>`sum(amount) over (order by day groups between 1 preceding and current row)`.as('g1'),
        sql<number>`count(*) over (order by day groups between current row and 1 following)`.as('g2'),
        sql<number>`group_concat(id) over (order by day, id range between current row and unbounded following)`.as(
          'r1',
        ),
        sql<number>`count(*) over (order by amount range between unbounded preceding and unbounded following)`.as('r2'),
        sql<number>`sum(amount) over (partition by region order by day groups 1 preceding)`.as('g3'),
      ])
      .orderBy('id'),
  )
  both('raw frames: exclude current row, group and ties', seedSales, (db) =>
    db
      .selectFrom('sales')
      .select([
        'id',
        sql<number>`sum(amount) over (order by day rows between unbounded preceding and unbounded following exclude current row)`.as(
          'others',
        ),
        sql<number>`count(*) over (order by day groups between 1 preceding and 1 following exclude group)`.as('near'),
        sql<number>`sum(id) over (order by day groups between unbounded preceding and current row exclude ties)`.as(
          't',
        ),
        sql<number>`sum(amount) over (order by amount rows between 1 preceding and 1 following exclude no others)`.as(
          'n',
        ),
      ])
      .orderBy('id'),
  )
  both('raw frames: range by value, ascending and descending, nulls among them', seedSales, (db) =>
    db
      .selectFrom('sales')
      .select([
        'id',
        sql<number>`sum(amount) over (order by amount range between 50 preceding and 50 following)`.as('near'),
        sql<number>`count(*) over (order by amount desc range between 100 preceding and current row)`.as('above'),
        sql<number>`max(id) over (order by day range between 1.5 following and unbounded following)`.as('later'),
        sql<number>`min(amount) over (partition by region order by day range between 2 preceding and 1 preceding)`.as(
          'before',
        ),
        sql<number>`count(amount) over (order by amount nulls last range between unbounded preceding and 25 following)`.as(
          'upto',
        ),
      ])
      .orderBy('id'),
  )
  // Found by the random window run (KYSELY_WINDOW_SEED=1549489093): a frame searched by value
  // reaches the nulls where the sort puts them.
  both('raw frames: range offsets reach the nulls where the sort puts them', seedSales, (db) =>
    db
      .selectFrom('sales')
      .select([
        'id',
        sql<number>`count(*) over (order by amount desc range between 1 following and unbounded following)`.as('a'),
        sql<number>`count(*) over (order by amount range between unbounded preceding and 1 preceding)`.as('b'),
        sql<number>`count(*) over (order by amount desc nulls first range between unbounded preceding and 60 preceding)`.as(
          'c',
        ),
      ])
      .orderBy('id'),
  )
  both('raw frames: a range offset over two order terms is an error', seedSales, (db) =>
    db.selectFrom('sales').select(sql<number>`sum(amount) over (order by day, id range 1 preceding)`.as('s')),
  )
  both('raw frames: first, last and nth value', seedSales, (db) =>
    db
      .selectFrom('sales')
      .select([
        'id',
        sql<number>`first_value(amount) over (order by id rows between 2 preceding and current row)`.as('f'),
        sql<number>`last_value(rep) over (order by id rows between current row and 2 following)`.as('l'),
        sql<number>`nth_value(rep, 2) over (order by day rows between unbounded preceding and unbounded following)`.as(
          'n2',
        ),
        sql<number>`last_value(id) over (order by day groups between current row and 1 following exclude current row)`.as(
          'lx',
        ),
        sql<number>`first_value(id) over (order by day rows between 1 following and 2 following)`.as('fnext'),
      ])
      .orderBy('id'),
  )
  both('raw frames: ranking functions ignore the frame', seedSales, (db) =>
    db
      .selectFrom('sales')
      .select([
        'id',
        sql<number>`rank() over (order by amount rows between 1 preceding and current row)`.as('r'),
        sql<number>`lag(amount) over (order by id rows between current row and current row)`.as('p'),
      ])
      .orderBy('id'),
  )
  both('a frame ending before it starts is an error', seedSales, (db) =>
    db
      .selectFrom('sales')
      .select(sql<number>`sum(amount) over (order by id rows between 1 following and current row)`.as('s')),
  )
  both('a negative frame offset is an error', seedSales, (db) =>
    db
      .selectFrom('sales')
      .select(sql<number>`sum(amount) over (order by id rows between -1 preceding and current row)`.as('s')),
  )
  both('groups without an order by: one peer group', seedSales, (db) =>
    db.selectFrom('sales').select(sql<number>`sum(amount) over (groups between 1 preceding and current row)`.as('s')),
  )
  both('raw: named windows, built on and referenced from the order by', seedSales, async (db) => {
    const r =
      await sql`select id, rank() over w as r, sum(amount) over (w rows between 1 preceding and current row) as s,
        count(*) over byregion as n, row_number() over w2 as rn
      from sales
      window byregion as (partition by region), w as (order by amount desc), w2 as (byregion order by id)
      order by row_number() over w, id`.execute(db)
    return r.rows
  })
  both('raw: a window name that does not exist is an error', seedSales, async (db) => {
    const r = await sql`select id, rank() over nope from sales window w as (order by id)`.execute(db)
    return r.rows
  })
  both('raw: a named window may not be given a partition again', seedSales, async (db) => {
    const r = await sql`select id, rank() over (w partition by region) from sales window w as (order by id)`.execute(db)
    return r.rows
  })
  both('a window over no rows', seedSales, (db) =>
    db
      .selectFrom('sales')
      .where('id', '>', 100)
      .select((eb) => ['id', eb.fn.agg<number>('row_number').over().as('n')]),
  )
  both('a window in where is an error', seedSales, (db) =>
    db
      .selectFrom('sales')
      .select('id')
      .where((eb) => eb(eb.fn.agg<number>('row_number').over(), '>', 2)),
  )
  both('a window in having is an error', seedSales, (db) =>
    db
      .selectFrom('sales')
      .groupBy('region')
      .select('region')
      .having((eb) => eb(eb.fn.agg<number>('rank').over(), '>', 1)),
  )
  both('a window inside an aggregate is an error', seedSales, (db) =>
    db.selectFrom('sales').select((eb) => eb.fn.sum(eb.fn.agg<number>('row_number').over()).as('s')),
  )
  both('distinct in a window call is an error', seedSales, (db) =>
    db.selectFrom('sales').select((eb) => eb.fn.count('rep').distinct().over().as('n')),
  )
  both('row_number with an argument is an error', seedSales, (db) =>
    db.selectFrom('sales').select((eb) => eb.fn.agg<number>('row_number', ['id']).over().as('n')),
  )
  both('a scalar function as a window is an error', seedSales, (db) =>
    db.selectFrom('sales').select((eb) => eb.fn.agg<string>('lower', ['rep']).over().as('n')),
  )
  both('ntile of zero is an error', seedSales, (db) =>
    db.selectFrom('sales').select((eb) =>
      eb.fn
        .agg<number>('ntile', [sql.lit(0)])
        .over()
        .as('n'),
    ),
  )
  // Without an order by, SQLite's rows come out as its window sorts leave them: by the first
  // window's partition and order terms, ties as the later windows' sorts left them.
  for (const [name, text] of [
    ['one window', 'select id, row_number() over (order by amount, id) as r from sales'],
    ['a partition', 'select id, sum(amount) over (partition by region) as s from sales'],
    ['partition and order', 'select id, rank() over (partition by region order by amount desc) as k from sales'],
    [
      'two windows, the first deciding',
      'select id, rank() over (order by region) as k, row_number() over (order by id desc) as r from sales',
    ],
    [
      'named windows',
      'select id, count(*) over w2 as c, sum(id) over w1 as s from sales window w1 as (order by id), w2 as (partition by rep)',
    ],
    ['then limit', 'select id, dense_rank() over (order by region, amount) as d from sales limit 3 offset 1'],
  ] as const) {
    both(
      `rows come out in the windows' order without an order by: ${name}`,
      seedSales,
      (db) => sql.raw(text).execute(db),
      {
        ordered: true,
      },
    )
  }
})
