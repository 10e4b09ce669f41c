import type { sql as Sql } from 'kysely'
import { both, diffSuite, rawOutcomes } from '../helpers/differential.js'
import type { Db } from '../helpers/sides.js'

/*
 * Temporary views (`create temp view`, `createView(v).temporary()`): the connection's own, read like
 * any view, listed in sqlite_temp_schema with SQLite's text (`CREATE VIEW v ...`, TEMP dropped) and
 * in `pragma table_list` under temp, out of sqlite_schema and Kysely's introspection; a view of
 * main does not see them (SQLite's "no such table: main.v", when the view is read). Until this
 * round every `create temp view` was BTREE_SQL_UNSUPPORTED.
 */

/** `t(a, b)` with three rows. */
async function seedT(db: Db, { sql }: { sql: typeof Sql }): Promise<void> {
  await sql`create table t (a integer, b text)`.execute(db)
  await sql`insert into t values (1, 'x'), (2, 'y'), (3, null)`.execute(db)
}

/**
 * rawOutcomes with `sql` texts in double quotes: the harness sends SQLite the builder's identifiers
 * in backquotes (sqljs-database.ts), which SQLite keeps; btree-store was sent double quotes.
 */
async function outcomes(db: Db, sql: typeof Sql, texts: readonly string[]): Promise<unknown[]> {
  const out = await rawOutcomes(db, sql, texts, 'failed')
  return out.map((rows) =>
    Array.isArray(rows)
      ? rows.map((row: Record<string, unknown>) =>
          typeof row['sql'] === 'string' ? { ...row, sql: row['sql'].replace(/`/g, '"') } : row,
        )
      : rows,
  )
}

const TEMP_LISTING = 'select type, name, tbl_name, sql from sqlite_temp_master'
const MAIN_LISTING = 'select type, name, tbl_name, sql from sqlite_master'

diffSuite('differential: temporary views', () => {
  both('raw create temp | temporary view: read, listed in sqlite_temp_schema only', seedT, async (db, { sql }) =>
    outcomes(db, sql, [
      'create temp view tv as select a from t where a > 1',
      'create   TEMPORARY view if not exists "tv 2" (x, y) as select b, a * 10 from t',
      'create temp view if not exists tv as select 1',
      'select * from tv order by a',
      'select * from "tv 2" order by y',
      'select tv.a, t.b from tv join t on t.a = tv.a order by 1',
      TEMP_LISTING,
      'select type, name, tbl_name, sql from sqlite_temp_schema',
      MAIN_LISTING,
      'pragma table_list',
      "pragma table_list('tv')",
      'pragma table_info(tv)',
    ]),
  )

  both('createView().temporary(): read through the builder, text without TEMP', seedT, async (db, { sql }) => {
    await db.schema
      .createView('tv')
      .temporary()
      .as(db.selectFrom('t' as never).select(['a', 'b'] as never))
      .execute()
    await db.schema
      .createView('mv')
      .as(db.selectFrom('t' as never).select('a' as never))
      .execute()
    const rows = await db
      .selectFrom('tv' as never)
      .selectAll()
      .orderBy('a' as never)
      .execute()
    const tables = await db.introspection.getTables()
    return [rows, tables.map((x) => [x.name, x.isView]), ...(await outcomes(db, sql, [TEMP_LISTING, MAIN_LISTING]))]
  })

  both('a view of main does not see a temporary view: made, then failing when read', seedT, async (db, { sql }) =>
    outcomes(db, sql, [
      'create temp view tv as select a from t',
      'create view mv as select * from tv',
      'select * from mv',
      "pragma table_list('mv')",
      'create temp view tv2 as select * from mv',
      'select * from tv2',
      'create temp view tv3 as select a * 2 as d from tv',
      'select * from tv3 order by d',
      'create view mv2 as select a from t',
      'create temp view tv4 as select * from mv2 where a < 3',
      'select * from tv4 order by a',
      'select * from t where a in (select a from tv) order by a',
    ]),
  )

  both('drop view of a temporary view, and what SQLite refuses', seedT, async (db, { sql }) =>
    outcomes(db, sql, [
      'create temp view tv as select a from t',
      'drop table tv',
      'drop view tv',
      'select * from tv',
      'drop view tv',
      'drop view if exists tv',
      'create temp view main.q as select 1',
      'create temp index i on t (a)',
      'create temp view e as select * from nosuch',
      'select * from e',
      'create temp view c (x, y) as select 1',
      'select * from c',
      TEMP_LISTING,
    ]),
  )

  both('over a temporary table, and a temporary table beside temporary views', seedT, async (db, { sql }) =>
    outcomes(db, sql, [
      'create temp table tt (z)',
      'insert into tt values (7), (8)',
      'create temp view tv as select z, a from tt, t where a = 1',
      'select * from tv order by z',
      "pragma table_list('tv')",
      'pragma table_list',
      TEMP_LISTING,
      MAIN_LISTING,
    ]),
  )

  both('renaming a table or a column a temporary view reads rewrites the view', seedT, async (db, { sql }) =>
    outcomes(db, sql, [
      'create temp view tv as select a, t.b from t where t.a > 1',
      'alter table t rename to t2',
      TEMP_LISTING,
      'select * from tv order by a',
      'alter table t2 rename column a to aa',
      TEMP_LISTING,
      'select * from tv order by aa',
    ]),
  )

  both('an INSTEAD OF trigger on a temporary view is temporary too', seedT, async (db, { sql }) =>
    outcomes(db, sql, [
      'create temp view tv as select a, b from t',
      "create trigger tr instead of insert on tv begin insert into t values (new.a * 10, 'via ' || new.b); end",
      "insert into tv values (4, 'w')",
      'select * from tv order by a',
      TEMP_LISTING,
      MAIN_LISTING,
      'drop view tv',
      TEMP_LISTING,
      "insert into tv values (5, 'v')",
      'select count(*) as n from t',
    ]),
  )

  both('temp_store cannot change in a transaction while a temporary view exists', seedT, async (db, { sql }) =>
    outcomes(db, sql, [
      'create temp view tv as select a from t',
      'begin',
      'pragma temp_store = memory',
      'commit',
      'pragma temp_store',
    ]),
  )
  both(
    'temporary triggers: on a main table and on a temporary one, listed in sqlite_temp_schema',
    undefined,
    async (db, { sql }) =>
      rawOutcomes(
        db,
        sql,
        [
          'create table t (a)',
          'create table log (x)',
          'create temp trigger tt after insert on t begin insert into log values (new.a); end',
          'insert into t values (1), (2)',
          'select * from log',
          'select type, name, tbl_name from sqlite_master',
          'select type, name, tbl_name from sqlite_temp_schema',
          'pragma schema_version',
          'create temp trigger if not exists tt after insert on t begin select 1; end',
          'drop trigger tt',
          'select type, name from sqlite_temp_schema',
          'create temp table tmp (a)',
          'create trigger on_tmp after insert on tmp begin insert into log values (99); end',
          'insert into tmp values (5)',
          'select * from log',
          'select type, name, tbl_name from sqlite_temp_schema',
          'create temporary trigger t2 before delete on t begin insert into log values (old.a * 10); end',
          'delete from t where a = 1',
          'select * from log',
          'pragma schema_version',
        ],
        'message',
      ),
  )
})
