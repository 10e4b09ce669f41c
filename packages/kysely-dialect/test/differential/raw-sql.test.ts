import type { AliasableExpression, RawBuilder, sql as Sql } from 'kysely'
import { both, diffSuite, rawOutcomes } from '../helpers/differential.js'
import { seedMixed, seedPeople } from '../helpers/fixtures.js'

/* eslint-disable @typescript-eslint/no-explicit-any */
type Make = (sql: typeof Sql) => RawBuilder<unknown> | AliasableExpression<unknown>

/** Raw fragments in a selection over every row of `people`. */
const SELECTED: Record<string, Make> = {
  'sql.ref': (sql) => sql.ref('name'),
  'sql.ref qualified': (sql) => sql.ref('people.age'),
  'sql.val': (sql) => sql.val(42),
  'sql.lit of a string': (sql) => sql.lit('x'),
  'sql.lit of a real': (sql) => sql.lit(1.5),
  'sql.id': (sql) => sql`${sql.id('people', 'city')}`,
  'sql.table then a column': (sql) => sql`${sql.table('people')}.score`,
  'sql.raw of an expression': (sql) => sql.raw('age * 2 + 1'),
  'concatenation with a literal': (sql) => sql`${sql.ref('name')} || ' ' || ${sql.ref('city')}`,
  'coalesce(x, 0) + 1': (sql) => sql`coalesce(${sql.ref('age')}, 0) + 1`,
  'precedence: a + b * c': (sql) => sql`age + id * 2`,
  'precedence: (a + b) * c': (sql) => sql`(age + id) * 2`,
  'precedence: a - b - c': (sql) => sql`age - id - 3`,
  'precedence: || binds tighter than +': (sql) => sql`id + id || 1`,
  'unary minus and ~': (sql) => sql`-age + ~id`,
  'integer and real literals': (sql) => sql`1.0 + 2 * 1e2 + 0x10 + .5`,
  'division: integers and reals': (sql) => sql`age / 7 || ':' || age / 7.0`,
  'comparison result': (sql) => sql`age >= 30`,
  'and / or / not': (sql) => sql`age > 20 and not city = 'Paris' or id = 3`,
  'not binds looser than =': (sql) => sql`not age = 25`,
  'in list': (sql) => sql`age in (25, 30, null)`,
  'not in list': (sql) => sql`id not in (1, 2)`,
  'in and not in an empty list, of a null too': (sql) => sql`(age in ()) || (age not in ())`,
  'in with sql.join': (sql) => sql`id in (${sql.join([1, 3, 5])})`,
  between: (sql) => sql`score between 0 and 9.5`,
  'not between': (sql) => sql`age not between 20 and 40`,
  like: (sql) => sql`name like 'a%'`,
  'not like': (sql) => sql`name not like '%e'`,
  'like ... escape': (sql) => sql`name like 'al!_%' escape '!'`,
  'not like ... escape of a percent': (sql) => sql`name not like '%!%' escape '!'`,
  'like() with an escape': (sql) => sql`like('%#_%', name, '#')`,
  glob: (sql) => sql`name glob '*e'`,
  'glob is case-sensitive': (sql) => sql`name glob 'a*'`,
  'glob with a class and ?': (sql) => sql`name glob '[A-D]?*'`,
  'glob with a negated class': (sql) => sql`city not glob '[^P]*'`,
  'glob()': (sql) => sql`glob('*o*', name)`,
  'is null': (sql) => sql`age is null`,
  'is not null': (sql) => sql`city is not null`,
  isnull: (sql) => sql`age isnull`,
  notnull: (sql) => sql`age notnull`,
  'not null': (sql) => sql`city not null`,
  'is with a value': (sql) => sql`age is 25`,
  'is not distinct from': (sql) => sql`age is not distinct from 30`,
  'is distinct from': (sql) => sql`age is distinct from null`,
  // Seed 2041100473: SQLite drops the parentheses, so `is not (true)` is a truth test, not `is not 1`.
  'is not (true) is a truth test': (sql) => sql`1 || ' 3x' is not (true) is not id`,
  'is ((false)) and is (true)': (sql) => sql`(score is ((false))) || (age is (true))`,
  'case when': (sql) => sql`case when age < 30 then 'young' when age is null then '?' else 'old' end`,
  'simple case': (sql) => sql`case city when 'Paris' then 1 when 'Berlin' then 2 end`,
  'cast to integer': (sql) => sql`cast(score as integer)`,
  'cast to text of an expression': (sql) => sql`cast(age + 1 as text)`,
  'cast to varchar(10)': (sql) => sql`cast(id as varchar(10))`,
  'functions nested': (sql) => sql`upper(substr(name, 1, 2)) || lower(substr(name, 3))`,
  'scalar max of several arguments': (sql) => sql`max(age, id * 10)`,
  'string with a quote': (sql) => sql`'it''s ' || name`,
  'blob literal': (sql) => sql`hex(x'00ff') || typeof(x'01')`,
  'quoted identifiers': (sql) => sql`"name" || [city] || \`id\``,
  'a value parameter in an operation': (sql) => sql`age + ${5}`,
  'a string parameter compared': (sql) => sql`name = ${'Alice'}`,
  'scalar subquery in text': (sql) => sql`(select count(*) from people p2 where p2.age < people.age)`,
  'exists in text': (sql) => sql`exists (select 1 from people p2 where p2.id = people.id + 1)`,
  'not exists in text': (sql) => sql`not exists (select 1 from people p2 where p2.age > people.age)`,
  'in (select ...) in text': (sql) => sql`age in (select age from people where city = 'Berlin')`,
  'true and false keywords': (sql) => sql`true + false * 2`,
  'comments are skipped': (sql) => sql`age /* the age */ + 1`,
  'bit operators': (sql) => sql`id & 3 | 4 << 1`,
  'modulo and typeof': (sql) => sql`typeof(score % 2) || (id % 3)`,
}

diffSuite('differential: raw sql in builder queries', () => {
  for (const [name, make] of Object.entries(SELECTED)) {
    both(name, seedPeople, (db, { sql }) =>
      db
        .selectFrom('people')
        .select(['id', (make(sql) as any).as('r')])
        .orderBy('id'),
    )
  }

  both('aggregate: sql<number>`count(*)`', seedPeople, (db, { sql }) =>
    db.selectFrom('people').select(sql<number>`count(*)`.as('n')),
  )
  both('aggregates in raw text with group by and having', seedPeople, (db, { sql }) =>
    db
      .selectFrom('people')
      .select(['city', sql`max(${sql.ref('age')})`.as('oldest'), sql`sum(score) * 2`.as('s'), sql`avg(age)`.as('a')])
      .groupBy('city')
      .having(sql<any>`count(*) >= 1`)
      .orderBy('city'),
  )
  both('count(distinct ...) and total in raw text', seedPeople, (db, { sql }) =>
    db
      .selectFrom('people')
      .select([sql`count(distinct age)`.as('d'), sql`total(score)`.as('t'), sql`group_concat(id)`.as('g')]),
  )
  both('an aggregate with filter', seedPeople, (db, { sql }) =>
    db.selectFrom('people').select(sql`count(*) filter (where age > 25)`.as('n')),
  )
  both('raw where', seedPeople, (db, { sql }) =>
    db
      .selectFrom('people')
      .select('id')
      .where(sql<any>`age > ${20} and city like 'p%'`)
      .orderBy('id'),
  )
  both('raw where on the primary key (planned)', seedPeople, (db, { sql }) =>
    db
      .selectFrom('people')
      .select('name')
      .where(sql<any>`id = ${3}`),
  )
  both('raw where with a range on the primary key', seedPeople, (db, { sql }) =>
    db
      .selectFrom('people')
      .select('name')
      .where(sql<any>`id between 2 and 4`)
      .orderBy('id'),
  )
  both('raw order by', seedPeople, (db, { sql }) =>
    db
      .selectFrom('people')
      .select('id')
      .orderBy(sql`coalesce(age, 0) desc, id`),
  )
  both('raw order by with a direction', seedPeople, (db, { sql }) =>
    db
      .selectFrom('people')
      .select('id')
      .orderBy(sql`length(name)`, 'desc')
      .orderBy('id'),
  )
  both('raw group by', seedPeople, (db, { sql }) =>
    db
      .selectFrom('people')
      .select([sql`age / 10`.as('decade'), (eb) => eb.fn.countAll().as('n')])
      .groupBy(sql`age / 10`)
      .orderBy('decade'),
  )
  // Found in round s27 by hand beside the random runs: an integer literal in order by or group by
  // names a result column (SQLite's resolveOrderGroupBy); `groupBy(sql\`1\`)` grouped every row
  // under the constant 1, and `orderBy(sql.lit(2))` sorted by a constant. A bound value
  // (`sql\`${2}\``) stays a constant.
  both('raw and literal positions in order by and group by', seedPeople, (db, { sql }) => [
    db
      .selectFrom('people')
      .select(['city', (eb) => eb.fn.countAll().as('n')])
      .groupBy(sql`1`)
      .orderBy(sql`2`, 'desc')
      .orderBy(sql.lit(1)),
    db.selectFrom('people').select(['name', 'id']).orderBy(sql.lit(1)),
    db
      .selectFrom('people')
      .selectAll()
      .orderBy(sql`3`)
      .orderBy('id'),
    db
      .selectFrom('people')
      .select(['id', 'name'])
      .orderBy(sql`${2}`)
      .orderBy('id'),
    db.selectFrom('people').select(['id', 'name']).orderBy(sql.lit(3)),
    db
      .selectFrom('people')
      .select(['city', (eb) => eb.fn.countAll().as('n')])
      .groupBy(sql.lit(2)),
  ])
  both('raw in a function argument', seedPeople, (db, { sql }) =>
    db
      .selectFrom('people')
      .select(['id', (eb) => eb.fn('upper', [sql`name || '!'`]).as('r')])
      .orderBy('id'),
  )
  both('raw values and set', seedPeople, (db, { sql }) => [
    db.insertInto('people').values({ id: 9, name: sql`'Z' || ${'ed'}`, age: sql`20 + 2`, score: sql`1.0` }),
    db
      .updateTable('people')
      .set({ age: sql`age + 1`, city: sql`upper(city)` })
      .where(sql<any>`id < 3`),
    db.selectFrom('people').selectAll().orderBy('id'),
  ])
  both('raw in a join condition', seedPeople, (db, { sql }) =>
    db
      .selectFrom('people as a')
      .innerJoin('people as b', (join) => join.on(sql<any>`a.age = b.age and a.id < b.id`))
      .select(['a.id as x', 'b.id as y'])
      .orderBy('x')
      .orderBy('y'),
  )
  both('raw limit and offset', seedPeople, (db, { sql }) =>
    db
      .selectFrom('people')
      .select('id')
      .orderBy('id')
      .limit(sql<any>`1 + 1`)
      .offset(sql<any>`2`),
  )
  both('a raw fragment holding a builder subquery', seedPeople, (db, { sql }) =>
    db
      .selectFrom('people')
      .select(['id', sql`${db.selectFrom('people as q').select((eb) => eb.fn.max('q.age').as('m'))} - age`.as('r')])
      .orderBy('id'),
  )
  both('raw over every storage class', seedMixed, (db, { sql }) =>
    db
      .selectFrom('kv')
      .select(['k', sql`typeof(v) || ':' || coalesce(v, 'null')`.as('r'), sql`v = 2`.as('two')])
      .orderBy('k'),
  )
  both('raw sources: sql.table(...).as(x) and a parenthesised select in raw text', seedPeople, (db, { sql }) =>
    db
      .selectFrom([sql.table('people').as('p'), sql`(select 3 as k union all select 5)`.as('s')])
      .select(['p.name', 's.k'])
      .whereRef('p.id', '=', 's.k' as any)
      .orderBy('s.k'),
  )
  both('an unknown function in raw text is an error', seedPeople, (db, { sql }) =>
    db.selectFrom('people').select(sql`no_such_fn(id)`.as('x')),
  )
  both('a syntax error in raw text is an error', seedPeople, (db, { sql }) =>
    db.selectFrom('people').select(sql`id +`.as('x')),
  )
  both('an unknown column in raw text is an error', seedPeople, (db, { sql }) =>
    db.selectFrom('people').select(sql`nope + 1`.as('x')),
  )
})

diffSuite('differential: whole raw statements', () => {
  both('select with where, order and limit', seedPeople, async (db, { sql }) => {
    const r = await sql`select id, name from people where age > ${20} order by id limit 3`.execute(db)
    return r.rows
  })
  both('select *, an expression named by its text, order by position', seedPeople, async (db, { sql }) => {
    const r = await sql`select id, age+1, count(*) over_name, * from people group by id order by 1 desc`.execute(db)
    return r.rows
  })
  both('count(*) named by its text', seedPeople, async (db, { sql }) => {
    const r = await sql`SELECT count(*), max(age) AS m FROM people;`.execute(db)
    return r.rows
  })
  both('group by / having / order by an alias', seedPeople, async (db, { sql }) => {
    const r =
      await sql`select city, count(*) as n from people group by city having count(*) >= 1 order by n desc, city`.execute(
        db,
      )
    return r.rows
  })
  // Found beside seed 1185230495 of part2-random-functions (abs of the text '-0'): a minus over a
  // real literal is the negative literal in SQLite (-0.0 and -(0.0) are -0.0, -(0.0 * 5) is 0.0),
  // round() to no digits never gives -0.0, scalar min() takes the last of equal values and max()
  // the first, and round() leaves a value beyond 2^52 as it is.
  both('negative zero: real literals, round(), scalar min() and max()', undefined, async (db, { sql }) => {
    const r = await sql`select -0.0 as a, -(0.0) as b, -(0.0 * 5) as c, - -0.0 as d, -.0 as e, -0e0 as f,
      abs(-0.0) as g, coalesce(null, -0.0) as h, -0.0 / 1 as i, round(-0.4) as j, round(-0.0) as k,
      round(-0.04, 1) as l, min(0, -0.0) as m, min(-0.0, 0) as n, max(0, -0.0) as o, max(-0.0, 0) as p,
      round(4503599627370497.0) as q, round(-4503599627370495.5) as r, typeof(min(1, 1.0)) as s,
      typeof(max(1, 1.0)) as t`.execute(db)
    return r.rows
  })
  // Round s27: positions after a `*` were refused (BTREE_SQL_UNSUPPORTED), `group by 1` grouped
  // every row together, a subquery in from needed an alias, and `order by -1` was a constant.
  both('positions: order by and group by a column number, through *, out of range', seedPeople, async (db, { sql }) => {
    return rawOutcomes(
      db,
      sql,
      [
        'select * from people order by 3 desc, 1',
        'select p.*, id * 2 as twice from people p order by 6 desc, 1',
        'select city, count(*) as n from people group by 1 order by 2 desc, 1',
        'select count(*) as n, city from people group by 2 order by 2',
        'select * from (select city, max(age) as oldest from people group by 1) order by 2 desc, 1',
        'select count(*) as n from (select distinct city from people)',
        'select city from people union select name from people order by 1 desc',
        'select * from people order by 0',
        'select id from people order by 2',
        'select id from people order by -1',
        'select id from people order by +1 desc',
        'select city, count(*) from people group by 2',
        'select city from people group by 3',
      ],
      'message',
    )
  })
  // Round s28: VALUES as a select was BTREE_SQL_UNSUPPORTED.
  both(
    'VALUES as a select: alone, in from, in a common table, in in (...), leading a compound',
    undefined,
    async (db, { sql }) =>
      rawOutcomes(
        db,
        sql,
        [
          'with t(x, y) as (values (1, 2), (3, 4)) select * from t order by x desc',
          "select * from (values (1, 'a'), (2, 'b')) order by column1",
          'values (1, 2), (3, 4)',
          "values (1, 'a'), (1, 'a'), (null, 2.5)",
          'select column1 from (values (5), (6)) order by 1 desc',
          'select 1 in (values (1), (2)) as a, 3 in (values (1), (2)) as b, (1, 2) in (values (1, 2)) as c',
          'select * from (values (1), (2), (1) union select 1 union all values (9)) order by 1',
          'select * from (values (1), (2)) limit 1 offset 1',
          'with recursive c(n) as (values (1) union all select n + 1 from c where n < 3) select * from c',
          "select x from (select column2 as x from (values (1, 'q'), (2, 'r'))) order by x",
          "select typeof(column1) as a, typeof(column2) as b from (values (1, '2'))",
          'values (1, 2), (3)',
          'values (3), (1), (2) order by 1',
        ],
        'failed',
      ),
  )
  // Round s28: sign(), concat(), concat_ws(), randomblob() and the math functions were unknown (the
  // oracle is SQLite's own: sql.js's legacy JavaScript versions of them are off, test/helpers).
  both('sign, concat, concat_ws, randomblob and the math functions', undefined, async (db, { sql }) =>
    rawOutcomes(
      db,
      sql,
      [
        "select sign(-3) as a, sign(0) as b, sign(2.5) as c, sign('x') as d, sign(null) as e, sign('-2abc') as f, typeof(sign(2)) as g, typeof(sign(-2.5)) as h, sign(x'2d31') as i",
        "select concat('a', null, 1, 2.5) as a, concat(null) as b, typeof(concat(1)) as c, concat(x'41', 'b') as d, concat(1.0, 'x') as e",
        "select concat_ws(null, 'a') as a, concat_ws(',', null) as b, concat_ws(', ', 1, 2.0, null, 'z') as c",
        'select concat() as a',
        "select length(randomblob(0)) as a, length(randomblob(-5)) as b, typeof(randomblob(2)) as c, length(randomblob(null)) as d, length(randomblob('3')) as e",
        "select sqrt('16') as a, sqrt('x') as b, sqrt('16abc') as c, sqrt(x'3136') as d, sqrt(-1) as e, typeof(sqrt(16)) as f, sqrt(' 16 ') as g, sqrt(null) as h",
        'select exp(1) as a, ln(1) as b, log10(1000) as c, log2(8) as d, degrees(1) as e, radians(1) as f, sinh(1) as g, acos(2) as h, asin(1) as i, atan(1) as j',
        'select tan(1) as a, cosh(0) as b, tanh(0.5) as c, asinh(1) as d, acosh(1) as e, atanh(0.5) as f, sin(0) as g, cos(0) as h, pi() as i, typeof(pi()) as j',
        "select pow(2, 0.5) as a, power(-8, 1.0 / 3) as b, mod(-7, 3) as c, mod(7.5, 2) as d, mod(1, 0) as e, atan2(0, -1) as f, pow('2', '3') as g, pow('x', 2) as h",
        "select pow('2abc', 2) as a, pow(x'32', 2) as b, mod('7', '3') as c, pow(' 2 ', 2) as d, pow(2, null) as e, typeof(mod(7, 3)) as f",
        "select ceil('2.5') as a, ceil('x') as b, ceil(2) as c, typeof(ceil(2)) as d, ceil(2.0) as e, typeof(ceil(2.5)) as f, ceil('3') as g, typeof(ceil('3')) as h, ceiling(-0.5) as i, floor(-0.5) as j, trunc(2.7) as k, trunc(-0.5) as l",
        "select ceil(1e300) as a, floor(-1e300) as b, typeof(floor(9223372036854775807)) as c, ceil(x'32') as d, ceil('-0.5') as e, floor(-0.0) as f",
        "select ceil('1e3') as a, typeof(ceil('1e3')) as b, typeof(ceil(' 7 ')) as c, log(2, '8abc') as d, log(2, null) as e, log('8abc') as f, sign('1e3') as g",
        "select log('x') as a, log(0) as b, log(-1) as c, log(1, 8) as d, log(0.5, 8) as e, log(2, 0) as f, log(2, 8) as g, log(100) as h, ln(0) as i, log2(-1) as j, log(x'38') as k",
      ],
      'failed',
    ),
  )
  // Round s28: last_insert_rowid(), changes() and total_changes() were unknown functions.
  both("the connection's counters: last_insert_rowid(), changes(), total_changes()", undefined, async (db, { sql }) =>
    rawOutcomes(db, sql, [
      'select changes() as c, total_changes() as t, last_insert_rowid() as r',
      'create table t (id integer primary key, x int)',
      'insert into t (x) values (1), (2), (3)',
      'select changes() as c, total_changes() as t, last_insert_rowid() as r',
      'update t set x = x + 1 where x > 1',
      'select * from t where id < 3',
      'select changes() as c, total_changes() as t, last_insert_rowid() as r',
      'delete from t where id = 99',
      'select changes() as c, total_changes() as t',
      'insert into t (id, x) values (1, 5) on conflict (id) do update set x = 50',
      'select changes() as c, total_changes() as t, last_insert_rowid() as r',
      'insert or ignore into t (id, x) values (1, 5)',
      'select changes() as c, total_changes() as t',
      'insert or replace into t (id, x) values (2, 9)',
      'select changes() as c, total_changes() as t, last_insert_rowid() as r',
      'insert into t (x) values (last_insert_rowid() * 10)',
      'create table k (k text primary key, v int)',
      "insert into k values ('a', 1)",
      'select changes() as c, total_changes() as t, last_insert_rowid() as r',
      'delete from t',
      'select changes() as c, total_changes() as t, typeof(changes()) as y',
    ]),
  )
  // Round s27: the where clause of a select without from was ignored (`select 1 where 0` gave a row).
  both('a select without from keeps its where', seedPeople, async (db, { sql }) => {
    const texts = [
      'select 1 as x where 0',
      'select 1 as x where null',
      "select 1 as x where '1'",
      'select 2 as x where exists (select 1 from people where age > 40)',
      'select 3 as x where (select count(*) from people) > 100',
      'select 1 as x where 0 union all select 2',
    ]
    const out = await rawOutcomes(db, sql, texts)
    out.push(
      await db
        .selectNoFrom(sql<number>`1`.as('x'))
        .where(sql<boolean>`0`)
        .execute(),
    )
    out.push(
      await db
        .selectNoFrom(sql<number>`1`.as('x'))
        .where(sql<boolean>`1`)
        .execute(),
    )
    return out
  })
  // Round s27: rowid, _rowid_ and oid were unknown columns; on a table with an integer primary key
  // they are that column (named as it in results, as SQLite names them).
  both('rowid, _rowid_ and oid name the integer primary key', seedPeople, async (db, { sql }) => {
    const texts = [
      'select rowid, name from people where rowid < 3 order by rowid',
      'select _rowid_, OID, people.rowid from people where id = 2',
      'select count(*) as n from people a join people b on a.rowid = b.id',
      'select rowid, * from people order by rowid desc limit 2',
      'update people set age = rowid * 10 where rowid = 1 returning rowid, age',
    ]
    return rawOutcomes(db, sql, texts)
  })
  // Round s27: alter table was not parsed (BTREE_SQL_UNSUPPORTED).
  both('alter table: add, rename and drop columns, rename the table', undefined, async (db, { sql }) => {
    return rawOutcomes(
      db,
      sql,
      [
        'create table v2 (a text, b integer)',
        "insert into v2 (a, b) values ('x', 1)",
        "alter table v2 add column c text default 'q'",
        'alter table v2 add d integer not null default 7 check (d > 0)',
        "insert into v2 (a, b, d) values ('y', 2, -1)",
        'alter table v2 rename column b to bb',
        'alter table v2 rename a to aa',
        'alter table v2 rename to v3',
        'select * from v3 order by bb',
        'alter table v3 drop column c',
        'alter table v3 drop d',
        'select * from v3 order by bb',
        'alter table v3 drop column nope',
        'alter table nowhere rename to v4',
      ],
      'failed',
    )
  })
  // Round s27: json_each was refused (table-valued functions were not parsed).
  both(
    'json_each: arrays, objects, paths, in a subquery, correlated to the outer query',
    seedPeople,
    async (db, { sql }) => {
      const out = await rawOutcomes(db, sql, [
        `select key, value, type, atom, parent, fullkey, path from json_each('[1, 2.5, "x", null, true, [3], {"a": 1}]')`,
        `select key, value, type, atom, fullkey, path from json_each('{"a": 1, "b c": [2], "d": {"e": null}}')`,
        `select key, value, fullkey, path from json_each('{"a": {"b": [10, 20]}}', '$.a.b')`,
        `select key, value, fullkey from json_each('5')`,
        'select count(*) as n from json_each(null)',
        `select j.value * 2 as d from json_each('[1,2,3]') as j where j.value > 1 order by d`,
        `select id from people where id in (select value from json_each('[1, 3, 99]')) order by id`,
        `select name, (select count(*) from json_each(json_array(people.id, people.age))) as n from people order by id`,
      ])
      out.push(
        await db
          .selectFrom('people')
          .select('id')
          .where(
            'id',
            'in',
            db.selectFrom(sql`json_each(${JSON.stringify([2, 4])})`.as('j')).select(sql<number>`j.value`.as('value')),
          )
          .orderBy('id')
          .execute(),
      )
      return out
    },
  )
  // Round s27: union kept the first of equal rows (SQLite keeps the last: 1 union 1.0 is a real),
  // and string_agg (SQLite 3.44) was unknown.
  both('union keeps the last of equal rows; string_agg', seedPeople, (db, { sql }) =>
    rawOutcomes(db, sql, [
      'select typeof(x) as t from (select 1 as x union select 1.0)',
      'select typeof(x) as t from (select 1.0 as x union select 1 union select 1.0)',
      "select string_agg(name, '-' order by id) as s from people",
      "select city, group_concat(distinct age) as a, string_agg(name, ', ' order by id) as n from people group by city order by city",
    ]),
  )
  // Round s27: with before insert / update / delete (builder and raw) and raw create / drop view
  // were BTREE_SQL_UNSUPPORTED.
  both('with before insert, update and delete; raw create and drop view', seedPeople, async (db, { sql }) => {
    const out: unknown[] = await rawOutcomes(db, sql, [
      'create table log (k text primary key, n integer)',
      'with x(k, n) as (select city, count(*) from people where city is not null group by city) insert into log select k, n from x returning *',
      "with recursive c(i) as (select 1 union all select i + 1 from c where i < 3) update log set n = n + (select sum(i) from c) where k = 'Berlin' returning *",
      "with gone as (select 'Lyon' as k) delete from log where k in (select k from gone) returning k",
      'create view big (city, people) as select k, n from log where n > 1',
      'select * from big order by city',
      'create view if not exists big as select 1',
      'drop view big',
      'drop view if exists big',
    ])
    out.push(
      await db
        .with('x', (qb) => qb.selectFrom('people').select(['name', 'age']).where('age', '>', 30))
        .deleteFrom('people')
        .where('name', 'in', sql<string>`(select x.name from x)`)
        .returning('id')
        .execute(),
    )
    return out
  })
  both('joins: inner, left, and a comma join', seedPeople, async (db, { sql }) => {
    const a =
      await sql`select a.id, b.id as b from people a join people b on a.age = b.age and a.id < b.id order by 1, 2`.execute(
        db,
      )
    const b =
      await sql`select a.id, b.name from people as a left outer join people as b on b.id = a.id + 1 order by a.id`.execute(
        db,
      )
    const c = await sql`select count(*) as n from people a, people b where a.id = b.id`.execute(db)
    return [a.rows, b.rows, c.rows]
  })
  both('distinct, union, except', seedPeople, async (db, { sql }) => {
    const a = await sql`select distinct age from people order by age`.execute(db)
    const b =
      await sql`select city from people where id < 3 union select city from people where id > 6 order by 1`.execute(db)
    const c = await sql`select id from people except select id from people where age = 25 order by id`.execute(db)
    const d = await sql`select age from people union all select age from people order by age limit 5 offset 2`.execute(
      db,
    )
    return [a.rows, b.rows, c.rows, d.rows]
  })
  both('a derived table and a subquery', seedPeople, async (db, { sql }) => {
    const r =
      await sql`select x.c, (select max(id) from people) as m from (select city as c from people where age > 20) as x order by x.c`.execute(
        db,
      )
    return r.rows
  })
  both('limit a, b', seedPeople, async (db, { sql }) => {
    const r = await sql`select id from people order by id limit 2, 3`.execute(db)
    return r.rows
  })
  both('insert, update, delete with counts and insertId', seedPeople, async (db, { sql }) => {
    const i = await sql`insert into people (id, name, age) values (10, 'Ten', 10), (11, ${'Eleven'}, null)`.execute(db)
    const u = await sql`update people set age = coalesce(age, 0) + 1, city = 'X' where id >= 10`.execute(db)
    const d = await sql`delete from people where id = ${11}`.execute(db)
    const s = await sql`select * from people where id >= 10`.execute(db)
    return [i.numAffectedRows, i.insertId, u.numAffectedRows, d.numAffectedRows, s.rows]
  })
  both('insert ... select, or ignore, replace into, returning', seedPeople, async (db, { sql }) => {
    const a = await sql`insert into people (id, name) select id + 100, upper(name) from people where age = 25`.execute(
      db,
    )
    const b = await sql`insert or ignore into people (id, name) values (1, 'dup'), (200, 'new')`.execute(db)
    const c = await sql`replace into people (id, name, age) values (1, 'Alicia', 31)`.execute(db)
    const d = await sql`update people set age = age + 1 where id = 1 returning id, age * 2 as twice`.execute(db)
    const e = await sql`delete from people where id > 100 returning name`.execute(db)
    return [a.numAffectedRows, b.numAffectedRows, c.numAffectedRows, d.rows, e.rows]
  })
  both('with: common table expressions, with column names, in a subquery too', seedPeople, async (db, { sql }) => {
    const a =
      await sql`with old (pid, a) as (select id, age from people where age > 29), young as materialized (select id from people where age < 26)
      select pid, a, (select count(*) from young) as y from old order by pid`.execute(db)
    const b =
      await sql`select name from people where id in (with x as (select 2 as v union all select 5) select v from x) order by id`.execute(
        db,
      )
    return [a.rows, b.rows]
  })
  both('upserts: on conflict do nothing / do update set ... excluded ... where', seedPeople, async (db, { sql }) => {
    const a =
      await sql`insert into people (id, name) values (1, 'dup'), (30, 'new') on conflict (id) do nothing`.execute(db)
    const b = await sql`insert into people (id, name, age) values (2, 'Bobby', 26), (31, 'x', 1)
      on conflict (id) do update set name = excluded.name, age = people.age + excluded.age where excluded.age > 5`.execute(
      db,
    )
    const c =
      await sql`insert into people (id, name, age) values (31, 'y', 2) on conflict (id) do update set age = 99 where excluded.age > 5 returning id, age`.execute(
        db,
      )
    const d = await sql`select id, name, age from people where id in (1, 2, 30, 31) order by id`.execute(db)
    return [a.numAffectedRows, b.numAffectedRows, c.rows, d.rows]
  })
  both('schema statements: create table / index, drop index / table', undefined, async (db, { sql }) => {
    await sql`create table if not exists "item" (
      id integer primary key autoincrement,
      name varchar(40) not null unique,
      qty int default 1,
      price real default -2.5,
      added text default current_date,
      note,
      constraint q check (qty >= 0)
    )`.execute(db)
    await sql`create table pair (a text, b integer not null default (3), primary key (a, b), unique (b, a))`.execute(db)
    await sql`create unique index item_qty_name on item (qty asc, name)`.execute(db)
    await sql`create index if not exists main.pair_b on pair (b)`.execute(db)
    await db
      .insertInto('item')
      .values([{ name: 'x' }, { name: 'y', qty: 5, note: 1.5 }])
      .execute()
    await db.insertInto('pair').values({ a: 'k' }).execute()
    const rows = await db.selectFrom('item').select(['id', 'name', 'qty', 'price', 'note']).orderBy('id').execute()
    const added = await sql`select count(*) as n from item where added = date('now')`.execute(db)
    const pairs = await db.selectFrom('pair').selectAll().execute()
    const dup = await sql`insert into item (name) values ('x')`.execute(db).then(
      () => 'inserted',
      () => 'rejected',
    )
    await sql`drop index pair_b`.execute(db)
    await sql`drop index if exists nope`.execute(db)
    await sql`drop table pair`.execute(db)
    await sql`drop table if exists pair`.execute(db)
    const left = await sql`select name from item order by id`.execute(db)
    return [rows, added.rows, pairs, dup, left.rows]
  })
  // Round s31: a view reading a renamed table or column failed when read.
  both('views follow a renamed table and a renamed column, as SQLite rewrites them', undefined, async (db, { sql }) => {
    const steps = await rawOutcomes(
      db,
      sql,
      [
        'create table rb (id integer primary key, x text, z text)',
        'create table other (id integer primary key, x text)',
        "insert into rb values (1, 'q', 'w'), (2, 'r', 'e')",
        "insert into other values (1, 'o')",
        "create view v1 as select x, rb.x as bx, z from rb where x > ''",
        'create view v2 as select * from rb',
        'create view v3 (c1, c2) as select x, z from rb',
        'create view v4 as select t.x, o.x as ox from rb t join other o on o.id = t.id',
        'create view v5 as select id, (select count(*) from rb i where i.x >= rb.x) as n from rb',
        'create view v6 as select d.x as dx from (select x as x from rb) as d',
        'create view v7 as with c as (select x as x from rb) select x from c order by x',
        'create view v8 as select max(x) as m from rb group by z order by 1',
        'alter table rb rename column x to y',
        'select * from v1 order by 1',
        'select * from v2 order by id',
        'select * from v3 order by 1',
        'select * from v4',
        'select * from v5 order by id',
        'select * from v6 order by 1',
        'select * from v7',
        'select * from v8',
        'alter table rb rename to rc',
        'select * from v1 order by 1',
        'select * from v4',
        'select * from v5 order by id',
        "insert into rc (id, y) values (3, 's')",
        'select * from v3 order by 1',
        // A view the rename would leave unreadable fails it (SQLite: "error in view ... after rename").
        'create view v9 as select d.x from (select x from other) as d',
        'alter table other rename column x to w',
        'select * from v9',
        'select * from other',
      ],
      'failed',
    )
    // The views' columns as introspection lists them: a column named after the renamed one takes its name.
    const views = (await db.introspection.getTables())
      .filter((t) => t.isView)
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map((t) => [t.name, t.columns.map((c) => c.name)])
    return [steps, views]
  })
  // Round s31: temporary tables were BTREE_SQL_UNSUPPORTED.
  both('temporary tables: raw and by the builder, as select, dropped', undefined, async (db, { sql }) => {
    await db.schema
      .createTable('scratch')
      .temporary()
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('v', 'text', (c) => c.notNull())
      .execute()
    await db
      .insertInto('scratch')
      .values([
        { id: 1, v: 'a' },
        { id: 2, v: 'b' },
      ])
      .execute()
    const steps = await rawOutcomes(
      db,
      sql,
      [
        'create temp table tt (a integer primary key, b text unique)',
        "insert into tt values (1, 'x'), (2, 'y')",
        "insert into tt values (3, 'x')",
        "create temporary table t2 as select a, b || '!' as c from tt",
        'select * from t2 order by a',
        'select s.v, t.b from scratch s join tt t on t.a = s.id order by s.id',
        'drop table tt',
        'select * from tt',
        'create temp table if not exists t2 (z)',
        'select count(*) as n from t2',
      ],
      'failed',
    )
    const rows = await db.selectFrom('scratch').selectAll().orderBy('id').execute()
    return [steps, rows]
  })
  // Round s31: these pragmas were BTREE_SQL_UNSUPPORTED (journal_mode: integration/raw-sql.test.ts).
  both('pragma table_info, user_version, application_id, synchronous, busy_timeout', undefined, async (db, { sql }) => {
    await db.schema
      .createTable('made')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('n', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('r', 'real', (c) => c.defaultTo(1.5))
      .addColumn('s', 'varchar(20)', (c) => c.defaultTo("it's"))
      .addColumn('flag', 'boolean', (c) => c.notNull().defaultTo(false))
      .addColumn('at', 'text', (c) => c.defaultTo(sql`CURRENT_TIMESTAMP`))
      .addColumn('token', 'text', (c) => c.defaultTo(sql`(lower(hex(randomblob(4))))`))
      .addColumn('e', sql`Text`)
      .execute()
    return rawOutcomes(
      db,
      sql,
      [
        "create table raw_t (id integer primary key, a text not null default 'x''y', b real default 1.5, c default (datetime('now')), d blob default x'00ff', e default null, f int default -3, g text default CURRENT_TIMESTAMP, u text unique)",
        'create table raw_k (a, b, c, primary key (b, a))',
        'pragma table_info(made)',
        'pragma table_info(raw_t)',
        "pragma table_info('raw_k')",
        'pragma table_info(nope)',
        'create table idx_a (a text unique, b text primary key, c unique, d, unique (c, d))',
        'create table idx_b (a, b, unique (a), primary key (b, a)) without rowid',
        'create table idx_c (a primary key unique, b, unique (b), unique (b))',
        'create index idx_a_e on idx_a (lower(a), d)',
        'create unique index idx_a_p on idx_a (d) where d > 0',
        'pragma index_list(idx_a)',
        'pragma index_list(idx_b)',
        'pragma index_list(idx_c)',
        'pragma index_list(raw_t)',
        'pragma index_list(made)',
        'pragma index_info(sqlite_autoindex_idx_a_2)',
        'pragma index_info(sqlite_autoindex_idx_a_4)',
        'pragma index_info(sqlite_autoindex_idx_b_2)',
        'pragma index_info(idx_a_e)',
        'pragma index_info(nope)',
        'alter table idx_a rename to idx_z',
        'pragma index_list(idx_z)',
        'pragma index_info(sqlite_autoindex_idx_z_2)',
        'pragma user_version',
        'pragma user_version = 7',
        'pragma user_version',
        'begin',
        'pragma user_version = 9',
        'pragma user_version',
        'rollback',
        'pragma user_version',
        'pragma application_id = 42',
        'pragma application_id',
        // Not read before it is set: the sides open with their own settings (btree-store with
        // durability 'none', better-sqlite3 with a busy timeout of 5 s).
        'pragma synchronous = normal',
        'pragma synchronous',
        'pragma synchronous = 3',
        'pragma synchronous',
        'pragma synchronous = full',
        'pragma busy_timeout = 5000',
        'pragma busy_timeout',
        'create index made_n on made (n)',
        'analyze',
        'analyze made',
        'pragma optimize',
        'select count(*) as n from made',
      ],
      'failed',
    )
  })
  // Round s31: a default that is an expression evaluated per row was BTREE_SQL_UNSUPPORTED.
  both('default (expr) evaluated for each row that takes it', undefined, async (db, { sql }) => {
    const steps = await rawOutcomes(
      db,
      sql,
      [
        "create table ev (id integer primary key, at text default (datetime('now')), r real default (random()), e integer default (1 + 2), h text default (lower(hex(randomblob(4)))), u int default (unixepoch()))",
        'insert into ev (id) values (1), (2), (3)',
        "insert into ev (id, e, h) values (4, 9, 'x')",
        "select id, at = datetime('now') as now, typeof(r) as r, e, length(h) as h, u > 1700000000 as u from ev order by id",
        'select count(distinct h) as n from ev',
        'create table bad (a, b default ((select 1)))',
        'create table bad2 (a, b default (a))',
        'alter table ev add column z default (random())',
        'alter table ev add column y default (2 * 3)',
        'select id, y from ev order by id',
      ],
      'failed',
    )
    await db.schema
      .createTable('stamped')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('made', 'text', (c) => c.notNull().defaultTo(sql`(strftime('%Y', 'now'))`))
      .execute()
    await db.insertInto('stamped').values({ id: 1 }).execute()
    const stamped = await sql<{ ok: number }>`select made = strftime('%Y', 'now') as ok from stamped`.execute(db)
    const columns = (await db.introspection.getTables())
      .filter((t) => t.name === 'ev' || t.name === 'stamped')
      .sort((x, y) => (x.name < y.name ? -1 : 1))
      .map((t) => t.columns.map((c) => [c.name, c.hasDefaultValue]))
    return [steps, stamped.rows, columns]
  })
  // Round s31: CREATE TABLE ... AS SELECT was BTREE_SQL_UNSUPPORTED.
  both('create table ... as select, raw and by the builder', undefined, async (db, { sql }) => {
    const steps = await rawOutcomes(
      db,
      sql,
      [
        'create table src (id integer primary key, a text collate nocase, b varchar(10), c real, d, e numeric, f int not null default 5)',
        "insert into src values (1, 'Ab', 'x', 1.5, x'00', '12', 7), (2, 'cd', 'y', 2, 3, 4.5, 8)",
        'create table cp as select * from src',
        "insert into cp (a) values ('AB')",
        "select id, a from cp where a = 'ab'",
        'select * from cp order by id',
        "create table ex as select a, a, id + 1, a || 'x' as s, 1 as one, 'x' as two, 1.5 as three, null as four from src order by id desc",
        'select * from ex',
        'create table none_copy as select * from src where 0',
        'select count(*) as n from none_copy',
        'create table if not exists none_copy as select 1 as x',
        'create table none_copy as select 1 as x',
        'create table agg as select b, count(*) as n, sum(c) as s from src group by b',
        'select * from agg order by b',
      ],
      'failed',
    )
    await db.schema
      .createTable('built')
      .as(db.selectFrom('src').select(['id', 'b']).where('id', '>', 1))
      .execute()
    const built = await db.selectFrom('built').selectAll().execute()
    const tables = await db.introspection.getTables()
    const shapes = tables
      .filter((t) => ['cp', 'ex', 'agg', 'built'].includes(t.name))
      .sort((x, y) => (x.name < y.name ? -1 : 1))
      .map((t) => [t.name, t.columns.map((c) => [c.name, c.dataType, c.isNullable, c.hasDefaultValue])])
    return [steps, built, shapes]
  })
  // Round s31: USING and NATURAL joins were BTREE_SQL_UNSUPPORTED.
  both('join ... using and natural joins', undefined, async (db, { sql }) =>
    rawOutcomes(
      db,
      sql,
      [
        'create table ua (id integer primary key, x text, k integer)',
        'create table ub (id integer primary key, y text, k integer)',
        'create table uc (id integer primary key, z text, k integer)',
        'create table ud (q text)',
        "insert into ua values (1, 'a1', 10), (2, 'a2', 20), (3, 'a3', 30)",
        "insert into ub values (1, 'b1', 10), (2, 'b2', 99), (4, 'b4', 30)",
        "insert into uc values (1, 'c1', 10), (4, 'c4', 40)",
        "insert into ud values ('d')",
        'select * from ua join ub using (id) order by id',
        'select id, ua.k as ak, ub.k as bk, x, y from ua left join ub using (id) order by id',
        'select id, ua.id as a, ub.id as b from ua left join ub using (id) order by 1',
        'select * from ua natural join ub',
        'select * from ua natural left join ub order by id',
        'select id, x, y, z from ua join ub using (id) join uc using (id)',
        'select ua.id as a, ub.id as b, uc.id as c, k from ua join ub on ua.id = ub.id join uc using (k)',
        'select ub.* from ua join ub using (id) order by ub.id',
        'select count(*) as n from ua natural cross join ub',
        'select id, k from ua join ub using (id, k)',
        'select id, count(*) as n from ua join ub using (id) where id > 1 group by id order by id',
        'select count(*) as n, max(q) as q from ua natural join ud',
        'select count(*) as n from ua natural left join ud',
        'select * from ua join ub using (nope)',
        'select ua.k, ub.k, k from ua join ub using (id)',
      ],
      'failed',
    ),
  )
  // Round s31: a direction in a raw index's column list was BTREE_SQL_UNSUPPORTED.
  both('raw index columns with a direction (desc, asc), unique too', undefined, async (db, { sql }) =>
    rawOutcomes(
      db,
      sql,
      [
        'create table dir (id integer primary key, v text, w integer)',
        "insert into dir (v, w) values ('a', 1), ('b', 2), ('c', 3), ('b', 4)",
        'create index dir_vw on dir (v desc, w asc)',
        'create unique index dir_lw on dir (lower(v) desc, w)',
        "insert into dir (v, w) values ('B', 2)",
        "insert into dir (v, w) values ('B', 5)",
        "select id from dir where v = 'b' order by w desc",
        "select id, v from dir where v > 'a' order by v desc, w",
        "select id from dir where lower(v) = 'b' order by id",
      ],
      'failed',
    ),
  )
  both('raw partial and expression indexes, and an upsert target with a where', undefined, async (db, { sql }) => {
    await sql`create table acct (id integer primary key, email text, deleted int, n int default 0)`.execute(db)
    await sql`create unique index live on acct (email) where deleted is null`.execute(db)
    await sql`create index ci on acct (lower(email), n + 1)`.execute(db)
    await sql`insert into acct (id, email, deleted) values (1, 'A@x', null), (2, 'a@x', 1), (3, 'b@x', null)`.execute(
      db,
    )
    const upserted = await sql`insert into acct (id, email) values (4, 'A@x')
      on conflict (email) where deleted is null do update set n = n + 10`.execute(db)
    const ignored = await sql`insert into acct (id, email) values (5, 'b@x')
      on conflict (email) where deleted is null do nothing`.execute(db)
    const keyed = await sql`insert into acct (id, email) values (3, 'c@x')
      on conflict (id) where n > 100 do update set n = n + 1`.execute(db)
    const unmatched = await sql`insert into acct (id, email) values (6, 'b@x')
      on conflict (email) do nothing`
      .execute(db)
      .then(
        () => 'inserted',
        () => 'rejected',
      )
    const found = await sql`select id, n from acct where lower(email) = 'a@x' and n + 1 > 5 order by id`.execute(db)
    const live = await sql`select id from acct where email = 'A@x' and deleted is null`.execute(db)
    const all = await sql`select * from acct order by id`.execute(db)
    return [
      upserted.numAffectedRows,
      ignored.numAffectedRows,
      keyed.numAffectedRows,
      unmatched,
      found.rows,
      live.rows,
      all.rows,
    ]
  })
  both('create table of an existing table is an error', seedPeople, async (db, { sql }) => {
    await sql`create table people (x)`.execute(db)
    return 'created'
  })
  both('a unique violation through raw insert', seedPeople, async (db, { sql }) => {
    await sql`insert into people (id, name) values (1, 'dup')`.execute(db)
    return 'no error'
  })
  both('an unknown table', seedPeople, async (db, { sql }) => {
    await sql`select * from nope`.execute(db)
    return 'no error'
  })
})
