import { both, diffSuite, rawOutcomes } from '../helpers/differential.js'
import type { KyselyApi } from '../helpers/kysely-versions.js'
import type { Db } from '../helpers/sides.js'

/** A STRICT table and a WITHOUT ROWID one, as Kysely writes them (`modifyEnd`). */
async function seedOptions(db: Db, { sql }: KyselyApi): Promise<void> {
  await db.schema
    .createTable('metrics')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('n', sql`int`)
    .addColumn('x', 'real')
    .addColumn('label', 'text')
    .addColumn('raw', 'blob')
    .addColumn('anything', sql`any`)
    .modifyEnd(sql`strict`)
    .execute()
  await db.schema
    .createTable('kv')
    .addColumn('k', 'text', (c) => c.primaryKey())
    .addColumn('v', 'integer')
    .modifyEnd(sql`without rowid`)
    .execute()
  await db.schema
    .createTable('pairs')
    .addColumn('a', 'integer')
    .addColumn('b', 'text')
    .addColumn('note', 'text')
    .addPrimaryKeyConstraint('pairs_pk', ['a', 'b'])
    .modifyEnd(sql`strict, without rowid`)
    .execute()
}

// Round s28: `modifyEnd(sql\`strict\`)` and `without rowid` (and the raw options) were BTREE_SQL_UNSUPPORTED.
diffSuite('differential part 2: STRICT and WITHOUT ROWID tables', () => {
  both('a STRICT table converts what its types allow and refuses the rest', seedOptions, async (db, { sql }) => [
    ...(await rawOutcomes(
      db,
      sql,
      [
        "insert into metrics (n, x, label, raw, anything) values ('12', 2, 12, x'01', '5')",
        'insert into metrics (n, x) values (2.0, 1)',
        "insert into metrics (n) values ('12a')",
        'insert into metrics (n) values (1.5)',
        "insert into metrics (x) values ('abc')",
        "insert into metrics (label) values (x'41')",
        "insert into metrics (raw) values ('a')",
        'insert into metrics (raw) values (1)',
        'insert into metrics (anything) values (1.0)',
        "update metrics set n = 'zz' where id = 1",
        'select id, n, typeof(n) as tn, x, typeof(x) as tx, label, typeof(label) as tl, typeof(raw) as tr, anything, typeof(anything) as ta from metrics order by id',
      ],
      'message',
    )),
    await db.insertInto('metrics').values({ n: 5, label: 'k' }).returning(['id', 'n', 'label']).execute(),
  ])
  both('a WITHOUT ROWID table: a NOT NULL key, no rowid, no insert id', seedOptions, async (db, { sql }) => [
    await db.insertInto('metrics').values({ n: 1 }).executeTakeFirst(),
    await db.insertInto('kv').values({ k: 'a', v: 1 }).executeTakeFirst(),
    await db.insertInto('pairs').values({ a: 1, b: 'x', note: 'n' }).executeTakeFirst(),
    ...(await rawOutcomes(
      db,
      sql,
      [
        'insert into kv values (null, 2)',
        'select rowid from kv',
        "insert into pairs values (1, null, 'n')",
        "insert into pairs values (2, 'y', 3)",
        "insert into pairs values ('x', 'y', 3)",
        "insert into kv values ('a', 5) on conflict (k) do update set v = excluded.v + 1",
        "insert or replace into kv values ('b', 7)",
        'select * from kv order by k',
        'select * from pairs order by a, b',
      ],
      'message',
    )),
  ])
  both('raw table options, and what SQLite refuses in them', undefined, async (db, { sql }) =>
    rawOutcomes(
      db,
      sql,
      [
        'create table s (id integer primary key, i int, a any) strict',
        "insert into s (i, a) values ('7', '007')",
        'select i, a, typeof(a) as t from s',
        'create table s2 (x varchar(10)) strict',
        'create table s3 (x) strict',
        'create table s4 (x INTEGER, y Text) STRICT',
        'insert into s4 values (9223372036854775807, 1)',
        "insert into s4 values (1e30, 'a')",
        'select * from s4',
        'alter table s4 add column z float',
        'alter table s4 add column z real',
        'create table w (id integer primary key, v int) without rowid',
        'insert into w (v) values (1)',
        'insert into w (id, v) values (5, 1)',
        'select * from w',
        'create table w3 (v int) without rowid',
        'create table w4 (id integer primary key autoincrement, v int) without rowid',
        'create table w5 (k text primary key, v int) strict, without rowid',
        "insert into w5 values ('a', 'b')",
        'create table w6 (k text primary key) without rowid, strict',
        'create table w7 (k text primary key) wrong',
      ],
      'failed',
    ),
  )
})
