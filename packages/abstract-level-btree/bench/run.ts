/**
 * `npm run bench`: btree-level beside classic-level and memory-level, through the abstract-level
 * API, on the same keys, values and orders.
 *
 *   node dist/bench/run.js [--n 200000] [--gets N] [--key-size 16] [--value-size 100] [--batch 1000]
 *                          [--ranges 10000] [--sync-puts 2000]
 *                          [--seed 1] [--stores btree-level,classic-level,memory-level]
 *                          [--only main,random-fill,sublevel-clear,copy] [--rounds 1]
 *                          [--btree-cache-mib M] [--cpu-prof DIR]
 *
 * Each store runs in a child process of its own (store-process.ts), one after the other, so that
 * the peak RSS reported is that store's; with --rounds, the stores take turns that many times and
 * the table shows each store's best round. Prints one JSON line per measurement, then the summary
 * table with the ratios and the issue's targets. The process exits non-zero if a store failed.
 */
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { DATASET_OPTIONS, GROUPS, parseDatasetOptions, positiveInt } from './args.js'
import { validateConfig } from './dataset.js'
import { type Measurement, STORES, type StoreName } from './measure.js'
import { formatTable, summaryRows } from './report-table.js'

const USAGE = `usage: run.js [--n N] [--gets N] [--key-size B] [--value-size B] [--batch N] [--ranges N] [--sync-puts N] [--seed S]
              [--stores ${STORES.join(',')}] [--only ${GROUPS.join(',')}] [--rounds N]
              [--btree-cache-mib M] [--cpu-prof DIR]`

interface RunOptions {
  /** Passed through to every store's process. */
  childArgs: string[]
  stores: StoreName[]
  rounds: number
  cpuProfDir: string | undefined
  summary: string
}

function parseOptions(argv: string[]): RunOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...DATASET_OPTIONS,
      stores: { type: 'string', default: STORES.join(',') },
      rounds: { type: 'string', default: '1' },
      'cpu-prof': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  })
  if (values.help) {
    console.log(USAGE)
    process.exit(0)
  }
  const { config, gets, btreeCacheMiB: cacheMiB } = parseDatasetOptions(values)
  validateConfig(config)
  const only = values.only
  const stores: StoreName[] = []
  for (const name of values.stores
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')) {
    if (!(STORES as readonly string[]).includes(name))
      throw new RangeError(`--stores: unknown store '${name}' (known: ${STORES.join(', ')})`)
    stores.push(name as StoreName)
  }
  if (stores.length === 0) throw new RangeError('--stores: no store selected')
  const childArgs: string[] = [
    '--n',
    String(config.n),
    '--gets',
    String(gets),
    '--key-size',
    String(config.keySize),
    '--value-size',
    String(config.valueSize),
    '--batch',
    String(config.batch),
    '--ranges',
    String(config.ranges),
    '--sync-puts',
    String(config.syncPuts),
    '--seed',
    String(config.seed),
    '--only',
    only,
  ]
  const summary = `n=${config.n} gets=${gets} key=${config.keySize}B value=${config.valueSize}B batch=${config.batch} ranges=${config.ranges} sync-puts=${config.syncPuts} seed=${config.seed}`
  const rounds = positiveInt('rounds', values.rounds)
  if (cacheMiB !== undefined) childArgs.push('--btree-cache-mib', String(cacheMiB))
  console.log(
    JSON.stringify({
      workload: 'config',
      ...config,
      gets,
      stores,
      only,
      rounds,
      btreeCacheMiB: cacheMiB ?? 'default',
      node: process.version,
    }),
  )
  return {
    childArgs,
    stores,
    rounds,
    cpuProfDir: values['cpu-prof'],
    summary: `${summary} rounds=${rounds}${cacheMiB === undefined ? '' : ` btree-cache=${cacheMiB}MiB`}`,
  }
}

/** Runs one store's process, echoing and collecting its JSON lines. Resolves with its exit code. */
function runStore(store: StoreName, round: number, options: RunOptions, results: Measurement[]): Promise<number> {
  const script = fileURLToPath(new URL('./store-process.js', import.meta.url))
  const nodeArgs = ['--expose-gc']
  if (options.cpuProfDir !== undefined)
    nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`, `--cpu-prof-name=${store}-${round}.cpuprofile`)
  const child = spawn(process.execPath, [...nodeArgs, script, '--store', store, ...options.childArgs], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const lines = createInterface({ input: child.stdout })
  lines.on('line', (line) => {
    if (!line.startsWith('{')) {
      console.log(line)
      return
    }
    const m = { ...(JSON.parse(line) as Measurement), round }
    console.log(JSON.stringify(m))
    results.push(m)
  })
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code, signal) => resolve(code ?? (signal === null ? 1 : 128)))
  })
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2))
  const started = process.hrtime.bigint()
  const results: Measurement[] = []
  const failed: string[] = []
  // Rounds alternate the stores, so that a burst of other work on the machine hits them alike.
  for (let round = 1; round <= options.rounds; round++) {
    for (const store of options.stores) {
      const code = await runStore(store, round, options, results)
      if (code !== 0) failed.push(`${store} round ${round} (exit ${code})`)
    }
  }
  const total = Number(process.hrtime.bigint() - started) / 1e9
  console.log(`\n${options.summary}, ${total.toFixed(1)} s in all\n`)
  if (options.rounds > 1) console.log(`each figure is the store's best of ${options.rounds} rounds\n`)
  console.log(formatTable(summaryRows(results)))
  if (failed.length > 0) {
    console.error(`\nfailed: ${failed.join(', ')}`)
    process.exitCode = 1
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})
