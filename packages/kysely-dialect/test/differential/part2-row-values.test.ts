import { both, diffSuite, rawOutcomes } from '../helpers/differential.js'
import type { Db } from '../helpers/sides.js'

/**
 * `posts(id, author, at, title)` with an index on (at, id), the keyset pagination index, and one
 * on author; `at` repeats so that the second column decides, and some are null.
 */
async function seedPosts(db: Db): Promise<void> {
  await db.schema
    .createTable('posts')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('author', 'text')
    .addColumn('at', 'integer')
    .addColumn('title', 'text')
    .execute()
  await db.schema.createIndex('posts_at_id').on('posts').columns(['at', 'id']).execute()
  await db.schema.createIndex('posts_author').on('posts').column('author').execute()
  const rows = Array.from({ length: 24 }, (_, i) => ({
    id: i + 1,
    author: ['ann', 'bob', 'cy', null][i % 4]!,
    at: i % 7 === 6 ? null : 100 + Math.floor(i / 3),
    title: `post ${i + 1}`,
  }))
  await db.insertInto('posts').values(rows).execute()
}

// Round s28: every row value (Kysely's tuple() and refTuple(), raw `(a, b)`) was BTREE_SQL_UNSUPPORTED.
diffSuite('differential part 2: row values', () => {
  both('keyset pagination: (at, id) > (x, y), ordered, limited', seedPosts, (db) =>
    db
      .selectFrom('posts')
      .select(['id', 'at'])
      .where(({ eb, refTuple, tuple }) => eb(refTuple('at', 'id'), '>', tuple(101, 5)))
      .orderBy('at')
      .orderBy('id')
      .limit(5),
  )
  both('keyset pagination backwards: (at, id) < (x, y), descending', seedPosts, (db) =>
    db
      .selectFrom('posts')
      .select(['id', 'at'])
      .where(({ eb, refTuple, tuple }) => eb(refTuple('at', 'id'), '<', tuple(104, 14)))
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .limit(4),
  )
  both('every page of a keyset walk, <= and >= too', seedPosts, async (db) => {
    const pages: unknown[] = []
    let cursor: [number, number] = [0, 0]
    for (let page = 0; page < 10; page++) {
      const rows = await db
        .selectFrom('posts')
        .select(['id', 'at'])
        .where(({ eb, refTuple, tuple }) => eb(refTuple('at', 'id'), '>', tuple(cursor[0], cursor[1])))
        .orderBy('at')
        .orderBy('id')
        .limit(4)
        .execute()
      pages.push(rows)
      if (rows.length === 0) break
      const last = rows[rows.length - 1]!
      cursor = [last.at as number, last.id as number]
    }
    pages.push(
      await db
        .selectFrom('posts')
        .select('id')
        .where(({ eb, refTuple, tuple, and }) =>
          and([eb(refTuple('at', 'id'), '>=', tuple(102, 7)), eb(refTuple('at', 'id'), '<=', tuple(105, 16))]),
        )
        .orderBy('id')
        .execute(),
    )
    return pages
  })
  both('in a list of tuples, and not in', seedPosts, (db) =>
    db
      .selectFrom('posts')
      .select('id')
      .where(({ eb, refTuple, tuple, or }) =>
        or([
          eb(refTuple('author', 'at'), 'in', [tuple('ann', 100), tuple('bob', 103), tuple('cy', null)]),
          eb(refTuple('id', 'author'), 'not in', [tuple(1, 'ann'), tuple(2, 'x')]),
        ]),
      )
      .orderBy('id'),
  )
  both('in a select of two columns, and equal to a row subquery', seedPosts, (db) =>
    db
      .selectFrom('posts as p')
      .select('p.id')
      .where(({ eb, refTuple, selectFrom }) =>
        eb(
          refTuple('p.author', 'p.at'),
          'in',
          selectFrom('posts as q')
            .select(['q.author', (e) => e.fn.max('q.at').as('at')])
            .groupBy('q.author'),
        ),
      )
      .orderBy('p.id'),
  )
  both('row values compared in raw SQL: nulls, affinity, sizes', seedPosts, async (db, { sql }) =>
    rawOutcomes(
      db,
      sql,
      [
        'select (1, 2) = (1, 2) as a, (1, 2) = (1, 3) as b, (1, null) = (1, 2) as c, (1, null) = (2, 2) as d, (1, 2) <> (1, 2) as e, (1, null) <> (2, 2) as f',
        'select (1, 2) < (1, 3) as a, (1, 2) < (1, 2) as b, (1, 2) <= (1, 2) as c, (1, null) < (2, 0) as d, (1, null) < (1, 0) as e, (null, 1) < (1, 2) as f, (2, null) > (1, 5) as g',
        'select (1, 2) is (1, 2) as a, (1, null) is (1, null) as b, (1, null) is not (1, 2) as c',
        'select (1, 2) in ((1, 2), (3, 4)) as a, (1, 5) in ((1, 2), (3, 4)) as b, (1, null) in ((1, 2)) as c, (1, null) not in ((2, 2)) as d',
        'select (1, 2) between (0, 9) and (1, 2) as a, (1, 3) between (0, 9) and (1, 2) as b',
        "select ('1', 2) = (1, 2) as a, (cast(1 as text), 2) = (1, 2) as b, (1, 2) in (select 1, 2) as c, (1, null) in (select 1, 2) as d, (1, 2) in (select 1, 2 where 0) as e",
        "select id from posts where (author, at) = (select 'bob', 101) order by id",
        "select id from posts where (at, '5') = (101, 5) order by id",
        "select id from posts where (title, id) = ('post 9', 9)",
        "select id from posts where (author collate nocase, at) = ('ANN', 100) order by id",
        'select id, (at, id) > (101, 5) as later from posts order by id',
        'select id from posts where not (at, id) > (101, 5) order by id',
        'select id from posts where (at) = (101) order by id',
        'select a.id, b.id as b from posts a join posts b on (a.author, a.at) = (b.author, b.at) and a.id < b.id order by 1, 2',
        'select id from posts p where exists (select 1 from posts q where (q.author, q.at) = (p.author, p.at + 1)) order by id',
      ],
      'failed',
    ),
  )
  both('row value misused', seedPosts, async (db, { sql }) =>
    rawOutcomes(
      db,
      sql,
      [
        'select (1, 2) = (1, 2, 3) as x',
        'select (1, 2) as x',
        'select (1, 2) + 1 as x',
        'select id from posts where (author, at) in (select author from posts)',
        'select id from posts where (author, at) is null',
      ],
      'message',
    ),
  )
})
