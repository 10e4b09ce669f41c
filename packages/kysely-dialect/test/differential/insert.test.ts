import { both, diffSuite, rawOutcomes } from '../helpers/differential.js'
import { seedPeople } from '../helpers/fixtures.js'
import type { Db } from '../helpers/sides.js'

async function items(db: Db): Promise<void> {
  await db.schema
    .createTable('items')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('qty', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('note', 'text', (c) => c.defaultTo('none'))
    .execute()
}

/** Keyed by a composite primary key (rows carry hidden rowids), with a unique and a plain index. */
async function pairs(db: Db): Promise<void> {
  await db.schema
    .createTable('pairs')
    .addColumn('a', 'text', (c) => c.notNull())
    .addColumn('b', 'integer', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.unique())
    .addColumn('w', 'real')
    .addPrimaryKeyConstraint('pairs_pk', ['a', 'b'])
    .execute()
  await db.schema.createIndex('pairs_w').on('pairs').column('w').execute()
}

const pairRows = (from: number, count: number): { a: string; b: number; code: string; w: number }[] =>
  Array.from({ length: count }, (_, i) => ({
    a: `k${(from + i) % 3}`,
    b: from + i,
    code: `c${from + i}`,
    w: ((from + i) * 7) % 5,
  }))

diffSuite('differential: insert', () => {
  // Each row's key and index entries are built in buffers the next row reuses: every index must
  // still lead to its own row after many rows of one statement and a repeated (cached) statement.
  both('multi-row inserts into a primary-key table with indexes: every index finds its rows', pairs, (db) => [
    db.insertInto('pairs').values(pairRows(0, 40)),
    db.insertInto('pairs').values(pairRows(40, 40)),
    db.insertInto('pairs').values(pairRows(80, 40)),
    db.selectFrom('pairs').selectAll().where('w', '=', 3).orderBy('b'),
    db.selectFrom('pairs').selectAll().where('code', '=', 'c77'),
    db.selectFrom('pairs').selectAll().where('a', '=', 'k1').where('b', '=', 100),
    db.selectFrom('pairs').select((eb) => [eb.fn.countAll().as('n'), eb.fn.sum('b').as('s')]),
  ])

  both('a unique violation in the middle of a repeated multi-row insert leaves none of its rows', pairs, (db) => [
    db.insertInto('pairs').values(pairRows(0, 20)),
    db.insertInto('pairs').values([...pairRows(20, 10), { a: 'new', b: 999, code: 'c5', w: 1 }, ...pairRows(30, 10)]),
    db.insertInto('pairs').values([...pairRows(20, 10), { a: 'k0', b: 0, code: 'fresh', w: 1 }, ...pairRows(30, 10)]),
    db.insertInto('pairs').values(pairRows(20, 21)),
    db.selectFrom('pairs').selectAll().where('b', '>=', 15).orderBy('b'),
    db.selectFrom('pairs').selectAll().where('w', '=', 1).orderBy('b'),
    db.selectFrom('pairs').select((eb) => eb.fn.countAll().as('n')),
  ])

  both('one row: insertId and numInsertedOrUpdatedRows', items, (db) => db.insertInto('items').values({ label: 'a' }))

  both('many rows: insertId is the last rowid', items, (db) =>
    db.insertInto('items').values([{ label: 'a' }, { label: 'b' }, { label: 'c' }]),
  )

  both('one row, then read it back', items, (db) => [
    db.insertInto('items').values({ id: 5, label: 'five', qty: 3, note: null }),
    db.selectFrom('items').selectAll(),
  ])

  both('returning one column', items, (db) => db.insertInto('items').values({ label: 'x' }).returning('id'))

  both('returning all columns, defaults filled in', items, (db) =>
    db.insertInto('items').values({ label: 'x' }).returningAll(),
  )

  both('many rows returning', items, (db) =>
    db
      .insertInto('items')
      .values([
        { label: 'a', qty: 2 },
        { label: 'b', qty: 3 },
      ])
      .returning(['id', 'label', 'qty']),
  )

  both('returning an expression with an alias', items, (db) =>
    db
      .insertInto('items')
      .values({ label: 'ab', qty: 4 })
      .returning((eb) => ['id', eb('qty', '*', 10).as('tenfold'), eb('label', '||', '!').as('shout')]),
  )

  // Kysely's SQLite compiler sends a missing cell as null (SQLite has no DEFAULT in VALUES), so the
  // cell is null, not the column's default, and a not-null column then rejects it.
  both('missing cells of a multi-row insert are null, not defaults', items, (db) => [
    db.insertInto('items').values([
      { label: 'a', qty: 7 },
      { label: 'b', qty: 8, note: 'given' },
    ]),
    db.selectFrom('items').selectAll(),
  ])

  both('a missing cell in a not-null column of a multi-row insert fails', items, (db) => [
    db.insertInto('items').values([{ label: 'a', qty: 7 }, { label: 'b', note: 'given' }, { label: 'c' }]),
    db.selectFrom('items').selectAll(),
  ])

  both('an explicit null overrides a default on a nullable column', items, (db) => [
    db.insertInto('items').values({ label: 'a', note: null }),
    db.selectFrom('items').select(['id', 'note']),
  ])

  both('an explicit null into a not-null column with a default fails', items, (db) => [
    db.insertInto('items').values({ label: 'a', qty: null }),
    db.selectFrom('items').selectAll(),
  ])

  both('a missing not-null column without default fails', items, (db) => [
    db.insertInto('items').values({ qty: 2 }),
    db.selectFrom('items').selectAll(),
  ])

  both('a duplicate primary key fails and leaves the first row', items, (db) => [
    db.insertInto('items').values({ id: 1, label: 'a' }),
    db.insertInto('items').values({ id: 1, label: 'b' }),
    db.selectFrom('items').selectAll(),
  ])

  both('a multi-row insert failing on its third row inserts nothing', items, (db) => [
    db.insertInto('items').values({ id: 3, label: 'existing' }),
    db.insertInto('items').values([
      { id: 1, label: 'a' },
      { id: 2, label: 'b' },
      { id: 3, label: 'c' },
    ]),
    db.selectFrom('items').selectAll(),
  ])

  both('a multi-row insert duplicating a key within itself inserts nothing', items, (db) => [
    db.insertInto('items').values([
      { id: 8, label: 'a' },
      { id: 8, label: 'b' },
    ]),
    db.selectFrom('items').selectAll(),
  ])

  both('a multi-row insert with a null in a not-null column on its last row inserts nothing', items, (db) => [
    db.insertInto('items').values([{ label: 'a' }, { label: 'b' }, { label: null }]),
    db.selectFrom('items').selectAll(),
  ])

  both('insertId after inserting with an explicit key', items, (db) => [
    db.insertInto('items').values({ id: 42, label: 'a' }),
    db.insertInto('items').values({ label: 'b' }),
  ])

  both('insert into a missing table raises no such table', undefined, (db) => db.insertInto('nowhere').values({ a: 1 }))

  // The largest rowid is kept between a transaction's inserts (table-store.ts, maxRowids): each way
  // a statement or a rollback can lower or raise it must give the next new rowid as SQLite does.
  both(
    'new rowids after deleting the last row, a rollback to a savepoint, a moved key, and in a keyed table',
    undefined,
    async (db, { sql }) => {
      const out: unknown[] = []
      const run = async (text: string): Promise<void> => {
        const r = await sql.raw(text).execute(db)
        // Transaction commands report no counts here (README: raw transaction commands).
        out.push(text, r.rows, text.startsWith('insert') ? r.insertId?.toString() : '')
      }
      for (const text of [
        'create table t (id integer primary key, v text)',
        'create table k (a text, b int, primary key (a, b))',
        'begin',
        `insert into t (v) values ('a'), ('b'), ('c')`,
        'delete from t where id = 3',
        `insert into t (v) values ('d')`,
        'savepoint s',
        `insert into t (v) values ('e'), ('f')`,
        'rollback to s',
        `insert into t (v) values ('g')`,
        'update t set id = 20 where id = 1',
        `insert into t (v) values ('h')`,
        'update t set id = 5 where id = 21',
        `insert into t (v) values ('i')`,
        `insert into t (id, v) values (9007199254740993, 'big')`,
        `insert into t (v) values ('after big')`,
        'delete from t where id > 100',
        `insert into t (v) values ('j')`,
        `insert into k (a, b) values ('x', 1), ('y', 2)`,
        `delete from k where a = 'y'`,
        `insert into k (a, b) values ('z', 3)`,
        'commit',
        'select rowid as r, * from t order by id',
        'select * from k order by a',
      ])
        await run(text)
      return out
    },
  )

  // last_insert_rowid() follows each row as it goes in: a statement failing on a later row keeps
  // the earlier row's, and an AFTER INSERT trigger reads its own row's (found by a trigger case).
  both(
    'last_insert_rowid() after a multi-row insert failing on its second row, and inside an AFTER INSERT trigger',
    undefined,
    (db, { sql }) =>
      rawOutcomes(
        db,
        sql,
        [
          'create table t (id integer primary key, u text unique)',
          'create table log (n integer primary key, seen int)',
          `insert into t (u) values ('a')`,
          `insert into t (u) values ('b'), ('a')`,
          'select last_insert_rowid() as l',
          `create trigger tr after insert on t begin insert into log (seen) values (last_insert_rowid()); insert into log (seen) values (last_insert_rowid()); end`,
          `insert into t (u) values ('c'), ('d')`,
          'select last_insert_rowid() as l',
          'select * from log order by n',
          'select * from t order by id',
        ],
        'failed',
        true,
      ),
  )

  both('insert into the people fixture, then select it ordered', seedPeople, (db) => [
    db.insertInto('people').values({ name: 'Fay', age: 33, city: 'Oslo', score: 1.5 }),
    db.selectFrom('people').selectAll().orderBy('id', 'desc').limit(2),
  ])
})
