import { expect } from 'chai'
import { SqliteDialect } from 'kysely'
import { copyDatabase } from '../../src/index.js'
import { triggerCounts } from '../../src/executor/triggers.js'
import { SqlJsSqliteDatabase } from '../helpers/sqljs-database.js'
import { expectCheck, rejection, useTempDir, VERSIONS, type AnyDB } from './support.js'

for (const version of VERSIONS) {
  describe(`integration (${version.name}): triggers`, () => {
    const t = useTempDir(version)

    it('a migration makes an updated_at trigger; it fires through the builder, survives reopen, and the rollback drops it', async () => {
      let db = t.open()
      const migrator = (d: typeof db) =>
        new version.Migrator({
          db: d,
          provider: {
            getMigrations: async () => ({
              '001_posts': {
                up: async (m) => {
                  await m.schema
                    .createTable('post')
                    .addColumn('id', 'integer', (c) => c.primaryKey())
                    .addColumn('title', 'text', (c) => c.notNull())
                    .addColumn('edits', 'integer', (c) => c.notNull().defaultTo(0))
                    .addColumn('updated_at', 'text')
                    .execute()
                  await version.sql`create trigger post_touch after update of title on post
                    begin
                      update post set edits = edits + 1, updated_at = '2026-12-06' where id = new.id;
                    end`.execute(m)
                },
                down: async (m) => {
                  await version.sql`drop trigger post_touch`.execute(m)
                  await m.schema.dropTable('post').execute()
                },
              },
            }),
          },
        })
      expect((await migrator(db).migrateToLatest()).error).to.equal(undefined)
      const inserted = await db.insertInto('post').values({ title: 'a' }).executeTakeFirstOrThrow()
      expect(inserted.insertId).to.equal(1n)
      const updated = await db.updateTable('post').set({ title: 'b' }).where('id', '=', 1).executeTakeFirstOrThrow()
      // The trigger's own update is not counted in the statement's rows.
      expect(updated.numUpdatedRows).to.equal(1n)
      await db.destroy()

      db = t.open()
      await db.updateTable('post').set({ title: 'c' }).execute()
      await db.updateTable('post').set({ edits: 10 }).execute()
      expect(await db.selectFrom('post').selectAll().execute()).to.deep.equal([
        { id: 1, title: 'c', edits: 10, updated_at: '2026-12-06' },
      ])
      await expectCheck(db)
      expect((await migrator(db).migrateDown()).error).to.equal(undefined)
      expect((await db.introspection.getTables()).map((x) => x.name)).to.deep.equal([])
      await db.destroy()
    })

    it("renames carry into a trigger's text (copyDatabase makes it from the text), and DROP COLUMN of a column it reads is refused", async () => {
      const db = t.open()
      await version.sql`create table t (a integer primary key, b text, c int)`.execute(db)
      await version.sql`create table log (x text)`.execute(db)
      await version.sql`create trigger "t" after update of b on t begin insert into log values (old.b || '>' || new.b || ' in ' || (select count(*) from t)); end`.execute(
        db,
      )
      const dropped = await rejection(db.schema.alterTable('t').dropColumn('b').execute())
      expect(dropped.code).to.equal('BTREE_SQL_INVALID_SCHEMA')
      expect(dropped.message).to.equal('error in trigger t after drop column: no such column: old.b')
      await db.schema.alterTable('t').dropColumn('c').execute()
      await db.schema.alterTable('t').renameColumn('b', 'title').execute()
      await db.schema.alterTable('t').renameTo('thing').execute()
      await db.insertInto('thing').values({ a: 1, title: 'x' }).execute()
      await db.updateTable('thing').set({ title: 'y' }).execute()
      expect(await db.selectFrom('log').selectAll().execute()).to.deep.equal([{ x: 'x>y in 1' }])
      const sqlite: AnyDB = new version.Kysely({
        dialect: new SqliteDialect({ database: await SqlJsSqliteDatabase.create() }),
      })
      try {
        expect((await copyDatabase(db, sqlite)).triggers).to.deep.equal(['t'])
        await sqlite.updateTable('thing').set({ title: 'z' }).execute()
        expect(await sqlite.selectFrom('log').selectAll().execute()).to.deep.equal([
          { x: 'x>y in 1' },
          { x: 'y>z in 1' },
        ])
      } finally {
        await sqlite.destroy()
      }
      await expectCheck(db)
      await db.destroy()
    })

    it('a program whose condition and statements hold subqueries compiles once, and reads their rows again for each row', async () => {
      const db = t.open()
      for (const ddl of [
        'create table item (id integer primary key, kind text)',
        'create table kinds (kind text primary key)',
        'create table counter (n integer)',
        'create table log (n integer primary key, item_id integer, seen integer)',
        "insert into kinds values ('a'), ('c')",
        'insert into counter values (0)',
        // Subqueries in the condition and in a statement; the statement before it changes what the
        // second reads, not how many rows its tables hold (a row count that changes plans again).
        `create trigger counted after insert on item
          when exists (select 1 from kinds where kind = new.kind)
          begin
            update counter set n = n + (select count(*) from kinds where kind <> new.kind);
            insert into log (item_id, seen) values (new.id, (select n from counter));
          end`,
      ])
        await version.sql.raw(ddl).execute(db)
      const before = triggerCounts.compiled
      await db
        .insertInto('item')
        .values([
          { id: 1, kind: 'a' },
          { id: 2, kind: 'b' },
          { id: 3, kind: 'a' },
        ])
        .execute()
      for (let id = 4; id <= 20; id++) await db.insertInto('item').values({ id, kind: 'c' }).execute()
      // The condition and the two statements, once each: each row binds its values, and the
      // uncorrelated subquery's rows are read again (each row's n counts the rows before it).
      expect(triggerCounts.compiled - before).to.equal(3)
      const logged = await db.selectFrom('log').select(['item_id', 'seen']).orderBy('n').execute()
      const expected = [1, 3, ...Array.from({ length: 17 }, (_, i) => i + 4)].map((item_id, i) => ({
        item_id,
        seen: i + 1,
      }))
      expect(logged).to.deep.equal(expected)
      await expectCheck(db)
    })

    it('a trigger in a transaction: RAISE(ABORT) undoes the statement only, and a trigger made in a rolled-back transaction is gone', async () => {
      const db = t.open()
      await db.schema
        .createTable('account')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('balance', 'integer')
        .execute()
      await version.sql`create trigger no_overdraft before update on account when new.balance < 0
        begin select raise(abort, 'insufficient funds'); end`.execute(db)
      await db
        .insertInto('account')
        .values([
          { id: 1, balance: 10 },
          { id: 2, balance: 0 },
        ])
        .execute()
      const e = await rejection(
        db.transaction().execute(async (trx) => {
          await trx
            .updateTable('account')
            .set((eb) => ({ balance: eb('balance', '+', 5) }))
            .where('id', '=', 2)
            .execute()
          await trx
            .updateTable('account')
            .set((eb) => ({ balance: eb('balance', '-', 20) }))
            .execute()
        }),
      )
      expect(e.code).to.equal('BTREE_SQL_RAISE')
      expect(e.message).to.equal('insufficient funds')
      expect(await db.selectFrom('account').selectAll().orderBy('id').execute()).to.deep.equal([
        { id: 1, balance: 10 },
        { id: 2, balance: 0 },
      ])
      await rejection(
        db.transaction().execute(async (trx) => {
          await version.sql`create trigger log_it after insert on account begin select 1; end`.execute(trx)
          throw new Error('roll back')
        }),
      )
      // The trigger is gone with its transaction: making it again works.
      await version.sql`create trigger log_it after insert on account begin select 1; end`.execute(db)
      expect(
        (await rejection(version.sql`create trigger log_it after insert on account begin select 1; end`.execute(db)))
          .code,
      ).to.equal('BTREE_SQL_TRIGGER_EXISTS')
      expect((await rejection(version.sql`drop trigger nope`.execute(db))).code).to.equal('BTREE_SQL_NO_SUCH_TRIGGER')
      await expectCheck(db)
      await db.destroy()
    })
  })
}
