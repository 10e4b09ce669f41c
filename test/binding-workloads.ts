/**
 * Cross-package: the workloads the bindings' crash tests run (bindings-power-loss.test.ts,
 * bindings-sigkill.test.ts), and how each reads back the state a crash left.
 *
 * A workload is a fixed sequence of steps, each one write as the binding's users make it (a Level
 * put, batch, chained batch, clear or sublevel clear; a Kysely statement, transaction or DDL
 * change). Each step is one engine commit or none (a rolled-back transaction), so after any crash
 * the data must read as it stood after some step: never half a batch, half a transaction or a
 * table without its index entries.
 */
import { type Generated, Kysely, sql } from 'kysely'
import type { Database } from 'btree-store'
import { BTreeLevel } from 'btree-level'
import { BTreeDialect, explain } from 'kysely-btree'

/** One write of a workload; `durable` says whether its promise resolves only once it is on disk. */
export interface Step<D> {
  readonly name: string
  readonly durable: boolean
  run(db: D): Promise<void>
}

export type LevelDb = BTreeLevel<string, string>

/** `sync: true`: abstract-level's option types leave out what classic-level and btree-level take. */
const SYNC = { sync: true } as object

const value = (tag: string, n: number): string => `${tag}:${n}:`.padEnd(40 + (n % 5) * 20, '.')

/**
 * Level: puts, batches and chained batches across the root, a sublevel and a nested one, deletes,
 * a value that needs overflow pages, a range clear and a sublevel clear (which drops buckets),
 * with `sync: true` on some writes and the default on the others.
 */
export const LEVEL_STEPS: readonly Step<LevelDb>[] = [
  { name: 'put a, sync', durable: true, run: (db) => db.put('a', '1', SYNC) },
  {
    name: 'batch: put b and c, del a',
    durable: false,
    run: (db) =>
      db.batch([
        { type: 'put', key: 'b', value: '2' },
        { type: 'put', key: 'c', value: '3' },
        { type: 'del', key: 'a' },
      ]),
  },
  { name: 'sublevel s: put x, sync', durable: true, run: (db) => db.sublevel('s').put('x', '10', SYNC) },
  {
    name: 'sublevel s: batch of 30 puts',
    durable: false,
    run: (db) =>
      db.sublevel('s').batch(
        Array.from({ length: 30 }, (_, i) => ({
          type: 'put' as const,
          key: `k${String(i).padStart(2, '0')}`,
          value: value('s', i),
        })),
      ),
  },
  { name: 'put a 3,000-byte value, sync', durable: true, run: (db) => db.put('big', 'B'.repeat(3000), SYNC) },
  {
    name: 'chained batch: put d, del c, put e, sync',
    durable: true,
    run: (db) => db.batch().put('d', '4').del('c').put('e', '5').write(SYNC),
  },
  { name: 'nested sublevel s/t: put y', durable: false, run: (db) => db.sublevel('s').sublevel('t').put('y', '20') },
  { name: 'del b, sync', durable: true, run: (db) => db.del('b', SYNC) },
  {
    name: 'batch of 60 puts across root and sublevel, sync',
    durable: true,
    run: (db) =>
      db.batch(
        Array.from({ length: 60 }, (_, i) =>
          i % 4 === 3
            ? { type: 'put' as const, key: `q${i}`, value: value('q', i), sublevel: db.sublevel('s') }
            : { type: 'put' as const, key: `r${String(i).padStart(3, '0')}`, value: value('r', i) },
        ),
        SYNC,
      ),
  },
  { name: 'clear r020..r040', durable: false, run: (db) => db.clear({ gte: 'r020', lt: 'r040' }) },
  { name: 'sublevel s: clear (drops s and s/t)', durable: false, run: (db) => db.sublevel('s').clear() },
  { name: 'overwrite the big value', durable: false, run: (db) => db.put('big', 'C'.repeat(2500)) },
  {
    name: 'batch: 30 dels and 30 puts, sync',
    durable: true,
    run: (db) =>
      db.batch(
        Array.from({ length: 60 }, (_, i) =>
          i % 2 === 0
            ? { type: 'del' as const, key: `r${String(i).padStart(3, '0')}` }
            : { type: 'put' as const, key: `w${i}`, value: value('w', i) },
        ),
        SYNC,
      ),
  },
  { name: 'sublevel s again: put x, sync', durable: true, run: (db) => db.sublevel('s').put('x', '11', SYNC) },
  { name: 'put z, sync', durable: true, run: (db) => db.put('z', 'last', SYNC) },
]

/** Everything a Level database holds, read through the root (sublevels' keys with their prefixes). */
export async function levelFingerprint(db: LevelDb): Promise<string> {
  return JSON.stringify(await db.iterator().all())
}

/** Opens a BTreeLevel on an open engine database (the engine stays open when it closes). */
export async function openLevel(engine: Database): Promise<LevelDb> {
  const db = new BTreeLevel<string, string>('crash', { database: engine })
  await db.open()
  return db
}

export interface KyDB {
  users: { id: Generated<number>; email: string; name: string; score: number | null; note: string | null }
  orders: { id: Generated<number>; user_id: number; total: number }
  notes: { id: number; order_id: number; body: string }
}

export type KyselyDb = Kysely<KyDB>

export function openKysely(engine: Database): KyselyDb {
  return new Kysely<KyDB>({ dialect: new BTreeDialect({ database: engine }) })
}

/** A transaction that fails after its writes: it must leave nothing behind, crash or not. */
class Abort extends Error {}

/**
 * Kysely: DDL (tables, a unique constraint, secondary indexes built over rows, a view, a column
 * added, an index dropped, a foreign key), multi-row inserts, transactions of updates, deletes and
 * inserts, one rolled back, an upsert, and a delete whose foreign key cascades to another table. The engine commits with durability 'full', so every step is durable once it resolves.
 */
export const KYSELY_STEPS: readonly Step<KyselyDb>[] = [
  {
    name: 'create table users',
    durable: true,
    run: async (db) => {
      await db.schema
        .createTable('users')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('email', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text')
        .addColumn('score', 'integer')
        .execute()
    },
  },
  {
    name: 'insert 25 users',
    durable: true,
    run: async (db) => {
      await db
        .insertInto('users')
        .values(
          Array.from({ length: 25 }, (_, i) => ({
            id: i + 1,
            email: `u${i + 1}@x`,
            name: `name ${i + 1}`.padEnd(60, '-'),
            score: i % 7,
          })),
        )
        .execute()
    },
  },
  {
    name: 'create index users_score',
    durable: true,
    run: async (db) => {
      await db.schema.createIndex('users_score').on('users').column('score').execute()
    },
  },
  {
    name: 'transaction: update, delete, insert',
    durable: true,
    run: (db) =>
      db.transaction().execute(async (trx) => {
        await trx
          .updateTable('users')
          .set((eb) => ({ score: eb('score', '+', 10) }))
          .where('id', '<=', 5)
          .execute()
        await trx.deleteFrom('users').where('id', 'in', [20, 21]).execute()
        await trx
          .insertInto('users')
          .values(Array.from({ length: 5 }, (_, i) => ({ id: 26 + i, email: `u${26 + i}@x`, name: 'late', score: 3 })))
          .execute()
      }),
  },
  {
    name: 'transaction rolled back',
    durable: true,
    run: async (db) => {
      try {
        await db.transaction().execute(async (trx) => {
          await trx.insertInto('users').values({ id: 31, email: 'u31@x', name: 'never', score: 1 }).execute()
          await trx.updateTable('users').set({ score: null }).execute()
          throw new Abort('rolled back on purpose')
        })
      } catch (err) {
        if (!(err instanceof Abort)) throw err
      }
    },
  },
  {
    name: 'upsert on the unique email',
    durable: true,
    run: async (db) => {
      await db
        .insertInto('users')
        .values({ id: 99, email: 'u3@x', name: 'dup', score: 50 })
        .onConflict((oc) => oc.column('email').doUpdateSet({ name: 'upserted', score: 50 }))
        .execute()
    },
  },
  {
    name: 'create table orders',
    durable: true,
    run: async (db) => {
      await db.schema
        .createTable('orders')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('user_id', 'integer', (c) => c.notNull())
        .addColumn('total', 'real', (c) => c.notNull())
        .execute()
    },
  },
  {
    name: 'transaction: 40 orders',
    durable: true,
    run: (db) =>
      db.transaction().execute(async (trx) => {
        for (let i = 0; i < 4; i++) {
          await trx
            .insertInto('orders')
            .values(
              Array.from({ length: 10 }, (_, j) => ({ user_id: ((i * 10 + j) % 28) + 1, total: (i * 10 + j) * 1.5 })),
            )
            .execute()
        }
      }),
  },
  {
    name: 'create index orders_user',
    durable: true,
    run: async (db) => {
      await db.schema.createIndex('orders_user').on('orders').column('user_id').execute()
    },
  },
  {
    name: 'create view big_orders',
    durable: true,
    run: async (db) => {
      await db.schema
        .createView('big_orders')
        .as(db.selectFrom('orders').select(['id', 'user_id', 'total']).where('total', '>=', 30))
        .execute()
    },
  },
  {
    name: 'alter table users add column note',
    durable: true,
    run: async (db) => {
      await db.schema.alterTable('users').addColumn('note', 'text').execute()
    },
  },
  {
    name: 'update notes where score > 10',
    durable: true,
    run: async (db) => {
      await db
        .updateTable('users')
        .set({ note: sql<string>`'n' || id` })
        .where('score', '>', 10)
        .execute()
    },
  },
  {
    name: 'delete small orders',
    durable: true,
    run: async (db) => {
      await db.deleteFrom('orders').where('total', '<', 20).execute()
    },
  },
  {
    name: 'transaction: create table notes (a key to orders, on delete cascade) and 20 notes',
    durable: true,
    run: (db) =>
      db.transaction().execute(async (trx) => {
        await trx.schema
          .createTable('notes')
          .addColumn('id', 'integer', (c) => c.primaryKey())
          .addColumn('order_id', 'integer', (c) => c.notNull().references('orders.id').onDelete('cascade'))
          .addColumn('body', 'text', (c) => c.notNull())
          .execute()
        const orders = await trx.selectFrom('orders').select('id').orderBy('id').limit(10).execute()
        await trx
          .insertInto('notes')
          .values(
            orders.flatMap((o, i) => [
              { id: 2 * i + 1, order_id: o.id, body: 'first' },
              { id: 2 * i + 2, order_id: o.id, body: 'second' },
            ]),
          )
          .execute()
      }),
  },
  {
    name: 'delete the orders of users 13 to 20: their notes cascade',
    durable: true,
    run: async (db) => {
      await db.deleteFrom('orders').where('user_id', '>=', 13).where('user_id', '<=', 20).execute()
    },
  },
  {
    name: 'drop index users_score',
    durable: true,
    run: async (db) => {
      await db.schema.dropIndex('users_score').execute()
    },
  },
  {
    name: 'transaction: delete users over 27 and their orders',
    durable: true,
    run: (db) =>
      db.transaction().execute(async (trx) => {
        await trx.deleteFrom('orders').where('user_id', '>', 27).execute()
        await trx.deleteFrom('users').where('id', '>', 27).execute()
      }),
  },
]

/**
 * Everything a Kysely database holds: its tables as introspection sees them, the index each
 * indexed column's lookup reads (from the plan: introspection lists no indexes), and every row of
 * each table in primary-key order.
 */
export async function kyselyFingerprint(db: KyselyDb): Promise<string> {
  const tables = (await db.introspection.getTables()).map((t) => ({
    name: t.name,
    columns: t.columns.map((c) => `${c.name} ${c.dataType}${c.isNullable ? '' : ' not null'}`),
  }))
  tables.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  const names = new Set(tables.map((t) => t.name))
  const indexes: (string | undefined)[] = []
  if (names.has('users')) {
    indexes.push((await explain(db, db.selectFrom('users').selectAll().where('email', '=', 'u1@x'))).scan.index)
    indexes.push((await explain(db, db.selectFrom('users').selectAll().where('score', '=', 1))).scan.index)
  }
  if (names.has('orders'))
    indexes.push((await explain(db, db.selectFrom('orders').selectAll().where('user_id', '=', 1))).scan.index)
  const rows: Record<string, unknown[]> = {}
  for (const t of tables) {
    const r = await sql<Record<string, unknown>>`select * from ${sql.table(t.name)} order by id`.execute(db)
    rows[t.name] = r.rows
  }
  return JSON.stringify({ tables, indexes, rows })
}

/**
 * Problems found comparing what the secondary and unique indexes answer with what a scan of the
 * table answers: every row found by its email (the unique index) and by each indexed column's
 * value, and no row more. Empty when they agree.
 */
export async function kyselyIndexProblems(db: KyselyDb): Promise<string[]> {
  const problems: string[] = []
  const names = new Set((await db.introspection.getTables()).map((t) => t.name))
  if (!names.has('users')) return problems
  const users = await db.selectFrom('users').select(['id', 'email', 'score']).orderBy('id').execute()
  for (const u of users) {
    const byEmail = await db.selectFrom('users').select('id').where('email', '=', u.email).execute()
    if (byEmail.length !== 1 || byEmail[0]!.id !== u.id) problems.push(`email ${u.email}: ${JSON.stringify(byEmail)}`)
  }
  for (const score of new Set(users.map((u) => u.score))) {
    if (score === null) continue
    const want = users.filter((u) => u.score === score).map((u) => u.id)
    const got = (await db.selectFrom('users').select('id').where('score', '=', score).orderBy('id').execute()).map(
      (r) => r.id,
    )
    if (JSON.stringify(got) !== JSON.stringify(want))
      problems.push(`score ${score}: ${JSON.stringify(got)} vs scan ${JSON.stringify(want)}`)
  }
  if (names.has('orders')) {
    const orders = await db.selectFrom('orders').select(['id', 'user_id']).orderBy('id').execute()
    for (const uid of new Set(orders.map((o) => o.user_id))) {
      const want = orders.filter((o) => o.user_id === uid).map((o) => o.id)
      const got = (await db.selectFrom('orders').select('id').where('user_id', '=', uid).orderBy('id').execute()).map(
        (r) => r.id,
      )
      if (JSON.stringify(got) !== JSON.stringify(want))
        problems.push(`orders of user ${uid}: ${JSON.stringify(got)} vs scan ${JSON.stringify(want)}`)
    }
  }
  return problems
}
