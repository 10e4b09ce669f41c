import { both, diffSuite, rawOutcomes } from '../helpers/differential.js'
import type { ColumnDataType } from 'kysely'
import type { Db } from '../helpers/sides.js'

const inserted = ['12', '12.0', '12.5', ' 12', 'abc', '0x10', '1e3'] as const

/**
 * `typed(x <type>)` with one row per awkward text value: what comes back shows the column's
 * affinity (text that looks like a number becomes a number in INTEGER, REAL and NUMERIC columns).
 */
function affinityCase(type: ColumnDataType) {
  return async (db: Db) => {
    await db.schema
      .createTable('typed')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('x', type)
      .execute()
    await db
      .insertInto('typed')
      .values(inserted.map((x) => ({ x })))
      .execute()
  }
}

diffSuite('differential: create table', () => {
  const types: ColumnDataType[] = [
    'integer',
    'text',
    'real',
    'numeric',
    'blob',
    'varchar(20)',
    'bigint',
    'double precision',
    'boolean',
    'date',
    'json',
  ]
  for (const type of types) {
    both(`column type ${type} gives SQLite's affinity`, affinityCase(type), (db) =>
      db.selectFrom('typed').selectAll().orderBy('id'),
    )
  }

  both('create table if not exists twice', undefined, (db) => [
    db.schema.createTable('t').ifNotExists().addColumn('a', 'integer'),
    db.schema.createTable('t').ifNotExists().addColumn('b', 'text'),
    db.insertInto('t').values({ a: 1 }),
    db.selectFrom('t').selectAll(),
  ])

  both('create table twice without ifNotExists fails', undefined, (db) => [
    db.schema.createTable('t').addColumn('a', 'integer'),
    db.schema.createTable('t').addColumn('a', 'integer'),
  ])

  both('drop table, then it is gone', undefined, (db) => [
    db.schema.createTable('t').addColumn('a', 'integer'),
    db.insertInto('t').values({ a: 1 }),
    db.schema.dropTable('t'),
    db.selectFrom('t').selectAll(),
  ])

  both('drop table if exists on a missing table', undefined, (db) => [db.schema.dropTable('nowhere').ifExists()])

  both('drop table on a missing table fails', undefined, (db) => [db.schema.dropTable('nowhere')])

  both('a dropped table can be created again, empty', undefined, (db) => [
    db.schema.createTable('t').addColumn('a', 'integer'),
    db.insertInto('t').values({ a: 1 }),
    db.schema.dropTable('t'),
    db.schema.createTable('t').addColumn('a', 'text'),
    db.insertInto('t').values({ a: 2 }),
    db.selectFrom('t').selectAll(),
  ])

  both('a table without a primary key numbers its rows', undefined, (db) => [
    db.schema.createTable('t').addColumn('a', 'text'),
    db.insertInto('t').values({ a: 'x' }),
    db.insertInto('t').values([{ a: 'y' }, { a: 'x' }]),
    db.selectFrom('t').selectAll(),
  ])

  both('a text primary key still reports the hidden rowid as insertId', undefined, (db) => [
    db.schema.createTable('t').addColumn('k', 'text', (c) => c.primaryKey()),
    db.insertInto('t').values({ k: 'b' }),
    db.insertInto('t').values({ k: 'a' }),
  ])

  both('integer primary key: ids follow max(rowid) + 1', undefined, (db) => [
    db.schema
      .createTable('t')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('v', 'text'),
    db.insertInto('t').values({ v: 'a' }),
    db.insertInto('t').values({ id: 10, v: 'b' }),
    db.insertInto('t').values({ v: 'c' }),
    db.selectFrom('t').selectAll().orderBy('id'),
  ])

  both('integer primary key without autoincrement reuses the top id after a delete', undefined, (db) => [
    db.schema
      .createTable('t')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('v', 'text'),
    db.insertInto('t').values([{ v: 'a' }, { v: 'b' }, { v: 'c' }]),
    db.deleteFrom('t').where('id', '=', 3),
    db.insertInto('t').values({ v: 'd' }),
    db.selectFrom('t').selectAll().orderBy('id'),
  ])

  both('autoincrement never reuses an id', undefined, (db) => [
    db.schema
      .createTable('t')
      .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('v', 'text'),
    db.insertInto('t').values([{ v: 'a' }, { v: 'b' }, { v: 'c' }]),
    db.deleteFrom('t').where('id', '>=', 2),
    db.insertInto('t').values({ v: 'd' }),
    db.selectFrom('t').selectAll().orderBy('id'),
  ])

  both('autoincrement continues after an explicit larger id', undefined, (db) => [
    db.schema
      .createTable('t')
      .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('v', 'text'),
    db.insertInto('t').values({ id: 100, v: 'a' }),
    db.deleteFrom('t'),
    db.insertInto('t').values({ v: 'b' }),
    db.selectFrom('t').selectAll(),
  ])

  both('a rowid table reuses nothing below the max: deleting the middle row', undefined, (db) => [
    db.schema.createTable('t').addColumn('v', 'text'),
    db.insertInto('t').values([{ v: 'a' }, { v: 'b' }, { v: 'c' }]),
    db.deleteFrom('t').where('v', '=', 'b'),
    db.insertInto('t').values({ v: 'd' }),
  ])

  both('integer primary key accepts text digits', undefined, (db) => [
    db.schema
      .createTable('t')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('v', 'text'),
    db.insertInto('t').values({ id: '7', v: 'a' }),
    db.selectFrom('t').selectAll(),
  ])

  both('integer primary key rejects text that is not an integer', undefined, (db) => [
    db.schema
      .createTable('t')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('v', 'text'),
    db.insertInto('t').values({ id: 'seven', v: 'a' }),
    db.insertInto('t').values({ id: 1.5, v: 'b' }),
    db.selectFrom('t').selectAll(),
  ])

  both('composite primary key: a duplicate pair fails, a shared half does not', undefined, (db) => [
    db.schema
      .createTable('t')
      .addColumn('a', 'text')
      .addColumn('b', 'integer')
      .addColumn('v', 'text')
      .addPrimaryKeyConstraint('t_pk', ['a', 'b']),
    db.insertInto('t').values([
      { a: 'x', b: 1, v: '1' },
      { a: 'x', b: 2, v: '2' },
      { a: 'y', b: 1, v: '3' },
    ]),
    db.insertInto('t').values({ a: 'x', b: 2, v: 'dup' }),
    db.selectFrom('t').selectAll().orderBy('a').orderBy('b'),
  ])

  both('composite primary key: point lookup and prefix range', undefined, (db) => [
    db.schema
      .createTable('t')
      .addColumn('a', 'integer')
      .addColumn('b', 'integer')
      .addPrimaryKeyConstraint('t_pk', ['a', 'b']),
    db.insertInto('t').values([
      { a: 2, b: 1 },
      { a: 1, b: 3 },
      { a: 1, b: -2 },
      { a: 3, b: 0 },
      { a: 2, b: 2 },
    ]),
    db.selectFrom('t').selectAll().where('a', '=', 2).where('b', '=', 2),
    db.selectFrom('t').selectAll().where('a', '=', 1).orderBy('a').orderBy('b'),
    db.selectFrom('t').selectAll().orderBy('a', 'desc').orderBy('b', 'desc'),
  ])

  both('unique column: a duplicate fails, nulls do not collide', undefined, (db) => [
    db.schema
      .createTable('t')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('email', 'text', (c) => c.unique()),
    db.insertInto('t').values([{ email: 'a@x' }, { email: null }, { email: null }]),
    db.insertInto('t').values({ email: 'a@x' }),
    db.selectFrom('t').selectAll(),
  ])

  // Round s27: check constraints were kept as metadata and never enforced; SQLite always enforces
  // them (after NOT NULL, before uniqueness; null passes; orIgnore skips the row).
  both('check constraints: column and table checks refuse rows, null passes', undefined, (db, { sql }) => [
    db.schema
      .createTable('t')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('price', 'real', (c) => c.check(sql`price >= 0`))
      .addColumn('qty', 'integer')
      .addCheckConstraint('qty_small', sql`qty < 10`)
      .addCheckConstraint('t_total', sql`price * qty < 100`),
    db.insertInto('t').values({ price: -1, qty: 1 }),
    db.insertInto('t').values({ price: 1, qty: 10 }),
    db.insertInto('t').values({ price: 20, qty: 9 }),
    db.insertInto('t').values([
      { price: null, qty: 1 },
      { price: 2, qty: null },
      { price: 3, qty: 3 },
    ]),
    db.insertInto('t').values({ price: -5, qty: 1 }).orIgnore(),
    db.updateTable('t').set({ qty: 50 }).where('id', '=', 3),
    db.updateTable('t').set((eb) => ({ qty: eb('qty', '+', 1) })),
    db
      .insertInto('t')
      .values({ id: 3, price: 1, qty: 1 })
      .onConflict((oc) => oc.column('id').doUpdateSet({ price: -1 })),
    db
      .insertInto('t')
      .values({ id: 3, price: -1, qty: 1 })
      .onConflict((oc) => oc.column('id').doUpdateSet({ price: 5 })),
    db.selectFrom('t').selectAll().orderBy('id'),
  ])
  both('check constraints in raw create table: named, unnamed, column level', undefined, async (db, { sql }) => {
    await sql`create table w (id integer primary key, y real check (y > 0), z integer, constraint zsmall check (z < 10), check (y + z < 100))`.execute(
      db,
    )
    return rawOutcomes(
      db,
      sql,
      [
        'insert into w (y, z) values (-1, 1)',
        'insert into w (y, z) values (1, 11)',
        'insert into w (y, z) values (95, 9)',
        'insert into w (y, z) values (null, 1)',
        'insert or ignore into w (y, z) values (-5, 1)',
        'insert or replace into w (id, y, z) values (1, -3, 3)',
        'select * from w order by id',
      ],
      'message',
    )
  })

  both(
    'check constraints follow a renamed column; a column a check reads cannot be dropped',
    undefined,
    (db, { sql }) => [
      db.schema
        .createTable('t')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('price', 'real', (c) => c.check(sql`price >= 0`))
        .addColumn('qty', 'integer')
        .addColumn('note', 'text', (c) => c.check(sql`length(note) < 5`))
        .addCheckConstraint('t_total', sql`price * qty < 100`),
      db.insertInto('t').values({ price: 1, qty: 1, note: 'a' }),
      db.schema.alterTable('t').renameColumn('price', 'cost'),
      db.schema.alterTable('t').renameColumn('qty', 'n'),
      db.insertInto('t').values({ cost: -1, n: 1 }),
      db.insertInto('t').values({ cost: 50, n: 5 }),
      db.insertInto('t').values({ cost: 2, n: 2, note: 'toolong' }),
      db.insertInto('t').values({ cost: 2, n: 2 }),
      db.schema.alterTable('t').dropColumn('n'),
      db.schema.alterTable('t').dropColumn('note'),
      db.insertInto('t').values({ cost: 3, n: 3, note: 'still fine' }),
      db.selectFrom('t').selectAll().orderBy('id'),
    ],
  )
  both('unique is exact: case and type matter', undefined, (db) => [
    db.schema.createTable('t').addColumn('u', 'blob', (c) => c.unique()),
    db.insertInto('t').values([{ u: 'A' }, { u: 'a' }, { u: 1 }, { u: '1' }]),
    db.insertInto('t').values({ u: 1.0 }),
    db.selectFrom('t').selectAll(),
  ])

  both('composite unique constraint', undefined, (db) => [
    db.schema.createTable('t').addColumn('a', 'text').addColumn('b', 'text').addUniqueConstraint('t_ab', ['a', 'b']),
    db.insertInto('t').values([
      { a: 'x', b: 'y' },
      { a: 'x', b: 'z' },
      { a: 'x', b: null },
      { a: 'x', b: null },
    ]),
    db.insertInto('t').values({ a: 'x', b: 'z' }),
    db.selectFrom('t').selectAll(),
  ])

  both('not null column', undefined, (db) => [
    db.schema
      .createTable('t')
      .addColumn('a', 'text', (c) => c.notNull())
      .addColumn('b', 'text'),
    db.insertInto('t').values({ a: 'ok', b: null }),
    db.insertInto('t').values({ a: null, b: 'x' }),
    db.insertInto('t').values({ b: 'y' }),
    db.selectFrom('t').selectAll(),
  ])

  both('defaultTo of each kind', undefined, (db) => [
    db.schema
      .createTable('t')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('i', 'integer', (c) => c.defaultTo(42))
      .addColumn('r', 'real', (c) => c.defaultTo(1.5))
      .addColumn('s', 'text', (c) => c.defaultTo('hello'))
      .addColumn('n', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('z', 'text', (c) => c.defaultTo(null)),
    db.insertInto('t').values({ id: 1 }),
    db.insertInto('t').values({ id: 2, i: 7, s: null }),
    db.selectFrom('t').selectAll().orderBy('id'),
  ])

  both('defaultTo applies affinity: text default into an integer column', undefined, (db) => [
    db.schema
      .createTable('t')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('i', 'integer', (c) => c.defaultTo('12')),
    db.insertInto('t').values({ id: 1 }),
    db.selectFrom('t').selectAll(),
  ])

  both('references are kept but not enforced', undefined, (db) => [
    db.schema.createTable('parent').addColumn('id', 'integer', (c) => c.primaryKey()),
    db.schema
      .createTable('child')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('parent_id', 'integer', (c) => c.references('parent.id').onDelete('cascade')),
    db.insertInto('child').values({ id: 1, parent_id: 99 }),
    db.selectFrom('child').selectAll(),
  ])

  both('column names that need quoting', undefined, (db) => [
    db.schema.createTable('odd table').addColumn('select', 'integer').addColumn('a"b', 'text'),
    db.insertInto('odd table').values({ select: 1, 'a"b': 'q' }),
    db.selectFrom('odd table').selectAll(),
  ])
})
