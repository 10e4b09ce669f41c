import { expect } from 'chai'
import { VERSIONS, useTempDir } from './support.js'

for (const version of VERSIONS) {
  describe(`integration (${version.name}): round trip`, () => {
    const t = useTempDir(version)

    it('createTable, insert, select', async () => {
      const db = t.open()
      await db.schema
        .createTable('person')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('age', 'integer')
        .execute()
      const r = await db
        .insertInto('person')
        .values([
          { name: 'Ann', age: 30 },
          { name: 'Bob', age: null },
        ])
        .executeTakeFirst()
      expect(r.insertId).to.equal(2n)
      expect(r.numInsertedOrUpdatedRows).to.equal(2n)
      const rows = await db.selectFrom('person').selectAll().orderBy('id').execute()
      expect(rows).to.deep.equal([
        { id: 1, name: 'Ann', age: 30 },
        { id: 2, name: 'Bob', age: null },
      ])
      const older = await db.selectFrom('person').select(['name as n']).where('age', '>', 18).execute()
      expect(older).to.deep.equal([{ n: 'Ann' }])
    })
  })
}
