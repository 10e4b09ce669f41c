import { expect } from 'chai'
import { both, diffSuite, rawOutcomes, withBoth } from '../helpers/differential.js'
import { kyselyApis } from '../helpers/kysely-versions.js'
import { canonResult } from '../helpers/outcome.js'

/*
 * Forms of SQLite's grammar that raw SQL writes and kysely-btree did not read before round s32:
 * row-value assignments in UPDATE and upserts, directions in a PRIMARY KEY or UNIQUE
 * constraint's columns, and SQLite's INTEGER PRIMARY KEY DESC, which is no rowid alias.
 */
diffSuite('differential: raw SQL forms', () => {
  both('update set (a, b) = (row value | subquery), in updates and upserts', undefined, async (db, { sql }) =>
    rawOutcomes(
      db,
      sql,
      [
        'create table a (id integer primary key, x int, y text)',
        'create table b (id integer primary key, bx int, bt text)',
        "insert into a values (1, 1, 'a'), (2, 2, 'b'), (3, 3, null)",
        "insert into b values (1, 10, 'ten'), (2, 20, 'twenty')",
        "update a set (x, y) = (0, 'z') where id = 1",
        'update a set (x) = (7) where id = 3',
        'update a set (x, y) = (select bx, bt from b where b.id = a.id) where id = 2',
        'update a set (y, x) = (select bt, bx from b where b.id = a.id + 5) where id = 3',
        'select * from a order by id',
        'update a set (x, y) = (1, 2, 3)',
        'update a set (x, y) = (select bx from b)',
        'update a set id = id, (x, y) = (select max(bx), min(bt) from b)',
        'select * from a order by id',
        "insert into a values (1, 5, 'q') on conflict (id) do update set (x, y) = (excluded.x, excluded.y || '!')",
        'update a set (x, y) = (select bx, bt from b order by bx desc limit 1) where id > 1',
        'select * from a order by id',
      ],
      'failed',
    ),
  )

  both('asc and desc in key constraints; integer primary key desc is no rowid alias', undefined, async (db, { sql }) =>
    rawOutcomes(
      db,
      sql,
      [
        'create table p (a, b, primary key (a desc, b))',
        'insert into p values (1, 2), (2, 1)',
        'insert into p values (1, 2)',
        'select * from p order by a',
        'create table q (x integer primary key desc, y)',
        "insert into q values (5, 'a'), (3, 'b')",
        "insert into q (y) values ('c')",
        'select x, y from q order by y',
        "insert into q values ('abc', 'd')",
        'select typeof(x), y from q order by y',
        'create table r (x integer primary key desc autoincrement)',
        'create table s (a, b, unique (a asc, b desc))',
        'insert into s values (1, 1), (1, 1)',
        "pragma index_xinfo('sqlite_autoindex_p_1')",
        "pragma index_xinfo('sqlite_autoindex_s_1')",
        'create table u (x integer, y, primary key (x desc))',
        "insert into u (y) values ('z')",
        'select x, y from u',
        "select * from u not indexed where y = 'z'",
      ],
      'failed',
    ),
  )

  both(
    'keywords SQLite reads as names where no keyword fits: by, desc, end, offset, left, like ...',
    undefined,
    async (db, { sql }) =>
      rawOutcomes(
        db,
        sql,
        [
          'create table ev (id integer primary key, by text, desc text, end int, offset int, left int, like text, match int, window int, with int, nulls int)',
          "insert into ev (by, desc, end, offset, left, like, match, window, with, nulls) values ('ann', 'first', 10, 1, 0, 'x%', 1, 2, 3, null), ('bob', 'second', 5, 2, 1, 'y%', 0, 1, 2, 4)",
          'select by, desc, end - offset as span from ev order by end desc',
          "select ev.by, ev.desc from ev where end > offset and like like 'x%' order by by",
          'select e1.by, e2.by as other from ev e1 left join ev e2 on e2.left = e1.left + 1 order by e1.id',
          'select count(*) as n from ev group by left order by left limit 1 offset 1',
          "update ev set end = end + 1, desc = upper(desc) where by = 'bob' returning by, desc, end",
          'select match, window, with, nulls from ev order by nulls nulls first, id',
          'create index ev_end on ev (end desc, by)',
          'select by from ev where end between 5 and 11 order by end',
          'create table left (a)',
          'insert into left values (1)',
          'select a from left',
          'select * from ev left join left on 1 order by ev.id',
        ],
        'failed',
      ),
  )
  both('RETURNING refuses t.* as SQLite does; * and columns return the row', undefined, async (db, { sql }) =>
    rawOutcomes(
      db,
      sql,
      [
        'create table t (id integer primary key, v int)',
        'insert into t values (1, 10), (2, 20) returning t.*',
        'insert into t values (1, 10), (2, 20) returning *',
        'update t set v = v + 1 where id = 1 returning t.*',
        'update t set v = v + 1 where id = 1 returning id, v',
        'delete from t where id = 2 returning t.*',
        'delete from t where id = 2 returning *',
        'select * from t',
      ],
      'message',
    ),
  )
})

/** Plain VACUUM, on a btree-store file the dialect opened by path. */
describe('differential part 2: plain vacuum', () => {
  // Plain VACUUM rebuilds a file the dialect opened itself (not a database handed in): the path side.
  // Rowids of a table without an INTEGER PRIMARY KEY are kept here; SQLite's VACUUM may renumber
  // them (and does), so the case reads that table's rows without them.
  for (const api of kyselyApis)
    it(`keeps rows, sequences, indexes and the temp schema; refused in a transaction (${api.label})`, async () => {
      const script = [
        'create table n (id integer primary key autoincrement, t text unique, b blob)',
        'create index n_b on n (b)',
        'create table plain (x, y)',
        'create index plain_y on plain (y)',
        "insert into n (t, b) values ('a', x'01'), ('b', x'02'), ('c', x'03'), ('d', null)",
        "insert into plain values (1, 'one'), (2, 'two'), (3, 'three')",
        'delete from n where id > 2',
        'delete from plain where x = 2',
        'create temp table tmp (v)',
        'insert into tmp values (42)',
        'vacuum',
        'select * from n order by id',
        'select x, y from plain order by x',
        "select x from plain where y = 'three'",
        'select name, seq from sqlite_sequence',
        "insert into n (t) values ('e')",
        "insert into n (t) values ('a')",
        "select id, t from n where t = 'e'",
        'select * from tmp',
        'pragma integrity_check',
        'begin',
        'vacuum',
        'commit',
        'vacuum main',
        'select count(*) from n',
      ]
      await withBoth(
        api,
        async (oracle, subject) => {
          const expected = await rawOutcomes(oracle.db, api.sql, script, 'message')
          const actual = await rawOutcomes(subject.db, api.sql, script, 'message')
          expect(canonResult(actual, true)).to.deep.equal(canonResult(expected, true))
        },
        'path',
      )
    })
})
