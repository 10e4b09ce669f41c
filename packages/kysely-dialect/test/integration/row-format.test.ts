import { expect } from 'chai'
import { open } from 'btree-store'
import { RowView } from '../../src/encoding/rows.js'
import { encodeRowV1 } from '../helpers/row-format-v1.js'
import { expectCheck, useTempDir, VERSIONS } from './support.js'

/**
 * Files written before the row format's version 2 (2026-12-02) hold version-1 rows: they must open
 * and answer as before, beside rows written since (a table's rows are rewritten one by one).
 */
for (const version of VERSIONS) {
  describe(`integration (${version.name}): rows of the version-1 format`, () => {
    const t = useTempDir(version)

    it('a file whose rows were written by version 1 reads, groups, filters, updates and deletes as before', async () => {
      let db = t.open()
      await db.schema
        .createTable('item')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('category', 'integer', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('price', 'real')
        .execute()
      await db.schema.createIndex('item_category').on('item').column('category').execute()
      // A table keyed by text keeps a hidden rowid in each row.
      await db.schema
        .createTable('tag')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('weight', 'integer')
        .execute()
      const rows = Array.from({ length: 300 }, (_, i) => ({
        id: i + 1,
        category: i % 7,
        name: `item-${i}-${'é'.repeat(i % 5)}`,
        price: i % 11 === 0 ? null : (i * 37) / 10,
      }))
      await db.insertInto('item').values(rows).execute()
      await db
        .insertInto('tag')
        .values([
          { name: 'b', weight: 2 },
          { name: 'a', weight: null },
        ])
        .execute()
      await db.destroy()

      // Rewrite every stored row as version 1 wrote it.
      const engine = await open(t.path())
      let rewritten = 0
      await engine.update((tx) => {
        for (const name of tx.buckets().filter((b) => b.startsWith('__kysely_btree_t'))) {
          const bucket = tx.bucket(name)!
          const entries = [...bucket.entries()].map(([k, v]) => [k.slice(), v.slice()] as const)
          for (const [key, value] of entries) {
            const view = new RowView(value, [])
            bucket.put(key, encodeRowV1(view.all(view.slotCount), view.hiddenRowid))
            rewritten++
          }
        }
      })
      await engine.close()
      expect(rewritten).to.equal(302)

      db = t.open()
      const expected = (r: (typeof rows)[number]) => ({ ...r })
      expect(await db.selectFrom('item').selectAll().orderBy('id').execute()).to.deep.equal(rows.map(expected))
      // The grouping that reads rows in place (GroupTable.addBytes) and the one that reads views.
      const groups = await db
        .selectFrom('item')
        .select((eb) => ['category', eb.fn.countAll<number>().as('n'), eb.fn.sum<number>('price').as('total')])
        .groupBy('category')
        .execute()
      const want = Array.from({ length: 7 }, (_, category) => {
        const of = rows.filter((r) => r.category === category)
        const prices = of.flatMap((r) => (r.price === null ? [] : [r.price]))
        return { category, n: of.length, total: prices.reduce((a, b) => a + b, 0) }
      })
      expect(groups.map((g) => g.category)).to.deep.equal(want.map((w) => w.category))
      expect(groups.map((g) => g.n)).to.deep.equal(want.map((w) => w.n))
      for (let i = 0; i < 7; i++) expect(groups[i]!.total).to.be.closeTo(want[i]!.total, 1e-6)
      const withMax = await db
        .selectFrom('item')
        .select((eb) => ['category', 'name', eb.fn.max('price').as('top')])
        .groupBy('category')
        .orderBy('category')
        .execute()
      expect(withMax).to.have.length(7)
      // Text compared in place, and an index lookup.
      expect(await db.selectFrom('item').select('id').where('name', '=', rows[42]!.name).execute()).to.deep.equal([
        { id: 43 },
      ])
      expect(await db.selectFrom('item').select('id').where('category', '=', 3).execute()).to.have.length(43)
      expect(await db.selectFrom('tag').selectAll().orderBy('name').execute()).to.deep.equal([
        { name: 'a', weight: null },
        { name: 'b', weight: 2 },
      ])
      // A column added later reads its default in old rows and new ones.
      await db.schema
        .alterTable('item')
        .addColumn('stock', 'integer', (c) => c.defaultTo(5))
        .execute()
      await db.updateTable('item').set({ category: 6 }).where('id', '<=', 10).execute()
      await db.deleteFrom('item').where('id', '>', 290).execute()
      // An old row's hidden rowid is read when it is deleted: its rowid entry goes, and 2 is free again.
      await db.deleteFrom('tag').where('name', '=', 'a').execute()
      expect((await db.insertInto('tag').values({ name: 'c', weight: 3 }).executeTakeFirst()).insertId).to.equal(2n)
      expect(
        await db
          .selectFrom('item')
          .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.sum<number>('stock').as('stock')])
          .executeTakeFirst(),
      ).to.deep.equal({ n: 290, stock: 1450 })
      expect(await db.selectFrom('item').select('id').where('category', '=', 6).execute()).to.have.length(
        rows.filter((r) => r.id <= 290 && (r.id <= 10 || r.category === 6)).length,
      )
      expect(await db.selectFrom('tag').selectAll().orderBy('name').execute()).to.deep.equal([
        { name: 'b', weight: 2 },
        { name: 'c', weight: 3 },
      ])
      await expectCheck(db)
    })
  })
}
