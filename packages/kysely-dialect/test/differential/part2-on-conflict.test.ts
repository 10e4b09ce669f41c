import { both, diffSuite, rawOutcomes } from '../helpers/differential.js'
import { attempt } from '../helpers/outcome.js'
import type { Db } from '../helpers/sides.js'

/** `users(id integer primary key, email text unique, name text not null)` and a composite-key table. */
async function seedUsers(db: Db): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .execute()
  await db
    .insertInto('users')
    .values([
      { id: 1, email: 'a@x', name: 'A' },
      { id: 2, email: 'b@x', name: 'B' },
    ])
    .execute()
  await db.schema
    .createTable('pairs')
    .addColumn('a', 'text')
    .addColumn('b', 'integer')
    .addColumn('v', 'text')
    .addPrimaryKeyConstraint('pairs_pk', ['a', 'b'])
    .execute()
  await db
    .insertInto('pairs')
    .values([{ a: 'x', b: 1, v: 'old' }])
    .execute()
}

diffSuite('differential part 2: onConflict doNothing and orIgnore', () => {
  both('doNothing on the primary key skips the conflicting row only', seedUsers, (db) => [
    db
      .insertInto('users')
      .values([
        { id: 2, email: 'c@x', name: 'C' },
        { id: 3, email: 'd@x', name: 'D' },
      ])
      .onConflict((oc) => oc.column('id').doNothing()),
    db.selectFrom('users').selectAll().orderBy('id'),
  ])
  both('doNothing on a unique column', seedUsers, (db) => [
    db
      .insertInto('users')
      .values({ id: 5, email: 'a@x', name: 'E' })
      .onConflict((oc) => oc.column('email').doNothing()),
    db.selectFrom('users').selectAll().orderBy('id'),
  ])
  both('doNothing on one target fails on a conflict elsewhere', seedUsers, (db) => [
    db
      .insertInto('users')
      .values({ id: 1, email: 'new@x', name: 'E' })
      .onConflict((oc) => oc.column('email').doNothing()),
    db.selectFrom('users').selectAll().orderBy('id'),
  ])
  both('doNothing without a target skips any uniqueness conflict', seedUsers, (db) => [
    db
      .insertInto('users')
      .values([
        { id: 1, email: 'z@x', name: 'Z' },
        { id: 9, email: 'b@x', name: 'Y' },
        { id: 10, email: 'q@x', name: 'Q' },
      ])
      .onConflict((oc) => oc.doNothing()),
    db.selectFrom('users').selectAll().orderBy('id'),
  ])
  both('doNothing still fails on not null', seedUsers, (db) => [
    db
      .insertInto('users')
      .values({ id: 7, email: 'n@x', name: null })
      .onConflict((oc) => oc.doNothing()),
    db.selectFrom('users').selectAll().orderBy('id'),
  ])
  both('doNothing with returning returns the inserted rows only', seedUsers, (db) =>
    db
      .insertInto('users')
      .values([
        { id: 2, email: 'c@x', name: 'C' },
        { id: 4, email: 'e@x', name: 'E' },
      ])
      .onConflict((oc) => oc.column('id').doNothing())
      .returning(['id', 'name']),
  )
  both('doNothing on a composite primary key', seedUsers, (db) => [
    db
      .insertInto('pairs')
      .values([
        { a: 'x', b: 1, v: 'new' },
        { a: 'x', b: 2, v: 'two' },
      ])
      .onConflict((oc) => oc.columns(['a', 'b']).doNothing()),
    db.selectFrom('pairs').selectAll().orderBy('a').orderBy('b'),
  ])
  both('doNothing with a target that is no key is an error', seedUsers, (db) =>
    db
      .insertInto('users')
      .values({ id: 8, email: 'h@x', name: 'H' })
      .onConflict((oc) => oc.column('name').doNothing()),
  )
  both('orIgnore skips uniqueness and not-null failures', seedUsers, (db) => [
    db
      .insertInto('users')
      .orIgnore()
      .values([
        { id: 1, email: 'z@x', name: 'Z' },
        { id: 11, email: 'm@x', name: null },
        { id: 12, email: 'a@x', name: 'dup' },
        { id: 13, email: 'k@x', name: 'K' },
      ]),
    db.selectFrom('users').selectAll().orderBy('id'),
  ])
  both('orIgnore keeps the first of two rows with one composite key, and the stored one', seedUsers, (db) => [
    db
      .insertInto('pairs')
      .orIgnore()
      .values([
        { a: 'x', b: 1, v: 'new' },
        { a: 'y', b: 2, v: 'first' },
        { a: 'y', b: 2, v: 'second' },
      ]),
    db.selectFrom('pairs').selectAll().orderBy('a').orderBy('b'),
    db
      .insertInto('users')
      .orIgnore()
      .values([
        { id: 20, email: 'p@x', name: 'P' },
        { id: 20, email: 'q@x', name: 'Q' },
      ]),
    db.selectFrom('users').selectAll().orderBy('id'),
  ])
  both('orIgnore of a single conflicting row changes nothing', seedUsers, (db) => [
    db.insertInto('users').orIgnore().values({ id: 2, email: 'x@x', name: 'X' }),
    db.selectFrom('users').selectAll().orderBy('id'),
  ])
  both('orIgnore with insert ... select', seedUsers, (db) => [
    db
      .insertInto('users')
      .orIgnore()
      .columns(['id', 'email', 'name'])
      .expression(
        db.selectFrom('users').select((eb) => [eb('id', '+', 1).as('id'), eb('email', '||', '!').as('email'), 'name']),
      ),
    db.selectFrom('users').selectAll().orderBy('id'),
  ])
})

diffSuite('differential part 2: onConflict doUpdateSet', () => {
  both('doUpdateSet on the primary key with excluded', seedUsers, (db) => [
    db
      .insertInto('users')
      .values([
        { id: 2, email: 'b2@x', name: 'B2' },
        { id: 3, email: 'c@x', name: 'C' },
      ])
      .onConflict((oc) =>
        oc.column('id').doUpdateSet((eb) => ({
          name: eb.ref('excluded.name'),
          email: eb('users.email', '||', eb.ref('excluded.email')),
        })),
      ),
    db.selectFrom('users').selectAll().orderBy('id'),
  ])
  both('doUpdateSet on a unique column', seedUsers, (db) => [
    db
      .insertInto('users')
      .values({ id: 9, email: 'a@x', name: 'again' })
      .onConflict((oc) => oc.column('email').doUpdateSet({ name: 'updated' })),
    db.selectFrom('users').selectAll().orderBy('id'),
  ])
  both('doUpdateSet with a where that holds and one that does not', seedUsers, (db) => [
    db
      .insertInto('users')
      .values([
        { id: 1, email: 'a@x', name: 'A1' },
        { id: 2, email: 'b@x', name: 'B1' },
      ])
      .onConflict((oc) =>
        oc
          .column('id')
          .doUpdateSet((eb) => ({ name: eb.ref('excluded.name') }))
          .where('users.name', '=', 'A'),
      ),
    db.selectFrom('users').selectAll().orderBy('id'),
  ])
  both('doUpdateSet with returning', seedUsers, (db) =>
    db
      .insertInto('users')
      .values({ id: 2, email: 'q@x', name: 'Q' })
      .onConflict((oc) => oc.column('id').doUpdateSet({ name: 'set' }))
      .returning(['id', 'name', 'email']),
  )
  both('doUpdateSet on a composite key', seedUsers, (db) => [
    db
      .insertInto('pairs')
      .values([
        { a: 'x', b: 1, v: 'new' },
        { a: 'y', b: 1, v: 'y' },
      ])
      .onConflict((oc) =>
        oc.columns(['a', 'b']).doUpdateSet((eb) => ({ v: eb('pairs.v', '||', eb.ref('excluded.v')) })),
      ),
    db.selectFrom('pairs').selectAll().orderBy('a').orderBy('b'),
  ])
  both('doUpdateSet that breaks another unique constraint fails and changes nothing', seedUsers, (db) => [
    db
      .insertInto('users')
      .values({ id: 1, email: 'zz@x', name: 'Z' })
      .onConflict((oc) => oc.column('id').doUpdateSet({ email: 'b@x' })),
    db.selectFrom('users').selectAll().orderBy('id'),
  ])
  both('doUpdateSet with text for the integer key (affinity)', seedUsers, (db) => [
    db
      .insertInto('users')
      .values({ id: '2' as never, email: 'r@x', name: 'R' })
      .onConflict((oc) => oc.column('id').doUpdateSet((eb) => ({ name: eb.ref('excluded.name') }))),
    db.selectFrom('users').selectAll().orderBy('id'),
  ])
  both("the target's constraint is checked before the others, after not null", seedUsers, (db) => [
    // Conflicts on the key (row 1) and on email (row 2): the target decides which row is updated.
    db
      .insertInto('users')
      .values({ id: 1, email: 'b@x', name: 'by id' })
      .onConflict((oc) => oc.column('id').doUpdateSet({ name: 'updated by id' })),
    db
      .insertInto('users')
      .values({ id: 1, email: 'b@x', name: 'by email' })
      .onConflict((oc) => oc.column('email').doUpdateSet({ name: 'updated by email' })),
    db
      .insertInto('users')
      .values({ id: 2, email: 'a@x', name: 'skip' })
      .onConflict((oc) => oc.column('email').doNothing()),
    // No conflict on the target, one elsewhere: the insert fails.
    db
      .insertInto('users')
      .values({ id: 9, email: 'a@x', name: 'fails' })
      .onConflict((oc) => oc.column('id').doUpdateSet({ name: 'never' })),
    // Not null fails before the target's conflict is looked at.
    db
      .insertInto('users')
      .values({ id: 1, email: 'z@x', name: null as unknown as string })
      .onConflict((oc) => oc.column('id').doUpdateSet({ name: 'never' })),
    // Two rows of one statement: the second finds the first.
    db
      .insertInto('users')
      .values([
        { id: 10, email: 'n@x', name: 'first' },
        { id: 10, email: 'm@x', name: 'second' },
      ])
      .onConflict((oc) => oc.column('id').doUpdateSet((eb) => ({ name: eb.ref('excluded.name') }))),
    // Nulls never conflict on a unique column; text for the integer key takes its affinity.
    db
      .insertInto('users')
      .values([
        { id: 11, email: null, name: 'n1' },
        { id: 12, email: null, name: 'n2' },
      ])
      .onConflict((oc) => oc.column('email').doUpdateSet({ name: 'never' })),
    db
      .insertInto('users')
      .values({ id: '12' as unknown as number, email: 'q@x', name: 'by text key' })
      .onConflict((oc) => oc.column('id').doUpdateSet((eb) => ({ name: eb.ref('excluded.name') }))),
    db.selectFrom('users').selectAll().orderBy('id'),
  ])
  both('doUpdateSet with unqualified names reads the target row', seedUsers, (db) => [
    db
      .insertInto('users')
      .values({ id: 1, email: 'n@x', name: 'N' })
      .onConflict((oc) => oc.column('id').doUpdateSet((eb) => ({ name: eb('name', '||', eb.ref('excluded.name')) }))),
    db.selectFrom('users').selectAll().orderBy('id'),
  ])
})

diffSuite('differential part 2: orReplace and replaceInto', () => {
  both('orReplace replaces the row with the same key', seedUsers, (db) => [
    db
      .insertInto('users')
      .orReplace()
      .values([
        { id: 2, email: 'b2@x', name: 'B2' },
        { id: 3, email: 'c@x', name: 'C' },
      ]),
    db.selectFrom('users').selectAll().orderBy('id'),
  ])
  both('orReplace deletes the rows of both the key and a unique column', seedUsers, (db) => [
    db.insertInto('users').orReplace().values({ id: 1, email: 'b@x', name: 'AB' }),
    db.selectFrom('users').selectAll().orderBy('id'),
  ])
  both('replaceInto a row without its id takes a new id (allocated before the delete)', seedUsers, (db) => [
    db.replaceInto('users').values({ email: 'b@x', name: 'B3' }),
    db.replaceInto('users').values([
      { email: 'a@x', name: 'A3' },
      { id: 2, email: 'x@x', name: 'X' },
    ]),
    db.selectFrom('users').selectAll().orderBy('id'),
  ])
  both('orReplace still fails on not null', seedUsers, (db) => [
    db.insertInto('users').orReplace().values({ id: 1, email: 'a@x', name: null }),
    db.selectFrom('users').selectAll().orderBy('id'),
  ])
  both('orReplace with returning', seedUsers, (db) =>
    db.insertInto('users').orReplace().values({ id: 2, email: 'new@x', name: 'N' }).returning(['id', 'email']),
  )
  // Round s27: orReplace / replaceInto on a table without an integer primary key (a text key, a
  // composite key, no key at all) was BTREE_SQL_UNSUPPORTED; the new row now takes the hidden rowid
  // SQLite gives it before deleting what it replaces (insertId shows it).
  both('orReplace and replaceInto on tables keyed by text, by two columns, or not at all', undefined, (db) => [
    db.schema
      .createTable('kv')
      .addColumn('k', 'text', (c) => c.primaryKey())
      .addColumn('v', 'integer'),
    db.schema
      .createTable('pk2')
      .addColumn('a', 'text')
      .addColumn('b', 'integer')
      .addColumn('c', 'text')
      .addPrimaryKeyConstraint('pk2_pk', ['a', 'b']),
    db.schema
      .createTable('nk')
      .addColumn('a', 'text', (c) => c.unique())
      .addColumn('b', 'integer'),
    db.insertInto('kv').values([
      { k: 'a', v: 1 },
      { k: 'b', v: 2 },
      { k: 'c', v: 3 },
    ]),
    db.replaceInto('kv').values({ k: 'c', v: 30 }),
    db.insertInto('kv').orReplace().values({ k: 'a', v: 10 }),
    db.insertInto('kv').values({ k: 'd', v: 4 }),
    db.replaceInto('kv').values({ k: 'b', v: 20 }).returningAll(),
    db.selectFrom('kv').selectAll().orderBy('k'),
    db.insertInto('pk2').values([
      { a: 'x', b: 1, c: 'one' },
      { a: 'x', b: 2, c: 'two' },
    ]),
    db.replaceInto('pk2').values({ a: 'x', b: 2, c: 'TWO' }),
    db.selectFrom('pk2').selectAll().orderBy('a').orderBy('b'),
    db.insertInto('nk').values([
      { a: 'x', b: 1 },
      { a: 'y', b: 2 },
    ]),
    db.replaceInto('nk').values({ a: 'y', b: 22 }),
    db.replaceInto('nk').values({ a: null, b: 5 }),
    db.insertInto('nk').values({ a: 'z', b: 3 }),
    db.selectFrom('nk').selectAll().orderBy('b'),
  ])
  // Round s27: doUpdateSet without a target (SQLite allows it on the last on conflict clause) was
  // BTREE_SQL_UNSUPPORTED; any uniqueness conflict now updates the row it names.
  both('doUpdateSet without a target: the key or any unique column', undefined, (db) => [
    db.schema
      .createTable('uq')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('e', 'text', (c) => c.unique())
      .addColumn('n', 'integer'),
    db.insertInto('uq').values([
      { id: 1, e: 'a', n: 0 },
      { id: 2, e: 'b', n: 0 },
    ]),
    db
      .insertInto('uq')
      .values({ id: 1, e: 'z', n: 5 })
      .onConflict((oc) => oc.doUpdateSet((eb) => ({ n: eb('n', '+', 1) })))
      .returningAll(),
    db
      .insertInto('uq')
      .values({ id: 9, e: 'b', n: 5 })
      .onConflict((oc) => oc.doUpdateSet((eb) => ({ n: eb.ref('excluded.n') })))
      .returningAll(),
    db
      .insertInto('uq')
      .values({ e: 'a', n: 1 })
      .onConflict((oc) => oc.doUpdateSet({ n: 0 }).where('excluded.n', '>', 5))
      .returningAll(),
    db
      .insertInto('uq')
      .values({ id: 3, e: 'c', n: 5 })
      .onConflict((oc) => oc.doUpdateSet({ n: 100 }))
      .returningAll(),
    db.selectFrom('uq').selectAll().orderBy('id'),
  ])
})

// Round s29: orAbort, orFail and orRollback were BTREE_SQL_UNSUPPORTED.
diffSuite('differential part 2: orAbort, orFail and orRollback', () => {
  const rows = (ids: readonly number[], emails: readonly string[]) =>
    ids.map((id, i) => ({ id, email: emails[i]!, name: `n${id}` }))

  both('orAbort undoes the statement; orFail keeps the rows before the failing one', seedUsers, async (db) => [
    await attempt(() =>
      db
        .insertInto('users')
        .orAbort()
        .values(rows([3, 4, 5], ['c@x', 'a@x', 'e@x']))
        .execute(),
    ),
    await attempt(() =>
      db
        .insertInto('users')
        .orFail()
        .values(rows([6, 7, 8], ['f@x', 'a@x', 'h@x']))
        .execute(),
    ),
    // A NOT NULL failure on the third row; returning rows are not reported when the statement fails.
    await attempt(() =>
      db
        .insertInto('users')
        .orFail()
        .values([
          { id: 9, email: 'i@x', name: 'i' },
          { id: 10, email: 'j@x', name: 'j' },
          { id: 11, email: 'k@x', name: null as unknown as string },
        ])
        .returning('id')
        .execute(),
    ),
    await db.selectFrom('users').selectAll().orderBy('id').execute(),
  ])

  both('orFail inside a transaction keeps its rows and the transaction goes on', seedUsers, async (db) => {
    const steps: unknown[] = []
    steps.push(
      await attempt(() =>
        db.transaction().execute(async (trx) => {
          steps.push(
            await attempt(() =>
              trx
                .insertInto('users')
                .orFail()
                .values(rows([3, 4], ['c@x', 'b@x']))
                .execute(),
            ),
          )
          await trx.insertInto('users').values({ id: 5, email: 'e@x', name: 'e' }).execute()
        }),
      ),
    )
    steps.push(await db.selectFrom('users').selectAll().orderBy('id').execute())
    return steps
  })

  both('orRollback undoes the whole transaction; its commit then finds none', seedUsers, async (db) => {
    const steps: unknown[] = []
    steps.push(
      await attempt(() =>
        db.transaction().execute(async (trx) => {
          await trx.insertInto('users').values({ id: 3, email: 'c@x', name: 'c' }).execute()
          steps.push(
            await attempt(() =>
              trx
                .insertInto('users')
                .orRollback()
                .values(rows([4, 5], ['d@x', 'a@x']))
                .execute(),
            ),
          )
        }),
      ),
    )
    steps.push(
      await attempt(() =>
        db
          .insertInto('users')
          .orRollback()
          .values(rows([6], ['b@x']))
          .execute(),
      ),
    )
    steps.push(await db.selectFrom('users').selectAll().orderBy('id').execute())
    return steps
  })

  // Round s30: `update or ...` was BTREE_SQL_UNSUPPORTED.
  both(
    'UPDATE OR IGNORE, REPLACE (a unique key, the primary key, a NOT NULL default), FAIL and ROLLBACK',
    undefined,
    async (db, { sql }) => {
      const out: unknown[] = []
      const run = async (text: string): Promise<void> => {
        out.push(text, await attempt(() => sql.raw(text).execute(db)))
        out.push(await sql`select * from t order by id`.execute(db).then((r) => r.rows))
      }
      for (const text of [
        `create table t (id integer primary key, u text unique, n text not null default 'dflt', m text not null, c int check (c < 10))`,
        `insert into t values (1, 'a', 'x', 'm', 1), (2, 'b', 'y', 'm', 2), (3, 'c', 'z', 'm', 3), (4, 'd', 'w', 'm', 4)`,
        `update or ignore t set u = 'c' where id <= 2`,
        `update or ignore t set c = c + 7 where id > 1`,
        `update or ignore t set m = null where id = 1`,
        `update or replace t set u = 'c' where id = 1`,
        `update or replace t set n = null where id = 1`,
        `update or replace t set m = null where id = 1`,
        `update or replace t set id = 2 where id = 1`,
        `update or replace t set u = 'z' || id`,
        `update or fail t set u = 'q' || id, c = c + 5 where id >= 2`,
        `update or abort t set c = c + 20`,
        `update or replace t set id = id + 1`,
      ])
        await run(text)
      await sql`begin`.execute(db)
      await run(`update t set u = 'in tx' where id = 2`)
      await run(`update or rollback t set c = 99`)
      await run(`update t set u = 'after' where id = 2`)
      return out
    },
  )

  both(
    'UPDATE OR REPLACE under foreign keys and triggers: the replaced row fires no DELETE trigger, its children cascade',
    undefined,
    (db, { sql }) =>
      rawOutcomes(
        db,
        sql,
        [
          'create table p (id integer primary key, code text unique)',
          'create table c (id integer primary key, p_id int references p (id) on delete cascade)',
          'create table log (n integer primary key, what text)',
          `create trigger pd after delete on p begin insert into log (what) values ('deleted ' || old.code); end`,
          `create trigger pu after update on p begin insert into log (what) values ('updated ' || old.code || '>' || new.code); insert or ignore into p (id, code) values (100 + new.id, new.code); end`,
          `insert into p values (1, 'a'), (2, 'b'), (3, 'c')`,
          'insert into c values (10, 1), (11, 2), (12, 3)',
          `update or replace p set code = 'b' where id = 1`,
          `update or ignore p set code = 'c' where id = 1`,
          'select * from p order by id',
          'select * from c order by id',
          'select * from log order by n',
        ],
        'failed',
        true,
      ),
  )
  // SQLite matches a target expression with a unique expression index's part written alike.
  both(
    'conflict targets that are expressions an expression index holds (raw and oc.expression)',
    undefined,
    async (db, { sql }) => {
      const raw = await rawOutcomes(
        db,
        sql,
        [
          'create table u (id integer primary key, email text, n int default 0)',
          'create unique index ux on u (lower(email))',
          "insert into u (email) values ('A@x')",
          "insert into u (email) values ('a@X') on conflict (lower(email)) do update set n = n + 1",
          'insert into u (email) values (\'a@X\') on conflict (lower("email")) do nothing',
          "insert into u (email) values ('a@X') on conflict (upper(email)) do nothing",
          "insert into u (email) values ('a@X') on conflict (lower(email) collate nocase) do nothing",
          "insert into u (email) values ('a@X') on conflict (email) do nothing",
          "insert into u (email) values ('B@y') on conflict (lower(email)) do update set n = 9",
          'create table w (a, b)',
          'create unique index wab on w (a, lower(b))',
          "insert into w values (1, 'X')",
          "insert into w values (1, 'x') on conflict (lower(b), a) do update set b = excluded.b",
          'select * from w',
        ],
        'message',
      )
      await db
        .insertInto('u')
        .values({ email: 'A@X' })
        .onConflict((oc) => oc.expression(sql`lower(email)`).doUpdateSet({ n: sql`n + 10` }))
        .execute()
      await db
        .insertInto('u')
        .values({ email: 'b@Y' })
        .onConflict((oc) => oc.expression(sql`lower(email)`).doNothing())
        .execute()
      return [...raw, await db.selectFrom('u').selectAll().orderBy('id').execute()]
    },
  )
})
