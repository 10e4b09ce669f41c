import { both, diffSuite, rawOutcomes } from '../helpers/differential.js'
import type { KyselyApi } from '../helpers/kysely-versions.js'
import type { Db } from '../helpers/sides.js'

/**
 * `docs(id, body, title generated from the JSON body, stored length, virtual upper title)`, built
 * with Kysely's generatedAlwaysAs() and stored(), and an index on the generated title.
 */
async function seedDocs(db: Db, { sql }: KyselyApi): Promise<void> {
  await db.schema
    .createTable('docs')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.generatedAlwaysAs(sql`json_extract(body, '$.title')`))
    .addColumn('size', 'integer', (c) => c.generatedAlwaysAs(sql`length(body)`).stored())
    .addColumn('shout', 'text', (c) => c.generatedAlwaysAs(sql`upper(title) || '!'`))
    .execute()
  await db.schema.createIndex('docs_title').on('docs').column('title').execute()
  await db
    .insertInto('docs')
    .values([
      { body: '{"title":"b","n":1}' },
      { body: '{"title":"a"}' },
      { body: '{"n":3}' },
      { id: 10, body: '{"title":"c","n":10}' },
    ])
    .execute()
}

// Round s28: `generatedAlwaysAs()` (and raw `generated always as`) was BTREE_SQL_UNSUPPORTED.
diffSuite('differential part 2: generated columns', () => {
  both('generated columns computed on insert, virtual and stored, reading each other', seedDocs, (db) =>
    db.selectFrom('docs').selectAll().orderBy('id'),
  )
  both('generated columns recomputed by an update, and returned', seedDocs, async (db) => [
    await db
      .updateTable('docs')
      .set({ body: '{"title":"z"}' })
      .where('id', '=', 2)
      .returning(['id', 'title', 'size', 'shout'])
      .execute(),
    await db.selectFrom('docs').select(['id', 'title']).where('title', '=', 'z').execute(),
    await db.selectFrom('docs').select(['id', 'title']).orderBy('title').orderBy('id').execute(),
  ])
  both('an upsert recomputes them; insert returning gives them', seedDocs, async (db) => [
    await db
      .insertInto('docs')
      .values({ id: 10, body: '{"title":"d"}' })
      .onConflict((oc) => oc.column('id').doUpdateSet((eb) => ({ body: eb.ref('excluded.body') })))
      .returningAll()
      .execute(),
    await db.insertInto('docs').values({ body: '{"title":"e"}' }).returningAll().execute(),
  ])
  both('writing a generated column is refused', seedDocs, async (db, { sql }) => [
    ...(await rawOutcomes(
      db,
      sql,
      [
        "insert into docs (body, title) values ('{}', 'x')",
        'update docs set size = 1 where id = 1',
        'insert into docs values (20, \'{"title":"v"}\')',
        'insert into docs values (21)',
        'select id, title from docs where id = 20',
      ],
      'failed',
    )),
    await db.selectFrom('docs').select('id').orderBy('id').execute(),
  ])
  both(
    'raw generated columns: affinity, NOT NULL, CHECK, UNIQUE, the rowid, the order they need',
    undefined,
    async (db, { sql }) =>
      rawOutcomes(
        db,
        sql,
        [
          "create table g (a integer, b integer generated always as (a * 2), c text as ('x' || b) stored, d real as (a / 2) virtual not null)",
          'insert into g (a) values (3)',
          'insert into g (a) values (null)',
          'insert into g values (5)',
          'update g set a = 10 where a = 3',
          'select a, b, c, d, typeof(b), typeof(d) from g order by a',
          'create table h (id integer primary key, a int, b int as (a + id), c int as (b * 10) unique, d text as (b || c) check (length(d) < 5))',
          'insert into h (a) values (1), (2)',
          'insert into h (id, a) values (1, 5) on conflict (id) do update set a = excluded.a + 100',
          'insert into h (id, a) values (9, -1)',
          'insert into h (a) values (995)',
          'select * from h order by id',
          'create table u (id integer primary key, a int unique, b int as (id + 1) not null)',
          'insert into u (a) values (1) on conflict do nothing',
          'insert into u (a) values (1) on conflict (a) do update set a = 5',
          'insert or ignore into u (a) values (2)',
          'insert or replace into u (a) values (3)',
          'select * from u order by id',
          'create table k (a int, b int generated always as (c + 1), c int generated always as (a * 10))',
          'insert into k (a) values (2)',
          'select * from k',
        ],
        'failed',
      ),
  )
  both('schemas SQLite refuses, and alter table with generated columns', undefined, async (db, { sql }) =>
    rawOutcomes(
      db,
      sql,
      [
        'create table h1 (a int, b int generated always as (random()))',
        'create table h2 (a int, b int generated always as ((select 1)))',
        'create table h3 (a int primary key generated always as (1))',
        'create table h4 (a int, b int default 3 generated always as (a))',
        'create table h5 (a int, b int generated always as (c), c int generated always as (b))',
        'create table h6 (a int, b int as (count(*)))',
        'create table h7 (a int, b int generated always as (c + 1), c int generated always as (a * 10))',
        'insert into h7 (a) values (2), (3)',
        'alter table h7 add column d int generated always as (a + 100)',
        'alter table h7 add column e int generated always as (a) stored',
        'alter table h7 drop column a',
        'alter table h7 rename column a to z',
        'insert into h7 (z) values (4)',
        'select * from h7 order by z',
        'alter table h7 add column y int',
        'alter table h7 drop column d',
        'select * from h7 order by z',
        "create table h8 (a int, b text as (date('now')))",
        'insert into h8 (a) values (1)',
        'select count(*) as n from h8',
      ],
      'message',
    ),
  )
  both('introspection leaves generated columns out, as pragma table_info does', seedDocs, async (db) =>
    (await db.introspection.getTables()).map((t) => ({ name: t.name, columns: t.columns.map((c) => c.name) })),
  )
  // Found in round s32: a real literal in a generated column's expression (`a / 2.0`) failed the
  // create table (its tree was untagged twice, the Real read back as a plain object).
  both('literals of every kind in generated expressions: reals, blobs, big integers', undefined, async (db, { sql }) =>
    rawOutcomes(db, sql, [
      "create table g (a integer, e real as (a / 2.0), f as (a * 1.5) stored, h as (x'00ff' || 'a'), i as (9007199254740993 - a), j as (-0.0 + a))",
      'insert into g (a) values (3), (-4)',
      'update g set a = a * 2 where a < 0',
      'select * from g order by a',
    ]),
  )
})
