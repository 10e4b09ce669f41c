/**
 * The long power-loss soak, apart from `npm test`:
 *
 *   node dist/test/crash/soak.js [cases=5000] [seed]
 *
 * Each case picks a workload (all of them, at 1 KiB and 4 KiB pages, with durability 'full',
 * 'none' and a mix), crashes it at a random write or sync, takes a random power-loss image (a
 * random share of the unsynced writes kept, some torn, 512- or 4096-byte sectors), sometimes loses
 * power again during the recovery, and checks the verdict of the crash tests: the database opens
 * at an acceptable recorded state, whole, check() passes, pages add up, and it takes a commit.
 * A quarter of the cases run the concurrent workload instead (test/crash/concurrent.ts: pipelined
 * groups, checkpoints writing while commits go on), judged as the concurrent crash test does, and
 * a tenth lose the writes of one sync at random instead of the power (test/crash/lost-writeback.ts:
 * a failed writeback, as Linux reports it), judged as lost-writeback.test.ts does.
 * Prints the failing cases with everything needed to replay them, and exits 1 if there are any.
 */
import { open } from '../../src/db/database.js'
import { type CrashImageOptions, PowerLossFileSystem } from '../doubles/power-loss-file.js'
import { Prng } from '../../src/io/prng.js'
import type { Durability } from '../../src/base/types.js'
import {
  type CommitPath,
  PATH,
  alternatingWritesAhead,
  openOptions,
  runWorkload,
  usesJournal,
  verifyAfterCrash,
} from './harness.js'
import { type Workload, WORKLOADS, WORKLOADS_4K, withDurabilities } from './workloads.js'
import { concurrentOptions, newConcurrentFs, runConcurrent, verifyConcurrent } from './concurrent.js'
import { CONFIGS, type Config, STEPS, SWEEP, type Step, lostWritebackCase, syncCounts } from './lost-writeback.js'

const cases = Number(process.argv[2] ?? 5000)
const seed = process.argv[3] !== undefined ? Number(process.argv[3]) >>> 0 : Prng.randomSeed()
const prng = new Prng(seed)

const variants: Array<{ w: Workload; durability: Durability; path: CommitPath }> = []
for (const w of [...WORKLOADS, ...WORKLOADS_4K]) {
  for (const path of ['pages', 'journal', 'streamed'] as const) {
    variants.push({ w, durability: 'full', path })
    variants.push({ w: withDurabilities(w, ['none']), durability: 'none', path })
    variants.push({ w: withDurabilities(w, ['none', 'full']), durability: 'none', path })
  }
}

const ops = new Map<string, number>()
const started = Date.now()
const failures: string[] = []
let recoveries = 0
let concurrentCases = 0
const concurrentOps = new Map<string, number>()
const image = (): CrashImageOptions => ({
  mode: 'random',
  seed: prng.int(2 ** 32),
  keepProbability: prng.next(),
  tearProbability: prng.next() * 0.6,
})

let lostWritebackCases = 0
/** Streamed cases whose journal switched writebacks ahead on and off (alternatingWritesAhead). */
let switchingCases = 0
const lostSyncs = new Map<string, Map<string, number>>()
/** The workloads and ways to run them that lost-writeback cases pick from. */
const lostVariants: Array<{ name: string; steps: readonly Step[]; config: Config }> = [
  ...CONFIGS.map((config) => ({ name: `steps, ${config.name}`, steps: STEPS, config })),
  ...SWEEP.flatMap((w) =>
    [{ journalSize: 4096, journalStream: 64 }, { journalSize: 4096, journalStream: 0 }, { journal: false }].map(
      (options) => ({
        name: `${w.name}, ${JSON.stringify(options)}`,
        steps: w.steps,
        config: { name: w.name, options: { ...options, reclaimPerCommit: w.reclaimPerCommit }, slowSync: false },
      }),
    ),
  ),
]

/** One case of lost writes: a random workload and way to run it, a random sync of a random file. */
async function lostWritebackCase1(i: number): Promise<void> {
  lostWritebackCases++
  const v = prng.pick(lostVariants)
  let syncs = lostSyncs.get(v.name)
  if (syncs === undefined) {
    syncs = (await syncCounts(v.config, v.steps)).syncs
    lostSyncs.set(v.name, syncs)
  }
  const total = [...syncs.values()].reduce((a, b) => a + b, 0)
  let k = prng.int(total)
  for (const [target, count] of syncs) {
    if (k >= count) {
      k -= count
      continue
    }
    for (const p of await lostWritebackCase(v.config, v.steps, target, k + 1, prng.bool(0.2)))
      failures.push(`case ${i}: lost writeback, ${v.name}: ${p}`)
    return
  }
}

/** One case of the concurrent workload: a random crash point, maybe a second one during recovery. */
async function concurrentCase(i: number): Promise<void> {
  concurrentCases++
  const durability: Durability = prng.bool(0.5) ? 'full' : 'none'
  const workloadSeed = prng.int(8)
  const key = `${durability}${workloadSeed}`
  let total = concurrentOps.get(key)
  if (total === undefined) {
    total = (await runConcurrent(newConcurrentFs(), durability, workloadSeed)).ops
    concurrentOps.set(key, total)
  }
  const k = prng.range(1, total)
  const fs = newConcurrentFs(prng.pick([512, 4096]))
  const run = await runConcurrent(fs, durability, workloadSeed, k)
  if (prng.bool(0.2)) {
    fs.reopenAllAfterCrash(image())
    fs.clock.crashAt(fs.clock.ops + 1 + prng.int(12))
    recoveries++
    try {
      await (await open(PATH, concurrentOptions(fs, 'full'))).close()
    } catch (err) {
      if ((err as { code?: unknown }).code !== 'BTREE_IO')
        failures.push(`case ${i}: recovery failed with ${(err as Error).message}`)
    }
  }
  const img = image()
  const why = await verifyConcurrent(fs, run, durability, img)
  if (why !== undefined)
    failures.push(
      `case ${i}: concurrent ${durability} workload seed ${workloadSeed}, crash at op ${k}, image ${JSON.stringify(img)}: ${why}`,
    )
}

for (let i = 0; i < cases; i++) {
  if (prng.bool(0.25)) {
    await concurrentCase(i)
    progress(i)
    continue
  }
  if (prng.bool(0.1)) {
    await lostWritebackCase1(i)
    progress(i)
    continue
  }
  const { w, durability, path } = prng.pick(variants)
  // Half the streamed cases on a journal whose writebacks ahead switch on and off (records streamed
  // and written whole in turn, FORMAT.md §11); the switching is the same in every run of a case.
  const alternating = path === 'streamed' && prng.bool(0.5)
  if (alternating) switchingCases++
  const disk = (options = {}): PowerLossFileSystem => {
    const fs = new PowerLossFileSystem(options)
    return alternating ? alternatingWritesAhead(fs) : fs
  }
  const key = w.name + path + (alternating ? ' alternating' : '')
  let total = ops.get(key)
  if (total === undefined) {
    total = (await runWorkload(disk(), w, { durability, path })).ops
    ops.set(key, total)
  }
  const k = prng.range(1, total)
  const sectorSize = prng.pick([512, 4096])
  const fs = disk({ sectorSize })
  const rec = await runWorkload(fs, w, { durability, crashAt: k, path })
  if (prng.bool(0.2)) {
    // Power returns, and is lost again at one of the first writes or syncs of the recovery.
    fs.reopenAllAfterCrash(image())
    fs.clock.crashAt(fs.clock.ops + 1 + prng.int(usesJournal(path) ? 12 : 1))
    recoveries++
    try {
      await (await open(PATH, openOptions(fs, w, 'full', path))).close()
    } catch (err) {
      if ((err as { code?: unknown }).code !== 'BTREE_IO')
        failures.push(`case ${i}: recovery failed with ${(err as Error).message}`)
    }
  }
  const img = image()
  const verdict = await verifyAfterCrash(fs, w, rec, img, {
    accept: durability === 'full' ? 'latest' : 'durable-prefix',
    path,
  })
  if (!verdict.ok)
    failures.push(
      `case ${i}: ${w.name} (${path}${alternating ? ', writebacks ahead on and off' : ''}) crash at op ${k}, sector ${sectorSize}, image ${JSON.stringify(img)}: ${verdict.why}`,
    )
  progress(i)
}

function progress(i: number): void {
  if ((i + 1) % 500 === 0)
    console.log(`${i + 1}/${cases} cases, ${failures.length} failures, ${((Date.now() - started) / 1000).toFixed(0)} s`)
}
console.log(
  JSON.stringify({
    seed,
    cases,
    recoveriesCrashed: recoveries,
    concurrentCases,
    lostWritebackCases,
    switchingCases,
    failures: failures.length,
    seconds: Math.round((Date.now() - started) / 1000),
  }),
)
for (const f of failures.slice(0, 20)) console.log(f)
process.exitCode = failures.length > 0 ? 1 : 0
