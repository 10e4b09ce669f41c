import { both, diffSuite, type RunResult } from '../helpers/differential.js'
import { createMultiSchema, multiData } from '../helpers/random-multi.js'
import { prng } from '../helpers/random-queries.js'
import type { Db } from '../helpers/sides.js'

/**
 * Hand-written differential cases over the random multi-table schema (users -> orders -> items with
 * secondary, composite and unique indexes; test/helpers/random-multi.ts) and one fixed data set:
 * the shapes an index planner must get right (equalities, composite prefixes, ranges, in lists,
 * null tests, index order both ways with limits, joins through indexes, subqueries on indexed
 * columns) and the writes that maintain those indexes, each compared with SQLite.
 */
const data = multiData(prng(424242))
const setup = (db: Db): Promise<void> => createMultiSchema(db, data)

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Q = any
type Case = readonly [name: string, run: (db: Db) => RunResult]

const LOOKUPS: readonly Case[] = [
  ['index equality', (db) => db.selectFrom('users').select(['id', 'name']).where('city', '=', 'Oslo')],
  ['index equality, case differs', (db) => db.selectFrom('users').select('id').where('city', '=', 'oslo')],
  ['index equality on the empty string', (db) => db.selectFrom('users').select('id').where('city', '=', '')],
  ['index equality on an integer given as text', (db) => db.selectFrom('users').select('id').where('age', '=', '30')],
  ['index is null', (db) => db.selectFrom('users').select('id').where('city', 'is', null)],
  [
    'index is not null, counted',
    (db) =>
      db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('age', 'is not', null),
  ],
  ['index in list', (db) => db.selectFrom('orders').select(['id', 'user_id']).where('user_id', 'in', [1, 3, 5, 99])],
  ['index in list with null', (db) => db.selectFrom('orders').select('id').where('user_id', 'in', [2, null])],
  ['index not in list', (db) => db.selectFrom('orders').select('id').where('user_id', 'not in', [1, 2, 3])],
  ['index range', (db) => db.selectFrom('users').select(['id', 'age']).where('age', '>', 40)],
  ['index range both sides', (db) => db.selectFrom('users').select('id').where('age', '>=', 20).where('age', '<', 30)],
  [
    'index between',
    (db) =>
      db
        .selectFrom('orders')
        .select('id')
        .where((eb) => eb.between('amount', 20, 60)),
  ],
  ['index range against text', (db) => db.selectFrom('users').select('id').where('age', '<', 'z')],
  ['composite prefix equality', (db) => db.selectFrom('users').select(['id', 'age']).where('city', '=', 'Paris')],
  [
    'composite prefix and range',
    (db) => db.selectFrom('users').select('id').where('city', '=', 'Oslo').where('age', '<=', 40),
  ],
  [
    'composite both equalities',
    (db) => db.selectFrom('orders').select('id').where('status', '=', 'paid').where('amount', '=', 50),
  ],
  ['composite second column only', (db) => db.selectFrom('orders').select('id').where('amount', '>', 100)],
  [
    'composite prefix in list and range',
    (db) => db.selectFrom('orders').select('id').where('status', 'in', ['new', 'void']).where('amount', '>=', 75),
  ],
  ['unique index equality', (db) => db.selectFrom('users').select('id').where('email', '=', 'u3x3@x')],
  [
    'or across two indexes',
    (db) =>
      db
        .selectFrom('users')
        .select('id')
        .where((eb) => eb.or([eb('city', '=', 'Lima'), eb('age', '<', 20)])),
  ],
  [
    'like prefix on an indexed column',
    (db) => db.selectFrom('items').select(['order_id', 'sku']).where('sku', 'like', 'a-%'),
  ],
  ['composite key prefix', (db) => db.selectFrom('items').select(['sku', 'qty']).where('order_id', '=', 110)],
  [
    'covering count by index',
    (db) =>
      db
        .selectFrom('items')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('sku', '=', 'c'),
  ],
]

const ORDERS: readonly Case[] = [
  [
    'order by index asc, key, limit',
    (db) => db.selectFrom('users').select(['id', 'city']).orderBy('city').orderBy('id').limit(5),
  ],
  [
    'order by index desc, key desc, limit offset',
    (db) =>
      db.selectFrom('users').select(['id', 'city']).orderBy('city', 'desc').orderBy('id', 'desc').limit(4).offset(2),
  ],
  [
    'order by composite index with a filter',
    (db) =>
      db
        .selectFrom('users')
        .select(['id', 'age'])
        .where('city', '=', 'Oslo')
        .orderBy('age', 'desc')
        .orderBy('id')
        .limit(3),
  ],
  [
    'order by index nulls last',
    (db) =>
      db
        .selectFrom('users')
        .select(['id', 'age'])
        .orderBy('age', (o) => o.asc().nullsLast())
        .orderBy('id'),
  ],
  [
    'order by index nulls first, descending',
    (db) =>
      db
        .selectFrom('users')
        .select(['id', 'age'])
        .orderBy('age', (o) => o.desc().nullsFirst())
        .orderBy('id')
        .limit(6),
  ],
  [
    'order by composite, second column reversed',
    (db) =>
      db
        .selectFrom('orders')
        .select(['status', 'amount', 'id'])
        .orderBy('status')
        .orderBy('amount', 'desc')
        .orderBy('id'),
  ],
  [
    'order by an index with a range',
    (db) =>
      db
        .selectFrom('orders')
        .select(['id', 'user_id'])
        .where('user_id', '>', 10)
        .orderBy('user_id')
        .orderBy('id')
        .limit(7),
  ],
  [
    'min and max of an indexed column',
    (db) => db.selectFrom('users').select((eb) => [eb.fn.min('age').as('lo'), eb.fn.max('age').as('hi')]),
  ],
]

const JOINS: readonly Case[] = [
  [
    'join through an index',
    (db) =>
      db
        .selectFrom('users as u')
        .innerJoin('orders as o', 'o.user_id', 'u.id')
        .select(['u.id', 'o.id as oid'])
        .where('u.city', '=', 'Oslo'),
  ],
  [
    'join into the composite key prefix',
    (db) =>
      db
        .selectFrom('orders as o')
        .innerJoin('items as i', 'i.order_id', 'o.id')
        .select(['o.id', 'i.sku'])
        .where('o.status', '=', 'paid'),
  ],
  [
    'left join through an index, unmatched kept',
    (db) => db.selectFrom('users as u').leftJoin('orders as o', 'o.user_id', 'u.id').select(['u.id', 'o.amount']),
  ],
  [
    'left join with a filter in on',
    (db) =>
      db
        .selectFrom('users as u')
        .leftJoin('orders as o', (j) => j.onRef('o.user_id', '=', 'u.id').on('o.status', '=', 'new'))
        .select(['u.id', 'o.id as oid']),
  ],
  [
    'three tables, filters on two',
    (db) =>
      db
        .selectFrom('items as i')
        .innerJoin('orders as o', 'o.id', 'i.order_id')
        .innerJoin('users as u', 'u.id', 'o.user_id')
        .select(['i.sku', 'u.name', 'o.amount'])
        .where('i.qty', '>', 3)
        .where('u.age', '<', 45),
  ],
  [
    'right join keeps dangling orders',
    (db) => db.selectFrom('users as u').rightJoin('orders as o', 'o.user_id', 'u.id').select(['o.id', 'u.name']),
  ],
  [
    'join on an index range',
    (db) =>
      db
        .selectFrom('users as u')
        .innerJoin('users as v', (j) => j.onRef('v.age', '>', 'u.age').on('v.city', '=', 'Paris'))
        .select(['u.id', 'v.id as vid'])
        .where('u.city', '=', 'Lima'),
  ],
  [
    'join, group and order',
    (db) =>
      db
        .selectFrom('users as u')
        .innerJoin('orders as o', 'o.user_id', 'u.id')
        .select((eb) => ['u.city', eb.fn.count('o.id').as('n'), eb.fn.sum('o.amount').as('total')])
        .groupBy('u.city')
        .orderBy('u.city'),
  ],
]

const GROUPS_AND_SUBQUERIES: readonly Case[] = [
  [
    'group by an indexed column with having',
    (db) =>
      db
        .selectFrom('orders')
        .select((eb) => ['user_id', eb.fn.countAll().as('n')])
        .groupBy('user_id')
        .having((eb) => eb.fn.countAll(), '>', 2),
  ],
  [
    'group by the composite index',
    (db) =>
      db
        .selectFrom('orders')
        .select((eb) => ['status', 'amount', eb.fn.countAll().as('n')])
        .groupBy(['status', 'amount'])
        .orderBy('status')
        .orderBy('amount'),
  ],
  [
    'count distinct of an indexed column',
    (db) =>
      db.selectFrom('items').select((eb) => [eb.fn.count('sku').distinct().as('skus'), eb.fn.avg('price').as('avg')]),
  ],
  [
    'in subquery on an index',
    (db) =>
      db
        .selectFrom('orders')
        .select('id')
        .where('user_id', 'in', db.selectFrom('users').select('id').where('city', '=', 'Kyiv')),
  ],
  [
    'not in subquery with nulls inside',
    (db) => db.selectFrom('users').select('id').where('id', 'not in', db.selectFrom('orders').select('user_id')),
  ],
  [
    'exists, correlated on an index',
    (db) =>
      db
        .selectFrom('users as u')
        .select('u.id')
        .where(({ exists, selectFrom }) =>
          exists(
            selectFrom('orders as o')
              .select('o.id')
              .whereRef('o.user_id', '=', 'u.id')
              .where('o.status', '=', 'shipped'),
          ),
        ),
  ],
  [
    'not exists, correlated on the key prefix',
    (db) =>
      db
        .selectFrom('orders as o')
        .select('o.id')
        .where(({ not, exists, selectFrom }) =>
          not(exists(selectFrom('items as i').select('i.sku').whereRef('i.order_id', '=', 'o.id'))),
        ),
  ],
  [
    'scalar subquery in the selection',
    (db) =>
      db
        .selectFrom('users as u')
        .select((eb) => [
          'u.id',
          eb
            .selectFrom('orders as o')
            .select((e) => e.fn.max('o.amount').as('m'))
            .whereRef('o.user_id', '=', 'u.id')
            .as('top'),
        ])
        .orderBy('u.id'),
  ],
  [
    'scalar subquery in a condition',
    (db) =>
      db
        .selectFrom('orders as o')
        .select('o.id')
        .where(
          (eb) =>
            eb
              .selectFrom('items as i')
              .select((e) => e.fn.sum('i.qty').as('q'))
              .whereRef('i.order_id', '=', 'o.id'),
          '>',
          6,
        ),
  ],
  [
    'derived table joined on an index',
    (db) =>
      db
        .selectFrom(
          db
            .selectFrom('orders')
            .select((eb) => ['user_id', eb.fn.sum('amount').as('total')])
            .groupBy('user_id')
            .as('t'),
        )
        .innerJoin('users as u', 'u.id', 't.user_id')
        .select(['u.name', 't.total'])
        .where('u.age', '>', 30),
  ],
  [
    'common table expression on an index',
    (db) =>
      db
        .with('busy', (w) => w.selectFrom('items').select('order_id').where('qty', '>=', 5))
        .selectFrom('orders as o')
        .innerJoin('busy as b', 'b.order_id', 'o.id')
        .select(['o.id', 'o.status']),
  ],
  [
    'union of two index reads, ordered',
    (db) =>
      db
        .selectFrom('users')
        .select('id')
        .where('city', '=', 'Oslo')
        .union(db.selectFrom('orders').select('user_id as id').where('status', '=', 'void'))
        .orderBy('id'),
  ],
  ['distinct over an index', (db) => db.selectFrom('items').select('sku').distinct().orderBy('sku')],
]

/** Writes that must keep every index right: each ends with reads through those indexes. */
const WRITES: readonly Case[] = [
  [
    'update an indexed column, then read by old and new values',
    (db) => [
      db.updateTable('users').set({ city: 'Lima' }).where('city', '=', 'Oslo'),
      db.selectFrom('users').select('id').where('city', '=', 'Oslo'),
      db.selectFrom('users').select('id').where('city', '=', 'Lima').where('age', '>', 20),
    ],
  ],
  [
    'delete through an index with a subquery, then join',
    (db) => [
      db.deleteFrom('orders').where('user_id', 'in', db.selectFrom('users').select('id').where('age', '<', 25)),
      db.selectFrom('users as u').innerJoin('orders as o', 'o.user_id', 'u.id').select(['u.id', 'o.id as oid']),
    ],
  ],
  [
    'a unique index refuses a duplicate and keeps nulls',
    (db) => [
      db.insertInto('users').values({ id: 500, name: 'z', email: null }),
      db.insertInto('users').values({ id: 501, name: 'z', email: null }),
      db.insertInto('users').values({ id: 502, name: 'z', email: 'u3x3@x' }),
      db.selectFrom('users').select('id').where('email', 'is', null),
    ],
  ],
  [
    'insert ... select into the table it reads, then an index range',
    (db) => [
      db
        .insertInto('orders')
        .columns(['id', 'user_id', 'status', 'amount'])
        .expression(
          db
            .selectFrom('orders')
            .select((eb: Q) => [eb('id', '+', 1000).as('id'), 'user_id', 'status', 'amount'])
            .where('amount', '>', 100),
        ),
      db
        .selectFrom('orders')
        .select(['id', 'amount'])
        .where('status', '=', 'paid')
        .where('amount', '>', 100)
        .orderBy('amount')
        .orderBy('id'),
    ],
  ],
  [
    'update ... set from a correlated subquery on an index',
    (db) => [
      db
        .updateTable('users')
        .set((eb) => ({
          age: eb
            .selectFrom('orders as o')
            .select((e) => e.fn.count('o.id').as('n'))
            .whereRef('o.user_id', '=', 'users.id'),
        }))
        .where('city', 'is not', null),
      db.selectFrom('users').select(['id', 'age']).where('age', '>', 1).orderBy('age').orderBy('id'),
    ],
  ],
  [
    'on conflict on the composite key updates through the index',
    (db) => [
      db
        .insertInto('items')
        .values({ order_id: 110, sku: 'c', qty: 9, price: 1 })
        .onConflict((oc) => oc.columns(['order_id', 'sku']).doUpdateSet({ qty: (eb: Q) => eb.ref('excluded.qty') })),
      db.selectFrom('items').select(['order_id', 'sku', 'qty']).where('qty', '=', 9),
    ],
  ],
  [
    'delete every row of an index value, then aggregate by it',
    (db) => [
      db.deleteFrom('items').where('sku', '=', 'a-1'),
      db
        .selectFrom('items')
        .select((eb) => ['sku', eb.fn.countAll().as('n')])
        .groupBy('sku')
        .orderBy('sku'),
    ],
  ],
]

diffSuite('differential part 2: hand-written cases over the indexed multi-table schema', () => {
  for (const [group, cases] of [
    ['lookups', LOOKUPS],
    ['order', ORDERS],
    ['joins', JOINS],
    ['groups and subqueries', GROUPS_AND_SUBQUERIES],
    ['writes', WRITES],
  ] as const)
    describe(group, () => {
      for (const [name, run] of cases) both(name, setup, run)
    })
})
