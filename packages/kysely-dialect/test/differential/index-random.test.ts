import { sql } from 'kysely'
import { compareCase } from '../helpers/differential.js'
import { prng } from '../helpers/random-queries.js'
import { kysely028Api } from '../helpers/kysely-versions.js'
import type { Db } from '../helpers/sides.js'

/**
 * Seeded random queries over three related tables large enough for the planner to pick their
 * indexes (single and composite, unique too) and index nested loops: random filters (equality,
 * ranges, in lists, is null, like heads) with constants of every storage class, inner and left
 * joins on columns of different affinities, orders and limits, and partial indexes whose conditions
 * the filters sometimes imply. Each query is one step, compared
 * with SQLite (as a multiset, or in order when it orders by a unique column last). The seed is
 * printed; replay with KYSELY_INDEX_SEED=<seed>; KYSELY_INDEX_QUERIES sets the count.
 */
const seed = Number(process.env['KYSELY_INDEX_SEED'] ?? Math.floor(Math.random() * 2 ** 31))
const queryCount = Number(process.env['KYSELY_INDEX_QUERIES'] ?? 250)

type Rand = () => number
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!

const TABLES = {
  p: ['id', 'g', 'h', 's'],
  q: ['id', 'p_id', 'k', 't'],
  u: ['code', 'n', 'label'],
} as const
type Table = keyof typeof TABLES

const CONSTANTS: readonly unknown[] = [0, 1, 2, 3, 5, 7, -1, 2.5, '1', '2', '05', 'a', 'ab', 'B', '', 'x1', null]

function data(r: Rand): { p: object[]; q: object[]; u: object[] } {
  const maybe = <T>(v: T, p = 0.1): T | null => (r() < p ? null : v)
  const p = Array.from({ length: 150 }, (_, i) => ({
    id: i + 1,
    g: maybe(Math.floor(r() * 8)),
    h: maybe(pick(r, ['a', 'ab', 'B', 'b', '1', '2', 'x1', 'x2', ''])),
    s: maybe(pick(r, [0.5, 1, 2, 2.5, 3, 7])),
  }))
  const q = Array.from({ length: 200 }, (_, i) => ({
    id: 1000 + i,
    p_id: maybe(r() < 0.1 ? String(1 + Math.floor(r() * 160)) : 1 + Math.floor(r() * 160)),
    k: maybe(pick(r, [1, 2, 3, '2', 'a', 2.5])),
    t: maybe(pick(r, ['a', 'ab', 'abc', 'B', '10', '2'])),
  }))
  const u = ['1', '05', '2', '2.5', 'a', 'ab', 'B', 'x1', '7', '10'].map((code, i) => ({
    code,
    n: maybe(i % 4),
    label: maybe(pick(r, ['a', 'b', 'ab'])),
  }))
  return { p, q, u }
}

async function setup(db: Db, rows: ReturnType<typeof data>): Promise<void> {
  await db.schema
    .createTable('p')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('g', 'integer')
    .addColumn('h', 'text')
    .addColumn('s', 'real')
    .execute()
  await db.schema
    .createTable('q')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('p_id', 'integer')
    .addColumn('k', 'blob')
    .addColumn('t', 'text')
    .execute()
  await db.schema
    .createTable('u')
    .addColumn('code', 'text', (c) => c.primaryKey())
    .addColumn('n', 'integer')
    .addColumn('label', 'text')
    .execute()
  await db.insertInto('p').values(rows.p).execute()
  await db.insertInto('q').values(rows.q).execute()
  await db.insertInto('u').values(rows.u).execute()
  await db.schema.createIndex('p_g_h').on('p').columns(['g', 'h']).execute()
  await db.schema.createIndex('p_s').on('p').column('s').execute()
  await db.schema.createIndex('q_p').on('q').column('p_id').execute()
  await db.schema.createIndex('q_k').on('q').column('k').execute()
  await db.schema.createIndex('q_t_k').on('q').columns(['t', 'k']).execute()
  await db.schema.createIndex('u_n').on('u').column('n').execute()
  // Partial indexes whose conditions the random filters imply at times (planner/partial-index.ts):
  // written alike (`t = 'a'`, `s is null`), or `is not null` implied by a comparison.
  await db.schema.createIndex('p_h_g').on('p').column('h').where(sql.ref('g'), 'is not', null).execute()
  await db.schema.createIndex('p_g_nos').on('p').column('g').where(sql.ref('s'), 'is', null).execute()
  await db.schema.createIndex('q_k_ta').on('q').column('k').where(sql.ref('t'), '=', 'a').execute()
  await db.schema.createIndex('q_id_t').on('q').column('id').where(sql.ref('t'), 'is not', null).execute()
  await db.schema.createIndex('u_label_n').on('u').column('label').where(sql.ref('n'), 'is not', null).execute()
  // Expression indexes the random filters' function and arithmetic forms compare at times
  // (planner/expression-keys.ts), one mixed with a column, one partial.
  await db.schema
    .createIndex('p_lower_h')
    .on('p')
    .expression(sql`lower(h)`)
    .execute()
  await db.schema
    .createIndex('p_g1')
    .on('p')
    .expression(sql`g + 1`)
    .column('s')
    .execute()
  await db.schema
    .createIndex('q_lower_t')
    .on('q')
    .expression(sql`lower(t)`)
    .execute()
  await db.schema
    .createIndex('q_k1')
    .on('q')
    .expression(sql`k + 1`)
    .where(sql.ref('t'), 'is not', null)
    .execute()
  await db.schema
    .createIndex('u_n1')
    .on('u')
    .expression(sql`n + 1`)
    .execute()
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Q = any

function filter(r: Rand, alias: string, table: Table): (eb: Q) => Q {
  const column = `${alias}.${pick(r, TABLES[table])}`
  const form = Math.floor(r() * 9)
  return (eb: Q) => {
    switch (form) {
      case 0:
        return eb(column, '=', pick(r, CONSTANTS))
      case 1:
        return eb(column, pick(r, ['<', '<=', '>', '>=']), pick(r, CONSTANTS))
      case 2:
        return eb(
          column,
          'in',
          Array.from({ length: Math.floor(r() * 4) }, () => pick(r, CONSTANTS)),
        )
      case 3:
        return eb(column, pick(r, ['is', 'is not']), null)
      case 4:
        return eb(column, 'like', pick(r, ['a%', 'A%', 'x%', '1%', 'ab_', '%b']))
      case 5:
        return eb.between(column, pick(r, CONSTANTS), pick(r, CONSTANTS))
      case 6:
        return eb.or([eb(column, '=', pick(r, CONSTANTS)), eb(column, '<', pick(r, CONSTANTS))])
      case 7: {
        const op = pick(r, ['=', '<', '>=', 'in', 'is'])
        return eb(eb.fn('lower', [column]), op, operand(r, op))
      }
      default: {
        const op = pick(r, ['=', '<', '>=', 'in'])
        return eb(eb(column, '+', 1), op, operand(r, op))
      }
    }
  }
}

/** What `op` compares with: a list of constants for `in`, else one. */
function operand(r: Rand, op: string): unknown {
  return op === 'in' ? Array.from({ length: 1 + Math.floor(r() * 3) }, () => pick(r, CONSTANTS)) : pick(r, CONSTANTS)
}

const LINKS: readonly [Table, string, Table, string][] = [
  ['p', 'id', 'q', 'p_id'],
  ['q', 'p_id', 'p', 'id'],
  ['p', 'g', 'u', 'n'],
  ['u', 'code', 'q', 'k'],
  ['q', 't', 'u', 'code'],
  ['p', 'h', 'q', 't'],
  ['u', 'code', 'p', 'g'],
]

function randomQuery(db: Db, r: Rand): Q {
  const [from, fromColumn, to, toColumn] = pick(r, LINKS)
  const joined = r() < 0.75
  let q: Q = db.selectFrom(`${from} as a`)
  if (joined) {
    const kind = pick(r, ['innerJoin', 'innerJoin', 'leftJoin'])
    q = q[kind](`${to} as b`, `b.${toColumn}`, `a.${fromColumn}`)
  }
  const filters = Math.floor(r() * 3)
  for (let i = 0; i < filters; i++) {
    const onB = joined && r() < 0.5
    q = q.where(filter(r, onB ? 'b' : 'a', onB ? to : from))
  }
  const key = (t: Table, alias: string): string => `${alias}.${TABLES[t][0]}`
  const columns = [`${key(from, 'a')} as ka`, `a.${fromColumn} as fa`]
  if (joined) columns.push(`${key(to, 'b')} as kb`, `b.${toColumn} as fb`)
  q = q.select(columns)
  if (r() < 0.4) {
    const by = `a.${pick(r, TABLES[from])}`
    const dir = pick(r, ['asc', 'desc'])
    q = q.orderBy(by, dir).orderBy(key(from, 'a'), dir)
    if (joined) q = q.orderBy(key(to, 'b'))
    if (r() < 0.6) q = q.limit(1 + Math.floor(r() * 8))
  }
  return q
}

describe(`differential: random index and join paths (kysely 0.28, seed ${seed}, ${queryCount} queries)`, () => {
  it(`matches SQLite (replay: KYSELY_INDEX_SEED=${seed})`, async () => {
    console.log(`    index-random seed ${seed}`)
    const rows = data(prng(seed))
    await compareCase(
      kysely028Api,
      (db) => setup(db, rows),
      (db) => {
        const r = prng(seed ^ 0x2545f491)
        return Array.from({ length: queryCount }, () => randomQuery(db, r))
      },
    )
  })
})
