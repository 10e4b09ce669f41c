import { expect } from 'chai'
import { open } from 'btree-store'
import { useTempDir, VERSIONS } from './support.js'

for (const version of VERSIONS) {
  const { sql } = version

  describe(`integration (${version.name}): reindex`, () => {
    const t = useTempDir(version)

    it('rebuilds an index that lost entries: integrity_check is ok again and reads through it find every row', async () => {
      let db = t.open()
      const rows = async (text: string) => (await sql.raw(text).execute(db)).rows
      await db.schema
        .createTable('t')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('b', 'integer')
        .addColumn('c', sql`text collate nocase`)
        .execute()
      await db.schema.createIndex('t_b').on('t').column('b').execute()
      await db.schema.createIndex('t_c').on('t').column('c').execute()
      await db
        .insertInto('t')
        .values(Array.from({ length: 300 }, (_, i) => ({ b: i % 7, c: `n${i % 5}` })))
        .execute()
      await db.destroy()
      // Both indexes lose entries their rows have (the engine's file itself stays sound).
      const engine = await open(t.path())
      await engine.update((tx) => {
        for (const name of tx.buckets().filter((b) => b.startsWith('__kysely_btree_x'))) {
          const bucket = tx.bucket(name)!
          for (const [key] of bucket.entries({ limit: 10 })) bucket.delete(key)
        }
      })
      await engine.close()
      db = t.open()
      const count = async (where: string) => (await rows(`select count(*) as n from t where ${where}`))[0]
      expect(await rows('pragma integrity_check')).to.have.length(2)
      // The planner reads b = 0 through t_b: rows whose entries went are missing.
      expect(await count('b = 0')).to.not.deep.equal({ n: 43 })
      await rows('reindex t_b')
      expect(await count('b = 0')).to.deep.equal({ n: 43 })
      expect(await rows('pragma integrity_check')).to.deep.equal([
        { integrity_check: 'wrong # of entries in index t_c' },
      ])
      // The indexes using NOCASE: t_c, whose column declares it.
      await rows('reindex nocase')
      expect(await rows('pragma integrity_check')).to.deep.equal([{ integrity_check: 'ok' }])
      expect(await count("c = 'N1'")).to.deep.equal({ n: 60 })
    })

    it("every index, a table's, and errors for names that are none", async () => {
      const db = t.open()
      const rows = async (text: string) => (await sql.raw(text).execute(db)).rows
      await rows('create table u (a unique, b)')
      await rows('create index u_b on u (b)')
      await rows("insert into u values (1, 'x'), (2, 'y')")
      for (const text of ['reindex', 'reindex u', 'reindex main.u_b', 'reindex sqlite_autoindex_u_1', 'reindex binary'])
        expect(await rows(text)).to.deep.equal([])
      const error = await sql
        .raw('reindex nope')
        .execute(db)
        .then(
          () => undefined,
          (e: unknown) => e as { code?: string },
        )
      expect(error?.code).to.equal('BTREE_SQL_NO_SUCH_INDEX')
      expect(await rows("select a, b from u where b = 'y'")).to.deep.equal([{ a: 2, b: 'y' }])
    })
  })
}
