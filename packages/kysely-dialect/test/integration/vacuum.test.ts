import { expect } from 'chai'
import fs from 'node:fs'
import { useTempDir, VERSIONS } from './support.js'

for (const version of VERSIONS) {
  const { sql } = version

  describe(`integration (${version.name}): vacuum into`, () => {
    const t = useTempDir(version)

    it('writes a packed copy that opens as the same database; the source goes on', async () => {
      const db = t.open()
      await db.schema
        .createTable('person')
        .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .execute()
      await db.schema.createView('names').as(db.selectFrom('person').select('name')).execute()
      await db
        .insertInto('person')
        .values(Array.from({ length: 2000 }, (_, i) => ({ name: `p${i}` })))
        .execute()
      await db.deleteFrom('person').where('id', '<=', 1000).execute()
      const target = t.path('copy.db')
      await sql.raw(`vacuum into '${target.replace(/'/g, "''")}'`).execute(db)
      await db.insertInto('person').values({ name: 'after' }).execute()
      const copy = t.open({}, 'copy.db')
      const rows = (await sql`select count(*) as n, min(id) as lo, max(id) as hi from person`.execute(copy)).rows
      expect(rows).to.deep.equal([{ n: 1000, lo: 1001, hi: 2000 }])
      expect((await copy.selectFrom('names').select('name').where('name', '=', 'p1500').execute()).length).to.equal(1)
      // Its schema, its sequence and its unique index came along.
      expect((await sql`select seq from sqlite_sequence`.execute(copy)).rows).to.deep.equal([{ seq: 2000 }])
      const dup = await copy
        .insertInto('person')
        .values({ name: 'p1999' })
        .execute()
        .then(
          () => undefined,
          (e: unknown) => (e as { code?: string }).code,
        )
      expect(dup).to.equal('BTREE_SQL_UNIQUE_VIOLATION')
    })

    it('an existing file is refused, an empty one written over; inside a transaction it is refused', async () => {
      const db = t.open()
      await sql`create table t (a)`.execute(db)
      const code = (p: Promise<unknown>) =>
        p.then(
          () => undefined,
          (e: unknown) => (e as { code?: string }).code,
        )
      const target = t.path('copy.db')
      fs.writeFileSync(target, 'not empty')
      expect(await code(sql.raw(`vacuum into '${target}'`).execute(db))).to.equal('BTREE_INVALID_ARGUMENT')
      fs.writeFileSync(target, '')
      expect(await code(sql.raw(`vacuum main into '${target}'`).execute(db))).to.equal(undefined)
      expect(fs.statSync(target).size).to.be.greaterThan(0)
      await db.transaction().execute(async (trx) => {
        expect(await code(sql.raw(`vacuum into '${t.path('c2.db')}'`).execute(trx))).to.equal('BTREE_SQL_TRANSACTION')
      })
    })
  })
}
