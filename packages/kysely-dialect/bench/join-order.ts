/**
 * How often the dialect reads the tables of a join in SQLite's order (executor/join-order.ts:
 * sqliteOrder): random joins of two to four tables over five tables (keys, indexes, no index),
 * inner joins, comma joins and cross joins, equalities and ranges between them, filters by
 * constants; SQLite's loop order from `explain query plan` (better-sqlite3 in the bench folder,
 * `npm run bench` installs it), the dialect's from `explain`. The row order of a join without
 * `order by`, and the order in which total() or group_concat() meet its rows, follow the loop order.
 *
 *   node dist/bench/join-order.js [--queries 1000] [--seed 1] [--analyze] [--left] [--show 10]
 *
 * --left adds left joins to the mix.
 */
import { createRequire } from 'node:module'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { Kysely, sql } from 'kysely'
import { BTreeDialect, explain } from '../src/index.js'
import { JOIN_ORDER_ROWS, JOIN_ORDER_SCHEMA } from '../test/helpers/join-order-tables.js'
import { BENCH_PACKAGE_JSON } from './sides.js'

interface NativeDatabase {
  exec(source: string): void
  prepare(source: string): { all(): { detail: string }[] }
  close(): void
}

const { values } = parseArgs({
  options: {
    queries: { type: 'string', default: '1000' },
    seed: { type: 'string', default: '1' },
    analyze: { type: 'boolean', default: false },
    show: { type: 'string', default: '10' },
    left: { type: 'boolean', default: false },
  },
})
const queries = Number(values.queries)
let seed = Number(values.seed)
const random = (): number => {
  seed = (seed * 1103515245 + 12345) % 2147483648
  return seed / 2147483648
}
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!

/** Each table's numeric columns (the conditions compare numbers). */
const COLUMNS: Record<string, readonly string[]> = {
  a: ['id', 'x'],
  b: ['id', 'a_id', 'z'],
  c: ['n'],
  d: ['v'],
  e: ['id', 'b_id', 'w'],
}

function condition(i: number, table: string, before: readonly [number, string][]): string {
  const [j, other] = pick(before)
  return `t${i}.${pick(COLUMNS[table]!)} ${pick(['=', '=', '=', '<', '>'])} t${j}.${pick(COLUMNS[other]!)}`
}

function randomQuery(): string {
  const n = 2 + Math.floor(random() * 3)
  const tables = Array.from({ length: n }, () => pick(Object.keys(COLUMNS)))
  let from = `${tables[0]} t0`
  const where: string[] = []
  const before: [number, string][] = [[0, tables[0]!]]
  let joined = false
  for (let i = 1; i < n; i++) {
    let kind = pick(
      values.left
        ? ['inner', 'inner', 'left', 'left', 'comma', 'cross']
        : ['inner', 'inner', 'inner', 'comma', 'cross'],
    )
    // Kysely writes the tables of `from` before any join.
    if (kind === 'comma' && joined) kind = 'inner'
    if (kind !== 'comma') joined = true
    if (kind === 'comma') {
      from += `, ${tables[i]} t${i}`
      if (random() < 0.7) where.push(condition(i, tables[i]!, before))
    } else if (kind === 'cross') {
      from += ` cross join ${tables[i]} t${i}`
      if (random() < 0.5) where.push(condition(i, tables[i]!, before))
    } else from += ` ${kind} join ${tables[i]} t${i} on ${condition(i, tables[i]!, before)}`
    before.push([i, tables[i]!])
  }
  for (let i = 0; i < n; i++)
    if (random() < 0.3)
      where.push(`t${i}.${pick(COLUMNS[tables[i]!]!)} ${pick(['=', '>', '<'])} ${Math.floor(random() * 10)}`)
  return `select count(*) from ${from}${where.length > 0 ? ` where ${where.join(' and ')}` : ''}`
}

let Database: new (path: string) => NativeDatabase
try {
  Database = createRequire(BENCH_PACKAGE_JSON)('better-sqlite3') as typeof Database
} catch {
  console.error('better-sqlite3 is not installed in the bench folder: run `npm run bench` once (it installs it)')
  process.exit(1)
}
const native = new Database(':memory:')
const dir = mkdtempSync(join(tmpdir(), 'join-order-'))
const db = new Kysely<Record<string, never>>({
  dialect: new BTreeDialect({ path: join(dir, 'db'), durability: 'none' }),
})
try {
  for (const statement of [...JOIN_ORDER_SCHEMA, ...JOIN_ORDER_ROWS, ...(values.analyze ? ['analyze'] : [])]) {
    native.exec(statement)
    await sql.raw(statement).execute(db)
  }
  const version = (native.prepare('select sqlite_version() as detail').all()[0] ?? { detail: '?' }).detail
  let same = 0
  const shown: string[] = []
  for (let q = 0; q < queries; q++) {
    const query = randomQuery()
    const steps = native.prepare(`explain query plan ${query}`).all()
    const sqlite = steps.filter((r) => /^(SCAN|SEARCH) /.test(r.detail)).map((r) => r.detail.split(' ')[1])
    const plan = await explain(db, sql.raw(query).compile(db))
    const ours = [plan.scan.as ?? plan.scan.table, ...(plan.joins ?? []).map((j) => j.as ?? j.table)]
    if (sqlite.join() === ours.join()) same++
    else if (shown.length < Number(values.show))
      shown.push(`${query}\n  SQLite: ${steps.map((r) => r.detail).join(' | ')}\n  ours:   ${ours.join(' ')}`)
  }
  if (shown.length > 0) console.log(`${shown.join('\n')}\n`)
  console.log(
    `seed ${values.seed}${values.analyze ? ', after analyze' : ''}${values.left ? ', left joins too' : ''}: ${same} of ${queries} random joins (${((100 * same) / queries).toFixed(1)} %) read their tables in SQLite ${version}'s order`,
  )
} finally {
  await db.destroy()
  native.close()
  rmSync(dir, { recursive: true, force: true })
}
