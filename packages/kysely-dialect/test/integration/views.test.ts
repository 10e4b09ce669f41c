import { expect } from 'chai'
import { rejection, useTempDir, VERSIONS } from './support.js'

for (const version of VERSIONS) {
  describe(`integration (${version.name}): views`, () => {
    const t = useTempDir(version)

    it('a view survives reopen, with a big-integer literal in its select, and drops', async () => {
      let db = t.open()
      await db.schema
        .createTable('doc')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('body', 'blob')
        .addColumn('size', 'integer')
        .execute()
      await db
        .insertInto('doc')
        .values([
          { id: 1, body: Buffer.from([1, 2]), size: 10 },
          { id: 2, body: Buffer.from([3]), size: 9007199254740993n },
          { id: 3, body: Buffer.from([1, 2]), size: 5 },
        ])
        .execute()
      await db.schema
        .createView('small_docs')
        .as(db.selectFrom('doc').select(['id', 'size']).where('size', '<', 9007199254740993n).where('id', '!=', 2))
        .execute()
      const before = await db.selectFrom('small_docs').selectAll().orderBy('id').execute()
      expect(before).to.deep.equal([
        { id: 1, size: 10 },
        { id: 3, size: 5 },
      ])
      await db.destroy()

      db = t.open()
      expect(await db.selectFrom('small_docs').selectAll().orderBy('id').execute()).to.deep.equal(before)
      const tables = await db.introspection.getTables()
      expect(tables.map((x) => [x.name, x.isView])).to.deep.equal([
        ['doc', false],
        ['small_docs', true],
      ])
      expect(tables[1]!.columns.map((c) => [c.name, c.dataType])).to.deep.equal([
        ['id', 'INTEGER'],
        ['size', 'INTEGER'],
      ])
      expect((await rejection(db.insertInto('small_docs').values({ id: 9 }).execute())).code).to.equal(
        'BTREE_SQL_UNSUPPORTED',
      )
      await db.schema.dropView('small_docs').execute()
      await db.destroy()

      db = t.open()
      expect((await db.introspection.getTables()).map((x) => x.name)).to.deep.equal(['doc'])
      expect((await rejection(db.selectFrom('small_docs').selectAll().execute())).code).to.equal(
        'BTREE_SQL_NO_SUCH_TABLE',
      )
    })

    it('a migration that creates a view, and its rollback that drops it', async () => {
      const db = t.open()
      await db.schema.createTable('n').addColumn('v', 'integer').execute()
      await db
        .insertInto('n')
        .values([{ v: 1 }, { v: 2 }, { v: 3 }])
        .execute()
      const migrator = new version.Migrator({
        db,
        provider: {
          getMigrations: async () => ({
            '001_view': {
              up: async (d) => {
                await d.schema
                  .createView('odd')
                  .as(
                    d
                      .selectFrom('n')
                      .select('v')
                      .where(version.sql`v % 2`, '=', 1),
                  )
                  .execute()
              },
              down: async (d) => {
                await d.schema.dropView('odd').execute()
              },
            },
          }),
        },
      })
      expect((await migrator.migrateToLatest()).error).to.equal(undefined)
      expect(await db.selectFrom('odd').select('v').orderBy('v').execute()).to.deep.equal([{ v: 1 }, { v: 3 }])
      expect((await migrator.migrateDown()).error).to.equal(undefined)
      expect((await db.introspection.getTables()).map((x) => x.name)).to.deep.equal(['n'])
    })
  })
}
