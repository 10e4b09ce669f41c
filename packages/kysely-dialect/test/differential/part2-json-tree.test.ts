import { both, diffSuite, rawOutcomes, type Setup } from '../helpers/differential.js'
import type { KyselyApi } from '../helpers/kysely-versions.js'

/**
 * json_tree (and json_each's columns beside it) as SQLite gives them: every column of every row,
 * `id` and `parent` included (SQLite's byte offsets into the JSONB it converts the text to), the
 * first row's key and path read from the path argument, labels quoted in fullkey / path, numbers
 * and escapes kept as written. Raw statements without `order by` compare rows in SQLite's order,
 * which for these functions is the walk's.
 */

/** A SQL string literal of `text`. */
function lit(text: string): string {
  return `'${text.replaceAll("'", "''")}'`
}

const DOC =
  '{"a":[1,2.50,{"b c":null}],"d":{},"e":[],"f":"x\\"y","g":true,"h":false,"i":-0.0e1,"j":12345678901234567890}'

/** Four levels of containers, mixed, with keys that need quoting and a repeated label. */
const DEEP = JSON.stringify({
  l1: { 'l 2': [{ l3: [[1, 2], { l4: { leaf: 'x', n: [true, null] } }] }, 3], k_1: { a: 1 } },
  a: 1,
  z: [[[[0]]]],
})

/**
 * One statement's rows, or, when it throws, its message if it is SQLite's error or our
 * BTREE_SQL_FUNCTION_ERROR (so the message, "malformed JSON" or "bad JSON path: ...", and the code
 * are both held), else the unexpected code.
 */
async function functionOutcomes(db: Parameters<Setup>[0], sql: KyselyApi['sql'], texts: readonly string[]) {
  const out: unknown[] = []
  for (const text of texts) {
    try {
      out.push((await sql.raw(text).execute(db)).rows)
    } catch (e) {
      const code = (e as { code?: unknown }).code
      const ours = typeof code === 'string' && code.startsWith('BTREE_')
      out.push({
        error: !ours || code === 'BTREE_SQL_FUNCTION_ERROR' ? (e as Error).message : `unexpected ${String(code)}`,
      })
    }
  }
  return out
}

const seedDocs: Setup = async (db, { sql }) => {
  await sql`create table t (id integer primary key, name text, doc text)`.execute(db)
  const docs = [
    [1, 'obj', DOC],
    [2, 'deep', DEEP],
    [3, 'scalar', '7'],
    [4, 'empty', '[]'],
    [5, 'none', null],
    [6, 'unicode', '{"ключ":{"日本":[1,"é"]},"😀":2.0}'],
  ] as const
  for (const [id, name, doc] of docs)
    await sql`insert into t (id, name, doc) values (${id}, ${name}, ${doc})`.execute(db)
}

diffSuite('differential: part 2 json_tree', () => {
  both('every column of a document: containers, scalars, empty ones, source text kept', undefined, (db, { sql }) =>
    rawOutcomes(db, sql, [
      `select * from json_tree(${lit(DOC)})`,
      `select key, value, type, atom, id, parent, fullkey, path from json_tree(' [ 1 , [ ] , { } , "s" ] ')`,
      `select * from json_tree('[[],{},[[]],{"a":{}}]')`,
      `select * from json_tree('{"x":1.50,"y":[1e3,-2E-2,0]}')`,
    ]),
  )

  both('a scalar, an empty container or null at the root', undefined, (db, { sql }) =>
    rawOutcomes(db, sql, [
      "select * from json_tree('5')",
      'select * from json_tree(\'"text"\')',
      "select * from json_tree('null')",
      "select * from json_tree('true')",
      "select * from json_tree('-1.5e3')",
      "select * from json_tree('[]')",
      "select * from json_tree('{}')",
      'select * from json_tree(42)',
      'select * from json_tree(2.5)',
      'select count(*) as n from json_tree(null)',
    ]),
  )

  both('labels needing quotes in fullkey and path, escapes kept, unicode', undefined, (db, { sql }) =>
    rawOutcomes(db, sql, [
      `select * from json_tree(${lit('{"é":1,"a.b":2,"":3,"1a":4,"a_1":5,"$x":6,"ab9":7,"A":{"b c":[8]}}')})`,
      `select key, fullkey, path from json_tree(${lit('{"q\\"t":{"u\\u0041":[1]},"tab\\tx":2}')})`,
      `select * from json_tree(${lit('{"ключ":{"日本":[1,"é"]},"😀":2.0,"s":"ñ😀"}')})`,
    ]),
  )

  both('nested four levels deep: parents, paths and ids all the way down', undefined, (db, { sql }) =>
    rawOutcomes(db, sql, [
      `select * from json_tree(${lit(DEEP)})`,
      `select key, fullkey, path from json_tree(${lit(DEEP)}) where type not in ('object', 'array')`,
      // Each row's parent is the id of the row whose fullkey is its path.
      `select c.fullkey, p.fullkey as up from json_tree(${lit(DEEP)}) c join json_tree(${lit(DEEP)}) p on c.parent = p.id order by c.id`,
      `select count(*) as n from json_tree(${lit(DEEP)}) c where c.parent is not null and c.path <> (select p.fullkey from json_tree(${lit(DEEP)}) p where p.id = c.parent)`,
    ]),
  )

  both('a path into the document: the first row keyed and pathed as SQLite reads the path', undefined, (db, { sql }) =>
    rawOutcomes(db, sql, [
      `select * from json_tree(${lit(DEEP)}, '$.l1')`,
      `select * from json_tree(${lit(DEEP)}, '$.l1."l 2"')`,
      `select * from json_tree(${lit(DEEP)}, '$.l1."l 2"[0].l3[1]')`,
      // Not the first member of its object: SQLite keys the row 'l1.k_1'... as the path is cut.
      `select * from json_tree(${lit(DEEP)}, '$.l1.k_1')`,
      `select * from json_tree(${lit(DEEP)}, '$."l1"."k_1".a')`,
      `select * from json_tree(${lit(DEEP)}, '$.a')`,
      `select * from json_tree(${lit(DEEP)}, '$.z[0][0]')`,
      `select * from json_tree(${lit(DEEP)}, '$.l1."l 2"[1]')`,
      "select * from json_tree('[1,2,[3]]', '$[#-1]')",
      "select * from json_tree('[5]', '$[#-1]')",
      "select * from json_tree('[1,2,[3]]', '$[2][0]')",
      "select * from json_tree('{\"a\":[1,2]}', '$.a[1]')",
      "select * from json_tree('{\"a\":[1,2]}', '$')",
    ]),
  )

  both('a path that finds nothing, a null path, a bad path, malformed JSON', undefined, (db, { sql }) =>
    functionOutcomes(db, sql, [
      "select * from json_tree('{\"a\":[1]}', '$.b')",
      "select * from json_tree('{\"a\":[1]}', '$.a[5]')",
      "select * from json_tree('{\"a\":[1]}', '$.a.b')",
      'select * from json_tree(\'{"a":[1]}\', null)',
      "select count(*) as n from json_tree('{\"a\":[1]}', '$.a')",
      "select * from json_tree('{\"a\":[1]}', 'a')",
      "select * from json_tree('{\"a\":[1]}', '$.')",
      // (A trailing comma is JSON5, which SQLite reads and this dialect does not.)
      'select * from json_tree(\'{"a":}\')',
      "select * from json_tree('[1 2]')",
      "select * from json_tree('{')",
      "select * from json_each('{')",
      "select * from json_tree('[1] x')",
    ]),
  )

  both('filters, groups and orders over the walk', undefined, (db, { sql }) =>
    rawOutcomes(db, sql, [
      `select key, value, fullkey from json_tree(${lit(DEEP)}) where type = 'integer'`,
      `select fullkey, atom from json_tree(${lit(DOC)}) where atom is not null`,
      `select type, count(*) as n, sum(length(fullkey)) as l from json_tree(${lit(DEEP)}) group by type order by type`,
      `select path, count(*) as n from json_tree(${lit(DEEP)}) group by path order by n desc, path`,
      `select fullkey from json_tree(${lit(DEEP)}) order by fullkey desc`,
      `select max(id) as m, count(distinct parent) as p from json_tree(${lit(DEEP)})`,
      `select j.fullkey from json_tree(${lit(DEEP)}) as j where j.key like 'l%' order by j.id limit 3 offset 1`,
    ]),
  )

  both('joined to the table before it, read again for each row', seedDocs, (db, { sql }) =>
    rawOutcomes(db, sql, [
      'select t.id, j.* from t, json_tree(t.doc) j order by t.id, j.id',
      "select t.name, j.fullkey, j.atom from t join json_tree(t.doc) j where j.type = 'integer' order by t.id, j.id",
      'select t.id, j.fullkey from t left join json_tree(t.doc) j order by t.id, j.id',
      'select t.name, count(j.id) as n, max(j.id) as last from t left join json_tree(t.doc) j group by t.id order by t.id',
      "select t.id, j.key, j.value from t, json_tree(t.doc, '$.l1') j order by t.id, j.id",
      'select t.id, j.type, count(*) as n from t, json_tree(t.doc) as j where j.atom is not null group by t.id, j.type order by t.id, j.type',
      'select t.id, (select count(*) from json_tree(t.doc)) as n from t order by t.id',
    ]),
  )

  both('through the builder: a json_tree source and its columns', seedDocs, (db, { sql }) => [
    db
      .selectFrom(sql`json_tree(${DEEP}, ${'$.l1'})`.as('j'))
      .select([sql<string>`j.fullkey`.as('fullkey'), sql<number>`j.id`.as('id'), sql<number>`j.parent`.as('parent')])
      .orderBy(sql`j.id`),
    db
      .selectFrom('t')
      .select('id')
      .where(
        'id',
        'in',
        db
          .selectFrom(sql`json_tree(${'[1, [2, [3, 6]]]'})`.as('j'))
          .select(sql<number>`j.value`.as('v'))
          .where(sql<string>`j.type`, '=', 'integer'),
      )
      .orderBy('id'),
  ])

  both('sizes past one-byte and two-byte JSONB headers move the ids', undefined, (db, { sql }) => {
    const big = JSON.stringify({
      short: 'x'.repeat(11),
      twelve: 'y'.repeat(12),
      long: 'z'.repeat(300),
      list: Array.from({ length: 120 }, (_, i) => i * 1000),
      after: [{ k: 'é'.repeat(200) }, 1],
      huge: ['w'.repeat(70000), 2],
      last: 3,
    })
    return rawOutcomes(db, sql, [
      `select key, id, parent, fullkey, path, type, length(value) as len from json_tree(${lit(big)})`,
      `select key, id, fullkey from json_each(${lit(big)})`,
      `select key, id, parent from json_tree(${lit(big)}, '$.huge')`,
    ])
  })

  both("json_each's id, parent, fullkey and path beside json_tree's", undefined, (db, { sql }) =>
    rawOutcomes(db, sql, [
      `select * from json_each(${lit(DOC)})`,
      `select * from json_each(${lit(DEEP)}, '$.l1')`,
      `select * from json_each(${lit(DEEP)}, '$.l1."l 2"[0].l3')`,
      `select * from json_each(${lit(DEEP)}, '$.l1.k_1.a')`,
      `select * from json_each(${lit('{"é":1,"a_1":2,"q\\"t":3,"ab9":4}')})`,
      'select * from json_each(\'[10,[20],{"x":30}]\')',
      "select * from json_each('7')",
      "select * from json_each('[1,2]', '$[#-1]')",
      // json_each's ids are json_tree's for the same elements.
      `select count(*) as n from json_each(${lit(DEEP)}, '$.l1') e join json_tree(${lit(DEEP)}) t on t.id = e.id and t.fullkey = e.fullkey`,
    ]),
  )
  // An array or object in json_each's or json_tree's value is JSON-subtyped in SQLite: embedded.
  both('json_each / json_tree values that are arrays or objects are embedded as JSON', undefined, async (db, { sql }) =>
    rawOutcomes(
      db,
      sql,
      [
        `select json_group_array(value) as r from json_each('[{"a":1},[2],3,"x"]')`,
        `select json_array(value) as r from json_each('[{"a":1}]')`,
        `select json_group_array(value) as r from json_each('[{"a":1},{"a":2}]') where json_extract(value, '$.a') > 1`,
        `select json_object('v', value) as r from json_tree('{"k":[1,{"z":null}]}')`,
        `select json_set('{}', '$.x', value) as r from json_each('[[1,2]]')`,
        'create table t (tags)',
        `insert into t values ('[{"n":1},{"n":2}]')`,
        'select json_group_array(j.value) as r from t, json_each(t.tags) j',
      ],
      'message',
    ),
  )
})
