import { open } from '../../src/db/database.js'
import type { Durability } from '../../src/base/types.js'
import { Prng } from '../../src/io/prng.js'
import { type CrashImageOptions, PowerLossFileSystem, isCrash } from '../doubles/power-loss-file.js'
import { PATH, PAGE_SIZE } from './harness.js'
import { key, value } from './model.js'

/**
 * A concurrent workload for the crash tests of the pipelined group commit and of checkpoints that
 * run while commits go on (db/committer.ts): `updates` single-key updates, begun a few at a time
 * on a seeded schedule, so that the writer queue forms groups while earlier groups' syncs run,
 * with a journal bound so small that checkpoints come every few groups. Every update puts its own
 * key (and every fifth deletes the key of an update before it), so the contents after a crash tell
 * which updates survived. Every seventh update throws after its writes, so that groups undo a
 * callback (reset and replay, tx/writer-queue.ts) on the way to their commits; it must leave no
 * trace. Syncs complete a turn of the event loop later (`slowSync`).
 */
export interface ConcurrentRun {
  /** Update numbers in the order their callbacks ran: the order of the commits. */
  order: number[]
  /** Updates made with durability 'full' whose promises resolved (acknowledged as durable). */
  resolved: Set<number>
  /** Writes and syncs after open. */
  ops: number
}

export const CONCURRENT_UPDATES = 48
const BUCKET = 'p'
/** The updates whose callbacks throw after writing (undone in their groups). */
const throws = (i: number): boolean => i % 7 === 6
const REFUSED = 'refused after writing'

export function concurrentOptions(fs: PowerLossFileSystem, durability: Durability) {
  return {
    fileSystem: fs,
    lock: false,
    pageSize: PAGE_SIZE,
    strict: true,
    durability,
    journal: true,
    journalSize: 1536,
    // Durable groups write their records ahead as they grow (FORMAT.md §11, "Streamed records"),
    // in steps small enough that groups of several updates stream and lone small updates do not:
    // both kinds of record, and the streamed writes among the crash points.
    journalStream: 128,
  }
}

export function newConcurrentFs(sectorSize?: number): PowerLossFileSystem {
  return new PowerLossFileSystem({ slowSync: true, sectorSize })
}

const valueOf = (i: number): Uint8Array => value(i, 20 + (i % 5) * 30)

/** Runs the workload (crashing at the `crashAt`th write or sync after open, if given). */
export async function runConcurrent(
  fs: PowerLossFileSystem,
  durability: Durability,
  seed: number,
  crashAt?: number,
): Promise<ConcurrentRun> {
  const db = await open(PATH, concurrentOptions(fs, durability))
  const base = fs.clock.ops
  if (crashAt !== undefined) fs.clock.crashAt(base + crashAt)
  const prng = new Prng(seed)
  const run: ConcurrentRun = { order: [], resolved: new Set(), ops: 0 }
  const pending: Array<Promise<void>> = []
  let failure: unknown
  try {
    for (let i = 0; i < CONCURRENT_UPDATES; i++) {
      if (prng.bool(0.4)) await new Promise((resolve) => setImmediate(resolve))
      const full = durability === 'full' && !prng.bool(0.2)
      pending.push(
        db
          .update(
            (tx) => {
              const b = tx.createBucketIfNotExists(BUCKET)
              b.put(key(i), valueOf(i))
              if (i % 5 === 4) b.delete(key(i - 3))
              if (throws(i)) throw new Error(REFUSED)
              run.order.push(i)
            },
            { durability: full ? 'full' : 'none' },
          )
          .then(
            () => {
              if (full) run.resolved.add(i)
            },
            (err: unknown) => {
              // Once the power is gone, a commit published before the crash may fail its strict check
              // (which reads the crashed files): it was not acknowledged either.
              const refused = throws(i) && err instanceof Error && err.message === REFUSED
              if (!refused && !isCrash(err) && fs.clock.reason === undefined) failure ??= err
            },
          ),
      )
    }
    await Promise.all(pending)
  } finally {
    run.ops = fs.clock.ops - base
    await db.close().catch(() => {})
  }
  if (failure !== undefined) throw failure
  return run
}

/** The contents the first `n` updates of `order` make. */
function expected(order: readonly number[], n: number): Map<string, string> {
  const m = new Map<string, string>()
  for (const i of order.slice(0, n)) {
    m.set(Buffer.from(key(i)).toString('hex'), Buffer.from(valueOf(i)).toString('hex'))
    if (i % 5 === 4) m.delete(Buffer.from(key(i - 3)).toString('hex'))
  }
  return m
}

/**
 * Power comes back with `image`: the database must open, hold the contents of a prefix of the
 * commit order (never a mix), with 'full' a prefix that holds every acknowledged 'full' update
 * (an acknowledged 'none' one may be lost with what follows it), pass check(), and take a commit.
 * Returns why not, or undefined.
 */
export async function verifyConcurrent(
  fs: PowerLossFileSystem,
  run: ConcurrentRun,
  durability: Durability,
  image: CrashImageOptions,
): Promise<string | undefined> {
  fs.reopenAllAfterCrash(image)
  let db
  try {
    db = await open(PATH, concurrentOptions(fs, 'full'))
  } catch (err) {
    return `reopen failed: ${(err as Error).message}`
  }
  try {
    const found = db.view((tx) => {
      const m = new Map<string, string>()
      const b = tx.bucket(BUCKET)
      if (b !== undefined)
        for (const [k, v] of b.entries()) m.set(Buffer.from(k).toString('hex'), Buffer.from(v).toString('hex'))
      return m
    })
    const same = (a: Map<string, string>): boolean =>
      a.size === found.size && [...a].every(([k, v]) => found.get(k) === v)
    let prefix = -1
    for (let n = run.order.length; n >= 0 && prefix < 0; n--) if (same(expected(run.order, n))) prefix = n
    if (prefix < 0) return `contents (${found.size} keys) are no prefix of the ${run.order.length} updates run`
    if (durability === 'full') {
      // Every acknowledged update within the prefix (and so every update before it, 'none' ones too).
      const lastResolved = Math.max(-1, ...[...run.resolved].map((i) => run.order.indexOf(i)))
      if (prefix <= lastResolved)
        return `an acknowledged update is lost: prefix ${prefix} of the commit order, acknowledged up to #${lastResolved}`
    }
    const ck = db.check()
    if (!ck.ok) return `check failed: ${ck.errors.map((e) => e.message).join('; ')}`
    await db.update((tx) => tx.createBucketIfNotExists('after').put(Buffer.from('k'), Buffer.from('v')))
    const ck2 = db.check()
    if (!ck2.ok) return `check after a commit failed: ${ck2.errors[0]?.message}`
    return undefined
  } finally {
    await db.close()
  }
}
