import { sql, type Kysely } from 'kysely'
import { prng } from './random-queries.js'

/**
 * A small shop for `copyDatabase` tests: related tables of every shape the copy must carry
 * (an autoincrement rowid key, a text key, a composite key, a table without a key), secondary,
 * unique and composite indexes, unique constraints, not-null columns, defaults, nulls, blobs,
 * 64-bit integers, reals and unicode text.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Db = Kysely<any>

/** Integers that a double cannot hold, stored exactly and compared as text. */
export const WIDE = [2n ** 62n + 1n, -(2n ** 63n), 2n ** 63n - 1n, 9007199254740993n]
const NAMES = ['Ann', 'bob', 'Zoë', 'Ørjan', '李雷', 'Émile', 'ann', 'O’Neil', '🦊 fox', 'Ωmega', 'zed', 'Ann']

export async function createShop(db: Db): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('name', 'varchar(100)', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.unique())
    .addColumn('big', 'bigint')
    .addColumn('score', 'real')
    .addColumn('avatar', 'blob')
    .addColumn('active', 'boolean', (c) => c.notNull().defaultTo(1))
    .addColumn('joined', 'text', (c) => c.defaultTo(sql`CURRENT_TIMESTAMP`))
    .execute()
  await db.schema
    .createTable('orders')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.references('users.id'))
    .addColumn('total', 'real', (c) => c.notNull().defaultTo(0))
    .addColumn('note', 'text')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('new'))
    .execute()
  await db.schema.createIndex('orders_user').on('orders').column('user_id').execute()
  await db.schema.createIndex('orders_status_total').on('orders').columns(['status', 'total']).execute()
  await db.schema
    .createTable('items')
    .addColumn('order_id', 'integer', (c) => c.notNull())
    .addColumn('line', 'integer', (c) => c.notNull())
    .addColumn('sku', 'text', (c) => c.notNull())
    .addColumn('qty', 'integer', (c) => c.notNull())
    .addColumn('price', 'numeric(10, 2)')
    .addPrimaryKeyConstraint('items_pk', ['order_id', 'line'])
    .execute()
  await db.schema.createIndex('items_sku').on('items').column('sku').execute()
  await db.schema
    .createTable('products')
    .addColumn('sku', 'text', (c) => c.primaryKey())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('weight', 'double precision')
    .addColumn('image', 'blob')
    .addUniqueConstraint('products_title_weight', ['title', 'weight'])
    .execute()
  await db.schema.createIndex('products_title_unique').on('products').column('title').unique().execute()
  await db.schema
    .createTable('events')
    .addColumn('at', 'integer')
    .addColumn('kind', 'text')
    .addColumn('payload', 'text')
    .execute()
}

export interface ShopSize {
  users: number
  orders: number
}

/** Seeded rows; sizes small enough for tests, large enough for several batches. */
export async function fillShop(db: Db, seed: number, size: ShopSize = { users: 40, orders: 150 }): Promise<void> {
  const r = prng(seed)
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!
  const users = Array.from({ length: size.users }, (_, i) => ({
    name: `${pick(NAMES)}${i % 7 === 0 ? '' : ` ${i}`}`,
    email: i % 9 === 4 ? null : `u${i}@example.org`,
    big: i < WIDE.length ? WIDE[i]! : i % 5 === 0 ? null : BigInt(i) * 1_000_003n,
    // Quarters add exactly, so sums agree however a database orders them.
    score: i % 6 === 0 ? null : (Math.floor(r() * 400) - 100) / 4,
    avatar: i % 4 === 0 ? null : Buffer.from(Array.from({ length: 1 + (i % 5) }, (_, k) => (i * 37 + k * 101) % 256)),
    active: i % 3 === 0 ? 0 : 1,
    joined: `2024-0${1 + (i % 9)}-1${i % 10} 12:00:00`,
  }))
  await db.insertInto('users').values(users).execute()
  const skus = Array.from({ length: 15 }, (_, i) => `sku-${String(i).padStart(3, '0')}`)
  await db
    .insertInto('products')
    .values(
      // Two products no order mentions, for the `not exists` query.
      [...skus, 'sku-900', 'sku-901'].map((sku, i) => ({
        sku,
        title: `${pick(['Tea', 'Café', 'Šálek', 'ノート', 'Pen'])} ${i}`,
        weight: i % 4 === 0 ? null : i * 0.5,
        image: i % 3 === 0 ? Buffer.from([0, 255, i, 10, 13]) : null,
      })),
    )
    .execute()
  const orders = Array.from({ length: size.orders }, (_, i) => ({
    id: 1000 + i * 3,
    user_id: i % 11 === 10 ? null : 1 + Math.floor(r() * (size.users + 3)),
    total: Math.floor(r() * 800) / 4,
    note: i % 5 === 0 ? null : pick(['gift', 'Rush ⚡', 'leave at door', '']),
    status: pick(['new', 'paid', 'shipped', 'paid']),
  }))
  // Some orders name users that do not exist (the joins' tests count them): written with foreign
  // keys off, as an application that turned them off could have (`references` stays declared).
  await sql`pragma foreign_keys = off`.execute(db)
  await db.insertInto('orders').values(orders).execute()
  await sql`pragma foreign_keys = on`.execute(db)
  const items = orders.flatMap((o, i) =>
    Array.from({ length: i % 4 }, (_, line) => ({
      order_id: o.id,
      line: line + 1,
      sku: pick(skus),
      qty: 1 + Math.floor(r() * 5),
      price: i % 7 === 0 ? null : Math.floor(r() * 1000) / 4,
    })),
  )
  await db.insertInto('items').values(items).execute()
  await db
    .insertInto('events')
    .values(
      Array.from({ length: 30 }, (_, i) => ({
        at: i % 10,
        kind: pick(['login', 'view', null]),
        payload: `{"n":${i}}`,
      })),
    )
    .execute()
}

export interface ShopTable {
  name: string
  columns: readonly string[]
  orderBy: readonly string[]
  /** Columns read as text so that 64-bit integers compare exactly (JavaScript numbers round them). */
  asText?: readonly string[]
}

export const SHOP_TABLES: readonly ShopTable[] = [
  {
    name: 'users',
    columns: ['id', 'name', 'email', 'big', 'score', 'avatar', 'active', 'joined'],
    orderBy: ['id'],
    asText: ['big'],
  },
  { name: 'orders', columns: ['id', 'user_id', 'total', 'note', 'status'], orderBy: ['id'] },
  { name: 'items', columns: ['order_id', 'line', 'sku', 'qty', 'price'], orderBy: ['order_id', 'line'] },
  { name: 'products', columns: ['sku', 'title', 'weight', 'image'], orderBy: ['sku'] },
  { name: 'events', columns: ['at', 'kind', 'payload'], orderBy: ['at', 'kind', 'payload'] },
]

/** Every row of a table in key order, 64-bit columns as text. */
export function dumpTable(db: Db, table: ShopTable): Promise<Record<string, unknown>[]> {
  let q = db
    .selectFrom(table.name)
    .select((eb) => table.columns.map((c) => (table.asText?.includes(c) ? eb.cast(c, 'text') : eb.ref(c)).as(c)))
  // Nulls last on both: PostgreSQL sorts them last, SQLite first.
  for (const c of table.orderBy) q = q.orderBy((eb) => eb(c, 'is', null) as never).orderBy(c)
  return q.execute()
}

/**
 * A value as both databases can agree on it. PostgreSQL differs from SQLite in types, not in
 * values: booleans (SQLite's 1/0), `numeric` and `sum(bigint)` as decimal strings, `bigint`
 * beyond 2^53 as a JavaScript bigint, `bytea` as a Uint8Array (SQLite gives a Buffer). Strings of
 * digits read as numbers on both sides, so a text column holding '10' compares the same way too.
 */
export function normalize(value: unknown): unknown {
  if (typeof value === 'boolean') return value ? 1 : 0
  if (typeof value === 'bigint') return Number(value)
  if (value instanceof Uint8Array) return `x'${Buffer.from(value).toString('hex')}'`
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value)) return Number(value)
  if (Array.isArray(value)) return value.map(normalize)
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalize(v)]))
  return value
}

export interface ShopQuery {
  name: string
  run: (db: Db) => Promise<unknown[]>
}

/**
 * Queries from the part 2 differential suite's repertoire, written once in portable Kysely and run
 * on the source and on each copy: joins, group by / having, order by with limit and offset,
 * in / exists / scalar subqueries, common table expressions, unions. Each is fully ordered.
 */
export const SHOP_QUERIES: readonly ShopQuery[] = [
  {
    name: 'inner join with a filter',
    run: (db) =>
      db
        .selectFrom('orders as o')
        .innerJoin('users as u', 'u.id', 'o.user_id')
        .select(['o.id', 'u.name', 'o.total'])
        .where('o.total', '>', 100)
        .orderBy('o.id')
        .execute(),
  },
  {
    name: 'left join, count per user',
    run: (db) =>
      db
        .selectFrom('users as u')
        .leftJoin('orders as o', 'o.user_id', 'u.id')
        .select((eb) => ['u.id', 'u.name', eb.fn.count('o.id').as('n'), eb.fn.sum('o.total').as('spent')])
        .groupBy(['u.id', 'u.name'])
        .orderBy('u.id')
        .execute(),
  },
  {
    name: 'group by status with having',
    run: (db) =>
      db
        .selectFrom('orders')
        .select((eb) => [
          'status',
          eb.fn.countAll().as('n'),
          eb.fn.min('total').as('lo'),
          eb.fn.max('total').as('hi'),
          eb.fn.count('note').distinct().as('notes'),
        ])
        .groupBy('status')
        .having((eb) => eb.fn.countAll(), '>', 5)
        .orderBy('status')
        .execute(),
  },
  {
    name: 'three-table join through the composite key',
    run: (db) =>
      db
        .selectFrom('items as i')
        .innerJoin('orders as o', 'o.id', 'i.order_id')
        .innerJoin('products as p', 'p.sku', 'i.sku')
        .select(['i.order_id', 'i.line', 'p.title', 'i.qty', 'o.status'])
        .where('i.qty', '>=', 3)
        .orderBy('i.order_id')
        .orderBy('i.line')
        .execute(),
  },
  {
    name: 'in subquery',
    run: (db) =>
      db
        .selectFrom('users')
        .select(['id', 'name'])
        .where('id', 'in', db.selectFrom('orders').select('user_id').where('status', '=', 'shipped'))
        .orderBy('id')
        .execute(),
  },
  {
    name: 'correlated not exists',
    run: (db) =>
      db
        .selectFrom('products as p')
        .select(['p.sku', 'p.title'])
        .where((eb) => eb.not(eb.exists(db.selectFrom('items as i').select('i.line').whereRef('i.sku', '=', 'p.sku'))))
        .orderBy('p.sku')
        .execute(),
  },
  {
    name: 'scalar subquery in the selection',
    run: (db) =>
      db
        .selectFrom('users as u')
        .select((eb) => [
          'u.id',
          eb
            .selectFrom('orders as o')
            .select((e) => e.fn.max('o.total').as('m'))
            .whereRef('o.user_id', '=', 'u.id')
            .as('top'),
        ])
        .orderBy('u.id')
        .execute(),
  },
  {
    name: 'order by text descending with limit and offset',
    run: (db) =>
      db.selectFrom('users').select(['name', 'id']).orderBy('name', 'desc').orderBy('id').limit(7).offset(3).execute(),
  },
  {
    name: 'common table expression joined back',
    run: (db) =>
      db
        .with('spend', (w) =>
          w
            .selectFrom('items')
            .select((eb) => ['order_id', eb.fn.sum('qty').as('units')])
            .groupBy('order_id'),
        )
        .selectFrom('orders as o')
        .innerJoin('spend as s', 's.order_id', 'o.id')
        .select(['o.id', 's.units', 'o.status'])
        .where('s.units', '>', 4)
        .orderBy('o.id')
        .execute(),
  },
  {
    name: '64-bit integers compared exactly',
    run: (db) =>
      db
        .selectFrom('users')
        .select((eb) => ['id', eb.cast('big', 'text').as('big')])
        .where('big', '>', 2n ** 62n)
        .orderBy('id')
        .execute(),
  },
  {
    name: 'nulls: coalesce and is null in a join',
    run: (db) =>
      db
        .selectFrom('orders as o')
        .leftJoin('users as u', 'u.id', 'o.user_id')
        .select((eb) => ['o.id', eb.fn.coalesce('u.email', eb.val('none')).as('email')])
        .where((eb) => eb.or([eb('o.note', 'is', null), eb('u.id', 'is', null)]))
        .orderBy('o.id')
        .execute(),
  },
  {
    name: 'union of two selections, ordered',
    run: (db) =>
      db
        .selectFrom('orders')
        .select('status as v')
        .union(db.selectFrom('events').select('kind as v').where('kind', 'is not', null))
        .orderBy('v')
        .execute(),
  },
]
