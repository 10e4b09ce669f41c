import { expect } from 'chai'
import { explain } from '../../src/index.js'
import { useTempDir, VERSIONS, rejection, type AnyDB } from './support.js'

async function setup(db: AnyDB): Promise<void> {
  await db.schema
    .createTable('t')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('v', 'text')
    .execute()
  await db.schema.createIndex('t_v').on('t').column('v').execute()
  await db
    .insertInto('t')
    .values(Array.from({ length: 20 }, (_, i) => ({ id: i + 1, v: `v${i + 1}` })))
    .execute()
}

for (const version of VERSIONS) {
  const { sql } = version
  describe(`integration (${version.name}): raw sql`, () => {
    const t = useTempDir(version)

    it('a raw where is planned as the builder where is', async () => {
      const db = t.open()
      await setup(db)
      const point = await explain(
        db,
        db
          .selectFrom('t')
          .selectAll()
          .where(sql<boolean>`id = ${7}`),
      )
      expect(point.scan.access).to.equal('point')
      const range = await explain(
        db,
        db
          .selectFrom('t')
          .selectAll()
          .where(sql<boolean>`id > 3 and id <= 5`),
      )
      expect(range.scan.access).to.equal('range')
      const whole = await explain(db, sql`select * from t where id = 4`.compile(db))
      expect(whole.scan.access).to.equal('point')
      expect((await sql`select v from t where id = 4`.execute(db)).rows).to.deep.equal([{ v: 'v4' }])
    })

    it('a raw aggregate makes the select an aggregate query', async () => {
      const db = t.open()
      await setup(db)
      const rows = await db
        .selectFrom('t')
        .select([sql<number>`count(*)`.as('n'), sql<string>`max(${sql.ref('v')})`.as('m')])
        .execute()
      expect(rows).to.deep.equal([{ n: 20, m: 'v9' }])
    })

    it('COLLATE: an unknown collation, compounds of collated columns not done, and no BINARY index for a collated comparison', async () => {
      const db = t.open()
      await setup(db)
      const unknown = await rejection(
        db
          .selectFrom('t')
          .select('id')
          .orderBy('v', (ob) => ob.collate('foo'))
          .execute(),
      )
      expect(unknown.code).to.equal('BTREE_SQL_NO_SUCH_COLLATION')
      expect(unknown.message).to.equal('no such collation sequence: foo')
      for (const q of [sql`select v collate nocase from t union select 'V1'`]) {
        const e = await rejection(q.execute(db))
        expect(e.code, q.compile(db).sql).to.equal('BTREE_SQL_UNSUPPORTED')
        expect(e.message, q.compile(db).sql).to.contain('COLLATE nocase')
      }
      const declared = await rejection(sql`create table r (a text collate foo)`.execute(db))
      expect(declared.code).to.equal('BTREE_SQL_NO_SUCH_COLLATION')
      const seek = await explain(
        db,
        db
          .selectFrom('t')
          .select('id')
          .where('v', '=', sql<string>`'V7' collate nocase`),
      )
      expect(seek.scan.access).to.not.equal('index')
      const rows = await db
        .selectFrom('t')
        .select('id')
        .where('v', '=', sql<string>`'V7' collate nocase`)
        .execute()
      expect(rows).to.deep.equal([{ id: 7 }])
      const binary = await explain(db, db.selectFrom('t').select('id').where('v', '=', 'v7'))
      expect(binary.scan.access).to.equal('index')
      const ordered = await explain(
        db,
        db
          .selectFrom('t')
          .select('v')
          .orderBy('v', (ob) => ob.collate('nocase')),
      )
      expect(ordered.sort).to.equal(true)
    })

    it('raw text outside the grammar is BTREE_SQL_UNSUPPORTED quoting the text', async () => {
      const db = t.open()
      await setup(db)
      for (const q of [
        sql`select * from t; select 1`,
        sql`select * from t a right join t b using (id)`,
        sql`attach database 'other.db' as other`,
        sql`create virtual table docs using fts5(body)`,
        sql`create table w (a) without rowid, wrong`,
      ]) {
        const e = await rejection(q.execute(db))
        expect(e.code, q.compile(db).sql).to.equal('BTREE_SQL_UNSUPPORTED')
        expect(e.message).to.contain(q.compile(db).sql.slice(0, 12))
      }
      const inExpr = await rejection(
        db
          .selectFrom('t')
          .select(sql`id is distinct`.as('x'))
          .execute(),
      )
      expect(inExpr.code).to.equal('BTREE_SQL_UNSUPPORTED')
      expect(inExpr.message).to.contain('id is distinct')
      const fn = await rejection(
        db
          .selectFrom('t')
          .select(sql`no_such_fn(id)`.as('x'))
          .execute(),
      )
      expect(fn.code).to.equal('BTREE_SQL_UNSUPPORTED')
      expect(fn.message).to.contain('no_such_fn()')
      // A default that reads the clock is evaluated for each row that takes it, as SQLite does (it
      // was BTREE_SQL_UNSUPPORTED before round s31); a constant one is evaluated once, at create.
      await db.schema
        .createTable('d')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('at', 'text', (c) => c.defaultTo(sql`(date('2024-01-31', '+1 month'))`))
        .addColumn('now', 'text', (c) => c.defaultTo(sql`(strftime('%Y-%m-%d %H:%M:%f', 'now'))`))
        .execute()
      await db.insertInto('d').values({ id: 1 }).execute()
      await new Promise((r) => setTimeout(r, 5))
      await db.insertInto('d').values({ id: 2 }).execute()
      const rows = await db.selectFrom('d').select(['at', 'now']).orderBy('id').execute()
      expect(rows.map((r) => r.at)).to.deep.equal(['2024-03-02', '2024-03-02'])
      expect(rows[0]!.now < rows[1]!.now, JSON.stringify(rows)).to.equal(true)
      const json = await rejection(sql`select json_extract('{', '$') as x`.execute(db))
      expect(json.code).to.equal('BTREE_SQL_FUNCTION_ERROR')
    })
  })
}

for (const version of VERSIONS) {
  const { sql } = version
  describe(`integration (${version.name}): transactions begun by raw sql`, () => {
    const t = useTempDir(version)

    it('sql`begin` makes one transaction every later statement runs in, until commit or rollback', async () => {
      const db = t.open()
      await setup(db)
      await sql`begin`.execute(db)
      await sql`delete from t where id > 10`.execute(db)
      await db.insertInto('t').values({ id: 100, v: 'in' }).execute()
      expect((await sql`select count(*) as n from t`.execute(db)).rows).to.deep.equal([{ n: 11 }])
      await sql`savepoint a`.execute(db)
      await db.deleteFrom('t').execute()
      await sql`rollback to a`.execute(db)
      await sql`rollback`.execute(db)
      expect((await sql`select count(*) as n from t`.execute(db)).rows).to.deep.equal([{ n: 20 }])
      await sql`begin immediate`.execute(db)
      await db.updateTable('t').set({ v: 'x' }).where('id', '=', 1).execute()
      await sql`commit`.execute(db)
      expect(await db.selectFrom('t').select('v').where('id', '=', 1).execute()).to.deep.equal([{ v: 'x' }])
    })

    it('inside a raw transaction, transaction() and a second begin are BTREE_SQL_TRANSACTION; commit without one too', async () => {
      const db = t.open()
      await setup(db)
      await sql`begin`.execute(db)
      expect((await rejection(sql`begin`.execute(db))).code).to.equal('BTREE_SQL_TRANSACTION')
      const nested = await rejection(db.transaction().execute(async (trx) => trx.selectFrom('t').selectAll().execute()))
      expect(nested.code).to.equal('BTREE_SQL_TRANSACTION')
      await sql`commit`.execute(db)
      expect((await rejection(sql`commit`.execute(db))).code).to.equal('BTREE_SQL_TRANSACTION')
      // Once the raw transaction has ended, Kysely's transaction() runs as before.
      let inside = 0
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('t').where('id', '=', 2).execute()
        inside = (
          await trx
            .selectFrom('t')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirst()
        )?.n as number
      })
      expect(inside).to.equal(19)
    })
  })
}
