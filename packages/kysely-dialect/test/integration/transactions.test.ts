import { expect } from 'chai'
import { expectCheck, engineOf, rejection, useTempDir, VERSIONS, type AnyDB } from './support.js'

async function counter(db: AnyDB): Promise<void> {
  await db.schema
    .createTable('c')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('n', 'integer', (c) => c.notNull())
    .execute()
  await db.insertInto('c').values({ id: 1, n: 0 }).execute()
}

async function value(db: AnyDB): Promise<number> {
  return (await db.selectFrom('c').select('n').where('id', '=', 1).executeTakeFirstOrThrow()).n as number
}

for (const version of VERSIONS) {
  describe(`integration (${version.name}): transactions`, () => {
    const t = useTempDir(version)

    it('transaction().execute commits atomically; reads inside see its own writes', async () => {
      const db = t.open()
      await counter(db)
      const seen = await db.transaction().execute(async (trx) => {
        await trx.updateTable('c').set({ n: 5 }).where('id', '=', 1).execute()
        await trx.insertInto('c').values({ id: 2, n: 7 }).execute()
        return trx.selectFrom('c').select('n').orderBy('id').execute()
      })
      expect(seen).to.deep.equal([{ n: 5 }, { n: 7 }])
      expect(await value(db)).to.equal(5)
      await expectCheck(db)
    })

    it('a throwing callback rolls everything back, schema changes included', async () => {
      const db = t.open()
      await counter(db)
      const err = await rejection(
        db.transaction().execute(async (trx) => {
          await trx.updateTable('c').set({ n: 9 }).execute()
          await trx.schema.createTable('tmp').addColumn('x', 'integer').execute()
          await trx.insertInto('tmp').values({ x: 1 }).execute()
          throw new Error('boom')
        }),
      )
      expect(err.message).to.equal('boom')
      expect(await value(db)).to.equal(0)
      expect((await rejection(db.selectFrom('tmp').selectAll().execute())).code).to.equal('BTREE_SQL_NO_SUCH_TABLE')
      await expectCheck(db)
    })

    it('a failing statement inside a transaction undoes only itself', async () => {
      const db = t.open()
      await counter(db)
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('c').values({ id: 2, n: 1 }).execute()
        const err = await rejection(
          trx
            .insertInto('c')
            .values([
              { id: 3, n: 1 },
              { id: 1, n: 1 },
            ])
            .execute(),
        )
        expect(err.code).to.equal('BTREE_SQL_UNIQUE_VIOLATION')
        expect(await trx.selectFrom('c').select('id').orderBy('id').execute()).to.deep.equal([{ id: 1 }, { id: 2 }])
      })
      expect(await db.selectFrom('c').select('id').orderBy('id').execute()).to.deep.equal([{ id: 1 }, { id: 2 }])
    })

    it('controlled transactions: savepoint, rollbackToSavepoint, releaseSavepoint, commit', async () => {
      const db = t.open()
      await counter(db)
      const trx = await db.startTransaction().execute()
      await trx.updateTable('c').set({ n: 1 }).execute()
      const sp1 = await trx.savepoint('a').execute()
      await sp1.updateTable('c').set({ n: 2 }).execute()
      const sp2 = await sp1.savepoint('b').execute()
      await sp2.updateTable('c').set({ n: 3 }).execute()
      const back = await sp2.rollbackToSavepoint('b').execute()
      expect(await value(back)).to.equal(2)
      const back1 = await back.rollbackToSavepoint('a').execute()
      expect(await value(back1)).to.equal(1)
      await back1.updateTable('c').set({ n: 4 }).execute()
      const released = await back1.releaseSavepoint('a').execute()
      await released.commit().execute()
      expect(await value(db)).to.equal(4)
      await expectCheck(db)
    })

    it('the schema a transaction caches follows its schema changes and rollbacks to savepoints', async () => {
      const db = t.open()
      await db.schema
        .createTable('u')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('k', 'text')
        .execute()
      const trx = await db.startTransaction().execute()
      await trx.insertInto('u').values({ id: 1, k: 'x' }).execute()
      const sp = await trx.savepoint('a').execute()
      // The unique index and the bucket its first insert creates are both undone below.
      await sp.schema.createIndex('u_k').unique().on('u').column('k').execute()
      await sp.insertInto('u').values({ id: 2, k: 'y' }).execute()
      expect((await rejection(sp.insertInto('u').values({ id: 3, k: 'x' }).execute())).code).to.equal(
        'BTREE_SQL_UNIQUE_VIOLATION',
      )
      await sp.insertInto('u').values({ id: 5, k: 'w' }).execute()
      const back = await sp.rollbackToSavepoint('a').execute()
      await back.insertInto('u').values({ id: 3, k: 'x' }).execute()
      await back.schema.createIndex('u_id_k').on('u').columns(['id', 'k']).execute()
      await back.insertInto('u').values({ id: 4, k: 'z' }).execute()
      await back.commit().execute()
      expect(await db.selectFrom('u').select(['id', 'k']).orderBy('id').execute()).to.deep.equal([
        { id: 1, k: 'x' },
        { id: 3, k: 'x' },
        { id: 4, k: 'z' },
      ])
      // Duplicates of k now exist: a unique index on it fails, as in SQLite.
      expect((await rejection(db.schema.createIndex('u_k').unique().on('u').column('k').execute())).code).to.equal(
        'BTREE_SQL_UNIQUE_VIOLATION',
      )
      await expectCheck(db)
    })

    it('controlled transaction rollback leaves nothing; an unknown savepoint is BTREE_SQL_TRANSACTION', async () => {
      const db = t.open()
      await counter(db)
      const trx = await db.startTransaction().execute()
      await trx.updateTable('c').set({ n: 8 }).execute()
      expect((await rejection(version.sql`rollback to nope`.execute(trx))).code).to.equal('BTREE_SQL_TRANSACTION')
      await trx.rollback().execute()
      expect(await value(db)).to.equal(0)
    })

    it('concurrent transactions are queued, never failed', async () => {
      const db = t.open()
      await counter(db)
      const bump = () =>
        db.transaction().execute(async (trx) => {
          const n = (await trx.selectFrom('c').select('n').where('id', '=', 1).executeTakeFirstOrThrow()).n as number
          await new Promise((r) => setImmediate(r))
          await trx
            .updateTable('c')
            .set({ n: n + 1 })
            .where('id', '=', 1)
            .execute()
        })
      await Promise.all(Array.from({ length: 10 }, bump))
      expect(await value(db)).to.equal(10)
      await expectCheck(db)
    })

    it('a query on the outer db waits while a transaction holds the file', async () => {
      const db = t.open()
      await counter(db)
      const trx = await db.startTransaction().execute()
      await trx.updateTable('c').set({ n: 1 }).execute()
      let outerDone = false
      const outer = value(db).then((v) => {
        outerDone = true
        return v
      })
      const outerWrite = db
        .updateTable('c')
        .set((eb) => ({ n: eb('n', '*', 10) }))
        .execute()
      for (let i = 0; i < 20; i++) {
        await trx.selectFrom('c').selectAll().execute()
        await new Promise((r) => setImmediate(r))
      }
      expect(outerDone).to.equal(false)
      await trx.updateTable('c').set({ n: 2 }).execute()
      await trx.commit().execute()
      expect(await outer).to.equal(2)
      await outerWrite
      expect(await value(db)).to.equal(20)
    })

    it('statements sharing a group commit see the schema changes and failures of those before them', async () => {
      const db = t.open()
      await db.schema
        .createTable('base')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('k', 'text')
        .execute()
      await db.insertInto('base').values({ id: 1, k: 'x' }).execute()
      const engine = await engineOf(db)
      const before = engine.txid
      // Issued together, these queue together and the engine runs them in one transaction, in order.
      const outcomes = await Promise.allSettled([
        db.schema
          .createTable('later')
          .addColumn('id', 'integer', (c) => c.primaryKey())
          .execute(),
        db.insertInto('later').values({ id: 1 }).execute(),
        db.schema.createIndex('base_k').unique().on('base').column('k').execute(),
        db.insertInto('base').values({ id: 2, k: 'x' }).execute(),
        db.insertInto('base').values({ id: 3, k: 'y' }).execute(),
        db.insertInto('base').values({ id: 4, k: 'y' }).execute(),
      ])
      expect(engine.txid - before).to.be.lessThan(6)
      expect(outcomes.map((o) => o.status)).to.deep.equal([
        'fulfilled',
        'fulfilled',
        'fulfilled',
        'rejected',
        'fulfilled',
        'rejected',
      ])
      expect(await db.selectFrom('later').select('id').execute()).to.deep.equal([{ id: 1 }])
      expect(await db.selectFrom('base').select(['id', 'k']).orderBy('id').execute()).to.deep.equal([
        { id: 1, k: 'x' },
        { id: 3, k: 'y' },
      ])
      await expectCheck(db)
    })

    it('concurrent autocommit writes each commit atomically and share commits', async () => {
      const db = t.open()
      await db.schema
        .createTable('log')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('v', 'text')
        .execute()
      const engine = await engineOf(db)
      const before = engine.txid
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          db
            .insertInto('log')
            .values({ v: `v${i}` })
            .executeTakeFirst(),
        ),
      )
      expect(new Set(results.map((r) => r.numInsertedOrUpdatedRows))).to.deep.equal(new Set([1n]))
      expect(await db.selectFrom('log').select('id').execute()).to.have.length(40)
      expect(engine.txid - before).to.be.lessThan(40)
      await expectCheck(db)
    })

    it('reads outside a transaction see the newest commit, not a transaction in progress', async () => {
      const db = t.open()
      await counter(db)
      const engine = await engineOf(db)
      const trx = await db.startTransaction().execute()
      await trx.updateTable('c').set({ n: 3 }).execute()
      // The engine's own snapshot readers never wait and see only commits.
      const snapshot = engine.begin()
      expect(snapshot.buckets().length).to.be.greaterThan(0)
      snapshot.close()
      await trx.commit().execute()
      expect(await value(db)).to.equal(3)
    })
  })
}
