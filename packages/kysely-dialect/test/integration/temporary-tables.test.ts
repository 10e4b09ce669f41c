import { expect } from 'chai'
import type { BTreeAdapter } from '../../src/adapter.js'
import { rejection, useTempDir, VERSIONS } from './support.js'

for (const version of VERSIONS) {
  const { sql } = version
  describe(`integration (${version.name}): temporary tables`, () => {
    const t = useTempDir(version)

    it("are the connection's: not introspected, gone after destroy, and dropped at open when a crash left them", async () => {
      let db = t.open()
      await db.schema
        .createTable('kept')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .execute()
      await db.schema
        .createTable('scratch')
        .temporary()
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .execute()
      await db.insertInto('scratch').values({ id: 1 }).execute()
      expect((await db.introspection.getTables()).map((x) => x.name)).to.deep.equal(['kept'])
      await db.destroy()

      db = t.open()
      expect((await rejection(db.selectFrom('scratch').selectAll().execute())).code).to.equal('BTREE_SQL_NO_SUCH_TABLE')
      await sql`create temp table left_over (x)`.execute(db)
      await sql`insert into left_over values (1)`.execute(db)
      // The process dies with the table in the file: the engine is closed under the dialect.
      const engine = (db.getExecutor().adapter as BTreeAdapter).driver.database!
      await engine.close()

      db = t.open()
      expect((await rejection(sql`select * from left_over`.execute(db))).code).to.equal('BTREE_SQL_NO_SUCH_TABLE')
      expect(await db.selectFrom('kept').selectAll().execute()).to.deep.equal([])
    })
  })
}
