import { sql } from 'kysely'
import { compareCase } from '../helpers/differential.js'
import { prng } from '../helpers/random-queries.js'
import { kysely028Api } from '../helpers/kysely-versions.js'
import type { Db } from '../helpers/sides.js'

/**
 * Seeded random window calls, compared with SQLite: ranking, value and aggregate functions over
 * random partitions and orders (ties and nulls included), some with a frame in raw SQL, over a
 * table of random rows. A function whose value depends on where a row falls among its peers
 * (row_number, ntile, lag, lead, first/last/nth value, and any frame by rows) gets `id` as its
 * last order term, since SQLite leaves the order of peers unspecified; the others keep the ties.
 * The seed is printed; replay with KYSELY_WINDOW_SEED=<seed> (KYSELY_WINDOW_QUERIES: how many).
 */
const seed = Number(process.env['KYSELY_WINDOW_SEED'] ?? Math.floor(Math.random() * 2 ** 31))
const queryCount = Number(process.env['KYSELY_WINDOW_QUERIES'] ?? 120)

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Eb = any

interface Row {
  id: number
  g: string | null
  c: number
  a: number | null
  b: number | null
  t: string | null
}

function rowsOf(seed: number): Row[] {
  const r = prng(seed ^ 0x5eed)
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!
  return Array.from({ length: 30 + Math.floor(r() * 20) }, (_, i) => ({
    id: i + 1,
    g: pick(['x', 'y', 'z', null]),
    c: Math.floor(r() * 2),
    a: r() < 0.15 ? null : Math.floor(r() * 6) - 2,
    // Halves and quarters: sums are exact whatever order they are added in.
    b: r() < 0.15 ? null : (Math.floor(r() * 40) - 10) / 4,
    t: r() < 0.15 ? null : pick(['a', 'b', 'B', 'ab', '', 'b']),
  }))
}

const RANKING = ['rank', 'dense_rank', 'percent_rank', 'cume_dist'] as const
const POSITIONAL = ['row_number', 'ntile', 'lag', 'lead', 'first_value', 'last_value', 'nth_value'] as const
const AGGREGATES = ['count*', 'count', 'sum', 'total', 'avg', 'min', 'max'] as const
const COLUMNS = ['a', 'b', 't', 'c'] as const
const NUMERIC = ['a', 'b', 'c'] as const

describe(`differential part 2: random window functions (kysely 0.28, seed ${seed}, ${queryCount} queries)`, () => {
  it(`matches SQLite (replay: KYSELY_WINDOW_SEED=${seed})`, async () => {
    console.log(`    part2-random-windows seed ${seed}`)
    const rows = rowsOf(seed)
    const setup = async (db: Db): Promise<void> => {
      await db.schema
        .createTable('w')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('g', 'text')
        .addColumn('c', 'integer')
        .addColumn('a', 'integer')
        .addColumn('b', 'real')
        .addColumn('t', 'text')
        .execute()
      await db.insertInto('w').values(rows).execute()
    }
    await compareCase(kysely028Api, setup, (db) => {
      const r = prng(seed)
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!
      const int = (lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1))
      /** A window: its partition (columns) and order (column, desc, nulls) terms. */
      const windowSpec = (positional: boolean) => {
        const partition = pick([[], ['g'], ['g', 'c'], ['c']] as const)
        const order: [string, boolean, 'first' | 'last' | undefined][] = []
        const terms = r() < 0.2 ? 0 : int(1, 2)
        for (let i = 0; i < terms; i++) order.push([pick(COLUMNS), r() < 0.4, pick([undefined, 'first', 'last'])])
        if (positional) order.push(['id', r() < 0.3, undefined])
        return { partition, order }
      }
      const over = (spec: ReturnType<typeof windowSpec>) => (ob: Eb) => {
        let o = spec.partition.length > 0 ? ob.partitionBy([...spec.partition]) : ob
        for (const [col, desc, nulls] of spec.order)
          o = o.orderBy(col, (m: Eb) => {
            const d = desc ? m.desc() : m.asc()
            return nulls === undefined ? d : nulls === 'first' ? d.nullsFirst() : d.nullsLast()
          })
        return o
      }
      const rawOver = (spec: ReturnType<typeof windowSpec>, frame: string): string => {
        const parts: string[] = []
        if (spec.partition.length > 0) parts.push(`partition by ${spec.partition.join(', ')}`)
        if (spec.order.length > 0)
          parts.push(
            `order by ${spec.order.map(([c, d, n]) => `${c}${d ? ' desc' : ''}${n === undefined ? '' : ` nulls ${n}`}`).join(', ')}`,
          )
        parts.push(frame)
        return `over (${parts.join(' ')})`
      }
      const call = (eb: Eb, i: number): Eb => {
        const kind = r()
        if (kind < 0.25) {
          const name = pick(RANKING)
          return eb.fn
            .agg(name)
            .over(over(windowSpec(false)))
            .as(`w${i}`)
        }
        if (kind < 0.55) {
          const name = pick(POSITIONAL)
          const col = pick(COLUMNS)
          const args =
            name === 'row_number'
              ? []
              : name === 'ntile'
                ? [sql.lit(int(1, 6))]
                : name === 'lag' || name === 'lead'
                  ? [col, sql.lit(int(0, 3)), ...(r() < 0.5 ? [sql.lit(pick([0, 'none', null]))] : [])].slice(
                      0,
                      r() < 0.3 ? 1 : 3,
                    )
                  : name === 'nth_value'
                    ? [col, sql.lit(int(1, 4))]
                    : [col]
          return eb.fn
            .agg(name, args)
            .over(over(windowSpec(true)))
            .as(`w${i}`)
        }
        if (kind < 0.85) {
          const name = pick(AGGREGATES)
          const col = pick(NUMERIC)
          const fn =
            name === 'count*'
              ? eb.fn.countAll()
              : name === 'count'
                ? eb.fn.count(pick(COLUMNS))
                : name === 'min' || name === 'max'
                  ? eb.fn[name](pick(COLUMNS))
                  : eb.fn.agg(name, [col])
          const filtered = r() < 0.2 ? fn.filterWhere(pick(NUMERIC), '>', 0) : fn
          return filtered.over(over(windowSpec(false))).as(`w${i}`)
        }
        // A frame in raw SQL: rows (with id last in the order) or groups / range by peers.
        const units = pick(['rows', 'groups', 'range'] as const)
        const spec = windowSpec(units === 'rows')
        if (units !== 'rows' && spec.order.length === 0) spec.order.push([pick(COLUMNS), false, undefined])
        // A range frame takes offsets over one numeric order term (SQLite: exactly one).
        const rangeOffsets = units === 'range' && r() < 0.6
        if (rangeOffsets)
          spec.order.splice(0, spec.order.length, [pick(NUMERIC), r() < 0.4, pick([undefined, 'first', 'last'])])
        const bound = (end: boolean): string => {
          const b = pick(
            units === 'range' && !rangeOffsets
              ? (['unbounded', 'current'] as const)
              : (['unbounded', 'preceding', 'current', 'following'] as const),
          )
          if (b === 'unbounded') return end ? 'unbounded following' : 'unbounded preceding'
          if (b === 'current') return 'current row'
          return `${rangeOffsets ? pick([0, 0.5, 1, 2, 3.25]) : int(0, 3)} ${b}`
        }
        const start = bound(false)
        let end = bound(true)
        // SQLite's rule: a frame may not start after the current row and end at or before it.
        if (start.endsWith('following') && !end.endsWith('following')) end = 'unbounded following'
        if (start === 'current row' && end.endsWith('preceding')) end = 'current row'
        const exclude = pick(['', '', ' exclude current row', ' exclude group', ' exclude ties'])
        const fn = pick([
          `sum(${pick(NUMERIC)})`,
          `count(*)`,
          `max(${pick(COLUMNS)})`,
          `avg(${pick(NUMERIC)})`,
          ...(units === 'rows' ? [`first_value(${pick(COLUMNS)})`, `last_value(${pick(COLUMNS)})`] : []),
        ])
        return sql.raw(`${fn} ${rawOver(spec, `${units} between ${start} and ${end}${exclude}`)}`).as(`w${i}`)
      }
      return Array.from({ length: queryCount }, () =>
        db
          .selectFrom('w')
          .select((eb: Eb) => ['id', ...Array.from({ length: 4 }, (_, i) => call(eb, i))])
          .orderBy('id'),
      )
    })
  })
})
