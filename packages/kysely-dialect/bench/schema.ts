import type { Kysely } from 'kysely'

/** One table: `category` groups ~100 rows each and carries the secondary index. */
export interface ItemTable {
  id: number
  category: number
  name: string
  price: number
  qty: number
}

export interface BenchDB {
  item: ItemTable
}

/** Categories for n rows: ~100 rows each, so an index lookup returns ~100 rows at any n. */
export function categoryCount(n: number): number {
  return Math.max(1, Math.round(n / 100))
}

/** Row i (0-based) of the seeded data; the same on every side. Categories are spread over the key range. */
export function row(i: number, n: number): ItemTable {
  return {
    id: i + 1,
    category: (i * 7919) % categoryCount(n),
    name: `item-${i.toString(36)}-${'x'.repeat(i % 24)}`,
    price: ((i * 37) % 10_000) / 100,
    qty: i % 50,
  }
}

export async function createSchema(db: Kysely<BenchDB>): Promise<void> {
  await db.schema
    .createTable('item')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('category', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('price', 'real', (c) => c.notNull())
    .addColumn('qty', 'integer', (c) => c.notNull())
    .execute()
}

export async function createIndex(db: Kysely<BenchDB>): Promise<void> {
  await db.schema.createIndex('item_category').on('item').column('category').execute()
}
