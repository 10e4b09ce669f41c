import { expect } from 'chai'
import { open } from 'btree-store'
import { BTreeDialect } from '../../src/index.js'
import { expectCheck, rejection, useTempDir, VERSIONS, type AnyDB } from './support.js'

for (const version of VERSIONS) {
  describe(`integration (${version.name}): reopen and foreign buckets`, () => {
    const t = useTempDir(version)

    it('generated columns survive close and reopen: computed, refused as targets, renamed with their column', async () => {
      let db = t.open()
      await db.schema
        .createTable('doc')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('body', 'text')
        .addColumn('size', 'integer', (c) => c.generatedAlwaysAs(version.sql`length(body) + id`).stored())
        .execute()
      await db.insertInto('doc').values({ body: 'abc' }).execute()
      await db.destroy()
      db = t.open()
      await db.insertInto('doc').values({ body: 'hello' }).execute()
      await db.schema.alterTable('doc').renameColumn('body', 'text').execute()
      await db.updateTable('doc').set({ text: 'x' }).where('id', '=', 1).execute()
      await db.destroy()
      db = t.open()
      expect(await db.selectFrom('doc').selectAll().orderBy('id').execute()).to.deep.equal([
        { id: 1, text: 'x', size: 2 },
        { id: 2, text: 'hello', size: 7 },
      ])
      const refused = await rejection(db.updateTable('doc').set({ size: 1 }).execute())
      expect(refused.code).to.equal('BTREE_SQL_GENERATED_COLUMN')
      expect(refused.message).to.equal('cannot UPDATE generated column "size"')
      await expectCheck(db)
      await db.destroy()
    })

    it('schema, rows and indexes survive close and reopen', async () => {
      let db = t.open()
      await db.schema
        .createTable('item')
        .addColumn('sku', 'text', (c) => c.primaryKey())
        .addColumn('qty', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('tag', 'text')
        .execute()
      await db.schema.createIndex('item_tag').on('item').column('tag').unique().execute()
      await db.insertInto('item').values({ sku: 'b', qty: 2, tag: 'x' }).execute()
      await db.insertInto('item').values({ sku: 'a', tag: 'y' }).execute()
      // As in SQLite through Kysely: a cell missing from a multi-row insert is null, not the default.
      expect(
        (
          await rejection(
            db
              .insertInto('item')
              .values([{ sku: 'd', qty: 1 }, { sku: 'e' }])
              .execute(),
          )
        ).code,
      ).to.equal('BTREE_SQL_NOT_NULL_VIOLATION')
      await db.destroy()
      db = t.open()
      expect(await db.selectFrom('item').selectAll().orderBy('sku').execute()).to.deep.equal([
        { sku: 'a', qty: 0, tag: 'y' },
        { sku: 'b', qty: 2, tag: 'x' },
      ])
      expect((await rejection(db.insertInto('item').values({ sku: 'c', tag: 'x' }).execute())).code).to.equal(
        'BTREE_SQL_UNIQUE_VIOLATION',
      )
      expect((await db.insertInto('item').values({ sku: 'c', tag: 'z' }).executeTakeFirst()).insertId).to.equal(3n)
      await expectCheck(db)
    })

    it('a file holding other buckets is left untouched; { database } is not closed by destroy', async () => {
      const engine = await open(t.path('shared.db'))
      await engine.update((tx) => {
        tx.createBucket('users').put(Buffer.from('k'), Buffer.from('v'))
        tx.createBucket('!level!').put(Buffer.from('a'), Buffer.from('b'))
      })
      const db: AnyDB = new version.Kysely({ dialect: new BTreeDialect({ database: engine }) })
      await db.schema
        .createTable('users')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .execute()
      await db.insertInto('users').values({ id: 1 }).execute()
      await db.schema.dropTable('users').execute()
      await db.destroy()
      expect(engine.closed).to.equal(false)
      engine.view((tx) => {
        expect(Buffer.from(tx.bucket('users')!.get(Buffer.from('k'))!).toString()).to.equal('v')
        expect(tx.bucket('!level!')!.size).to.equal(1)
        expect(tx.buckets().filter((b) => !b.startsWith('__kysely_btree_'))).to.deep.equal(['!level!', 'users'])
      })
      expect(engine.check().ok).to.equal(true)
      await engine.close()
    })

    it('durability none and engine options pass through', async () => {
      const db = t.open({ durability: 'none', pageSize: 1024, strict: true })
      await db.schema.createTable('x').addColumn('v', 'text').execute()
      await db
        .insertInto('x')
        .values(Array.from({ length: 300 }, (_, i) => ({ v: `value ${i}`.repeat(5) })))
        .execute()
      expect(await db.selectFrom('x').select('v').execute()).to.have.length(300)
      await expectCheck(db)
    })
  })
}
