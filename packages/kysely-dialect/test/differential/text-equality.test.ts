import { both, diffSuite } from '../helpers/differential.js'
import type { Db } from '../helpers/sides.js'
import type { KyselyApi } from '../helpers/kysely-versions.js'

/**
 * `column = 'text'` compares a stored row's UTF-8 bytes in place when the comparison leaves text
 * as it is (a text column, or one without affinity); any other stored value (a number, a blob, a
 * null, a column added later) is compared as a value.
 */
async function seedTexts(db: Db, api: KyselyApi): Promise<void> {
  await db.schema
    .createTable('tx')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('t', 'text')
    .addColumn('b', 'blob')
    .addColumn('i', 'integer')
    .execute()
  const { sql } = api
  const rows = [
    [1, 'abc', 'abc', 1],
    [2, 'ab', sql`1`, 2],
    [3, '', sql`'1'`, 3],
    [4, 'é€', sql`x'616263'`, 4],
    [5, null, null, null],
    [6, '1', sql`1.0`, 1],
    [7, 'abcd', 'é€', 7],
    [8, 'x'.repeat(200), 'x'.repeat(200), 8],
    [9, '😀', '😀', 9],
  ] as const
  for (const [id, t, b, i] of rows) await db.insertInto('tx').values({ id, t, b, i }).execute()
  await db.schema
    .alterTable('tx')
    .addColumn('later', 'text', (c) => c.defaultTo('abc'))
    .execute()
}

diffSuite('differential: text equality in place', () => {
  for (const value of ['abc', '', 'é€', '1', 'x'.repeat(200), '😀', 'ab'])
    for (const column of ['t', 'b', 'i', 'later'] as const)
      both(`${column} = ${JSON.stringify(value.slice(0, 8))}, <> and the constant on the left`, seedTexts, (db) => [
        db.selectFrom('tx').select('id').where(column, '=', value),
        db.selectFrom('tx').select('id').where(column, '<>', value),
        db
          .selectFrom('tx')
          .select('id')
          .where((eb) => eb(eb.val(value), '=', eb.ref(column))),
      ])
})
