import { expect } from 'chai'
import { PageCache, defaultCacheSize } from '../../../src/store/page-cache.js'
import { PageSlab, SLAB_PAGES } from '../../../src/store/page-slab.js'

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

describe('store/PageSlab', () => {
  it('hands out distinct page-sized views, a few pages to an allocation', () => {
    const slab = new PageSlab(1024)
    const pages = Array.from({ length: 20 }, () => slab.take())
    pages.forEach((p, i) => p.fill(i))
    pages.forEach((p, i) => {
      expect(p.length).to.equal(1024)
      expect(p.every((b) => b === i)).to.equal(true)
    })
    const buffers = new Set(pages.map((p) => p.buffer))
    expect(buffers.size).to.be.below(pages.length)
    for (const b of buffers) expect(b.byteLength).to.be.at.most(SLAB_PAGES * 1024)
  })
})
