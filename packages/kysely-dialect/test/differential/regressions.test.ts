import { both, diffSuite } from '../helpers/differential.js'
import type { Db } from '../helpers/sides.js'

/**
 * Differences the random generator found, each reduced to a small named case. The title gives the
 * seed and query that found it (replay with KYSELY_DIFF_SEED; the 0.29 run uses seed + 1, the
 * write run seed + 2).
 */

/** `pair(id integer primary key, i integer, t text, b blob)`: one column of each affinity kind. */
async function pairs(db: Db): Promise<void> {
  await db.schema
    .createTable('pair')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('i', 'integer')
    .addColumn('t', 'text')
    .addColumn('b', 'blob')
    .execute()
  await db
    .insertInto('pair')
    .values([
      { id: 1, i: 11, t: '11', b: 6 },
      { id: 2, i: 5, t: '5', b: '6' },
      { id: 3, i: 2, t: '10', b: '10' },
      { id: 4, i: 3, t: 'x', b: 3 },
      { id: 5, i: 7, t: '7', b: Buffer.from('7') },
    ])
    .execute()
}

diffSuite('differential: regressions found by the random generator', () => {
  // Seed 1115357229, query 58: `"b" < "d"` with b TEXT and d BLOB. Two columns whose affinities are
  // neither numeric compare with no conversion (sqlite3CompareAffinity), so integer 6 < text '11'
  // and the row is not matched; btree-store applied TEXT affinity to the BLOB column.
  both('seed 1115357229 q58: a TEXT column against a BLOB column converts neither', pairs, (db) => [
    db
      .selectFrom('pair')
      .select('id')
      .where((eb) => eb('t', '<', eb.ref('b'))),
    db
      .selectFrom('pair')
      .select('id')
      .where((eb) => eb('t', '=', eb.ref('b'))),
  ])

  both('an INTEGER column against a TEXT column applies numeric affinity to the text', pairs, (db) => [
    db
      .selectFrom('pair')
      .select('id')
      .where((eb) => eb('i', '=', eb.ref('t'))),
    db
      .selectFrom('pair')
      .select('id')
      .where((eb) => eb('i', '<', eb.ref('t'))),
  ])

  both('an INTEGER column against a BLOB column applies numeric affinity to the blob column', pairs, (db) => [
    db
      .selectFrom('pair')
      .select('id')
      .where((eb) => eb('i', '>', eb.ref('b'))),
    db
      .selectFrom('pair')
      .select('id')
      .where((eb) => eb('b', '=', eb.ref('i'))),
  ])

  // Seed 1115357230, write 0: `update "r" set "d" = "d" || ? where "b" <> ?` on 47 rows raised
  // BTREE_SQL_UNIQUE_VIOLATION on the rowid key (FAILING.md, B).
  both('seed 1115357230 w0: an update of a non-key column on many rowid rows', pairs, (db) => [
    db.updateTable('pair').set((eb) => ({ b: eb('b', '||', 'x') })).where('t', '<>', 2),
    db.selectFrom('pair').selectAll().orderBy('id'),
  ])
})
