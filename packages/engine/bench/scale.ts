/**
 * The scale benchmark (issue 9, "Scale"): random fill, random get and full scan at several sizes,
 * default options, btree-store against lmdb-js.
 *
 *   node dist/bench/scale.js [--sizes 200000,1000000,5000000] [--no-lmdb] [--batch 1000] [--seed 1]
 *
 * Each (size, engine) runs in a child process of its own so that its peak RSS
 * (`process.resourceUsage().maxRSS`) is its own: the dataset, then a fresh database filled in
 * random order (batches of `--batch`, durability 'full', the final checkpoint included), n random
 * gets on one snapshot, one full scan. A child prints one JSON line; the parent prints them as they
 * come and then a table with the btree-store / lmdb-js ratios. `rssBeforeMiB` is the child's RSS
 * with the dataset built and no database open: what the engine adds is peak minus that.
 */
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { BUCKET, btreeFill, btreeGetSnapshot, btreeScan, openBtree } from './btree-workloads.js'
import { CountingFileSystem } from './counting-file.js'
import { type Dataset, makeDataset } from './dataset.js'
import {
  type EngineName,
  type Measurement,
  collectGarbage,
  processWrittenBytes,
  removeDir,
  tempDir,
} from './measure.js'

type ScaleEngine = 'btree' | 'lmdb'

/** What a child reports: one line per (size, engine). */
export interface ScaleResult {
  engine: EngineName
  n: number
  fillPerSec: number
  getPerSec: number
  scanPerSec: number
  /** Bytes written to the files per byte of user data (keys + values) during the random fill. */
  writtenPerUserByte: number
  /** The same as the kernel counted the process's write calls (wchar), Linux only. */
  processWrittenPerUserByte: number | undefined
  peakRssMiB: number
  rssBeforeMiB: number
  fillSeconds: number
}

const MiB = 1024 * 1024

function parseOptions(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      sizes: { type: 'string', default: '200000,1000000,5000000' },
      'no-lmdb': { type: 'boolean', default: false },
      batch: { type: 'string', default: '1000' },
      seed: { type: 'string', default: '1' },
      child: { type: 'string' },
      n: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  })
  if (values.help) {
    console.log('usage: scale.js [--sizes 200000,1000000,5000000] [--no-lmdb] [--batch 1000] [--seed 1]')
    process.exit(0)
  }
  const sizes = values.sizes.split(',').map((s) => positive('sizes', s.trim()))
  return {
    sizes,
    lmdb: !values['no-lmdb'],
    batch: positive('batch', values.batch),
    seed: Number(values.seed),
    child: values.child as ScaleEngine | undefined,
    n: values.n === undefined ? undefined : positive('n', values.n),
  }
}

function positive(name: string, text: string): number {
  const v = Number(text)
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`--${name} must be a positive integer, got ${text}`)
  return v
}

function rssMiB(bytes: number): number {
  return Math.round((bytes / MiB) * 10) / 10
}

/** One (size, engine) in this process: fill, get, scan, and the writes and memory they took. */
async function runChild(engine: ScaleEngine, n: number, batch: number, seed: number): Promise<ScaleResult> {
  const data = makeDataset({ n, keySize: 16, valueSize: 100, batch, seed })
  collectGarbage()
  const rssBefore = process.memoryUsage().rss
  const user = n * (16 + 100)
  const wcharBefore = processWrittenBytes()
  const dir = tempDir(`scale-${engine}`)
  let fill: Measurement
  let get: Measurement
  let scan: Measurement
  let written: number
  try {
    if (engine === 'btree') {
      const counter = new CountingFileSystem()
      const db = await openBtree(dir, counter)
      try {
        fill = await btreeFill('random fill', db, data, data.fillOrder, data.values)
        written = counter.bytesWritten
        get = await btreeGetSnapshot(db, data)
        scan = await btreeScan(db, data)
        const check = db.check()
        if (!check.ok) throw new Error(`check failed: ${check.errors.map((e) => e.message).join('; ')}`)
        if (db.view((tx) => tx.bucket(BUCKET)?.size) !== n) throw new Error('the bucket does not hold n keys')
      } finally {
        await db.close()
      }
    } else {
      ;({ fill, get, scan, written } = await lmdbRun(dir, data))
    }
  } finally {
    removeDir(dir)
  }
  const wcharAfter = processWrittenBytes()
  return {
    engine: engine === 'btree' ? 'btree-store' : 'lmdb-js',
    n,
    fillPerSec: Math.round(fill.opsPerSec),
    getPerSec: Math.round(get.opsPerSec),
    scanPerSec: Math.round(scan.opsPerSec),
    writtenPerUserByte: Math.round((written / user) * 100) / 100,
    processWrittenPerUserByte:
      wcharBefore === undefined || wcharAfter === undefined
        ? undefined
        : Math.round(((wcharAfter - wcharBefore) / user) * 100) / 100,
    peakRssMiB: rssMiB(process.resourceUsage().maxRSS * 1024),
    rssBeforeMiB: rssMiB(rssBefore),
    fillSeconds: Math.round(fill.seconds * 10) / 10,
  }
}

/** lmdb-js has no file layer to count through: its bytes written are the kernel's (wchar). */
async function lmdbRun(
  dir: string,
  data: Dataset,
): Promise<{ fill: Measurement; get: Measurement; scan: Measurement; written: number }> {
  const lm = await import('./lmdb-workloads.js')
  const db = lm.openLmdb(dir)
  try {
    const before = processWrittenBytes() ?? 0
    const fill = await lm.lmdbFill('random fill', db, data, data.fillOrder, data.values)
    const written = (processWrittenBytes() ?? 0) - before
    const get = await lm.lmdbGet(db, data)
    const scan = await lm.lmdbScan(db, data)
    return { fill, get, scan, written }
  } finally {
    await db.close()
  }
}

function runParent(options: ReturnType<typeof parseOptions>): void {
  const script = fileURLToPath(import.meta.url)
  const results: ScaleResult[] = []
  const engines: ScaleEngine[] = options.lmdb ? ['btree', 'lmdb'] : ['btree']
  for (const n of options.sizes) {
    for (const engine of engines) {
      const args = [script, '--child', engine, '--n', String(n), '--batch', String(options.batch)]
      const child = spawnSync(process.execPath, [...args, '--seed', String(options.seed)], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
        maxBuffer: 16 * MiB,
      })
      if (child.status !== 0) throw new Error(`scale child ${engine} n=${n} failed (${child.status ?? child.signal})`)
      const line = child.stdout.trim().split('\n').at(-1)!
      console.log(line)
      results.push(JSON.parse(line) as ScaleResult)
    }
  }
  console.log(`\n${formatScaleTable(results)}`)
}

/** The summary: one row per size and engine, with btree-store's ratios to lmdb-js on its rows. */
export function formatScaleTable(results: ScaleResult[]): string {
  const head = [
    'n',
    'engine',
    'random fill/s',
    'random get/s',
    'full scan/s',
    'written / user byte',
    'peak RSS MiB (dataset)',
  ]
  const rows = results.map((r) => {
    const l = r.engine === 'btree-store' ? results.find((o) => o.engine === 'lmdb-js' && o.n === r.n) : undefined
    const ratio = (a: number, b: number | undefined) => (b === undefined ? '' : ` (${(a / b).toFixed(2)}x)`)
    return [
      r.n.toLocaleString('en-US'),
      r.engine,
      r.fillPerSec.toLocaleString('en-US') + ratio(r.fillPerSec, l?.fillPerSec),
      r.getPerSec.toLocaleString('en-US') + ratio(r.getPerSec, l?.getPerSec),
      r.scanPerSec.toLocaleString('en-US') + ratio(r.scanPerSec, l?.scanPerSec),
      String(r.writtenPerUserByte),
      `${r.peakRssMiB} (${r.rssBeforeMiB})`,
    ]
  })
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`
  const rule = `|${widths.map((w, i) => (i < 2 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`
  return [line(head), rule, ...rows.map(line)].join('\n')
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2))
  if (options.child === undefined) return runParent(options)
  if (options.child !== 'btree' && options.child !== 'lmdb') throw new RangeError(`--child: ${options.child}`)
  if (options.n === undefined) throw new RangeError('--child needs --n')
  console.log(JSON.stringify(await runChild(options.child, options.n, options.batch, options.seed)))
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})
