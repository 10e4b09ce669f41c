/**
 * `npm run bench`: btree-store against lmdb-js on the same keys, values and orders.
 *
 *   node dist/bench/run.js [--n 200000] [--key-size 16] [--value-size 100] [--batch 1000]
 *                          [--seed 1] [--rounds 3] [--only name,name] [--no-lmdb]
 *
 * Prints one JSON line per measurement, then the summary table with the targets. Each workload
 * group runs on a fresh temporary directory per engine, btree-store first; nothing is warmed up
 * beyond what the workload itself does. The whole set runs `--rounds` times in the one process
 * (each measurement line carries its `round`); the table gives each engine's median rate and the
 * median of the rounds' ratios (report-table.ts). The first round meets code that V8 has not
 * compiled yet (a cold process: what a short-lived program sees); the later ones what a
 * long-running one does.
 */
import { parseArgs } from 'node:util'
import type { Database } from '../src/db/database.js'
import type { FileSystem } from '../src/io/file-handle.js'
import {
  btreeCommitsConcurrent,
  btreeCommitsSerial,
  btreeDeleteAll,
  btreeDrop,
  btreeFileSize,
  btreeFill,
  btreeGetSnapshot,
  btreeGetView,
  btreeRanges,
  btreeScan,
  openBtree,
} from './btree-workloads.js'
import { type BenchConfig, type Dataset, makeDataset } from './dataset.js'
import { CountingFileSystem } from './counting-file.js'
import { type Measurement, collectGarbage, memoryNow, processWrittenBytes, removeDir, tempDir } from './measure.js'
import { formatTable, summaryRows } from './report-table.js'

/** Names accepted by --only. */
export const WORKLOADS = [
  'seq-fill',
  'seq-fill-none',
  'random-fill',
  'get',
  'get-view',
  'scan',
  'range',
  'overwrite',
  'delete',
  'commit-serial',
  'commit-64',
  'drop',
  'file-size',
] as const
type WorkloadName = (typeof WORKLOADS)[number]

const MAIN_GROUP: WorkloadName[] = ['seq-fill', 'file-size', 'get', 'get-view', 'scan', 'range', 'overwrite', 'delete']

interface RunOptions {
  config: BenchConfig
  only: Set<WorkloadName>
  lmdb: boolean
  rounds: number
}

type LmdbModule = typeof import('./lmdb-workloads.js')

function parseOptions(argv: string[]): RunOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      n: { type: 'string', default: '200000' },
      'key-size': { type: 'string', default: '16' },
      'value-size': { type: 'string', default: '100' },
      batch: { type: 'string', default: '1000' },
      seed: { type: 'string', default: '1' },
      rounds: { type: 'string', default: '3' },
      only: { type: 'string' },
      'no-lmdb': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  })
  if (values.help) {
    console.log(
      `usage: run.js [--n N] [--key-size B] [--value-size B] [--batch N] [--seed S] [--rounds R] [--only ${WORKLOADS.join(',')}] [--no-lmdb]`,
    )
    process.exit(0)
  }
  const int = (name: string, text: string): number => {
    const v = Number(text)
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`--${name} must be a positive integer, got ${text}`)
    return v
  }
  const only = new Set<WorkloadName>()
  for (const name of (values.only ?? WORKLOADS.join(','))
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')) {
    if (!(WORKLOADS as readonly string[]).includes(name))
      throw new RangeError(`--only: unknown workload '${name}' (known: ${WORKLOADS.join(', ')})`)
    only.add(name as WorkloadName)
  }
  return {
    config: {
      n: int('n', values.n),
      keySize: int('key-size', values['key-size']),
      valueSize: int('value-size', values['value-size']),
      batch: int('batch', values.batch),
      seed: Number(values.seed),
    },
    only,
    lmdb: !values['no-lmdb'],
    rounds: int('rounds', values.rounds),
  }
}

class Runner {
  readonly results: Measurement[] = []
  readonly #only: Set<WorkloadName>
  readonly #data: Dataset
  readonly #lmdb: LmdbModule | undefined
  /** The round being run (`--rounds`), stamped on every line. */
  round = 1

  constructor(options: RunOptions, data: Dataset, lmdb: LmdbModule | undefined) {
    this.#only = options.only
    this.#data = data
    this.#lmdb = lmdb
  }

  has(name: WorkloadName): boolean {
    return this.#only.has(name)
  }

  emit(measured: Measurement): void {
    const m = { ...measured, round: this.round }
    this.results.push(m)
    console.log(JSON.stringify(m))
  }

  /** Runs `fn` (when selected) after a collection, emitting what it measured. */
  async step(name: WorkloadName, fn: () => Promise<Measurement> | Measurement): Promise<void> {
    if (!this.has(name)) return
    collectGarbage()
    this.emit(await fn())
  }

  async run(): Promise<void> {
    if (MAIN_GROUP.some((w) => this.has(w))) {
      await this.#btreeMain()
      if (this.#lmdb !== undefined) await this.#lmdbMain(this.#lmdb)
    }
    if (this.has('seq-fill-none')) {
      await withBtree('seqnone', async (db) => {
        await this.step('seq-fill-none', () =>
          btreeFill(
            'sequential fill (durability none)',
            db,
            this.#data,
            identity(this.#data.config.n),
            this.#data.values,
            'none',
          ),
        )
      })
    }
    if (this.has('random-fill')) {
      const data = this.#data
      const counter = new CountingFileSystem()
      await withBtree(
        'randfill',
        async (db) => {
          await this.step('random-fill', () =>
            withWrites(data, counter, () => btreeFill('random fill', db, data, data.fillOrder, data.values)),
          )
          this.#memoryLine('btree-store', 'memory after random fill')
        },
        counter,
      )
      const lm = this.#lmdb
      if (lm !== undefined) {
        await withLmdb(lm, 'randfill', async (db) => {
          await this.step('random-fill', () =>
            withWrites(data, undefined, () => lm.lmdbFill('random fill', db, data, data.fillOrder, data.values)),
          )
          this.#memoryLine('lmdb-js', 'memory after random fill')
        })
      }
    }
    if (this.has('commit-serial') || this.has('commit-64')) {
      const { n } = this.#data.config
      const serial = Math.min(n, 2000)
      const concurrent = Math.min(n, 20000)
      await withBtree('commits', async (db) => {
        await this.step('commit-serial', () => btreeCommitsSerial(db, this.#data, serial))
        await this.step('commit-64', () => btreeCommitsConcurrent(db, this.#data, concurrent))
      })
      const lm = this.#lmdb
      if (lm !== undefined) {
        await withLmdb(lm, 'commits', async (db) => {
          await this.step('commit-serial', () => lm.lmdbCommitsSerial(db, this.#data, serial))
          await this.step('commit-64', () => lm.lmdbCommitsConcurrent(db, this.#data, concurrent))
        })
        // The like-for-like row: a file of its own in the state the row above began from (the
        // serial commits run again, not reported), so that neither run finds the other's keys.
        await withLmdb(lm, 'commits-flushed', async (db) => {
          await lm.lmdbCommitsSerial(db, this.#data, serial)
          await this.step('commit-64', () => lm.lmdbCommitsConcurrent(db, this.#data, concurrent, 64, true))
        })
      }
    }
    if (this.has('drop')) {
      await withBtree('drop', (db) => this.step('drop', () => btreeDrop(db, this.#data)))
      const lm = this.#lmdb
      if (lm !== undefined) await withLmdb(lm, 'drop', (db) => this.step('drop', () => lm.lmdbDrop(db, this.#data)))
    }
  }

  /** Sequential fill, then reads, overwrites and deletes on the same file. */
  async #btreeMain(): Promise<void> {
    const data = this.#data
    await withBtree('main', async (db, dir) => {
      // The later workloads need the data; an unselected fill is done quickly and not reported.
      const fill = () => btreeFill('sequential fill', db, data, identity(data.config.n), data.values)
      if (this.has('seq-fill')) await this.step('seq-fill', fill)
      else await btreeFill('sequential fill', db, data, identity(data.config.n), data.values, 'none')
      await this.step('file-size', () => btreeFileSize(db, dir, data))
      await this.step('get', () => btreeGetSnapshot(db, data))
      await this.step('get-view', () => btreeGetView(db, data))
      await this.step('scan', () => btreeScan(db, data))
      await this.step('range', () => btreeRanges(db, data))
      this.#memory('btree-store')
      await this.step('overwrite', () =>
        btreeFill('overwrite (random order)', db, data, data.overwriteOrder, data.values2),
      )
      await this.step('delete', () => btreeDeleteAll('delete (random order)', db, data, data.deleteOrder))
    })
  }

  async #lmdbMain(lm: LmdbModule): Promise<void> {
    const data = this.#data
    await withLmdb(lm, 'main', async (db, dir) => {
      const fill = () => lm.lmdbFill('sequential fill', db, data, identity(data.config.n), data.values)
      if (this.has('seq-fill')) await this.step('seq-fill', fill)
      else await fill()
      await this.step('file-size', () => lm.lmdbFileSize(dir, data))
      await this.step('get', () => lm.lmdbGet(db, data))
      await this.step('scan', () => lm.lmdbScan(db, data))
      await this.step('range', () => lm.lmdbRanges(db, data))
      this.#memory('lmdb-js')
      await this.step('overwrite', () =>
        lm.lmdbFill('overwrite (random order)', db, data, data.overwriteOrder, data.values2),
      )
      await this.step('delete', () => lm.lmdbDeleteAll('delete (random order)', db, data, data.deleteOrder))
    })
  }

  /** Process-wide memory after an engine's scans (lmdb's mapped pages count in RSS, not the heap). */
  #memory(engine: 'btree-store' | 'lmdb-js'): void {
    if (!this.has('get') && !this.has('scan') && !this.has('range')) return
    this.#memoryLine(engine, 'memory after scans')
  }

  #memoryLine(engine: 'btree-store' | 'lmdb-js', workload: string): void {
    collectGarbage()
    console.log(JSON.stringify({ workload, engine, round: this.round, ...memoryNow() }))
  }
}

async function withBtree(
  label: string,
  fn: (db: Database, dir: string) => Promise<void>,
  fileSystem?: FileSystem,
): Promise<void> {
  const dir = tempDir(`btree-${label}`)
  const db = await openBtree(dir, fileSystem)
  try {
    await fn(db, dir)
    const check = db.check()
    if (!check.ok)
      throw new Error(`btree-store check failed after '${label}': ${check.errors.map((e) => e.message).join('; ')}`)
  } finally {
    await db.close()
    removeDir(dir)
  }
}

async function withLmdb(
  lm: LmdbModule,
  label: string,
  fn: (db: ReturnType<LmdbModule['openLmdb']>, dir: string) => Promise<void>,
): Promise<void> {
  const dir = tempDir(`lmdb-${label}`)
  const db = lm.openLmdb(dir)
  try {
    await fn(db, dir)
  } finally {
    await db.close()
    removeDir(dir)
  }
}

/**
 * Runs a fill and adds the bytes written during it per byte of user data (keys plus values): as
 * the engine's file layer counted them (`counter`, btree-store only) and as the kernel counted
 * the process's write calls (both engines, Linux only).
 */
async function withWrites(
  data: Dataset,
  counter: CountingFileSystem | undefined,
  fn: () => Promise<Measurement>,
): Promise<Measurement> {
  const user = data.config.n * (data.config.keySize + data.config.valueSize)
  const before = counter?.snapshot()
  const processBefore = processWrittenBytes()
  const m = await fn()
  const processAfter = processWrittenBytes()
  const extra: Record<string, number> = { userBytes: user }
  if (counter !== undefined && before !== undefined) {
    extra.bytesWritten = counter.bytesWritten - before.bytesWritten
    extra.writeCalls = counter.writes - before.writes
    extra.syncs = counter.syncs - before.syncs
    extra.writtenPerUserByte = round2(extra.bytesWritten / user)
  }
  if (processBefore !== undefined && processAfter !== undefined) {
    extra.processBytesWritten = processAfter - processBefore
    extra.processWrittenPerUserByte = round2(extra.processBytesWritten / user)
  }
  return { ...m, ...extra }
}

function round2(x: number): number {
  return Math.round(x * 100) / 100
}

function identity(n: number): Uint32Array {
  const order = new Uint32Array(n)
  for (let i = 0; i < n; i++) order[i] = i
  return order
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2))
  const started = process.hrtime.bigint()
  const data = makeDataset(options.config)
  const lmdb = options.lmdb ? await import('./lmdb-workloads.js') : undefined
  console.log(
    JSON.stringify({
      workload: 'config',
      ...options.config,
      only: [...options.only],
      lmdb: options.lmdb,
      rounds: options.rounds,
      node: process.version,
    }),
  )
  const runner = new Runner(options, data, lmdb)
  for (let round = 1; round <= options.rounds; round++) {
    runner.round = round
    await runner.run()
  }
  const total = Number(process.hrtime.bigint() - started) / 1e9
  const { n, keySize, valueSize, batch } = options.config
  const rounds = options.rounds === 1 ? '' : `, ${options.rounds} rounds (medians)`
  console.log(`\nn=${n} key=${keySize}B value=${valueSize}B batch=${batch}${rounds}, ${total.toFixed(1)} s in all\n`)
  console.log(formatTable(summaryRows(runner.results)))
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})
