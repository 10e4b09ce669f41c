import { expect } from 'chai'
import { type Database, type Durability, open } from '../../src/index.js'
import { SYNC_WRITE_LIMIT } from '../../src/store/journal.js'
import { packedPages } from '../../src/tree/node.js'
import { FaultFileSystem } from '../doubles/fault-file.js'
import { expectCheck, numKey, rejection, useTempDir } from './helpers.js'

/**
 * A put of a value as long as the one it replaces, into a packed leaf that owns its page, writes
 * the new value over the old one where it lies (Node.overwritePacked): no page copied, where a full
 * leaf (after an ascending load or a checkpoint) was copied whole for every such overwrite. It is
 * the one edit of a packed leaf that rewrites bytes a view could name, so the writer allows it only
 * while no view can be held (no cursor opened, no savepoint open), and saves the bytes it replaces
 * in a leaf of an earlier commit for a restore (the seeded 'same value lengths' runs of
 * in-place.test.ts cover snapshots, throws, rollbacks and failed commits).
 */
describe('integration: overwrites of the same length, in place', () => {
  const t = useTempDir()
  const N = 4000
  const value = (i: number, round: number): Buffer => Buffer.alloc(64, (i * 7 + round * 13) & 0xff)

  /** N keys in ascending order over a few commits, then a checkpoint: full leaves on pages. */
  async function filled(): Promise<Database> {
    const db = await t.open({ durability: 'none' })
    for (let start = 0; start < N; start += 1000)
      await db.update((tx) => {
        const b = tx.createBucketIfNotExists('t')
        for (let i = start; i < start + 1000; i++) b.put(numKey(i), value(i, 0))
      })
    await db.checkpoint()
    return db
  }

  /**
   * filled(), then a commit that overwrote every key with round 1's values: its leaves (copies of
   * the cached pages) own their pages, which later commits edit in place.
   */
  async function overwrittenOnce(): Promise<Database> {
    const db = await filled()
    await db.update((tx) => {
      const b = tx.bucket('t')!
      for (let i = 0; i < N; i++) b.put(numKey(i), value(i, 1))
    })
    return db
  }

  function expectValues(db: Database, round: (i: number) => number, label: string): void {
    db.view((tx) => {
      const b = tx.bucket('t')!
      expect(b.size, label).to.equal(N)
      for (let i = 0; i < N; i++) {
        const got = b.get(numKey(i))
        if (got === undefined || Buffer.compare(got, value(i, round(i))) !== 0)
          expect.fail(
            `${label}: key ${i} holds ${got === undefined ? 'nothing' : Buffer.from(got).toString('hex', 0, 4)}`,
          )
      }
    })
  }

  it('random overwrites into full leaves, commit after commit, take no page after each leaf is first copied', async () => {
    const db = await filled()
    const rounds = new Array<number>(N).fill(0)
    let x = 12345
    const pick = (): number => {
      x = (x * 1103515245 + 12345) & 0x7fffffff
      return x % N
    }
    // The first commit copies each leaf it touches from the page cache (a page shared with the
    // cache is never written); the later ones edit those leaves in place (WriteTx.adopt).
    await db.update((tx) => {
      const b = tx.bucket('t')!
      for (let i = 0; i < N; i++) {
        rounds[i] = 1
        b.put(numKey(i), value(i, 1))
      }
    })
    const before = packedPages.taken
    for (let round = 2; round < 12; round++) {
      await db.update((tx) => {
        const b = tx.bucket('t')!
        for (let j = 0; j < 500; j++) {
          const i = pick()
          rounds[i] = round
          b.put(numKey(i), value(i, round))
        }
      })
    }
    // Replacing values through a copy of the page took a page for each leaf every commit.
    expect(packedPages.taken - before, 'pages taken by 5,000 overwrites').to.equal(0)
    expectValues(db, (i) => rounds[i]!, 'after the overwrites')
    expectCheck(db)
    await db.close()
    const again = await t.open()
    expectValues(again, (i) => rounds[i]!, 'reopened')
    expectCheck(again)
  })

  // A write transaction's cursor decodes the packed leaves it lands on (cursor.ts Frame.set), so its
  // views name pages that no overwrite writes; were it to read them as pages, as a snapshot's
  // cursor does, this fails without the writer's rule (no overwrite in place once a cursor opened).
  it("a cursor's view of a value stays as it was after a put of the same length to its key", async () => {
    const db = await overwrittenOnce()
    const tx = await db.beginWrite()
    const b = tx.bucket('t')!
    const c = b.cursor()
    for (const i of [0, 17, 1999, N - 1]) {
      expect(c.seek(numKey(i))).to.equal(true)
      const view = c.value!
      const ref = { bytes: new Uint8Array(0), offset: 0, length: 0 }
      expect(c.valueRef(ref)).to.equal(true)
      b.put(numKey(i), value(i, 2))
      expect(Buffer.from(view).equals(value(i, 1)), `key ${i}: the view`).to.equal(true)
      const refBytes = Buffer.from(ref.bytes.subarray(ref.offset, ref.offset + ref.length))
      expect(refBytes.equals(value(i, 1)), `key ${i}: the ref`).to.equal(true)
      // A put after the cursor is gone still leaves the views as they were for the rest of the transaction.
      b.put(numKey(i), value(i, 3))
      expect(Buffer.from(view).equals(value(i, 1)), `key ${i}: the view, after a second put`).to.equal(true)
      expect(c.seek(numKey(i))).to.equal(true)
      expect(Buffer.from(c.value!).equals(value(i, 3)), `key ${i}: the cursor, moved`).to.equal(true)
    }
    await tx.commit()
    expectValues(db, (i) => ([0, 17, 1999, N - 1].includes(i) ? 3 : 1), 'committed')
    expectCheck(db)
  })

  // A record past SYNC_WRITE_LIMIT went to the thread pool, and the transaction detached every
  // leaf it had edited in place first (a page copied per leaf, every commit): the committer writes
  // it on the caller's thread while it is smaller than those pages (Committer#onReturnLimit).
  for (const durability of ['none', 'full'] as Durability[]) {
    it(`commits whose records pass ${SYNC_WRITE_LIMIT / 1024} KiB edit their leaves in place too ('${durability}')`, async () => {
      const db = await filled()
      const wide = (i: number, round: number): Buffer => Buffer.alloc(200, (i * 5 + round * 11) & 0xff)
      const rounds = new Array<number>(N).fill(0)
      const overwrite = (round: number, parity: number) =>
        db.update(
          (tx) => {
            const b = tx.bucket('t')!
            for (let i = parity; i < N; i += 2) {
              rounds[i] = round
              b.put(numKey(i), wide(i, round))
            }
          },
          { durability },
        )
      // Every key once (copies of the cached pages, then packed leaves of their own), then half of
      // them a commit: each commit touches every leaf.
      await overwrite(1, 0)
      await overwrite(1, 1)
      const before = packedPages.taken
      for (let round = 2; round < 6; round++) {
        const journalBefore = db.info().journal!.bytes
        await overwrite(round, round % 2)
        const record = db.info().journal!.bytes - journalBefore
        expect(record, 'the record passes the bound').to.be.greaterThan(SYNC_WRITE_LIMIT)
      }
      expect(packedPages.taken - before, 'pages taken by 4 commits of 2,000 overwrites').to.equal(0)
      db.view((tx) => {
        const b = tx.bucket('t')!
        for (let i = 0; i < N; i++)
          if (Buffer.compare(b.get(numKey(i))!, wide(i, rounds[i]!)) !== 0) expect.fail(`key ${i}`)
      })
      expectCheck(db)
      await db.close()
    })
  }

  it('a savepoint rolled back gives back the values that puts of the same length replaced', async () => {
    const db = await overwrittenOnce()
    const tx = await db.beginWrite()
    const b = tx.bucket('t')!
    for (let i = 0; i < N; i += 3) b.put(numKey(i), value(i, 2))
    const sp = tx.savepoint()
    for (let i = 0; i < N; i += 2) b.put(numKey(i), value(i, 3))
    tx.rollbackTo(sp)
    for (let i = 0; i < N; i++) {
      const want = value(i, i % 3 === 0 ? 2 : 1)
      if (!Buffer.from(b.get(numKey(i))!).equals(want)) expect.fail(`key ${i} after the rollback to the savepoint`)
    }
    await tx.commit()
    expectValues(db, (i) => (i % 3 === 0 ? 2 : 1), 'committed')
    expectCheck(db)
  })

  it('an explicit transaction rolled back after overwriting in place leaves every value as committed', async () => {
    const db = await overwrittenOnce()
    for (let round = 0; round < 3; round++) {
      const tx = await db.beginWrite()
      const b = tx.bucket('t')!
      for (let i = round; i < N; i += 2) b.put(numKey(i), value(i, 5 + round))
      // A snapshot registering mid-transaction detaches the edited leaves: it reads what was committed.
      if (round === 1) expectValues(db, () => 1, 'a snapshot while the transaction is open')
      tx.rollback()
      expectValues(db, () => 1, `after rollback ${round}`)
      expectCheck(db)
    }
  })
})

/**
 * A record past SYNC_WRITE_LIMIT that the committer writes on the caller's thread because its
 * transaction edits more leaves in place than the record holds (Committer#onReturnLimit): when that
 * write or its sync fails, the leaves get their published state back (before, such a record went
 * to the thread pool, and its transaction had detached them first).
 */
describe('integration: a record past the write-on-return bound whose append or sync fails', () => {
  const N = 4000
  const wide = (i: number, round: number): Buffer => Buffer.alloc(200, (i * 5 + round * 11) & 0xff)

  for (const durability of ['none', 'full'] as Durability[]) {
    for (const op of durability === 'full' ? (['write', 'sync'] as const) : (['write'] as const)) {
      it(`leaves the leaves it edited as they were published ('${durability}', failed ${op})`, async () => {
        const fs = new FaultFileSystem()
        const path = '/large-record/db'
        const options = { fileSystem: fs, lock: false, durability }
        const db = await open(path, options)
        const journal = fs.file(`${path}-journal`)
        const model = new Array<Buffer | undefined>(N)
        // `failing`: a commit that will fail, and also deletes every tenth key it picks and puts
        // 40-byte values into every tenth but one (edits that move a leaf to another page); the
        // others put values as long as the ones they replace (edits in the leaf's own page).
        const commit = (round: number, pick: (i: number) => boolean, failing: boolean) =>
          db.update((tx) => {
            const b = tx.createBucketIfNotExists('t')
            for (let i = 0; i < N; i++) {
              if (!pick(i)) continue
              if (failing && i % 10 === 0) b.delete(numKey(i))
              else if (failing && i % 10 === 1) b.put(numKey(i), Buffer.alloc(40, round))
              else b.put(numKey(i), wide(i, round))
              if (!failing) model[i] = wide(i, round)
            }
          })
        await commit(0, () => true, false)
        await db.checkpoint()
        // Every leaf copied once: packed leaves of their own, which later commits edit in place.
        await commit(1, () => true, false)
        const expectModel = (label: string, d: Database = db): void =>
          d.view((tx) => {
            const b = tx.bucket('t')!
            for (let i = 0; i < N; i++) {
              const got = b.get(numKey(i))
              const want = model[i]
              if (want === undefined ? got !== undefined : got === undefined || Buffer.compare(got, want) !== 0)
                expect.fail(`${label}: key ${i}`)
            }
          })
        for (let round = 2; round < 6; round++) {
          const inline = journal.inlineSyncs
          const bytes = db.info().journal!.bytes
          journal.failNext(op, 'EIO')
          const err = await rejection(commit(round, (i) => i % 2 === round % 2, true))
          expect((err as { code?: string }).code, `round ${round}`).to.equal('BTREE_IO')
          // The failed sync was made on this thread: the record was written on return.
          if (op === 'sync') expect(journal.inlineSyncs - inline, `round ${round}: inline syncs`).to.equal(1)
          expectModel(`round ${round}, after the failed commit`)
          expectCheck(db)
          const taken = packedPages.taken
          await commit(round, (i) => i % 2 === round % 2, false)
          expect(db.info().journal!.bytes - bytes, 'the record passes the bound').to.be.greaterThan(SYNC_WRITE_LIMIT)
          expect(packedPages.taken - taken, `round ${round}: pages taken by the next commit`).to.equal(0)
          expectModel(`round ${round}, the next commit`)
          expectCheck(db)
        }
        await db.close()
        const again = await open(path, options)
        expectModel('reopened', again)
        expectCheck(again)
        await again.close()
      })
    }
  }
})
