import type { sql as Sql } from 'kysely'
import { both, diffSuite, rawOutcomes } from '../helpers/differential.js'
import type { Db } from '../helpers/sides.js'

/*
 * sqlite_schema (sqlite_master), sqlite_temp_schema and sqlite_sequence, read as SQLite lists
 * them (executor/schema-table.ts): each object in the order it was made, with the text that made
 * it, kept through ALTER TABLE as SQLite rewrites it (sql/schema-text.ts). `rootpage` is a page
 * number in SQLite and a bucket id here: never compared. Round s32: every one of these was
 * "no such table: sqlite_master".
 */

/**
 * Outcomes of raw statements with each row's `sql` as SQLite keeps it, but for quoting: the
 * harness sends SQLite its identifiers in backquotes (sqljs-database.ts: backquoteIdentifiers),
 * which SQLite then keeps; written back in double quotes, as they were sent to btree-store.
 */
async function schemaOutcomes(
  db: Db,
  sql: typeof Sql,
  texts: readonly string[],
  errors: 'message' | 'failed' | 'throw' = 'throw',
): Promise<unknown[]> {
  const out = await rawOutcomes(db, sql, texts, errors)
  return out.map((rows) =>
    Array.isArray(rows)
      ? rows.map((row: Record<string, unknown>) =>
          typeof row['sql'] === 'string' ? { ...row, sql: doubleQuoted(row['sql']) } : row,
        )
      : rows,
  )
}

function doubleQuoted(text: string): string {
  return text.replace(/`((?:[^`]|``)*)`/g, (_, name: string) => `"${name.replace(/``/g, '`').replace(/"/g, '""')}"`)
}

/** The schema in SQLite's order: one text (group_concat follows the scan), and the rows. */
const LISTING = [
  "select group_concat(type || ':' || name || ':' || tbl_name, ' | ') as objects from sqlite_master",
  'select type, name, tbl_name, sql from sqlite_schema',
]

diffSuite('differential: sqlite_schema', () => {
  both('objects made by the builder, in the order made, with their text', undefined, async (db, { sql }) => {
    await db.schema
      .createTable('person')
      .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('email', 'varchar(80)', (c) => c.notNull().unique())
      .addColumn('score', 'real', (c) => c.defaultTo(1.5).check(sql`score >= 0`))
      .addColumn('note', 'text', (c) => c.defaultTo("it's"))
      .execute()
    await db.schema
      .createTable('pet')
      .ifNotExists()
      .addColumn('owner', 'integer', (c) => c.references('person.id').onDelete('cascade'))
      .addColumn('name', 'text')
      .addPrimaryKeyConstraint('pet_pk', ['owner', 'name'])
      .addUniqueConstraint('pet_u', ['name', 'owner'])
      .modifyEnd(sql`without rowid`)
      .execute()
    await db.schema
      .createTable('tag')
      .addColumn('t', 'text', (c) => c.primaryKey())
      .execute()
    await db.schema.createIndex('person_score').on('person').columns(['score', 'email desc']).execute()
    await db.schema
      .createIndex('person_note')
      .unique()
      .on('person')
      .column('note')
      .where('note', 'is not', null)
      .execute()
    await db.schema
      .createIndex('person_lower')
      .on('person')
      .expression(sql`lower(email)`)
      .execute()
    await db.schema
      .createView('adults')
      .as(db.selectFrom('person').select(['id', 'email']).where('score', '>', 18))
      .execute()
    await db.schema
      .createTable('copy')
      .as(db.selectFrom('person').select(['id', 'email as mail', 'score']))
      .execute()
    await db.insertInto('person').values({ email: 'a@x', score: 2 }).execute()
    await db.insertInto('person').values({ email: 'b@x', score: 3 }).execute()
    return schemaOutcomes(db, sql, [...LISTING, 'select * from sqlite_sequence'])
  })

  both('objects made in raw SQL: names, spacing and case as written', undefined, async (db, { sql }) => {
    return schemaOutcomes(
      db,
      sql,
      [
        'create table if not exists  main. "T one"  ( a INTEGER primary key autoincrement , b text unique ,c ) ;',
        'CREATE TABLE t2(x int primary key, y, unique (y, x))',
        'create unique index if not exists t2_y on t2 (y desc) where y > 0',
        'create view v2 (p, q) as select x, y from t2 where x > 1',
        'create trigger tr after insert on t2 when new.x > 0 begin insert into "T one" (b) values (\'t\' || new.x); end',
        'create table t3 as select x, y as "y y", x * 1.5 as r, 1 as one, y as y from t2',
        'create temp table tt (a, b unique)',
        'insert into t2 values (1, 2), (3, 4)',
        ...LISTING,
        'select type, name, tbl_name, sql from sqlite_temp_master',
        'select name from sqlite_temp_schema',
        'select * from sqlite_sequence',
      ],
      'failed',
    )
  })

  both(
    'alter table: add, drop and rename columns, rename tables, as SQLite rewrites the text',
    undefined,
    async (db, { sql }) => {
      await db.schema
        .createTable('parent')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('a', 'text')
        .addColumn('b c', 'integer')
        .addColumn('d', 'text')
        .addCheckConstraint('a_not_b', sql`a <> "b c"`)
        .addUniqueConstraint('parent_u', ['a', 'b c'])
        .execute()
      await db.schema
        .createTable('child')
        .addColumn('x', 'integer')
        .addColumn('y', 'text', (c) => c.references('parent.a'))
        .addForeignKeyConstraint('child_fk', ['x'], 'parent', ['id'])
        .execute()
      await db.schema.createIndex('parent_a').on('parent').columns(['a', 'd']).where('a', '>', '0').execute()
      await db.schema
        .createView('pv')
        .as(db.selectFrom('parent').select(['a', 'parent.a as aa']))
        .execute()
      const steps = await schemaOutcomes(
        db,
        sql,
        [
          'create trigger pt after update of a on parent begin update child set y = new.a where y = old.a; end',
          ...LISTING,
          'alter table parent rename column a to z',
          ...LISTING,
          'alter table parent rename column "z" to "zz"',
          'alter table parent rename column d to "D 2"',
          'alter table parent add column q integer default 3',
          'alter table parent add column r text ;  ',
          ...LISTING,
          'alter table parent drop column q',
          'alter table parent drop column r',
          ...LISTING,
          'create table d (a, b , c )',
          'alter table d drop column c',
          'alter table d drop column a',
          'alter table d add column e',
          'alter table child rename to "Child 2"',
          'alter table parent rename to pp',
          'alter table d rename to d2',
          ...LISTING,
        ],
        'failed',
      )
      await db.schema
        .alterTable('d2')
        .addColumn('f', 'integer', (c) => c.notNull().defaultTo(0))
        .execute()
      await db.schema.alterTable('d2').renameColumn('b', 'b2').execute()
      await db.schema.alterTable('d2').renameTo('d3').execute()
      return [...steps, await schemaOutcomes(db, sql, LISTING)]
    },
  )

  both('sqlite_sequence follows inserts, renames and drops', undefined, async (db, { sql }) =>
    schemaOutcomes(
      db,
      sql,
      [
        'select * from sqlite_sequence',
        'create table a (id integer primary key autoincrement, v)',
        'create table b (id integer primary key autoincrement, v unique)',
        ...LISTING,
        'select * from sqlite_sequence',
        'insert into b (v) values (1), (2)',
        'insert into a (id, v) values (10, 1)',
        'select * from sqlite_sequence',
        'delete from a',
        'select * from sqlite_sequence',
        'alter table b rename to bb',
        'select * from sqlite_sequence',
        'drop table bb',
        'select name, seq from sqlite_sequence',
        "select seq from sqlite_sequence where name = 'a'",
      ],
      'failed',
    ),
  )

  both('the builder reads it: table existence, joins, counts', undefined, async (db) => {
    await db.schema.createTable('x1').addColumn('a', 'integer').execute()
    await db.schema
      .createTable('x2')
      .addColumn('a', 'integer', (c) => c.unique())
      .execute()
    await db.schema.createIndex('x1_a').on('x1').column('a').execute()
    return [
      await db
        .selectFrom('sqlite_master')
        .select('name')
        .where('type', '=', 'table')
        .where('name', '=', 'x1')
        .execute(),
      await db.selectFrom('sqlite_master').select('name').where('name', '=', 'nope').execute(),
      await db
        .selectFrom('sqlite_master as m')
        .innerJoin('sqlite_master as i', 'i.tbl_name', 'm.name')
        .select(['m.name as table', 'i.name as index'])
        .where('m.type', '=', 'table')
        .where('i.type', '=', 'index')
        .orderBy('i.name')
        .execute(),
      await db
        .selectFrom('sqlite_schema')
        .select(['type', (eb) => eb.fn.countAll().as('n')])
        .groupBy('type')
        .orderBy('type')
        .execute(),
      await db
        .selectFrom('sqlite_master')
        .select('name')
        .where('type', 'in', ['table', 'view'])
        .where('name', 'not like', 'sqlite_%')
        .orderBy('name')
        .execute(),
    ]
  })

  both("SQLite's errors: reserved names, writes to its tables", undefined, async (db, { sql }) =>
    schemaOutcomes(
      db,
      sql,
      [
        'create table sqlite_x (a)',
        'create table t (a)',
        'create index sqlite_i on t (a)',
        'create view SQLITE_v as select 1',
        'alter table t rename to sqlite_t',
        'create trigger sqlite_tr after insert on t begin select 1; end',
        "insert into sqlite_master values ('table', 'x', 'x', 0, '')",
        "update sqlite_schema set name = 'y'",
        'delete from sqlite_master',
        'delete from sqlite_sequence',
        ...LISTING,
      ],
      'message',
    ),
  )

  // Round s32: table-valued pragma functions, and arguments that read the tables before them.
  both('pragma functions, their arguments read from the tables before them', undefined, async (db, { sql }) => {
    await db.schema
      .createTable('owner')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull().defaultTo('?'))
      .execute()
    await db.schema
      .createTable('pet')
      .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('owner', 'integer', (c) => c.references('owner.id').onDelete('cascade'))
      .addColumn('tags', 'text')
      .execute()
    await db.schema.createIndex('pet_owner').on('pet').columns(['owner', 'id']).execute()
    await db.schema
      .createView('named')
      .as(db.selectFrom('owner').select(['name', 'id']))
      .execute()
    await db.insertInto('owner').values({ id: 1, name: 'ann' }).execute()
    await db
      .insertInto('pet')
      .values([
        { owner: 1, tags: '["a","b"]' },
        { owner: 1, tags: '[]' },
      ])
      .execute()
    return schemaOutcomes(
      db,
      sql,
      [
        "select * from pragma_table_info('pet')",
        "select name, type, pk from pragma_table_info('PET') where notnull = 0 order by cid desc",
        'select * from pragma_table_info(null)',
        "select * from pragma_table_info('nope')",
        "select * from pragma_index_list('pet')",
        "select * from pragma_index_info('pet_owner')",
        "select * from pragma_foreign_key_list('pet')",
        "select * from pragma_table_info('named')",
        "select m.name as t, p.cid, p.name, p.type, p.pk from sqlite_master m, pragma_table_info(m.name) p where m.type = 'table' order by 1, 2",
        'select m.name as t, p.name from sqlite_master m join pragma_table_info(m.name) p on p.pk = 1 order by 1',
        "select m.name as t, i.name from sqlite_master m left join pragma_index_list(m.name) i where m.type = 'table' order by 1, 2",
        "select (select count(*) from pragma_table_info(m.name)) as n, m.name from sqlite_master m where m.type in ('table', 'view') order by 2",
        'select p.id, j.value from pet p, json_each(p.tags) j order by 1, 2',
        'select p.id, j.value from json_each(p.tags) j, pet p order by 1, 2',
        'select p.id, j.value from pet p left join json_each(p.tags) j order by 1, 2',
        "select count(*) as n from pragma_table_info('pet', 'main')",
      ],
      'failed',
    )
  })

  both("Kysely's SqliteIntrospector runs unchanged over it", undefined, async (db, { sql, SqliteIntrospector }) => {
    await db.schema
      .createTable('person')
      .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('first_name', 'varchar(255)', (c) => c.notNull())
      .addColumn('age', 'integer', (c) => c.defaultTo(0))
      .execute()
    await db.schema
      .createTable('pet')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('owner_id', 'integer', (c) => c.references('person.id'))
      .addColumn('kind', sql`text collate nocase`)
      .execute()
    await db.schema
      .createView('adult')
      .as(db.selectFrom('person').select(['id', 'first_name']).where('age', '>=', 18))
      .execute()
    await db.schema
      .createTable('kysely_migration')
      .addColumn('name', 'varchar(255)', (c) => c.primaryKey())
      .execute()
    await db.schema.alterTable('person').addColumn('nick', 'text').execute()
    const introspector = new SqliteIntrospector(db)
    return [await introspector.getTables(), await introspector.getTables({ withInternalKyselyTables: true })]
  })

  // Round s32: reindex was not parsed.
  both("reindex: every index, a collation's, a table's, one; unknown names", undefined, async (db, { sql }) =>
    rawOutcomes(
      db,
      sql,
      [
        'create table t (a text collate nocase unique, b, c)',
        'create index tb on t (b)',
        'create index tc on t (c collate rtrim)',
        "insert into t values ('x', 1, 2), ('Y', 2, 3)",
        'reindex',
        'reindex nocase',
        'reindex RTRIM',
        'reindex binary',
        'reindex t',
        'reindex tb',
        'reindex main.tb',
        'reindex sqlite_autoindex_t_1',
        'reindex nope',
        "select a from t where a = 'X'",
        'select b from t where b = 2',
      ],
      'message',
    ),
  )

  // Round s32: a renamed column stayed as written in trigger statements (the trigger then failed).
  both(
    'rename column: the statements of triggers that read the table follow, tree and text',
    undefined,
    async (db, { sql }) =>
      schemaOutcomes(
        db,
        sql,
        [
          'create table p (id integer primary key, a text, n int default 0)',
          'create table log (id integer primary key, a text, what text)',
          "create trigger p_ins after insert on p begin insert into log (a, what) values (new.a, 'ins'); update p set n = n + 1 where id = new.id; end",
          "create trigger p_upd after update of a on p when new.a <> old.a begin update log set a = new.a where a = old.a; insert into log (a, what) select a, 'copy' from p where p.id = new.id and a is not null; end",
          "create trigger log_ins after insert on log when new.what = 'ins' begin update p set a = upper(a) where a = new.a and (select count(*) from p as q where q.a = new.a) > 0; end",
          "insert into p (a) values ('x')",
          'alter table p rename column a to "b b"',
          'alter table p rename column n to m',
          'alter table log rename column a to la',
          'insert into p ("b b") values (\'y\')',
          'update p set "b b" = \'z\' where id = 1',
          'select * from p order by id',
          'select * from log order by id',
          "select name, sql from sqlite_master where type = 'trigger'",
        ],
        'failed',
      ),
  )

  both(
    "rename column: a view's text renames the references that resolve to the column only",
    undefined,
    async (db, { sql }) =>
      schemaOutcomes(
        db,
        sql,
        [
          'create table p (id integer primary key, a int, b int)',
          'create table q (id integer primary key, a int, c int)',
          'insert into p values (1, 10, 20)',
          'insert into q values (1, 30, 40)',
          'create view v1 as select p.a, q.a as qa, b, c from p join q on p.id = q.id where p.a > 0',
          'create view v2 as select a, (select max(a) from q) as m, a as a2 from p',
          'create view v3 (x, y) as select a, b from p union all select a, c from q',
          'alter table p rename column a to pa',
          "select sql from sqlite_master where type = 'view'",
          'select * from v1',
          'select * from v2',
          'select * from v3 order by 1',
        ],
        'failed',
      ),
  )

  // Found in round s32: a dropped column a view names was dropped without SQLite's error.
  both("drop column: a view naming it is SQLite's error; a view of * follows", undefined, async (db, { sql }) =>
    schemaOutcomes(
      db,
      sql,
      [
        'create table t (a, b, c)',
        'create view v as select a, b from t',
        'create view w as select * from t',
        'create temp view tv as select c from t',
        'alter table t drop column b',
        'drop view v',
        'alter table t drop column b',
        'alter table t drop column c',
        'drop view tv',
        'alter table t drop column c',
        "insert into t values (1, 'x')",
        'select * from w',
        "select name from pragma_table_info('w')",
        "select type, name, sql from sqlite_master where name <> 'sqlite_sequence'",
      ],
      'failed',
    ),
  )

  // Review: sqlite_sequence is kept after its last AUTOINCREMENT table goes, read and listed alike.
  both('sqlite_sequence outlives the AUTOINCREMENT table that made it', undefined, async (db, { sql }) =>
    schemaOutcomes(
      db,
      sql,
      [
        "select count(*) as n from pragma_table_info('sqlite_sequence')",
        'create table a (id integer primary key autoincrement, v)',
        'insert into a (v) values (1)',
        'drop table a',
        'select * from sqlite_sequence',
        "select name from pragma_table_info('sqlite_sequence')",
        'select type, name from sqlite_master',
      ],
      'failed',
    ),
  )
})
