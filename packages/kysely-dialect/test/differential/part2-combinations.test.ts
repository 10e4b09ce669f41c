import { sql } from 'kysely'
import { both, diffSuite } from '../helpers/differential.js'
import type { Db } from '../helpers/sides.js'

/** `emp(id, dept, boss, pay)` and a view of the well paid. */
async function seedEmp(db: Db): Promise<void> {
  await db.schema
    .createTable('emp')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('dept', 'text')
    .addColumn('boss', 'integer')
    .addColumn('pay', 'integer')
    .execute()
  await db
    .insertInto('emp')
    .values([
      { id: 1, dept: 'a', boss: null, pay: 300 },
      { id: 2, dept: 'a', boss: 1, pay: 200 },
      { id: 3, dept: 'b', boss: 1, pay: 200 },
      { id: 4, dept: 'b', boss: 3, pay: 150 },
      { id: 5, dept: 'b', boss: 3, pay: 120 },
      { id: 6, dept: 'c', boss: 2, pay: null },
    ])
    .execute()
  await db.schema
    .createView('paid')
    .as(db.selectFrom('emp').select(['id', 'dept', 'pay']).where('pay', '>=', 150))
    .execute()
}

diffSuite('differential part 2: the new features together', () => {
  both('a window over a view', seedEmp, (db) =>
    db
      .selectFrom('paid')
      .select((eb) => [
        'id',
        eb.fn
          .agg<number>('rank')
          .over((ob) => ob.partitionBy('dept').orderBy('pay', 'desc'))
          .as('r'),
      ])
      .orderBy('id'),
  )
  both('a view holding a window function, filtered outside', seedEmp, (db) => [
    db.schema.createView('ranked').as(
      db.selectFrom('emp').select((eb) => [
        'id',
        'dept',
        eb.fn
          .agg<number>('row_number')
          .over((ob) => ob.partitionBy('dept').orderBy('pay', 'desc').orderBy('id'))
          .as('rn'),
      ]),
    ),
    db.selectFrom('ranked').selectAll().where('rn', '=', 1).orderBy('dept'),
  ])
  both('windows in both branches of a union', seedEmp, (db) =>
    db
      .selectFrom('emp')
      .select((eb) => [
        'id',
        eb.fn
          .agg<number>('dense_rank')
          .over((ob) => ob.orderBy('pay'))
          .as('k'),
      ])
      .where('dept', '=', 'a')
      .unionAll(
        db
          .selectFrom('emp')
          .select((eb) => ['id', eb.fn.countAll<number>().over().as('k')])
          .where('dept', '=', 'b'),
      )
      .orderBy('id'),
  )
  both('a recursive table of reports, ranked by depth', seedEmp, (db) =>
    db
      .withRecursive('chain(id, depth)', (qb) =>
        qb
          .selectFrom('emp')
          .select(['id', sql<number>`0`.as('depth')])
          .where('boss', 'is', null)
          .unionAll((qb2) =>
            qb2
              .selectFrom('emp')
              .innerJoin('chain', 'chain.id', 'emp.boss')
              .select(['emp.id', (eb) => eb('chain.depth', '+', 1).as('depth')]),
          ),
      )
      .selectFrom('chain')
      .select((eb) => [
        'id',
        'depth',
        eb.fn
          .agg<number>('rank')
          .over((ob) => ob.orderBy('depth', 'desc'))
          .as('deepest'),
        eb.fn
          .count('id')
          .over((ob) => ob.partitionBy('depth'))
          .as('at_depth'),
      ])
      .orderBy('id'),
  )
  both('update from a view and a recursive count', seedEmp, (db) => [
    db
      .updateTable('emp')
      .from('paid')
      .set((eb) => ({ pay: eb('emp.pay', '+', 1) }))
      .whereRef('paid.id', '=', 'emp.id')
      .where('paid.dept', '=', 'b'),
    db.selectFrom('emp').select(['id', 'pay']).orderBy('id'),
  ])
  both('a partial index beside a view, rows moving in and out', seedEmp, (db) => [
    db.schema.createIndex('one_top_pay').on('emp').column('dept').unique().where(sql.ref('pay'), '>=', 250),
    db.insertInto('emp').values({ id: 7, dept: 'a', boss: 1, pay: 260 }),
    db.insertInto('emp').values({ id: 7, dept: 'b', boss: 1, pay: 260 }),
    db.updateTable('emp').set({ pay: 100 }).where('id', '=', 1),
    db.insertInto('emp').values({ id: 8, dept: 'a', boss: 7, pay: 255 }),
    db.selectFrom('paid').selectAll().orderBy('id'),
  ])
  both('an aggregate ordered inside a window query and a group', seedEmp, (db) =>
    db
      .selectFrom('emp')
      .groupBy('dept')
      .select((eb) => [
        'dept',
        eb.fn.agg<string>('group_concat', ['id']).orderBy('pay', 'desc').orderBy('id').as('ids'),
        eb.fn
          .agg<number>('rank')
          .over((ob) => ob.orderBy(eb.fn.count('id'), 'desc'))
          .as('by_size'),
      ])
      .orderBy('dept'),
  )
})
