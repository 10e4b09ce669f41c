/**
 * Cross-package: crash safety through the bindings. The engine proves its own (packages/engine/
 * test/crash); these tests prove that what a Level or Kysely user does maps onto it whole: a Level
 * batch, a chained batch, a sublevel clear, a Kysely statement, transaction or DDL change is one
 * commit, so a power loss at any write or sync leaves the data as it stood after some step, never
 * part of one; every write acknowledged as durable (`sync: true` in Level, every Kysely commit)
 * survives; the engine's check() passes; indexes answer as a scan of their table does; and the
 * database takes writes again.
 *
 * The engine runs on its power-loss file layer (packages/engine/test/doubles), with a journal so
 * small that checkpoints run every few commits, so appends, checkpoints and journal restarts are
 * all crash points. Each case crashes at one of them and powers back on with the writes since the
 * last sync lost, kept, or a seeded random part of them kept and some torn (all three each time).
 */
import { expect } from 'chai'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { type Database, open } from 'btree-store'
import type * as PowerLoss from '../packages/engine/test/doubles/power-loss-file.js'
import {
  KYSELY_STEPS,
  LEVEL_STEPS,
  type KyselyDb,
  type LevelDb,
  type Step,
  kyselyFingerprint,
  kyselyIndexProblems,
  levelFingerprint,
  openKysely,
  openLevel,
} from './binding-workloads.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
// The engine's test doubles do not ship in its package: loaded from its build, typed from its source.
const { PowerLossFileSystem, isCrash } = (await import(
  pathToFileURL(path.join(root, 'packages/engine/dist/test/doubles/power-loss-file.js')).href
)) as typeof PowerLoss

const PATH = '/crash/db'

/** How a test drives one binding over an engine database. */
interface Binding<D> {
  readonly name: string
  readonly steps: readonly Step<D>[]
  /** The engine's default durability (a Kysely commit's; Level chooses per write). */
  readonly durability: 'full' | 'none'
  open(engine: Database): Promise<D>
  close(db: D): Promise<void>
  fingerprint(db: D): Promise<string>
  /** Inconsistencies between what the data says two ways (indexes against scans). */
  problems(db: D): Promise<string[]>
  /** One more write after the power came back, and whether it reads back. */
  writeAgain(db: D): Promise<boolean>
}

const LEVEL: Binding<LevelDb> = {
  name: 'btree-level',
  steps: LEVEL_STEPS,
  durability: 'none',
  open: openLevel,
  close: (db) => db.close(),
  fingerprint: levelFingerprint,
  problems: async () => [],
  writeAgain: async (db) => {
    await db.sublevel('after').put('k', 'v', { sync: true } as object)
    return (await db.sublevel('after').get('k')) === 'v'
  },
}

const KYSELY: Binding<KyselyDb> = {
  name: 'kysely-btree',
  steps: KYSELY_STEPS,
  durability: 'full',
  open: async (engine) => openKysely(engine),
  close: (db) => db.destroy(),
  fingerprint: kyselyFingerprint,
  problems: kyselyIndexProblems,
  writeAgain: async (db) => {
    await db.schema
      .createTable('after_crash')
      .ifNotExists()
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .execute()
    await db
      .insertInto('after_crash' as never)
      .values({ id: 1 } as never)
      .execute()
    const rows = await db
      .selectFrom('after_crash' as never)
      .selectAll()
      .execute()
    return rows.length === 1
  },
}

function engineOptions(fs: PowerLoss.PowerLossFileSystem, durability: 'full' | 'none') {
  return { fileSystem: fs, lock: false, pageSize: 1024, strict: true, durability, journalSize: 1024 }
}

/** What a run recorded: the steps whose promises resolved, and the writes and syncs it made. */
interface Run {
  resolved: number
  ops: number
  /** Set when a failure other than the simulated crash stopped the run: a test failure. */
  error: unknown
}

/**
 * Opens the engine and the binding on `fs`, crashes at the `crashAt`th write or sync after the
 * engine's open (when given), runs the steps and closes both. `states`, when given, gets the
 * fingerprint after open and after each step (the reference run).
 */
async function runSteps<D>(
  b: Binding<D>,
  fs: PowerLoss.PowerLossFileSystem,
  crashAt?: number,
  states?: string[],
): Promise<Run> {
  const engine = await open(PATH, engineOptions(fs, b.durability))
  const base = fs.clock.ops
  if (crashAt !== undefined) fs.clock.crashAt(base + crashAt)
  const run: Run = { resolved: 0, ops: 0, error: undefined }
  let db: D | undefined
  try {
    db = await b.open(engine)
    if (states !== undefined) states.push(await b.fingerprint(db))
    for (const step of b.steps) {
      await step.run(db)
      run.resolved++
      if (states !== undefined) states.push(await b.fingerprint(db))
    }
    await b.close(db)
    db = undefined
    await engine.close()
  } catch (err) {
    if (!isCrash(err) && fs.clock.reason === undefined) run.error = err
  } finally {
    run.ops = fs.clock.ops - base
    if (db !== undefined) await b.close(db).catch(() => {})
    await engine.close().catch(() => {})
  }
  return run
}

/**
 * Powers back on with `image`, reopens and checks everything; returns what is wrong (empty when
 * nothing is). The data must read as it stood after a step from the last durable one that
 * resolved up to the one in flight.
 */
async function verify<D>(
  b: Binding<D>,
  fs: PowerLoss.PowerLossFileSystem,
  states: readonly string[],
  run: Run,
  image: PowerLoss.CrashImageOptions,
): Promise<string> {
  if (run.error !== undefined) return `the run failed without a crash: ${String(run.error)}`
  fs.reopenAllAfterCrash(image)
  let engine: Database
  try {
    engine = await open(PATH, engineOptions(fs, b.durability))
  } catch (err) {
    return `reopen failed: ${(err as { code?: string }).code} ${(err as Error).message}`
  }
  let db: D | undefined
  try {
    db = await b.open(engine)
    const fp = await b.fingerprint(db)
    let from = run.resolved
    while (from > 0 && !b.steps[from - 1]!.durable) from--
    const to = Math.min(run.resolved + 1, states.length - 1)
    let found = -1
    for (let i = from; i <= to; i++) if (states[i] === fp) found = i
    if (found < 0) {
      return `the data matches no acceptable state (steps ${from}..${to}; it matches step ${states.indexOf(fp)})`
    }
    const problems = await b.problems(db)
    if (problems.length > 0) return `indexes disagree with scans: ${problems.slice(0, 3).join('; ')}`
    const ck = engine.check()
    if (!ck.ok) return `check() failed: ${ck.errors[0]?.message}`
    if (!(await b.writeAgain(db))) return 'a write after the crash did not read back'
    await b.close(db)
    db = undefined
    const ck2 = engine.check()
    if (!ck2.ok) return `check() after a write failed: ${ck2.errors[0]?.message}`
    return ''
  } catch (err) {
    return `after the crash: ${(err as { code?: string }).code} ${(err as Error).message}`
  } finally {
    if (db !== undefined) await b.close(db).catch(() => {})
    await engine.close().catch(() => {})
  }
}

/**
 * The images each crash point is verified with: the writes since the last sync lost, kept, or a
 * seeded part of them kept (some torn).
 */
function imagesOf(k: number): PowerLoss.CrashImageOptions[] {
  return [
    { mode: 'drop-all' },
    { mode: 'keep-all' },
    { mode: 'random', seed: (k * 2654435761) >>> 0, keepProbability: 0.5, tearProbability: 0.3 },
  ]
}

function describeBinding<D>(b: Binding<D>): void {
  describe(`${b.name}: a power loss at every write and sync`, function () {
    this.timeout(600_000)
    const states: string[] = []
    let total = 0

    before(async () => {
      const run = await runSteps(b, new PowerLossFileSystem(), undefined, states)
      if (run.error !== undefined) throw run.error
      total = run.ops
    })

    it('the reference run goes through every step, a state of its own each', () => {
      expect(states).to.have.length(b.steps.length + 1)
      // Every step but a rolled-back transaction changes what the database holds.
      const changed = b.steps.filter((_, i) => states[i + 1] !== states[i]).length
      expect(changed).to.be.at.least(b.steps.length - 1)
      expect(total).to.be.greaterThan(b.steps.length)
    })

    for (const slowSync of [false, true]) {
      it(`crash at each write and sync (${slowSync ? 'syncs on the thread pool' : 'syncs at once'}): every durable step kept, no step in part`, async () => {
        const failures: string[] = []
        for (let k = 1; k <= total; k++) {
          for (const image of imagesOf(k)) {
            const fs = new PowerLossFileSystem({ slowSync, sectorSize: k % 2 === 0 ? 512 : 4096 })
            const run = await runSteps(b, fs, k)
            const why = await verify(b, fs, states, run, image)
            if (why !== '') failures.push(`op ${k} of ${total} (${run.resolved} steps resolved, ${image.mode}): ${why}`)
          }
        }
        expect(failures, failures.slice(0, 8).join('\n')).to.deep.equal([])
      })
    }
  })
}

describeBinding(LEVEL)
describeBinding(KYSELY)
