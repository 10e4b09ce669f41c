import { expect } from 'chai'
import {
  type Database,
  type Durability,
  type ReadTransaction,
  type WriteBucket,
  type WriteTransaction,
  open,
} from '../../src/index.js'
import { Prng } from '../../src/io/prng.js'
import { FaultFileSystem } from '../doubles/fault-file.js'
import { b, expectCheck, numKey, rejection, str, useTempDir } from './helpers.js'

/**
 * A group of `'none'` updates, or a `'full'` one alone in flight (its commit syncs on the caller's
 * thread), edits in place the packed leaves that earlier commits made and that no snapshot can
 * reach (WriteTx.adopt), instead of copying them. These pin what that must never show: a snapshot,
 * whenever it opens, sees a published state whole, and an update that throws, or whose journal
 * sync fails, leaves nothing behind.
 */

const SEED = Number(process.env['SEED'] ?? 20261203) >>> 0
const N = 3000

/** key (hex) -> value (hex) */
type Model = Map<string, string>

function contents(tx: ReadTransaction): Model {
  const out: Model = new Map()
  const bucket = tx.bucket('t')
  if (bucket === undefined) return out
  for (const [k, v] of bucket.entries()) out.set(Buffer.from(k).toString('hex'), Buffer.from(v).toString('hex'))
  return out
}

/**
 * Value lengths: 'mixed' (20–79 bytes), or 'same' (every value 40 bytes), where an overwrite writes
 * the new value over the old one in the leaf's page (Node.overwritePacked) and a restore must put
 * the old bytes back.
 */
type Lengths = 'mixed' | 'same'
let lengths: Lengths = 'mixed'

function value(rng: Prng): Buffer {
  return Buffer.from(rng.bytes(lengths === 'same' ? 40 : 20 + rng.int(60)))
}

/** Random puts (some overwrites) and deletes, applied to the model as they are planned. */
function plan(rng: Prng, count: number): Array<[Buffer, Buffer | undefined]> {
  const ops: Array<[Buffer, Buffer | undefined]> = []
  for (let i = 0; i < count; i++) {
    const key = numKey(rng.int(N), 6)
    const v = rng.bool(0.2) ? undefined : value(rng)
    ops.push([key, v])
  }
  return ops
}

function applyModel(model: Model, ops: ReadonlyArray<[Buffer, Buffer | undefined]>): void {
  for (const [k, v] of ops) {
    if (v === undefined) model.delete(k.toString('hex'))
    else model.set(k.toString('hex'), v.toString('hex'))
  }
}

function applyTx(tx: WriteTransaction, ops: ReadonlyArray<[Buffer, Buffer | undefined]>): void {
  const b = tx.createBucketIfNotExists('t')
  for (const [k, v] of ops) {
    if (v === undefined) b.delete(k)
    else b.put(k, v)
  }
}

/** Fills the bucket in random order over many commits: its leaves are then packed leaves of earlier commits. */
async function warm(db: Database, rng: Prng, model: Model, durability: Durability = 'none'): Promise<void> {
  for (let round = 0; round < 12; round++) {
    const ops = plan(rng, 400)
    await db.update((tx) => applyTx(tx, ops), { durability })
    applyModel(model, ops)
  }
}

for (const valueLengths of ['mixed', 'same'] as const)
  for (const durability of ['none', 'full'] as const)
    describe(`integration: in-place edits of earlier commits, durability '${durability}', ${valueLengths} value lengths (seeded)`, () => {
      const t = useTempDir()
      let rng: Prng
      let model: Model

      beforeEach(() => {
        console.log(`      seed ${SEED} (replay with SEED=<n>)`)
        lengths = valueLengths
        rng = new Prng(SEED)
        model = new Map()
      })

      /** The journal operations a failing commit can meet: its append, and its sync when it makes one. */
      function journalFaults(): Array<'write' | 'sync'> {
        return durability === 'full' ? ['write', 'sync'] : ['write']
      }

      /**
       * A database at `path` on a fault-injecting file system, warmed (its leaves packed leaves of
       * earlier commits), the model matching it; `journal` is its journal's file on `fs`.
       */
      async function openWarmed(path: string): Promise<{ fs: FaultFileSystem; db: Database; journal: string }> {
        const fs = new FaultFileSystem()
        const db = await open(path, { fileSystem: fs, lock: false, pageSize: 1024 })
        model = new Map()
        await warm(db, rng, model, durability)
        return { fs, db, journal: `${path}-journal` }
      }

      /** Closes `db` and reopens its file on `fs`: the model's contents, and check() clean. */
      async function expectReopened(db: Database, fs: FaultFileSystem, path: string, label: string): Promise<void> {
        await db.close()
        const reopened = await open(path, { fileSystem: fs, lock: false, pageSize: 1024 })
        reopened.view((r) => expect(contents(r), `${label}: reopened`).to.deep.equal(model))
        expectCheck(reopened)
        await reopened.close()
      }

      it('a snapshot opened before a commit sees none of its edits', async () => {
        const db = await t.open({ pageSize: 1024 })
        await warm(db, rng, model, durability)
        for (let round = 0; round < 6; round++) {
          const before = new Map(model)
          const snap = db.begin()
          const ops = plan(rng, 500)
          await db.update((tx) => applyTx(tx, ops), { durability })
          applyModel(model, ops)
          expect(contents(snap), `round ${round}: the snapshot`).to.deep.equal(before)
          snap.close()
          db.view((tx) => expect(contents(tx)).to.deep.equal(model))
          // And the next commit, with no snapshot open, edits in place what this one made.
          const more = plan(rng, 500)
          await db.update((tx) => applyTx(tx, more), { durability })
          applyModel(model, more)
          db.view((tx) => expect(contents(tx)).to.deep.equal(model))
          expectCheck(db)
        }
      })

      it('a snapshot or check() inside an update, after its edits, sees the state before it', async () => {
        const db = await t.open({ pageSize: 1024 })
        await warm(db, rng, model, durability)
        for (let round = 0; round < 6; round++) {
          const before = new Map(model)
          const first = plan(rng, 300)
          const second = plan(rng, 300)
          let seen: Model | undefined
          await db.update(
            (tx) => {
              applyTx(tx, first)
              const snap = db.begin()
              seen = contents(snap)
              snap.close()
              expectCheck(db)
              applyTx(tx, second)
            },
            { durability },
          )
          applyModel(model, first)
          applyModel(model, second)
          expect(seen, `round ${round}: the snapshot inside`).to.deep.equal(before)
          db.view((tx) => expect(contents(tx)).to.deep.equal(model))
          expectCheck(db)
        }
      })

      it('an async update: a snapshot opened while it waits sees the published state', async () => {
        const db = await t.open({ pageSize: 1024 })
        await warm(db, rng, model, durability)
        for (let round = 0; round < 4; round++) {
          const before = new Map(model)
          const first = plan(rng, 300)
          const second = plan(rng, 300)
          let waiting!: () => void
          const paused = new Promise<void>((resolve) => (waiting = resolve))
          let go!: () => void
          const resume = new Promise<void>((resolve) => (go = resolve))
          const done = db.update(
            async (tx) => {
              applyTx(tx, first)
              waiting()
              await resume
              applyTx(tx, second)
            },
            { durability },
          )
          await paused
          db.view((tx) => expect(contents(tx), `round ${round}: while the update waits`).to.deep.equal(before))
          expectCheck(db)
          go()
          await done
          applyModel(model, first)
          applyModel(model, second)
          db.view((tx) => expect(contents(tx)).to.deep.equal(model))
          expectCheck(db)
        }
      })

      for (const detach of ['snapshot', 'await', 'commit'] as const)
        it(`a transaction that read its edits through a cursor keeps them when they are detached (${detach})`, async () => {
          // A cursor of a write transaction decodes the packed leaves it lands on (tree/cursor.ts,
          // Frame.set): their keys and values become views of the leaf's page. Detaching the edits
          // (a snapshot registering, an update awaiting, or a commit that does not publish at once)
          // restored the published state in that very page, under the views: values overwritten in
          // place came back old, and keys written where saved slots had been were garbled (K1).
          const db = await t.open({ pageSize: 1024 })
          await warm(db, rng, model, durability)
          for (let round = 0; round < 6; round++) {
            const before = new Map(model)
            const first = plan(rng, 300)
            const second = plan(rng, 300)
            const work = new Map(model)
            applyModel(work, first)
            const run = async (tx: WriteTransaction): Promise<void> => {
              applyTx(tx, first)
              expect(contents(tx), `round ${round}: read through a cursor`).to.deep.equal(work)
              if (detach === 'snapshot') {
                const snap = db.begin()
                expect(contents(snap), `round ${round}: the snapshot`).to.deep.equal(before)
                snap.close()
              } else if (detach === 'await') await new Promise((resolve) => setImmediate(resolve))
              expect(contents(tx), `round ${round}: after the detach`).to.deep.equal(work)
              applyTx(tx, second)
            }
            if (detach === 'await') await db.update(run, { durability })
            else {
              const tx = await db.beginWrite()
              await run(tx)
              // A second commit queued behind it: the committer detaches (it does not publish at once).
              const queued = db.update((w) => w.bucket('t')!.get(numKey(0, 6)), { durability })
              await tx.commit({ durability })
              await queued
            }
            applyModel(model, first)
            applyModel(model, second)
            db.view((r) => expect(contents(r), `round ${round}: after it`).to.deep.equal(model))
            expectCheck(db)
          }
          await db.close()
          const again = await t.open({ pageSize: 1024 })
          again.view((r) => expect(contents(r), 'reopened').to.deep.equal(model))
          expectCheck(again)
        })

      it('an explicit transaction: snapshots while it is open see the published state; rollback leaves nothing', async () => {
        const db = await t.open({ pageSize: 1024 })
        await warm(db, rng, model, durability)
        for (let round = 0; round < 6; round++) {
          const before = new Map(model)
          const first = plan(rng, 300)
          const second = plan(rng, 300)
          const tx = await db.beginWrite()
          applyTx(tx, first)
          await new Promise((resolve) => setImmediate(resolve))
          db.view((r) => expect(contents(r), `round ${round}: while it is open`).to.deep.equal(before))
          expectCheck(db)
          applyTx(tx, second)
          if (round % 2 === 0) {
            tx.rollback()
          } else {
            await tx.commit({ durability: round % 4 === 1 ? 'full' : 'none' })
            applyModel(model, first)
            applyModel(model, second)
          }
          db.view((r) => expect(contents(r), `round ${round}: after it`).to.deep.equal(model))
          expectCheck(db)
        }
      })

      it('a commit whose journal append or sync fails leaves the leaves it edited as they were published; the next commit works', async () => {
        for (const op of journalFaults()) {
          const path = '/in-place/db'
          const { fs, db, journal } = await openWarmed(path)
          for (let round = 0; round < 4; round++) {
            const inline = fs.file(journal).inlineSyncs
            fs.file(journal).failNext(op, 'EIO')
            const failing = plan(rng, 500)
            const err = await rejection(db.update((tx) => applyTx(tx, failing), { durability }))
            expect((err as { code?: string }).code, `${op} round ${round}`).to.equal('BTREE_IO')
            // A lone 'full' commit syncs on this thread: the path that keeps its in-place edits.
            if (op === 'sync') expect(fs.file(journal).inlineSyncs - inline).to.equal(1)
            db.view((tx) => expect(contents(tx), `${op} round ${round}: after the failed commit`).to.deep.equal(model))
            expectCheck(db)
            const next = plan(rng, 500)
            await db.update((tx) => applyTx(tx, next), { durability })
            applyModel(model, next)
            db.view((tx) => expect(contents(tx), `${op} round ${round}: the next commit`).to.deep.equal(model))
            expectCheck(db)
          }
          await expectReopened(db, fs, path, op)
        }
      })

      it('an explicit transaction whose commit fails leaves the leaves it edited as they were published', async () => {
        // The writer queue gives the adopted leaves their published state back when an explicit
        // transaction's commit fails (WriterQueue.commitExplicit: restoreAdopted): without that, the
        // published state would show the failed commit's edits.
        for (const op of journalFaults()) {
          const path = '/in-place-explicit/db'
          const { fs, db, journal } = await openWarmed(path)
          for (let round = 0; round < 4; round++) {
            const failing = plan(rng, 500)
            const tx = await db.beginWrite()
            applyTx(tx, failing)
            fs.file(journal).failNext(op, 'EIO')
            const err = await rejection(tx.commit({ durability }))
            expect((err as { code?: string }).code, `${op} round ${round}`).to.equal('BTREE_IO')
            db.view((r) => expect(contents(r), `${op} round ${round}: after the failed commit`).to.deep.equal(model))
            expectCheck(db)
            const next = plan(rng, 500)
            const again = await db.beginWrite()
            applyTx(again, next)
            await again.commit({ durability })
            applyModel(model, next)
            db.view((r) => expect(contents(r), `${op} round ${round}: the next commit`).to.deep.equal(model))
            expectCheck(db)
          }
          await expectReopened(db, fs, path, op)
        }
      })

      for (const readers of [false, true]) {
        it(`an update that throws leaves nothing behind (${readers ? 'a snapshot open' : 'no snapshot open'})`, async () => {
          const db = await t.open({ pageSize: 1024 })
          await warm(db, rng, model, durability)
          for (let round = 0; round < 6; round++) {
            const snap = readers ? db.begin() : undefined
            const before = new Map(model)
            // Alone, then in a group between two that succeed.
            const alone = plan(rng, 400)
            const err = await db
              .update(
                (tx) => {
                  applyTx(tx, alone)
                  throw new Error('planned')
                },
                { durability },
              )
              .then(
                () => undefined,
                (e: unknown) => e,
              )
            expect((err as Error).message).to.equal('planned')
            db.view((tx) => expect(contents(tx), `round ${round}: after the failed update`).to.deep.equal(model))
            const a = plan(rng, 200)
            const failing = plan(rng, 400)
            const c = plan(rng, 200)
            const results = await Promise.allSettled([
              db.update((tx) => applyTx(tx, a), { durability }),
              db.update(
                (tx) => {
                  applyTx(tx, failing)
                  throw new Error('planned')
                },
                { durability },
              ),
              db.update((tx) => applyTx(tx, c), { durability }),
            ])
            expect(results.map((r) => r.status)).to.deep.equal(['fulfilled', 'rejected', 'fulfilled'])
            applyModel(model, a)
            applyModel(model, c)
            if (snap !== undefined) {
              expect(contents(snap), `round ${round}: the snapshot`).to.deep.equal(before)
              snap.close()
            }
            db.view((tx) => expect(contents(tx), `round ${round}: after the group`).to.deep.equal(model))
            expectCheck(db)
          }
          await db.close()
          const again = await t.open({ pageSize: 1024 })
          again.view((tx) => expect(contents(tx)).to.deep.equal(model))
          expectCheck(again)
        })
      }
    })

describe('integration: in-place edits, K1 (a leaf edited in place, decoded by a cursor, then detached)', () => {
  const t = useTempDir()

  it("keeps the keys the transaction wrote where the leaf's published slots were", async () => {
    // Found through kysely-btree (its FAILING.md, K1): an update of an index's keys, then a select
    // inside the same transaction, then its commit, lost an index entry, and the checkpoint at
    // close failed ("node of 28666 bytes exceeds the page"). Reduced: a full leaf (keys 0-176 of 7
    // bytes, values of 8) loses 100 entries in place (its slot array shrinks by 200 bytes), and
    // gains 4 whose bytes go below its entries, into what were its slots; a cursor decodes it (its
    // keys become views of those bytes); a snapshot then detaches the in-place edits, and restoring
    // the published slots in that page overwrote the new keys.
    const db = await t.open({ durability: 'none' })
    const key = (i: number): Buffer => Buffer.from(`k${String(i).padStart(6, '0')}`)
    const model = new Map<string, string>()
    const put = (b: WriteBucket, k: Buffer, v: string): void => {
      b.put(k, Buffer.from(v))
      model.set(k.toString(), v)
    }
    await db.update((tx) => {
      const b = tx.createBucket('b')
      for (let i = 0; i < 1000; i++) put(b, key(i), 'v'.repeat(8))
    })
    // Every leaf copied once: each then owns its page, which the next commit edits in place.
    await db.update((tx) => {
      const b = tx.bucket('b')!
      for (let i = 0; i < 1000; i += 50) put(b, key(i), 'w'.repeat(8))
    })
    const tx = await db.beginWrite()
    const b = tx.bucket('b')!
    for (let i = 10; i < 110; i++) {
      b.delete(key(i))
      model.delete(key(i).toString())
    }
    for (let j = 1; j <= 4; j++) put(b, Buffer.from(`${key(50).toString()}-${j}`), `new-${j}`.padEnd(24, '*'))
    const seen = (r: ReadTransaction): Map<string, string> => {
      const out = new Map<string, string>()
      for (const [k, v] of r.bucket('b')!.entries()) out.set(k.toString(), v.toString())
      return out
    }
    expect(seen(tx)).to.deep.equal(model)
    db.view(() => undefined)
    expect(seen(tx), 'after the snapshot').to.deep.equal(model)
    await tx.commit()
    db.view((r) => expect(seen(r), 'committed').to.deep.equal(model))
    expectCheck(db)
    await db.close()
    const again = await t.open({ durability: 'none' })
    again.view((r) => expect(seen(r), 'reopened').to.deep.equal(model))
    expectCheck(again)
  })
})

describe('integration: in-place edits, a bucket dropped under a savepoint, a detach, then rollbackTo', () => {
  const t = useTempDir()
  // Found by round s39's in-place fuzzer (pre-existing): a detach swapped the copies of the leaves
  // edited in place into the trees of the buckets the transaction named, not into a dropped
  // bucket's tree, which only the savepoint's undo log held; rolling back brought that tree back
  // holding the leaves as published: the transaction's writes before the savepoint were lost, and
  // committed so.
  const key = (i: number): Buffer => Buffer.from(`k${String(i).padStart(4, '0')}`)
  for (const detach of ['snapshot', 'check'] as const) {
    it(`keeps the writes made before the savepoint (a committed bucket; ${detach})`, async () => {
      const db = await t.open({ durability: 'none', pageSize: 1024 })
      await db.update((tx) => {
        const c = tx.createBucket('c')
        for (let i = 0; i < 200; i++) c.put(key(i), b('old'))
      })
      // Every leaf copied once: each owns its page, which the next transaction edits in place.
      await db.update((tx) => {
        const c = tx.bucket('c')!
        for (let i = 0; i < 200; i += 10) c.put(key(i), b('one'))
      })
      const tx = await db.beginWrite()
      tx.bucket('c')!.put(key(7), b('new'))
      const sp = tx.savepoint()
      tx.deleteBucket('c')
      if (detach === 'snapshot') db.view(() => undefined)
      else expectCheck(db)
      tx.rollbackTo(sp)
      expect(str(tx.bucket('c')!.get(key(7)))).to.equal('new')
      await tx.commit()
      db.view((r) => expect(str(r.bucket('c')!.get(key(7)))).to.equal('new'))
      expectCheck(db)
      await db.close()
      const again = await t.open({ pageSize: 1024 })
      again.view((r) => expect(str(r.bucket('c')!.get(key(7)))).to.equal('new'))
      expectCheck(again)
    })

    it(`keeps the writes made before the savepoint (a bucket created in the transaction; ${detach})`, async () => {
      const db = await t.open({ durability: 'none' })
      const tx = await db.beginWrite()
      const c = tx.createBucket('c')
      for (const k of ['a', 'b', 'c']) c.put(b(k), b('v'))
      const sp = tx.savepoint()
      tx.deleteBucket('c')
      if (detach === 'snapshot') db.view(() => undefined)
      else expectCheck(db)
      tx.rollbackTo(sp)
      expect([...tx.bucket('c')!.entries()].map(([k]) => str(k))).to.deep.equal(['a', 'b', 'c'])
      await tx.commit()
      db.view((r) => expect([...r.bucket('c')!.entries()].map(([k]) => str(k))).to.deep.equal(['a', 'b', 'c']))
      expectCheck(db)
    })
  }
})
