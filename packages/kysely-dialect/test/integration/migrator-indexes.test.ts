import { expect } from 'chai'
import { promises as fs, mkdirSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { expectCheck, rejection, useTempDir, VERSIONS, type AnyDB, type KyselyVersion } from './support.js'

/**
 * Migrations as applications write them once they have data: indexes created and dropped (unique,
 * composite), rows moved between tables by insert ... select over joins and group by, updates and
 * deletes driven by subqueries; then introspection of the result, and the indexes proven by what
 * they enforce. Migration files are ES modules on disk, run by Kysely's FileMigrationProvider.
 */
const MIGRATIONS: Record<string, string> = {
  '0001_schema': `export async function up(db) {
  await db.schema.createTable('users')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('city', 'text')
    .addColumn('age', 'integer')
    .execute()
  await db.schema.createTable('orders')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    // No references: the seed holds an order of a user that does not exist, which the joins see.
    .addColumn('user_id', 'integer')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('amount', 'integer', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('users_email_unique').on('users').column('email').unique().execute()
  await db.schema.createIndex('users_city_age').on('users').columns(['city', 'age']).execute()
  await db.schema.createIndex('orders_user').on('orders').column('user_id').execute()
}
export async function down(db) {
  await db.schema.dropTable('orders').execute()
  await db.schema.dropTable('users').execute()
}
`,
  '0002_seed': `export async function up(db) {
  await db.insertInto('users').values([
    { email: 'a@x', city: 'Oslo', age: 30 },
    { email: 'b@x', city: 'Oslo', age: 41 },
    { email: 'c@x', city: 'Lima', age: null },
    { email: 'd@x', city: null, age: 25 },
  ]).execute()
  await db.insertInto('orders').values([
    { id: 10, user_id: 1, status: 'paid', amount: 100 },
    { id: 11, user_id: 1, status: 'paid', amount: 50 },
    { id: 12, user_id: 2, status: 'new', amount: 70 },
    { id: 13, user_id: 3, status: 'paid', amount: 5 },
    { id: 14, user_id: 9, status: 'paid', amount: 1 },
    { id: 15, user_id: null, status: 'void', amount: 0 },
  ]).execute()
}
export async function down(db) {
  await db.deleteFrom('orders').execute()
  await db.deleteFrom('users').execute()
}
`,
  // Rows moved by insert ... select over a join and a group by; a composite unique index on the new table.
  '0003_totals': `export async function up(db) {
  await db.schema.createTable('user_totals')
    .addColumn('user_id', 'integer', (c) => c.primaryKey())
    .addColumn('city', 'text')
    .addColumn('orders', 'integer', (c) => c.notNull())
    .addColumn('paid', 'integer', (c) => c.notNull())
    .execute()
  await db.insertInto('user_totals')
    .columns(['user_id', 'city', 'orders', 'paid'])
    .expression(
      db.selectFrom('users as u')
        .innerJoin('orders as o', 'o.user_id', 'u.id')
        .select((eb) => [
          'u.id', 'u.city', eb.fn.countAll().as('n'),
          eb.fn.sum(eb.case().when('o.status', '=', 'paid').then(eb.ref('o.amount')).else(0).end()).as('paid'),
        ])
        .groupBy(['u.id', 'u.city']),
    )
    .execute()
  await db.schema.createIndex('user_totals_city_paid').on('user_totals').columns(['city', 'paid']).unique().execute()
}
export async function down(db) {
  await db.schema.dropTable('user_totals').execute()
}
`,
  // Index changes on tables with rows: drop the composite index for a one-column one, add a composite
  // unique index, and clean data with subqueries.
  '0004_reindex': `export async function up(db) {
  await db.schema.dropIndex('users_city_age').execute()
  await db.schema.createIndex('users_city').on('users').column('city').execute()
  await db.deleteFrom('orders').where('user_id', 'not in', db.selectFrom('users').select('id')).execute()
  await db.updateTable('users')
    .set((eb) => ({ age: eb.selectFrom('orders').select((e) => e.fn.max('amount').as('m')).whereRef('orders.user_id', '=', 'users.id') }))
    .where('age', 'is', null)
    .execute()
  await db.schema.createIndex('orders_user_status_id').on('orders').columns(['user_id', 'status', 'id']).unique().execute()
}
export async function down(db) {
  await db.schema.dropIndex('orders_user_status_id').execute()
  await db.schema.dropIndex('users_city').execute()
  await db.schema.createIndex('users_city_age').on('users').columns(['city', 'age']).execute()
}
`,
}

function writeMigrations(dir: string, extra: Record<string, string> = {}): string {
  const folder = path.join(dir, 'migrations')
  mkdirSync(folder)
  writeFileSync(path.join(folder, 'package.json'), '{ "type": "module" }\n')
  for (const [name, text] of Object.entries({ ...MIGRATIONS, ...extra }))
    writeFileSync(path.join(folder, `${name}.js`), text)
  return folder
}

function migrator(version: KyselyVersion, db: AnyDB, folder: string) {
  return new version.Migrator({
    db,
    provider: new version.FileMigrationProvider({ fs, path, migrationFolder: folder }),
  })
}

/** Index names as the catalog holds them are not in Kysely's metadata: prove each by what it does. */
async function code(p: Promise<unknown>): Promise<string | undefined> {
  return (await rejection(p)).code
}

for (const version of VERSIONS) {
  describe(`integration (${version.name}): migrations with indexes, joins and data moves`, () => {
    const t = useTempDir(version)

    it('runs to the latest: data moved by insert ... select over a join, indexes enforced, introspection after', async () => {
      const db = t.open()
      const result = await migrator(version, db, writeMigrations(t.dir())).migrateToLatest()
      expect(result.error).to.equal(undefined)
      expect(result.results?.map((r) => `${r.migrationName} ${r.status}`)).to.deep.equal([
        '0001_schema Success',
        '0002_seed Success',
        '0003_totals Success',
        '0004_reindex Success',
      ])
      expect(await db.selectFrom('user_totals').selectAll().orderBy('user_id').execute()).to.deep.equal([
        { user_id: 1, city: 'Oslo', orders: 2, paid: 150 },
        { user_id: 2, city: 'Oslo', orders: 1, paid: 0 },
        { user_id: 3, city: 'Lima', orders: 1, paid: 5 },
      ])
      // 0004: the dangling order went (the one without a user stays: null not in (...) is null), a
      // null age was filled from the user's largest order.
      expect(await db.selectFrom('orders').select('id').orderBy('id').execute()).to.deep.equal(
        [10, 11, 12, 13, 15].map((id) => ({ id })),
      )
      expect(await db.selectFrom('users').select(['id', 'age']).orderBy('id').execute()).to.deep.equal([
        { id: 1, age: 30 },
        { id: 2, age: 41 },
        { id: 3, age: 5 },
        { id: 4, age: 25 },
      ])

      // The unique indexes hold (one column, and composite on the moved rows); plain ones do not refuse duplicates.
      expect(await code(db.insertInto('users').values({ email: 'a@x' }).execute())).to.equal(
        'BTREE_SQL_UNIQUE_VIOLATION',
      )
      expect(
        await code(db.insertInto('user_totals').values({ user_id: 9, city: 'Oslo', orders: 1, paid: 150 }).execute()),
      ).to.equal('BTREE_SQL_UNIQUE_VIOLATION')
      await db.insertInto('user_totals').values({ user_id: 9, city: 'Oslo', orders: 1, paid: 151 }).execute()
      await db.insertInto('users').values({ email: 'e@x', city: 'Oslo', age: 30 }).execute()
      // The dropped index is gone (dropping it again fails), its replacement is there (creating it again fails).
      expect(await code(db.schema.dropIndex('users_city_age').execute())).to.equal('BTREE_SQL_NO_SUCH_INDEX')
      expect(await code(db.schema.createIndex('users_city').on('users').column('city').execute())).to.equal(
        'BTREE_SQL_INDEX_EXISTS',
      )
      expect(
        await db.selectFrom('users').select('email').where('city', '=', 'Oslo').orderBy('email').execute(),
      ).to.deep.equal([{ email: 'a@x' }, { email: 'b@x' }, { email: 'e@x' }])

      const tables = await db.introspection.getTables()
      expect(tables.map((tb) => tb.name)).to.deep.equal(['orders', 'user_totals', 'users'])
      expect(
        tables.map(
          (tb) =>
            `${tb.name}(${tb.columns.map((c) => `${c.name} ${c.dataType}${c.isNullable ? '' : ' not null'}`).join(', ')})`,
        ),
      ).to.deep.equal([
        'orders(id INTEGER, user_id INTEGER, status TEXT not null, amount INTEGER not null)',
        'user_totals(user_id INTEGER, city TEXT, orders INTEGER not null, paid INTEGER not null)',
        'users(id INTEGER, email TEXT not null, city TEXT, age INTEGER)',
      ])
      const all = await db.introspection.getTables({ withInternalKyselyTables: true })
      expect(all.map((tb) => tb.name)).to.deep.equal([
        'kysely_migration',
        'kysely_migration_lock',
        'orders',
        'user_totals',
        'users',
      ])
      const introspector = db.introspection as unknown as {
        getMetadata?: (o?: { withInternalKyselyTables: boolean }) => Promise<{ tables: { name: string }[] }>
      }
      if (version.name.endsWith('0.28'))
        expect((await introspector.getMetadata!()).tables.map((tb) => tb.name)).to.deep.equal(
          tables.map((tb) => tb.name),
        )
      await expectCheck(db)
    })

    it('migrates down step by step: indexes restored, moved rows and tables gone', async () => {
      const db = t.open()
      const folder = writeMigrations(t.dir())
      await migrator(version, db, folder).migrateToLatest()
      const down = await migrator(version, db, folder).migrateDown()
      expect(down.results?.map((r) => `${r.migrationName} ${r.direction} ${r.status}`)).to.deep.equal([
        '0004_reindex Down Success',
      ])
      // users_city_age is back, users_city and the composite unique index are gone.
      expect(await code(db.schema.createIndex('users_city_age').on('users').column('age').execute())).to.equal(
        'BTREE_SQL_INDEX_EXISTS',
      )
      expect(await code(db.schema.dropIndex('users_city').execute())).to.equal('BTREE_SQL_NO_SUCH_INDEX')
      await db.insertInto('orders').values({ id: 20, user_id: 1, status: 'paid', amount: 1 }).execute()
      await migrator(version, db, folder).migrateDown()
      expect((await db.introspection.getTables()).map((tb) => tb.name)).to.deep.equal(['orders', 'users'])
      const toZero = await migrator(version, db, folder).migrateTo(version.NO_MIGRATIONS)
      expect(toZero.error).to.equal(undefined)
      expect((await db.introspection.getTables()).map((tb) => tb.name)).to.deep.equal([])
      // Up again from nothing: the same data, so the index builds find the same rows.
      const up = await migrator(version, db, folder).migrateToLatest()
      expect(up.error).to.equal(undefined)
      expect(await db.selectFrom('user_totals').select('user_id').orderBy('user_id').execute()).to.have.length(3)
      await expectCheck(db)
    })

    it('a unique index that the moved data violates fails the run, which leaves nothing behind', async () => {
      const db = t.open()
      const folder = writeMigrations(t.dir(), {
        '0005_broken': `export async function up(db) {
  await db.insertInto('orders').columns(['id', 'user_id', 'status', 'amount'])
    .expression(db.selectFrom('orders').select((eb) => [eb('id', '+', 100).as('id'), 'user_id', 'status', 'amount']))
    .execute()
  await db.schema.createIndex('orders_user_status').on('orders').columns(['user_id', 'status']).unique().execute()
}
`,
      })
      const result = await migrator(version, db, folder).migrateToLatest()
      expect((result.error as { code?: string }).code).to.equal('BTREE_SQL_UNIQUE_VIOLATION')
      expect(result.results?.at(-1)?.status).to.equal('Error')
      expect((await db.introspection.getTables()).map((tb) => tb.name)).to.deep.equal([])
      expect(await db.selectFrom('kysely_migration').selectAll().execute()).to.deep.equal([])
      await expectCheck(db)
    })
  })
}
