import { expect } from 'chai'
import { type Database, open } from '../../src/db/database.js'
import { MemoryFileSystem } from '../../src/io/memory-file.js'
import { Prng } from '../../src/io/prng.js'
import { expectCheck, numKey } from './helpers.js'

/**
 * Ascending loads build packed leaves (tree/node.ts): entries appended as page bytes, shared with
 * snapshots once published, copied on a later writer's first append, decoded for good by any
 * other use. These scenarios mix appends with everything that must see through or undo them, and
 * compare with a Map after every step.
 */

const PATH = '/asc/db'

function valueOf(rng: Prng, i: number, big: boolean): Buffer {
  // Mostly small values; now and then one that goes to overflow pages (not packable).
  const size = big ? 3000 + rng.int(3000) : rng.int(120)
  const v = Buffer.alloc(size)
  for (let j = 0; j < size; j++) v[j] = (i * 31 + j) & 0xff
  return v
}

function expectSame(db: Database, model: Map<string, Buffer>, what: string): void {
  db.view((tx) => {
    const bucket = tx.bucket('b')
    const seen: string[] = []
    for (const [k, v] of bucket?.entries() ?? []) {
      const key = Buffer.from(k).toString('latin1')
      seen.push(key)
      expect(model.get(key)?.equals(v), `${what}: value of ${key}`).to.equal(true)
    }
    expect(seen, what).to.deep.equal([...model.keys()].sort())
  })
}

describe('integration: ascending loads (packed leaves)', () => {
  for (const pageSize of [1024, 4096]) {
    it(`appends across commits with snapshots, reads, overwrites, deletes and savepoints between them agree with a Map (page size ${pageSize})`, async () => {
      const seed = 20261202 + pageSize
      const rng = new Prng(seed)
      const fileSystem = new MemoryFileSystem()
      let db = await open(PATH, { fileSystem, lock: false, pageSize })
      const model = new Map<string, Buffer>()
      let next = 0
      for (let commit = 0; commit < 30; commit++) {
        // A snapshot taken before the commit must not see its appends (the published packed
        // leaf is shared until the writer copies it).
        const snap = db.begin()
        const before = new Map(model)
        const mode = rng.int(10)
        await db.update((tx) => {
          const b = tx.createBucketIfNotExists('b')
          const count = 1 + rng.int(200)
          for (let j = 0; j < count; j++) {
            const i = next++
            // Now and then a key longer than the inline limit, stored out of line (not packable).
            const key = rng.int(200) === 0 ? Buffer.concat([numKey(i), Buffer.alloc(1100, 0x61)]) : numKey(i)
            const value = valueOf(rng, i, rng.int(100) === 0)
            b.put(key, value)
            model.set(key.toString('latin1'), value)
            if (mode === 0 && j === count >> 1) {
              // A read in the middle decodes the leaf; the appends after it take the ordinary path.
              expect(
                Buffer.compare(b.get(key) ?? Buffer.alloc(0), value) === 0 && b.has(key),
                `seed ${seed}: read back`,
              ).to.equal(true)
              let n = 0
              const c = b.cursor()
              for (let ok = c.last(); ok && n < 5; ok = c.prev()) n++
            }
          }
          if (mode === 1 && next > 0) {
            // Overwrite and delete among the keys just appended.
            const k = numKey(next - 1 - rng.int(Math.min(next, 50)))
            if (model.has(k.toString('latin1'))) {
              const v = valueOf(rng, next, false)
              b.put(k, v)
              model.set(k.toString('latin1'), v)
            }
            const d = numKey(next - 1 - rng.int(Math.min(next, 50)))
            if (b.delete(d)) model.delete(d.toString('latin1'))
          }
          if (mode === 2) {
            // Appends rolled back by a savepoint leave no trace.
            const sp = tx.savepoint()
            for (let j = 0; j < 1 + rng.int(100); j++) b.put(numKey(next + j), valueOf(rng, j, false))
            tx.rollbackTo(sp)
          }
        })
        try {
          const seen = new Map<string, Buffer>()
          for (const [k, v] of snap.bucket('b')?.entries() ?? [])
            seen.set(Buffer.from(k).toString('latin1'), Buffer.from(v))
          expect([...seen.keys()], `seed ${seed}: snapshot before commit ${commit}`).to.deep.equal(
            [...before.keys()].sort(),
          )
          for (const [k, v] of seen)
            expect(before.get(k)?.equals(v), `seed ${seed}: snapshot value ${k}`).to.equal(true)
        } finally {
          snap.close()
        }
        expectSame(db, model, `seed ${seed}: after commit ${commit}`)
        if (commit % 11 === 10) await db.checkpoint()
        if (commit % 13 === 12) {
          await db.close()
          db = await open(PATH, { fileSystem, lock: false, pageSize })
          expectSame(db, model, `seed ${seed}: after reopen at commit ${commit}`)
        }
      }
      expectCheck(db)
      await db.checkpoint()
      expectCheck(db)
      // Full leaves: an ascending load fills its pages (the left half of an append's split stays full).
      expect(db.stats().total.fill, `seed ${seed}: leaf fill`).to.be.above(0.8)
      await db.close()
      db = await open(PATH, { fileSystem, lock: false, pageSize })
      expectSame(db, model, `seed ${seed}: reopened`)
      expectCheck(db)
      await db.close()
    })
  }

  it('a bucket filled in ascending order, dropped and recreated in the same transaction reads empty, then refills', async () => {
    const db = await open(PATH, { fileSystem: new MemoryFileSystem(), lock: false, pageSize: 1024 })
    await db.update((tx) => {
      const b = tx.createBucket('b')
      for (let i = 0; i < 500; i++) b.put(numKey(i), numKey(i * 2))
      tx.deleteBucket('b')
      const c = tx.createBucket('b')
      expect(c.get(numKey(1))).to.equal(undefined)
      for (let i = 0; i < 50; i++) c.put(numKey(i), numKey(i * 3))
    })
    db.view((tx) => {
      expect(tx.bucket('b')!.size).to.equal(50)
      expect(tx.bucket('b')!.get(numKey(49))?.toString()).to.equal(numKey(147).toString())
    })
    expectCheck(db)
    await db.close()
  })
})
