import { sql } from 'kysely'
import { both, diffSuite } from '../helpers/differential.js'
import type { Db } from '../helpers/sides.js'

/** `users(id, email, name, score)` with a case-blind unique index and a two-part expression index. */
async function seedUsers(db: Db): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('email', 'text')
    .addColumn('name', 'text')
    .addColumn('score', 'integer')
    .execute()
  await db
    .insertInto('users')
    .values([
      { id: 1, email: 'Ann@x', name: 'Ann', score: 5 },
      { id: 2, email: 'bob@x', name: 'Bob', score: 7 },
      { id: 3, email: null, name: 'Cy', score: null },
      { id: 4, email: null, name: 'Dee', score: 7 },
    ])
    .execute()
  await db.schema
    .createIndex('email_ci')
    .on('users')
    .expression(sql`lower(email)`)
    .unique()
    .execute()
  await db.schema
    .createIndex('name_score')
    .on('users')
    .column('name')
    .expression(sql`score * 2`)
    .execute()
}

const all = (db: Db) => db.selectFrom('users').selectAll().orderBy('id')

diffSuite('differential part 2: expression indexes', () => {
  both('a unique index on lower(email) refuses the same address in other case, not nulls', seedUsers, (db) => [
    db.insertInto('users').values({ id: 5, email: 'ANN@X', name: 'Ann2', score: 1 }),
    db.insertInto('users').values({ id: 6, email: 'ann@y', name: 'Ann3', score: 1 }),
    db.insertInto('users').values({ id: 7, email: null, name: 'Eve', score: 1 }),
    db.updateTable('users').set({ email: 'BOB@X' }).where('id', '=', 1),
    db.updateTable('users').set({ email: 'BOB@X' }).where('id', '=', 2),
    db.insertInto('users').values({ id: 8, email: 'bob@x', name: 'B', score: 0 }).orIgnore(),
    all(db),
  ])
  both('a build over rows that repeat the value fails cleanly', seedUsers, (db) => [
    db.insertInto('users').values({ id: 9, email: 'z@x', name: 'Ann', score: 5 }),
    db.schema
      .createIndex('name_lower')
      .on('users')
      .expression(sql`lower(name)`)
      .unique(),
    db.schema
      .createIndex('score_u')
      .on('users')
      .expression(sql`score + 0`)
      .unique(),
    db.insertInto('users').values({ id: 10, email: 'y@x', name: 'Ann', score: 5 }),
    all(db),
  ])
  both('queries read alike beside expression indexes', seedUsers, (db) => [
    db
      .selectFrom('users')
      .select('id')
      .where(sql`lower(email)`, '=', 'ann@x'),
    // Planned through the indexes (planner/expression-keys.ts): seeks, ranges, in lists, order.
    db
      .selectFrom('users')
      .select(['id', 'email'])
      .where((eb) => eb(eb.fn('LOWER', ['users.email']), 'in', ['bob@x', 'ann@x', 'nobody'])),
    db
      .selectFrom('users')
      .select('id')
      .where(sql`lower(email)`, '>=', 'b'),
    db
      .selectFrom('users')
      .select('id')
      .where(sql`lower(email)`, 'is', null)
      .orderBy('id'),
    db
      .selectFrom('users')
      .select('id')
      .orderBy(sql`lower(email)`, 'desc')
      .orderBy('id', 'desc')
      .limit(3),
    db
      .selectFrom('users')
      .select('id')
      .orderBy(sql`lower(email)`)
      .orderBy('id')
      .limit(2),
    db
      .selectFrom('users')
      .select(['id', 'score'])
      .where('name', '=', 'Bob')
      .where(sql`score * 2`, '>', 10),
    db.selectFrom('users').select(['name', 'score']).where('score', '>', 5).orderBy('name'),
  ])
  both('a join on an indexed expression looks the inner rows up through it', seedUsers, (db) => [
    db.schema
      .createTable('logins')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('who', 'text')
      .execute(),
    db.insertInto('logins').values([
      { id: 1, who: 'ANN@X' },
      { id: 2, who: 'bob@X' },
      { id: 3, who: 'nobody' },
      { id: 4, who: null },
      { id: 5, who: 'ann@x' },
    ]),
    db
      .selectFrom('logins as l')
      .innerJoin('users as u', (j) => j.on(sql`lower(u.email)`, '=', sql`lower(l.who)`))
      .select(['l.id as login', 'u.id as user'])
      .orderBy('l.id'),
    db
      .selectFrom('logins as l')
      .leftJoin('users as u', (j) => j.on(sql`lower(u.email)`, '=', sql`lower(l.who)`))
      .select(['l.id as login', 'u.id as user'])
      .orderBy('l.id'),
    db
      .selectFrom('users as u')
      .innerJoin('logins as l', 'l.who', 'u.email')
      .select(['u.id as user', 'l.id as login'])
      .where(sql`lower(u.email)`, '>', 'a')
      .orderBy('u.id')
      .orderBy('l.id'),
  ])
  both('literals like 2.0 (reals) in stored expressions, conditions and views', seedUsers, (db) => [
    db.schema
      .createIndex('score_real')
      .on('users')
      .expression(sql`score * 2.0`),
    db.schema
      .createIndex('name_real')
      .on('users')
      .column('name')
      .where(sql<boolean>`score > 5.0`),
    db.schema.createView('scaled').as(db.selectFrom('users').select(['id', sql<number>`score * 1.0`.as('s')])),
    db.insertInto('users').values({ id: 20, email: 'z@x', name: 'Zed', score: 14 }),
    db
      .selectFrom('users')
      .select('id')
      .where(sql`score * 2.0`, '=', 28)
      .orderBy('id'),
    db
      .selectFrom('users')
      .select('id')
      .where(sql`score * 2`, '=', 28)
      .orderBy('id'),
    db
      .selectFrom('users')
      .select(['id', 'name'])
      .where('name', '>', 'A')
      .where(sql<boolean>`score > 5.0`)
      .orderBy('id'),
    db
      .selectFrom('scaled')
      .select(['id', 's', sql<string>`typeof(s)`.as('t')])
      .orderBy('id'),
  ])
  both('renaming a column an expression names, dropping one, and errors', seedUsers, (db) => [
    db.schema.alterTable('users').renameColumn('email', 'mail'),
    db.insertInto('users').values({ id: 11, mail: 'ann@X', name: 'A', score: 0 }),
    db.schema.alterTable('users').dropColumn('mail'),
    db.schema
      .createIndex('bad')
      .on('users')
      .expression(sql`lower(nothing)`),
    db.schema
      .createIndex('bad2')
      .on('users')
      .expression(sql`random()`),
    db.schema.dropIndex('email_ci'),
    db.insertInto('users').values({ id: 12, mail: 'ann@X', name: 'A', score: 0 }),
    db.selectFrom('users').select(['id', 'mail']).orderBy('id'),
  ])
})

/** `events(id, at, note)` for the date functions' 'now' in indexes. */
async function seedEvents(db: Db): Promise<void> {
  await db.schema
    .createTable('events')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('at', 'text')
    .addColumn('note', 'text')
    .execute()
  await db
    .insertInto('events')
    .values([
      { id: 1, at: '2024-01-05 10:00:00', note: 'a' },
      { id: 2, at: '2023-12-31', note: 'b' },
    ])
    .execute()
}

diffSuite("differential part 2: a date function's 'now' in an index", () => {
  both("'now' is refused where it would make an entry, and anything else indexes", seedEvents, (db) => [
    db.schema
      .createIndex('bad_now')
      .on('events')
      .expression(sql`date('now')`),
    db.schema
      .createIndex('bad_now_where')
      .on('events')
      .column('note')
      .where(sql<boolean>`at < datetime()`),
    db.schema
      .createIndex('bad_current')
      .on('events')
      .column('note')
      .where(sql<boolean>`at < current_timestamp`),
    db.schema
      .createIndex('bad_current2')
      .on('events')
      .expression(sql`current_date`),
    db.schema
      .createIndex('day')
      .on('events')
      .expression(sql`date(at)`),
    db.schema
      .createIndex('recent')
      .on('events')
      .column('note')
      .where(sql<boolean>`strftime('%Y', at) >= '2024'`),
    db.insertInto('events').values({ id: 3, at: '2024-02-01', note: 'c' }),
    db.insertInto('events').values({ id: 4, at: 'now', note: 'd' }),
    db.updateTable('events').set({ at: 'now' }).where('id', '=', 1),
    db.updateTable('events').set({ note: 'e' }).where('id', '=', 2),
    db.selectFrom('events').selectAll().orderBy('id'),
    db.schema.dropIndex('day'),
    db.schema.dropIndex('recent'),
    db.insertInto('events').values({ id: 4, at: 'now', note: 'd' }),
    db.schema
      .createIndex('day')
      .on('events')
      .expression(sql`date(at)`),
    db.selectFrom('events').selectAll().orderBy('id'),
  ])
})
