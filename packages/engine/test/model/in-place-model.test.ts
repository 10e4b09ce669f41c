import { expect } from 'chai'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { type Database, type Durability, open } from '../../src/index.js'
import { Prng } from '../../src/io/prng.js'
import type { ReadTransaction, Savepoint, WriteBucket, WriteTransaction } from '../../src/base/types.js'

/**
 * Seeded random transactions shaped so that the writer edits the leaves of earlier commits in
 * place (WriteTx.adopt): one bucket of short keys (its leaves packed), values mostly of one length
 * (overwritten where they lie, Node.overwritePacked), no snapshot held across commits. Inside the
 * transactions, at random, everything that meets those edits: cursors that decode the leaves they
 * land on, views from getView kept to the transaction's end, savepoints, the bucket dropped and
 * made again (a savepoint's undo log then holds its tree), snapshots opened
 * mid-transaction and check() (each detaches the edits, WriteTx.detachAdopted), awaits inside an
 * update, commits with another update queued behind them (a commit that does not publish at once
 * detaches too), callbacks that throw, rollbacks, checkpoints, reopens. The general model test
 * (model.test.ts) holds snapshots open most of the time, and its keys and values take every
 * length, so its writers rarely edit in place (39 leaves in one seed's run): it never met K1
 * (kysely-btree's FAILING.md, a committed write lost), which this one meets in about one run in
 * five on the code before K1's fix (~600 leaves edited in place a run). A write transaction's
 * cursors decode the leaves they pass for good, so its state is compared by gets.
 *
 * SEED=<n> replays one seed; IN_PLACE_TXS=<n> changes the number of transactions per run.
 */
const TXS = Number(process.env['IN_PLACE_TXS'] ?? 120)
const KEYS = 4000
/** A bulk run's puts (runInPlace's `bulk`: values of ~190 bytes, so ~280 KB of record). */
const BULK_PUTS = 1300

type Model = Map<string, string>

const hex = (u: Uint8Array): string => Buffer.from(u).toString('hex')

/** Compares everything `tx` sees (a walk each way, and gets) with `model`; throws on the first difference. */
function compare(tx: ReadTransaction, model: Model, where: string): void {
  const bucket = tx.bucket('t')
  const keys = [...model.keys()].sort()
  if (bucket === undefined) {
    if (keys.length > 0) throw new Error(`${where}: the bucket is missing`)
    return
  }
  if (bucket.size !== keys.length) throw new Error(`${where}: size ${bucket.size}, expected ${keys.length}`)
  const c = bucket.cursor()
  let i = 0
  for (let ok = c.first(); ok; ok = c.next(), i++) {
    const k = hex(c.key!)
    if (k !== keys[i]) throw new Error(`${where}: key #${i} is ${k}, expected ${keys[i]}`)
    if (hex(c.value!) !== model.get(k)) throw new Error(`${where}: the value of ${k} differs`)
  }
  if (i !== keys.length) throw new Error(`${where}: the walk gave ${i} keys, expected ${keys.length}`)
  i = keys.length - 1
  for (let ok = c.last(); ok; ok = c.prev(), i--) {
    if (hex(c.key!) !== keys[i]) throw new Error(`${where}: backward key #${i} differs`)
  }
  if (i !== -1) throw new Error(`${where}: the backward walk stopped at ${i}`)
}

/**
 * Compares `tx`'s values with `model` by a get of each key the model has (and of absent ones near
 * them), without a cursor: a write transaction's cursor decodes every leaf it passes for good
 * (tree/cursor.ts, Frame.set), and a decoded leaf is never edited in place again.
 */
function compareByGets(tx: ReadTransaction, model: Model, where: string): void {
  const bucket = tx.bucket('t')
  if (bucket === undefined) {
    if (model.size > 0) throw new Error(`${where}: the bucket is missing`)
    return
  }
  if (bucket.size !== model.size) throw new Error(`${where}: size ${bucket.size}, expected ${model.size}`)
  for (let i = 0; i < KEYS; i++) {
    const k = Buffer.from(String(i).padStart(6, '0'))
    const v = bucket.getView(k)
    if ((v === undefined ? undefined : hex(v)) !== model.get(hex(k)))
      throw new Error(`${where}: get of ${hex(k)} differs`)
  }
}

let runs = 0

/** Awaits `update`, which must reject with `expected` (the callback's own error) or, undefined, resolve. */
async function expectOutcome(update: Promise<unknown>, expected: Error | undefined, at: string): Promise<void> {
  const err = await update.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (err !== expected) throw err instanceof Error ? err : new Error(`${at}: ${String(err)}`)
}

/** One seeded run; throws with the seed and the step in the message when anything differs. */
async function runInPlace(seed: number, pageSize: number, txs: number, dir: string, bulk = false): Promise<number> {
  const rng = new Prng(seed)
  const file = path.join(dir, `in-place-${seed}-${pageSize}-${++runs}.db`)
  const opts = { pageSize, durability: 'none' as const, journalSize: rng.pick([65536, 1 << 20]) }
  let db: Database = await open(file, opts)
  let committed: Model = new Map()
  let ops = 0
  const key = (): Buffer => Buffer.from(String(rng.int(KEYS)).padStart(6, '0'))
  const value = (): Buffer =>
    bulk
      ? Buffer.from(rng.bytes(rng.bool(0.7) ? 190 : 150 + rng.int(80)))
      : Buffer.from(rng.bytes(rng.bool(0.7) ? 24 : 8 + rng.int(40)))

  /** BULK_PUTS puts of random keys into `b`, mirrored in `work`. */
  const bulkRun = (b: WriteBucket, work: Model): void => {
    for (let i = 0; i < BULK_PUTS; i++) {
      const k = key()
      const v = value()
      b.put(k, v)
      work.set(hex(k), hex(v))
    }
  }

  /** A random change or read inside `tx`, mirrored in `work`; views lent are checked at the end. */
  const step = (tx: WriteTransaction, work: Model, views: Array<[Uint8Array, string]>, at: string): void => {
    ops++
    const r = rng.next()
    if (r >= 0.98 && r < 0.99) {
      // The bucket dropped (the next step makes it again, empty); a savepoint before may bring it back.
      if (tx.bucket('t') !== undefined) tx.deleteBucket('t')
      work.clear()
      return
    }
    const b = tx.createBucketIfNotExists('t')
    if (bulk && r < 0.03) {
      // A run of puts whose record passes the journal's 256 KiB write-on-return bound while the
      // transaction edits more leaves in place than that (db/committer.ts onReturnLimit).
      bulkRun(b, work)
    } else if (r < 0.55) {
      const k = key()
      const v = value()
      b.put(k, v)
      work.set(hex(k), hex(v))
    } else if (r < 0.7) {
      // A run of deletes: a leaf loses many entries, and the next puts write where its slots were.
      const from = rng.int(KEYS)
      for (let i = from; i < Math.min(KEYS, from + rng.range(1, 60)); i++) {
        const k = Buffer.from(String(i).padStart(6, '0'))
        if (b.delete(k) !== work.delete(hex(k))) throw new Error(`${at}: delete of ${hex(k)} disagrees`)
      }
    } else if (r < 0.85) {
      const k = key()
      const view = b.getView(k)
      const want = work.get(hex(k))
      if ((view === undefined ? undefined : hex(view)) !== want) throw new Error(`${at}: getView of ${hex(k)} differs`)
      if (view !== undefined) views.push([view, want!])
    } else if (r < 0.9) {
      // A cursor reads part of the bucket (it decodes the leaves it lands on).
      const keys = [...work.keys()].sort()
      const start = key()
      const c = b.cursor()
      let i = keys.findIndex((k) => k >= hex(start))
      if (i < 0) i = keys.length
      let n = 0
      for (let ok = c.seek(start); ok && n < 40; ok = c.next(), n++, i++) {
        if (hex(c.key!) !== keys[i] || hex(c.value!) !== work.get(keys[i]!))
          throw new Error(`${at}: a cursor inside the transaction read ${hex(c.key!)} at #${i}`)
      }
    } else if (r < 0.98) {
      // A snapshot opened mid-transaction sees the committed state (the writer detaches its edits).
      const snap = db.begin()
      compare(snap, committed, `${at}: a snapshot inside the transaction`)
      snap.close()
      compareByGets(tx, work, `${at}: the transaction after the snapshot`)
    } else {
      const check = db.check()
      if (!check.ok) throw new Error(`${at}: check() inside: ${check.errors.map((e) => e.message).join('; ')}`)
      compareByGets(tx, work, `${at}: the transaction after check()`)
    }
  }
  const checkViews = (views: Array<[Uint8Array, string]>, at: string): void => {
    for (const [view, want] of views) if (hex(view) !== want) throw new Error(`${at}: a view lent inside changed`)
  }
  const verify = (at: string, checked: boolean): void => {
    db.view((tx) => compare(tx, committed, at))
    if (!checked) return
    // check() replays the journal and reads the whole state, decoding every leaf: now and then.
    const check = db.check()
    if (!check.ok) throw new Error(`${at}: check(): ${check.errors.map((e) => e.message).join('; ')}`)
  }

  try {
    // Leaves of earlier commits to edit: a fill, then a commit that copies each leaf once.
    await db.update((tx) => {
      const b = tx.createBucket('t')
      for (let i = 0; i < KEYS; i += 2) {
        const k = Buffer.from(String(i).padStart(6, '0'))
        const v = value()
        b.put(k, v)
        committed.set(hex(k), hex(v))
      }
    })
    for (let t = 0; t < txs; t++) {
      const at = `seed ${seed} pageSize ${pageSize} tx ${t}`
      const durability: Durability = rng.bool(0.15) ? 'full' : 'none'
      if (bulk && rng.bool(0.3)) {
        // An update of a bulk run alone: nothing inside detaches the leaves it edits in place, so
        // its record (past 256 KiB) is written on the caller's thread with them kept; now and then
        // it throws, and the leaves get their published state back.
        const work = new Map(committed)
        const fail = rng.bool(0.15)
        const boom = new Error('in-place model: bulk update failed on purpose')
        await expectOutcome(
          db.update(
            (tx) => {
              bulkRun(tx.createBucketIfNotExists('t'), work)
              if (fail) throw boom
            },
            { durability },
          ),
          fail ? boom : undefined,
          at,
        )
        if (!fail) committed = work
        verify(at, t % 10 === 9)
        continue
      }
      const r = rng.next()
      if (r < 0.04) {
        await db.close()
        db = await open(file, opts)
      } else if (r < 0.1) {
        await db.checkpoint()
      } else if (r < 0.4) {
        // db.update, sync or async; now and then it throws and nothing may remain.
        const work = new Map(committed)
        const views: Array<[Uint8Array, string]> = []
        const fail = rng.bool(0.15)
        const waits = rng.bool(0.5)
        const boom = new Error('in-place model: failed on purpose')
        const n = rng.range(5, 60)
        await expectOutcome(
          db.update(
            async (tx) => {
              for (let i = 0; i < n; i++) {
                step(tx, work, views, at)
                if (waits && rng.bool(0.1)) await new Promise((resolve) => setImmediate(resolve))
              }
              checkViews(views, at)
              if (fail) throw boom
            },
            { durability },
          ),
          fail ? boom : undefined,
          at,
        )
        if (!fail) committed = work
      } else if (r < 0.55) {
        // Several updates queued at once share a commit; one that throws is undone alone.
        let pending = committed
        const boom = new Error('in-place model: grouped update failed on purpose')
        const fails: boolean[] = []
        const runs: Array<Promise<unknown>> = []
        for (let u = rng.range(2, 6); u > 0; u--) {
          const fail = rng.bool(0.25)
          fails.push(fail)
          runs.push(
            db.update(
              (tx) => {
                const w = new Map(pending)
                const views: Array<[Uint8Array, string]> = []
                for (let i = rng.range(1, 20); i > 0; i--) step(tx, w, views, `${at} grouped`)
                checkViews(views, at)
                if (fail) throw boom
                pending = w
              },
              { durability },
            ),
          )
        }
        const settled = await Promise.allSettled(runs)
        settled.forEach((s, u) => {
          if (s.status !== (fails[u] ? 'rejected' : 'fulfilled'))
            throw new Error(`${at}: grouped update ${u} ${s.status}`)
        })
        committed = pending
      } else {
        // An explicit transaction with savepoints; it commits (now and then with an update queued
        // behind it), or rolls back.
        const tx = await db.beginWrite()
        let work = new Map(committed)
        const views: Array<[Uint8Array, string]> = []
        const stack: Array<{ sp: Savepoint; model: Model }> = []
        for (let i = rng.range(5, 80); i > 0; i--) {
          const s = rng.next()
          if (s < 0.05) stack.push({ sp: tx.savepoint(), model: new Map(work) })
          else if (s < 0.08 && stack.length > 0) {
            const k = rng.int(stack.length)
            tx.rollbackTo(stack[k]!.sp)
            work = new Map(stack[k]!.model)
            stack.length = k + 1
          } else if (s < 0.1 && stack.length > 0) {
            const k = rng.int(stack.length)
            tx.release(stack[k]!.sp)
            stack.length = k
          } else if (s < 0.13) await new Promise((resolve) => setImmediate(resolve))
          else step(tx, work, views, at)
        }
        checkViews(views, at)
        if (rng.bool(0.2)) {
          tx.rollback()
        } else {
          const queued = rng.bool(0.4)
          const k = key()
          const v = value()
          const behind = queued
            ? db.update((w) => w.createBucketIfNotExists('t').put(k, v), { durability: 'none' })
            : undefined
          await tx.commit({ durability })
          committed = work
          if (behind !== undefined) {
            await behind
            committed = new Map(committed).set(hex(k), hex(v))
          }
        }
      }
      verify(at, t % 10 === 9)
    }
    await db.close()
    db = await open(file, opts)
    verify(`seed ${seed} pageSize ${pageSize} final reopen`, true)
  } finally {
    await db.close()
  }
  return ops
}

describe('model: in-place edits of earlier commits under everything that meets them', function () {
  this.timeout(300_000)
  const base = process.env['SEED'] !== undefined ? Number(process.env['SEED']) : Prng.randomSeed()
  const seeds = process.env['SEED'] !== undefined ? [base] : [base, (base + 1) >>> 0]
  let dir: string
  before(() => {
    console.log(`      in-place model seeds: ${seeds.join(', ')} (replay one with SEED=<n>)`)
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'btree-in-place-'))
  })
  after(() => fs.rmSync(dir, { recursive: true, force: true }))

  for (const pageSize of [1024, 4096]) {
    for (const seed of seeds) {
      it(`seed ${seed}, page size ${pageSize}`, async () => {
        const started = Date.now()
        const ops = await runInPlace(seed, pageSize, TXS, dir)
        expect(ops).to.be.greaterThan(0)
        console.log(`        ${ops} operations in ${Date.now() - started} ms`)
      })
    }
  }

  // Bulk runs (values of ~190 bytes, and now and then 1,300 puts in one step): records past the
  // journal's 256 KiB write-on-return bound, written on the caller's thread with the leaves kept in
  // place, or, after a snapshot or check() inside detached them, on the thread pool.
  for (const pageSize of [1024, 4096]) {
    for (const seed of seeds) {
      it(`seed ${seed}, page size ${pageSize}, bulk runs`, async () => {
        const started = Date.now()
        const ops = await runInPlace(seed, pageSize, Math.ceil(TXS / 3), dir, true)
        expect(ops).to.be.greaterThan(0)
        console.log(`        ${ops} operations in ${Date.now() - started} ms`)
      })
    }
  }

  // A seed that fails on the code before K1's fix, and passes on the code between the two fixes
  // (at its 82nd transaction: a get after a snapshot opened inside the transaction read another
  // value than the transaction had written); about one random run in five failed there.
  it('seed 5, page size 1024 (K1)', async () => {
    expect(await runInPlace(5, 1024, 120, dir)).to.be.greaterThan(0)
  })

  // A seed that fails on the code before round s39's second fix (its 73rd transaction: a bucket
  // dropped under a savepoint, a snapshot, then rollbackTo brought back its tree holding leaves as
  // published, without the transaction's writes); one run in ten or so failed there.
  it('seed 9, page size 1024 (a dropped bucket brought back)', async () => {
    expect(await runInPlace(9, 1024, 120, dir)).to.be.greaterThan(0)
  })
})
