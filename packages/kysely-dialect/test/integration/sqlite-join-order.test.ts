import { expect } from 'chai'
import { explain } from '../../src/index.js'
import { JOIN_ORDER_ROWS, JOIN_ORDER_SCHEMA } from '../helpers/join-order-tables.js'
import { useTempDir, VERSIONS, type AnyDB, type KyselyVersion } from './support.js'

/**
 * The join order is SQLite's (executor/sqlite-order.ts): each case lists the loop order
 * SQLite 3.53.2's `explain query plan` gives for it on the same schema (no ANALYZE), and the
 * dialect's `explain` must read the tables in that order. They cover what decides SQLite's order:
 * keys and indexes a condition lets a table be sought by, automatic indexes (on an equality with a
 * constant too), a scan of a narrower covering index (a primary key's too), the comparisons column
 * equivalences imply, constant propagation, ties, cross joins holding back every table written
 * after them, left joins their own table, and left joins the where clause makes inner; never the
 * row counts.
 */
async function setup(db: AnyDB, version: KyselyVersion): Promise<void> {
  for (const statement of [...JOIN_ORDER_SCHEMA, ...JOIN_ORDER_ROWS]) await version.sql.raw(statement).execute(db)
}

/** [query, SQLite's loop order, what decides it]. */
const CASES: readonly [string, readonly string[], string][] = [
  [
    'select count(*) from b t0 cross join b t1 inner join a t2 on t2.id = t1.a_id',
    ['t0', 't1', 't2'],
    'J4: t2 follows the cross join too, and is then sought by its key',
  ],
  ['select count(*) from c t0 cross join d t1 inner join b t2 on t2.id > t0.n', ['t0', 't2', 't1'], 'a cross join'],
  ['select count(*) from e t0, a t1', ['t1', 't0'], 'e read last through its narrower covering index'],
  ['select count(*) from b t0 inner join b t1 on t1.a_id < t0.id', ['t1', 't0'], 'a range on the key'],
  ['select count(*) from c t0 inner join d t1 on t1.v = t0.n', ['t1', 't0'], 'an index seek'],
  ['select count(*) from e t0, e t1 where t1.w = t0.w and t0.w > 0 and t1.id = 9', ['t1', 't0'], 'one row by its key'],
  [
    'select count(*) from a t0 inner join e t1 on t1.w = t0.id where t1.b_id > 0',
    ['t1', 't0'],
    'an index range, then the key',
  ],
  [
    'select count(*) from b t0 inner join e t1 on t1.w = t0.z inner join b t2 on t2.a_id = t1.w where t2.z > 9',
    ['t2', 't1', 't0'],
    'automatic indexes',
  ],
  [
    'select count(*) from d t0, c t1, b t2 where t1.n > t0.v and t2.z > t0.v and t0.v = 0',
    ['t2', 't0', 't1'],
    'an automatic index on an equality with a constant',
  ],
  [
    'select count(*) from e t0 inner join b t1 on t1.id < t0.w inner join d t2 on t2.v = t1.id where t0.b_id = 0',
    ['t2', 't1', 't0'],
    'keys sought from d',
  ],
  [
    'select count(*) from e t0 cross join d t1 inner join c t2 on t2.n = t1.v where t1.v > t0.w and t2.n < 1',
    ['t0', 't2', 't1'],
    "t1.v < 1 implied by t2.n = t1.v: c's index bounds t2 from both sides",
  ],
  [
    'select count(*) from e t0 inner join c t1 on t1.n = t0.id where t1.n > 8',
    ['t1', 't0'],
    'the index range first, then the key',
  ],
  [
    'select count(*) from d t0 inner join c t1 on t1.n = t0.v where t1.n = 6',
    ['t0', 't1'],
    'constant propagation: the on clause reads t0.v = 6, a filter of d',
  ],
  [
    'select count(*) from b t0 inner join a t1 on t1.id = t0.a_id where t0.a_id = 3',
    ['t1', 't0'],
    "constant propagation: a's row 3 by its key",
  ],
  [
    'select count(*) from a t0 inner join b t1 on t1.a_id < t0.x where t1.id < 3',
    ['t0', 't1'],
    'two orders of equal cost: the one found first',
  ],
  [
    'select count(*) from c t0, c t1 where t1.n = t0.n and t0.n < 9',
    ['t1', 't0'],
    't0.n < 9 filters the rows t0 yields when sought second',
  ],
  [
    'select count(*) from d t0 cross join a t1 inner join a t2 on t2.x > t0.v',
    ['t0', 't2', 't1'],
    't2.x > t0.v filters t2 next to t0, which the cross join puts before it',
  ],
  [
    'select count(*) from a t0 cross join e t1 inner join b t2 on t2.id > t1.id inner join a t3 on t3.x < t0.id',
    ['t0', 't3', 't1', 't2'],
    'the same, two tables after the cross join',
  ],
  [
    'select count(*) from c t0 inner join d t1 on t1.v = t0.n inner join a t2 on t2.id > t1.v where t1.v < 3',
    ['t1', 't0', 't2'],
    "t0.n < 3 is implied for c's index, but t2.id > t0.n is not for a's key",
  ],
  [
    'select count(*) from a t0 left join a t1 on t1.x = t0.x where t1.id > 3',
    ['t1', 't0'],
    'the where clause rejects the null rows: the left join is an inner join, t1 first',
  ],
  [
    'select count(*) from a t0 left join a t1 on t1.x = t0.x inner join d t2 on t2.v < t0.id where t2.v > 2',
    ['t2', 't0', 't1'],
    'a left-joined table follows the tables before it, a table after it need not',
  ],
  [
    'select count(*) from a t0 left join b t1 on t1.a_id = t0.id where t1.id is null',
    ['t0', 't1'],
    'is null keeps the left join',
  ],
  [
    'select count(*) from d t0 inner join c t1 on t1.n = t0.v inner join d t2 on t2.v < t1.n',
    ['t2', 't1', 't0'],
    'an index range per row of d',
  ],
]

for (const version of VERSIONS) {
  describe(`integration (${version.name}): the join order is SQLite's`, () => {
    const t = useTempDir(version)

    it("reads the tables in the order SQLite 3.53.2's explain query plan gives", async () => {
      const db = t.open()
      await setup(db, version)
      const found: string[] = []
      for (const [query, expected, why] of CASES) {
        const plan = await explain(db, version.sql.raw(query).compile(db))
        const order = [plan.scan.as ?? plan.scan.table, ...(plan.joins ?? []).map((j) => j.as ?? j.table)]
        if (order.join() !== expected.join())
          found.push(`${query} (${why}): ${order.join(' ')}, SQLite ${expected.join(' ')}`)
      }
      expect(found).to.deep.equal([])
    })

    it('follows the conditions, not the row counts: a table a hundred times larger changes no order', async () => {
      const db = t.open()
      await setup(db, version)
      await version.sql.raw(`insert into b select id + 1000, a_id, z from b`).execute(db)
      for (let i = 0; i < 6; i++)
        await version.sql.raw(`insert into b select id + ${2000 * 2 ** i}, a_id, z from b`).execute(db)
      for (const [query, expected] of CASES.slice(0, 4)) {
        const plan = await explain(db, version.sql.raw(query).compile(db))
        expect([plan.scan.as, ...(plan.joins ?? []).map((j) => j.as)], query).to.deep.equal(expected)
      }
    })
  })
}
