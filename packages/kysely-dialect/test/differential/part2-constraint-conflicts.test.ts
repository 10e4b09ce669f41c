import { expect } from 'chai'
import { both, diffSuite, rawOutcomes, withBoth } from '../helpers/differential.js'
import { kyselyApis, type KyselyApi } from '../helpers/kysely-versions.js'
import { canonResult } from '../helpers/outcome.js'
import type { Db } from '../helpers/sides.js'

/**
 * The constraints' own ON CONFLICT clauses (lang_conflict.html): `not null on conflict replace`,
 * `unique (a, b) on conflict ignore`, `primary key on conflict fail`, ... Each statement's outcome
 * is compared with its error's message, which names the constraint SQLite's order of checks found
 * first; then the rows.
 */
function run(texts: readonly string[], withInsertIds = false) {
  return (db: Db, { sql }: KyselyApi) => rawOutcomes(db, sql, texts, 'message', withInsertIds)
}

/** What `fn` returned, or its error's message when a constraint failed (it names the constraint). */
async function outcome(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    return await fn()
  } catch (error) {
    const message = (error as Error).message
    return { error: message.includes('constraint failed') ? message : 'failed' }
  }
}

/** One table per algorithm on each kind of constraint, and a log its triggers write. */
const MIXED = [
  `create table t (id integer primary key, a unique on conflict replace, b unique on conflict ignore,
     c not null on conflict replace default 7, d not null on conflict ignore, e int check (e >= 0))`,
  'insert into t values (1, 1, 1, 1, 1, 1), (2, 2, 2, 2, 2, 2), (3, 3, 3, 3, 3, 3)',
]

// Round s32: a constraint's ON CONFLICT clause was a syntax error here ("expected ) near on").
diffSuite('differential part 2: constraints with their own ON CONFLICT clause', () => {
  both('the clause on each constraint SQLite takes it on, and where it refuses one', undefined, (db, { sql }) =>
    rawOutcomes(
      db,
      sql,
      [
        'create table a1 (id integer primary key on conflict replace autoincrement, u text unique on conflict ignore)',
        'create table a2 (k text constraint pk primary key asc on conflict fail, n int null on conflict ignore)',
        'create table a3 (x, y, z not null on conflict rollback, constraint u unique (x, y) on conflict replace, primary key (z) on conflict abort)',
        'create table a4 (x, y, primary key (x, y) on conflict ignore) without rowid',
        'create table a5 (x int not null on conflict replace not null on conflict ignore default 1)',
        'create table b1 (x check (x > 0) on conflict fail)',
        'create table b2 (x, check (x > 0) on conflict fail)',
        'create table b3 (x default 1 on conflict replace)',
        'create table b4 (x collate nocase on conflict replace)',
        'create table b5 (x integer primary key autoincrement on conflict replace)',
        'create table b6 (x not null on conflict replace on conflict ignore)',
        'create table b7 (x unique on conflict maybe)',
        'create table b8 (x, foreign key (x) references a1 on conflict replace)',
        'create table b9 (x unique on conflict replace, unique (x) on conflict ignore)',
        'create table b10 (x primary key on conflict replace, unique (x) on conflict ignore)',
        'create table b11 (x unique on conflict replace, unique (x))',
        "select type, name, tbl_name, sql from sqlite_master where name like 'a%' or name like 'b%' order by name",
        'select name, type, "notnull", dflt_value, pk from pragma_table_info(\'a3\') order by cid',
        'select name, "unique", origin from pragma_index_list(\'a3\') order by name',
      ],
      'failed',
    ),
  )

  both(
    'NOT NULL: REPLACE takes the default (ABORT without one, or with a null one), IGNORE skips the row, FAIL keeps the rows before',
    undefined,
    run(
      [
        `create table n (id integer primary key, r text not null on conflict replace default 'dflt',
           rx text not null on conflict replace, rn text not null on conflict replace default null,
           i text not null on conflict ignore default 'unused', f text not null on conflict fail,
           rt text not null on conflict replace default (upper('t')))`,
        "insert into n values (1, null, 'x', 'n', 'i', 'f', null)",
        "insert into n values (2, 'r', null, 'n', 'i', 'f', 't')",
        "insert into n values (3, 'r', 'x', null, 'i', 'f', 't')",
        "insert into n values (4, 'r', 'x', 'n', null, 'f', 't'), (5, null, 'x', 'n', 'i', 'f', null)",
        "insert into n values (6, 'r', 'x', 'n', 'i', 'f', 't'), (7, 'r', 'x', 'n', 'i', null, 't'), (8, 'r', 'x', 'n', 'i', 'f', 't')",
        "insert into n (id, rx, rn, i, f) values (9, 'x', 'n', 'i', 'f')",
        "insert into n values (10, null, 'x', 'n', 'i', null, 't')",
        "insert into n values (11, 'r', 'x', 'n', null, null, 't')",
        'select changes() as c, last_insert_rowid() as l',
        'update n set r = null, rt = null where id = 1',
        'update n set i = null where id <= 5',
        'select changes() as c',
        'update n set f = null where id = 6 or id = 8',
        'update n set rx = null where id = 1',
        'update or ignore n set rx = null where id = 1',
        'update or abort n set r = null where id = 1',
        "update or replace n set r = null, f = 'F' where id = 1",
        'select * from n order by id',
      ],
      true,
    ),
  )

  both(
    'UNIQUE and PRIMARY KEY: each algorithm, a middle row of a multi-row insert conflicting, changes() and last_insert_rowid()',
    undefined,
    run(
      [
        `create table u (id integer primary key, r text unique on conflict replace, i text unique on conflict ignore,
           f text unique on conflict fail, a text unique on conflict abort, k text unique on conflict rollback)`,
        "insert into u values (1, 'r1', 'i1', 'f1', 'a1', 'k1'), (2, 'r2', 'i2', 'f2', 'a2', 'k2')",
        "insert into u values (3, 'r3', 'i3', 'f3', 'a3', 'k3'), (4, 'r1', 'i4', 'f4', 'a4', 'k4'), (5, 'r5', 'i5', 'f5', 'a5', 'k5')",
        'select changes() as c, total_changes() as t, last_insert_rowid() as l',
        "insert into u values (6, 'r6', 'i6', 'f6', 'a6', 'k6'), (7, 'r7', 'i2', 'f7', 'a7', 'k7'), (8, 'r8', 'i8', 'f8', 'a8', 'k8')",
        'select changes() as c, last_insert_rowid() as l',
        "insert into u values (9, 'r9', 'i9', 'f9', 'a9', 'k9'), (10, 'r10', 'i10', 'f2', 'a10', 'k10'), (11, 'r11', 'i11', 'f11', 'a11', 'k11')",
        'select changes() as c, last_insert_rowid() as l',
        "insert into u values (12, 'r12', 'i12', 'f12', 'a12', 'k12'), (13, 'r13', 'i13', 'f13', 'a2', 'k13')",
        "insert into u values (14, 'r14', 'i14', 'f14', 'a14', 'k14'), (15, 'r15', 'i15', 'f15', 'a15', 'k2')",
        "insert into u (r, i, f, a, k) values ('r2', 'i16', 'f16', 'a16', 'k16')",
        'select changes() as c, last_insert_rowid() as l',
        "insert into u (r, i, f, a, k) values ('r17', 'i1', 'f17', 'a17', 'k17')",
        'select changes() as c, last_insert_rowid() as l',
        'select * from u order by id',
        `create table pk (id integer primary key on conflict replace, v text unique on conflict fail)`,
        "insert into pk values (1, 'a'), (2, 'b')",
        "insert into pk values (1, 'c')",
        "insert into pk values (1, 'b')",
        "insert into pk values (3, 'x'), (2, 'y'), (3, 'b'), (4, 'z')",
        'select changes() as c, last_insert_rowid() as l',
        'select * from pk order by id',
        `create table kt (k text primary key on conflict ignore, v int)`,
        "insert into kt values ('a', 1), ('a', 2), ('b', 3)",
        'select changes() as c, last_insert_rowid() as l',
        'select * from kt order by k',
        `create table wr (k text primary key on conflict replace, v int) without rowid`,
        "insert into wr values ('a', 1), ('a', 2), ('b', 3)",
        'select * from wr order by k',
      ],
      true,
    ),
  )

  both(
    "several failing constraints: NOT NULL first, then uniqueness newest constraint first, REPLACE's last",
    undefined,
    run([
      'create table r (a unique on conflict ignore, b unique on conflict fail, c unique on conflict abort)',
      'insert into r values (1, 1, 1)',
      'insert into r values (1, 1, 1)',
      'insert into r values (1, 2, 1)',
      'insert into r values (2, 1, 2)',
      'insert into r values (1, 2, 2)',
      'create table r2 (c unique on conflict abort, b unique on conflict replace, a unique on conflict ignore)',
      'insert into r2 values (1, 1, 1), (2, 2, 2)',
      'insert into r2 values (3, 1, 2)',
      'insert into r2 values (1, 3, 3)',
      'insert into r2 values (4, 2, 4)',
      'select * from r2 order by c',
      'create table k1 (a text primary key on conflict ignore, b unique on conflict fail)',
      "insert into k1 values ('x', 1)",
      "insert into k1 values ('x', 1)",
      'create table k2 (b unique on conflict fail, a text primary key on conflict ignore)',
      "insert into k2 values (1, 'x')",
      "insert into k2 values (1, 'x')",
      'create table k3 (b unique on conflict fail, a text primary key on conflict ignore) without rowid',
      "insert into k3 values (1, 'x')",
      "insert into k3 values (1, 'x')",
      'create table k4 (a text primary key on conflict ignore, b unique on conflict fail) without rowid',
      "insert into k4 values ('x', 1)",
      "insert into k4 values ('x', 1)",
      'create table ip (id integer primary key on conflict fail, u unique on conflict replace)',
      'insert into ip values (1, 1), (2, 2)',
      'insert into ip values (1, 2)',
      'insert into ip values (3, 1), (2, 5), (4, 4)',
      'select * from ip order by id',
      'create table ix (a unique on conflict ignore, b, c not null on conflict fail)',
      'create unique index ix_b on ix (b)',
      'insert into ix values (1, 1, 1)',
      'insert into ix values (1, 1, 1)',
      'insert into ix values (2, 1, 1)',
      'insert into ix values (1, 2, null)',
      'create table nn (a not null on conflict ignore, b not null on conflict fail, c unique on conflict fail)',
      'insert into nn values (1, 1, 1)',
      'insert into nn values (null, null, 1)',
      'insert into nn values (2, null, 1)',
      'insert into nn values (3, 3, 1), (4, 4, 4)',
      'select * from nn order by a',
    ]),
  )

  both(
    "a statement's OR overrides every clause, OR ABORT too",
    undefined,
    run([
      ...MIXED,
      'insert or abort into t values (4, 1, 4, 4, 4, 4)',
      'insert or abort into t values (4, 4, 1, 4, 4, 4)',
      'insert or abort into t values (4, 4, 4, null, 4, 4)',
      'insert or abort into t values (4, 4, 4, 4, null, 4)',
      'insert or fail into t values (4, 4, 4, 4, 4, 4), (5, 5, 2, 5, 5, 5), (6, 6, 6, 6, 6, 6)',
      'insert or ignore into t values (6, 1, 6, 6, 6, 6), (7, 7, 7, null, 7, 7)',
      'insert or replace into t values (8, 8, 1, 8, 8, 8), (9, 9, 9, 9, null, 9)',
      'insert or replace into t values (9, 9, 9, 9, 9, 9)',
      'insert or replace into t values (11, 11, 11, null, 11, 11)',
      'insert or rollback into t values (10, 10, 3, 10, 10, 10)',
      'replace into t values (10, 10, 2, 10, 10, 10)',
      'update or abort t set b = 10 where id = 3',
      'update or fail t set d = null where id = 3',
      'update or ignore t set a = 10 where id = 3',
      'update or replace t set b = 10 where id = 3',
      'select changes() as c',
      'select * from t order by id',
    ]),
  )

  both(
    'CHECK takes no clause and aborts under clauses of other constraints',
    undefined,
    run([
      ...MIXED,
      'insert into t values (4, 1, 1, null, null, -1)',
      'insert into t values (4, 1, 4, 4, 4, -1)',
      'update t set a = 1, e = -1 where id = 2',
      'update t set b = 1, e = -1 where id = 2',
      'insert or ignore into t values (4, 1, 4, 4, 4, -1)',
      'select * from t order by id',
    ]),
  )

  both(
    "an upsert's DO clause takes the uniqueness constraints it targets (all without a target); its update aborts",
    undefined,
    run([
      ...MIXED,
      'insert into t values (4, 1, 4, 4, 4, 4) on conflict do nothing',
      'insert into t values (5, 1, 5, null, 5, 5) on conflict do nothing',
      'insert into t values (6, 6, 6, 6, null, 6) on conflict do nothing',
      'insert into t values (7, 2, 7, 7, 7, 7) on conflict (b) do nothing',
      'insert into t values (8, 8, 3, 8, 8, 8) on conflict (a) do update set e = 100',
      'insert into t values (9, 9, 3, 9, 9, 9) on conflict (b) do update set e = 100',
      'insert into t values (3, 10, 10, null, 10, 10) on conflict (id) do update set c = excluded.c',
      'insert into t values (3, 11, 11, 11, 11, 11) on conflict (id) do update set b = 7',
      'insert into t values (3, 12, 12, 12, 12, 12) on conflict (id) do update set a = 7',
      'insert into t values (3, 13, 13, 13, 13, 13) on conflict (id) do update set d = null',
      'insert into t values (3, 14, 14, 14, 14, 14) on conflict do update set e = 50',
      'insert into t values (20, 14, 20, 20, null, 20) on conflict do update set e = 51',
      'select * from t order by id',
    ]),
  )

  both(
    'UPDATE under the clauses: REPLACE deletes the other row, IGNORE leaves the row, FAIL keeps the rows before',
    undefined,
    run([
      `create table v (id integer primary key on conflict replace, r text unique on conflict replace,
         i text unique on conflict ignore, f text unique on conflict fail)`,
      "insert into v values (1, 'r1', 'i1', 'f1'), (2, 'r2', 'i2', 'f2'), (3, 'r3', 'i3', 'f3'), (4, 'r4', 'i4', 'f4')",
      "update v set r = 'r2' where id = 1",
      'select changes() as c',
      "update v set i = 'i3' where id >= 3",
      'select changes() as c',
      "update v set f = 'f' || (id + 1), i = 'x' || id",
      'select changes() as c',
      'select * from v order by id',
      'update v set id = 4 where id = 3',
      "update v set id = id + 10, i = 'i4' where id = 1",
      "update v set id = 1, r = 'r4' where id = 3",
      'select * from v order by id',
      'create table src (id integer primary key, r text, i text)',
      "insert into src values (3, 'r4', 'i9'), (4, 'r9', 'i3'), (5, 'r5', 'i5')",
      'update v set r = src.r, i = src.i from src where src.id = v.id',
      'select changes() as c',
      'update or abort v set i = src.i from src where src.id = v.id + 1',
      'select * from v order by id',
      `create table vk (k text primary key on conflict ignore, v int)`,
      "insert into vk values ('a', 1), ('b', 2), ('c', 3)",
      "update vk set k = 'c' where k = 'a'",
      "update vk set k = 'd' where k = 'a'",
      'select * from vk order by k',
    ]),
  )

  both('ROLLBACK ends the transaction, FAIL and ABORT leave it open', undefined, async (db, { sql }) => {
    const out: unknown[] = []
    const step = async (text: string): Promise<void> => {
      out.push(
        text,
        await outcome(() =>
          sql
            .raw(text)
            .execute(db)
            .then((r) => r.rows),
        ),
      )
    }
    for (const text of [
      'create table tx (id integer primary key, f unique on conflict fail, a unique on conflict abort, k unique on conflict rollback, n not null on conflict rollback)',
      'insert into tx values (1, 1, 1, 1, 1)',
      'begin',
      'insert into tx values (2, 2, 2, 2, 2)',
      'insert into tx values (3, 3, 3, 3, 3), (4, 1, 4, 4, 4), (5, 5, 5, 5, 5)',
      'insert into tx values (6, 6, 6, 6, 6), (7, 7, 1, 7, 7)',
      'select * from tx order by id',
      'commit',
      'begin',
      'insert into tx values (8, 8, 8, 8, 8)',
      'insert into tx values (9, 9, 9, 1, 9)',
      'select * from tx order by id',
      'commit',
      'begin',
      'update tx set id = id + 100 where id = 3',
      'update tx set n = null where id = 2',
      'select * from tx order by id',
      'commit',
      'insert into tx values (10, 10, 10, 10, 10), (11, 11, 11, 1, 11)',
      'select * from tx order by id',
    ])
      await step(text)
    return out
  })

  both(
    'REPLACE under triggers and foreign keys: no DELETE trigger for the row it deletes, its children cascade',
    undefined,
    run([
      'create table p (id integer primary key, code text unique on conflict replace)',
      'create table c (id integer primary key, p_id int references p (id) on delete cascade, v text unique on conflict replace)',
      'create table r (id integer primary key, p_id int references p (id), w text unique on conflict replace)',
      'create table log (n integer primary key, what text)',
      "create trigger pd after delete on p begin insert into log (what) values ('deleted ' || old.code); end",
      "create trigger pi after insert on p begin insert into log (what) values ('inserted ' || new.code); end",
      "create trigger cb before insert on c begin insert into log (what) values ('before c ' || new.v); end",
      "create trigger cu after update on c begin insert into log (what) values ('updated c ' || new.v); end",
      "insert into p values (1, 'a'), (2, 'b'), (3, 'c')",
      "insert into c values (10, 1, 'x'), (11, 2, 'y')",
      "insert into r values (20, 3, 'z')",
      "insert into p values (4, 'a')",
      "insert into c values (12, 2, 'y')",
      "update c set v = 'y', p_id = 4 where id = 12",
      "insert into c values (13, 4, 'q')",
      "update c set v = 'q' where id = 12",
      "insert into p values (5, 'c')",
      "insert into p values (6, 'b'), (7, 'c')",
      'select * from p order by id',
      'select * from c order by id',
      'select * from r order by id',
      'select * from log order by n',
    ]),
  )

  both(
    'ALTER TABLE keeps the clauses: an added NOT NULL ON CONFLICT REPLACE column, renamed columns and tables',
    undefined,
    run([
      'create table al (id integer primary key on conflict replace, u text unique on conflict ignore)',
      "insert into al values (1, 'a')",
      "alter table al add column n text not null on conflict replace default 'dn'",
      'alter table al add column m text not null on conflict ignore',
      'alter table al add column z text null on conflict fail',
      "insert into al (id, u, n) values (2, 'b', null)",
      'alter table al rename column n to nn',
      'alter table al rename column u to uu',
      'alter table al rename to al2',
      "insert into al2 (id, uu, nn) values (3, 'a', 'x')",
      "insert into al2 (id, uu, nn) values (2, 'c', null)",
      'select * from al2 order by id',
      "select sql from sqlite_master where name = 'al2'",
    ]),
  )

  both("Kysely's modifyEnd(sql`on conflict ...`) after a column's constraint", undefined, async (db, { sql }) => {
    const out: unknown[] = []
    out.push(
      await outcome(() =>
        db.schema
          .createTable('kb')
          .addColumn('id', 'integer', (c) => c.primaryKey().modifyEnd(sql`on conflict replace`))
          .addColumn('u', 'text', (c) => c.unique().modifyEnd(sql`on conflict ignore`))
          .addColumn('n', 'text', (c) =>
            c
              .notNull()
              .defaultTo('dn')
              .modifyEnd(sql`on conflict replace collate nocase`),
          )
          .execute(),
      ),
    )
    out.push(
      await outcome(() =>
        db.schema
          .createTable('kb2')
          .addColumn('x', 'integer', (c) =>
            c
              .notNull()
              .check(sql`x > 0`)
              .modifyEnd(sql`on conflict ignore`),
          )
          .execute(),
      ),
    )
    out.push(
      await outcome(() =>
        db.schema
          .createTable('kb3')
          .addColumn('x', 'integer', (c) => c.modifyEnd(sql`on conflict ignore`))
          .execute(),
      ),
    )
    await db.insertInto('kb').values({ id: 1, u: 'a', n: 'x' }).execute()
    out.push(await outcome(() => db.insertInto('kb').values({ id: 2, u: 'a', n: 'y' }).executeTakeFirst()))
    out.push(await outcome(() => db.insertInto('kb').values({ id: 1, u: 'b', n: null }).executeTakeFirst()))
    out.push(await outcome(() => db.insertInto('kb').values({ id: 1, u: 'a', n: 'z' }).orAbort().executeTakeFirst()))
    out.push(await outcome(() => db.insertInto('kb').values({ id: 3, u: 'b', n: 'z' }).orFail().executeTakeFirst()))
    out.push(await outcome(() => db.updateTable('kb').set({ u: 'b' }).where('id', '=', 3).executeTakeFirst()))
    out.push(await db.selectFrom('kb').selectAll().where('n', '=', 'DN').orderBy('id').execute())
    out.push(await db.selectFrom('kb').selectAll().orderBy('id').execute())
    return out
  })

  both(
    'the NOT INDEXED and INDEXED BY hints are read (and a query runs as without them)',
    undefined,
    run([
      'create table h (id integer primary key, a int, b text)',
      'create index h_a on h (a)',
      "insert into h values (1, 10, 'x'), (2, 20, 'y'), (3, 10, 'z')",
      'select * from h not indexed where a = 10 order by id',
      'select * from h as q not indexed where q.a = 10 order by id',
      'select * from h indexed by h_a where a = 10 order by id',
      'select q.id, r.id as rid from h q indexed by h_a join h r not indexed on r.a = q.a where q.a = 10 order by q.id, r.id',
      "update h not indexed set b = 'u' where a = 20",
      "update h indexed by h_a set b = b || '!' where a = 10",
      'delete from h not indexed where id = 3',
      'select * from h order by id',
    ]),
  )
})

/** The clauses read back from the catalog: the same statements after btree-store's side reopens its file. */
describe('differential part 2: constraint conflict clauses after a reopen', () => {
  for (const api of kyselyApis)
    it(`keeps each clause in the catalog (${api.label})`, async () => {
      const before = [
        ...MIXED,
        'create table w (k text primary key on conflict ignore, v int unique on conflict replace) without rowid',
        "insert into w values ('a', 1), ('b', 2)",
      ]
      const after = [
        'insert into t values (4, 1, 4, null, 4, 4)',
        'insert into t values (5, 5, 2, 5, 5, 5)',
        'insert into t values (6, 6, 6, 6, null, 6)',
        "insert into w values ('a', 9), ('c', 1)",
        'select * from t order by id',
        'select * from w order by k',
      ]
      await withBoth(
        api,
        async (oracle, subject) => {
          await rawOutcomes(oracle.db, api.sql, before)
          const expected = await rawOutcomes(oracle.db, api.sql, after, 'message')
          await rawOutcomes(subject.db, api.sql, before)
          await subject.reopen!()
          const actual = await rawOutcomes(subject.db, api.sql, after, 'message')
          expect(canonResult(actual, true)).to.deep.equal(canonResult(expected, true))
        },
        'path',
      )
    })
})
