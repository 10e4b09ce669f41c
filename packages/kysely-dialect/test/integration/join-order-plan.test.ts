import { expect } from 'chai'
import { analyze, explain } from '../../src/index.js'
import { expectCheck, useTempDir, VERSIONS, type AnyDB } from './support.js'

/** The benchmark's shape: many items, few categories, an index on item.category. */
async function setup(db: AnyDB): Promise<void> {
  await db.schema
    .createTable('category')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('label', 'text')
    .execute()
  await db.schema
    .createTable('item')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('category', 'integer')
    .addColumn('name', 'text')
    .addColumn('price', 'real')
    .execute()
  await db.schema
    .createTable('note')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('item', 'integer')
    .addColumn('text', 'text')
    .execute()
  await db.schema.createIndex('item_category').on('item').column('category').execute()
  await db
    .insertInto('category')
    .values(Array.from({ length: 20 }, (_, i) => ({ id: i, label: `c${i}` })))
    .execute()
  await db
    .insertInto('item')
    .values(Array.from({ length: 600 }, (_, i) => ({ id: i + 1, category: i % 20, name: `i${i}`, price: i % 37 })))
    .execute()
  await db
    .insertInto('note')
    .values(Array.from({ length: 300 }, (_, i) => ({ id: i + 1, item: (i * 7) % 650, text: `n${i}` })))
    .execute()
}

for (const version of VERSIONS) {
  describe(`integration (${version.name}): join order and index nested loops`, () => {
    const t = useTempDir(version)

    it('a filter on the small table drives the join; the big one is sought through its index', async () => {
      const db = t.open()
      await setup(db)
      const q = db
        .selectFrom('item')
        .innerJoin('category', 'category.id', 'item.category')
        .select(['item.id', 'item.name', 'category.label'])
        .where('category.label', '=', 'c3')
      const plan = await explain(db, q)
      expect(plan.scan).to.include({ table: 'category', access: 'full-scan' })
      expect(plan.joins).to.deep.equal([
        {
          table: 'item',
          as: 'item',
          type: 'inner',
          strategy: 'index-lookup',
          keyColumns: ['category'],
          index: 'item_category',
          covering: false,
        },
      ])
      const rows = await q.execute()
      expect(rows).to.have.length(30)
      expect(rows.every((r) => r.label === 'c3')).to.equal(true)
      await expectCheck(db)
    })

    it('a condition on the joined column bounds the read of the table it is equated with', async () => {
      const db = t.open()
      await setup(db)
      // item.category = 4 and category.id = item.category: SQLite reads category by id = 4 (its scan
      // follows the equivalence), not every category.
      const q = db
        .selectFrom('category')
        .innerJoin('item', 'item.category', 'category.id')
        .select(['category.label', 'item.id'])
        .where('item.category', '=', 4)
      const plan = await explain(db, q)
      expect(plan.scan).to.include({ table: 'category', access: 'point', estimatedRows: 1 })
      const rows = await q.execute()
      expect(rows).to.have.length(30)
      expect(rows.every((r) => r.label === 'c4')).to.equal(true)
      // category.label = 'c4' is implied too, but no key or index of category answers it: a scan.
      const text = db
        .selectFrom('category')
        .innerJoin('item', 'item.name', 'category.label')
        .select(['category.label', 'item.id'])
        .where('item.name', '=', 'c4')
      expect((await explain(db, text)).scan).to.include({ table: 'category', access: 'full-scan' })
      await expectCheck(db)
    })

    it('a covering index answers the inner side of a join without reading its rows', async () => {
      const db = t.open()
      await setup(db)
      const q = db
        .selectFrom('category')
        .innerJoin('item', 'item.category', 'category.id')
        .select(['category.label', 'item.id'])
        .where('category.id', '=', 4)
      const plan = await explain(db, q)
      expect(plan.scan).to.include({ table: 'category', access: 'point' })
      expect(plan.joins?.[0]).to.include({ strategy: 'index-lookup', covering: true })
      expect((await q.execute()).map((r) => r.id)).to.have.members(Array.from({ length: 30 }, (_, k) => 5 + 20 * k))
    })

    it('a left join seeks the inner primary key per outer row and keeps unmatched rows', async () => {
      const db = t.open()
      await setup(db)
      const q = db
        .selectFrom('note')
        .leftJoin('item', 'item.id', 'note.item')
        .select(['note.id', 'item.name'])
        .where('note.id', '<=', 100)
      const plan = await explain(db, q)
      expect(plan.scan).to.include({ table: 'note', access: 'range' })
      expect(plan.joins?.[0]).to.include({ type: 'left', strategy: 'primary-key-lookup' })
      const rows = await q.execute()
      expect(rows).to.have.length(100)
      // note.item 0 and 600..649 have no item.
      expect(rows.filter((r) => r.name === null).length).to.be.greaterThan(0)
    })

    it('no index on either side of an equality is a hash join, never a nested loop over both', async () => {
      const db = t.open()
      await setup(db)
      const q = db.selectFrom('note').innerJoin('item', 'item.name', 'note.text').select(['note.id', 'item.id as i'])
      const plan = await explain(db, q)
      expect(plan.joins?.[0]).to.include({ strategy: 'hash' })
      expect(await q.execute()).to.deep.equal([])
    })

    it('a range between two tables without an index sorts the inner side once (no pair-by-pair loop)', async () => {
      const db = t.open()
      await setup(db)
      // The cross join keeps category outside (as SQLite's loops); the range bounds note.item, no key.
      const q = db
        .selectFrom('category')
        .crossJoin('note')
        .whereRef('note.item', '<', 'category.id')
        .select(['category.id', 'note.id as n'])
      const plan = await explain(db, q)
      expect(plan.scan.table).to.equal('category')
      expect(plan.joins?.[0]).to.include({ table: 'note', strategy: 'sorted-range' })
      expect(plan.joins?.[0]?.keyColumns).to.deep.equal(['item'])
      const rows = await q.execute()
      // note.item = (i * 7) % 650 for i < 300: the notes below 20 pair with every larger category id.
      const expected = Array.from({ length: 300 }, (_, i) => (i * 7) % 650)
        .filter((item) => item < 19)
        .reduce((n, item) => n + (19 - item), 0)
      expect(rows).to.have.length(expected)
    })

    it("three tables: SQLite's loop order (the keys it seeks), each join its own strategy by the row counts", async () => {
      const db = t.open()
      await setup(db)
      await analyze(db)
      const q = db
        .selectFrom('note')
        .innerJoin('item', 'item.id', 'note.item')
        .innerJoin('category', 'category.id', 'item.category')
        .select(['note.id', 'item.name', 'category.label'])
        .where('category.label', '=', 'c5')
        .where('item.price', '<', 10)
      const plan = await explain(db, q)
      // SQLite 3.53: SCAN note, SEARCH item USING INTEGER PRIMARY KEY, SEARCH category USING INTEGER
      // PRIMARY KEY; the dialect reads the 20 categories once into a hash instead of seeking each.
      expect(plan.scan.table).to.equal('note')
      expect(plan.joins?.map((j) => [j.table, j.strategy])).to.deep.equal([
        ['item', 'primary-key-lookup'],
        ['category', 'hash'],
      ])
      const rows = await q.execute()
      expect(rows.length).to.be.greaterThan(0)
      expect(rows.every((r) => r.label === 'c5')).to.equal(true)
    })
  })
}
