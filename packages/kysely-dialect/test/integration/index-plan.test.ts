import { expect } from 'chai'
import { analyze, explain } from '../../src/index.js'
import { expectCheck, rejection, useTempDir, VERSIONS, type AnyDB } from './support.js'

async function setup(db: AnyDB): Promise<void> {
  await db.schema
    .createTable('item')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('category', 'integer')
    .addColumn('name', 'text')
    .addColumn('price', 'real')
    .addColumn('label', 'text')
    .execute()
  await db
    .insertInto('item')
    .values(
      Array.from({ length: 200 }, (_, i) => ({
        id: i + 1,
        category: i % 20,
        name: `n${i % 50}`,
        price: (i * 7) % 100,
        label: i % 2 === 0 ? 'even' : 'odd',
      })),
    )
    .execute()
  await db.schema.createIndex('item_category').on('item').column('category').execute()
  await db.schema.createIndex('item_name_price').on('item').columns(['name', 'price']).execute()
  await db.schema.createIndex('item_label').on('item').column('label').execute()
}

for (const version of VERSIONS) {
  describe(`integration (${version.name}): index plans`, () => {
    const t = useTempDir(version)

    it('keyset pagination over (name, price): a range seek in index order that stops after the page', async () => {
      const db = t.open()
      await setup(db)
      const page = db
        .selectFrom('item')
        .select(['name', 'price'])
        .where(({ eb, refTuple, tuple }) => eb(refTuple('name', 'price'), '>', tuple('n3', 21)))
        .orderBy('name')
        .orderBy('price')
        .limit(3)
      const plan = await explain(db, page)
      expect(plan.scan).to.include({ access: 'index', index: 'item_name_price', seek: 'range', orderByKey: true })
      expect(plan.scan.stopAfter).to.equal(3)
      expect(plan.sort).to.equal(false)
      expect(await page.execute()).to.deep.equal([
        { name: 'n3', price: 71 },
        { name: 'n3', price: 71 },
        { name: 'n30', price: 10 },
      ])
      const exact = db
        .selectFrom('item')
        .select('id')
        .where(({ eb, refTuple, tuple }) => eb(refTuple('name', 'price'), '=', tuple('n3', 21)))
      expect((await explain(db, exact)).scan).to.include({
        access: 'index',
        index: 'item_name_price',
        seek: 'equality',
      })
      expect(await exact.orderBy('id').execute()).to.deep.equal([{ id: 4 }, { id: 104 }])
      await expectCheck(db)
    })

    it('equality on an indexed column seeks the index, then reads the rows', async () => {
      const db = t.open()
      await setup(db)
      const q = db.selectFrom('item').selectAll().where('category', '=', 3)
      const plan = await explain(db, q)
      expect(plan.scan).to.include({ access: 'index', index: 'item_category', seek: 'equality', covering: false })
      expect(plan.scan.keyColumns).to.deep.equal(['category'])
      const rows = await q.execute()
      expect(rows).to.have.length(10)
      expect(rows.every((r) => r.category === 3)).to.equal(true)
      await expectCheck(db)
    })

    it('a composite index: a prefix, then a range on the next column, in index order with the limit pushed', async () => {
      const db = t.open()
      await setup(db)
      const q = db
        .selectFrom('item')
        .select(['id', 'price'])
        .where('name', '=', 'n7')
        .where('price', '>', 10)
        .orderBy('price', 'desc')
        .limit(2)
      const plan = await explain(db, q)
      expect(plan.scan).to.include({ access: 'index', index: 'item_name_price', seek: 'range', reverse: true })
      expect(plan.scan.keyColumns).to.deep.equal(['name', 'price'])
      expect(plan.sort).to.equal(false)
      expect(plan.scan.stopAfter).to.equal(2)
      // Ties on price come in index order too: the entries end with the primary key, read backwards.
      expect(await q.execute()).to.deep.equal([
        { id: 158, price: 99 },
        { id: 58, price: 99 },
      ])
    })

    it('an in list is one seek per value; an empty one reads nothing', async () => {
      const db = t.open()
      await setup(db)
      const plan = await explain(db, db.selectFrom('item').select('id').where('category', 'in', [4, 1, 4]))
      expect(plan.scan).to.include({ access: 'index', seek: 'in' })
      expect(plan.scan.ranges).to.have.length(2)
      expect(await db.selectFrom('item').select('id').where('category', 'in', [4, 1, 4]).execute()).to.have.length(20)
      const empty = await explain(db, db.selectFrom('item').select('id').where('category', 'in', []))
      expect(empty.scan.access).to.equal('index')
      expect(empty.scan.estimatedRows).to.equal(0)
    })

    it('is null seeks the null entries', async () => {
      const db = t.open()
      await setup(db)
      await db.insertInto('item').values({ id: 1000, category: null, name: 'x' }).execute()
      const q = db.selectFrom('item').select('id').where('category', 'is', null)
      expect((await explain(db, q)).scan).to.include({ access: 'index', seek: 'is-null' })
      expect(await q.execute()).to.deep.equal([{ id: 1000 }])
    })

    it('a query reading only indexed columns (and the key) is covered by the index', async () => {
      const db = t.open()
      await setup(db)
      const q = db.selectFrom('item').select(['id', 'price']).where('name', '=', 'n3')
      expect((await explain(db, q)).scan).to.include({ index: 'item_name_price', covering: true })
      expect((await q.execute()).map((r) => r.id)).to.deep.equal([4, 104, 54, 154])
      const count = db
        .selectFrom('item')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('category', '=', 5)
      expect((await explain(db, count)).scan).to.include({ index: 'item_category', covering: true })
      expect(await count.execute()).to.deep.equal([{ n: 10 }])
    })

    it('order by an indexed column with a limit reads the index in order, forwards or backwards', async () => {
      const db = t.open()
      await setup(db)
      const q = db.selectFrom('item').selectAll().orderBy('category', 'desc').orderBy('id', 'desc').limit(3)
      const plan = await explain(db, q)
      expect(plan.scan).to.include({ access: 'index', index: 'item_category', reverse: true, orderByKey: true })
      expect(plan.sort).to.equal(false)
      expect((await q.execute()).map((r) => r.id)).to.deep.equal([200, 180, 160])
    })

    it('like with a literal head on a text column seeks each ASCII case of the head', async () => {
      const db = t.open()
      await setup(db)
      const q = db.selectFrom('item').select('id').where('label', 'like', 'Ev%')
      const plan = await explain(db, q)
      expect(plan.scan).to.include({ access: 'index', index: 'item_label', seek: 'prefix' })
      // ev, eV, Ev, EV, as text and as blob.
      expect(plan.scan.ranges).to.have.length(8)
      expect(await q.execute()).to.have.length(100)
      // No literal head: nothing to seek. The index still answers the query alone and is narrower
      // than the table, so it is read whole, as SQLite's plan (SCAN item USING COVERING INDEX item_label).
      const none = await explain(db, db.selectFrom('item').select('id').where('label', 'like', '%en'))
      expect(none.scan).to.include({ access: 'index', index: 'item_label' })
      expect(none.scan.seek).to.equal(undefined)
    })

    it('a text column compared with a number still uses its index (the number compares as text)', async () => {
      const db = t.open()
      await setup(db)
      await db.insertInto('item').values({ id: 500, label: '12' }).execute()
      const q = db.selectFrom('item').select('id').where('label', '=', 12)
      expect((await explain(db, q)).scan).to.include({ access: 'index', index: 'item_label' })
      expect(await q.execute()).to.deep.equal([{ id: 500 }])
    })

    it('no index where the comparison would convert stored values: a text column against a numeric column', async () => {
      const db = t.open()
      await setup(db)
      const plan = await explain(db, db.selectFrom('item').select('id').whereRef('label', '=', 'category'))
      expect(plan.scan.access).to.equal('full-scan')
    })
  })
}

for (const version of VERSIONS) {
  describe(`integration (${version.name}): statistics`, () => {
    const t = useTempDir(version)

    async function flags(db: AnyDB): Promise<void> {
      await db.schema
        .createTable('f')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('flag', 'integer')
        .addColumn('tag', 'text')
        .execute()
      await db.schema.createIndex('f_flag').on('f').column('flag').execute()
      await db.schema.createIndex('f_tag').on('f').column('tag').execute()
      await db
        .insertInto('f')
        .values(Array.from({ length: 1000 }, (_, i) => ({ id: i + 1, flag: i % 2, tag: `t${i}` })))
        .execute()
    }

    it('analyze() teaches the planner that an index is not selective: a full scan wins after it', async () => {
      const db = t.open()
      await flags(db)
      const q = db.selectFrom('f').selectAll().where('flag', '=', 1)
      // Without statistics an equality is guessed at ~10 rows: the index looks cheap.
      expect((await explain(db, q)).scan).to.include({ access: 'index', index: 'f_flag' })
      await analyze(db)
      const after = await explain(db, q)
      expect(after.scan.access).to.equal('full-scan')
      expect(after.scan.estimatedRows).to.equal(1000)
      // A selective index keeps its seek, now estimated at one row a value.
      const tag = await explain(db, db.selectFrom('f').selectAll().where('tag', '=', 't7'))
      expect(tag.scan).to.include({ access: 'index', index: 'f_tag', estimatedRows: 1 })
      expect(await q.execute()).to.have.length(500)
      await expectCheck(db)
    })

    it('raw `analyze`, `analyze t` and `pragma optimize` gather the same statistics', async () => {
      const statements = {
        all: version.sql`analyze`,
        one: version.sql`analyze f`,
        optimize: version.sql`pragma optimize`,
      }
      for (const [name, statement] of Object.entries(statements)) {
        const db = t.open({}, `${name}.db`)
        await flags(db)
        const q = db.selectFrom('f').selectAll().where('flag', '=', 1)
        expect((await explain(db, q)).scan.access).to.equal('index')
        await statement.execute(db)
        expect((await explain(db, q)).scan.access, name).to.equal('full-scan')
        if (name === 'all')
          expect((await rejection(version.sql`analyze nowhere`.execute(db))).code).to.equal('BTREE_SQL_NO_SUCH_TABLE')
      }
    })

    it('statistics survive reopening and analyze(db, table) refreshes one table', async () => {
      const db = t.open()
      await flags(db)
      await analyze(db, 'f')
      await db.destroy()
      const again = t.open()
      expect((await explain(again, again.selectFrom('f').selectAll().where('flag', '=', 0))).scan.access).to.equal(
        'full-scan',
      )
      expect((await rejection(analyze(again, 'nowhere'))).code).to.equal('BTREE_SQL_NO_SUCH_TABLE')
    })
  })
}
