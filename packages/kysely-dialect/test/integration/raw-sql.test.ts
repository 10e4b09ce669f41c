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

    it('raw text outside the grammar is BTREE_SQL_UNSUPPORTED quoting the text', async () => {
      const db = t.open()
      await setup(db)
      for (const q of [
        sql`select * from t; select 1`,
        sql`with recursive x as (select 1) select * from x`,
        sql`select * from t natural join t`,
        sql`insert into t (id) values (1) on conflict (id) where id > 0 do nothing`,
        sql`select row_number() over () from t`,
        sql`vacuum`,
        sql`create view v as select 1`,
        sql`create table r (a integer references t (id))`,
        sql`create table w (a) without rowid`,
        sql`create index d on t (v desc)`,
      ]) {
        const e = await rejection(q.execute(db))
        expect(e.code, q.compile(db).sql).to.equal('BTREE_SQL_UNSUPPORTED')
        expect(e.message).to.contain(q.compile(db).sql.slice(0, 12))
      }
      const inExpr = await rejection(
        db
          .selectFrom('t')
          .select(sql`id collate nocase`.as('x'))
          .execute(),
      )
      expect(inExpr.code).to.equal('BTREE_SQL_UNSUPPORTED')
      expect(inExpr.message).to.contain('id collate nocase')
      const fn = await rejection(
        db
          .selectFrom('t')
          .select(sql`no_such_fn(id)`.as('x'))
          .execute(),
      )
      expect(fn.code).to.equal('BTREE_SQL_UNSUPPORTED')
      expect(fn.message).to.contain('no_such_fn()')
      const json = await rejection(sql`select json_extract('{', '$') as x`.execute(db))
      expect(json.code).to.equal('BTREE_SQL_FUNCTION_ERROR')
    })
  })
}
