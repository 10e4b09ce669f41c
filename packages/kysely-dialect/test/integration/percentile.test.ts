import { expect } from 'chai'
import { useTempDir, VERSIONS } from './support.js'

/**
 * SQLite's percentile aggregates (percentile.ts). sql.js, the differential tests' default oracle,
 * is built without them; the expected values here are native SQLite 3.53's (better-sqlite3 12,
 * built with SQLITE_ENABLE_PERCENTILE), each checked against it when written.
 */
for (const version of VERSIONS) {
  const { sql } = version

  describe(`integration (${version.name}): median, percentile, percentile_cont, percentile_disc`, () => {
    const t = useTempDir(version)

    it('as SQLite computes them: interpolated, discrete, grouped, filtered, distinct, over windows', async () => {
      const db = t.open()
      await sql`create table m (g text, x)`.execute(db)
      await sql`insert into m values ('a', 1), ('a', 2), ('a', 3), ('a', 10), ('b', 2.5), ('b', -1), ('b', null), ('c', null)`.execute(
        db,
      )
      const one = async (text: string) => (await sql.raw(text).execute(db)).rows
      expect(await one(`select g, median(x) as m from m group by g order by g`)).to.deep.equal([
        { g: 'a', m: 2.5 },
        { g: 'b', m: 0.75 },
        { g: 'c', m: null },
      ])
      expect(
        await one(
          `select percentile(x, 25) as p, percentile_cont(x, 0.25) as c, percentile_disc(x, 0.25) as d, percentile_disc(x, 0.5) as d2, typeof(median(x)) as t from m where g = 'a'`,
        ),
      ).to.deep.equal([{ p: 1.75, c: 1.75, d: 1, d2: 2, t: 'real' }])
      expect(await one(`select percentile(x, '50') as p from m where g = 'a'`)).to.deep.equal([{ p: 2.5 }])
      expect(
        await one(`select median(distinct x) as m from (select 1 x union all select 1 union all select 4)`),
      ).to.deep.equal([{ m: 2.5 }])
      expect(await one(`select median(x) filter (where x > 1) as m from m where g = 'a'`)).to.deep.equal([{ m: 3 }])
      expect(
        await one(
          `select x, median(x) over (order by x rows between 1 preceding and 1 following) as m from (select 1 x union all select 5 union all select 2 union all select 8) order by x`,
        ),
      ).to.deep.equal([
        { x: 1, m: 1.5 },
        { x: 2, m: 2 },
        { x: 5, m: 5 },
        { x: 8, m: 6.5 },
      ])
    })

    it("SQLite's errors: a Y not a number or infinite, a P out of range or not the same on every row", async () => {
      const db = t.open()
      const message = (text: string) =>
        sql
          .raw(text)
          .execute(db)
          .then(
            () => undefined,
            (e: { code?: string; message: string }) => `${e.code}: ${e.message}`,
          )
      expect(await message(`select median(x) from (select '12' x)`)).to.equal(
        'BTREE_SQL_FUNCTION_ERROR: input to median() is not numeric',
      )
      expect(await message(`select median(x) from (select 1e308 * 10 x)`)).to.equal(
        'BTREE_SQL_FUNCTION_ERROR: Inf input to median()',
      )
      expect(await message(`select percentile(x, 101) from (select 1 x)`)).to.equal(
        'BTREE_SQL_FUNCTION_ERROR: the fraction argument to percentile() is not between 0.0 and 100.0',
      )
      expect(await message(`select percentile_cont(x, 2) from (select 1 x)`)).to.equal(
        'BTREE_SQL_FUNCTION_ERROR: the fraction argument to percentile_cont() is not between 0.0 and 1.0',
      )
      expect(await message(`select percentile(x, p) from (select 1 x, 10 p union all select 2, 20)`)).to.equal(
        'BTREE_SQL_FUNCTION_ERROR: the fraction argument to percentile() is not the same for all input rows',
      )
    })
  })
}
