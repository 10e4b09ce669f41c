import { expect } from 'chai'
import { explain } from '../../src/index.js'
import { expectCheck, useTempDir, VERSIONS, type AnyDB, type KyselyVersion } from './support.js'

/**
 * `log` has no primary key: it is keyed by its hidden rowid (1..300), which `rowid`, `oid` and
 * `_rowid_` read (expression/scope.ts: rowidColumn). `tagged` has an index on `tag`, whose entries
 * end with that rowid.
 */
async function setup(db: AnyDB, { sql }: KyselyVersion): Promise<void> {
  await sql`create table log (msg text, n int)`.execute(db)
  await sql`create table tagged (tag text, n int)`.execute(db)
  await sql`create index tagged_tag on tagged (tag)`.execute(db)
  const rows = Array.from({ length: 300 }, (_, i) => ({ msg: `m${i + 1}`, n: (i * 7) % 50 }))
  await db.insertInto('log').values(rows).execute()
  await db
    .insertInto('tagged')
    .values(rows.map((r, i) => ({ tag: `t${i % 10}`, n: r.n })))
    .execute()
}

for (const version of VERSIONS) {
  const { sql } = version
  describe(`integration (${version.name}): seeks by rowid on a table keyed by its hidden rowid`, () => {
    const t = useTempDir(version)

    it('where rowid = ? (and oid, _rowid_) is a point read of the key', async () => {
      const db = t.open()
      await setup(db, version)
      for (const name of ['rowid', 'oid', '_rowid_']) {
        const q = db
          .selectFrom('log')
          .select(['msg', sql<number>`rowid`.as('r')])
          .where(sql.ref(name), '=', 42)
        const plan = await explain(db, q)
        expect(plan.scan).to.include({ access: 'point', seek: 'equality', estimatedRows: 1 })
        expect(plan.scan.keyColumns).to.deep.equal(['rowid'])
        expect(plan.sort).to.equal(false)
        expect(await q.execute()).to.deep.equal([{ msg: 'm42', r: 42 }])
      }
      const raw = await sql`select msg from log where rowid = '7'`.execute(db)
      expect(raw.rows).to.deep.equal([{ msg: 'm7' }])
      // SQLite's words for it.
      const eqp = await sql<{
        detail: string
      }>`explain query plan select msg from log where rowid > 7 and rowid < 9`.execute(db)
      expect(eqp.rows.map((r) => r.detail)).to.deep.equal([
        'SEARCH log USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)',
      ])
      await expectCheck(db)
    })

    it('rowid in (...) reads each key, in key order', async () => {
      const db = t.open()
      await setup(db, version)
      const q = db.selectFrom('log').select('msg').where(sql.ref('rowid'), 'in', [250, 3, 77, 3, 1000])
      const plan = await explain(db, q)
      expect(plan.scan).to.include({ access: 'point', seek: 'in' })
      expect(plan.scan.keys).to.have.length(4)
      expect(await q.execute()).to.deep.equal([{ msg: 'm3' }, { msg: 'm77' }, { msg: 'm250' }])
      await expectCheck(db)
    })

    it('rowid > ? and rowid <= ? is one range of the key', async () => {
      const db = t.open()
      await setup(db, version)
      const q = db.selectFrom('log').select('msg').where(sql.ref('rowid'), '>', 100).where(sql.ref('oid'), '<=', 103)
      const plan = await explain(db, q)
      expect(plan.scan).to.include({ access: 'range', seek: 'range' })
      expect(plan.scan.keyColumns).to.deep.equal(['rowid'])
      expect(plan.scan.gte).to.not.equal(undefined)
      expect(plan.scan.lt).to.not.equal(undefined)
      expect(await q.execute()).to.deep.equal([{ msg: 'm101' }, { msg: 'm102' }, { msg: 'm103' }])
      await expectCheck(db)
    })

    it('order by rowid is the key order (no sort); desc reads backwards, a limit stops the scan', async () => {
      const db = t.open()
      await setup(db, version)
      const asc = db
        .selectFrom('log')
        .select('msg')
        .orderBy(sql`rowid`)
        .limit(2)
      const ascPlan = await explain(db, asc)
      expect(ascPlan.sort).to.equal(false)
      expect(ascPlan.scan).to.include({ orderByKey: true, reverse: false, stopAfter: 2 })
      expect(await asc.execute()).to.deep.equal([{ msg: 'm1' }, { msg: 'm2' }])
      const desc = db
        .selectFrom('log')
        .select(['msg', sql<number>`rowid`.as('r')])
        .where(sql.ref('_rowid_'), '<', 200)
        .orderBy(sql.ref('rowid'), 'desc')
        .limit(2)
      const descPlan = await explain(db, desc)
      expect(descPlan.sort).to.equal(false)
      expect(descPlan.scan).to.include({ access: 'range', orderByKey: true, reverse: true, stopAfter: 2 })
      expect(await desc.execute()).to.deep.equal([
        { msg: 'm199', r: 199 },
        { msg: 'm198', r: 198 },
      ])
      await expectCheck(db)
    })

    it('an index on another column serves `tag = ? and rowid > ?` and `tag = ? order by rowid`', async () => {
      const db = t.open()
      await setup(db, version)
      const q = db
        .selectFrom('tagged')
        .select(['n', sql<number>`rowid`.as('r')])
        .where('tag', '=', 't3')
        .where(sql.ref('rowid'), '>', 270)
        .orderBy(sql.ref('rowid'), 'desc')
      const plan = await explain(db, q)
      expect(plan.scan).to.include({ access: 'index', index: 'tagged_tag', seek: 'range', orderByKey: true })
      expect(plan.scan.keyColumns).to.deep.equal(['tag', 'rowid'])
      expect(plan.sort).to.equal(false)
      expect((await q.execute()).map((r) => r.r)).to.deep.equal([294, 284, 274])
      await expectCheck(db)
    })

    it('updates and deletes by rowid seek too; a join on rowid looks up the key', async () => {
      const db = t.open()
      await setup(db, version)
      const update = db.updateTable('log').set({ n: -1 }).where(sql.ref('rowid'), '=', 5)
      expect((await explain(db, update)).scan).to.include({ access: 'point' })
      expect(Number((await update.executeTakeFirstOrThrow()).numUpdatedRows)).to.equal(1)
      const del = db.deleteFrom('log').where(sql.ref('rowid'), '>=', 299)
      expect((await explain(db, del)).scan).to.include({ access: 'range' })
      expect(Number((await del.executeTakeFirstOrThrow()).numDeletedRows)).to.equal(2)
      const join = db
        .selectFrom('tagged')
        .innerJoin('log', (j) => j.on(sql.ref('log.rowid'), '=', sql.ref('tagged.rowid')))
        .select(['log.msg', 'log.n'])
        .where('tagged.tag', '=', 't4')
        .where('tagged.n', '=', 28)
        .orderBy(sql.ref('log.rowid'))
      const joinPlan = await explain(db, join)
      expect(joinPlan.joins?.[0]).to.include({ table: 'log', strategy: 'primary-key-lookup' })
      expect(joinPlan.joins?.[0]?.keyColumns).to.deep.equal(['rowid'])
      expect(await join.execute()).to.deep.equal(
        [5, 55, 105, 155, 205, 255].map((r) => ({ msg: `m${r}`, n: r === 5 ? -1 : 28 })),
      )
      expect((await sql`select n from log where rowid = 5`.execute(db)).rows).to.deep.equal([{ n: -1 }])
      await expectCheck(db)
    })

    it('a real column named rowid wins: _rowid_ seeks, `rowid` is a column like any other', async () => {
      const db = t.open()
      await sql`create table c (rowid int, b text)`.execute(db)
      await db
        .insertInto('c')
        .values(Array.from({ length: 100 }, (_, i) => ({ rowid: 1000 - i, b: `b${i + 1}` })))
        .execute()
      const hidden = db.selectFrom('c').select('b').where(sql.ref('_rowid_'), '=', 3)
      expect((await explain(db, hidden)).scan).to.include({ access: 'point' })
      expect(await hidden.execute()).to.deep.equal([{ b: 'b3' }])
      const real = db.selectFrom('c').select('b').where('rowid', '=', 3)
      expect((await explain(db, real)).scan).to.include({ access: 'full-scan' })
      expect(await real.execute()).to.deep.equal([])
      expect(await db.selectFrom('c').select('b').where('rowid', '=', 998).execute()).to.deep.equal([{ b: 'b3' }])
      await expectCheck(db)
    })
  })
}
