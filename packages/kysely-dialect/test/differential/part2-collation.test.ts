import { both, diffSuite, rawOutcomes } from '../helpers/differential.js'
import type { Db } from '../helpers/sides.js'

/**
 * `names(id, name, g)` with names that differ only in ASCII case, in trailing spaces, and beyond
 * ASCII (NOCASE folds A-Z only), a number and a null; an index on name, so that a plan that seeks
 * or orders by the BINARY index where a collation says otherwise shows.
 */
async function seedNames(db: Db): Promise<void> {
  await db.schema
    .createTable('names')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('name', 'text')
    .addColumn('g', 'integer')
    .execute()
  await db.schema.createIndex('names_name').on('names').column('name').execute()
  await db
    .insertInto('names')
    .values([
      { id: 1, name: 'bob', g: 1 },
      { id: 2, name: 'Bob ', g: 2 },
      { id: 3, name: 'BOB', g: 1 },
      { id: 4, name: 'alice', g: 2 },
      { id: 5, name: 'Alice', g: 1 },
      { id: 6, name: 'carol  ', g: 2 },
      { id: 7, name: 'carol', g: 1 },
      { id: 8, name: null, g: 2 },
      { id: 9, name: '5', g: 1 },
      { id: 10, name: 'Émile', g: 2 },
      { id: 11, name: 'émile', g: 1 },
    ])
    .execute()
}

// Round s28: every COLLATE was BTREE_SQL_UNSUPPORTED, Kysely's `orderBy(..., (ob) => ob.collate(...))` included.
diffSuite('differential part 2: collations (BINARY, NOCASE, RTRIM)', () => {
  both("Kysely's order by item collate()", seedNames, (db) =>
    db
      .selectFrom('names')
      .select(['id', 'name'])
      .orderBy('name', (ob) => ob.collate('nocase'))
      .orderBy('id', 'desc'),
  )
  both('collate() with a direction, nulls and rtrim', seedNames, (db) =>
    db
      .selectFrom('names')
      .select(['id', 'name'])
      .orderBy('name', (ob) => ob.desc().nullsFirst().collate('rtrim'))
      .orderBy('id'),
  )
  both('collate() in a window and an aggregate order by', seedNames, (db) =>
    db
      .selectFrom('names')
      .select((eb) => [
        'id',
        eb.fn
          .agg<number>('row_number')
          .over((ob) => ob.orderBy('name', (o) => o.collate('nocase')).orderBy('id'))
          .as('n'),
      ])
      .orderBy('id'),
  )
  both('collate() with an order by served by the index otherwise, and a limit', seedNames, (db) =>
    db
      .selectFrom('names')
      .select('name')
      .where('name', '>', 'B')
      .orderBy('name', (ob) => ob.collate('nocase'))
      .orderBy('id')
      .limit(4),
  )
  both('an unknown collation', seedNames, async (db, { sql }) =>
    rawOutcomes(
      db,
      sql,
      [
        "select 'a' collate foo as x",
        'select name from names order by name collate foo',
        "select 1 as x where 'a' = 'A' collate foo",
      ],
      'failed',
    ),
  )
  both('comparisons under COLLATE, an index on the column', seedNames, async (db, { sql }) =>
    rawOutcomes(db, sql, [
      "select id from names where name = 'BOB' collate nocase order by id",
      "select id from names where name collate nocase = 'BOB' order by id",
      "select id from names where name collate rtrim = 'carol' order by id",
      "select id from names where name collate nocase > 'bob' order by id",
      "select id from names where name >= 'B' collate nocase and name < 'c' collate nocase order by id",
      "select id from names where name collate nocase in ('bob', 'ALICE') order by id",
      "select id from names where name in ('bob' collate nocase, 'ALICE') order by id",
      "select id from names where name collate nocase not in ('bob') order by id",
      "select id from names where name between 'a' collate nocase and 'b' order by id",
      "select id from names where name collate nocase is 'ALICE' order by id",
      "select id from names where g = 1 and name = 'bob' collate nocase",
      "select id from names where name collate nocase in (select 'BOB') order by id",
      "select id from names where name in (select 'BOB' collate nocase) order by id",
      'select a.id, b.id as b from names a join names b on a.name = b.name collate nocase and a.id < b.id order by 1, 2',
    ]),
  )
  both('which operand names the collation', undefined, async (db, { sql }) =>
    rawOutcomes(db, sql, [
      "select 'a' = 'A' collate nocase as a, 'a' collate nocase = 'A' as b, 'a' collate binary = 'A' collate nocase as c, 'a' collate nocase = 'A' collate binary as d",
      "select ('a' collate nocase) || 'x' = 'AX' as a, upper('a' collate nocase) = 'a' as b, -('1' collate nocase) as c, cast('A' collate nocase as text) = 'a' as d",
      "select case 'a' collate nocase when 'A' then 1 else 0 end as a, case 'a' when 'A' collate nocase then 1 else 0 end as b",
      "select 'abc' collate nocase like 'ABC' as a, 'a ' collate rtrim glob 'a' as b, 'a' collate NOCASE = 'A' as c",
      "select nullif('a' collate nocase, 'A') as a, instr('ABC' collate nocase, 'b') as b, max('b', 'A' collate nocase) as c, min('b' collate nocase, 'A', 'a') as d",
      "select 'x ' collate rtrim = 'x' as a, 'x ' = 'x' collate rtrim as b, 'x' collate rtrim = 'x  ' as c, ' x' collate rtrim = 'x' as d",
      "select 'É' collate nocase = 'é' as a, 1 collate nocase = '1' as b, x'41' collate nocase = x'61' as c",
    ]),
  )
  // Round s35 (raw-random seeds 720720144, 341922131, 988525902): an explicit COLLATE reaches a
  // comparison through any expression around it (SQLite's EP_Collate), not only through operators.
  both(
    'a COLLATE inside case, coalesce, ifnull, iif, comparisons, like, in and between',
    seedNames,
    async (db, { sql }) =>
      rawOutcomes(db, sql, [
        "select 'a' = case when 1 then 'A' collate nocase end as a, 'a' = case when 0 then 1 else 'A' collate nocase end as b, 'a' = case 'x' collate nocase when 'X' then 'A' end as c",
        "select 'a' = coalesce(null, 'A' collate nocase) as a, 'a' = ifnull(null, 'A' collate nocase) as b, 'a' = iif(1, 'A' collate nocase, 0) as c, 'a' = likely('A' collate nocase) as d",
        "select 'Carol' <= case when 30 collate nocase > 1 then 'abc' end as a, 'Carol' <= case when ('x' like ('%' collate nocase)) then 'abc' end as b",
        "select 'B' = case when 1 in (2, 'a' collate nocase) then 1 else 'b' end as a, 'B' = case when 1 between 0 and ('a' collate nocase) then 'b' end as b",
        "select 'B' = case when ('a' collate rtrim) = ('a' collate nocase) then 'b' end as a, 'B' = case when ('a' collate nocase) is 'a' then 'b' end as b",
        "select id from names where name <= case when g collate nocase > 1 then 'bob' else 'BOB' end order by id",
        "select id from names where coalesce(name collate nocase, 'x') = 'BOB' order by id",
      ]),
  )
  both('sorts, windows, aggregates and distinct under COLLATE', seedNames, async (db, { sql }) =>
    rawOutcomes(db, sql, [
      'select name from names order by name collate nocase, id',
      'select name from names order by name collate rtrim desc, id',
      'select name from names order by 1 collate nocase, id',
      'select name as x from names order by x collate nocase, id',
      'select distinct name collate nocase as x from names order by id',
      'select distinct name from names order by name collate nocase, id',
      'select max(name collate nocase) as a, min(name collate nocase) as b, max(name) as c, min(name) as d from names',
      'select g, max(name collate nocase) as a, min(name collate rtrim) as b from names group by g order by g',
      'select count(distinct name collate nocase) as a, count(distinct name collate rtrim) as b, count(distinct name) as c from names',
      'select group_concat(distinct name collate nocase) as a from names where name is not null and id < 8',
      "select group_concat(name, ',' order by name collate nocase desc, id) as a from names",
      'select id, rank() over (order by name collate nocase) as r from names order by id',
      'select id, count(*) over (partition by name collate nocase) as n from names order by id',
      'select id, max(name collate nocase) over (order by id) as m from names order by id',
    ]),
  )
})
