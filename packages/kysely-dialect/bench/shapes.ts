/**
 * Query shapes beside SQLite: for each, the time of one run on btree-store and on better-sqlite3
 * (the bench folder's, `npm run bench` installs it) over the same two tables, `t` (n rows: an
 * integer primary key, an indexed integer `a`, texts `b` and `d`, a real `c`) and `u` (n rows
 * pointing at t by `t_id`, unindexed), both through Kysely. Each shape runs for ~0.6 s a side after
 * one untimed run; the figure is the mean time of a run, in ms, and btree-store's over SQLite's.
 * Where a query shape has been slow (a full scan where SQLite seeks, a sort of every row for a
 * limit), it shows here.
 *
 *   node dist/bench/shapes.js [--n 20000] [--only name,...] [--ms 600]
 */
import { createRequire } from 'node:module'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { Kysely, SqliteDialect, sql, type SqliteDatabase } from 'kysely'
import { BTreeDialect } from '../src/index.js'
import { BENCH_PACKAGE_JSON } from './sides.js'

interface ShapesDB {
  t: { id: number; a: number; b: string; c: number; d: string }
  u: { id: number; t_id: number; x: number }
}
type Db = Kysely<ShapesDB>

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '20000' },
    only: { type: 'string' },
    ms: { type: 'string', default: '600' },
  },
})
const n = Number(values.n)
const budget = Number(values.ms)
const only = values.only?.split(',')

/** The shapes, each a query of either side's Kysely. */
const SHAPES: Record<string, (db: Db) => { execute(): Promise<unknown> }> = {
  'filtered scan (b = ?)': (db) => db.selectFrom('t').select(['id', 'b']).where('b', '=', 'name-77'),
  'join filtered on the joined column': (db) =>
    db.selectFrom('t').innerJoin('u', 'u.t_id', 't.id').select(['t.id', 'u.x']).where('u.t_id', '=', 77),
  'in (select ...) of 1/50 of u': (db) =>
    db
      .selectFrom('t')
      .select('id')
      .where('id', 'in', db.selectFrom('u').select('t_id').where('x', '=', 7)),
  'order by c limit 10': (db) => db.selectFrom('t').selectAll().orderBy('c', 'desc').limit(10),
  'order by c (every row)': (db) => db.selectFrom('t').select(['id', 'c']).orderBy('c'),
  'select distinct d': (db) => db.selectFrom('t').select('d').distinct(),
  'count(*)': (db) => db.selectFrom('t').select(db.fn.countAll().as('n')),
  'count where b like %99%': (db) => db.selectFrom('t').select(db.fn.countAll().as('n')).where('b', 'like', '%99%'),
  'max(id)': (db) => db.selectFrom('t').select(db.fn.max('id').as('m')),
  'min(a)': (db) => db.selectFrom('t').select(db.fn.min('a').as('m')),
  'a = ? or id = ?': (db) =>
    db
      .selectFrom('t')
      .selectAll()
      .where((eb) => eb.or([eb('a', '=', 5), eb('id', '=', 7)])),
  'exists (uncorrelated)': (db) =>
    db
      .selectFrom('t')
      .select('id')
      .where('a', '=', 3)
      .where(({ exists, selectFrom }) => exists(selectFrom('u').select('id').where('x', '=', 3))),
  'exists (correlated, unindexed)': (db) =>
    db
      .selectFrom('t')
      .select('id')
      .where('a', '<', 10)
      .where(({ exists, selectFrom }) => exists(selectFrom('u').select('u.id').whereRef('u.t_id', '=', 't.id'))),
  'hash join (u.t_id unindexed)': (db) =>
    db.selectFrom('t').innerJoin('u', 'u.t_id', 't.id').select(['t.id', 'u.x']).where('t.a', '=', 5),
  'group by a': (db) =>
    db
      .selectFrom('t')
      .select(['a', db.fn.sum('c').as('s')])
      .groupBy('a'),
  'group by b (a group a row)': (db) =>
    db
      .selectFrom('t')
      .select(['b', db.fn.countAll().as('n')])
      .groupBy('b'),
  'count(distinct a)': (db) => db.selectFrom('t').select(db.fn.count('a').distinct().as('n')),
  'with x as (a point lookup) select from x': (db) =>
    db
      .with('x', (q) => q.selectFrom('t').select(['id', 'a']).where('id', '=', 77))
      .selectFrom('x')
      .selectAll(),
  'derived table of a point lookup': (db) =>
    db.selectFrom((q) => q.selectFrom('t').select(['id', 'b']).where('id', '=', 77).as('d')).selectAll(),
  'union of two point lookups': (db) =>
    db
      .selectFrom('t')
      .select('id')
      .where('id', '=', 77)
      .union(db.selectFrom('t').select('id').where('id', '=', 78)),
  'raw text: a point lookup': (db) => ({ execute: () => sql`select id, b from t where id = ${77}`.execute(db) }),
  'recursive cte of 10 rows': (db) =>
    db
      .withRecursive('r(k)', (q) =>
        q.selectNoFrom(sql<number>`1`.as('k')).unionAll((q2) =>
          q2
            .selectFrom('r')
            .select(sql<number>`k + 1`.as('k'))
            .where('k', '<', 10),
        ),
      )
      .selectFrom('r')
      .selectAll(),
}

async function fill(db: Db): Promise<void> {
  await db.schema
    .createTable('t')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('a', 'integer')
    .addColumn('b', 'text')
    .addColumn('c', 'real')
    .addColumn('d', 'text')
    .execute()
  await db.schema
    .createTable('u')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('t_id', 'integer')
    .addColumn('x', 'integer')
    .execute()
  await db.schema.createIndex('t_a').on('t').column('a').execute()
  await db.transaction().execute(async (tx) => {
    for (let start = 0; start < n; start += 500) {
      const ids = Array.from({ length: Math.min(500, n - start) }, (_, j) => start + j)
      await tx
        .insertInto('t')
        .values(
          ids.map((k) => ({
            id: k,
            a: k % 1000,
            b: `name-${(k * 7919) % n}`,
            c: ((k * 31) % 977) / 3,
            d: k % 3 === 0 ? 'a somewhat longer text value here' : 'short',
          })),
        )
        .execute()
      await tx
        .insertInto('u')
        .values(ids.map((k) => ({ id: k, t_id: (k * 13) % n, x: k % 50 })))
        .execute()
    }
  })
}

async function time(db: Db, make: (db: Db) => { execute(): Promise<unknown> }): Promise<number> {
  const query = make(db)
  await query.execute()
  const start = performance.now()
  let runs = 0
  while (performance.now() - start < budget || runs < 3) {
    await query.execute()
    runs++
  }
  return (performance.now() - start) / runs
}

const Database = createRequire(BENCH_PACKAGE_JSON)('better-sqlite3') as new (path: string) => SqliteDatabase
const dir = mkdtempSync(join(tmpdir(), 'kysely-shapes-'))
try {
  const btree: Db = new Kysely<ShapesDB>({ dialect: new BTreeDialect({ path: join(dir, 'btree.db') }) })
  const sqlite: Db = new Kysely<ShapesDB>({ dialect: new SqliteDialect({ database: new Database(join(dir, 's.db')) }) })
  await fill(btree)
  await fill(sqlite)
  const version = (await sql<{ v: string }>`select sqlite_version() as v`.execute(sqlite)).rows[0]?.v ?? '?'
  console.log(`n = ${n}, ms per query (mean over ~${budget} ms a side), better-sqlite3 with SQLite ${version}\n`)
  console.log('| query shape | btree-store ms | better-sqlite3 ms | btree / sqlite (time) |')
  console.log('| --- | ---: | ---: | ---: |')
  for (const [name, make] of Object.entries(SHAPES)) {
    if (only !== undefined && !only.some((o) => name.includes(o))) continue
    const b = await time(btree, make)
    const s = await time(sqlite, make)
    console.log(`| ${name} | ${b.toFixed(3)} | ${s.toFixed(3)} | ${(b / s).toFixed(2)} |`)
  }
  await btree.destroy()
  await sqlite.destroy()
} finally {
  rmSync(dir, { recursive: true, force: true })
}
