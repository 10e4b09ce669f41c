/**
 * The CPU a fill costs, phase by phase, free of the noise a shared machine puts into wall time:
 *
 *   node dist/bench/fill-cpu.js [--n 200000] [--order seq|random] [--durability none|full]
 *                               [--reps 5] [--compare <another packages/engine directory>] [--writes-only]
 *
 * Fills n keys in batches of 1,000, checkpoints, then gets every key in random order (a first pass,
 * which meets every page for the first time, then a second), gets every key again with a `db.view`
 * per get, and scans them (--writes-only skips these reads), then overwrites every key and deletes
 * every key in random order in batches of 1,000, each followed by a checkpoint, `reps` times, and
 * prints the least CPU (user + system,
 * `process.cpuUsage`, garbage-collector threads included) each phase took. With --compare, the other build (its dist/src/index.js) runs in the same process,
 * alternating with this one, for an A/B of two commits.
 */
import fs from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { pathToFileURL } from 'node:url'
import { makeDataset } from './dataset.js'
import { collectGarbage, removeDir, tempDir } from './measure.js'
import type { Durability } from '../src/base/types.js'

interface Engine {
  name: string
  open(file: string): Promise<BenchDb>
}

/** The part of the API the phases use, as any build of the engine has it. */
interface BenchDb {
  update(
    fn: (tx: {
      createBucketIfNotExists(n: string): { put(k: Uint8Array, v: Uint8Array): void; delete(k: Uint8Array): boolean }
    }) => void,
    o: { durability: Durability },
  ): Promise<unknown>
  checkpoint(): Promise<void>
  view<T>(fn: (tx: { bucket(n: string): { get(k: Uint8Array): Uint8Array | undefined } | undefined }) => T): T
  begin(): {
    bucket(n: string):
      | {
          get(k: Uint8Array): Uint8Array | undefined
          cursor(): { first(): boolean; next(): boolean; value: Uint8Array | undefined }
        }
      | undefined
    close(): void
  }
  close(): Promise<void>
}

interface Phases {
  fill: number
  checkpoint: number
  get: number
  getAgain: number
  view: number
  scan: number
  overwrite: number
  delete: number
}

const PHASES = ['fill', 'checkpoint', 'get', 'getAgain', 'view', 'scan', 'overwrite', 'delete'] as const

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '200000' },
    order: { type: 'string', default: 'seq' },
    durability: { type: 'string', default: 'none' },
    reps: { type: 'string', default: '5' },
    compare: { type: 'string' },
    'writes-only': { type: 'boolean', default: false },
  },
})
const n = Number(values.n)
const reps = Number(values.reps)
if (!Number.isInteger(n) || n < 1000 || !Number.isInteger(reps) || reps < 1)
  throw new RangeError('--n >= 1000, --reps >= 1')
if (values.order !== 'seq' && values.order !== 'random') throw new RangeError('--order seq|random')
if (values.durability !== 'none' && values.durability !== 'full') throw new RangeError('--durability none|full')
const durability: Durability = values.durability

const here = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')
const engines: Engine[] = [await load('this build', path.join(here, 'src/index.js'))]
if (values.compare !== undefined)
  engines.push(await load(values.compare, path.join(values.compare, 'dist/src/index.js')))

async function load(name: string, file: string): Promise<Engine> {
  if (!fs.existsSync(file)) throw new Error(`no engine build at ${file}`)
  const mod = (await import(pathToFileURL(file).href)) as { open(file: string): Promise<BenchDb> }
  return { name, open: (f) => mod.open(f) }
}

const data = makeDataset({ n, keySize: 16, valueSize: 100, batch: 1000, seed: 1 })
const order = values.order === 'seq' ? Uint32Array.from({ length: n }, (_, i) => i) : data.fillOrder
const cpu = (): number => {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

async function once(engine: Engine): Promise<Phases> {
  const dir = tempDir('fill-cpu')
  try {
    const db = await engine.open(path.join(dir, 'bench.db'))
    collectGarbage()
    const t0 = cpu()
    await writeAll(db, order, data.values)
    const t1 = cpu()
    await db.checkpoint()
    const t2 = cpu()
    const reads = values['writes-only'] ? undefined : readAll(db)
    const t6 = cpu()
    await writeAll(db, data.overwriteOrder, data.values2)
    await db.checkpoint()
    const t7 = cpu()
    await writeAll(db, data.deleteOrder, undefined)
    await db.checkpoint()
    const t8 = cpu()
    await db.close()
    return {
      fill: t1 - t0,
      checkpoint: t2 - t1,
      get: reads?.get ?? 0,
      getAgain: reads?.getAgain ?? 0,
      view: reads?.view ?? 0,
      scan: reads?.scan ?? 0,
      overwrite: t7 - t6,
      delete: t8 - t7,
    }
  } finally {
    removeDir(dir)
  }
}

/** Puts keys[o] = vals[o] (deletes keys[o] when vals is undefined) for each o of `ord`, 1,000 per commit. */
async function writeAll(db: BenchDb, ord: Uint32Array, vals: Buffer[] | undefined): Promise<void> {
  for (let s = 0; s < n; s += 1000) {
    const end = Math.min(s + 1000, n)
    await db.update(
      (tx) => {
        const b = tx.createBucketIfNotExists('bench')
        for (let j = s; j < end; j++) {
          const i = ord[j]!
          if (vals !== undefined) b.put(data.keys[i]!, vals[i]!)
          else if (!b.delete(data.keys[i]!)) throw new Error('a key is missing')
        }
      },
      { durability },
    )
  }
}

/** The read phases' CPU: gets twice, gets through db.view, a full scan. */
function readAll(db: BenchDb): Pick<Phases, 'get' | 'getAgain' | 'view' | 'scan'> {
  const t2 = cpu()
  const tx = db.begin()
  const b = tx.bucket('bench')!
  const gets = (): void => {
    for (let j = 0; j < n; j++)
      if (b.get(data.keys[data.getOrder[j]!]!) === undefined) throw new Error('a key is missing')
  }
  gets()
  const t3 = cpu()
  gets()
  const t4 = cpu()
  for (let j = 0; j < n; j++) {
    const key = data.keys[data.getOrder[j]!]!
    if (db.view((v) => v.bucket('bench')!.get(key)) === undefined) throw new Error('a key is missing')
  }
  const t5 = cpu()
  let count = 0
  const c = b.cursor()
  for (let ok = c.first(); ok; ok = c.next()) count++
  const t6 = cpu()
  tx.close()
  if (count !== n) throw new Error(`scan saw ${count} of ${n}`)
  return { get: t3 - t2, getAgain: t4 - t3, view: t5 - t4, scan: t6 - t5 }
}

const best = engines.map<Phases>(() => ({
  fill: Infinity,
  checkpoint: Infinity,
  get: Infinity,
  getAgain: Infinity,
  view: Infinity,
  scan: Infinity,
  overwrite: Infinity,
  delete: Infinity,
}))
for (let r = 0; r < reps; r++) {
  for (const [i, e] of engines.entries()) {
    const p = await once(e)
    const m = best[i]!
    for (const k of PHASES) m[k] = Math.min(m[k], p[k])
  }
}
console.log(`n=${n} order=${values.order} durability=${durability}, least CPU ms of ${reps} runs:`)
for (const [i, e] of engines.entries()) {
  const m = best[i]!
  console.log(`${e.name}: ${PHASES.map((k) => `${k} ${m[k].toFixed(0)}`).join(', ')}`)
}
