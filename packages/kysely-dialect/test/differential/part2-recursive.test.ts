import { sql } from 'kysely'
import { both, diffSuite } from '../helpers/differential.js'
import type { Db } from '../helpers/sides.js'

/** `staff(id, boss, name)`: a tree of five levels; `edges(a, b)`: a graph with a cycle. */
async function seedStaff(db: Db): Promise<void> {
  await db.schema
    .createTable('staff')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('boss', 'integer')
    .addColumn('name', 'text', (c) => c.notNull())
    .execute()
  await db
    .insertInto('staff')
    .values([
      { id: 1, boss: null, name: 'ceo' },
      { id: 2, boss: 1, name: 'cto' },
      { id: 3, boss: 1, name: 'cfo' },
      { id: 4, boss: 2, name: 'lead a' },
      { id: 5, boss: 2, name: 'lead b' },
      { id: 6, boss: 4, name: 'dev 1' },
      { id: 7, boss: 4, name: 'dev 2' },
      { id: 8, boss: 5, name: 'dev 3' },
      { id: 9, boss: 3, name: 'accountant' },
      { id: 10, boss: 6, name: 'intern' },
    ])
    .execute()
  await db.schema.createIndex('staff_boss').on('staff').column('boss').execute()
  await db.schema
    .createTable('edges')
    .addColumn('a', 'integer', (c) => c.notNull())
    .addColumn('b', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('edges_pk', ['a', 'b'])
    .execute()
  await db
    .insertInto('edges')
    .values([
      { a: 1, b: 2 },
      { a: 2, b: 3 },
      { a: 3, b: 1 },
      { a: 3, b: 4 },
      { a: 4, b: 5 },
      { a: 6, b: 7 },
    ])
    .execute()
}

diffSuite('differential part 2: with recursive', () => {
  both('counting to ten', undefined, (db) =>
    db
      .withRecursive('cnt(n)', (qb) =>
        qb.selectNoFrom(sql<number>`1`.as('n')).unionAll((qb2) =>
          qb2
            .selectFrom('cnt')
            .select((eb) => eb('n', '+', 1).as('n'))
            .where('n', '<', 10),
        ),
      )
      .selectFrom('cnt')
      .selectAll(),
  )
  both('a subtree with depths and paths', seedStaff, (db) =>
    db
      .withRecursive('team(id, name, depth, path)', (qb) =>
        qb
          .selectFrom('staff')
          .select(['id', 'name', sql<number>`0`.as('depth'), 'name as path'])
          .where('id', '=', 2)
          .unionAll((qb2) =>
            qb2
              .selectFrom('staff')
              .innerJoin('team', 'team.id', 'staff.boss')
              .select([
                'staff.id',
                'staff.name',
                (eb) => eb('team.depth', '+', 1).as('depth'),
                (eb) => eb(eb.ref('team.path'), '||', eb(sql.lit(' > '), '||', eb.ref('staff.name'))).as('path'),
              ]),
          ),
      )
      .selectFrom('team')
      .selectAll()
      .orderBy('id'),
  )
  both('the chain of bosses above a row', seedStaff, (db) =>
    db
      .withRecursive('up(id, boss, name)', (qb) =>
        qb
          .selectFrom('staff')
          .select(['id', 'boss', 'name'])
          .where('id', '=', 10)
          .unionAll((qb2) =>
            qb2
              .selectFrom('staff')
              .innerJoin('up', 'up.boss', 'staff.id')
              .select(['staff.id', 'staff.boss', 'staff.name']),
          ),
      )
      .selectFrom('up')
      .select(['id', 'name']),
  )
  both('union (not all) stops at a cycle', seedStaff, (db) =>
    db
      .withRecursive('reach(n)', (qb) =>
        qb
          .selectNoFrom(sql<number>`1`.as('n'))
          .union((qb2) => qb2.selectFrom('edges').innerJoin('reach', 'reach.n', 'edges.a').select('edges.b as n')),
      )
      .selectFrom('reach')
      .selectAll()
      .orderBy('n'),
  )
  both('a recursive table read in a join and an aggregate', seedStaff, (db) =>
    db
      .withRecursive('under(id)', (qb) =>
        qb
          .selectFrom('staff')
          .select('id')
          .where('boss', '=', 1)
          .unionAll((qb2) => qb2.selectFrom('staff').innerJoin('under', 'under.id', 'staff.boss').select('staff.id')),
      )
      .selectFrom('staff')
      .innerJoin('under', 'under.id', 'staff.id')
      .select((eb) => [eb.fn.countAll().as('n'), eb.fn.max('staff.name').as('m')]),
  )
  both('an endless recursion stopped by the outer limit', undefined, (db) =>
    db
      .withRecursive('nat(x)', (qb) =>
        qb
          .selectNoFrom(sql<number>`1`.as('x'))
          .unionAll((qb2) => qb2.selectFrom('nat').select((eb) => eb('x', '+', 1).as('x'))),
      )
      .selectFrom('nat')
      .select('x')
      .limit(7),
  )
  both('with recursive beside an ordinary table expression', seedStaff, (db) =>
    db
      .withRecursive('seq(n)', (qb) =>
        qb.selectNoFrom(sql<number>`1`.as('n')).unionAll((qb2) =>
          qb2
            .selectFrom('seq')
            .select((eb) => eb('n', '+', 1).as('n'))
            .where('n', '<', 4),
        ),
      )
      .with('bosses', (qb) => qb.selectFrom('staff').select('boss').distinct())
      .selectFrom('seq')
      .leftJoin('bosses', 'bosses.boss', 'seq.n')
      .select(['seq.n', 'bosses.boss'])
      .orderBy('seq.n'),
  )
  both('raw: a limit inside the recursive table', undefined, async (db) => {
    const r =
      await sql`with recursive c(x) as (select 1 union all select x * 2 from c limit 8) select x from c`.execute(db)
    return r.rows
  })
  both('raw: order by inside the table picks the queue order (depth first)', seedStaff, async (db) => {
    const r = await sql`with recursive t(id, name, depth) as (
        select id, name, 0 from staff where boss is null
        union all
        select s.id, s.name, t.depth + 1 from staff s join t on s.boss = t.id
        order by 3 desc
      ) select id, name, depth from t`.execute(db)
    return r.rows
  })
  both('raw: breadth first with limit and offset inside', seedStaff, async (db) => {
    const r = await sql`with recursive t(id, depth) as (
        select id, 0 from staff where boss is null
        union all
        select s.id, t.depth + 1 from staff s join t on s.boss = t.id
        order by 2, 1 limit 6 offset 2
      ) select id, depth from t`.execute(db)
    return r.rows
  })
  both('raw: fibonacci in two columns', undefined, async (db) => {
    const r =
      await sql`with recursive fib(a, b, i) as (select 0, 1, 1 union all select b, a + b, i + 1 from fib where i < 20)
        select i, a from fib order by i desc`.execute(db)
    return r.rows
  })
  both('raw: a recursive table that does not read itself is an ordinary one', seedStaff, async (db) => {
    const r = await sql`with recursive x as (select id from staff where id < 3) select * from x order by id`.execute(db)
    return r.rows
  })
  both('raw: two references to the recursive table are an error', undefined, async (db) => {
    const r =
      await sql`with recursive c(x) as (select 1 union all select c.x + 1 from c, c as d where c.x < 3) select * from c`.execute(
        db,
      )
    return r.rows
  })
  both('raw: an aggregate in the recursive select is an error', undefined, async (db) => {
    const r =
      await sql`with recursive c(x) as (select 1 union all select max(x) + 1 from c where x < 3) select * from c`.execute(
        db,
      )
    return r.rows
  })
  both('raw: a column count that does not match is an error', undefined, async (db) => {
    const r =
      await sql`with recursive c(x, y) as (select 1 union all select x + 1 from c where x < 3) select * from c`.execute(
        db,
      )
    return r.rows
  })
})
