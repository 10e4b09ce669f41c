import type { Kysely } from 'kysely'

/** One table: `category` groups ~100 rows each and carries the secondary index. */
export interface ItemTable {
  id: number
  category: number
  name: string
  price: number
  qty: number
}

/** One row per category, the other side of the join. */
export interface CategoryTable {
  id: number
  label: string
}

/** The foreign-key workloads' tables (workloads.ts: fk-insert, fk-cascade), made by them. */
export interface LineTable {
  id: number
  item_id: number
  qty: number
}

export interface OwnerTable {
  id: number
  name: string
}

export interface PetTable {
  id: number
  owner_id: number
}

/** The trigger workload's tables (workloads.ts: trigger-insert), made by it. */
export interface AuditedTable {
  id: number
  name: string
  qty: number
}

export interface AuditTable {
  n: number
  row_id: number
  what: string
}

export interface BenchDB {
  audited: AuditedTable
  audit: AuditTable
  line: LineTable
  owner: OwnerTable
  pet: PetTable
  item: ItemTable
  /** Same shape as item; the multi-row inserts fill it and the deletes empty it. */
  batch_item: ItemTable
  category: CategoryTable
}

export function categoryLabel(id: number): string {
  return `category-${id}`
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

/** The tables, the secondary index on item.category, and the categories (not timed). */
export async function createSchema(db: Kysely<BenchDB>, n: number): Promise<void> {
  for (const table of ['item', 'batch_item'] as const) {
    await db.schema
      .createTable(table)
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('category', 'integer', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('price', 'real', (c) => c.notNull())
      .addColumn('qty', 'integer', (c) => c.notNull())
      .execute()
  }
  await db.schema.createIndex('item_category').on('item').column('category').execute()
  await db.schema
    .createTable('category')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('label', 'text', (c) => c.notNull())
    .execute()
  const categories = Array.from({ length: categoryCount(n) }, (_, id) => ({ id, label: categoryLabel(id) }))
  for (let i = 0; i < categories.length; i += 100)
    await db
      .insertInto('category')
      .values(categories.slice(i, i + 100))
      .execute()
}
