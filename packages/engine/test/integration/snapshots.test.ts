import { expect } from 'chai'
import { b, expectCheck, GatedFileSystem, numKey, str, useTempDir } from './helpers.js'

describe('integration: snapshot isolation', () => {
  const t = useTempDir()

  it('while a commit awaits I/O, older snapshots and view() see the old data; afterwards the new', async () => {
    const fsys = new GatedFileSystem()
    // The sync of a lone commit on the caller's thread would not wait at the gate.
    const db = await t.open({ fileSystem: fsys, inlineSync: false })
    await db.update((tx) => {
      const a = tx.createBucket('a')
      for (let i = 0; i < 1000; i++) a.put(numKey(i), b(`old${i}`))
    })
    const before = db.begin()
    fsys.hold()
    let done = false
    const commit = db
      .update((tx) => {
        const a = tx.bucket('a')!
        for (let i = 0; i < 1000; i++) a.put(numKey(i), b(`new${i}`))
        a.put(b('added'), b('1'))
        tx.createBucket('other')
      })
      .then(() => {
        done = true
      })
    await fsys.waiting
    expect(done).to.equal(false)
    const during = db.begin()
    for (const tx of [before, during]) {
      expect(str(tx.bucket('a')!.get(numKey(500)))).to.equal('old500')
      expect(tx.bucket('a')!.has(b('added'))).to.equal(false)
      expect(tx.buckets()).to.deep.equal(['a'])
    }
    db.view((tx) => {
      expect(str(tx.bucket('a')!.get(numKey(0)))).to.equal('old0')
      expect(tx.bucket('a')!.size).to.equal(1000)
    })
    fsys.release()
    await commit
    db.view((tx) => {
      expect(str(tx.bucket('a')!.get(numKey(500)))).to.equal('new500')
      expect(tx.bucket('a')!.size).to.equal(1001)
      expect(tx.buckets()).to.deep.equal(['a', 'other'])
    })
    // The snapshots taken before still see the old commit, in full.
    for (const tx of [before, during]) {
      const values = [...tx.bucket('a')!.entries()].map(([, v]) => str(v))
      expect(values).to.have.length(1000)
      expect(values.every((v, i) => v === `old${i}`)).to.equal(true)
      tx.close()
    }
    expectCheck(db)
  })

  // Pages: every commit frees and reuses pages. Journal: commits share in-memory nodes with the
  // snapshot, and a checkpoint after nearly every commit (journalSize 4 KiB) frees and reuses pages.
  for (const journal of [false, true])
    it(`a snapshot repeats its reads across many later commits that reuse freed pages${journal ? ' (journal)' : ''}`, async () => {
      const db = await t.open({ durability: 'none', pageSize: 1024, journal, journalSize: 4096 })
      await db.update((tx) => {
        const a = tx.createBucket('a')
        for (let i = 0; i < 2000; i++) a.put(numKey(i), Buffer.alloc(40, i % 251))
        a.put(b('big'), Buffer.alloc(9000, 9))
      })
      // The snapshot reads the pages of the checkpoint that commit started in the background.
      await db.settled()
      const snap = db.begin()
      const expected = [...snap.bucket('a')!.entries()]
      for (let round = 0; round < 50; round++) {
        await db.update((tx) => {
          const a = tx.bucket('a')!
          for (let i = round; i < 2000; i += 7) a.put(numKey(i), Buffer.alloc(40 + (round % 5), round))
          for (let i = round * 3; i < 2000; i += 53) a.delete(numKey(i))
          a.put(b('big'), Buffer.alloc(9000 + round, round))
          if (round % 10 === 0) tx.createBucketIfNotExists(`extra${round}`).put(b('k'), b('v'))
        })
        if (round % 10 === 9) {
          const again = [...snap.bucket('a')!.entries()]
          expect(again.length).to.equal(expected.length)
          for (let i = 0; i < again.length; i++) {
            expect(again[i]![0]).to.deep.equal(expected[i]![0])
            expect(again[i]![1]).to.deep.equal(expected[i]![1])
          }
          expect(snap.bucket('a')!.get(b('big'))).to.deep.equal(Buffer.alloc(9000, 9))
          expect(snap.buckets()).to.deep.equal(['a'])
        }
      }
      // While the snapshot is open, what it reads is pending, not free.
      await db.settled()
      const pinned = expectCheck(db).pages
      expect(pinned.pending).to.be.greaterThan(0)
      snap.close()
      await db.update((tx) => tx.bucket('a')!.put(b('x'), b('y')))
      await db.update((tx) => tx.bucket('a')!.put(b('x'), b('z')))
      expectCheck(db)
    })

  it('a cursor of a snapshot keeps walking its commit while new commits land', async () => {
    const db = await t.open({ pageSize: 1024, durability: 'none' })
    await db.update((tx) => {
      const a = tx.createBucket('a')
      for (let i = 0; i < 3000; i++) a.put(numKey(i), numKey(i))
    })
    const snap = db.begin()
    const c = snap.bucket('a')!.cursor()
    let n = 0
    for (let ok = c.first(); ok; ok = c.next(), n++) {
      expect(str(c.key)).to.equal(numKey(n).toString())
      if (n % 500 === 0) {
        await db.update((tx) => {
          const a = tx.bucket('a')!
          for (let i = 0; i < 3000; i += 2) a.delete(numKey(i))
          for (let i = 0; i < 3000; i += 2) a.put(numKey(i), b('changed'))
        })
      }
    }
    expect(n).to.equal(3000)
    snap.close()
    expectCheck(db)
  })
})
