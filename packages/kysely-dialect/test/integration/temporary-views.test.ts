import { expect } from 'chai'
import type { BTreeAdapter } from '../../src/adapter.js'
import { copyDatabase } from '../../src/index.js'
import { rejection, useTempDir, VERSIONS, type AnyDB } from './support.js'

/** The temporary schema's objects as `type:name`, in SQLite's order. */
async function tempObjects(db: AnyDB, sql: (typeof VERSIONS)[number]['sql']): Promise<string[]> {
  const r = await sql<{ type: string; name: string }>`select type, name from sqlite_temp_master`.execute(db)
  return r.rows.map((row) => `${row.type}:${row.name}`)
}

for (const version of VERSIONS) {
  const { sql } = version
  describe(`integration (${version.name}): temporary views`, () => {
    const t = useTempDir(version)

    it("are the connection's: not introspected, not copied, gone after destroy with their triggers", async () => {
      let db = t.open()
      await db.schema
        .createTable('kept')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .execute()
      await db.insertInto('kept').values({ id: 1 }).execute()
      await db.schema.createView('scratch').temporary().as(db.selectFrom('kept').select('id')).execute()
      await sql`create trigger scratch_insert instead of insert on scratch begin insert into kept values (new.id); end`.execute(
        db,
      )
      await db.insertInto('scratch').values({ id: 2 }).execute()
      expect(await db.selectFrom('scratch').selectAll().orderBy('id').execute()).to.deep.equal([{ id: 1 }, { id: 2 }])
      expect(await tempObjects(db, sql)).to.deep.equal(['view:scratch', 'trigger:scratch_insert'])
      expect((await db.introspection.getTables()).map((x) => x.name)).to.deep.equal(['kept'])

      const copy = t.open({}, 'copy.db')
      const copied = await copyDatabase(db, copy)
      expect([copied.views, copied.triggers]).to.deep.equal([[], []])
      expect((await rejection(copy.selectFrom('scratch').selectAll().execute())).code).to.equal(
        'BTREE_SQL_NO_SUCH_TABLE',
      )
      await db.destroy()

      db = t.open()
      expect((await rejection(db.selectFrom('scratch').selectAll().execute())).code).to.equal('BTREE_SQL_NO_SUCH_TABLE')
      expect(await tempObjects(db, sql)).to.deep.equal([])
      // Its name is free again, and its trigger went with it.
      await sql`create temp view scratch as select id * 10 as ten from kept`.execute(db)
      expect((await sql`select * from scratch order by ten`.execute(db)).rows).to.deep.equal([{ ten: 10 }, { ten: 20 }])
      expect(await tempObjects(db, sql)).to.deep.equal(['view:scratch'])
    })

    it("temporary triggers: the connection's, on a main table too; gone after destroy and after a crash", async () => {
      let db = t.open()
      await sql`create table kept (id integer primary key, v)`.execute(db)
      await sql`create table log (x)`.execute(db)
      await sql`create temp trigger kept_log after insert on kept begin insert into log values (new.v); end`.execute(db)
      await sql`create temporary trigger kept_gone before delete on kept begin insert into log values (-old.id); end`.execute(
        db,
      )
      await db.insertInto('kept').values({ id: 1, v: 'a' }).execute()
      await db.deleteFrom('kept').where('id', '=', 1).execute()
      expect((await sql`select x from log`.execute(db)).rows).to.deep.equal([{ x: 'a' }, { x: -1 }])
      expect(await tempObjects(db, sql)).to.deep.equal(['trigger:kept_log', 'trigger:kept_gone'])
      expect((await sql`select name from sqlite_master where type = 'trigger'`.execute(db)).rows).to.deep.equal([])
      const copy = t.open({}, 'copy.db')
      expect((await copyDatabase(db, copy)).triggers).to.deep.equal([])
      await db.destroy()

      db = t.open()
      await db.insertInto('kept').values({ id: 2, v: 'b' }).execute()
      expect((await sql`select x from log`.execute(db)).rows).to.deep.equal([{ x: 'a' }, { x: -1 }])
      expect(await tempObjects(db, sql)).to.deep.equal([])
      // A crash leaves one in the file: dropped at the next open.
      await sql`create temp trigger kept_log after insert on kept begin insert into log values (new.v); end`.execute(db)
      const engine = (db.getExecutor().adapter as BTreeAdapter).driver.database!
      await engine.close()
      db = t.open()
      expect(await tempObjects(db, sql)).to.deep.equal([])
      await db.insertInto('kept').values({ id: 3, v: 'c' }).execute()
      expect((await sql`select count(*) as n from log`.execute(db)).rows).to.deep.equal([{ n: 2 }])
    })

    it('a crash leaves them in the file: dropped at the next open', async () => {
      let db = t.open()
      await sql`create table kept (id integer primary key)`.execute(db)
      await sql`create temp view left_over as select id from kept`.execute(db)
      await sql`create trigger left_insert instead of insert on left_over begin insert into kept values (new.id); end`.execute(
        db,
      )
      // The process dies with the view in the file: the engine is closed under the dialect.
      const engine = (db.getExecutor().adapter as BTreeAdapter).driver.database!
      await engine.close()

      db = t.open()
      expect((await rejection(sql`select * from left_over`.execute(db))).code).to.equal('BTREE_SQL_NO_SUCH_TABLE')
      expect(await tempObjects(db, sql)).to.deep.equal([])
      expect(await db.selectFrom('kept').selectAll().execute()).to.deep.equal([])
    })

    it("a view of main does not read one: SQLite's no such table: main.v, when read", async () => {
      const db = t.open()
      await sql`create table kept (id integer primary key)`.execute(db)
      await sql`create temp view tv as select id from kept`.execute(db)
      await sql`create view mv as select * from tv`.execute(db)
      const err = await rejection(sql`select * from mv`.execute(db))
      expect([err.code, err.message]).to.deep.equal(['BTREE_SQL_NO_SUCH_TABLE', 'no such table: main.tv'])
    })
  })
}
