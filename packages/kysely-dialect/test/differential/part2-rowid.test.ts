import { both, diffSuite, rawOutcomes } from '../helpers/differential.js'
import type { KyselyApi } from '../helpers/kysely-versions.js'
import type { Db } from '../helpers/sides.js'

/**
 * A table of each keying: `plain` (no primary key: keyed by its hidden rowid), `named` (a text
 * primary key: a hidden rowid in every row), `ipk` (an INTEGER PRIMARY KEY: the rowid is `id`),
 * `wr` (WITHOUT ROWID: none) and `c` (a real column named rowid, which wins).
 */
async function seedKinds(db: Db, { sql }: KyselyApi): Promise<void> {
  for (const text of [
    'create table plain (a text, b int)',
    "insert into plain values ('x', 1), ('y', 2), ('x', 3), ('z', 4), ('y', 5)",
    'create table named (k text primary key, v int)',
    "insert into named values ('b', 10), ('a', 20), ('d', 30), ('c', 40)",
    'create table ipk (id integer primary key, v text)',
    "insert into ipk values (5, 'five'), (7, 'seven')",
    'create table wr (k text primary key, v int) without rowid',
    "insert into wr values ('q', 1)",
    'create table c (rowid, b)',
    'insert into c values (70, 8), (90, 9)',
  ])
    await sql.raw(text).execute(db)
}

// The rowid, oid and _rowid_ of a table without an INTEGER PRIMARY KEY were "no such column"
// (expression/scope.ts resolved them to that column alone).
diffSuite('differential part 2: the rowid of every rowid table', () => {
  both(
    'select rowid, oid, _rowid_ and * of each kind of table, named as SQLite names them',
    seedKinds,
    async (db, { sql }) =>
      rawOutcomes(
        db,
        sql,
        [
          'select rowid, oid, _rowid_, * from plain',
          'select plain.rowid, PLAIN.OID, ROWID from plain',
          'select rowid, * from named order by rowid',
          'select rowid, oid, _rowid_, ipk.rowid from ipk',
          'select rowid from wr',
          'select wr.oid from wr',
          'select rowid, oid, _rowid_ from c',
          'select rowid as r, rowid + 0, -rowid from plain',
        ],
        'message',
      ),
  )

  both('where, order by, group by and aggregates on the rowid', seedKinds, async (db, { sql }) =>
    rawOutcomes(
      db,
      sql,
      [
        'select a from plain where rowid = 2',
        "select a from plain where rowid = '3'",
        'select a, b from plain where rowid > 2 and rowid <= 4',
        'select rowid, a from plain order by rowid desc',
        'select k from named where oid in (2, 4) order by rowid',
        'select k from named order by rowid desc',
        'select a, min(rowid), max(rowid), count(rowid), sum(rowid) from plain group by a order by a',
        'select max(rowid), min(oid), count(_rowid_) from named',
        'select rowid, count(*) from plain group by rowid order by rowid',
        'select a, rowid from plain group by a order by a',
        'select max(rowid) from wr',
      ],
      'message',
    ),
  )

  both('the dedup delete and deletes by rowid', seedKinds, async (db, { sql }) =>
    rawOutcomes(
      db,
      sql,
      [
        'delete from plain where rowid not in (select min(rowid) from plain group by a)',
        'select rowid, * from plain',
        'delete from named where rowid = 2',
        'delete from named where oid = (select max(rowid) from named) returning rowid, k',
        'select rowid, * from named order by rowid',
      ],
      'message',
    ),
  )

  both('joins and correlated subqueries on rowids', seedKinds, async (db, { sql }) =>
    rawOutcomes(
      db,
      sql,
      [
        'select plain.rowid, a, k from plain join named on plain.rowid = named.rowid order by 1',
        'select p.a, n.k from plain as p left join named as n on n.rowid = p.rowid + 2 order by p.rowid',
        'select rowid from plain join named on plain.rowid = named.rowid',
        'select a, (select k from named where named.rowid = plain.rowid) as k from plain order by rowid',
        'select a from plain where exists (select 1 from named where named.oid = plain.b) order by rowid',
        "select k from named where rowid in (select rowid from plain where a = 'x')",
        'select x.rowid from (select * from plain) as x',
        'with w as (select * from plain) select rowid from w',
      ],
      'message',
    ),
  )

  both('new rowids after deletes and inserts: the largest + 1', seedKinds, async (db, { sql }) =>
    rawOutcomes(
      db,
      sql,
      [
        'delete from plain where rowid = 5',
        "insert into plain (a) values ('n')",
        'delete from plain where rowid = 2',
        "insert into plain (a) values ('m')",
        "delete from named where k = 'c'",
        "insert into named (k) values ('e')",
        'select rowid, * from plain',
        'select rowid, * from named order by rowid',
      ],
      'message',
      true,
    ),
  )

  both('insert with an explicit rowid, its conflicts and its datatype', seedKinds, async (db, { sql }) =>
    rawOutcomes(
      db,
      sql,
      [
        "insert into plain (rowid, a) values (10, 'z')",
        "insert into plain (oid, a) values (10, 'q')",
        "insert into plain (a) values ('after')",
        "insert into plain (_rowid_, a) values ('20', 'text twenty')",
        "insert into plain (rowid, a) values (30.0, 'real thirty')",
        "insert into plain (rowid, a) values (null, 'null')",
        "insert into plain (rowid, a) values ('abc', 'bad')",
        "insert into plain (rowid, a) values (2.5, 'bad')",
        'select rowid, * from plain',
        "insert into named (rowid, k, v) values (50, 'n', 1)",
        "insert into named (rowid, k, v) values (50, 'o', 1)",
        "insert into named (rowid, k, v) values (60, 'n', 1)",
        "insert into named (k) values ('p')",
        'select rowid, * from named order by rowid',
        "insert into ipk (rowid, v) values (9, 'nine')",
        "insert into ipk (oid, v) values (9, 'again')",
        'select rowid, * from ipk',
      ],
      'message',
      true,
    ),
  )

  // SQLite's message is "table wr has no column named rowid"; the dialect's names the column alone.
  both('a WITHOUT ROWID table takes no rowid in an insert', seedKinds, async (db, { sql }) =>
    rawOutcomes(db, sql, ["insert into wr (rowid, k) values (1, 'r')", 'select * from wr'], 'failed'),
  )

  both('returning rowid from inserts, updates and deletes', seedKinds, async (db, { sql }) =>
    rawOutcomes(
      db,
      sql,
      [
        "insert into plain (a) values ('r') returning rowid, oid, a",
        "insert into named (k) values ('r') returning rowid, *",
        "update named set v = v + 1 where k = 'b' returning rowid, k, v",
        'update plain set b = -b where rowid > 3 returning _rowid_, b',
        'delete from plain where rowid < 3 returning rowid, a',
        "insert into ipk (v) values ('r') returning rowid, id",
      ],
      'message',
    ),
  )

  // `update ... set rowid` moves an INTEGER PRIMARY KEY (which the rowid is); a hidden rowid is
  // not moved (BTREE_SQL_UNSUPPORTED: README), so only the first table is compared.
  both('update set rowid of an INTEGER PRIMARY KEY table, with its conflicts', seedKinds, async (db, { sql }) =>
    rawOutcomes(
      db,
      sql,
      [
        "update ipk set rowid = 50 where v = 'five'",
        "update ipk set oid = 7 where v = 'five'",
        "update ipk set _rowid_ = 'x' where v = 'five'",
        "insert into ipk (v) values ('next')",
        'select rowid, * from ipk',
      ],
      'failed',
    ),
  )

  both('triggers read new.rowid and old.rowid of an INTEGER PRIMARY KEY table', seedKinds, async (db, { sql }) =>
    rawOutcomes(
      db,
      sql,
      [
        'create table log (what text, r int, o int)',
        "create trigger ti after insert on ipk begin insert into log values ('insert', new.rowid, (select max(rowid) from plain)); end",
        "create trigger tu after update on ipk begin insert into log values ('update', new.rowid, old._rowid_); end",
        "create trigger td before delete on ipk begin insert into log values ('delete', old.rowid, null); end",
        "insert into ipk (v) values ('t')",
        "update ipk set id = 70 where v = 'seven'",
        'delete from ipk where id = 5',
        'select * from log',
      ],
      'message',
    ),
  )

  both('a view has no rowid', seedKinds, async (db, { sql }) =>
    rawOutcomes(
      db,
      sql,
      ['create view pv as select * from plain', 'select rowid from pv', 'select a from pv where oid = 1'],
      'message',
    ),
  )

  both('the Kysely builder reads the rowid through sql`rowid` and sql.ref', seedKinds, (db, { sql }) => [
    db
      .selectFrom('plain')
      .select(['a', sql<number>`rowid`.as('r')])
      .orderBy(sql`rowid`),
    db.selectFrom('plain').selectAll().where(sql.ref('rowid'), '=', 2),
    db.selectFrom('named').select(sql.ref('named.rowid').as('r')).where(sql.ref('oid'), '>', 2),
    db.deleteFrom('plain').where(sql.ref('rowid'), '=', 3),
    db.selectFrom('plain').select(['a', sql<number>`rowid`.as('r')]),
  ])
})

/**
 * `big` (no primary key: keyed by its hidden rowid, 1..200 with gaps where rows were deleted, and
 * a few far ones) with an index on `tag`, for the seeks by rowid (planner/access-path.ts: ownKey).
 */
async function seedBig(db: Db, { sql }: KyselyApi): Promise<void> {
  await sql.raw('create table big (tag text, n int)').execute(db)
  await sql.raw('create index big_tag on big (tag)').execute(db)
  const values = Array.from({ length: 200 }, (_, i) => `('t${i % 7}', ${(i * 13) % 40})`).join(', ')
  await sql.raw(`insert into big values ${values}`).execute(db)
  for (const text of [
    'delete from big where rowid % 10 = 0',
    "insert into big (rowid, tag, n) values (-5, 'neg', 1), (9007199254740993, 'far', 2), (1000, 'k', 3)",
  ])
    await sql.raw(text).execute(db)
}

// A `where rowid = ?` (in, ranges, order by rowid) on a table keyed by its hidden rowid scanned every
// row: it now reads the key (point or range access); values of every storage class, as SQLite compares them.
diffSuite('differential part 2: seeks by rowid on a table keyed by its hidden rowid', () => {
  both('equalities and in lists of every storage class', seedBig, async (db, { sql }) =>
    rawOutcomes(
      db,
      sql,
      [
        'select rowid, * from big where rowid = 7',
        'select rowid, * from big where oid = 10',
        "select rowid, * from big where _rowid_ = '7'",
        "select rowid, * from big where rowid = ' 7'",
        'select rowid, * from big where rowid = 7.0',
        'select rowid, * from big where rowid = 7.5',
        'select rowid, * from big where rowid = null',
        "select rowid, * from big where rowid = 'abc'",
        "select rowid, * from big where rowid = x'07'",
        'select rowid, * from big where rowid = -5',
        'select rowid, * from big where rowid = 9007199254740993',
        'select rowid, * from big where 7 = rowid',
        "select rowid, * from big where rowid in (3, '4', 5.0, 6.5, null, 'x', 10, 1000, 3)",
        'select rowid, tag from big where rowid in (12, 2, 11) order by rowid desc',
        'select rowid from big where rowid in (select n from big where rowid < 5)',
        'select count(*) from big where rowid = 7 or rowid = 8',
      ],
      'message',
    ),
  )

  both('ranges, order by rowid and limits', seedBig, async (db, { sql }) =>
    rawOutcomes(
      db,
      sql,
      [
        'select rowid, n from big where rowid > 195',
        'select rowid, n from big where rowid >= 18 and rowid < 22',
        'select rowid, n from big where rowid between 28.5 and 31',
        "select rowid, n from big where rowid > '197'",
        "select rowid from big where rowid < 'a' and rowid > 198",
        "select count(*) from big where rowid > 'a'",
        'select count(*) from big where rowid < null',
        'select rowid from big where rowid < 3',
        'select rowid, tag from big order by rowid limit 4',
        'select rowid, tag from big order by oid desc limit 3',
        'select rowid, tag from big where rowid < 50 order by rowid desc limit 2 offset 1',
        'select rowid from big where rowid > 100 and rowid < 120 and n > 10 order by rowid',
        "select rowid, n from big where tag = 't3' and rowid > 180 order by rowid desc",
        "select rowid from big where tag = 't2' order by rowid limit 3",
      ],
      'message',
    ),
  )

  both('writes and joins by rowid; a real column named rowid', seedBig, async (db, { sql }) =>
    rawOutcomes(
      db,
      sql,
      [
        'update big set n = -1 where rowid = 3',
        'update big set n = -2 where rowid in (4, 5, 6000)',
        'delete from big where rowid > 190 and rowid < 1000',
        'select rowid, * from big where rowid < 8 or rowid > 185 order by rowid',
        'create table other (k int)',
        'insert into other values (3), (4), (1000), (77)',
        'select other.k, big.n from other join big on big.rowid = other.k order by other.k',
        'select other.k, big.n from other left join big on big.oid = other.k + 1 order by other.k',
        'select (select n from big where rowid = other.k) from other order by k',
        'create table c2 (rowid int, b text)',
        "insert into c2 values (30, 'a'), (20, 'b'), (10, 'c')",
        'select _rowid_, rowid, b from c2 where _rowid_ = 2',
        'select _rowid_, rowid, b from c2 where rowid = 2',
        'select _rowid_, b from c2 where _rowid_ > 1 order by _rowid_ desc',
      ],
      'message',
    ),
  )
})

// A trigger's new.rowid / old.rowid of a table without an INTEGER PRIMARY KEY were
// BTREE_SQL_UNSUPPORTED (the values a trigger bound lacked the hidden rowid): SQLite's -1 in a
// BEFORE INSERT for a rowid not given, the given or assigned one otherwise, the row's in updates and deletes.
diffSuite('differential part 2: triggers read the hidden rowid', () => {
  both('new.rowid and old.rowid before and after insert, update and delete', seedKinds, async (db, { sql }) =>
    rawOutcomes(
      db,
      sql,
      [
        'create table log (w text, r, o)',
        "create trigger bi before insert on plain begin insert into log values ('bi', new.rowid, new.a); end",
        "create trigger ai after insert on plain begin insert into log values ('ai', new.rowid, new.oid); end",
        "create trigger bu before update on plain begin insert into log values ('bu', new.rowid, old.rowid); end",
        "create trigger au after update on plain when new._rowid_ > 2 begin insert into log values ('au', new.rowid, old.oid); end",
        "create trigger bd before delete on plain begin insert into log values ('bd', old.rowid, old.a); end",
        "create trigger ad after delete on plain begin insert into log values ('ad', old._rowid_, (select count(*) from plain where rowid = old.rowid)); end",
        "create trigger nbi before insert on named begin insert into log values ('nbi', new.rowid, new.k); end",
        "create trigger nai after insert on named begin insert into log values ('nai', new.rowid, new.k); end",
        "create trigger nbu before update on named begin insert into log values ('nbu', new.rowid, old.rowid); end",
        "create trigger nad after delete on named begin insert into log values ('nad', old.rowid, old.k); end",
        "insert into plain (a) values ('p'), ('q')",
        "insert into plain (rowid, a) values (20, 'r')",
        "insert into plain (rowid, a) values (null, 's')",
        "insert into plain (rowid, a) values ('30', 't')",
        'insert into plain (a) select k from named where v > 20 order by rowid',
        "update plain set b = 0 where a in ('x', 'z')",
        "delete from plain where a = 'y'",
        "insert into named (k) values ('e')",
        "insert into named (rowid, k) values (9, 'f')",
        'update named set v = -v where rowid > 3',
        "delete from named where k = 'a'",
        'select rowid, * from log',
        'select rowid, * from plain',
        'select rowid, * from named order by rowid',
      ],
      'message',
    ),
  )

  both('a trigger writing by new.rowid; a WITHOUT ROWID table has none', seedKinds, async (db, { sql }) =>
    rawOutcomes(
      db,
      sql,
      [
        'create trigger mark after insert on plain begin update plain set b = new.rowid * 100 where rowid = new.rowid; end',
        "insert into plain (a) values ('m'), ('n')",
        'select rowid, * from plain',
        'create trigger w before insert on wr begin select new.rowid; end',
        "insert into wr values ('w', 2)",
        'select * from wr',
      ],
      'message',
    ),
  )
})
