import { expect } from 'chai'
import { SqliteDialect } from 'kysely'
import { copyDatabase } from '../../src/index.js'
import { SqlJsSqliteDatabase } from '../helpers/sqljs-database.js'
import { rejection, useTempDir, VERSIONS, type AnyDB } from './support.js'

for (const version of VERSIONS) {
  describe(`integration (${version.name}): partial and expression indexes`, () => {
    const t = useTempDir(version)

    /** A new SQLite database (sql.js) holding a copyDatabase of `db`. */
    async function copiedIntoSqlite(db: AnyDB): Promise<AnyDB> {
      const sqlite: AnyDB = new version.Kysely({
        dialect: new SqliteDialect({ database: await SqlJsSqliteDatabase.create() }),
      })
      await copyDatabase(db, sqlite)
      return sqlite
    }

    /** The DDL SQLite keeps for an index, double quotes for backquotes. */
    async function indexSql(sqlite: AnyDB, name: string): Promise<string> {
      const ddl = await version.sql<{ sql: string }>`select sql from sqlite_master where name = ${name}`.execute(sqlite)
      return ddl.rows[0]!.sql.replace(/`/g, '"')
    }

    it('a partial unique index survives reopen, and copyDatabase makes it partial on SQLite', async () => {
      let db = t.open()
      await db.schema
        .createTable('acct')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('email', 'text')
        .addColumn('deleted', 'integer')
        .execute()
      await db.schema
        .createIndex('live_email')
        .on('acct')
        .column('email')
        .unique()
        .where(version.sql.ref('deleted'), 'is', null)
        .execute()
      await db
        .insertInto('acct')
        .values([
          { id: 1, email: 'a', deleted: 1 },
          { id: 2, email: 'a', deleted: null },
        ])
        .execute()
      await db.destroy()

      db = t.open()
      expect((await rejection(db.insertInto('acct').values({ id: 3, email: 'a' }).execute())).code).to.equal(
        'BTREE_SQL_UNIQUE_VIOLATION',
      )
      await db.insertInto('acct').values({ id: 3, email: 'a', deleted: 1 }).execute()

      const sqlite = await copiedIntoSqlite(db)
      try {
        expect(await indexSql(sqlite, 'live_email')).to.equal(
          'CREATE UNIQUE INDEX "live_email" on "acct" ("email") where "deleted" is null',
        )
        await sqlite.insertInto('acct').values({ id: 4, email: 'a', deleted: 1 }).execute()
        expect(await rejection(sqlite.insertInto('acct').values({ id: 5, email: 'a' }).execute())).to.be.an('error')
      } finally {
        await sqlite.destroy()
      }
    })

    it('an expression index survives reopen, and copyDatabase makes it on SQLite', async () => {
      let db = t.open()
      await db.schema
        .createTable('person')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('email', 'text')
        .execute()
      await db.schema
        .createIndex('email_ci')
        .on('person')
        .expression(version.sql`lower(email)`)
        .unique()
        .execute()
      await db.insertInto('person').values({ id: 1, email: 'Ann@x' }).execute()
      await db.destroy()

      db = t.open()
      expect((await rejection(db.insertInto('person').values({ id: 2, email: 'ANN@X' }).execute())).code).to.equal(
        'BTREE_SQL_UNIQUE_VIOLATION',
      )
      const sqlite = await copiedIntoSqlite(db)
      try {
        expect(await indexSql(sqlite, 'email_ci')).to.equal(
          'CREATE UNIQUE INDEX "email_ci" on "person" (lower("email"))',
        )
        expect(await rejection(sqlite.insertInto('person').values({ id: 2, email: 'aNN@x' }).execute())).to.be.an(
          'error',
        )
      } finally {
        await sqlite.destroy()
      }
    })
  })
}
