import { expect } from 'chai'
import { type Database, type Durability, type ReadTransaction, type WriteTransaction, open } from '../../src/index.js'
import { Prng } from '../../src/io/prng.js'
import { FaultFileSystem } from '../doubles/fault-file.js'
import { expectCheck, numKey, rejection, useTempDir } from './helpers.js'

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
