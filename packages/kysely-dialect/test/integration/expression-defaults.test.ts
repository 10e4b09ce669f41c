import { expect } from 'chai'
import { SqliteDialect } from 'kysely'
import { copyDatabase } from '../../src/index.js'
import { SqlJsSqliteDatabase } from '../helpers/sqljs-database.js'
import { expectCheck, useTempDir, VERSIONS } from './support.js'

for (const version of VERSIONS) {
  describe(`integration (${version.name}): defaults that are expressions`, () => {
    const t = useTempDir(version)

    it('a migration-made default (expr) is evaluated per row, survives reopen, and copyDatabase carries it to SQLite', async () => {
      let db = t.open()
      await db.schema
        .createTable('token')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull().defaultTo(version.sql`(lower(hex(randomblob(8))))`))
        .addColumn('made', 'text', (c) => c.notNull().defaultTo(version.sql`(datetime('now'))`))
        .execute()
      await db.insertInto('token').values({ id: 1 }).execute()
      await db.destroy()
      db = t.open()
      await db.insertInto('token').values({ id: 2 }).execute()
      const rows = await db.selectFrom('token').selectAll().orderBy('id').execute()
      expect(rows.map((r) => (r.value as string).length)).to.deep.equal([16, 16])
      expect(rows[0]!.value).to.not.equal(rows[1]!.value)
      expect(rows.every((r) => /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(r.made as string))).to.equal(true)
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const sqlite = new version.Kysely<any>({
        dialect: new SqliteDialect({ database: await SqlJsSqliteDatabase.create() }),
      })
      try {
        await copyDatabase(db, sqlite)
        await sqlite.insertInto('token').values({ id: 3 }).execute()
        const copied = await sqlite.selectFrom('token').select(['id', 'value', 'made']).orderBy('id').execute()
        expect(copied.map((r) => r.id)).to.deep.equal([1, 2, 3])
        expect((copied[2]!.value as string).length).to.equal(16)
        expect(copied[2]!.made).to.match(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/)
      } finally {
        await sqlite.destroy()
      }
      await expectCheck(db)
      await db.destroy()
    })
  })
}
