import { expect } from 'chai'
import { explain } from '../../src/index.js'
import { useTempDir, VERSIONS, type AnyDB } from './support.js'

async function setup(db: AnyDB): Promise<void> {
  await db.schema
    .createTable('t')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('v', 'text')
    .execute()
  await db.schema
    .createTable('kv')
    .addColumn('a', 'text')
    .addColumn('b', 'integer')
    .addColumn('v', 'text')
    .addPrimaryKeyConstraint('kv_pk', ['a', 'b'])
    .execute()
  await db
    .insertInto('t')
    .values(Array.from({ length: 50 }, (_, i) => ({ id: i + 1, v: `v${i + 1}` })))
    .execute()
  await db
    .insertInto('kv')
    .values(Array.from({ length: 30 }, (_, i) => ({ a: `k${i % 3}`, b: i, v: `v${i}` })))
    .execute()
}

for (const version of VERSIONS) {
  describe(`integration (${version.name}): plans`, () => {
    const t = useTempDir(version)

    it('primary key equality is a point lookup; an in list is several', async () => {
      const db = t.open()
      await setup(db)
      const q = db.selectFrom('t').selectAll().where('id', '=', 7)
      const plan = await explain(db, q)
      expect(plan.scan.access).to.equal('point')
      expect(plan.scan.keyColumns).to.deep.equal(['id'])
      expect(await q.execute()).to.deep.equal([{ id: 7, v: 'v7' }])
      const inPlan = await explain(
        db,
        db.selectFrom('t').selectAll().where('id', 'in', [3, 1, 2]).orderBy('id', 'desc'),
      )
      expect(inPlan.scan.access).to.equal('point')
      expect(inPlan.scan.keys).to.have.length(3)
      expect(inPlan.sort).to.equal(false)
      expect(
        await db.selectFrom('t').select('id').where('id', 'in', [3, 1, 2]).orderBy('id', 'desc').execute(),
      ).to.deep.equal([{ id: 3 }, { id: 2 }, { id: 1 }])
    })

    it('a key range with order by the key and a limit scans in the right direction and stops early', async () => {
      const db = t.open()
      await setup(db)
      const q = db
        .selectFrom('t')
        .select('id')
        .where('id', '>', 10)
        .where('id', '<=', 40)
        .orderBy('id', 'desc')
        .limit(3)
        .offset(1)
      const plan = await explain(db, q)
      expect(plan.scan.access).to.equal('range')
      expect(plan.scan.reverse).to.equal(true)
      expect(plan.scan.orderByKey).to.equal(true)
      expect(plan.sort).to.equal(false)
      expect(plan.scan.stopAfter).to.equal(4)
      expect(await q.execute()).to.deep.equal([{ id: 39 }, { id: 38 }, { id: 37 }])
    })

    it('a composite key: equality on the first column is a prefix range in key order', async () => {
      const db = t.open()
      await setup(db)
      const q = db.selectFrom('kv').select('b').where('a', '=', 'k1').where('b', '>=', 10).orderBy('b').limit(2)
      const plan = await explain(db, q)
      expect(plan.scan.access).to.equal('range')
      expect(plan.scan.keyColumns).to.deep.equal(['a', 'b'])
      expect(plan.sort).to.equal(false)
      expect(await q.execute()).to.deep.equal([{ b: 10 }, { b: 13 }])
      const full = await explain(db, db.selectFrom('kv').select('b').where('a', '=', 'k1').where('b', '=', 4))
      expect(full.scan.access).to.equal('point')
    })

    it('anything else is a full scan with a sort; update and delete have plans too', async () => {
      const db = t.open()
      await setup(db)
      const plan = await explain(db, db.selectFrom('t').selectAll().where('v', '=', 'v3').orderBy('v'))
      expect(plan.scan.access).to.equal('full-scan')
      expect(plan.sort).to.equal(true)
      expect((await explain(db, db.updateTable('t').set({ v: 'x' }).where('id', '=', 3))).scan.access).to.equal('point')
      expect((await explain(db, db.deleteFrom('t').where('id', '<', 3))).scan.access).to.equal('range')
      expect(await db.selectFrom('t').select('id').where('v', '=', 'v3').execute()).to.deep.equal([{ id: 3 }])
    })

    it('a limit keeps the rows of a sorted read the whole sort would, ties in the order read', async () => {
      const db = t.open()
      await setup(db)
      // 50 rows, 4 values of `g`: sorted by g alone, most rows tie.
      await db.schema.alterTable('t').addColumn('g', 'integer').execute()
      await db
        .updateTable('t')
        .set((eb) => ({ g: eb('id', '%', 4) }))
        .execute()
      const whole = (await db.selectFrom('t').select(['id', 'g']).orderBy('g', 'desc').execute()).map((r) => r.id)
      expect(whole.slice(0, 4)).to.deep.equal([3, 7, 11, 15])
      for (const [limit, offset] of [
        [1, 0],
        [5, 0],
        [7, 10],
        [13, 11],
        [50, 0],
        [10, 45],
      ] as const) {
        const q = db.selectFrom('t').select(['id', 'g']).orderBy('g', 'desc').limit(limit).offset(offset)
        expect(
          (await q.execute()).map((r) => r.id),
          `limit ${limit} offset ${offset}`,
        ).to.deep.equal(whole.slice(offset, offset + limit))
      }
      // With a filter, and ascending.
      const where = db.selectFrom('t').select('id').where('v', '>', 'v4').orderBy('g').limit(6)
      const all = await db.selectFrom('t').select('id').where('v', '>', 'v4').orderBy('g').execute()
      expect(await where.execute()).to.deep.equal(all.slice(0, 6))
    })
  })
}
