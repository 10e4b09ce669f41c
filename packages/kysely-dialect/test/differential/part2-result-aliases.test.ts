import { both, diffSuite, rawOutcomes } from '../helpers/differential.js'
import type { Db } from '../helpers/sides.js'

/*
 * Result-column aliases named in WHERE and HAVING, as SQLite resolves them: a bare name no table
 * of the select has stands for the result column of that alias (executor/result-aliases.ts).
 * Round s32: each of these was "no such column".
 */

async function seed(db: Db): Promise<void> {
  await db.schema
    .createTable('a')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('x', 'integer')
    .addColumn('y', 'text')
    .execute()
  await db.schema.createIndex('a_x').on('a').column('x').execute()
  await db
    .insertInto('a')
    .values([
      { x: 1, y: 'a' },
      { x: 2, y: 'b' },
      { x: 3, y: null },
      { x: 3, y: 'c' },
      { x: 5, y: 'c' },
    ])
    .execute()
}

diffSuite('differential: result aliases in where and having', () => {
  both('raw SQL: where, having, shadowing, expressions, errors', seed, (db, { sql }) =>
    rawOutcomes(
      db,
      sql,
      [
        'select x * 2 as d from a where d > 3 order by 1',
        'select x * 2 as d from a where d + 1 > 7 or d is null order by 1',
        'select x as g, count(*) as c from a group by g having c > 1',
        'select x as g, count(*) as c from a group by g having count(*) > 1 and g > 0',
        'select count(*) as c from a having c > 1',
        'select count(*) as c from a having c > 10',
        "select y as x from a where x = 'a'",
        'select x + 1 as id from a where id = 2',
        'select x as v, y as v from a where v = 3 order by y',
        "select upper(y) as u from a where u = 'C' order by 1",
        "select y, length(y) as n from a where n between 1 and 1 and y > 'a' order by y",
        'select count(*) as c from a where c > 1',
        'select x, row_number() over (order by id) as r from a where r = 1',
        'select a1.x as ax from a a1 join a a2 on a2.id = a1.id where ax = 5',
        'select x as q from a where q in (select x from a where x > 2) order by 1',
        // Round s32: a subquery sees the aliases too, for names its own tables lack.
        'select x as q from a where exists (select 1 where q = 5)',
        'select x * 10 as big from a where big in (select 10 * 3) order by 1',
        'select y as label from a where label in (select y from a as z where z.id = 1) order by 1',
        'select x as id2 from a where exists (select 1 from a b where b.id = id2) order by 1',
        'select x as idx from a where exists (select 1 from a b where b.x = idx and b.id > 1) order by 1',
        'select x as g, sum(id) as s from a group by x having s > 4 order by g',
      ],
      'failed',
    ),
  )

  both('builder: where and having on an alias', seed, (db, { sql }) => [
    db
      .selectFrom('a')
      .select((eb) => eb('x', '*', 2).as('d'))
      .where(sql.ref('d'), '>', 3)
      .orderBy('d'),
    db
      .selectFrom('a')
      .select(['y', (eb) => eb.fn.countAll().as('n')])
      .groupBy('y')
      .having(sql.ref('n'), '>', 1)
      .orderBy('y'),
  ])
})
