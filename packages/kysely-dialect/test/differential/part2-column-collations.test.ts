import { both, diffSuite, rawOutcomes } from '../helpers/differential.js'
import type { Db } from '../helpers/sides.js'
import type { KyselyApi } from '../helpers/kysely-versions.js'

/**
 * Columns that declare a collation (`collate nocase`, `collate rtrim`), made by Kysely's builder
 * (`modifyEnd(sql\`collate nocase\`)`, a raw type `sql\`text collate nocase\``) and by raw SQL:
 * comparisons, sorts, groupings and keys under them, against SQLite. `words(id, w, plain, t, g)`
 * holds words in several cases under a NOCASE column `w` beside a BINARY `plain` of the same
 * texts, an RTRIM column `t`, numbers and nulls; `indexed` adds indexes on `w` and on `(plain, g)` first, so that a
 * seek through keys of folded values answers as a scan does.
 */
async function seedWords(db: Db, api: KyselyApi, indexed = false): Promise<void> {
  const { sql } = api
  await db.schema
    .createTable('words')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('w', 'text', (c) => c.modifyEnd(sql`collate nocase`))
    .addColumn('plain', 'text')
    .addColumn('t', sql`text collate rtrim`)
    .addColumn('g', 'integer')
    .execute()
  if (indexed) {
    await db.schema.createIndex('words_w').on('words').column('w').execute()
    await db.schema.createIndex('words_plain').on('words').columns(['plain', 'g']).execute()
  }
  const rows: [number, string | number | null, string | null, string | null, number][] = [
    [1, 'Bob', 'Bob', 'bob ', 1],
    [2, 'bob', 'bob', 'bob', 2],
    [3, 'BOB', 'BOB', 'BOB  ', 1],
    [4, 'alice', 'alice', 'alice', 2],
    [5, 'Alice', 'Alice', 'Alice ', 1],
    [6, 'carol', 'carol', 'carol', 2],
    [7, null, null, null, 1],
    [8, 5, '5', '5', 2],
    [9, 'Émile', 'Émile', 'Émile', 1],
    [10, 'émile', 'émile', 'émile', 2],
    [11, 'bOb', 'bOb', 'bOb', 1],
  ]
  await db
    .insertInto('words')
    .values(rows.map(([id, w, plain, t, g]) => ({ id, w, plain, t, g })))
    .execute()
  // Enough rows beside them that the planner seeks the indexes rather than scan (g = 3 sets them apart).
  if (indexed)
    await db
      .insertInto('words')
      .values(Array.from({ length: 60 }, (_, i) => ({ id: 100 + i, w: `zz${i}`, plain: `zz${i}`, t: `zz${i}`, g: 3 })))
      .execute()
}

const indexedWords = (db: Db, api: KyselyApi): Promise<void> => seedWords(db, api, true)

const COMPARISONS = [
  "select id from words where w = 'BOB' order by id",
  "select id from words where 'BOB' = w order by id",
  "select id from words where w = 'BOB' collate binary order by id",
  "select id from words where w collate binary = 'BOB' order by id",
  'select id from words where plain = w order by id',
  'select id from words where w = upper(plain) order by id',
  'select id from words where upper(plain) = w order by id',
  "select id from words where cast(w as text) = 'BOB' order by id",
  "select id from words where +w = 'BOB' order by id",
  "select id from words where w || '' = 'BOB' order by id",
  "select id from words where w in ('BOB', 'ALICE') order by id",
  "select id from words where w not in ('BOB') order by id",
  "select id from words where 'BOB' in (select w from words) order by id",
  "select id from words where w in (select 'BOB') order by id",
  "select id from words where w between 'B' and 'C' order by id",
  "select id from words where w > 'b' order by id",
  "select id from words where w >= 'ALICE' and w < 'c' order by id",
  "select id from words where w is 'ALICE' order by id",
  "select id, case w when 'BOB' then 1 else 0 end as c from words order by id",
  "select id, nullif(w, 'BOB') as n, max(w, 'BOB') as m, min('BOB', w) as l from words order by id",
  "select id from words where w like 'b%' order by id",
  "select id from words where w glob 'B*' order by id",
  "select id from words where (w, g) = ('BOB', 1) order by id",
  "select id from words where (w, g) in (('BOB', 1), ('alice', 2)) order by id",
  "select id from words where (plain, g) in (('BOB' collate nocase, 1)) order by id",
  "select id from words where ('bob', 1) in (select w, g from words where id = 3) order by id",
  "select id from words where (plain, g) in (select 'bob' collate nocase, 1) order by id",
  "select id from words where t = 'bob' order by id",
  "select id from words where t = 'BOB' order by id",
  "select id from words where 'bob' = t order by id",
  'select id from words where w = 5 order by id',
  "select id from words where w = 'émile' order by id",
]

const SORTS_AND_GROUPS = [
  'select id, w from words order by w, id',
  'select id, w from words order by w desc, id',
  'select id, w from words order by w collate binary, id',
  'select id, t from words order by t, id',
  'select w, count(*) as n from words group by w order by 1',
  'select w, plain, count(*) as n from words group by w order by w',
  'select g, w, count(*) as n from words group by g, w order by g, w',
  'select t, count(*) as n from words group by t order by t',
  'select distinct w from words order by w',
  'select distinct w, g from words order by w, g',
  'select min(w) as a, max(w) as b, count(distinct w) as c, count(distinct t) as d from words',
  'select g, min(w) as a, max(w) as b from words group by g order by g',
  'select id, row_number() over (partition by w order by id) as r from words order by id',
  'select id, rank() over (order by w) as r from words order by id',
  'select w, id from words where w is not null order by w limit 3',
]

const DERIVED = [
  "select id from (select id, w from words) where w = 'BOB' order by id",
  "select id from (select id, w || '' as w from words) where w = 'BOB' order by id",
  "select id from (select * from words) where w = 'BOB' order by id",
  "select id from (select words.* from words) where w = 'BOB' order by id",
  "select id from (select id, plain collate nocase as x from words) where x = 'BOB' order by id",
  "with c as (select id, w from words) select id from c where w = 'alice' order by id",
  'select x, count(*) as n from (select w as x from words) group by x order by x',
  'select id from words a where exists (select 1 from words b where b.w = a.plain and b.id <> a.id) order by id',
  'select a.id, b.id as b from words a join words b on a.w = b.plain where a.id < b.id order by 1, 2',
  'select a.id, b.id as b from words a join words b on b.plain = a.w where a.id < b.id order by 1, 2',
  // A compound's result column sorts under the first arm's collation that has one.
  "select w, id from words union all select 'ALICE', 0 order by 1, 2",
  "select 'ALICE' as x, 0 as id union all select w, id from words order by 1, 2",
  'select plain, id from words union all select w, id from words order by 1, 2',
  'select w collate binary, id from words union all select w, id from words order by 1, 2',
]

diffSuite('differential part 2: columns that declare a collation', () => {
  both("comparisons under a column's collation (NOCASE, RTRIM) and which operand names it", seedWords, (db, { sql }) =>
    rawOutcomes(db, sql, COMPARISONS),
  )
  both('the same comparisons through an index on the NOCASE column', indexedWords, (db, { sql }) =>
    rawOutcomes(db, sql, COMPARISONS),
  )
  both("sorts, groupings, distinct, min / max and windows under the column's collation", seedWords, (db, { sql }) =>
    rawOutcomes(db, sql, [
      ...SORTS_AND_GROUPS,
      // The group's first row in the scan's order (an index on plain would give SQLite another).
      'select plain, count(*) as n from words group by plain collate nocase order by 1',
    ]),
  )
  both('the same sorts and groupings through an index on the NOCASE column', indexedWords, (db, { sql }) =>
    rawOutcomes(db, sql, SORTS_AND_GROUPS),
  )
  both('derived tables, views, CTEs and joins carry the collation', seedWords, async (db, { sql }) => {
    await sql`create view vw as select id, w, plain from words`.execute(db)
    return rawOutcomes(db, sql, [
      ...DERIVED,
      "select id from vw where w = 'BOB' order by id",
      "select id from vw where plain = 'BOB' order by id",
    ])
  })
  both('the builder: where, orderBy and groupBy on a collated column', indexedWords, (db) => [
    db.selectFrom('words').select('id').where('w', '=', 'ALICE').orderBy('id'),
    db.selectFrom('words').select('id').where('w', 'in', ['bob', 'CAROL']).orderBy('id'),
    db.selectFrom('words').select(['id', 'w']).orderBy('w').orderBy('id'),
    db
      .selectFrom('words')
      .select((eb) => ['w', eb.fn.countAll<number>().as('n')])
      .groupBy('w')
      .orderBy('w'),
  ])
  both(
    'a unique NOCASE column, made by the builder: a key that differs in case is taken',
    async (db, { sql }) => {
      await db.schema
        .createTable('users')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('email', 'text', (c) =>
          c
            .notNull()
            .unique()
            .modifyEnd(sql`collate nocase`),
        )
        .execute()
      await db.insertInto('users').values({ id: 1, email: 'Ann@Example.com' }).execute()
    },
    (db) => [
      db.insertInto('users').values({ id: 2, email: 'ann@example.COM' }),
      db.insertInto('users').values({ id: 3, email: 'bo@example.com' }),
      db
        .insertInto('users')
        .values({ id: 4, email: 'BO@EXAMPLE.COM' })
        .onConflict((oc) => oc.column('email').doUpdateSet((eb) => ({ email: eb.ref('excluded.email') }))),
      db
        .insertInto('users')
        .values({ id: 5, email: 'ANN@example.com' })
        .onConflict((oc) => oc.doNothing()),
      db.updateTable('users').set({ email: 'Bo@Example.com' }).where('id', '=', 1),
      db.selectFrom('users').selectAll().where('email', '=', 'ANN@EXAMPLE.COM'),
      db.selectFrom('users').selectAll().orderBy('id'),
    ],
  )
  both('a NOCASE primary key, WITHOUT ROWID too, with insert or replace and upserts', undefined, async (db, { sql }) =>
    rawOutcomes(
      db,
      sql,
      [
        'create table codes (k text primary key collate nocase, v integer)',
        'create table wr (k text collate nocase, n integer, v text, primary key (k, n)) without rowid',
        "insert into codes values ('Ab', 1), ('cd', 2)",
        "insert into codes values ('AB', 3)",
        "insert or replace into codes values ('aB', 4)",
        "insert into codes values ('CD', 5) on conflict (k) do update set v = excluded.v * 10",
        'select k, v from codes order by k',
        "select v from codes where k = 'ab'",
        "update codes set k = 'CD' where v = 4",
        "insert into wr values ('x', 1, 'a'), ('X', 2, 'b')",
        "insert into wr values ('x', 2, 'c')",
        "select k, n, v from wr where k = 'X' order by n",
        "delete from wr where k = 'x' and n = 2",
        'select k, n, v from wr order by k, n',
      ],
      'message',
    ),
  )
  both(
    'a unique index made on rows that differ only in case fails; alter table adds a collated column',
    seedWords,
    (db, { sql }) =>
      rawOutcomes(
        db,
        sql,
        [
          'create unique index words_w_u on words (w)',
          'create unique index words_plain_u on words (plain)',
          "alter table words add column z text collate nocase default 'Z'",
          "select id from words where z = 'z' and id < 3 order by id",
          "update words set z = 'q' where w = 'ALICE'",
          "select id, z from words where z = 'Q' order by id",
        ],
        'failed',
      ),
  )
  both('foreign keys to a NOCASE parent key compare under it', undefined, async (db, { sql }) =>
    rawOutcomes(
      db,
      sql,
      [
        'pragma foreign_keys = on',
        'create table parent (k text primary key collate nocase)',
        'create table child (id integer primary key, pk text references parent (k) on delete cascade)',
        'create table child2 (id integer primary key, pk text collate nocase references parent (k) on update cascade)',
        'create index child2_pk on child2 (pk)',
        "insert into parent values ('Alpha'), ('beta')",
        "insert into child values (1, 'ALPHA'), (2, 'beta')",
        "insert into child values (3, 'gamma')",
        "insert into child2 values (1, 'alpha'), (2, 'BETA')",
        "update parent set k = 'Beta2' where k = 'BETA'",
        "delete from parent where k = 'alpha'",
        'select id, pk from child order by id',
        'select id, pk from child2 order by id',
      ],
      'failed',
    ),
  )
  both(
    'raw column definitions: collate in any place, quoted names, BINARY, and an unknown name',
    undefined,
    async (db, { sql }) =>
      rawOutcomes(
        db,
        sql,
        [
          'create table r (a text not null collate nocase unique, b text collate "rtrim", c text collate binary, d collate nocase)',
          "insert into r values ('X', 'y ', 'Z', 'W')",
          "insert into r values ('x', 'y', 'z', 'w')",
          "select a, b, c, d from r where a = 'x' and b = 'y' and c = 'Z' and d = 'w'",
          'create table bad (a text collate foo)',
          'select count(*) as n from r',
        ],
        'failed',
      ),
  )
  both(
    'an index on `column collate nocase`: unique under it, sought by a comparison under it',
    undefined,
    async (db, { sql }) =>
      rawOutcomes(
        db,
        sql,
        [
          'create table u (id integer primary key, email text)',
          'create unique index u_email on u (email collate nocase)',
          "insert into u values (1, 'Ann@X.com'), (2, 'bo@x.com')",
          "insert into u values (3, 'ANN@x.COM')",
          "select id from u where email collate nocase = 'ann@x.com'",
          "select id from u where email = 'ann@x.com'",
          "select id from u where email collate nocase > 'b' order by id",
        ],
        'failed',
      ),
  )
  both("a trigger's new.x and old.x compare under the column's collation", undefined, async (db, { sql }) =>
    rawOutcomes(db, sql, [
      'create table t (id integer primary key, a text collate nocase, b text)',
      'create table log (n integer primary key, x text)',
      "create trigger tr after insert on t when new.a = 'BOB' begin insert into log (x) values ('a:' || new.id); end",
      "create trigger tr2 after insert on t when new.b = 'BOB' begin insert into log (x) values ('b:' || new.id); end",
      "create trigger tr3 after insert on t when 'BOB' = new.a begin insert into log (x) values ('c:' || new.id); end",
      "create trigger tr4 after insert on t when new.b = new.a begin insert into log (x) values ('d:' || new.id); end",
      "create trigger tr5 after update on t when old.a = new.a begin insert into log (x) values ('u:' || new.id); end",
      "create trigger tr6 after insert on t begin insert into log (x) select 'e:' || id from t where b = new.a and id <> new.id; end",
      "insert into t (a, b) values ('bob', 'bob'), ('BOB', 'Bob')",
      'update t set a = upper(a)',
      'select x from log order by n',
    ]),
  )
  both("bare columns of a grouping read the group's first row (no min() / max())", seedWords, (db, { sql }) =>
    rawOutcomes(db, sql, [
      'select g, id, plain, count(*) as n from words group by g order by g',
      'select id, plain, count(*) as n from words',
      'select g, id, sum(id) as s from (select * from words order by id desc) group by g order by g',
    ]),
  )
  both(
    'COLLATE in UNIQUE constraints; conflict targets with COLLATE; REPLACE through collated and expression indexes',
    undefined,
    (db, { sql }) =>
      rawOutcomes(
        db,
        sql,
        [
          'create table u (id integer primary key, email text, unique (email collate nocase))',
          "insert into u (email) values ('A@x')",
          "insert into u (email) values ('a@X')",
          "insert into u (email) values ('a@X') on conflict (email) do nothing",
          "insert into u (email) values ('a@X') on conflict (email collate nocase) do update set email = excluded.email",
          "insert into u (email) values ('b@y') on conflict (email collate binary) do nothing",
          "insert into u (email) values ('b@y') on conflict (email collate rtrim) do nothing",
          "insert or replace into u (email) values ('A@X')",
          "update or replace u set email = 'a@x' where id = 2",
          'select * from u order by id',
          "select id from u where email = 'a@x' collate nocase",
          'create table q (a, b text collate nocase, c, unique (a, b collate binary), unique (a, b collate binary), unique (a, c collate rtrim desc))',
          "insert into q values (1, 'x', 'k'), (1, 'X', 'k ')",
          "insert into q values (1, 'x', 'j')",
          "insert into q values (2, 'x', 'k'), (2, 'y', 'k  ')",
          "insert or ignore into q values (3, 'z', 'm'), (3, 'Z', 'm ')",
          'select * from q order by a, b',
          "pragma index_list('q')",
          "pragma index_xinfo('sqlite_autoindex_q_1')",
          "pragma index_xinfo('sqlite_autoindex_q_2')",
          "select name, sql from sqlite_master where tbl_name = 'q'",
          'create table w (a text collate nocase, primary key (a collate nocase), unique (a collate nocase))',
          "insert into w values ('K'), ('k')",
          'create table x (a, unique (a collate nope))',
          'create table e (id integer primary key, email text)',
          'create unique index e_lower on e (lower(email))',
          "insert into e (email) values ('Q@z')",
          "insert into e (email) values ('q@Z')",
          "insert or replace into e (email) values ('q@Z')",
          'select * from e',
          'alter table u rename column email to mail',
          "insert into u (mail) values ('A@X')",
          "pragma index_xinfo('sqlite_autoindex_u_1')",
        ],
        'message',
      ),
  )
})
