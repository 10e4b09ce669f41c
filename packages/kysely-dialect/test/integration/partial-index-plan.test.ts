import { expect } from 'chai'
import { explain } from '../../src/index.js'
import { expectCheck, useTempDir, VERSIONS, type AnyDB, type KyselyVersion } from './support.js'

interface Order {
  id: number
  customer: number
  status: string
  total: number
  deleted: number | null
  paid: number | null
}

/** 400 orders, 10 per customer: a third of each customer's open, every fifth deleted, every third paid. */
const ORDERS: Order[] = Array.from({ length: 400 }, (_, i) => ({
  id: i + 1,
  customer: i % 40,
  status: Math.floor(i / 40) % 3 === 0 ? 'open' : 'closed',
  total: (i * 37) % 500,
  deleted: i % 5 === 0 ? 1 : null,
  paid: i % 3 === 0 ? i * 10 : null,
}))

async function setup(db: AnyDB, sql: KyselyVersion['sql']): Promise<void> {
  await db.schema
    .createTable('orders')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('customer', 'integer')
    .addColumn('status', 'text')
    .addColumn('total', 'integer')
    .addColumn('deleted', 'integer')
    .addColumn('paid', 'integer')
    .execute()
  await db.insertInto('orders').values(ORDERS).execute()
  await db.schema
    .createIndex('open_by_customer')
    .on('orders')
    .column('customer')
    .where(sql.ref('status'), '=', 'open')
    .execute()
  await db.schema
    .createIndex('live_by_total')
    .on('orders')
    .column('total')
    .where(sql.ref('deleted'), 'is', null)
    .execute()
  await db.schema.createIndex('paid_only').on('orders').column('paid').where(sql.ref('paid'), 'is not', null).execute()
}

const ids = (rows: readonly { id: number }[]): number[] => rows.map((r) => r.id)

for (const version of VERSIONS) {
  describe(`integration (${version.name}): partial indexes in plans`, () => {
    const t = useTempDir(version)

    it("a query that repeats the index's condition seeks the partial index", async () => {
      const db = t.open()
      await setup(db, version.sql)
      const q = db
        .selectFrom('orders')
        .select('id')
        .where('customer', '=', 4)
        .where('status', '=', 'open')
        .orderBy('id')
      const plan = await explain(db, q)
      expect(plan.scan).to.include({ access: 'index', index: 'open_by_customer', seek: 'equality' })
      const want = ORDERS.filter((o) => o.customer === 4 && o.status === 'open').map((o) => o.id)
      expect(want).to.have.length(4)
      expect(ids(await q.execute())).to.deep.equal(want)
      await expectCheck(db)
    })

    it('the same statement with another value reads the table: the plan held for the value it was made with', async () => {
      const db = t.open()
      await setup(db, version.sql)
      const q = (status: string) =>
        db.selectFrom('orders').select('id').where('customer', '=', 8).where('status', '=', status).orderBy('id')
      expect((await explain(db, q('open'))).scan.index).to.equal('open_by_customer')
      // The same SQL text, one run after the other: the cache compiles it at its second run (with
      // 'open', so through the partial index), and must not read the index for 'closed'.
      for (const status of ['open', 'open', 'closed', 'open', 'closed']) {
        const want = ORDERS.filter((o) => o.customer === 8 && o.status === status).map((o) => o.id)
        expect(want.length).to.be.greaterThan(0)
        expect(ids(await q(status).execute())).to.deep.equal(want)
      }
      expect((await explain(db, q('closed'))).scan.index).to.equal(undefined)
    })

    it('a query that does not imply the condition never reads the partial index', async () => {
      const db = t.open()
      await setup(db, version.sql)
      const plans = await Promise.all([
        explain(db, db.selectFrom('orders').select('id').where('customer', '=', 4)),
        explain(db, db.selectFrom('orders').select('id').where('customer', '=', 4).where('status', '!=', 'open')),
        explain(db, db.selectFrom('orders').select('id').orderBy('total').limit(3)),
        explain(db, db.selectFrom('orders').select('id').where('paid', 'is', null)),
      ])
      for (const plan of plans) expect(plan.scan.index).to.equal(undefined)
      const rows = await db.selectFrom('orders').select('id').orderBy('total').orderBy('id').limit(3).execute()
      const want = [...ORDERS].sort((a, b) => a.total - b.total || a.id - b.id).slice(0, 3)
      expect(ids(rows)).to.deep.equal(ids(want))
    })

    it('`is null` written alike, then the index order serves order by and limit', async () => {
      const db = t.open()
      await setup(db, version.sql)
      const q = db
        .selectFrom('orders')
        .select(['id', 'total'])
        .where('deleted', 'is', null)
        .orderBy('total', 'desc')
        .limit(4)
      const plan = await explain(db, q)
      expect(plan.scan).to.include({ access: 'index', index: 'live_by_total', reverse: true })
      expect(plan.sort).to.equal(false)
      expect(plan.scan.stopAfter).to.equal(4)
      const want = ORDERS.filter((o) => o.deleted === null)
        .sort((a, b) => b.total - a.total || b.id - a.id)
        .slice(0, 4)
        .map((o) => ({ id: o.id, total: o.total }))
      expect(await q.execute()).to.deep.equal(want)
    })

    it('`is not null` is implied by a comparison on the column', async () => {
      const db = t.open()
      await setup(db, version.sql)
      const q = db.selectFrom('orders').select('id').where('paid', '>=', 3000).orderBy('id')
      expect((await explain(db, q)).scan).to.include({ index: 'paid_only', seek: 'range' })
      const want = ORDERS.filter((o) => o.paid !== null && o.paid >= 3000).map((o) => o.id)
      expect(ids(await q.execute())).to.deep.equal(want)
    })

    it('updates and deletes through a partial index change only the rows they name', async () => {
      const db = t.open()
      await setup(db, version.sql)
      const update = db
        .updateTable('orders')
        .set({ status: 'closed' })
        .where('customer', '=', 12)
        .where('status', '=', 'open')
      expect((await explain(db, update)).scan.index).to.equal('open_by_customer')
      const moved = ORDERS.filter((o) => o.customer === 12 && o.status === 'open').length
      expect(Number((await update.executeTakeFirstOrThrow()).numUpdatedRows)).to.equal(moved)
      expect(
        await db.selectFrom('orders').select('id').where('customer', '=', 12).where('status', '=', 'open').execute(),
      ).to.deep.equal([])
      const deleted = await db
        .deleteFrom('orders')
        .where('customer', '=', 16)
        .where('status', '=', 'open')
        .executeTakeFirstOrThrow()
      expect(Number(deleted.numDeletedRows)).to.equal(
        ORDERS.filter((o) => o.customer === 16 && o.status === 'open').length,
      )
      const left = await db.selectFrom('orders').select('id').where('customer', '=', 16).orderBy('id').execute()
      expect(ids(left)).to.deep.equal(ORDERS.filter((o) => o.customer === 16 && o.status !== 'open').map((o) => o.id))
      await expectCheck(db)
    })

    it("in a join, the joined table's own conditions choose its partial index", async () => {
      const db = t.open()
      await setup(db, version.sql)
      await db.schema
        .createTable('customers')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('name', 'text')
        .execute()
      await db
        .insertInto('customers')
        .values(Array.from({ length: 40 }, (_, i) => ({ id: i, name: `c${i}` })))
        .execute()
      const q = db
        .selectFrom('customers as c')
        .innerJoin('orders as o', (j) => j.onRef('o.customer', '=', 'c.id').on('o.status', '=', 'open'))
        .select(['c.name', 'o.id'])
        .where('c.id', '<', 3)
        .orderBy('o.id')
      const plan = await explain(db, q)
      expect(JSON.stringify(plan)).to.include('open_by_customer')
      const want = ORDERS.filter((o) => o.customer < 3 && o.status === 'open').map((o) => ({
        name: `c${o.customer}`,
        id: o.id,
      }))
      expect(await q.execute()).to.deep.equal(want)
    })
  })
}
