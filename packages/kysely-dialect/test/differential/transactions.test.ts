import { both, diffSuite, rawOutcomes } from '../helpers/differential.js'
import { attempt } from '../helpers/outcome.js'
import type { Db } from '../helpers/sides.js'

async function ledger(db: Db): Promise<void> {
  await db.schema
    .createTable('ledger')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('who', 'text', (c) => c.notNull())
    .addColumn('ref', 'text', (c) => c.unique())
    .execute()
  await db.insertInto('ledger').values({ id: 1, who: 'seed', ref: 'r1' }).execute()
}

diffSuite('differential: statement atomicity in transactions', () => {
  both('a multi-row insert failing on its 3rd row changes nothing; the transaction goes on', ledger, async (db) => {
    const steps: string[] = []
    await db.transaction().execute(async (trx) => {
      steps.push(await attempt(() => trx.insertInto('ledger').values({ id: 2, who: 'before' }).execute()))
      steps.push(
        await attempt(() =>
          trx
            .insertInto('ledger')
            .values([
              { id: 3, who: 'a' },
              { id: 4, who: 'b' },
              { id: 1, who: 'dup' },
            ])
            .execute(),
        ),
      )
      steps.push(await attempt(() => trx.insertInto('ledger').values({ id: 5, who: 'after' }).execute()))
    })
    return [steps, await db.selectFrom('ledger').selectAll().orderBy('id').execute()]
  })

  both('an update failing on its 2nd row changes nothing inside a transaction', ledger, async (db) => {
    await db
      .insertInto('ledger')
      .values([
        { id: 2, who: 'x', ref: 'r2' },
        { id: 3, who: 'y' },
      ])
      .execute()
    const steps: string[] = []
    await db.transaction().execute(async (trx) => {
      steps.push(await attempt(() => trx.updateTable('ledger').set({ who: 'touched' }).where('id', '=', 3).execute()))
      steps.push(await attempt(() => trx.updateTable('ledger').set({ ref: 'same' }).execute()))
      steps.push(await attempt(() => trx.updateTable('ledger').set({ who: null }).where('id', '>', 1).execute()))
    })
    return db.selectFrom('ledger').selectAll().orderBy('id').execute()
  })

  both('a transaction whose callback throws leaves nothing behind', ledger, async (db) => {
    const outcome = await attempt(() =>
      db.transaction().execute(async (trx) => {
        await trx.insertInto('ledger').values({ id: 2, who: 'gone' }).execute()
        await trx.updateTable('ledger').set({ who: 'changed' }).execute()
        throw new Error('abort')
      }),
    )
    return [outcome, await db.selectFrom('ledger').selectAll().execute()]
  })

  both('a transaction rolled back by a constraint error leaves nothing behind', ledger, async (db) => {
    const outcome = await attempt(() =>
      db.transaction().execute(async (trx) => {
        await trx.insertInto('ledger').values({ id: 2, who: 'gone', ref: 'r2' }).execute()
        await trx.insertInto('ledger').values({ id: 3, who: 'dup', ref: 'r2' }).execute()
      }),
    )
    return [outcome, await db.selectFrom('ledger').selectAll().execute()]
  })

  both('reads inside a transaction see its own writes, returning included', ledger, async (db) =>
    db.transaction().execute(async (trx) => {
      const inserted = await trx.insertInto('ledger').values({ id: 2, who: 'mine' }).returningAll().execute()
      const updated = await trx.updateTable('ledger').set({ ref: 'r9' }).where('id', '=', 2).returning('ref').execute()
      const seen = await trx.selectFrom('ledger').selectAll().orderBy('id').execute()
      const deleted = await trx.deleteFrom('ledger').where('id', '=', 1).execute()
      return [inserted, updated, seen, deleted]
    }),
  )

  both('a rolled-back savepoint undoes only what followed it', ledger, async (db) => {
    const trx = await db.startTransaction().execute()
    await trx.insertInto('ledger').values({ id: 2, who: 'kept' }).execute()
    const sp = await trx.savepoint('sp1').execute()
    await sp.insertInto('ledger').values({ id: 3, who: 'undone' }).execute()
    await sp.updateTable('ledger').set({ who: 'undone too' }).where('id', '=', 1).execute()
    const rolled = await sp.rollbackToSavepoint('sp1').execute()
    await rolled.insertInto('ledger').values({ id: 4, who: 'after' }).execute()
    await rolled.commit().execute()
    return db.selectFrom('ledger').selectAll().orderBy('id').execute()
  })

  both('a released savepoint keeps its writes; a rollback of the whole undoes them', ledger, async (db) => {
    const trx = await db.startTransaction().execute()
    const sp = await trx.savepoint('a').execute()
    await sp.insertInto('ledger').values({ id: 2, who: 'in a' }).execute()
    const released = await sp.releaseSavepoint('a').execute()
    const inside = await released.selectFrom('ledger').select('id').orderBy('id').execute()
    await released.rollback().execute()
    return [inside, await db.selectFrom('ledger').select('id').orderBy('id').execute()]
  })

  both('a failed statement inside a savepoint, then rollback to it', ledger, async (db) => {
    const trx = await db.startTransaction().execute()
    const sp = await trx.savepoint('s').execute()
    await sp.insertInto('ledger').values({ id: 2, who: 'w', ref: 'x' }).execute()
    const failed = await attempt(() => sp.insertInto('ledger').values({ id: 3, who: 'w', ref: 'x' }).execute())
    const rolled = await sp.rollbackToSavepoint('s').execute()
    await rolled.insertInto('ledger').values({ id: 3, who: 'w', ref: 'x' }).execute()
    await rolled.commit().execute()
    return [failed, await db.selectFrom('ledger').selectAll().orderBy('id').execute()]
  })

  both('insertId inside a transaction', ledger, async (db) =>
    db.transaction().execute(async (trx) => [
      await trx.insertInto('ledger').values({ who: 'a' }).execute(),
      await trx
        .insertInto('ledger')
        .values([{ who: 'b' }, { who: 'c' }])
        .execute(),
    ]),
  )

  // Round s32: SAVEPOINT outside a transaction was BTREE_SQL_TRANSACTION; SQLite begins one.
  both('savepoint outside a transaction begins one; releasing it commits', ledger, async (db, { sql }) =>
    rawOutcomes(
      db,
      sql,
      [
        'savepoint a',
        "insert into ledger (who, ref) values ('sa', 'sa')",
        'savepoint b',
        "insert into ledger (who, ref) values ('sb', 'sb')",
        'rollback to b',
        'release a',
        'select who, ref from ledger order by id',
        'savepoint c',
        "insert into ledger (who, ref) values ('sc', 'sc')",
        'rollback to c',
        'release c',
        'select count(*) as n from ledger',
        'savepoint d',
        "insert into ledger (who, ref) values ('sd', 'sd')",
        'rollback',
        'select count(*) as n from ledger',
        'begin',
        'savepoint e',
        "insert into ledger (who, ref) values ('se', 'se')",
        'release e',
        'rollback',
        'select count(*) as n from ledger',
        'savepoint f',
        "insert into ledger (who, ref) values ('sf', 'sf')",
        'commit',
        'release f',
        'select who from ledger order by id',
        'savepoint g',
        'savepoint g',
        "insert into ledger (who, ref) values ('sg', 'sg')",
        'release g',
        'rollback to g',
        'release g',
        'select who from ledger order by id',
      ],
      'failed',
    ),
  )
})
