import { both, diffSuite } from '../helpers/differential.js'
import type { KyselyApi } from '../helpers/kysely-versions.js'
import type { Db } from '../helpers/sides.js'

/**
 * Joins the planner reorders and answers with index nested loops (the inner table's primary key or
 * an index, equality, in and range seeks per outer row), hash joins and outer joins, compared with
 * SQLite. The tables are large enough for seeks to beat scans, and their join columns hold what
 * affinity makes awkward: text beside integers, numeric text, nulls, duplicates.
 */
async function shop(db: Db): Promise<void> {
  await db.schema
    .createTable('cat')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('label', 'text')
    .addColumn('code', 'text')
    .execute()
  await db.schema
    .createTable('item')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('cat', 'integer')
    .addColumn('name', 'text')
    .addColumn('price', 'real')
    .addColumn('ref', 'blob')
    .execute()
  await db.schema
    .createTable('line')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('item', 'integer')
    .addColumn('qty', 'integer')
    .addColumn('note', 'text')
    .execute()
  await db.schema.createIndex('item_cat').on('item').column('cat').execute()
  await db.schema.createIndex('item_name_price').on('item').columns(['name', 'price']).execute()
  await db.schema.createIndex('line_item').on('line').column('item').execute()
  await db.schema.createIndex('cat_code').on('cat').column('code').execute()
  const labels = ['red', 'green', 'blue', null, '7', '07']
  await db
    .insertInto('cat')
    .values(
      Array.from({ length: 30 }, (_, i) => ({ id: i, label: labels[i % 6], code: i % 5 === 0 ? null : `${i % 9}` })),
    )
    .execute()
  await db
    .insertInto('item')
    .values(
      Array.from({ length: 300 }, (_, i) => ({
        id: i + 1,
        // Categories as integers, numeric text (stored as integers), a few nulls and a missing one.
        cat: i % 31 === 30 ? null : i % 7 === 3 ? String(i % 30) : i % 30,
        name: `n${i % 40}`,
        price: (i * 13) % 50,
        ref: i % 3 === 0 ? `${i % 30}` : i % 3 === 1 ? i % 30 : null,
      })),
    )
    .execute()
  await db
    .insertInto('line')
    .values(
      Array.from({ length: 400 }, (_, i) => ({
        id: i + 1,
        item: i % 23 === 0 ? null : (i * 11) % 320,
        qty: i % 9,
        note: i % 4 === 0 ? 'x' : null,
      })),
    )
    .execute()
}

/** Two tables whose joined columns differ in collation (p.s and q.t NOCASE) and affinity. */
async function traps(db: Db, api: KyselyApi): Promise<void> {
  const nocase = api.sql`text collate nocase`
  await db.schema
    .createTable('p')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('s', nocase)
    .addColumn('n', 'integer')
    .addColumn('t', 'text')
    .execute()
  await db.schema
    .createTable('q')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('s', 'text')
    .addColumn('n', 'real')
    .addColumn('t', nocase)
    .execute()
  for (const [table, column] of [
    ['p', 's'],
    ['p', 'n'],
    ['p', 't'],
    ['q', 's'],
    ['q', 'n'],
    ['q', 't'],
  ] as const)
    await db.schema.createIndex(`${table}_${column}`).on(table).column(column).execute()
  const texts = ['a', 'A', 'b', 'B', 'x', 'X', 'w', 'W', '3', '3.0', null]
  await db
    .insertInto('p')
    .values(
      Array.from({ length: 60 }, (_, i) => ({
        id: i + 1,
        s: texts[i % 11],
        n: i % 13 === 12 ? null : i % 10,
        t: texts[(i * 7) % 11],
      })),
    )
    .execute()
  await db
    .insertInto('q')
    .values(
      Array.from({ length: 50 }, (_, i) => ({
        id: i + 1,
        s: texts[(i * 3) % 11],
        n: i % 9 === 8 ? null : (i % 12) + (i % 4 === 0 ? 0.5 : 0),
        t: texts[(i * 5) % 11],
      })),
    )
    .execute()
}

diffSuite('differential: join access paths', () => {
  both('an index nested loop from a filtered small table', shop, (db) => [
    db
      .selectFrom('item')
      .innerJoin('cat', 'cat.id', 'item.cat')
      .select(['item.id', 'item.name', 'cat.label'])
      .where('cat.label', '=', 'blue'),
    db
      .selectFrom('cat')
      .innerJoin('item', 'item.cat', 'cat.id')
      .select(['cat.id', 'item.id as iid'])
      .where('cat.id', 'in', [3, 4, 29]),
    db
      .selectFrom('cat')
      .innerJoin('item', 'item.cat', 'cat.id')
      .select(['cat.id', 'item.id as iid', 'item.price'])
      .where('cat.id', '<', 3)
      .where('item.price', '>', 20),
  ])

  both('a join through a text column and a blob column against integers', shop, (db) => [
    db.selectFrom('cat').innerJoin('item', 'item.cat', 'cat.code').select(['cat.id', 'item.id as iid']),
    db.selectFrom('cat').innerJoin('item', 'item.ref', 'cat.id').select(['cat.id', 'item.id as iid']),
    db.selectFrom('item').innerJoin('cat', 'cat.code', 'item.ref').select(['cat.id', 'item.id as iid']),
    db.selectFrom('cat').innerJoin('item', 'item.name', 'cat.label').select(['cat.id', 'item.id as iid']),
    // The text index on cat.code cannot serve integers compared under numeric affinity.
    db
      .selectFrom('item')
      .innerJoin('cat', 'cat.code', 'item.cat')
      .select(['cat.id', 'item.id as iid'])
      .where('item.id', '<', 40),
    db
      .selectFrom('item')
      .innerJoin('cat', 'cat.code', 'item.ref')
      .select(['cat.id', 'item.id as iid'])
      .where('item.id', '<', 40),
    db
      .selectFrom('item')
      .leftJoin('cat', 'cat.code', 'item.cat')
      .select(['cat.id', 'item.id as iid'])
      .where('item.id', '<', 40),
  ])

  both('three tables, filters on each, every order', shop, (db) => [
    db
      .selectFrom('line')
      .innerJoin('item', 'item.id', 'line.item')
      .innerJoin('cat', 'cat.id', 'item.cat')
      .select(['line.id', 'item.name', 'cat.label'])
      .where('cat.label', '=', 'green')
      .where('line.qty', '>', 4),
    db
      .selectFrom('cat')
      .innerJoin('item', 'item.cat', 'cat.id')
      .innerJoin('line', 'line.item', 'item.id')
      .select(['line.id', 'item.id as iid'])
      .where('item.name', '=', 'n7'),
    db
      .selectFrom('item')
      .innerJoin('line', 'line.item', 'item.id')
      .innerJoin('cat', 'cat.id', 'item.cat')
      .select((eb) => ['cat.label', eb.fn.countAll().as('n'), eb.fn.sum('line.qty').as('q')])
      .groupBy('cat.label')
      .orderBy('cat.label'),
  ])

  both('range conditions between tables seek per outer row', shop, (db) => [
    db
      .selectFrom('cat')
      .innerJoin('item', (j) => j.onRef('item.id', '<', 'cat.id'))
      .select(['cat.id', 'item.id as iid'])
      .where('cat.id', '<', 6),
    db
      .selectFrom('cat')
      .innerJoin('item', (j) => j.onRef('item.cat', '>=', 'cat.id').on('item.cat', '<=', 2))
      .select(['cat.id', 'item.id as iid']),
  ])

  both('range joins without an index sort the inner side once', shop, (db) => [
    db
      .selectFrom('cat')
      .innerJoin('line', (j) => j.onRef('line.qty', '>', 'cat.id'))
      .select(['cat.id', 'line.id as lid'])
      .where('cat.id', '<', 4),
    db
      .selectFrom('cat')
      .leftJoin('line', (j) => j.onRef('line.qty', '>=', 'cat.id').onRef('line.qty', '<=', 'cat.code'))
      .select(['cat.id', 'line.id as lid']),
    db
      .selectFrom('cat')
      .innerJoin('line', (j) => j.onRef('line.note', '<', 'cat.label').on('line.qty', '=', 2))
      .select(['cat.id', 'line.id as lid']),
    db
      .selectFrom('cat')
      .innerJoin('line', (j) => j.onRef('line.qty', '<', 'cat.code'))
      .select(['cat.id', 'line.id as lid'])
      .where('cat.id', '<', 8),
  ])

  both('left joins: seeks, null rows, and where conditions after the null rows', shop, (db) => [
    db.selectFrom('line').leftJoin('item', 'item.id', 'line.item').select(['line.id', 'item.name']),
    db
      .selectFrom('line')
      .leftJoin('item', 'item.id', 'line.item')
      .select(['line.id', 'item.name'])
      .where('item.name', 'is', null),
    db
      .selectFrom('cat')
      .leftJoin('item', (j) => j.onRef('item.cat', '=', 'cat.id').on('item.price', '>', 40))
      .select(['cat.id', 'item.id as iid']),
    db
      .selectFrom('cat')
      .leftJoin('item', 'item.cat', 'cat.id')
      .innerJoin('line', 'line.item', 'item.id')
      .select(['cat.id', 'line.id as lid'])
      .where('cat.id', '<', 5),
  ])

  both('right and full joins keep every row of their side', shop, (db) => [
    db
      .selectFrom('item')
      .rightJoin('cat', 'cat.id', 'item.cat')
      .select(['cat.id', 'item.id as iid'])
      .where('cat.id', '>', 25),
    db
      .selectFrom('cat')
      .fullJoin('item', 'item.cat', 'cat.id')
      .select(['cat.id', 'item.id as iid'])
      .where((eb) => eb.or([eb('item.id', '<', 5), eb('cat.id', 'is', null)])),
    db
      .selectFrom('cat')
      .innerJoin('item', 'item.cat', 'cat.id')
      .rightJoin('line', 'line.item', 'item.id')
      .select(['line.id', 'cat.label'])
      .where('line.id', '<', 30),
  ])

  both('an inner on condition holding a subquery runs before a later right join', shop, (db) => [
    db
      .selectFrom('cat')
      .innerJoin('item', (j) =>
        j
          .onRef('item.cat', '=', 'cat.id')
          .on(({ exists, selectFrom }) =>
            exists(selectFrom('line').select('line.id').whereRef('line.item', '=', 'item.id')),
          ),
      )
      .rightJoin('line as l2', 'l2.id', 'item.id')
      .select(['l2.id', 'cat.id as cid'])
      .where('l2.id', '<', 60),
  ])

  both('comma joins and cross joins with where conditions become index joins', shop, (db) => [
    db
      .selectFrom(['cat', 'item'])
      .select(['cat.id', 'item.id as iid'])
      .whereRef('item.cat', '=', 'cat.id')
      .where('cat.label', '=', 'red'),
    db
      .selectFrom('cat')
      .crossJoin('line')
      .select(['cat.id', 'line.id as lid'])
      .whereRef('line.qty', '=', 'cat.id')
      .where('line.note', '=', 'x'),
  ])

  both('correlated subqueries seek the inner index per outer row', shop, (db) => [
    db.selectFrom('cat').select((eb) => [
      'cat.id',
      eb
        .selectFrom('item')
        .select((e) => e.fn.countAll().as('n'))
        .whereRef('item.cat', '=', 'cat.id')
        .as('n'),
    ]),
    db
      .selectFrom('item')
      .select('item.id')
      .where(({ exists, selectFrom }) =>
        exists(selectFrom('line').select('line.id').whereRef('line.item', '=', 'item.id').where('line.qty', '=', 3)),
      ),
  ])

  // A left join whose null-extended rows the where clause (or a later inner join's on clause)
  // rejects runs as an inner join, its table reordered (planner/null-rejection.ts); conditions
  // that keep null rows (is null, coalesce, not in a subquery, or) leave it a left join.
  both('left joins the where clause makes inner, and those it does not', shop, (db) => [
    db
      .selectFrom('cat')
      .leftJoin('item', 'item.cat', 'cat.id')
      .select(['cat.id', 'item.id as iid'])
      .where('item.price', '>', 40),
    db
      .selectFrom('cat')
      .leftJoin('item', 'item.cat', 'cat.id')
      .select(['cat.id', 'item.id as iid'])
      .where('item.id', 'is not', null)
      .where('cat.id', '<', 5),
    db
      .selectFrom('cat')
      .leftJoin('item', 'item.cat', 'cat.id')
      .select(['cat.id', 'item.id as iid'])
      .where('item.id', 'is', null),
    db
      .selectFrom('cat')
      .leftJoin('item', 'item.cat', 'cat.id')
      .select(['cat.id', 'item.id as iid'])
      .where((eb) => eb(eb.fn.coalesce('item.price', eb.lit(0)), '=', 0)),
    db
      .selectFrom('cat')
      .leftJoin('item', 'item.cat', 'cat.id')
      .select(['cat.id', 'item.id as iid'])
      .where((eb) => eb('item.id', 'not in', eb.selectFrom('line').select('line.item').where('line.qty', '>', 7))),
    db
      .selectFrom('cat')
      .leftJoin('item', 'item.cat', 'cat.id')
      .select(['cat.id', 'item.id as iid'])
      .where((eb) => eb.or([eb('item.price', '>', 45), eb('cat.id', '=', 3)])),
    db
      .selectFrom('cat')
      .leftJoin('item', 'item.cat', 'cat.id')
      .innerJoin('line', 'line.item', 'item.id')
      .select(['cat.id', 'item.id as iid', 'line.id as lid'])
      .where('line.qty', '=', 2),
    db
      .selectFrom('cat')
      .leftJoin('item', 'item.cat', 'cat.id')
      .leftJoin('line', 'line.item', 'item.id')
      .select((eb) => ['cat.label', eb.fn.count('line.id').as('n'), eb.fn('total', ['item.price']).as('t')])
      .where('line.note', '=', 'x')
      .groupBy('cat.label'),
  ])

  // A read bounded by what the join's equalities imply (join-order.ts: readBounds) must keep every
  // row the written conditions keep: not through a column of another collation or affinity, nor
  // by a value that changes from row to row.
  both('conditions the join equalities carry to the other table', traps, (db) => [
    db.selectFrom('p').innerJoin('q', 'q.n', 'p.n').select(['p.id', 'q.id as qid']).where('q.n', '=', 3),
    db.selectFrom('p').innerJoin('q', 'q.n', 'p.n').select(['p.id', 'q.id as qid']).where('q.n', '=', '3'),
    db
      .selectFrom('p')
      .innerJoin('q', 'q.n', 'p.n')
      .select(['p.id', 'q.id as qid'])
      .where('q.n', '>=', 2)
      .where('q.n', '<', 5),
    db.selectFrom('p').innerJoin('q', 'p.n', 'q.n').select(['p.id', 'q.id as qid']).where('p.n', '>', 8.5),
    // q.s is BINARY and p.s NOCASE: `q.s < 'b'` does not imply `p.s < 'b'` as p.s compares.
    db.selectFrom('p').innerJoin('q', 'q.s', 'p.s').select(['p.id', 'q.id as qid']).where('q.s', '<', 'b'),
    db.selectFrom('p').innerJoin('q', 'q.s', 'p.s').select(['p.id', 'q.id as qid']).where('q.s', '=', 'B'),
    db.selectFrom('p').innerJoin('q', 'p.s', 'q.s').select(['p.id', 'q.id as qid']).where('q.s', '=', 'B'),
    db.selectFrom('p').innerJoin('q', 'p.t', 'q.t').select(['p.id', 'q.id as qid']).where('p.t', '=', 'X'),
    db.selectFrom('p').innerJoin('q', 'p.t', 'q.t').select(['p.id', 'q.id as qid']).where('p.t', '>', 'W'),
    // A text column equated with a real one: affinities apart, no equivalence.
    db.selectFrom('p').innerJoin('q', 'p.t', 'q.n').select(['p.id', 'q.id as qid']).where('q.n', '=', 3),
    db
      .selectFrom('p')
      .innerJoin('q', 'q.n', 'p.n')
      .select(['p.id', 'q.id as qid'])
      .where((eb) =>
        eb(
          'q.n',
          '=',
          eb
            .selectFrom('p as p3')
            .select((e) => e.fn.max('p3.n').as('m'))
            .where('p3.n', '<', 4),
        ),
      ),
    db
      .selectFrom('p')
      .select('p.id')
      .where((eb) =>
        eb.exists(eb.selectFrom('q').innerJoin('p as p2', 'p2.n', 'q.n').select('q.id').whereRef('q.n', '=', 'p.id')),
      ),
    db
      .selectFrom('p')
      .innerJoin('q', 'q.n', 'p.n')
      .innerJoin('p as p2', 'p2.id', 'q.n')
      .select(['p.id', 'q.id as qid', 'p2.s'])
      .where('p2.id', '<=', 4),
  ])

  both('order by and limit over joins', shop, (db) => [
    db
      .selectFrom('item')
      .innerJoin('cat', 'cat.id', 'item.cat')
      .select(['item.id', 'cat.label'])
      .orderBy('item.price', 'desc')
      .orderBy('item.id')
      .limit(7),
    db
      .selectFrom('cat')
      .innerJoin('item', 'item.cat', 'cat.id')
      .select(['cat.id', 'item.id as iid'])
      .orderBy('cat.id', 'desc')
      .orderBy('item.id')
      .limit(10)
      .offset(3),
  ])
})
