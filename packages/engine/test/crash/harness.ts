import { type Database, open } from '../../src/db/database.js'
import { isCrash, type CrashImageOptions, PowerLossFileSystem } from '../doubles/power-loss-file.js'
import type { Durability } from '../../src/base/types.js'
import { Mirror, type ModelState, cloneState, fingerprintDb, fingerprintState } from './model.js'
import type { Workload } from './workloads.js'

export const PATH = '/crash/db'
export const PAGE_SIZE = 1024

/** What a (possibly crashed) run of a workload recorded. */
export interface RunRecord {
  /** Fingerprints of the state after open (index 0) and after each commit whose promise resolved. */
  states: string[]
  /** For each entry of `states`, whether that commit was made with durability 'full'. */
  durable: boolean[]
  /** The state the commit in flight when the crash hit would have made, if one was in flight. */
  inFlight: string | undefined
  /** Writes and syncs the workload made after open (the crashing one included). */
  ops: number
  /** The error that stopped the run (a simulated crash), if any. */
  error: unknown
}

/**
 * The journal setting of a run: 'pages' writes every commit as pages (`journal: false`, the
 * copy-on-write path); 'journal' commits to the journal with a bound so small (JOURNAL_SIZE) that
 * checkpoints come every few commits, so appends, checkpoints and journal restarts all crash;
 * 'streamed' is 'journal' with every durable commit's record written ahead as it grows, in steps
 * of STREAM_STEP bytes (FORMAT.md §11, "Streamed records"), so those writes crash too (the
 * workloads' records are far below the default step of 16 KiB: under 'journal' few stream).
 */
export type CommitPath = 'pages' | 'journal' | 'streamed'
export const JOURNAL_SIZE = 1024
export const STREAM_STEP = 64

/** Whether commits of `path` go through the journal. */
export function usesJournal(path: CommitPath | undefined): boolean {
  return path === 'journal' || path === 'streamed'
}

/** The suffix a test's name gives the path. */
export function pathLabel(path: CommitPath): string {
  return path === 'pages' ? '' : ` (${path})`
}

export interface RunOptions {
  durability: Durability
  /** Default 'pages'. */
  path?: CommitPath
  /** Crash at this write or sync of the workload (1-based, counted after open). */
  crashAt?: number
  /** The `inlineSync` option (default true: a lone 'full' commit syncs the journal on the caller's thread). */
  inlineSync?: boolean
}

/**
 * `fs` with its journal files answering FileHandle.writesAhead true and false in turn, at each ask
 * (as a device whose measured policy turns writebacks ahead on and off from one transaction to the
 * next): the journal's records are streamed and written whole in turn.
 */
export function alternatingWritesAhead(fs: PowerLossFileSystem): PowerLossFileSystem {
  fs.onCreate = (file, path) => {
    if (!/-journal2?$/.test(path)) return
    let next = false
    Object.defineProperty(file, 'writesAhead', { get: () => (next = !next) })
  }
  return fs
}

export function openOptions(
  fs: PowerLossFileSystem,
  w: Workload,
  durability: Durability,
  path: CommitPath = 'pages',
  inlineSync = true,
) {
  return {
    inlineSync,
    fileSystem: fs,
    lock: false,
    pageSize: w.pageSize ?? PAGE_SIZE,
    strict: true,
    durability,
    reclaimPerCommit: w.reclaimPerCommit,
    journal: usesJournal(path),
    journalSize: JOURNAL_SIZE,
    journalStream: path === 'streamed' ? STREAM_STEP : 0,
  }
}

/**
 * Creates the database, then runs the workload's commits one after another, recording the model
 * state of each resolved commit. A crash stops the run; any other failure (a strict check
 * included: every crash run opens with `strict: true`) is a test failure.
 */
export async function runWorkload(fs: PowerLossFileSystem, w: Workload, opts: RunOptions): Promise<RunRecord> {
  const db = await open(PATH, openOptions(fs, w, opts.durability, opts.path, opts.inlineSync))
  // Writes and syncs of the database file and its journal, counted together: a crash point is
  // the nth of them, whichever file it hits, and stops both (a power loss).
  const clock = fs.clock
  const base = clock.ops
  if (opts.crashAt !== undefined) clock.crashAt(base + opts.crashAt)
  let state: ModelState = new Map()
  const rec: RunRecord = {
    states: [fingerprintState(state)],
    durable: [true],
    inFlight: undefined,
    ops: 0,
    error: undefined,
  }
  try {
    for (const commit of w.commits) {
      let next: ModelState | undefined
      const durability = commit.durability ?? opts.durability
      const attempt = db.update(
        (tx) => {
          const m = new Mirror(tx, cloneState(state))
          commit.apply(m)
          next = m.state
          rec.inFlight = fingerprintState(next)
        },
        { durability },
      )
      try {
        await attempt
      } catch (err) {
        // A crash that no commit's own write or sync met (a leaf written ahead while the sync ran,
        // tx/early-pages.ts) fails the strict check that reads the crashed files: not acknowledged.
        if (!isCrash(err) && clock.reason === undefined) throw err
        rec.error = err
        break
      }
      state = next!
      rec.states.push(rec.inFlight!)
      rec.durable.push(durability === 'full')
      rec.inFlight = undefined
    }
  } finally {
    rec.ops = clock.ops - base
    await db.close().catch(() => {})
  }
  return rec
}

/** The outcome of reopening a crashed image, for the assertions and failure messages. */
export interface Verdict {
  ok: boolean
  why: string
  /** Index into `states` of the state found, or states.length for the in-flight commit. */
  found: number
}

export interface VerifyOptions {
  /**
   * 'latest': the last resolved commit or the one in flight (every commit was 'full').
   * 'durable-prefix': any recorded state from the last resolved 'full' commit on, or the one in
   * flight (durability 'none' may lose commits, never a 'full' one, never to a mix).
   */
  accept: 'latest' | 'durable-prefix'
  /** The run's commit path (default 'pages'). */
  path?: CommitPath
}

/**
 * Power comes back with `image` on disk: reopens (which must not fail), compares the full
 * contents with the recorded states, runs check() and the page totals, then commits once more to
 * show the database is usable, and checks again.
 */
export async function verifyAfterCrash(
  fs: PowerLossFileSystem,
  w: Workload,
  rec: RunRecord,
  image: CrashImageOptions,
  opts: VerifyOptions,
): Promise<Verdict> {
  fs.reopenAllAfterCrash(image)
  let db: Database
  try {
    db = await open(PATH, openOptions(fs, w, 'full', opts.path))
  } catch (err) {
    return {
      ok: false,
      why: `reopen failed: ${(err as Error & { code?: string }).code} ${(err as Error).message}`,
      found: -1,
    }
  }
  try {
    let fp: string
    try {
      fp = fingerprintDb(db)
    } catch (err) {
      return {
        ok: false,
        why: `reading all contents failed: ${(err as Error & { code?: string }).code} ${(err as Error).message}`,
        found: -1,
      }
    }
    const last = rec.states.length - 1
    let found = -1
    if (rec.inFlight !== undefined && fp === rec.inFlight) found = last + 1
    else {
      const from = opts.accept === 'latest' ? last : rec.durable.lastIndexOf(true)
      for (let i = last; i >= from; i--) if (rec.states[i] === fp) found = i
    }
    if (found < 0) {
      const anywhere = rec.states.indexOf(fp)
      return {
        ok: false,
        why: `contents match no acceptable state (last resolved #${last}, in flight ${rec.inFlight !== undefined}; matches recorded #${anywhere})`,
        found,
      }
    }
    const ck = db.check()
    const p = ck.pages
    if (!ck.ok)
      return {
        ok: false,
        why: `check failed: ${ck.errors
          .slice(0, 5)
          .map((e) => e.message)
          .join('; ')}`,
        found,
      }
    if (p.reachable + p.free + p.pending + p.reclaiming !== p.total) {
      return { ok: false, why: `pages do not add up: ${JSON.stringify(p)}`, found }
    }
    try {
      await db.update((tx) => tx.createBucketIfNotExists('after-crash').put(Buffer.from('k'), Buffer.from('v')))
    } catch (err) {
      return { ok: false, why: `a commit after reopen failed: ${(err as Error).message}`, found }
    }
    const ck2 = db.check()
    if (!ck2.ok) return { ok: false, why: `check after the next commit failed: ${ck2.errors[0]?.message}`, found }
    return { ok: true, why: '', found }
  } finally {
    await db.close()
  }
}

/** The seed for a randomised suite: env SEED, or a fresh one; printed once so a failure can be replayed. */
export function suiteSeed(name: string): number {
  const env = process.env['SEED']
  const seed = env !== undefined && env !== '' ? Number(env) >>> 0 : Math.floor(Math.random() * 2 ** 32)
  console.log(`      ${name}: SEED=${seed}`)
  return seed
}

/** FNV-1a of a string: a stable per-workload offset for the suite seed. */
export function hash(s: string): number {
  let h = 2166136261
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619)
  return h >>> 0
}
