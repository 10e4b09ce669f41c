/**
 * A failed writeback, as Linux reports it (PowerLossFile.loseWritesAtSync): the sync fails with EIO
 * once, the writes it was to make durable never reach the disk, and reads go on seeing them. The
 * workloads, the ways the database runs, and the driver that runs a workload to its end whatever
 * fails (lost-writeback.test.ts at every sync in turn; soak.ts at random ones).
 */
import { open } from '../../src/db/database.js'
import { PowerLossFile, PowerLossFileSystem } from '../doubles/power-loss-file.js'
import { Mirror, type ModelState, cloneState, fingerprintDb, fingerprintState, key, value } from './model.js'
import { WORKLOADS } from './workloads.js'

export const PATH = '/lost-writeback/db'
export const FILES = [PATH, `${PATH}-journal`, `${PATH}-journal2`]

/** A 'full' commit, or 'checkpoint' (db.checkpoint()). */
export type Step = ((m: Mirror) => void) | 'checkpoint'

/** The crash tests' workloads (test/crash/workloads.ts) as steps, each commit 'full'. */
export const SWEEP: Array<{ name: string; steps: Step[]; reclaimPerCommit?: number }> = WORKLOADS.map((w) => ({
  name: w.name,
  steps: w.commits.map((c) => (m: Mirror) => c.apply(m)),
  reclaimPerCommit: w.reclaimPerCommit,
}))

/**
 * Durable commits: ascending batches (whose full leaves are written ahead of the checkpoint),
 * random overwrites and deletes, an overflow value, a bucket created and dropped, checkpoints
 * asked for between them. With a journal bound of 16 KiB checkpoints also run in the background,
 * and the leaves written ahead reach the bound of the file's background sync (a quarter of the
 * journal's) every few commits; with 1 MiB, the leaves written ahead wait for the checkpoints,
 * whose own sync is the first to cover them.
 */
export const STEPS: Step[] = []
for (let b = 0; b < 8; b++) {
  STEPS.push((m) => {
    for (let i = b * 60; i < (b + 1) * 60; i++) m.put('data', key(i), value(i, 40))
  })
}
// Twice: the second one retries a first that failed, before any commit changes those leaves.
STEPS.push('checkpoint', 'checkpoint')
STEPS.push((m) => {
  for (let i = 7; i < 480; i += 13) m.put('data', key(i), value(i + 1000, 30 + (i % 50)))
  m.put('other', key(1), value(1, 3000))
})
STEPS.push((m) => {
  for (let i = 3; i < 480; i += 5) m.del('data', key(i))
})
STEPS.push((m) => {
  for (let i = 0; i < 40; i++) m.put('gone', key(i), value(i, 60))
})
STEPS.push('checkpoint')
STEPS.push((m) => {
  // Unless the commit that made it failed.
  if (m.state.has('gone')) m.drop('gone')
  for (let i = 480; i < 600; i++) m.put('data', key(i), value(i, 40))
})

/** How the database runs: its open options, and whether syncs complete a turn of the event loop later. */
export interface Config {
  name: string
  options: { journalSize?: number; journal?: boolean; journalStream?: number; reclaimPerCommit?: number }
  /** Syncs complete a turn later (PowerLossFile slowSync): groups are written while others sync. */
  slowSync: boolean
}

export const CONFIGS: Config[] = [
  { name: 'journal bound 16 KiB (background checkpoints)', options: { journalSize: 16 * 1024 }, slowSync: false },
  { name: 'journal bound 1 MiB', options: { journalSize: 1024 * 1024 }, slowSync: false },
  { name: 'journal bound 16 KiB, syncs a turn later', options: { journalSize: 16 * 1024 }, slowSync: true },
  { name: 'no journal (commits as pages)', options: { journal: false }, slowSync: false },
]

export interface Run {
  /** The contents every acknowledged commit made. */
  state: ModelState
  /** Commits (and the close) that failed with BTREE_IO. */
  failed: number
  /** open() failed to create the file. */
  notCreated?: boolean
}

/**
 * What a power loss now would leave: a fresh disk holding each file's durable image. It must open,
 * check ok and hold `state`, the acknowledged commits (every one is 'full', so durable); a file
 * whose creation failed may be refused instead (create.test.ts: nothing was promised), with a
 * code that says so. Returns what is wrong.
 */
export async function durableProblems(
  fs: PowerLossFileSystem,
  config: Config,
  state: ModelState,
  notCreated = false,
): Promise<string[]> {
  const disk = new PowerLossFileSystem({ slowSync: config.slowSync })
  for (const [path, file] of fs.files)
    disk.files.set(path, new PowerLossFile(file.durableBytes(), { slowSync: config.slowSync }))
  let db: Awaited<ReturnType<typeof open>>
  try {
    db = await open(PATH, { fileSystem: disk, lock: false, pageSize: 1024, ...config.options })
  } catch (err) {
    const code = (err as { code?: unknown }).code
    if (notCreated && (code === 'BTREE_NOT_A_DATABASE' || code === 'BTREE_CORRUPTION')) return []
    return [`open: ${(err as Error).message}`]
  }
  const problems: string[] = []
  try {
    const ck = db.check()
    if (!ck.ok) problems.push(`check: ${JSON.stringify(ck.errors.slice(0, 2))}`)
    if (fingerprintDb(db) !== fingerprintState(state)) problems.push('the contents are not the acknowledged commits')
  } finally {
    await db.close()
  }
  return problems
}

/**
 * Runs STEPS (each a 'full' commit, or a checkpoint), then closes; a commit that fails leaves the
 * model as it was. `afterStep` is told the acknowledged state after each step.
 */
export async function run(
  fs: PowerLossFileSystem,
  config: Config,
  afterStep?: (state: ModelState) => Promise<void>,
  steps: readonly Step[] = STEPS,
): Promise<Run> {
  let state: ModelState = new Map()
  let failed = 0
  let db: Awaited<ReturnType<typeof open>>
  try {
    db = await open(PATH, { fileSystem: fs, lock: false, pageSize: 1024, ...config.options })
  } catch (err) {
    // Creating the file failed: no database, nothing acknowledged.
    if ((err as { code?: unknown }).code !== 'BTREE_IO') throw err
    return { state, failed: 1, notCreated: true }
  }
  for (const step of steps) {
    if (step === 'checkpoint') {
      // A failed checkpoint fails no commit: the journal keeps them.
      await db.checkpoint().catch((err: unknown) => {
        if ((err as { code?: unknown }).code !== 'BTREE_IO') throw err
      })
    } else {
      let next: ModelState | undefined
      try {
        await db.update(
          (tx) => {
            const m = new Mirror(tx, cloneState(state))
            step(m)
            next = m.state
          },
          { durability: 'full' },
        )
        state = next!
      } catch (err) {
        // After a failed commit, a later one may build on what it would have made (a bucket it
        // created or dropped): refused with that code, and the model, which holds no such thing,
        // agrees. Any other error is the engine's.
        const code = (err as { code?: unknown }).code
        const dependent = failed > 0 && (code === 'BTREE_BUCKET_NOT_FOUND' || code === 'BTREE_BUCKET_EXISTS')
        if (code !== 'BTREE_IO' && !dependent) throw err
        failed++
      }
    }
    await afterStep?.(state)
  }
  try {
    await db.close()
  } catch (err) {
    if ((err as { code?: unknown }).code !== 'BTREE_IO') throw err
    failed++
  }
  return { state, failed }
}

/**
 * One case: `steps` run under `config` with the writes of the `n`th sync of file `target` lost;
 * then what the disk holds after close (durableProblems). Returns what is wrong (empty: nothing),
 * `afterStep` checking the disk after every step too when asked.
 */
export async function lostWritebackCase(
  config: Config,
  steps: readonly Step[],
  target: string,
  n: number,
  everyStep = false,
): Promise<string[]> {
  const where = `${target.slice(PATH.length) || 'database file'} sync #${n}`
  const fs = new PowerLossFileSystem({
    slowSync: config.slowSync,
    onCreate: (file, path) => {
      if (path === target) file.loseWritesAtSync(n)
    },
  })
  const problems: string[] = []
  let step = 0
  const afterStep = async (state: ModelState): Promise<void> => {
    step++
    for (const p of await durableProblems(fs, config, state))
      problems.push(`${where}, a power loss after step ${step}: ${p}`)
  }
  let outcome: Run
  try {
    outcome = await run(fs, config, everyStep ? afterStep : undefined, steps)
  } catch (err) {
    return [...problems, `${where}: ${(err as Error).message}`]
  }
  for (const p of await durableProblems(fs, config, outcome.state, outcome.notCreated))
    problems.push(`${where}, after close: ${p}`)
  return problems
}

/**
 * `steps` run under `config` undisturbed: the syncs each file of the disk made, and the disk
 * (what else a test asks of the run).
 */
export async function syncCounts(
  config: Config,
  steps: readonly Step[],
): Promise<{ syncs: Map<string, number>; probe: PowerLossFileSystem }> {
  const probe = new PowerLossFileSystem({ slowSync: config.slowSync })
  const clean = await run(probe, config, undefined, steps)
  if (clean.failed !== 0) throw new Error(`${config.name}: ${clean.failed} commits failed with nothing lost`)
  return { syncs: new Map(FILES.filter((f) => probe.exists(f)).map((f) => [f, probe.file(f).counts.sync])), probe }
}
