import { both, diffSuite } from '../helpers/differential.js'
import { seedMixed } from '../helpers/fixtures.js'
import type { Db } from '../helpers/sides.js'

/** `v(id integer primary key, i integer, r real, t text, b blob, n numeric)`, empty. */
async function columns(db: Db): Promise<void> {
  await db.schema
    .createTable('v')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('i', 'integer')
    .addColumn('r', 'real')
    .addColumn('t', 'text')
    .addColumn('b', 'blob')
    .addColumn('n', 'numeric')
    .execute()
}

/** One value into every column of `v`, then the row back, and each column divided by 5. */
function roundTrip(value: unknown) {
  return (db: Db) => [
    db.insertInto('v').values({ id: 1, i: value, r: value, t: value, b: value, n: value }),
    db.selectFrom('v').selectAll(),
    // Division by an integer shows the storage class: 12 / 5 is 2, 12.0 / 5 is 2.4, '12' / 5 is 2.
    db
      .selectFrom('v')
      .select((eb) => [
        eb('i', '/', 5).as('i5'),
        eb('r', '/', 5).as('r5'),
        eb('t', '/', 5).as('t5'),
        eb('b', '/', 5).as('b5'),
        eb('n', '/', 5).as('n5'),
      ]),
  ]
}

diffSuite('differential: values and affinity', () => {
  both('an integer into every affinity', columns, roundTrip(12))
  both('a real into every affinity', columns, roundTrip(12.5))
  both('a whole real-looking text into every affinity', columns, roundTrip('12.0'))
  both('text digits into every affinity', columns, roundTrip('12'))
  both('non-numeric text into every affinity', columns, roundTrip('12abc'))
  both('a negative number into every affinity', columns, roundTrip(-7))
  both('a large integer (2^40) into every affinity', columns, roundTrip(2 ** 40))
  both('a bigint beyond 2^53 comes back as a number, as better-sqlite3 gives it', columns, roundTrip(2n ** 60n + 1n))
  both('true and false are stored as 1 and 0', columns, (db) => [
    db.insertInto('v').values([
      { id: 1, i: true, r: true, t: true, b: true, n: true },
      { id: 2, i: false, r: false, t: false, b: false, n: false },
    ]),
    db.selectFrom('v').selectAll(),
  ])
  both('a Buffer into every affinity stays a blob', columns, roundTrip(Buffer.from([0, 1, 254, 255])))
  both('a Uint8Array comes back as a Buffer', columns, roundTrip(new Uint8Array([9, 8, 7])))
  both('an empty blob and an empty string are different', columns, (db) => [
    db.insertInto('v').values([
      { id: 1, b: Buffer.alloc(0), t: '' },
      { id: 2, b: '', t: Buffer.alloc(0) },
    ]),
    db.selectFrom('v').selectAll(),
    db.selectFrom('v').select('id').where('b', '=', ''),
  ])
  both('null into every affinity', columns, roundTrip(null))
  both('a real with an exact integer value into an integer column becomes an integer', columns, (db) => [
    db.insertInto('v').values({ id: 1, i: 3.0, r: 3, n: 3.0 }),
    db.selectFrom('v').select((eb) => [eb('i', '/', 2).as('i2'), eb('r', '/', 2).as('r2'), eb('n', '/', 2).as('n2')]),
  ])
  both('unicode text survives', columns, (db) => [
    db.insertInto('v').values({ id: 1, t: 'naïve 日本語 🎉', b: 'ß' }),
    db.selectFrom('v').selectAll(),
  ])

  both('integer division truncates toward zero', columns, (db) => [
    db.insertInto('v').values({ id: 1 }),
    db
      .selectFrom('v')
      .select((eb) => [
        eb(eb.lit<number>(7), '/', eb.lit<number>(2)).as('a'),
        eb(eb.lit<number>(-7), '/', eb.lit<number>(2)).as('b'),
        eb(eb.lit<number>(7), '/', eb.lit<number>(-2)).as('c'),
        eb(eb.val<number>(7), '/', eb.val<number>(2)).as('d'),
        eb(eb.lit<number>(7), '/', eb.lit<number>(2.5)).as('e'),
        eb(eb.lit<number>(7), '%', eb.lit<number>(3)).as('f'),
        eb(eb.lit<number>(-7), '%', eb.lit<number>(3)).as('g'),
        eb(eb.lit<number>(1), '/', eb.lit<number>(0)).as('h'),
        eb(eb.lit<number>(5), '%', eb.lit<number>(0)).as('i'),
        eb(eb.lit<number>(7.5), '%', eb.lit<number>(2)).as('j'),
      ]),
  ])

  both('integer division of columns', columns, (db) => [
    db.insertInto('v').values([
      { id: 1, i: 7, r: 2 },
      { id: 2, i: -9, r: 4 },
      { id: 3, i: 1, r: 0 },
    ]),
    db
      .selectFrom('v')
      .select((eb) => [
        'id',
        eb('i', '/', eb.ref('id')).as('q'),
        eb('i', '/', eb.ref('r')).as('qr'),
        eb('i', '%', 4).as('m'),
      ]),
  ])

  // Seeds 12-14 (e.g. seed 13 query 6: `select "id", "d", (? % "c") as "x" from "r"`): `%` casts
  // both operands to INTEGER, a zero divisor after the cast gives null, and the remainder of
  // integers is never -0.
  both('seed 13 q6: % casts both operands to integers', columns, (db) => [
    db.insertInto('v').values([
      { id: 1, i: 7, r: 0.5 },
      { id: 2, i: -4, r: 2.5 },
      { id: 3, i: 9, r: -1.5 },
      { id: 4, i: -9, r: 4 },
      { id: 5, i: 0, r: -3 },
      { id: 6, i: 5, t: '3abc', n: 7.9 },
    ]),
    db
      .selectFrom('v')
      .select((eb) => [
        'id',
        eb('i', '%', eb.ref('r')).as('i_mod_r'),
        eb('r', '%', eb.ref('i')).as('r_mod_i'),
        eb('i', '%', 2).as('i_mod_2'),
        eb('i', '%', eb.ref('t')).as('i_mod_t'),
        eb('n', '%', 3).as('n_mod_3'),
        eb(eb.val<number>(5), '%', eb.ref('r')).as('five_mod_r'),
      ])
      .orderBy('id'),
  ])

  both('division of a column by a parameter', columns, (db) => [
    db.insertInto('v').values([
      { id: 1, i: 7 },
      { id: 2, i: 10 },
    ]),
    db.selectFrom('v').select((eb) => ['id', eb('i', '/', 2).as('half'), eb('i', '/', 2.5).as('part')]),
  ])

  both('arithmetic with null is null', columns, (db) => [
    db.insertInto('v').values({ id: 1, i: null, r: 2 }),
    db
      .selectFrom('v')
      .select((eb) => [eb('i', '+', 1).as('a'), eb('r', '*', eb.ref('i')).as('b'), eb('t', '||', 'x').as('c')]),
  ])

  both('arithmetic on text coerces it to a number', columns, (db) => [
    db.insertInto('v').values({ id: 1, t: '3abc', b: '4.5' }),
    db
      .selectFrom('v')
      .select((eb) => [eb('t', '+', 1).as('a'), eb('b', '*', 2).as('b'), eb('t', '-', eb.ref('t')).as('c')]),
  ])

  both('concatenation turns numbers into text', columns, (db) => [
    db.insertInto('v').values({ id: 1, i: 5, r: 0.5, t: 'x' }),
    db
      .selectFrom('v')
      .select((eb) => [
        eb('i', '||', eb.ref('t')).as('a'),
        eb('r', '||', eb.ref('i')).as('b'),
        eb(eb('t', '||', eb.ref('r')), '||', eb.ref('t')).as('c'),
      ]),
  ])

  both('integer overflow in addition becomes a real', columns, (db) => [
    db.insertInto('v').values({ id: 1, i: 9223372036854775807n }),
    db.selectFrom('v').select((eb) => [eb('i', '+', 1).as('a'), eb('i', '-', 1).as('b')]),
  ])

  // Seed 114619, write 35 (`update "r" set "c" = "c" * 0`): SQLite keeps a whole-valued REAL as an
  // integer on disk, so a stored -0.0 reads back as 0; a computed -0.0 is returned as it is.
  both('seed 114619 w35: a stored negative zero reads back as 0', columns, (db) => [
    db.insertInto('v').values([
      { id: 1, r: -1.5, n: -2.5, b: -0.5 },
      { id: 2, r: 2, n: 0, b: 1 },
    ]),
    db.updateTable('v').set((eb) => ({ r: eb('r', '*', 0), n: eb('n', '*', 0), b: eb('b', '*', 0) })),
    db.selectFrom('v').select(['id', 'r', 'n', 'b']).orderBy('id'),
  ])

  both('integer arithmetic never gives a negative zero', columns, (db) => [
    db.insertInto('v').values({ id: 1, i: 0, n: 0 }),
    db
      .selectFrom('v')
      .select((eb) => [
        eb('i', '*', -1).as('a'),
        eb('n', '*', -3).as('b'),
        eb(eb.neg('i'), '+', 0).as('c'),
        eb('i', '/', -5).as('d'),
      ]),
    db.updateTable('v').set((eb) => ({ i: eb('i', '*', -1), t: eb('i', '*', -1) })),
    db.selectFrom('v').select(['i', 't']),
  ])

  both('a computed negative zero', columns, (db) => [
    db.insertInto('v').values({ id: 1, r: -1.5 }),
    db.selectFrom('v').select((eb) => ['id', eb('r', '*', 0).as('z')]),
  ])

  both('cross-type equality: text never equals a number in an untyped column', seedMixed, (db) => [
    db.selectFrom('kv').select('k').where('v', '=', '10'),
    db.selectFrom('kv').select('k').where('v', '=', 10),
    db.selectFrom('kv').select('k').where('v', '=', 2),
  ])

  both('cross-type comparison: numbers below text below blobs', seedMixed, (db) => [
    db.selectFrom('kv').select('k').where('v', '<', 'A'),
    db.selectFrom('kv').select('k').where('v', '>', 1000000),
    db.selectFrom('kv').select('k').where('v', '>', 'zzz'),
    db
      .selectFrom('kv')
      .select('k')
      .where('v', '<', Buffer.from([0])),
    db
      .selectFrom('kv')
      .select('k')
      .where('v', '>=', Buffer.from([1])),
  ])

  both('integer and real compare by value', seedMixed, (db) => [
    db.selectFrom('kv').select('k').where('v', '=', 2.0),
    db.selectFrom('kv').select('k').where('v', '<', 2.5),
    db.selectFrom('kv').select('k').where('v', '>', 1.9999),
  ])

  both('an integer column compared with text digits applies affinity', columns, (db) => [
    db.insertInto('v').values([
      { id: 1, i: 5, t: '5' },
      { id: 2, i: 50, t: '50' },
    ]),
    db.selectFrom('v').select('id').where('i', '=', '5'),
    db.selectFrom('v').select('id').where('i', '<', '10'),
    db.selectFrom('v').select('id').where('t', '=', 5),
    db.selectFrom('v').select('id').where('t', '<', 10),
  ])

  both('text compares by bytes, not by collation', columns, (db) => [
    db.insertInto('v').values([
      { id: 1, t: 'a' },
      { id: 2, t: 'B' },
      { id: 3, t: 'é' },
      { id: 4, t: 'ab' },
      { id: 5, t: '' },
    ]),
    db.selectFrom('v').select(['id', 't']).orderBy('t').orderBy('id'),
    db.selectFrom('v').select('id').where('t', '<', 'b'),
  ])

  both('blobs compare by bytes, shorter prefix first', columns, (db) => [
    db.insertInto('v').values([
      { id: 1, b: Buffer.from([1, 2]) },
      { id: 2, b: Buffer.from([1]) },
      { id: 3, b: Buffer.from([0, 255]) },
      { id: 4, b: Buffer.from([2]) },
    ]),
    db.selectFrom('v').select(['id', 'b']).orderBy('b', 'desc'),
    db
      .selectFrom('v')
      .select('id')
      .where('b', '=', Buffer.from([1, 2])),
  ])

  both('reals and integers interleave in order', columns, (db) => [
    db.insertInto('v').values([
      { id: 1, n: 2 },
      { id: 2, n: 1.5 },
      { id: 3, n: -0.5 },
      { id: 4, n: 10 },
      { id: 5, n: '3' },
      { id: 6, n: 'x' },
    ]),
    db.selectFrom('v').select(['id', 'n']).orderBy('n').orderBy('id'),
  ])
})
