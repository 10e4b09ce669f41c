import { expect } from 'chai'
import type { Database } from '../../src/index.js'
import { packedPages } from '../../src/tree/node.js'
import { expectCheck, numKey, useTempDir } from './helpers.js'

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
