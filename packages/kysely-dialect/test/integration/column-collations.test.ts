import { expect } from 'chai'
import { SqliteDialect } from 'kysely'
import { PGlite } from '@electric-sql/pglite'
import { PGliteDialect } from 'kysely-pglite-dialect'
import { copyDatabase, explain } from '../../src/index.js'
import { SqlJsSqliteDatabase } from '../helpers/sqljs-database.js'
import { expectCheck, rejection, useTempDir, VERSIONS } from './support.js'

for (const version of VERSIONS) {
  describe(`integration (${version.name}): columns that declare a collation`, () => {
    const t = useTempDir(version)
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    type Db = InstanceType<typeof version.Kysely<any>>

    /** Copies `db` into a fresh sql.js database and hands it to `check`. */
    async function copiedToSqlite(db: Db, check: (sqlite: Db) => Promise<void>): Promise<void> {
      const sqlite: Db = new version.Kysely({
        dialect: new SqliteDialect({ database: await SqlJsSqliteDatabase.create() }),
      })
      try {
        await copyDatabase(db, sqlite)
        await check(sqlite)
      } finally {
        await sqlite.destroy()
      }
    }

    /**
     * copyDatabase refuses `db` for PostgreSQL with `message` before making anything there (the
     * first table, aaa, is not made either). PGlite is started for the first version only.
     */
    async function expectPostgresRefuses(db: Db, message: string): Promise<void> {
      if (version !== VERSIONS[0]) return
      const pg: Db = new version.Kysely({ dialect: new PGliteDialect(await PGlite.create()) })
      try {
        const refused = await rejection(copyDatabase(db, pg))
        expect(refused.code).to.equal('BTREE_SQL_COPY_FAILED')
        expect(refused.message).to.contain(message)
        expect(await pg.introspection.getTables()).to.deep.equal([])
      } finally {
        await pg.destroy()
      }
    }

    it('a migration makes a unique NOCASE email; it holds, is sought through its index and survives reopen', async () => {
      let db = t.open()
      await db.schema
        .createTable('users')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('email', 'text', (c) =>
          c
            .notNull()
            .unique()
            .modifyEnd(version.sql`collate nocase`),
        )
        .addColumn('name', version.sql`text collate rtrim`)
        .execute()
      await db
        .insertInto('users')
        .values([
          { id: 1, email: 'Ann@Example.com', name: 'Ann' },
          { id: 2, email: 'bo@example.com', name: 'Bo  ' },
          // Enough rows that a seek beats a scan.
          ...Array.from({ length: 50 }, (_, i) => ({ id: 10 + i, email: `user${i}@Example.com`, name: `u${i}` })),
        ])
        .execute()
      const taken = await rejection(db.insertInto('users').values({ id: 3, email: 'ANN@example.COM' }).execute())
      expect(taken.code).to.equal('BTREE_SQL_UNIQUE_VIOLATION')
      await db.destroy()

      db = t.open()
      const found = db.selectFrom('users').select(['id', 'email']).where('email', '=', 'ann@EXAMPLE.com')
      expect(await found.execute()).to.deep.equal([{ id: 1, email: 'Ann@Example.com' }])
      // The unique index keys the email's fold: the NOCASE comparison seeks it; its entries hold
      // folds, so the email itself comes from the row, not the entry.
      const plan = await explain(db, found)
      expect(plan.scan.access).to.equal('index')
      expect(plan.scan.covering).to.equal(false)
      // A BINARY comparison on the same column cannot seek keys of folds.
      const binary = await explain(
        db,
        db
          .selectFrom('users')
          .select('id')
          .where('email', '=', version.sql<string>`'bo@example.com' collate binary`),
      )
      expect(binary.scan.access).to.not.equal('index')
      expect(await db.selectFrom('users').select('id').where('name', '=', 'Bo').execute()).to.deep.equal([{ id: 2 }])
      // An order by the NOCASE column sorts under it: no index order (ties are unordered there).
      const ordered = await explain(db, db.selectFrom('users').select('email').orderBy('email'))
      expect(ordered.sort).to.equal(true)
      await expectCheck(db)
      await db.destroy()
    })

    it('copyDatabase carries the collation to SQLite and refuses it for PostgreSQL', async function () {
      this.timeout(60_000)
      const db = t.open()
      await version.sql`create table aaa (id integer primary key)`.execute(db)
      await version.sql`create table tags (id integer primary key, label text collate nocase unique)`.execute(db)
      await db.insertInto('tags').values({ id: 1, label: 'Red' }).execute()
      await copiedToSqlite(db, async (sqlite) => {
        const e = await rejection(sqlite.insertInto('tags').values({ id: 2, label: 'RED' }).execute())
        expect(e.message).to.contain('UNIQUE constraint failed: tags.label')
      })
      await expectPostgresRefuses(db, 'tags.label declares COLLATE NOCASE')
      await db.destroy()
    })
    it('a COLLATE in a UNIQUE constraint: copyDatabase makes it a unique index on SQLite and refuses it for PostgreSQL', async function () {
      this.timeout(60_000)
      const db = t.open()
      await version.sql`create table aaa (id integer primary key)`.execute(db)
      await version.sql`create table members (id integer primary key, email text, unique (email collate nocase))`.execute(
        db,
      )
      await db.insertInto('members').values({ id: 1, email: 'Ann@x' }).execute()
      // A COLLATE inside an index's expression and a view's (Kysely's compilers write one only at
      // the end of an order by item: copy/target-nodes.ts).
      await version.sql`create index members_lower on members (email || '' collate rtrim)`.execute(db)
      await version.sql`create view annes as select id from members where email = 'ann@X' collate nocase`.execute(db)
      await copiedToSqlite(db, async (sqlite) => {
        const e = await rejection(sqlite.insertInto('members').values({ id: 2, email: 'ANN@X' }).execute())
        expect(e.message).to.contain('UNIQUE constraint failed: members.email')
        const indexes = await version.sql<{
          name: string
        }>`select name from sqlite_master where type = 'index'`.execute(sqlite)
        expect(indexes.rows).to.deep.equal([{ name: 'members_email_key' }, { name: 'members_lower' }])
        expect(await sqlite.selectFrom('annes').selectAll().execute()).to.deep.equal([{ id: 1 }])
      })
      await expectPostgresRefuses(db, 'keyed under COLLATE NOCASE')
      await db.destroy()
    })
  })
}
