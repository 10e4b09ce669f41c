import { expect } from 'chai'
import fs from 'node:fs'
import { compact, open } from '../../src/index.js'
import { FaultFileSystem } from '../doubles/fault-file.js'
import { MemoryFileSystem } from '../../src/io/memory-file.js'
import { rejection, useTempDir } from './helpers.js'

const k = (i: number): Buffer => Buffer.from(`k${String(i).padStart(6, '0')}`)
const v = (i: number, size = 60): Buffer => Buffer.alloc(size, i % 251)

describe('compact(): a densely packed copy of a snapshot, in a new file', () => {
  const t = useTempDir()

  it('copies every bucket and entry of the snapshot it starts from; commits during the copy stay out of it', async () => {
    const db = await t.open()
    for (let start = 0; start < 30_000; start += 1000)
      await db.update((tx) => {
        const a = tx.createBucketIfNotExists('a')
        const b = tx.createBucketIfNotExists('b')
        for (let i = start; i < start + 1000; i++) {
          a.put(k(i), v(i))
          if (i % 3 === 0) b.put(k(i), v(i, 300))
        }
      })
    // Holes to pack away: every other entry of `a` deleted.
    await db.update((tx) => {
      const a = tx.bucket('a')!
      for (let i = 0; i < 30_000; i += 2) a.delete(k(i))
    })
    await db.update((tx) => tx.createBucket('empty'))
    const target = t.dir().file('copy.db')
    let progress = 0
    const copying = compact(db, target, { onProgress: (n, total) => void (progress = n / total) })
    // A commit while the copy runs: not in it.
    const during = db.update((tx) => tx.bucket('a')!.put(Buffer.from('zz-late'), Buffer.from('x')))
    const result = await copying
    await during
    expect(result).to.deep.equal({ buckets: 3, entries: 15_000 + 10_000 })
    expect(progress).to.equal(1)
    const copy = await open(target)
    try {
      expect(copy.check().ok).to.equal(true)
      copy.view((tx) => {
        expect(tx.buckets().sort()).to.deep.equal(['a', 'b', 'empty'])
        expect(tx.bucket('a')!.size).to.equal(15_000)
        expect(tx.bucket('a')!.get(Buffer.from('zz-late'))).to.equal(undefined)
        expect(Buffer.from(tx.bucket('a')!.get(k(1))!)).to.deep.equal(v(1))
        expect(tx.bucket('b')!.size).to.equal(10_000)
        expect(Buffer.from(tx.bucket('b')!.get(k(29_997))!)).to.deep.equal(v(29_997, 300))
      })
      // Packed: the copy holds the same entries in fewer pages than the source's reachable ones.
      await db.checkpoint()
      expect(copy.stats().total.leafPages).to.be.lessThan(db.stats().total.leafPages)
    } finally {
      await copy.close()
    }
    expect(fs.statSync(target).size).to.be.lessThan(fs.statSync(t.dir().file()).size)
  })

  it("takes a page size; refuses a path that exists, the source's own included", async () => {
    const db = await t.open()
    await db.update((tx) => tx.createBucket('a').put(k(1), v(1)))
    const target = t.dir().file('copy.db')
    await compact(db, target, { pageSize: 8192 })
    const copy = await open(target)
    expect(copy.pageSize).to.equal(8192)
    await copy.close()
    expect((await rejection(compact(db, target))).code).to.equal('BTREE_INVALID_ARGUMENT')
    expect((await rejection(compact(db, t.dir().file()))).code).to.equal('BTREE_INVALID_ARGUMENT')
  })

  it('wrong argument types are TypeErrors with a code, and create no file', async () => {
    const db = await t.open()
    await db.update((tx) => tx.createBucket('a').put(k(1), v(1)))
    const target = t.dir().file('typed.db')
    const wrong: unknown[] = [{ onProgress: 5 }, { pageSize: '4096' }, { fileSystem: 'mem' }, null]
    for (const options of wrong) {
      const err = await rejection(compact(db, target, options as never))
      expect(err, JSON.stringify(options)).to.be.instanceOf(TypeError)
      expect(err.code).to.equal('BTREE_INVALID_ARGUMENT')
      expect(fs.existsSync(target), JSON.stringify(options)).to.equal(false)
    }
    const range = await rejection(compact(db, target, { pageSize: 1000 }))
    expect(range).to.be.instanceOf(RangeError)
    expect(range.code).to.equal('BTREE_INVALID_ARGUMENT')
    expect(fs.existsSync(target)).to.equal(false)
  })

  it('an I/O error at any write or sync of the copy rejects it, and the partial copy opens as a valid database holding a prefix of it', async () => {
    const source = await open('/src', { fileSystem: new MemoryFileSystem(), lock: false })
    for (let start = 0; start < 25_000; start += 5000)
      await source.update((tx) => {
        const a = tx.createBucketIfNotExists('a')
        for (let i = start; i < start + 5000; i++) a.put(k(i), v(i))
      })
    const probe = new FaultFileSystem()
    await compact(source, '/copy', { fileSystem: probe })
    const files = ['/copy', '/copy-journal']
    let failures = 0
    let notYet = 0
    for (const file of files) {
      const counts = probe.file(file).counts
      for (const op of ['write', 'sync'] as const)
        for (let n = 1; n <= counts[op]; n++) {
          const faulty = new FaultFileSystem(new MemoryFileSystem(), {
            onOpen: (f, path) => {
              if (path === file) f.failAt(op, n, 'EIO')
            },
          })
          const error = await rejection(compact(source, '/copy', { fileSystem: faulty }))
          expect(error.code, `${file} ${op} ${n}`).to.equal('BTREE_IO')
          failures++
          // Failed before its first commit was written, the file is not a database yet.
          let reopened
          try {
            reopened = await open('/copy', { fileSystem: faulty.inner, lock: false })
          } catch (err) {
            expect((err as { code?: unknown }).code, `${file} ${op} ${n}`).to.equal('BTREE_NOT_A_DATABASE')
            notYet++
            continue
          }
          try {
            expect(reopened.check().ok, `${file} ${op} ${n}`).to.equal(true)
            reopened.view((tx) => {
              // Entries go in in key order, 10,000 a commit: the copy holds the first m of them.
              const size = tx.bucket('a')?.size ?? 0
              expect([0, 10_000, 20_000, 25_000], `${file} ${op} ${n}`).to.include(size)
              if (size > 0) {
                const c = tx.bucket('a')!.cursor()
                expect(c.last()).to.equal(true)
                expect(Buffer.from(c.key!)).to.deep.equal(k(size - 1))
              }
            })
          } finally {
            await reopened.close()
          }
        }
    }
    expect(failures).to.be.greaterThan(4)
    expect(notYet).to.be.lessThan(failures)
    await source.close()
  })
})
