import { expect } from 'chai'
import { PageCache, defaultCacheSize } from '../../../src/store/page-cache.js'
import { ownPage, ownPages } from '../../../src/store/page-slab.js'
import { open } from '../../../src/index.js'
import { MemoryFileSystem } from '../../../src/io/memory-file.js'
import { Prng } from '../../../src/io/prng.js'

const page = (id: number, size = 1024): Buffer => Buffer.alloc(size, id & 0xff)

describe('store/PageCache', () => {
  it('stays within its byte limit however many pages pass through', () => {
    const cache = new PageCache(10 * 1024)
    for (let i = 0; i < 1000; i++) {
      cache.set(i, page(i))
      expect(cache.bytes).to.be.at.most(10 * 1024)
      if (i % 3 === 0) cache.get(i - 1)
    }
    expect(cache.bytes).to.equal(10 * 1024)
  })

  it('CLOCK: pages read since the hand last passed survive eviction, cold ones go', () => {
    const cache = new PageCache(8 * 1024)
    for (let i = 0; i < 8; i++) cache.set(i, page(i))
    const hot = [0, 2, 5]
    for (let round = 0; round < 20; round++) {
      for (const h of hot) expect(cache.get(h), `hot page ${h} in round ${round}`).to.not.equal(undefined)
      cache.set(100 + round, page(round))
    }
    for (const h of hot) expect(cache.get(h)).to.not.equal(undefined)
    expect(cache.get(1)).to.equal(undefined)
    expect(cache.get(100)).to.equal(undefined)
  })

  it('counts hits and misses; replacing a page keeps the byte count right; delete and clear', () => {
    const cache = new PageCache(1 << 20)
    cache.set(1, page(1))
    cache.set(1, page(1, 2048))
    expect(cache.bytes).to.equal(2048)
    expect(cache.get(1)!.length).to.equal(2048)
    expect(cache.get(2)).to.equal(undefined)
    expect([cache.hits, cache.misses]).to.deep.equal([1, 1])
    cache.delete(1)
    cache.delete(1)
    expect(cache.bytes).to.equal(0)
    cache.set(3, page(3))
    cache.clear()
    expect(cache.bytes).to.equal(0)
    expect(cache.get(3)).to.equal(undefined)
  })

  it('indexes page ids far apart and past 2^31 (chunks of the direct index), and forgets them on delete', () => {
    const cache = new PageCache(1 << 20)
    const ids = [2, 4095, 4096, 123_457, 2 ** 31 + 5, 2 ** 32 - 1]
    for (const id of ids) cache.set(id, page(id))
    for (const id of ids) expect(cache.get(id)![0], `page ${id}`).to.equal(id & 0xff)
    expect(cache.get(4097)).to.equal(undefined)
    expect(cache.get(2 ** 31 + 4)).to.equal(undefined)
    for (const id of ids) cache.delete(id)
    for (const id of ids) expect(cache.get(id)).to.equal(undefined)
    expect(cache.bytes).to.equal(0)
    // Freed ring positions are reused: the cache keeps working after its chunks were dropped.
    for (let i = 0; i < 50; i++) cache.set(i * 1000, page(i))
    expect(cache.bytes).to.equal(50 * 1024)
    expect(cache.get(49_000)![0]).to.equal(49)
  })

  it('a limit of zero caches nothing', () => {
    const cache = new PageCache(0)
    cache.set(1, page(1))
    expect(cache.bytes).to.equal(0)
    expect(cache.get(1)).to.equal(undefined)
  })

  it('defaultCacheSize: an eighth of the memory, at least 64 MiB, at most 2 GiB', () => {
    const MiB = 1024 * 1024
    expect(defaultCacheSize(256 * MiB)).to.equal(64 * MiB)
    expect(defaultCacheSize(2048 * MiB)).to.equal(256 * MiB)
    expect(defaultCacheSize(8 * 1024 * MiB)).to.equal(1024 * MiB)
    expect(defaultCacheSize(64 * 1024 * MiB)).to.equal(2048 * MiB)
    expect(defaultCacheSize()).to.be.within(64 * MiB, 2048 * MiB)
  })
})

describe('store/page-slab: pages that enter the cache', () => {
  it('ownPage: a buffer of exactly a page, an allocation of its own, counted', () => {
    const before = ownPages.taken
    const pages = Array.from({ length: 20 }, () => ownPage(1024))
    pages.forEach((p, i) => p.fill(i))
    pages.forEach((p, i) => {
      expect(p.length).to.equal(1024)
      expect(p.byteOffset).to.equal(0)
      expect(p.buffer.byteLength).to.equal(1024)
      expect(p.every((b) => b === i)).to.equal(true)
    })
    expect(new Set(pages.map((p) => p.buffer)).size).to.equal(pages.length)
    expect(ownPages.taken - before).to.equal(20)
  })

  const seed = 20261203
  it(`every page the cache takes is an allocation of its own: checkpoints, leaves written ahead, reads, out-of-line keys (seed ${seed})`, async () => {
    // Regression: checkpoint pages came from 16-page slabs and pages read from disk from 4-page
    // ones (out-of-line keys' pages from Buffer.allocUnsafe's shared pool): a cached page kept
    // its whole slab alive, so the cache held up to 16x the bytes it counted.
    const pageSize = 1024
    const cached: Buffer[] = []
    const set = PageCache.prototype.set
    PageCache.prototype.set = function (this: PageCache, pgid: number, p: Buffer): void {
      cached.push(p)
      set.call(this, pgid, p)
    }
    try {
      const rng = new Prng(seed)
      const fs = new MemoryFileSystem()
      const key = (i: number): Buffer => Buffer.from(String(i).padStart(8, '0'))
      // Out-of-line keys (FORMAT.md §10): their pages are cached when read.
      const long = (i: number): Buffer => Buffer.concat([key(i), Buffer.alloc(600, 107)])
      // Ascending batches, 'full' (leaves written ahead, tx/early-pages.ts), then random ones and
      // long keys with checkpoints in between.
      let db = await open('db', { fileSystem: fs, lock: false, pageSize })
      for (let b = 0; b < 20; b++) {
        await db.update((tx) => {
          const t = tx.createBucketIfNotExists('t')
          for (let j = 0; j < 100; j++) t.put(key(b * 100 + j), Buffer.alloc(40, j))
        })
      }
      await db.close()
      db = await open('db', { fileSystem: fs, lock: false, pageSize, dirtySize: 64 * 1024 })
      for (let b = 0; b < 30; b++) {
        await db.update((tx) => {
          const t = tx.bucket('t')!
          for (let j = 0; j < 50; j++) t.put(key(rng.int(3000)), Buffer.alloc(40, b))
          t.put(long(rng.int(3000)), Buffer.alloc(40, b))
        })
        if (b % 10 === 9) await db.checkpoint()
      }
      await db.close()
      expect(cached.length, 'pages cached by checkpoints').to.be.greaterThan(50)
      const written = cached.length
      // Reads through a cache of a few pages: misses on every get.
      db = await open('db', { fileSystem: fs, lock: false, cacheSize: 8 * pageSize })
      db.view((tx) => {
        const t = tx.bucket('t')!
        for (let i = 0; i < 3000; i += 7) t.get(key(i))
        let longKeys = 0
        for (const [k] of t.entries()) if (k.length > 100) longKeys++
        expect(longKeys, 'out-of-line keys read').to.be.greaterThan(10)
      })
      await db.close()
      expect(cached.length - written, 'pages cached by reads').to.be.greaterThan(100)
      for (const [i, p] of cached.entries()) {
        expect(p.length, `page ${i}: length`).to.equal(pageSize)
        expect(p.byteOffset, `page ${i}: offset`).to.equal(0)
        expect(p.buffer.byteLength, `page ${i}: its allocation`).to.equal(pageSize)
      }
    } finally {
      PageCache.prototype.set = set
    }
  })
})
