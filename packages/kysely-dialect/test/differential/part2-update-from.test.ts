import { sql } from 'kysely'
import { both, diffSuite } from '../helpers/differential.js'
import type { Db } from '../helpers/sides.js'

/** `stock(sku, qty, price)`, `moves(id, sku, delta)` and `prices(sku, price)`: updates read the others. */
async function seedStock(db: Db): Promise<void> {
  await db.schema
    .createTable('stock')
    .addColumn('sku', 'text', (c) => c.primaryKey())
    .addColumn('qty', 'integer', (c) => c.notNull())
    .addColumn('price', 'real')
    .execute()
  await db.schema.createIndex('stock_qty').on('stock').column('qty').execute()
  await db
    .insertInto('stock')
    .values([
      { sku: 'a', qty: 10, price: 1.5 },
      { sku: 'b', qty: 0, price: 2 },
      { sku: 'c', qty: 5, price: null },
      { sku: 'd', qty: 7, price: 4.25 },
    ])
    .execute()
  await db.schema
    .createTable('moves')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('sku', 'text', (c) => c.notNull())
    .addColumn('delta', 'integer', (c) => c.notNull())
    .execute()
  await db
    .insertInto('moves')
    .values([
      { id: 1, sku: 'a', delta: -3 },
      { id: 2, sku: 'c', delta: 4 },
      { id: 3, sku: 'x', delta: 9 },
    ])
    .execute()
  await db.schema
    .createTable('prices')
    .addColumn('sku', 'text', (c) => c.primaryKey())
    .addColumn('price', 'real')
    .execute()
  await db
    .insertInto('prices')
    .values([
      { sku: 'a', price: 1.75 },
      { sku: 'b', price: null },
      { sku: 'd', price: 5 },
    ])
    .execute()
}

const stockRows = (db: Db) => db.selectFrom('stock').selectAll().orderBy('sku')

diffSuite('differential part 2: update ... from', () => {
  both('update from a table joined in where', seedStock, (db) => [
    db
      .updateTable('stock')
      .from('moves')
      .set((eb) => ({ qty: eb('stock.qty', '+', eb.ref('moves.delta')) }))
      .whereRef('moves.sku', '=', 'stock.sku'),
    stockRows(db),
  ])
  both('rows without a match are left alone; returning reads the target', seedStock, (db) => [
    db
      .updateTable('stock')
      .from('prices')
      .set((eb) => ({ price: eb.ref('prices.price') }))
      .whereRef('prices.sku', '=', 'stock.sku')
      .where('prices.price', 'is not', null)
      .returning(['stock.sku', 'stock.price']),
    stockRows(db),
  ])
  both('update from a derived table of sums', seedStock, (db) => [
    db
      .updateTable('stock')
      .from(
        db
          .selectFrom('moves')
          .select((eb) => ['sku', eb.fn.sum<number>('delta').as('total')])
          .groupBy('sku')
          .as('m'),
      )
      .set((eb) => ({ qty: eb('stock.qty', '+', eb.ref('m.total')) }))
      .whereRef('m.sku', '=', 'stock.sku'),
    stockRows(db),
  ])
  both('update from two tables, and a condition on the target', seedStock, (db) => [
    db
      .updateTable('stock')
      .from(['moves', 'prices'])
      .set((eb) => ({ qty: eb.ref('moves.delta'), price: eb.ref('prices.price') }))
      .whereRef('moves.sku', '=', 'stock.sku')
      .whereRef('prices.sku', '=', 'stock.sku')
      .where('stock.qty', '>', 1),
    stockRows(db),
  ])
  both('a from clause that reads the target sees it unchanged', seedStock, (db) => [
    db
      .updateTable('stock')
      .from('stock as s2')
      .set((eb) => ({ qty: eb.ref('s2.qty') }))
      .where(sql<boolean>`s2.sku = case stock.sku when 'a' then 'b' when 'b' then 'c' when 'c' then 'd' end`),
    stockRows(db),
  ])
  both('raw: update ... from with the changes counted', seedStock, async (db) => {
    const r =
      await sql`update stock set qty = qty * 2 from moves where moves.sku = stock.sku and moves.delta > 0`.execute(db)
    const rows = await stockRows(db).execute()
    return [Number(r.numAffectedRows), rows]
  })
  both('update from with a join in the from clause', seedStock, async (db) => {
    const r =
      await sql`update stock set price = p.price from moves m join prices p on p.sku = m.sku where m.sku = stock.sku`.execute(
        db,
      )
    const rows = await stockRows(db).execute()
    return [Number(r.numAffectedRows), rows]
  })
  both('a bare name both sides have is ambiguous', seedStock, (db) => [
    db
      .updateTable('stock')
      .from('prices')
      .set({ qty: 1 })
      .where(sql<boolean>`prices.sku = sku`),
    stockRows(db),
  ])
  both('bare names only one side has resolve to it', seedStock, async (db) => {
    const r = await sql`update stock set qty = qty + delta from moves where moves.sku = stock.sku`.execute(db)
    const rows = await stockRows(db).execute()
    return [Number(r.numAffectedRows), rows]
  })
})
