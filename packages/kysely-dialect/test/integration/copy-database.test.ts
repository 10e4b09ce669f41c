import { PGlite } from '@electric-sql/pglite'
import { expect } from 'chai'
import { promises as fs, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { FileMigrationProvider, Kysely, Migrator, SqliteDialect, sql } from 'kysely'
import { PGliteDialect } from 'kysely-pglite-dialect'
import { copyDatabase, type CopyProgress } from '../../src/index.js'
import { createShop, dumpTable, fillShop, normalize, SHOP_QUERIES, SHOP_TABLES, WIDE } from '../helpers/copy-fixture.js'
import { SqlJsSqliteDatabase } from '../helpers/sqljs-database.js'
import { expectCheck, rejection, useTempDir, VERSIONS, type AnyDB } from './support.js'

/**
 * copyDatabase into PGlite (PostgreSQL in WASM) and into SQLite (sql.js behind Kysely's own
 * SqliteDialect): every row of every table must arrive, and the part 2 differential queries must
 * give the copy's answers on the source. PostgreSQL's answers are compared after `normalize`
 * (booleans, numeric and bigint types); SQLite's are compared as they come.
 */
const SEED = Number(process.env['KYSELY_COPY_SEED'] ?? 20261202)

async function sameData(source: AnyDB, copy: AnyDB, normalizeBoth: boolean): Promise<void> {
  for (const table of SHOP_TABLES) {
    const expected = await dumpTable(source, table)
    const actual = await dumpTable(copy, table)
    expect(expected.length, table.name).to.be.greaterThan(0)
    if (normalizeBoth) expect(normalize(actual), table.name).to.deep.equal(normalize(expected))
    else expect(actual, table.name).to.deep.equal(expected)
  }
}

/** Two views on the shop: the one named first reads the other, so name order is the wrong order. */
async function viewsOnShop(db: AnyDB): Promise<void> {
  await db.schema
    .createView('z_order_totals')
    .columns(['user_id', 'orders', 'spent'])
    .as(
      db
        .selectFrom('orders')
        .select((eb) => ['user_id', eb.fn.countAll().as('n'), eb.fn.sum('total').as('s')])
        .groupBy('user_id'),
    )
    .execute()
  await db.schema
    .createView('a_big_spenders')
    .as(db.selectFrom('z_order_totals').select(['user_id', 'orders']).where('orders', '>=', 2))
    .execute()
}

/** Both views answer alike on the source and the copy (as sets: PostgreSQL sorts nulls last). */
async function sameViews(source: AnyDB, copy: AnyDB): Promise<void> {
  const rows = async (db: AnyDB, view: string): Promise<string[]> =>
    (await db.selectFrom(view).select(['user_id', 'orders']).execute())
      .map((r) => `${r.user_id === null ? 'null' : Number(r.user_id)} ${Number(r.orders)}`)
      .sort()
  for (const view of ['z_order_totals', 'a_big_spenders']) {
    const expected = await rows(source, view)
    expect(await rows(copy, view), view).to.deep.equal(expected)
    expect(expected.length, view).to.be.greaterThan(0)
  }
}

async function sameAnswers(source: AnyDB, copy: AnyDB, normalizeBoth: boolean): Promise<void> {
  for (const query of SHOP_QUERIES) {
    const expected = await query.run(source)
    const actual = await query.run(copy)
    expect(expected.length, `${query.name} returns rows`).to.be.greaterThan(0)
    if (normalizeBoth) expect(normalize(actual), query.name).to.deep.equal(normalize(expected))
    else expect(actual, query.name).to.deep.equal(expected)
  }
}

/** The schema PostgreSQL ended up with: types, nullability, and the indexes by definition. */
async function postgresSchema(pg: PGlite): Promise<{ columns: string[]; indexes: string[] }> {
  const columns = await pg.query<{ c: string }>(
    `select table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || coalesce(' default ' || column_default, '') as c
     from information_schema.columns where table_schema = 'public' order by table_name, ordinal_position`,
  )
  const indexes = await pg.query<{ d: string }>(
    `select indexdef as d from pg_indexes where schemaname = 'public' order by indexname`,
  )
  return { columns: columns.rows.map((r) => r.c), indexes: indexes.rows.map((r) => r.d) }
}

describe('copyDatabase into PGlite (kysely 0.28)', function () {
  this.timeout(120_000)
  const tmp = useTempDir(VERSIONS[0]!)
  let pg: PGlite
  let target: Kysely<any> // eslint-disable-line @typescript-eslint/no-explicit-any

  before(async () => {
    // One PostgreSQL for the suite: starting PGlite costs seconds.
    pg = await PGlite.create()
    target = new Kysely({ dialect: new PGliteDialect(pg) })
  })
  after(async () => {
    await target.destroy()
  })
  beforeEach(async () => {
    await pg.exec('drop schema public cascade; create schema public')
  })

  it('recreates tables, keys, constraints and indexes with PostgreSQL types', async () => {
    const source = tmp.open({ durability: 'none' })
    await createShop(source)
    await fillShop(source, SEED)
    const result = await copyDatabase(source, target, { batchSize: 37 })
    expect(result.tables.map((t) => t.name)).to.deep.equal(['events', 'items', 'orders', 'products', 'users'])
    const schema = await postgresSchema(pg)
    expect(schema.columns).to.include.members([
      'users.id bigint NO',
      'users.name text NO',
      'users.big bigint YES',
      'users.score double precision YES',
      'users.avatar bytea YES',
      'users.active boolean NO default true',
      "users.joined text YES default to_char((now() AT TIME ZONE 'UTC'::text), 'YYYY-MM-DD HH24:MI:SS'::text)",
      'orders.total double precision NO default 0',
      "orders.status text NO default 'new'::text",
      'items.price numeric YES',
      'products.weight double precision YES',
      'events.at bigint YES',
    ])
    // Text columns compare by bytes, as SQLite's BINARY collation, whatever the server's default.
    const collated = await pg.query<{ c: string }>(
      `select table_name || '.' || column_name as c from information_schema.columns
       where table_schema = 'public' and data_type = 'text' and collation_name is distinct from 'C'`,
    )
    expect(collated.rows).to.deep.equal([])
    expect(schema.indexes).to.deep.equal([
      'CREATE UNIQUE INDEX items_pkey ON public.items USING btree (order_id, line)',
      'CREATE INDEX items_sku ON public.items USING btree (sku)',
      'CREATE UNIQUE INDEX orders_pkey ON public.orders USING btree (id)',
      'CREATE INDEX orders_status_total ON public.orders USING btree (status, total)',
      'CREATE INDEX orders_user ON public.orders USING btree (user_id)',
      'CREATE UNIQUE INDEX products_pkey ON public.products USING btree (sku)',
      'CREATE UNIQUE INDEX products_title_unique ON public.products USING btree (title)',
      'CREATE UNIQUE INDEX products_title_weight_key ON public.products USING btree (title, weight)',
      'CREATE UNIQUE INDEX users_email_key ON public.users USING btree (email)',
      'CREATE UNIQUE INDEX users_pkey ON public.users USING btree (id)',
    ])
    await expectCheck(source)
  })

  it('copies every row (nulls, blobs, 64-bit integers, reals, unicode) and answers the differential queries alike', async () => {
    const source = tmp.open({ durability: 'none' })
    await createShop(source)
    await fillShop(source, SEED)
    await copyDatabase(source, target, { batchSize: 50 })
    await sameData(source, target, true)
    // Exactly, without normalize: the widest integers and the blobs as PostgreSQL holds them.
    const wide = await target.selectFrom('users').select('big').orderBy('id').limit(WIDE.length).execute()
    expect(wide.map((r) => BigInt(r.big))).to.deep.equal(WIDE)
    await sameAnswers(source, target, true)
    // The identity continues after the largest id copied, and the defaults apply.
    const added = await target
      .insertInto('users')
      .values({ name: 'new' })
      .returning(['id', 'active', 'joined'])
      .executeTakeFirstOrThrow()
    const max = await source
      .selectFrom('users')
      .select((eb) => eb.fn.max('id').as('m'))
      .executeTakeFirstOrThrow()
    expect(Number(added.id)).to.equal(Number(max.m) + 1)
    expect(added.active).to.equal(true)
    expect(added.joined).to.match(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/)
    // The constraints hold on the copy: a duplicate email and a null name are refused.
    const dup = await target
      .selectFrom('users')
      .select('email')
      .where('email', 'is not', null)
      .executeTakeFirstOrThrow()
    await expectRejects(target.insertInto('users').values({ name: 'x', email: dup.email }).execute(), /unique/i)
    await expectRejects(target.insertInto('users').values({ name: null }).execute(), /null/i)
    await expectCheck(source)
  })

  it('chooses PostgreSQL types from the values: mixed columns as text, booleans only when 0/1, numeric when declared', async () => {
    const source = tmp.open({ durability: 'none' })
    await source.schema
      .createTable('m')
      .addColumn('k', 'integer', (c) => c.primaryKey())
      .addColumn('mixed', 'integer')
      .addColumn('flag', 'boolean')
      .addColumn('not_flag', 'boolean')
      .addColumn('amount', 'decimal(8, 2)')
      .addColumn('ratio', 'real')
      .addColumn('untyped', VERSIONS[0]!.sql``)
      .addColumn('nothing', 'numeric')
      .execute()
    await source
      .insertInto('m')
      .values([
        { k: 1, mixed: 7, flag: 1, not_flag: 2, amount: 1.25, ratio: 3, untyped: 'x', nothing: null },
        { k: 2, mixed: 'seven', flag: 0, not_flag: 0, amount: 10, ratio: 0.5, untyped: 2.5, nothing: null },
        { k: 3, mixed: 2.5, flag: null, not_flag: 1, amount: null, ratio: null, untyped: null, nothing: null },
      ])
      .execute()
    await copyDatabase(source, target)
    const types = await pg.query<{ c: string }>(
      `select column_name || ' ' || data_type as c from information_schema.columns where table_name = 'm' order by ordinal_position`,
    )
    expect(types.rows.map((r) => r.c)).to.deep.equal([
      'k bigint',
      'mixed text',
      'flag boolean',
      'not_flag bigint',
      'amount numeric',
      'ratio double precision',
      'untyped text',
      'nothing numeric',
    ])
    const rows = await target.selectFrom('m').selectAll().orderBy('k').execute()
    expect(rows).to.deep.equal([
      { k: 1, mixed: '7', flag: true, not_flag: 2, amount: '1.25', ratio: 3, untyped: 'x', nothing: null },
      { k: 2, mixed: 'seven', flag: false, not_flag: 0, amount: '10', ratio: 0.5, untyped: '2.5', nothing: null },
      { k: 3, mixed: '2.5', flag: null, not_flag: 1, amount: null, ratio: null, untyped: null, nothing: null },
    ])
    await expectCheck(source)
  })

  it('fails with BTREE_SQL_COPY_FAILED where PostgreSQL refuses what SQLite holds: blobs mixed with text, a NUL in text', async () => {
    const source = tmp.open({ durability: 'none' })
    await source.schema
      .createTable('b')
      .addColumn('v', VERSIONS[0]!.sql``)
      .execute()
    await source
      .insertInto('b')
      .values([{ v: Buffer.from([1]) }, { v: 'text' }])
      .execute()
    await source.schema.createTable('z').addColumn('t', 'text').execute()
    await source.insertInto('z').values({ t: 'a\u0000b' }).execute()
    const mixed = await rejection(copyDatabase(source, target, { tables: ['b'] }))
    expect(mixed.code).to.equal('BTREE_SQL_COPY_FAILED')
    expect(mixed.message).to.contain('b.v')
    const nul = await rejection(copyDatabase(source, target, { tables: ['z'] }))
    expect(nul.code).to.equal('BTREE_SQL_COPY_FAILED')
    expect(nul.message).to.match(/inserting rows 1-1 of z/)
    expect(nul.cause).to.be.instanceOf(Error)
  })

  it("carries Kysely's migration tables: the Migrator on the copy sees the migrations as done and runs only new ones", async () => {
    const folder = join(tmp.dir(), 'migrations')
    mkdirSync(folder)
    writeFileSync(join(folder, 'package.json'), '{ "type": "module" }\n')
    const migration = (table: string): string =>
      `export async function up(db) { await db.schema.createTable('${table}').addColumn('id', 'integer', (c) => c.primaryKey()).addColumn('label', 'text').execute() }\n`
    writeFileSync(join(folder, '0001_first.js'), migration('first'))
    const migrator = (db: AnyDB) =>
      new Migrator({ db, provider: new FileMigrationProvider({ fs, path: { join }, migrationFolder: folder }) })
    const source = tmp.open({ durability: 'none' })
    expect((await migrator(source).migrateToLatest()).error).to.equal(undefined)
    await source.insertInto('first').values({ id: 1, label: 'one' }).execute()
    await copyDatabase(source, target)
    expect((await migrator(target).migrateToLatest()).results).to.deep.equal([])
    writeFileSync(join(folder, '0002_second.js'), migration('second'))
    const next = await migrator(target).migrateToLatest()
    expect(next.results?.map((r) => `${r.migrationName} ${r.status}`)).to.deep.equal(['0002_second Success'])
    expect(await target.selectFrom('first').selectAll().execute()).to.deep.equal([{ id: 1, label: 'one' }])
    await expectCheck(source)
  })

  it('copies into PGlite on a file in a temporary folder, which reopens with the rows', async () => {
    const source = tmp.open({ durability: 'none' })
    await createShop(source)
    await fillShop(source, SEED + 1, { users: 10, orders: 30 })
    const dataDir = `${tmp.dir()}/pgdata`
    const onDisk = new Kysely<any>({ dialect: new PGliteDialect(new PGlite(dataDir)) }) // eslint-disable-line @typescript-eslint/no-explicit-any
    try {
      await copyDatabase(source, onDisk, { tables: ['users', 'orders'] })
    } finally {
      await onDisk.destroy()
    }
    const reopened = new Kysely<any>({ dialect: new PGliteDialect(new PGlite(dataDir)) }) // eslint-disable-line @typescript-eslint/no-explicit-any
    try {
      for (const table of SHOP_TABLES.filter((t) => t.name === 'users' || t.name === 'orders'))
        expect(normalize(await dumpTable(reopened, table))).to.deep.equal(normalize(await dumpTable(source, table)))
    } finally {
      await reopened.destroy()
    }
  })

  it('makes the views on PostgreSQL, a view over a view after the one it reads', async () => {
    const source = tmp.open({ durability: 'none' })
    await createShop(source)
    await fillShop(source, SEED + 3)
    await viewsOnShop(source)
    // A trigger is SQLite's text: not made on PostgreSQL.
    await sql`create trigger t after insert on orders begin select 1; end`.execute(source)
    const result = await copyDatabase(source, target)
    expect(result.views).to.deep.equal(['a_big_spenders', 'z_order_totals'])
    expect(result.triggers).to.deep.equal([])
    await sameViews(source, target)
  })
})

async function expectRejects(p: Promise<unknown>, message: RegExp): Promise<void> {
  try {
    await p
  } catch (err) {
    expect((err as Error).message).to.match(message)
    return
  }
  expect.fail('expected a rejection')
}

for (const version of VERSIONS) {
  describe(`copyDatabase into SQLite and btree-store (${version.name})`, () => {
    const tmp = useTempDir(version)

    it('into SQLite (sql.js): declared types kept, every row and every answer identical', async () => {
      const source = tmp.open({ durability: 'none' })
      await createShop(source)
      await fillShop(source, SEED)
      const sqlite = new version.Kysely({
        dialect: new SqliteDialect({ database: await SqlJsSqliteDatabase.create() }),
      })
      try {
        const progress: CopyProgress[] = []
        const result = await copyDatabase(source, sqlite, { batchSize: 64, onProgress: (p) => void progress.push(p) })
        await sameData(source, sqlite, false)
        await sameAnswers(source, sqlite, false)
        // SQLite's own view of the copied schema: declared types, the autoincrement rowid, the indexes.
        const ddl = await sql<{
          sql: string
        }>`select sql from sqlite_master where sql is not null order by name`.execute(sqlite)
        const statements = ddl.rows.map((r) => r.sql.replace(/`/g, '"'))
        expect(statements).to.include.members([
          'CREATE TABLE "users" ("id" integer primary key autoincrement, "name" varchar(100) not null, "email" text, "big" bigint, "score" real, "avatar" blob, "active" boolean default 1 not null, "joined" text default CURRENT_TIMESTAMP, constraint "users_email_key" unique ("email"))',
          'CREATE TABLE "items" ("order_id" integer not null, "line" integer not null, "sku" text not null, "qty" integer not null, "price" numeric(10, 2), constraint "items_pkey" primary key ("order_id", "line"))',
          'CREATE INDEX "orders_status_total" on "orders" ("status", "total")',
          'CREATE UNIQUE INDEX "products_title_unique" on "products" ("title")',
        ])
        // Progress: per batch, monotonic, ending at the totals.
        const last = progress.at(-1)!
        expect(last.rowsCopied).to.equal(result.rows)
        expect(last.totalRows).to.equal(result.rows)
        expect(last.tablesDone).to.equal(5)
        for (let i = 1; i < progress.length; i++)
          expect(progress[i]!.rowsCopied).to.be.at.least(progress[i - 1]!.rowsCopied)
        const usersDone = progress.filter((p) => p.table === 'users').at(-1)!
        expect(usersDone.tableRowsCopied).to.equal(usersDone.tableRows)
        await expectCheck(source)
      } finally {
        await sqlite.destroy()
      }
    })

    it('views: made on SQLite and on another btree-store file, answering alike; none with `tables`', async () => {
      const source = tmp.open({ durability: 'none' })
      await createShop(source)
      await fillShop(source, SEED + 4)
      await viewsOnShop(source)
      const sqlite = new version.Kysely({
        dialect: new SqliteDialect({ database: await SqlJsSqliteDatabase.create() }),
      })
      try {
        expect((await copyDatabase(source, sqlite)).views).to.deep.equal(['a_big_spenders', 'z_order_totals'])
        await sameViews(source, sqlite)
      } finally {
        await sqlite.destroy()
      }
      const copy = tmp.open({ durability: 'none' }, 'copy.db')
      expect((await copyDatabase(source, copy)).views).to.deep.equal(['a_big_spenders', 'z_order_totals'])
      await sameViews(source, copy)
      expect((await copy.introspection.getTables()).filter((t) => t.isView).map((t) => t.name)).to.deep.equal([
        'a_big_spenders',
        'z_order_totals',
      ])
      const some = tmp.open({ durability: 'none' }, 'some.db')
      expect((await copyDatabase(source, some, { tables: ['orders'] })).views).to.deep.equal([])
      await expectCheck(copy)
    })

    it('triggers: made on SQLite and on another btree-store file after the rows (an audit log is copied, not written again); none with `tables`', async () => {
      const source = tmp.open({ durability: 'none' })
      await version.sql`create table item (id integer primary key, name text)`.execute(source)
      await version.sql`create table log (n integer primary key, what text)`.execute(source)
      await version.sql`create trigger item_in after insert on item begin insert into log (what) values ('in ' || new.name); end`.execute(
        source,
      )
      await version.sql`create trigger item_out before delete on item when old.name = 'keep' begin select raise(abort, 'kept'); end`.execute(
        source,
      )
      await source
        .insertInto('item')
        .values([{ name: 'a' }, { name: 'keep' }])
        .execute()
      const check = async (target: AnyDB): Promise<void> => {
        expect(await target.selectFrom('log').select('what').orderBy('n').execute()).to.deep.equal([
          { what: 'in a' },
          { what: 'in keep' },
        ])
        await target.insertInto('item').values({ name: 'b' }).execute()
        expect((await target.selectFrom('log').select('what').orderBy('n').execute()).map((r) => r.what)).to.deep.equal(
          ['in a', 'in keep', 'in b'],
        )
        expect((await rejection(target.deleteFrom('item').where('name', '=', 'keep').execute())).message).to.equal(
          'kept',
        )
      }
      const sqlite = new version.Kysely({
        dialect: new SqliteDialect({ database: await SqlJsSqliteDatabase.create() }),
      })
      try {
        expect((await copyDatabase(source, sqlite)).triggers).to.deep.equal(['item_in', 'item_out'])
        await check(sqlite)
      } finally {
        await sqlite.destroy()
      }
      const copy = tmp.open({ durability: 'none' }, 'copy.db')
      expect((await copyDatabase(source, copy)).triggers).to.deep.equal(['item_in', 'item_out'])
      await check(copy)
      // Copied again over it: 'replace' makes them afresh (one each, not two).
      expect((await copyDatabase(source, copy, { ifTableExists: 'replace' })).triggers).to.deep.equal([
        'item_in',
        'item_out',
      ])
      await check(copy)
      const some = tmp.open({ durability: 'none' }, 'some.db')
      expect((await copyDatabase(source, some, { tables: ['item'] })).triggers).to.deep.equal([])
      await expectCheck(copy)
    })

    it('into another btree-store file: 64-bit integers exact, answers identical', async () => {
      const source = tmp.open({ durability: 'none' })
      await createShop(source)
      await fillShop(source, SEED + 2)
      const copy = tmp.open({ durability: 'none' }, 'copy.db')
      await copyDatabase(source, copy, { batchSize: 1000 })
      await sameData(source, copy, false)
      await sameAnswers(source, copy, false)
      const tables = await copy.introspection.getTables()
      expect(tables.map((t) => t.name)).to.deep.equal(['events', 'items', 'orders', 'products', 'users'])
      const users = tables.find((t) => t.name === 'users')!
      expect(users.columns.map((c) => `${c.name} ${c.dataType} ${c.isNullable} ${c.isAutoIncrementing}`)).to.deep.equal(
        [
          'id INTEGER true true',
          'name varchar(100) false false',
          'email TEXT true false',
          'big bigint true false',
          'score REAL true false',
          'avatar BLOB true false',
          'active boolean false false',
          'joined TEXT true false',
        ],
      )
      await expectCheck(source)
      await expectCheck(copy)
    })
  })
}
