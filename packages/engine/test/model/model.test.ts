import { expect } from 'chai'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { type Database, open } from '../../src/index.js'
import { Prng } from '../../src/io/prng.js'
import { maxInlineKeySize } from '../../src/page/layout.js'
import type { ReadTransaction, Savepoint, WriteTransaction } from '../../src/base/types.js'

/**
 * Seeded random operations against a model: a Map of bucket name -> Map of hex key -> value. Hex
 * strings sort like the bytes they encode, so the model's sorted keys are the engine's key order.
 * Every commit, rollback and reopen is followed by a full comparison (contents, cursor order both
 * ways) and the database runs with `strict: true`, so check() runs after every commit too.
 *
 * SEED=<n> replays one seed; MODEL_TXS=<n> changes the number of transactions per run.
 */
type Model = Map<string, Map<string, Buffer>>

const BUCKET_NAMES = ['a', 'b', 'users', 'ünïcødé-名前', 'z'.repeat(40), 'L'.repeat(200)]
const TXS = Number(process.env['MODEL_TXS'] ?? 400)

function cloneModel(m: Model): Model {
  const out: Model = new Map()
  for (const [name, b] of m) out.set(name, new Map(b))
  return out
}

function sortedNames(names: Iterable<string>): string[] {
  return [...names].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
}

function describeDiff(where: string, expected: unknown, actual: unknown): string {
  return `${where}: expected ${String(expected)}, got ${String(actual)}`
}

/** Compares everything a transaction sees with the model; throws on the first difference. */
export function compareWithModel(tx: ReadTransaction, model: Model, where: string): void {
  const names = tx.buckets()
  const want = sortedNames(model.keys())
  if (names.join('\u0000') !== want.join('\u0000'))
    throw new Error(describeDiff(`${where} bucket list`, want.join(','), names.join(',')))
  for (const name of want) {
    const b = tx.bucket(name)
    if (b === undefined) throw new Error(`${where}: bucket ${name} missing`)
    const entries = model.get(name)!
    const keys = [...entries.keys()].sort()
    if (b.size !== keys.length) throw new Error(describeDiff(`${where} ${name} size`, keys.length, b.size))
    const c = b.cursor()
    let i = 0
    for (let ok = c.first(); ok; ok = c.next(), i++) {
      const k = Buffer.from(c.key!).toString('hex')
      if (k !== keys[i]) throw new Error(describeDiff(`${where} ${name} forward key #${i}`, keys[i], k))
      if (Buffer.compare(Buffer.from(c.value!), entries.get(k)!) !== 0)
        throw new Error(`${where} ${name}: value of ${k} differs`)
    }
    if (i !== keys.length) throw new Error(describeDiff(`${where} ${name} forward count`, keys.length, i))
    i = keys.length - 1
    for (let ok = c.last(); ok; ok = c.prev(), i--) {
      const k = Buffer.from(c.key!).toString('hex')
      if (k !== keys[i]) throw new Error(describeDiff(`${where} ${name} backward key #${i}`, keys[i], k))
    }
    if (i !== -1) throw new Error(`${where} ${name}: backward walk stopped at ${i}`)
  }
}

interface RunResult {
  ops: number
  commits: number
  rollbacks: number
  reopens: number
  journal: boolean
}

/** One seeded run; throws with the seed and step in the message when anything differs. */
export async function runModel(seed: number, pageSize: number, txs: number, dir: string): Promise<RunResult> {
  const rng = new Prng(seed)
  const file = path.join(dir, `model-${seed}-${pageSize}.db`)
  // Half the runs commit as pages, half through the journal with a bound small enough that
  // checkpoints come every few commits (replays at reopen included).
  const journal = (seed + (pageSize === 1024 ? 0 : 1)) % 2 === 1
  const opts = {
    pageSize,
    strict: true,
    durability: 'none' as const,
    reclaimPerCommit: 1 + rng.int(64),
    cacheSize: rng.bool(0.3) ? 64 * pageSize : undefined,
    journal,
    journalSize: rng.pick([2048, 16384, 65536]),
  }
  let db: Database = await open(file, opts)
  const maxKey = db.maxKeySize
  let committed: Model = new Map()
  const result: RunResult = { ops: 0, commits: 0, rollbacks: 0, reopens: 0, journal }
  const keyPool: Buffer[] = []

  // Keys of every kind: empty, short, inline up to the page's limit, out of line (FORMAT.md §10)
  // past it, and now and then the longest, 64 KiB.
  const inline = maxInlineKeySize(pageSize)
  const newKey = (): Buffer => {
    const r = rng.next()
    const len =
      r < 0.03
        ? 0
        : r < 0.55
          ? rng.range(1, 6)
          : r < 0.78
            ? rng.range(7, 64)
            : r < 0.88
              ? rng.range(65, inline)
              : r < 0.997
                ? rng.range(inline + 1, inline + pageSize)
                : maxKey
    // A shared prefix now and then, so long keys that differ only at the end are compared.
    const k = Buffer.from(rng.bytes(len))
    if (keyPool.length > 0 && k.length > 0 && rng.bool(0.3)) {
      const base = rng.pick(keyPool)
      const n = Math.min(base.length, k.length - 1)
      base.copy(k, 0, 0, n)
    }
    keyPool.push(k)
    if (keyPool.length > 400) keyPool.splice(rng.int(keyPool.length), 1)
    return k
  }
  const pickKey = (existing: Map<string, Buffer> | undefined): Buffer => {
    if (existing !== undefined && existing.size > 0 && rng.bool(0.5)) {
      const keys = [...existing.keys()]
      return Buffer.from(rng.pick(keys), 'hex')
    }
    return keyPool.length > 0 && rng.bool(0.3) ? rng.pick(keyPool) : newKey()
  }
  const newValue = (): Buffer => {
    const r = rng.next()
    const len =
      r < 0.55
        ? rng.int(24)
        : r < 0.85
          ? rng.int(pageSize / 4)
          : r < 0.97
            ? rng.int(pageSize)
            : rng.range(pageSize, 3 * pageSize)
    return Buffer.from(rng.bytes(len))
  }

  // Open snapshots with the model they must keep seeing, across later commits.
  // Each also holds views (getView) of a few of its values, which must keep their bytes while it is open.
  let snapshots: Array<{ tx: ReadTransaction; model: Model; views: Array<[Uint8Array, Buffer]> }> = []
  const lendViews = (tx: ReadTransaction, model: Model): Array<[Uint8Array, Buffer]> => {
    const views: Array<[Uint8Array, Buffer]> = []
    for (const [name, entries] of model) {
      const keys = [...entries.keys()]
      for (let i = 0; i < 4 && keys.length > 0; i++) {
        const k = rng.pick(keys)
        const view = tx.bucket(name)!.getView(Buffer.from(k, 'hex'))
        if (view === undefined || Buffer.compare(view, entries.get(k)!) !== 0)
          throw new Error(`getView of ${k} in bucket ${name} differs from the model`)
        views.push([view, entries.get(k)!])
      }
    }
    return views
  }
  const verify = (where: string): void => {
    db.view((tx) => compareWithModel(tx, committed, where))
    for (const s of snapshots) {
      compareWithModel(s.tx, s.model, `${where} (snapshot of txid ${s.tx.txid})`)
      for (const [view, want] of s.views)
        if (Buffer.compare(view, want) !== 0) throw new Error(`${where}: a view of snapshot ${s.tx.txid} changed`)
    }
    if (rng.bool(0.1)) {
      const tx = db.begin()
      snapshots.push({ tx, model: committed, views: lendViews(tx, committed) })
    }
    if (snapshots.length > 0 && rng.bool(0.1)) snapshots.splice(rng.int(snapshots.length), 1)[0]!.tx.close()
    const check = db.check()
    if (!check.ok) throw new Error(`${where}: check failed: ${check.errors.map((e) => e.message).join('; ')}`)
  }

  /** One random change inside `tx`, mirrored in `work`. */
  const step = (tx: WriteTransaction, work: Model, at: string): void => {
    result.ops++
    const r = rng.next()
    const names = [...work.keys()]
    if (r < 0.05 || names.length === 0) {
      const name = rng.pick(BUCKET_NAMES)
      if (work.has(name)) {
        if (rng.bool()) {
          tx.deleteBucket(name)
          work.delete(name)
        } else {
          let code: unknown
          try {
            tx.createBucket(name)
          } catch (err) {
            code = (err as { code?: unknown }).code
          }
          if (code !== 'BTREE_BUCKET_EXISTS')
            throw new Error(`${at}: createBucket of an existing bucket gave ${String(code)}`)
        }
      } else {
        tx.createBucketIfNotExists(name)
        work.set(name, new Map())
      }
      return
    }
    const name = rng.pick(names)
    const b = tx.bucket(name)!
    const entries = work.get(name)!
    if (r < 0.7) {
      const k = pickKey(entries)
      const v = newValue()
      b.put(k, v)
      entries.set(k.toString('hex'), v)
    } else if (r < 0.9) {
      const k = pickKey(entries)
      const had = b.delete(k)
      if (had !== entries.delete(k.toString('hex'))) throw new Error(`${at}: delete returned ${String(had)}`)
    } else if (r < 0.97) {
      const k = pickKey(entries)
      const got = b.get(k)
      const want = entries.get(k.toString('hex'))
      if ((got === undefined) !== (want === undefined) || (got !== undefined && Buffer.compare(got, want!) !== 0)) {
        throw new Error(`${at}: in-transaction get of ${k.toString('hex')} differs`)
      }
      const view = b.getView(k)
      if ((view === undefined) !== (want === undefined) || (view !== undefined && Buffer.compare(view, want!) !== 0)) {
        throw new Error(`${at}: in-transaction getView of ${k.toString('hex')} differs`)
      }
    } else {
      // A bulk load of ascending keys, which exercises the append split.
      const start = newKey()
      const n = rng.range(10, 200)
      for (let i = 0; i < n; i++) {
        const k = Buffer.concat([start, Buffer.from([i >> 8, i & 0xff])]).subarray(
          0,
          Math.min(maxKey, start.length + 2),
        )
        const v = Buffer.from(rng.bytes(rng.int(40)))
        b.put(k, v)
        entries.set(k.toString('hex'), v)
      }
    }
  }

  try {
    for (let t = 0; t < txs; t++) {
      const at = `seed ${seed} pageSize ${pageSize} tx ${t}`
      const r = rng.next()
      if (r < 0.06) {
        for (const snap of snapshots) snap.tx.close()
        snapshots = []
        await db.close()
        db = await open(file, opts)
        result.reopens++
        verify(`${at} after reopen`)
        continue
      }
      if (r < 0.14) {
        // Several updates queued at once share one commit; each runs on what the ones before it
        // left, and one that throws is undone alone.
        let pending = committed
        const boom = new Error('model: grouped callback failed on purpose')
        const n = rng.range(2, 8)
        const fails: boolean[] = []
        const promises: Array<Promise<unknown>> = []
        for (let u = 0; u < n; u++) {
          const fail = rng.bool(0.25)
          fails.push(fail)
          promises.push(
            db.update((tx) => {
              const w = cloneModel(pending)
              for (let i = rng.range(1, 10); i > 0; i--) step(tx, w, `${at} grouped update ${u}`)
              if (fail) throw boom
              pending = w
            }),
          )
        }
        const settled = await Promise.allSettled(promises)
        settled.forEach((s, u) => {
          if (fails[u] ? s.status !== 'rejected' || s.reason !== boom : s.status !== 'fulfilled') {
            throw new Error(
              `${at}: grouped update ${u} settled as ${s.status}: ${String((s as PromiseRejectedResult).reason)}`,
            )
          }
        })
        committed = pending
        result.commits++
        verify(at)
        continue
      }
      const work = cloneModel(committed)
      const ops = rng.range(1, 40)
      if (r < 0.25) {
        // db.update; now and then the callback throws and nothing may remain.
        const fail = rng.bool(0.2)
        const boom = new Error('model: callback failed on purpose')
        let err: unknown
        try {
          await db.update((tx) => {
            for (let i = 0; i < ops; i++) step(tx, work, at)
            if (fail) throw boom
          })
        } catch (e) {
          err = e
        }
        if (fail) {
          if (err !== boom) throw new Error(`${at}: update rejected with ${String(err)}`)
          result.rollbacks++
        } else {
          if (err !== undefined) throw err
          committed = work
          result.commits++
        }
        verify(at)
        continue
      }
      const tx = db.begin({ writable: true })
      const stack: Array<{ sp: Savepoint; model: Model }> = []
      let current = work
      for (let i = 0; i < ops; i++) {
        const s = rng.next()
        if (s < 0.08) {
          stack.push({ sp: tx.savepoint(), model: cloneModel(current) })
        } else if (s < 0.12 && stack.length > 0) {
          const k = rng.int(stack.length)
          tx.rollbackTo(stack[k]!.sp)
          current = cloneModel(stack[k]!.model)
          stack.length = k + 1
        } else if (s < 0.15 && stack.length > 0) {
          const k = rng.int(stack.length)
          tx.release(stack[k]!.sp)
          stack.length = k
        } else if (s < 0.17) {
          compareWithModel(tx, current, `${at} inside the transaction`)
        } else if (s < 0.19) {
          // A snapshot opened mid-transaction sees the committed state; the writer then goes on
          // with copies of what it edited in place (WriteTx.detachAdopted) and must keep every edit.
          const snap = db.begin()
          compareWithModel(snap, committed, `${at} a snapshot inside the transaction`)
          snapshots.push({ tx: snap, model: committed, views: lendViews(snap, committed) })
        } else {
          step(tx, current, at)
        }
      }
      if (rng.bool(0.8)) {
        await tx.commit(rng.bool(0.1) ? { durability: 'full' } : undefined)
        committed = current
        result.commits++
      } else {
        tx.rollback()
        result.rollbacks++
      }
      verify(at)
    }
    for (const snap of snapshots) snap.tx.close()
    snapshots = []
    await db.close()
    db = await open(file, opts)
    verify(`seed ${seed} pageSize ${pageSize} final reopen`)
  } finally {
    await db.close()
  }
  return result
}

describe('model: random operations against a Map model', function () {
  this.timeout(300_000)
  const base = process.env['SEED'] !== undefined ? Number(process.env['SEED']) : Prng.randomSeed()
  const seeds = process.env['SEED'] !== undefined ? [base] : [base, (base + 1) >>> 0, (base + 2) >>> 0]
  let dir: string
  before(() => {
    console.log(`      model seeds: ${seeds.join(', ')} (replay one with SEED=<n>)`)
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'btree-model-'))
  })
  after(() => fs.rmSync(dir, { recursive: true, force: true }))

  for (const pageSize of [1024, 4096]) {
    for (const seed of seeds) {
      it(`seed ${seed}, page size ${pageSize}`, async () => {
        const started = Date.now()
        const r = await runModel(seed, pageSize, TXS, dir)
        expect(r.commits).to.be.greaterThan(0)
        console.log(
          `        ${r.ops} ops, ${r.commits} commits, ${r.rollbacks} rollbacks, ${r.reopens} reopens${r.journal ? ', through the journal' : ''} in ${Date.now() - started} ms`,
        )
      })
    }
  }
})
