import { expect } from 'chai'
import type { sql as Sql } from 'kysely'
import { both, diffSuite } from '../helpers/differential.js'
import { kysely028Api } from '../helpers/kysely-versions.js'
import { openSubject, type Db } from '../helpers/sides.js'

/* eslint-disable @typescript-eslint/no-explicit-any */

/** `docs(id integer primary key, body text)`: JSON documents, malformed ones apart in `bad`. */
async function seedDocs(db: Db): Promise<void> {
  await db.schema
    .createTable('docs')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('body', 'text')
    .execute()
  await db
    .insertInto('docs')
    .values([
      { id: 1, body: '{"a":{"b":[10,"x",{"c":true}]},"n":1.50,"s":"h\\u00e9","z":null}' },
      { id: 2, body: '{"a":{"b":[]},"n":-3,"s":"two words","arr":[1,2,3]}' },
      { id: 3, body: '[1, 2.5, "three", [4], {"five": 5}]' },
      { id: 4, body: '"just a string"' },
      { id: 5, body: '42' },
      { id: 6, body: null },
      { id: 7, body: ' { "a" : { "b" : [ 1 , 2 ] } , "big": 12345678901234567890 } ' },
    ])
    .execute()
}

type Make = (sql: typeof Sql) => ReturnType<typeof Sql>

/** JSON expressions over every document. */
const OVER_DOCS: Record<string, Make> = {
  "json_extract(body, '$.a.b[0]')": (sql) => sql`json_extract(body, '$.a.b[0]')`,
  "json_extract(body, '$.a.b')": (sql) => sql`json_extract(body, '$.a.b')`,
  "json_extract(body, '$.n')": (sql) => sql`json_extract(body, '$.n')`,
  "json_extract(body, '$.s') unescapes": (sql) => sql`json_extract(body, '$.s')`,
  "json_extract(body, '$.z') is null": (sql) => sql`json_extract(body, '$.z')`,
  "json_extract(body, '$.missing')": (sql) => sql`json_extract(body, '$.missing')`,
  "json_extract(body, '$')": (sql) => sql`json_extract(body, '$')`,
  "json_extract(body, '$[1]', '$[2]') of several paths": (sql) => sql`json_extract(body, '$[1]', '$[2]')`,
  "json_extract(body, '$.a.b[#-1]')": (sql) => sql`json_extract(body, '$.a.b[#-1]')`,
  "json_extract(body, '$.a.b[2].c') of a boolean": (sql) => sql`json_extract(body, '$.a.b[2].c')`,
  'typeof(json_extract(body, $.n))': (sql) => sql`typeof(json_extract(body, '$.n'))`,
  "body -> '$.a'": (sql) => sql`body -> '$.a'`,
  "body ->> '$.a'": (sql) => sql`body ->> '$.a'`,
  "body -> 's' quotes a string": (sql) => sql`body -> 's'`,
  "body ->> 's'": (sql) => sql`body ->> 's'`,
  "body -> 'n' keeps the number's text": (sql) => sql`body -> 'n'`,
  'body -> 2 and -> -1 index arrays': (sql) => sql`(body -> 2) || '|' || coalesce(body -> -1, 'none')`,
  "body -> 'a' -> 'b' ->> 0 chains": (sql) => sql`body -> 'a' -> 'b' ->> 0`,
  "body ->> '$.arr[1]' + 1": (sql) => sql`body ->> '$.arr[1]' + 1`,
  'json(body) minifies': (sql) => sql`json(body)`,
  'json_type(body)': (sql) => sql`json_type(body)`,
  "json_type(body, '$.a')": (sql) => sql`json_type(body, '$.a')`,
  "json_type(body, '$[1]')": (sql) => sql`json_type(body, '$[1]')`,
  'json_valid(body)': (sql) => sql`json_valid(body)`,
  'big integers turn real': (sql) => sql`typeof(body ->> 'big') || coalesce(body ->> 'big', '')`,
}

const CONSTANTS: Record<string, Make> = {
  'json_array of every kind': (sql) => sql`json_array(1, 2.0, 'x', null, -0.5, 'q"uote')`,
  'json_array()': (sql) => sql`json_array()`,
  json_object: (sql) => sql`json_object('a', 1, 'b', 'two', 'c', null, 'd', 1.25)`,
  'json_valid of bad text': (sql) =>
    sql`json_valid('{"a":') || json_valid('[1,]') || json_valid('') || json_valid('1')`,
  'json_valid(null)': (sql) => sql`json_valid(null)`,
  'json of a number': (sql) => sql`json(12)`,
  'json_extract of a number': (sql) => sql`json_extract(5, '$')`,
  'json_extract with a null path': (sql) => sql`json_extract('{"a":1}', null)`,
  'json_set of a member, a nested new member and an append': (sql) =>
    sql`json_set('{"a":1,"b":[1,2]}', '$.a', 10, '$.c.d', 'x', '$.b[#]', 3, '$.b[0]', json('{"z":true}'))`,
  'json_insert leaves what exists': (sql) => sql`json_insert('{"a":1}', '$.a', 2, '$.b', 2.5, '$.c[0]', 1)`,
  'json_replace changes only what exists': (sql) =>
    sql`json_replace('{"a":1,"b":[1]}', '$.a', null, '$.x', 1, '$.b[0]', 'q')`,
  'json_set of the root': (sql) => sql`json_set('[1]', '$', 5)`,
  json_remove: (sql) => sql`json_remove('{"a":1,"b":[1,2,3]}', '$.a', '$.b[1]', '$.missing')`,
  'json_remove of the root is null': (sql) => sql`json_remove('[1]', '$')`,
  'json_patch (RFC 7396)': (sql) =>
    sql`json_patch('{"a":1,"b":{"c":2,"d":3},"e":[1]}', '{"a":null,"b":{"c":9,"x":{"y":1}},"e":5}')`,
  json_array_length: (sql) =>
    sql`json_array_length('[1,2,[3]]') || json_array_length('{"a":[1,2]}', '$.a') || json_array_length('{}') || coalesce(json_array_length('[1]', '$[5]'), 'n')`,
  json_quote: (sql) => sql`json_quote('a"b') || json_quote(1.5) || json_quote(null) || json_quote(json('[1]'))`,
}

/** Date and time over fixed instants (never 'now', compared separately). */
const DATES: Record<string, Make> = {
  date: (sql) => sql`date('2024-02-29 13:14:15')`,
  time: (sql) => sql`time('2024-02-29 13:14:15.678')`,
  'datetime with T and a zone': (sql) => sql`datetime('2024-02-29T23:30:00+02:00')`,
  'datetime with Z': (sql) => sql`datetime('2024-02-29T23:30:00Z')`,
  'datetime of HH:MM': (sql) => sql`datetime('12:30')`,
  'datetime of a julian day number': (sql) => sql`datetime(2460000.5)`,
  'datetime of a julian day as text': (sql) => sql`datetime('2460000.25')`,
  'julianday of a date': (sql) => sql`julianday('2000-01-01')`,
  'julianday of a datetime': (sql) => sql`julianday('2024-03-01 06:00:00')`,
  unixepoch: (sql) => sql`unixepoch('2024-03-01 06:00:00')`,
  'unixepoch with subsec': (sql) => sql`unixepoch('2024-03-01 06:00:00.250', 'subsec')`,
  "datetime(n, 'unixepoch')": (sql) => sql`datetime(1700000000, 'unixepoch')`,
  "datetime(real, 'unixepoch')": (sql) => sql`datetime(1700000000.5, 'unixepoch', 'subsec')`,
  '+N days': (sql) => sql`date('2024-02-28', '+2 days')`,
  '-N hours and minutes': (sql) => sql`datetime('2024-01-01 00:00:00', '-3 hours', '+90 minutes')`,
  '+N seconds, fractional': (sql) => sql`datetime('2024-01-01 00:00:00', '+1.5 seconds', 'subsec')`,
  '+1 month past a month end': (sql) => sql`date('2024-01-31', '+1 month')`,
  '-13 months': (sql) => sql`date('2024-03-15', '-13 months')`,
  '+1 year from a leap day': (sql) => sql`date('2024-02-29', '+1 year')`,
  '+1.5 days': (sql) => sql`datetime('2024-01-01', '+1.5 days')`,
  'start of month': (sql) => sql`datetime('2024-05-17 10:11:12', 'start of month')`,
  'start of year': (sql) => sql`date('2024-05-17', 'start of year')`,
  'start of day': (sql) => sql`datetime('2024-05-17 10:11:12', 'start of day')`,
  'weekday 0': (sql) => sql`date('2024-05-17', 'weekday 0')`,
  'start of month, +1 month, -1 day': (sql) => sql`date('2024-02-10', 'start of month', '+1 month', '-1 day')`,
  'utc and localtime under UTC': (sql) => sql`datetime('2024-05-17 10:11:12', 'localtime', 'utc')`,
  'strftime %Y-%m-%d %H:%M:%S': (sql) => sql`strftime('%Y-%m-%d %H:%M:%S', '2024-07-04 09:08:07')`,
  'strftime %f %s %j %w %J': (sql) => sql`strftime('%f|%s|%j|%w|%J', '2024-03-01 12:34:56.789')`,
  'strftime %F %T %R %u %e %k %%': (sql) => sql`strftime('%F %T %R %u %e %k %%', '2024-03-03 05:06:07')`,
  'strftime %j at year end': (sql) => sql`strftime('%j', '2023-12-31 23:00:00')`,
  'strftime of an unknown conversion is null': (sql) => sql`strftime('%Q', '2024-01-01')`,
  // Round s27: the week, ISO-year and 12-hour conversions (SQLite 3.46's) were null here.
  'strftime %U %V %W %G %g, week 1 and 53 edges': (sql) =>
    sql`strftime('%U %V %W %G %g', '2021-01-03') || '|' || strftime('%U %V %W %G %g', '2020-12-31') || '|' ||
      strftime('%U %V %W %G %g', '2024-12-30 23:59:59') || '|' || strftime('%U %V %W %G %g', '2027-01-01')`,
  // Round s27: 'ceiling' and 'floor' (3.46), the ±HH:MM and ±YYYY-MM-DD HH:MM:SS shifts (3.42), %s
  // with 'subsec', a negative year in strftime, and 'auto' after another modifier.
  'date modifiers ceiling and floor after a month step': (sql) =>
    sql`date('2024-01-31', '+1 month') || '|' || date('2024-01-31', '+1 month', 'floor') || '|' ||
      date('2024-01-31', '+1 month', 'ceiling') || '|' || date('2023-03-31', '-1 month', 'floor') || '|' ||
      date('2024-02-29', '+1 year', 'floor') || '|' || date('2024-05-06', 'floor')`,
  'date time shifts: ±HH:MM and ±YYYY-MM-DD HH:MM:SS': (sql) =>
    sql`datetime('2024-05-06 07:08:09', '+02:30') || '|' || datetime('2024-05-06 07:08:09', '-01:00:30.5') || '|' ||
      datetime('2024-01-31 00:00', '+0001-01-01 01:02:03') || '|' || datetime('2024-03-31', '-0000-01-00', 'floor') || '|' ||
      datetime('2024-05-06', '+0000-00-40')`,
  'strftime %s with subsec, %Y and %F before year 1, auto only first': (sql) =>
    sql`strftime('%s', '2024-05-06 07:08:09.25', 'subsec') || '|' || strftime('%Y %F', '0000-01-01', '-1 day') || '|' ||
      datetime('0000-01-01', '-1 day') || '|' || coalesce(datetime('2024-01-01', '+1 day', 'auto'), 'null') || '|' ||
      datetime(1700000000, 'auto')`,
  'strftime %I %l %p %P at midnight, noon and evening': (sql) =>
    sql`strftime('%I %l %p %P', '2024-05-06 00:30:00') || '|' || strftime('%I %l %p %P', '2024-05-06 12:00:00') ||
      '|' || strftime('%I %l %p %P', '2024-05-06 21:08:09')`,
  'bad date is null': (sql) => sql`date('2024-13-01')`,
  'garbage is null': (sql) => sql`datetime('yesterday')`,
  'a bad modifier is null': (sql) => sql`date('2024-01-01', '+1 fortnight')`,
  'null modifier is null': (sql) => sql`date('2024-01-01', null)`,
  'day 31 of a 30-day month rolls over': (sql) => sql`date('2024-04-31')`,
  'time with fractional seconds and subsec': (sql) => sql`time('10:00:00.123456', 'subsec')`,
  'dates compare as text': (sql) => sql`date('2024-01-02') > date('2024-01-01', '+12 hours')`,
}

diffSuite('differential: JSON functions', () => {
  for (const [name, make] of Object.entries(OVER_DOCS)) {
    both(name, seedDocs, (db, { sql }) =>
      db
        .selectFrom('docs')
        .select(['id', (make(sql) as any).as('r')])
        .where('id', '!=', 8)
        .orderBy('id'),
    )
  }
  for (const [name, make] of Object.entries(CONSTANTS)) {
    both(name, undefined, (db, { sql }) => db.selectNoFrom((make(sql) as any).as('r')))
  }
  both('malformed JSON is an error', undefined, (db, { sql }) =>
    db.selectNoFrom(sql`json_extract('{"a":', '$.a')`.as('r')),
  )
  both('a bad path is an error', undefined, (db, { sql }) => db.selectNoFrom(sql`json_extract('{"a":1}', 'a')`.as('r')))
  both('json_array with a blob (not JSONB) is an error', undefined, (db, { sql }) =>
    db.selectNoFrom(sql`json_array(x'ff01')`.as('r')),
  )
  both("Kysely's eb.ref(col, '->>').key().at() (an operator chain)", seedDocs, (db) =>
    db
      .selectFrom('docs')
      .select((eb) => ['id', (eb.ref('body', '->>') as any).key('arr').at(0).as('r')])
      .where('id', '<', 3)
      .orderBy('id'),
  )
  both("Kysely's eb.ref(col, '->$').key().at() (a JSON path)", seedDocs, (db) =>
    db
      .selectFrom('docs')
      .select((eb) => ['id', (eb.ref('body', '->$') as any).key('a').key('b').at(1).as('r')])
      .where('id', '<', 3)
      .orderBy('id'),
  )
  both("Kysely's eb.ref(col, '->>$') in a where", seedDocs, (db) =>
    db
      .selectFrom('docs')
      .select('id')
      .where((eb) => eb((eb.ref('body', '->>$') as any).key('n'), '<', 0)),
  )
  both('json_extract through eb.fn, grouped', seedDocs, (db, { sql }) =>
    db
      .selectFrom('docs')
      .select([(eb) => eb.fn('json_type', ['body']).as('t'), (eb) => eb.fn.countAll().as('n')])
      .where(sql<any>`json_valid(body)`)
      .groupBy((eb) => eb.fn('json_type', ['body']))
      .orderBy('t'),
  )
})

/** `ev(id integer primary key, at text)` holding `at` values. */
async function seedEvents(db: Db, at: readonly (string | null)[]): Promise<void> {
  await db.schema
    .createTable('ev')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('at', 'text')
    .execute()
  await db
    .insertInto('ev')
    .values(at.map((v, i) => ({ id: i + 1, at: v })))
    .execute()
}

diffSuite('differential: date and time functions', () => {
  for (const [name, make] of Object.entries(DATES)) {
    both(name, undefined, (db, { sql }) => db.selectNoFrom((make(sql) as any).as('r')))
  }
  // SQLite 3.43's timediff: whole years and months counted on B's calendar, then days and time.
  both('timediff(A, B): forward, backward, across month ends and leap days', undefined, (db, { sql }) =>
    db.selectNoFrom([
      sql.raw(`timediff('2024-03-01', '2024-01-01')`).as('d0'),
      sql.raw(`timediff('2024-01-01 00:00:00', '2024-03-01 12:30:00.5')`).as('d1'),
      sql.raw(`timediff('2023-02-28', '2024-02-29')`).as('d2'),
      sql.raw(`timediff('2024-01-31', '2023-12-31')`).as('d3'),
      sql.raw(`timediff('2024-03-31', '2024-02-29')`).as('d4'),
      sql.raw(`timediff('2024-02-29', '2024-03-31')`).as('d5'),
      sql.raw(`timediff('2024-01-01 10:00:00', '2024-01-01 09:59:59.999')`).as('d6'),
      sql.raw(`timediff('2024-01-01', '2024-01-01')`).as('d7'),
      sql.raw(`timediff('2000-01-01', '1900-06-15 12:00')`).as('d8'),
      sql.raw(`timediff('1900-06-15 12:00', '2000-01-01')`).as('d9'),
      sql.raw(`timediff(2460000.5, '2023-01-01')`).as('d10'),
      sql.raw(`timediff('2024-05-31', '2024-02-29 23:59')`).as('d11'),
      sql.raw(`timediff('x', '2024-01-01')`).as('d12'),
      sql.raw(`timediff(null, '2024-01-01')`).as('d13'),
      sql.raw(`timediff('2024-03-31 00:00', '2024-01-31 00:00:01')`).as('d14'),
      sql.raw(`timediff('2024-01-31 00:00:01', '2024-03-31 00:00')`).as('d15'),
      sql.raw(`timediff('2024-12-31 23:59:59.999', '0001-01-01')`).as('d16'),
    ]),
  )
  both('date functions over a column', undefined, async (db, { sql }) => {
    await seedEvents(db, ['2024-01-15 08:00:00', '2024-02-20 23:59:59', '2024-02-01', 'not a date', null])
    return db
      .selectFrom('ev')
      .select([
        'id',
        sql`strftime('%Y-%m', at)`.as('month'),
        sql`julianday(at) - julianday('2024-01-01')`.as('days'),
        sql`date(at, 'start of month', '+1 month', '-1 day')`.as('month_end'),
      ])
      .where(sql<any>`at >= date('2024-02-01') or at is null`)
      .orderBy('id')
      .execute()
  })
  both('group by month', undefined, async (db, { sql }) => {
    await seedEvents(
      db,
      Array.from({ length: 12 }, (_, i) => `2024-0${1 + (i % 3)}-1${i % 9} 10:00:00`),
    )
    return db
      .selectFrom('ev')
      .select([sql`strftime('%m', at)`.as('m'), (eb) => eb.fn.countAll().as('n')])
      .groupBy(sql`strftime('%m', at)`)
      .orderBy('m')
      .execute()
  })
})

describe("date functions: 'now' (kysely-btree alone)", () => {
  it("'now' has the right shape, is near the clock, and is one instant within a statement", async () => {
    const side = await openSubject(kysely028Api)
    const { sql } = kysely028Api
    try {
      await side.db.schema
        .createTable('n')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .execute()
      await side.db
        .insertInto('n')
        .values(Array.from({ length: 300 }, (_, i) => ({ id: i })))
        .execute()
      const before = Date.now()
      const rows = (await side.db
        .selectFrom('n')
        .select([
          sql<string>`datetime('now')`.as('dt'),
          sql<string>`date()`.as('d'),
          sql<string>`time('now')`.as('t'),
          sql<number>`unixepoch('now')`.as('u'),
          sql<string>`strftime('%Y-%m-%d %H:%M:%f', 'now')`.as('f'),
          sql<string>`current_timestamp`.as('ct'),
          sql<number>`julianday('now')`.as('j'),
        ])
        .execute()) as { dt: string; d: string; t: string; u: number; f: string; ct: string; j: number }[]
      const after = Date.now()
      expect(rows).to.have.length(300)
      const first = rows[0]!
      expect(first.dt).to.match(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/)
      expect(first.d).to.equal(first.dt.slice(0, 10))
      expect(first.t).to.equal(first.dt.slice(11))
      expect(first.ct).to.equal(first.dt)
      expect(first.f.slice(0, 19)).to.equal(first.dt)
      expect(first.u * 1000).to.be.within(Math.floor(before / 1000) * 1000, after)
      expect((first.j - 2440587.5) * 86400000).to.be.within(before - 1, after + 1)
      // Every row of the statement sees the same instant, to the millisecond.
      for (const r of rows) expect(r).to.deep.equal(first)
    } finally {
      await side.close()
    }
  })
})
