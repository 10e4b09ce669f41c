import { mkdtempSync, rmSync } from 'node:fs'
import { cpus, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import type { Kysely } from 'kysely'
import { explain } from '../src/index.js'
import { parseArgs, type BenchArgs } from './args.js'
import { profiled } from './profile.js'
import { durabilityNotes, markdownTable, Results, type Outcome } from './report.js'
import { categoryLabel, createSchema, type BenchDB } from './schema.js'
import { btreeSide, loadBetterSqlite3, loadPglite, SIDE_NAMES, sqlJsSide, type Side } from './sides.js'
import { makeContext, WORKLOADS, type Workload, type WorkloadContext } from './workloads.js'

/**
 * Kysely over BTreeDialect beside Kysely over better-sqlite3, PGlite and sql.js: the same seeded rows and
 * parameters, every query built and compiled by Kysely on every side. One JSON line per measurement
 * on stdout, then a markdown table of medians. `node dist/bench/run.js --help` for the options.
 */
function line(record: Record<string, unknown>): void {
  console.log(JSON.stringify(record))
}

function codeOf(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : undefined
}

/** Milliseconds now by the chosen clock: elapsed, or CPU time used by the process. */
function clockMs(clock: BenchArgs['clock']): number {
  if (clock === 'wall') return performance.now()
  const { user, system } = process.cpuUsage()
  return (user + system) / 1000
}

async function measure(
  side: Side,
  db: Kysely<BenchDB>,
  workload: Workload,
  ctx: WorkloadContext,
  clock: BenchArgs['clock'],
): Promise<Outcome> {
  try {
    let start = clockMs(clock)
    // A time-bounded workload's warm-up is not timed (workloads.ts:bounded).
    const timed = { ...ctx, startTiming: () => void (start = clockMs(clock)) }
    const ops = await workload.run(db, timed)
    const ms = clockMs(clock) - start
    return { opsPerSec: (ops * 1000) / ms, ops, ms } as Outcome
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err)
    if (codeOf(err) === 'BTREE_SQL_UNSUPPORTED') return { unsupported: message }
    return { error: `${side.name}: ${message}` }
  }
}

/** The plans btree-store picks for the read workloads, as its `explain` reports them. */
async function plans(db: Kysely<BenchDB>): Promise<void> {
  const queries = {
    'point-select': db.selectFrom('item').selectAll().where('id', '=', 1),
    'index-lookup': db.selectFrom('item').selectAll().where('category', '=', 0),
    'range-scan': db.selectFrom('item').selectAll().where('id', '>=', 1).orderBy('id').limit(100),
    join: db
      .selectFrom('item')
      .innerJoin('category', 'category.id', 'item.category')
      .select(['item.id', 'item.name', 'item.price', 'category.label'])
      .where('category.label', '=', categoryLabel(0)),
    'join-equated': db
      .selectFrom('category')
      .innerJoin('item', 'item.category', 'category.id')
      .select(['item.id', 'item.name', 'item.price', 'category.label'])
      .where('item.category', '=', 0),
    update: db.updateTable('item').set({ qty: 0 }).where('id', '=', 1),
  }
  for (const [workload, query] of Object.entries(queries)) {
    const plan = await explain(db, query)
    const { table, access, index, seek, keyColumns, reverse, orderByKey, stopAfter, covering } = plan.scan
    line({
      kind: 'plan',
      side: 'btree-store',
      workload,
      table,
      access,
      index: index ?? null,
      seek: seek ?? null,
      keyColumns,
      reverse,
      orderByKey,
      stopAfter: stopAfter ?? null,
      covering: covering ?? false,
      sort: plan.sort,
      ...(plan.joins === undefined
        ? {}
        : { joins: plan.joins.map((j) => ({ table: j.table, strategy: j.strategy, index: j.index ?? null })) }),
    })
  }
}

async function runSide(
  side: Side,
  round: number,
  workloads: readonly Workload[],
  ctx: WorkloadContext,
  results: Results,
  args: BenchArgs,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), `kysely-bench-${side.name}-`))
  let db = await side.open(dir)
  try {
    await createSchema(db, ctx.n)
    for (const workload of workloads) {
      if (workload.name === 'update-durable') {
        if (side.durableSetting === undefined) {
          results.add(side.name, workload.name, { notApplicable: true })
          continue
        }
        db = await side.durable(db, dir)
      }
      if (args.checkpointBetween) await side.checkpoint(db)
      const current = db
      const outcome =
        args.profile === workload.name && side === btreeSide && round === 1
          ? await profiled(args.profileFile, () => measure(side, current, workload, ctx, args.clock))
          : await measure(side, current, workload, ctx, args.clock)
      // A warm-up round (round <= 0) is printed but never counted: see --warmup-rounds.
      if (round > 0 || 'error' in outcome) results.add(side.name, workload.name, outcome)
      line({
        kind: round > 0 ? 'measurement' : 'warmup',
        side: side.name,
        setting: workload.name === 'update-durable' ? side.durableSetting : side.setting,
        workload: workload.name,
        round,
        n: ctx.n,
        ...outcome,
      })
      if (workload.name === 'insert' && side === btreeSide && round === 1) await plans(db)
      if (workload.name === 'insert' && !('opsPerSec' in outcome)) break
    }
  } finally {
    await db.destroy()
    rmSync(dir, { recursive: true, force: true })
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2))
  const sides: Side[] = [btreeSide]
  const better = loadBetterSqlite3()
  if ('side' in better) sides.push(better.side)
  else
    console.error(
      `better-sqlite3 is not installed in bench/ (run \`npm --prefix bench install\` in packages/kysely-dialect, or \`npm --prefix bench rebuild\` after a failed build): skipping it. ${better.missing}`,
    )
  // PGlite starts in seconds: loaded only when it is asked for (or when no side list is given).
  if (args.sides === undefined || args.sides.includes('pglite')) {
    const pglite = await loadPglite()
    if ('side' in pglite) sides.push(pglite.side)
    else console.error(`PGlite or kysely-pglite-dialect is not installed: skipping PGlite. ${pglite.missing}`)
  }
  sides.push(sqlJsSide)
  const known = new Set(WORKLOADS.map((w) => w.name))
  for (const name of [...(args.only ?? []), ...(args.profile === undefined ? [] : [args.profile])])
    if (!known.has(name)) throw new RangeError(`unknown workload ${name}; known: ${[...known].join(', ')}`)
  for (const name of args.sides ?? [])
    if (!SIDE_NAMES.includes(name)) throw new RangeError(`unknown side ${name}; known: ${SIDE_NAMES.join(', ')}`)
  const chosen = sides.filter((s) => args.sides === undefined || args.sides.includes(s.name))
  // `insert` always runs: it fills the table every other workload reads.
  const workloads = WORKLOADS.filter(
    (w) => w.name === 'insert' || args.only === undefined || args.only.includes(w.name),
  )
  const ctx = makeContext(args.n, args.seed, args.budgetMs)
  const cpu = cpus()
  line({
    kind: 'environment',
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpu[0]?.model ?? 'unknown',
    cores: cpu.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    n: args.n,
    rounds: args.rounds,
    warmupRounds: args.warmupRounds,
    budgetMs: args.budgetMs,
    seed: args.seed,
    clock: args.clock,
    sides: chosen.map((s) => s.name),
  })
  const results = new Results()
  // Rounds 1 - warmupRounds .. 0 warm every side's JIT, caches and heap alike and are discarded:
  // a pure-JavaScript side's first run of a workload measures mostly unoptimized code.
  for (let round = 1 - args.warmupRounds; round <= args.rounds; round++) {
    // Rotate the order each round so no side always runs first (or last) on a drifting machine.
    for (let k = 0; k < chosen.length; k++)
      await runSide(
        chosen[(k + round - 1 + args.warmupRounds * chosen.length) % chosen.length]!,
        round,
        workloads,
        ctx,
        results,
        args,
      )
  }
  for (const side of chosen) {
    for (const w of workloads)
      line({
        kind: 'median',
        side: side.name,
        workload: w.name,
        n: args.n,
        rounds: args.rounds,
        ...results.summary(side.name, w.name),
      })
  }
  console.log('')
  console.log(
    `Kysely, n = ${args.n}, ops/s${args.clock === 'cpu' ? ' of CPU time' : ''}, median of ${args.rounds} round(s) after ${args.warmupRounds} discarded warm-up round(s) on every side${args.checkpointBetween ? ', every side checkpointed (untimed) before each workload' : ''}; durable row: ${chosen.map((s) => `${s.name} ${s.durableSetting ?? 'n/a'}`).join(', ')}`,
  )
  console.log('')
  console.log(markdownTable(results, chosen, workloads))
  const notes = workloads.some((w) => w.name === 'update-durable') ? durabilityNotes(results, chosen) : []
  if (notes.length > 0) console.log(['', ...notes].join('\n'))
  if (args.profile !== undefined)
    console.error(
      `CPU profile of btree-store's ${args.profile} (round 1) in ${args.profileFile}: node dist/bench/profile-top.js ${args.profileFile}`,
    )
  if (results.failed) process.exitCode = 1
}

await main()
