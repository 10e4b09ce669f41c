import { compareCase } from '../helpers/differential.js'
import { prng } from '../helpers/random-queries.js'
import { kysely028Api } from '../helpers/kysely-versions.js'
import type { Db } from '../helpers/sides.js'

/**
 * Seeded random queries over three related tables: joins of every type (key lookups, hash joins,
 * nested loops), where, group by with aggregates, having, distinct, order by, limit, subqueries.
 * Every query is one step of one case, compared with SQLite as a multiset of rows (or in order
 * when it orders by every output column). The seed is printed; replay with KYSELY_P2_SEED=<seed>,
 * and KYSELY_P2_QUERIES sets the number of queries.
 *
 * The shapes added after the first rounds (comparisons between two columns of one table, `is` join
 * keys, an inner join after a left join reading the left-joined table) draw from a second stream,
 * so that an older seed still gives its queries, but for those these shapes alter.
 */
const seed = Number(process.env['KYSELY_P2_SEED'] ?? Math.floor(Math.random() * 2 ** 31))
const queryCount = Number(process.env['KYSELY_P2_QUERIES'] ?? 400)

type Rand = () => number
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!
const maybe = (r: Rand, p: number): boolean => r() < p

interface Data {
  a: { id: number; x: number | null; y: string | null }[]
  b: { id: number; a_id: number | string | null; z: number | null }[]
  c: { b_id: number | null; w: string | null; n: number | null }[]
  d: { code: string; v: number | null }[]
}

function makeData(r: Rand): Data {
  const words = ['ant', 'Bee', 'cat', 'dog', 'Eel', '10', '2']
  const a = Array.from({ length: 12 }, (_, i) => ({
    id: i + 1,
    x: maybe(r, 0.15) ? null : Math.floor(r() * 6),
    y: maybe(r, 0.15) ? null : pick(r, words),
  }))
  const b = Array.from({ length: 20 }, (_, i) => ({
    id: 100 + i,
    a_id: maybe(r, 0.1) ? null : maybe(r, 0.1) ? String(1 + Math.floor(r() * 14)) : 1 + Math.floor(r() * 14),
    z: maybe(r, 0.15) ? null : pick(r, [0.5, 1, 2.25, -3, 4, 7.5, 0.1, 0.7, 1e15 + 0.3]),
  }))
  const c = Array.from({ length: 25 }, () => ({
    b_id: maybe(r, 0.1) ? null : 100 + Math.floor(r() * 22),
    w: maybe(r, 0.2) ? null : pick(r, words),
    n: maybe(r, 0.2) ? null : Math.floor(r() * 4),
  }))
  // Text keys that equal integers only under numeric affinity ('05', '2.0'), and some that never do.
  const d = ['1', '05', '2.0', '3', 'x', '100', '101.5', ' 4'].map((code, i) => ({ code, v: maybe(r, 0.2) ? null : i }))
  return { a, b, c, d }
}

async function setup(db: Db, data: Data): Promise<void> {
  await db.schema
    .createTable('a')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('x', 'integer')
    .addColumn('y', 'text')
    .execute()
  await db.schema
    .createTable('b')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('a_id', 'integer')
    .addColumn('z', 'real')
    .execute()
  await db.schema
    .createTable('c')
    .addColumn('b_id', 'integer')
    .addColumn('w', 'text')
    .addColumn('n', 'integer')
    .execute()
  await db.insertInto('a').values(data.a).execute()
  await db.insertInto('b').values(data.b).execute()
  await db.insertInto('c').values(data.c).execute()
  await db.schema
    .createTable('d')
    .addColumn('code', 'text', (c) => c.primaryKey())
    .addColumn('v', 'integer')
    .execute()
  await db.insertInto('d').values(data.d).execute()
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Q = any

const COLUMNS: Record<string, readonly string[]> = {
  a: ['id', 'x', 'y'],
  b: ['id', 'a_id', 'z'],
  c: ['b_id', 'w', 'n'],
  d: ['code', 'v', 'v'],
}

/** A compound, a common table expression, or a derived table over one column of each table. */
function randomNested(db: Db, r: Rand): Q {
  const one = (): Q => {
    const t = pick(r, ['a', 'b', 'c'])
    let q: Q = db
      .selectFrom(t)
      .select((eb: Q) => eb.fn(pick(r, ['abs', 'length', 'typeof', 'lower']), [pick(r, COLUMNS[t]!)]).as('v'))
    if (maybe(r, 0.5)) q = q.where(pick(r, COLUMNS[t]!), 'is not', null)
    return q
  }
  const form = Math.floor(r() * 3)
  if (form === 0) {
    const op = pick(r, ['union', 'unionAll', 'intersect', 'except'])
    let q: Q = one()[op](one())
    if (maybe(r, 0.5)) q = q.orderBy('v').limit(1 + Math.floor(r() * 6))
    return q
  }
  if (form === 1) {
    return db
      .with('w', () => one())
      .selectFrom('w')
      .select((eb: Q) => ['w.v', eb.fn.countAll().as('n')])
      .groupBy('w.v')
  }
  const inner = one().as('d')
  return db
    .selectFrom('a')
    .innerJoin(inner, (j: Q) => j.on((eb: Q) => eb('d.v', '=', eb.ref('a.x'))))
    .select(['a.id', 'd.v'])
}

interface InScope {
  alias: string
  table: string
  kind?: string
}

/**
 * A comparison of two columns of one table in scope (`t1.id = t1.a_id`, `t2.x = t2.x`, `t0.x < t0.y`,
 * `is`, `is not`), the last one joined more often than the others: no join key, a filter on that
 * table's own rows (FAILING.md J6: taken as a hash join's key, it matched nothing).
 */
function sameTableTerm(shapes: Rand, scope: readonly InScope[]): [string, string, string] {
  const t = maybe(shapes, 0.5) ? scope[scope.length - 1]! : pick(shapes, scope)
  const first = pick(shapes, COLUMNS[t.table]!)
  const second = maybe(shapes, 0.3) ? first : pick(shapes, COLUMNS[t.table]!)
  return [`${t.alias}.${first}`, pick(shapes, ['=', '=', '<', '>=', '<>', 'is', 'is not']), `${t.alias}.${second}`]
}

/**
 * The join shapes of the second stream: the key compared with `is` now and then, a term comparing
 * two of the joined table's columns in its on clause, and an inner join after a left join, its key
 * read from the left-joined table with `is` (`a left join b on ... inner join c on c.b_id is b.id`:
 * FAILING.md J6). Only joins with an on clause change, so the first stream draws as before.
 */
function joinShape(
  shapes: Rand,
  scope: readonly InScope[],
  more: boolean,
  kind: string,
  prev: InScope,
): { kind: string; prev: InScope; op: string; own: boolean } {
  if (kind === 'crossJoin') return { kind, prev, op: '=', own: false }
  const own = maybe(shapes, 0.06)
  const leftJoined = scope.filter((t) => t.kind === 'leftJoin')
  if (leftJoined.length > 0 && maybe(shapes, 0.35))
    return { kind: 'innerJoin', prev: pick(shapes, leftJoined), op: 'is', own }
  const op = maybe(shapes, 0.06) ? 'is' : '='
  // A left join for the next join to read.
  if (more && maybe(shapes, 0.12)) return { kind: 'leftJoin', prev, op, own }
  return { kind, prev, op, own }
}

/** One random query; `scope` holds the aliases in scope (t0 is always `a`, `b` or `c`). */
function randomQuery(db: Db, r: Rand, shapes: Rand): Q {
  if (maybe(r, 0.12)) return randomNested(db, r)
  const first = pick(r, ['a', 'b', 'c'])
  const scope: InScope[] = [{ alias: 't0', table: first }]
  let q: Q = db.selectFrom(`${first} as t0`)
  const joins = Math.floor(r() * 3)
  for (let j = 1; j <= joins; j++) {
    const table = pick(r, ['a', 'b', 'c', 'd'])
    const alias = `t${j}`
    const drawn = pick(r, scope)
    const drawnKind = pick(r, ['innerJoin', 'innerJoin', 'leftJoin', 'leftJoin', 'crossJoin', 'rightJoin', 'fullJoin'])
    const { kind, prev, op, own } = joinShape(shapes, scope, j < joins, drawnKind, drawn)
    const link = linkColumns(prev.table, table)
    const left = `${prev.alias}.${link[0]}`
    const right = `${alias}.${link[1]}`
    scope.push({ alias, table, kind })
    const withOwn = (jb: Q): Q => (own ? jb.onRef(...sameTableTerm(shapes, scope.slice(-1))) : jb)
    if (kind === 'crossJoin') q = q.crossJoin(`${table} as ${alias}`)
    else if (maybe(r, 0.2))
      q = q[kind](`${table} as ${alias}`, (jb: Q) =>
        withOwn(jb.onRef(right, op, left).on(`${alias}.${pick(r, COLUMNS[table]!)}`, 'is not', null)),
      )
    else if (maybe(r, 0.1)) q = q[kind](`${table} as ${alias}`, (jb: Q) => withOwn(jb.onRef(right, '<', left)))
    else if (op === '=' && !own) q = q[kind](`${table} as ${alias}`, right, left)
    else q = q[kind](`${table} as ${alias}`, (jb: Q) => withOwn(jb.onRef(right, op, left)))
  }
  const col = (): string => {
    const s = pick(r, scope)
    return `${s.alias}.${pick(r, COLUMNS[s.table]!)}`
  }
  if (maybe(r, 0.6)) {
    const c = col()
    const form = Math.floor(r() * 8)
    if (form === 0) q = q.where(c, 'is', null)
    else if (form === 1) q = q.where(c, '>', pick(r, [0, 2, 100, 105, 'c']))
    else if (form === 2) q = q.where(c, 'in', [1, 2, 3, 'cat', 110])
    else if (form === 3) q = q.where((eb: Q) => eb.or([eb(c, '<', 3), eb(col(), 'is not', null)]))
    else if (form === 4) q = q.where(c, 'in', db.selectFrom('b').select('a_id'))
    else if (form === 5)
      q = q.where((eb: Q) =>
        eb.exists(
          db
            .selectFrom('c as s')
            .select('s.n')
            .whereRef('s.b_id', '=', col() as Q),
        ),
      )
    // Correlated reads of the text-keyed table: key reads only where the affinity allows them.
    else if (form === 6)
      q = q.where((eb: Q) =>
        eb.exists(
          db
            .selectFrom('d as s')
            .select('s.v')
            .whereRef('s.code', pick(r, ['=', '>', '<=']), col() as Q),
        ),
      )
    else
      q = q.where((eb: Q) =>
        eb(
          db
            .selectFrom('d as s')
            .select((e: Q) => e.fn.max('s.code').as('m'))
            .whereRef('s.code', '=', col() as Q),
          'is not',
          null,
        ),
      )
  }
  if (maybe(shapes, 0.1)) q = q.whereRef(...sameTableTerm(shapes, scope))
  const grouped = maybe(r, 0.45)
  const outNames: string[] = []
  if (grouped) {
    const keys = Array.from({ length: Math.floor(r() * 3) }, col)
    const unique = [...new Set(keys)]
    q = q.select((eb: Q) => [
      ...unique.map((k, i) => {
        outNames.push(`k${i}`)
        return eb.ref(k).as(`k${i}`)
      }),
      ...Array.from({ length: 1 + Math.floor(r() * 3) }, (_, i) => {
        outNames.push(`g${i}`)
        const target = col()
        const fn = pick(r, ['countAll', 'count', 'sum', 'min', 'max', 'avgInt', 'countDistinct', 'total'])
        if (fn === 'countAll') return eb.fn.countAll().as(`g${i}`)
        if (fn === 'countDistinct') return eb.fn.count(target).distinct().as(`g${i}`)
        if (fn === 'total') return eb.fn('total', [target]).as(`g${i}`)
        // Sums of reals follow SQLite's compensated summation in the same (key) order.
        if (fn === 'avgInt') return eb.fn.avg(target).as(`g${i}`)
        return eb.fn[fn](target).as(`g${i}`)
      }),
    ])
    if (unique.length > 0) q = q.groupBy(unique)
    if (maybe(r, 0.3)) q = q.having((eb: Q) => eb.fn.countAll(), '>', 1)
  } else {
    const n = 1 + Math.floor(r() * 3)
    const sel: string[] = []
    for (let i = 0; i < n; i++) {
      sel.push(`${col()} as o${i}`)
      outNames.push(`o${i}`)
    }
    q = q.select(sel)
    if (maybe(r, 0.15)) {
      q = q.select((eb: Q) => eb.fn('coalesce', [col(), col(), eb.val(-1)]).as('co'))
      outNames.push('co')
    }
    if (maybe(r, 0.15)) {
      q = q.select((eb: Q) =>
        eb
          .case()
          .when(col(), '>', 2)
          .then(eb.fn('upper', [col()]))
          .else(eb.cast(col(), 'text'))
          .end()
          .as('cs'),
      )
      outNames.push('cs')
    }
    if (maybe(r, 0.1)) {
      q = q.select((eb: Q) =>
        eb
          .selectFrom('c as sc')
          .select((e: Q) => e.fn.count('sc.n').as('k'))
          .whereRef('sc.b_id', '=', col() as Q)
          .as('sq'),
      )
      outNames.push('sq')
    }
    if (maybe(r, 0.2)) q = q.distinct()
  }
  if (maybe(r, 0.4)) {
    for (const name of outNames) q = q.orderBy(name, pick(r, ['asc', 'desc']))
    if (maybe(r, 0.5)) q = q.limit(1 + Math.floor(r() * 5)).offset(Math.floor(r() * 3))
  }
  return q
}

/** The columns two tables join on, as their foreign keys relate them (or any pair). */
function linkColumns(from: string, to: string): [string, string] {
  // A table with itself on its first column (d with d on code, where `d.id` is no column).
  if (from === to) return [COLUMNS[from]![0]!, COLUMNS[to]![0]!]
  // d.code (text key) against the integer keys and columns of the others.
  if (to === 'd') return [from === 'c' ? 'n' : 'id', 'code']
  if (from === 'd') return ['code', to === 'c' ? 'b_id' : 'id']
  if (from === 'b' && to === 'a') return ['a_id', 'id']
  if (from === 'a' && to === 'b') return ['id', 'a_id']
  if (from === 'c' && to === 'b') return ['b_id', 'id']
  if (from === 'b' && to === 'c') return ['id', 'b_id']
  return [COLUMNS[from]![1]!, COLUMNS[to]![2]!]
}

describe(`differential part 2: random joins, groups and subqueries (kysely 0.28, seed ${seed}, ${queryCount} queries)`, () => {
  it(`matches SQLite (replay: KYSELY_P2_SEED=${seed})`, async () => {
    console.log(`    part2-random seed ${seed}`)
    const data = makeData(prng(seed))
    await compareCase(
      kysely028Api,
      (db) => setup(db, data),
      (db) => {
        const r = prng(seed ^ 0x5bd1e995)
        const shapes = prng(seed ^ 0x68e31da4)
        return Array.from({ length: queryCount }, () => randomQuery(db, r, shapes))
      },
      { ordered: false },
    )
  })
})
