import { expect } from 'chai'
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { parseArgs } from '../bench/args.js'
import { layers, topFunctions } from '../bench/profile-top.js'
import { durabilityNotes, formatRate, markdownTable, Results } from '../bench/report.js'
import type { Side } from '../bench/sides.js'
import { groupBy, pointSelect, updateDurable } from '../bench/workloads.js'

const run = promisify(execFile)
const BENCH = fileURLToPath(new URL('../bench/run.js', import.meta.url))
const WORKLOADS = [
  'insert',
  'insert-batch',
  'point-select',
  'index-lookup',
  'range-scan',
  'join',
  'join-equated',
  'update',
  'group-by',
  'delete',
  'update-durable',
]

interface Line {
  kind: string
  side?: string
  workload?: string
  opsPerSec?: number
  unsupported?: string
  error?: string
  notApplicable?: boolean
  access?: string
}

/**
 * The benchmark at a tiny size in a child process, as `npm run bench` runs it. better-sqlite3 lives
 * in bench/node_modules and is usually absent here (CI builds no native code): then the run says
 * so on stderr and still measures btree-store and sql.js.
 */
describe('bench: smoke run at tiny n', function () {
  this.timeout(30_000)

  let dir: string
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'kysely-btree-bench-'))
  })
  after(() => rmSync(dir, { recursive: true, force: true }))

  it('prints a JSON line per measurement for btree-store and sql.js, plans, medians and the table; profiles one workload', async () => {
    const profileFile = join(dir, 'group-by.cpuprofile')
    // PGlite takes seconds to start: the smoke run leaves it out (the table test below covers its column).
    const { stdout, stderr } = await run(process.execPath, [
      BENCH,
      '--sides',
      'btree-store,better-sqlite3,sql.js',
      '--n',
      '250',
      '--rounds',
      '1',
      '--budget-ms',
      '40',
      '--profile',
      // The group-by: at this n, the workload that keeps the dialect busiest (its 250 point
      // selects took ~2 ms, a profile of ~20 samples, which a busy machine could leave without one
      // in the dialect).
      'group-by',
      '--profile-file',
      profileFile,
    ])
    const lines = stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Line)
    const better = lines.some((l) => l.side === 'better-sqlite3')
    if (!better) expect(stderr).to.match(/better-sqlite3 is not installed in bench\//)
    expect(lines[0]?.kind).to.equal('environment')
    for (const side of ['btree-store', 'sql.js', ...(better ? ['better-sqlite3'] : [])]) {
      for (const workload of WORKLOADS) {
        const medians = lines.filter((l) => l.kind === 'median' && l.side === side && l.workload === workload)
        expect(medians, `${side} ${workload}`).to.have.length(1)
        const m = medians[0]!
        expect(m.error, `${side} ${workload}`).to.equal(undefined)
        if (m.opsPerSec !== undefined)
          expect(m.opsPerSec).to.be.a('number').and.to.be.greaterThan(0).and.to.satisfy(Number.isFinite)
        else if (side === 'sql.js' && workload === 'update-durable') expect(m.notApplicable).to.equal(true)
        else expect(m.unsupported, `${side} ${workload}: only the dialect may decline`).to.be.a('string')
        if (m.unsupported !== undefined) expect(side).to.equal('btree-store')
        // One discarded warm-up round (the default) before the one measured round, on every side.
        const kinds = lines.filter((l) => l.side === side && l.workload === workload).map((l) => l.kind)
        if (m.notApplicable !== true) {
          expect(
            kinds.filter((k) => k === 'warmup'),
            `${side} ${workload} warm-up`,
          ).to.have.length(1)
          expect(kinds.indexOf('warmup')).to.be.below(kinds.indexOf('measurement'))
        }
        if (m.opsPerSec !== undefined) {
          expect(
            lines.some(
              (l) =>
                l.kind === 'measurement' && l.side === side && l.workload === workload && l.opsPerSec !== undefined,
            ),
          ).to.equal(true)
        }
      }
    }
    const plans = new Map(lines.filter((l) => l.kind === 'plan').map((l) => [l.workload, l.access]))
    expect(plans.get('point-select')).to.equal('point')
    expect(plans.get('range-scan')).to.equal('range')
    expect(plans.get('join-equated')).to.equal('point')
    expect(plans.has('index-lookup')).to.equal(true)
    expect(stdout).to.include('| workload | btree-store')
    expect(stdout).to.match(/\| point select by primary key \| [\d.]+k? \|/)
    const profile = JSON.parse(readFileSync(profileFile, 'utf8')) as Parameters<typeof topFunctions>[0]
    const top = topFunctions(profile, 10)
    expect(top).to.have.length.greaterThan(0)
    expect(top.map((f) => f.share).reduce((a, b) => a + b)).to.be.at.most(1.0001)
    expect(layers(profile).map((l) => l.layer)).to.include('dialect')
  })

  it('rejects a bad size with a usage message and a non-zero exit', async () => {
    const err = await run(process.execPath, [BENCH, '--n', '0']).then(
      () => undefined,
      (e: unknown) => e as { code: number; stderr: string },
    )
    expect(err?.code).to.not.equal(0)
    expect(err?.stderr).to.match(/--n needs a positive integer/)
  })

  it('runs one discarded warm-up round unless --warmup-rounds says otherwise; a negative count is refused', () => {
    expect(parseArgs([]).warmupRounds).to.equal(1)
    expect(parseArgs(['--warmup-rounds', '0']).warmupRounds).to.equal(0)
    expect(parseArgs(['--warmup-rounds=2']).warmupRounds).to.equal(2)
    expect(() => parseArgs(['--warmup-rounds', '-1'])).to.throw(
      RangeError,
      /--warmup-rounds needs a non-negative integer/,
    )
  })

  it('measures elapsed time unless --clock cpu asks for CPU time; another clock is refused', () => {
    expect(parseArgs([]).clock).to.equal('wall')
    expect(parseArgs(['--clock', 'cpu']).clock).to.equal('cpu')
    expect(parseArgs(['--clock=wall']).clock).to.equal('wall')
    expect(() => parseArgs(['--clock', 'tsc'])).to.throw(RangeError, /--clock is wall or cpu/)
    expect(parseArgs([]).checkpointBetween).to.equal(false)
    expect(parseArgs(['--checkpoint-between']).checkpointBetween).to.equal(true)
  })
})

describe('bench: medians and the table', () => {
  const btree = {
    name: 'btree-store',
    setting: "durability 'none'",
    durableSetting: "durability 'full'",
    durableSyncs: true,
  } as Side
  const better = {
    name: 'better-sqlite3',
    setting: 'WAL, synchronous=NORMAL',
    durableSetting: 'WAL, synchronous=FULL',
    durableSyncs: true,
  } as Side

  it('takes the median of the rounds (odd and even counts) and the ratio to better-sqlite3', () => {
    const results = new Results()
    for (const r of [300, 100, 200]) results.add('btree-store', 'point-select', { opsPerSec: r })
    for (const r of [400, 100, 300, 200]) results.add('better-sqlite3', 'point-select', { opsPerSec: r })
    expect(results.summary('btree-store', 'point-select')).to.deep.equal({ opsPerSec: 200 })
    expect(results.summary('better-sqlite3', 'point-select')).to.deep.equal({ opsPerSec: 250 })
    const table = markdownTable(results, [btree, better], [pointSelect])
    expect(table).to.include('| point select by primary key | 200 | 250 | 0.80× | - | - |')
    expect(results.failed).to.equal(false)
  })

  it('prints unsupported rather than a figure when any round was declined, and marks errors as failures', () => {
    const results = new Results()
    results.add('btree-store', 'group-by', { unsupported: 'GroupByNode' })
    results.add('better-sqlite3', 'group-by', { opsPerSec: 321 })
    results.add('better-sqlite3', 'update', { error: 'boom' })
    expect(markdownTable(results, [btree, better], [groupBy])).to.include('| unsupported | 321 | - | - | - |')
    expect(results.summary('better-sqlite3', 'update')).to.deep.equal({ error: 'boom' })
    expect(results.failed).to.equal(true)
  })

  it('gives the ratio to PGlite in its own column', () => {
    const pglite = {
      name: 'pglite',
      setting: 'file, fsync=off',
      durableSetting: 'file, fsync=off',
      durableSyncs: false,
    } as Side
    const results = new Results()
    results.add('btree-store', 'point-select', { opsPerSec: 20_000 })
    results.add('pglite', 'point-select', { opsPerSec: 2_500 })
    const table = markdownTable(results, [btree, pglite], [pointSelect])
    expect(table).to.include('| btree / better-sqlite3 | btree / PGlite | btree / sql.js |')
    expect(table).to.include('| point select by primary key | 20.0k | 2.5k | - | 8.00× | - |')
  })

  it("compares a side that never syncs with btree-store's 'none' as well as its 'full' durable row", () => {
    const pglite = {
      name: 'pglite',
      setting: 'file, fsync=off',
      durableSetting: 'file, fsync=off (no durable mode)',
      durableSyncs: false,
    } as Side
    const results = new Results()
    results.add('btree-store', 'update', { opsPerSec: 20_000 })
    results.add('btree-store', 'update-durable', { opsPerSec: 2_000 })
    results.add('better-sqlite3', 'update-durable', { opsPerSec: 1_000 })
    results.add('pglite', 'update', { opsPerSec: 500 })
    results.add('pglite', 'update-durable', { opsPerSec: 800 })
    const table = markdownTable(results, [btree, better, pglite], [updateDurable])
    // The ratio to better-sqlite3 (both sync) stays plain; PGlite's says what it compares.
    expect(table).to.include("| 2.0k | 1.0k | 800 | 2.00× | 2.50× ('full' vs no fsync) | - |")
    const notes = durabilityNotes(results, [btree, better, pglite])
    expect(notes).to.have.length(1)
    expect(notes[0]).to.include("btree-store durability 'none' / pglite = 40.00×")
    expect(notes[0]).to.include("btree-store durability 'full' (an fdatasync per commit) / pglite = 2.50×")
  })

  it('formats rates as PERFORMANCE.md does', () => {
    expect([321.4, 2345, 14_520, 119_400].map(formatRate)).to.deep.equal(['321', '2.3k', '14.5k', '119k'])
  })
})
