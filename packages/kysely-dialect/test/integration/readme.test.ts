import { expect } from 'chai'
import { explain } from '../../src/index.js'
import { useTempDir, VERSIONS } from './support.js'

/** The README's quickstart and explain example, as written there. */
for (const version of VERSIONS) {
  describe(`integration (${version.name}): README examples`, () => {
    const t = useTempDir(version)

    it('the quickstart runs and the explain example gives the plan shown', async () => {
      const db = t.open()
      await db.schema
        .createTable('person')
        .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('name', 'varchar(255)', (c) => c.notNull())
        .addColumn('email', 'text', (c) => c.unique())
        .addColumn('age', 'integer')
        .execute()

      const { insertId } = await db.insertInto('person').values({ name: 'Ann', age: 30 }).executeTakeFirstOrThrow()

      await db.transaction().execute(async (trx) => {
        await trx
          .updateTable('person')
          .set((eb) => ({ age: eb('age', '+', 1) }))
          .where('id', '=', Number(insertId))
          .execute()
        await trx.insertInto('person').values({ name: 'Bob' }).execute()
      })

      const adults = await db
        .selectFrom('person')
        .select(['id', 'name'])
        .where('age', '>=', 18)
        .orderBy('name')
        .limit(10)
        .execute()
      expect(adults).to.deep.equal([{ id: 1, name: 'Ann' }])

      const plan = await explain(
        db,
        db.selectFrom('person').selectAll().where('id', '>', 10).orderBy('id', 'desc').limit(5),
      )
      expect(plan).to.deep.include({ statement: 'select', sort: false })
      expect(plan.scan).to.deep.include({
        access: 'range',
        keyColumns: ['id'],
        reverse: true,
        orderByKey: true,
        stopAfter: 5,
      })
    })
  })
}
