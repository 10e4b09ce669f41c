import { both, diffSuite } from '../helpers/differential.js'
import type { Db } from '../helpers/sides.js'
import type { KyselyApi } from '../helpers/kysely-versions.js'

/**
 * Grouping over a table scan reads each row's group key and aggregate arguments in place from its
 * stored bytes (GroupTable.addBytes, SlotReader): numbers unboxed, anything else (text, blobs,
 * nulls, integers past 2^53, a column added after the row was written) through the row's view.
 * These cases put every such value under the direct read.
 */
async function seedStored(db: Db, api: KyselyApi): Promise<void> {
  await db.schema
    .createTable('gs')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('k', 'integer')
    .addColumn('pad', 'text')
    .addColumn('x', 'blob')
    .addColumn('r', 'real')
    .execute()
  const { sql } = api
  const rows = [
    [1, 0, 'a', 1, 1.5],
    [2, 0, 'b'.repeat(300), 2.5, 2],
    [3, 1, '', sql`'3'`, null],
    [4, 1, 'é'.repeat(100), sql`'x'`, -0.5],
    [5, -2, null, sql`x'0102'`, 1e300],
    [6, 5000, 'c', sql`9007199254740993`, 3],
    [7, null, 'd', null, 4.25],
    [8, 2.5, 'e', 7, sql`-0.0`],
    [9, 5000, 'f', sql`'2.5'`, 2],
  ] as const
  for (const [id, k, pad, x, r] of rows) await db.insertInto('gs').values({ id, k, pad, x, r }).execute()
  // A column added later: the rows above lack its slot and read its default.
  await db.schema
    .alterTable('gs')
    .addColumn('late', 'integer', (c) => c.defaultTo(7))
    .execute()
  await db.insertInto('gs').values({ id: 10, k: 0, pad: 'g', x: 4, r: 1, late: 100 }).execute()
}

diffSuite('differential part 2: grouping read from stored rows', () => {
  both('sum, total, min, max and count of a column holding every storage class, per key', seedStored, (db) =>
    db
      .selectFrom('gs')
      .select((eb) => [
        'k',
        eb.fn.countAll().as('c'),
        eb.fn.count('x').as('cx'),
        eb.fn.sum('r').as('sr'),
        eb.fn('total', ['x']).as('tx'),
        eb.fn.min('x').as('mn'),
        eb.fn.max('x').as('mx'),
      ])
      .groupBy('k'),
  )
  both('the key read again as an argument, and a column after a long text', seedStored, (db) =>
    db
      .selectFrom('gs')
      .select((eb) => ['k', eb.fn.sum('k').as('sk'), eb.fn.max('r').as('mr'), eb.fn.avg('r').as('ar')])
      .groupBy('k'),
  )
  both('a column added later reads its default in the rows written before it', seedStored, (db) => [
    db
      .selectFrom('gs')
      .select((eb) => ['late', eb.fn.countAll().as('c'), eb.fn.sum('r').as('s')])
      .groupBy('late'),
    db
      .selectFrom('gs')
      .select((eb) => ['k', eb.fn.sum('late').as('sl')])
      .groupBy('k'),
  ])
  both('aggregates without group by over every row', seedStored, (db) =>
    db
      .selectFrom('gs')
      .select((eb) => [
        eb.fn.countAll().as('c'),
        eb.fn.sum('r').as('s'),
        eb.fn.min('pad').as('mp'),
        eb.fn.max('k').as('mk'),
        eb.fn('total', ['late']).as('tl'),
      ]),
  )
  both('a text key, grouped from stored rows', seedStored, (db) =>
    db
      .selectFrom('gs')
      .select((eb) => ['pad', eb.fn.countAll().as('c'), eb.fn.sum('id').as('s')])
      .groupBy('pad')
      .orderBy('pad'),
  )
})
