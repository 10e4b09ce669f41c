import { expect } from 'chai'
import { SqliteDialect } from 'kysely'
import { BTreeAdapter, checkpoint } from '../../src/index.js'
import { rejection, useTempDir, VERSIONS, type AnyDB } from './support.js'

function engineOf(db: AnyDB) {
  const engine = (db.getExecutor().adapter as BTreeAdapter).driver.database
  if (engine === undefined) throw new Error('the database is not open yet')
  return engine
}

for (const version of VERSIONS) {
  describe(`integration (${version.name}): checkpoint(db)`, () => {
    const t = useTempDir(version)

    async function filled(): Promise<AnyDB> {
      const db = t.open()
      await db.schema
        .createTable('item')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('qty', 'integer', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('item_qty').on('item').column('qty').execute()
      for (let i = 1; i <= 50; i++)
        await db
          .insertInto('item')
          .values({ id: i, qty: i % 7 })
          .execute()
      for (let i = 1; i <= 50; i += 3)
        await db
          .updateTable('item')
          .set((eb) => ({ qty: eb('qty', '+', 10) }))
          .where('id', '=', i)
          .execute()
      return db
    }

    const rows = (db: AnyDB) => db.selectFrom('item').selectAll().orderBy('id').execute()

    it('writes the journal into pages: the checkpoint txid reaches the newest commit, rows and indexes unchanged', async () => {
      const db = await filled()
      const before = engineOf(db).info()
      expect(before.journal?.records ?? 0).to.be.greaterThan(0)
      expect(before.checkpointTxid).to.be.lessThan(before.txid)
      const expected = await rows(db)
      const byIndex = await db.selectFrom('item').select('id').where('qty', '=', 11).orderBy('id').execute()
      await checkpoint(db)
      const after = engineOf(db).info()
      expect(after.checkpointTxid).to.equal(after.txid)
      expect(after.journal?.records ?? 0).to.equal(0)
      expect(await rows(db)).to.deep.equal(expected)
      expect(await db.selectFrom('item').select('id').where('qty', '=', 11).orderBy('id').execute()).to.deep.equal(
        byIndex,
      )
      // Nothing left to write: a second one is a no-op.
      await checkpoint(db)
      expect(engineOf(db).info().checkpointTxid).to.equal(after.txid)
    })

    it('waits for an open transaction to end, and then writes its commit too', async () => {
      const db = await filled()
      let release!: () => void
      const held = new Promise<void>((resolve) => (release = resolve))
      let began!: () => void
      const inside = new Promise<void>((resolve) => (began = resolve))
      const tx = db.transaction().execute(async (trx) => {
        await trx.insertInto('item').values({ id: 100, qty: 1 }).execute()
        began()
        await held
      })
      await inside
      let done = false
      const cp = checkpoint(db).then(() => (done = true))
      await new Promise((resolve) => setTimeout(resolve, 20))
      expect(done).to.equal(false)
      release()
      await tx
      await cp
      const info = engineOf(db).info()
      expect(info.checkpointTxid).to.equal(info.txid)
      expect(await db.selectFrom('item').select('id').where('id', '=', 100).execute()).to.deep.equal([{ id: 100 }])
    })

    it('survives reopening: the checkpointed rows are read from the file', async () => {
      const db = await filled()
      const expected = await rows(db)
      await checkpoint(db)
      await db.destroy()
      const again = t.open()
      expect(await rows(again)).to.deep.equal(expected)
    })

    it('is refused on a Kysely instance of another dialect', async () => {
      // SQLite's dialect opens its database on first use: an object that is none is never touched.
      const other = new version.Kysely({ dialect: new SqliteDialect({ database: {} as never }) })
      expect((await rejection(checkpoint(other))).code).to.equal('BTREE_SQL_UNSUPPORTED')
    })
  })
}
