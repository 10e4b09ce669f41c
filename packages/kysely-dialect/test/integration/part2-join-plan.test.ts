import { expect } from 'chai'
import { explain } from '../../src/index.js'
import { expectCheck, rejection, useTempDir, VERSIONS, type AnyDB } from './support.js'

async function setup(db: AnyDB): Promise<void> {
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
  await db.schema.createTable('tag').addColumn('owner', 'integer').addColumn('label', 'text').execute()
  await db
    .insertInto('person')
    .values(Array.from({ length: 20 }, (_, i) => ({ id: i + 1, name: `p${i + 1}` })))
    .execute()
  await db
    .insertInto('pet')
    .values(Array.from({ length: 40 }, (_, i) => ({ id: 100 + i, owner: (i % 25) + 1, name: `pet${i}` })))
    .execute()
  await db
    .insertInto('tag')
    .values(Array.from({ length: 10 }, (_, i) => ({ owner: i + 1, label: `t${i}` })))
    .execute()
}

for (const version of VERSIONS) {
  describe(`integration (${version.name}): part 2 join plans`, () => {
    const t = useTempDir(version)

    it('an equality on the inner primary key is a primary-key lookup per outer row', async () => {
      const db = t.open()
      await setup(db)
      const q = db
        .selectFrom('pet')
        .innerJoin('person as o', 'o.id', 'pet.owner')
        .select(['pet.id', 'o.name'])
        .where('pet.id', '<', 105)
      const plan = await explain(db, q)
      expect(plan.scan).to.include({ table: 'pet', access: 'range' })
      expect(plan.joins).to.deep.equal([
        { table: 'person', as: 'o', type: 'inner', strategy: 'primary-key-lookup', keyColumns: ['id'] },
      ])
      expect(await q.execute()).to.have.length(5)
      await expectCheck(db)
    })

    it('an equality on a column that is not a key is a hash join; no equality is a nested loop', async () => {
      const db = t.open()
      await setup(db)
      const hash = await explain(
        db,
        db.selectFrom('person').leftJoin('pet', 'pet.owner', 'person.id').selectAll('person'),
      )
      expect(hash.joins?.[0]).to.include({ type: 'left', strategy: 'hash' })
      expect(hash.joins?.[0]?.keyColumns).to.deep.equal(['owner'])
      // A range on the inner primary key is a seek per outer row (the smaller table, tag, goes first).
      const range = await explain(
        db,
        db
          .selectFrom('person')
          .innerJoin('tag', (j) => j.onRef('tag.owner', '<', 'person.id'))
          .selectAll('tag'),
      )
      expect(range.scan.table).to.equal('tag')
      expect(range.joins?.[0]).to.include({ table: 'person', strategy: 'primary-key-lookup' })
      const loop = await explain(
        db,
        db
          .selectFrom('person')
          .innerJoin('tag', (j) => j.onRef('tag.label', '<>', 'person.name'))
          .selectAll('tag'),
      )
      expect(loop.joins?.[0]).to.include({ strategy: 'nested-loop' })
      const cross = await explain(db, db.selectFrom('person').crossJoin('tag').selectAll('tag'))
      expect(cross.joins?.[0]).to.include({ type: 'cross', strategy: 'nested-loop' })
      const rows = await db
        .selectFrom('person')
        .leftJoin('pet', 'pet.owner', 'person.id')
        .select(['person.id', 'pet.id as pet'])
        .execute()
      // Pets of owners 21..25 have no person.
      expect(rows).to.have.length(35)
    })

    it('an explicit cross join keeps the tables written before it outside (SQLite: a CROSS JOIN fixes the loop order)', async () => {
      const db = t.open()
      await setup(db)
      // tag is read first as written, though person's one row could be sought first (SQLite 3.53:
      // SCAN tag, SEARCH person USING INTEGER PRIMARY KEY).
      const cross = await explain(
        db,
        db.selectFrom('tag').crossJoin('person').where('person.id', '=', 3).select(['person.id', 'tag.label']),
      )
      expect(cross.scan.table).to.equal('tag')
      expect(cross.joins?.map((j) => j.table)).to.deep.equal(['person'])
      // The same tables listed in from are reordered: person's row first (SQLite: SEARCH person, SCAN tag).
      const listed = await explain(
        db,
        db.selectFrom(['tag', 'person']).where('person.id', '=', 3).select(['person.id', 'tag.label']),
      )
      expect(listed.scan).to.include({ table: 'person', access: 'point' })
      // A cross join after an inner join waits for both tables before it; the inner join's two
      // tables may still change places.
      const chain = await explain(
        db,
        db
          .selectFrom('pet')
          .innerJoin('person', 'person.id', 'pet.owner')
          .crossJoin('tag')
          .where('tag.owner', '=', 3)
          .select(['pet.id', 'tag.label']),
      )
      expect(chain.joins?.at(-1)?.table).to.equal('tag')
      const rows = await db
        .selectFrom('person')
        .crossJoin('tag')
        .where('tag.owner', '=', 3)
        .select(['person.id', 'tag.label'])
        .execute()
      expect(rows).to.have.length(20)
      expect(rows.map((r) => r.id)).to.deep.equal(Array.from({ length: 20 }, (_, i) => i + 1))
    })

    it('explain plans statements holding subqueries without running them', async () => {
      const db = t.open()
      await setup(db)
      const q = db
        .selectFrom('person')
        .innerJoin('pet', 'pet.owner', 'person.id')
        .select('person.id')
        .where(({ exists, selectFrom }) =>
          exists(selectFrom('tag').select('tag.label').whereRef('tag.owner', '=', 'person.id')),
        )
      const plan = await explain(db, q)
      expect(plan.joins?.[0]).to.include({ strategy: 'hash' })
      const update = await explain(
        db,
        db.updateTable('pet').set({ name: 'x' }).where('owner', 'in', db.selectFrom('tag').select('owner')),
      )
      expect(update.scan.access).to.equal('full-scan')
      expect(await q.execute()).to.have.length(20)
    })

    it('a grouped query says so in its plan', async () => {
      const db = t.open()
      await setup(db)
      const plan = await explain(
        db,
        db
          .selectFrom('pet')
          .select((eb) => ['owner', eb.fn.countAll().as('n')])
          .groupBy('owner'),
      )
      expect(plan.grouped).to.equal(true)
    })

    it('lateral joins and using are BTREE_SQL_UNSUPPORTED naming the join', async () => {
      const db = t.open()
      await setup(db)
      const err = await rejection(
        db
          .selectFrom('person')
          .innerJoinLateral(
            (eb) => eb.selectFrom('pet').select('pet.id').whereRef('pet.owner', '=', 'person.id').as('x'),
            (j) => j.onTrue(),
          )
          .selectAll()
          .execute(),
      )
      expect(err.code).to.equal('BTREE_SQL_UNSUPPORTED')
      expect(err.message).to.contain('LateralInnerJoin')
    })
  })
}
