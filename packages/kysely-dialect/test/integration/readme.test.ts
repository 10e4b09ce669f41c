import { expect } from 'chai'
import { analyze, explain } from '../../src/index.js'
import { useTempDir, VERSIONS } from './support.js'

/** The README's quickstart and SQL.md's explain example, as written there. */
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

    it('the planning examples give the plans shown', async () => {
      const db = t.open()
      await db.schema
        .createTable('person')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('name', 'text')
        .execute()
      await db.schema
        .createTable('pet')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('owner', 'integer')
        .addColumn('name', 'text')
        .execute()
      await db.schema.createIndex('pet_owner').on('pet').column('owner').execute()
      await db
        .insertInto('person')
        .values(Array.from({ length: 100 }, (_, i) => ({ id: i + 1, name: i === 2 ? 'Ann' : `p${i}` })))
        .execute()
      await db
        .insertInto('pet')
        .values(Array.from({ length: 300 }, (_, i) => ({ id: i + 1, owner: (i % 100) + 1, name: `pet${i}` })))
        .execute()

      const inList = await explain(db, db.selectFrom('pet').select(['id', 'owner']).where('owner', 'in', [3, 1]))
      expect(inList.scan).to.deep.include({
        access: 'index',
        index: 'pet_owner',
        seek: 'in',
        keyColumns: ['owner'],
        covering: true,
        estimatedRows: 20,
      })
      expect(inList.scan.ranges).to.have.length(2)

      const join = await explain(
        db,
        db.selectFrom('pet').innerJoin('person', 'person.id', 'pet.owner').selectAll().where('person.name', '=', 'Ann'),
      )
      expect(join.scan).to.deep.include({ table: 'person', access: 'full-scan' })
      expect(join.joins).to.deep.equal([
        {
          table: 'pet',
          as: 'pet',
          type: 'inner',
          strategy: 'index-lookup',
          index: 'pet_owner',
          keyColumns: ['owner'],
          covering: false,
        },
      ])
      await analyze(db)
      await analyze(db, 'pet')
      const after = await explain(db, db.selectFrom('pet').select(['id', 'owner']).where('owner', 'in', [3, 1]))
      expect(after.scan.estimatedRows).to.equal(6)
    })
  })
}
