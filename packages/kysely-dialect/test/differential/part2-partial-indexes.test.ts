import { sql } from 'kysely'
import { both, diffSuite } from '../helpers/differential.js'
import type { Db } from '../helpers/sides.js'

/** `accounts(id, email, deleted, team)`: a soft-deleting table with partial indexes. */
async function seedAccounts(db: Db): Promise<void> {
  await db.schema
    .createTable('accounts')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('deleted', 'integer')
    .addColumn('team', 'text')
    .execute()
  await db
    .insertInto('accounts')
    .values([
      { id: 1, email: 'a@x', deleted: null, team: 'red' },
      { id: 2, email: 'a@x', deleted: 1, team: 'red' },
      { id: 3, email: 'b@x', deleted: null, team: 'blue' },
      { id: 4, email: 'b@x', deleted: 1, team: null },
      { id: 5, email: 'c@x', deleted: 1, team: 'blue' },
    ])
    .execute()
  // Live emails are unique; deleted rows may repeat them.
  await db.schema
    .createIndex('live_email')
    .on('accounts')
    .column('email')
    .unique()
    .where(sql.ref('deleted'), 'is', null)
    .execute()
  await db.schema
    .createIndex('team_live')
    .on('accounts')
    .columns(['team', 'email'])
    .where(sql<boolean>`deleted is null and team is not null`)
    .execute()
}

const all = (db: Db) => db.selectFrom('accounts').selectAll().orderBy('id')

diffSuite('differential part 2: partial indexes', () => {
  both('a partial unique index allows duplicates outside its condition only', seedAccounts, (db) => [
    db.insertInto('accounts').values({ id: 6, email: 'a@x', deleted: 1, team: 'red' }),
    db.insertInto('accounts').values({ id: 7, email: 'a@x', deleted: null, team: 'red' }),
    db.insertInto('accounts').values({ id: 8, email: 'c@x', deleted: null, team: 'blue' }),
    all(db),
  ])
  both('updates move rows into and out of the condition', seedAccounts, (db) => [
    db.updateTable('accounts').set({ deleted: null }).where('id', '=', 2),
    db.updateTable('accounts').set({ deleted: 1 }).where('id', '=', 1),
    db.updateTable('accounts').set({ deleted: null }).where('id', '=', 2),
    db.updateTable('accounts').set({ deleted: null }).where('id', '=', 4),
    db.updateTable('accounts').set({ email: 'b@x' }).where('id', '=', 5),
    db.updateTable('accounts').set({ deleted: null, email: 'd@x' }).where('id', '=', 5),
    all(db),
  ])
  both('queries read the table alike, whatever the partial indexes hold', seedAccounts, (db) => [
    db.selectFrom('accounts').select('id').where('email', '=', 'a@x').orderBy('id'),
    db
      .selectFrom('accounts')
      .select('id')
      .where('team', '=', 'red')
      .where(sql.ref('deleted'), 'is', null)
      .orderBy('id'),
    db.selectFrom('accounts').select(['team', 'email']).where('team', 'is not', null).orderBy('team').orderBy('email'),
  ])
  both('deletes and a rebuilt index', seedAccounts, (db) => [
    db.deleteFrom('accounts').where('id', '=', 1),
    db.insertInto('accounts').values({ id: 9, email: 'a@x', deleted: null, team: null }),
    db.schema.dropIndex('live_email'),
    db.insertInto('accounts').values({ id: 10, email: 'a@x', deleted: null, team: null }),
    db.schema.createIndex('live_email').on('accounts').column('email').unique().where(sql.ref('deleted'), 'is', null),
    db.deleteFrom('accounts').where('id', '=', 10),
    db.schema.createIndex('live_email').on('accounts').column('email').unique().where(sql.ref('deleted'), 'is', null),
    db.insertInto('accounts').values({ id: 11, email: 'a@x', deleted: null, team: null }),
    all(db),
  ])
  both('on conflict with the columns of a partial unique index alone does not match it', seedAccounts, (db) => [
    db
      .insertInto('accounts')
      .values({ id: 12, email: 'b@x', deleted: null, team: 'red' })
      .onConflict((oc) => oc.column('email').doNothing()),
    db.insertInto('accounts').values({ id: 12, email: 'b@x', deleted: null, team: 'red' }).orIgnore(),
    all(db),
  ])
  both("on conflict with the index's columns and its condition as the target's where", seedAccounts, (db) => [
    // live_email: a live row with the email is updated; a deleted one (no entry) goes in.
    db
      .insertInto('accounts')
      .values({ id: 30, email: 'a@x', deleted: null, team: 'green' })
      .onConflict((oc) =>
        oc
          .column('email')
          .where('deleted', 'is', null)
          .doUpdateSet((eb) => ({ team: eb.ref('excluded.team') })),
      ),
    db
      .insertInto('accounts')
      .values({ id: 31, email: 'a@x', deleted: 1, team: 'gold' })
      .onConflict((oc) => oc.column('email').where('deleted', 'is', null).doUpdateSet({ team: 'never' })),
    db
      .insertInto('accounts')
      .values([
        { id: 32, email: 'b@x', deleted: null, team: 'x' },
        { id: 33, email: 'q@x', deleted: null, team: 'y' },
      ])
      .onConflict((oc) => oc.column('email').where(sql.ref('deleted'), 'is', null).doNothing()),
    // Another condition, or more of it, names no index: SQLite's error.
    db
      .insertInto('accounts')
      .values({ id: 34, email: 'a@x', deleted: null, team: 'z' })
      .onConflict((oc) => oc.column('email').where('deleted', 'is', null).where('team', '=', 'red').doNothing()),
    db
      .insertInto('accounts')
      .values({ id: 35, email: 'a@x', deleted: null, team: 'z' })
      .onConflict((oc) => oc.column('email').where('team', '=', 'red').doNothing()),
    // The primary key ignores a target's where; a conflict on another constraint still fails.
    db
      .insertInto('accounts')
      .values({ id: 1, email: 'new@x', deleted: null, team: 'pk' })
      .onConflict((oc) => oc.column('id').where('team', '=', 'nothing').doUpdateSet({ team: 'by key' })),
    db
      .insertInto('accounts')
      .values({ id: 36, email: 'b@x', deleted: null, team: 'z' })
      .onConflict((oc) => oc.column('id').where('deleted', 'is', null).doNothing()),
    all(db),
  ])
  both('renaming a column its condition names, and dropping one', seedAccounts, (db) => [
    db.schema.alterTable('accounts').renameColumn('deleted', 'gone'),
    db.insertInto('accounts').values({ id: 13, email: 'c@x', gone: null, team: null }),
    db.insertInto('accounts').values({ id: 14, email: 'c@x', gone: null, team: null }),
    db.schema.alterTable('accounts').dropColumn('gone'),
    db.selectFrom('accounts').select(['id', 'email', 'gone']).orderBy('id'),
  ])
  both('queries that imply a condition read the partial index: the same rows as SQLite', seedAccounts, (db) => [
    db.schema.createIndex('red_email').on('accounts').column('email').where(sql.ref('team'), '=', 'red'),
    db.insertInto('accounts').values([
      { id: 20, email: 'e@x', deleted: null, team: 'red' },
      { id: 21, email: 'e@x', deleted: 1, team: 'blue' },
      { id: 22, email: 'f@x', deleted: null, team: 'blue' },
      { id: 23, email: 'f@x', deleted: 1, team: 'red' },
    ]),
    // live_email: `deleted is null` written alike.
    db.selectFrom('accounts').select('id').where('email', '=', 'e@x').where('deleted', 'is', null),
    db.selectFrom('accounts').select(['id', 'email']).where('deleted', 'is', null).orderBy('email', 'desc').limit(2),
    // team_live: both conjuncts, the second implied by the comparison on team.
    db
      .selectFrom('accounts')
      .select(['id', 'team'])
      .where('deleted', 'is', null)
      .where('team', '>=', 'blue')
      .orderBy('team')
      .orderBy('email'),
    // red_email, then the same statement with other values (its plan must not carry over).
    ...['red', 'red', 'blue', 'red', 'green'].map((team) =>
      db.selectFrom('accounts').select('id').where('team', '=', team).where('email', '>', 'a@x').orderBy('id'),
    ),
    db.updateTable('accounts').set({ email: 'g@x' }).where('team', '=', 'red').where('email', '=', 'e@x'),
    db.deleteFrom('accounts').where('email', '=', 'f@x').where('team', '=', 'red'),
    db
      .selectFrom('accounts as a')
      .innerJoin('accounts as b', (j) => j.onRef('b.email', '=', 'a.email').on('b.deleted', 'is', null))
      .select(['a.id as a', 'b.id as b'])
      .orderBy('a.id')
      .orderBy('b.id'),
    all(db),
  ])
  both('a partial index over a missing column, or with a subquery, is an error', seedAccounts, (db) => [
    db.schema.createIndex('bad').on('accounts').column('email').where(sql.ref('nothing'), '=', 1),
    db.schema
      .createIndex('bad2')
      .on('accounts')
      .column('email')
      .where(sql<boolean>`id in (select id from accounts)`),
    db.schema
      .createIndex('bad3')
      .on('accounts')
      .column('email')
      .where(sql<boolean>`random() > 0`),
    all(db),
  ])
})
