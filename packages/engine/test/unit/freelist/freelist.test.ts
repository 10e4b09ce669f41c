import { expect } from 'chai'
import { FreeList } from '../../../src/freelist/freelist.js'

describe('freelist/FreeList', () => {
  it('allocates single pages from the free list, then from the high-water mark', () => {
    const fl = new FreeList([9, 4, 6], 20)
    const got = [fl.allocate(1), fl.allocate(1), fl.allocate(1)].sort((a, b) => a - b)
    expect(got).to.deep.equal([4, 6, 9])
    expect(fl.freeCount).to.equal(0)
    expect(fl.allocate(1)).to.equal(20)
    expect(fl.highWater).to.equal(21)
  })

  it('allocates a run only where the free ids are consecutive', () => {
    const fl = new FreeList([3, 5, 6, 7, 10, 11], 30)
    expect(fl.allocate(3)).to.equal(5)
    expect(fl.view().free).to.deep.equal([3, 10, 11])
    expect(fl.allocate(3)).to.equal(30)
    expect(fl.highWater).to.equal(33)
    expect(fl.allocate(2)).to.equal(10)
    expect(fl.view().free).to.deep.equal([3])
  })

  it('view() lists a pending group larger than a call takes arguments (a 5,000,000-key checkpoint)', () => {
    const fl = new FreeList([], 1_000_000)
    // One commit freeing 500,000 single pages: push(...ids) over them overflowed the stack.
    fl.begin(7)
    for (let i = 0; i < 500_000; i++) fl.free(7, 2 * i, 1)
    fl.end()
    const pending = fl.view().pending
    expect(pending.length).to.equal(500_000)
    expect(pending[499_999]).to.equal(999_998)
  })

  it('freed pages stay pending until released by txid, then are free, sorted', () => {
    const fl = new FreeList([50], 100)
    fl.free(5, 80, 3)
    fl.free(6, 10, 1)
    fl.free(7, 60, 1)
    expect(fl.freeCount).to.equal(1)
    expect(fl.pendingCount).to.equal(5)
    fl.release(4)
    expect(fl.pendingCount).to.equal(5)
    fl.release(6)
    expect(fl.view().free).to.deep.equal([10, 50, 80, 81, 82])
    expect(fl.view().pending).to.deep.equal([60])
    fl.release(100)
    expect(fl.view().free).to.deep.equal([10, 50, 60, 80, 81, 82])
    expect(fl.pendingCount).to.equal(0)
  })

  it('freeAndPending is the sorted union, what a commit writes', () => {
    const fl = new FreeList([40, 2, 90], 100)
    fl.free(3, 50, 2)
    fl.free(4, 1 + 2, 1)
    expect(fl.freeAndPending()).to.deep.equal([2, 3, 40, 50, 51, 90])
  })

  it('abort gives back what the commit allocated and forgets what it freed; view shows the state before it', () => {
    const fl = new FreeList([5, 6, 7], 10)
    fl.free(1, 8, 1)
    fl.begin(2)
    expect(fl.allocate(2)).to.equal(6)
    expect(fl.allocate(4)).to.equal(10)
    fl.free(2, 3, 2)
    // During the commit, check() sees the state before it.
    expect(fl.view().free).to.deep.equal([5, 6, 7])
    expect(fl.view().pending).to.deep.equal([8])
    expect(fl.view().highWater).to.equal(10)
    fl.abort()
    expect(fl.view().free).to.deep.equal([5, 6, 7])
    expect(fl.highWater).to.equal(10)
    expect(fl.view().pending).to.deep.equal([8])
    expect(fl.freeAndPending()).to.deep.equal([5, 6, 7, 8])
  })

  it('end keeps the commit: its allocations and frees stand', () => {
    const fl = new FreeList([5, 6, 7], 10)
    fl.begin(2)
    fl.allocate(1)
    fl.free(2, 3, 1)
    fl.end()
    expect(fl.view().free).to.deep.equal([5, 6])
    expect(fl.view().pending).to.deep.equal([3])
    fl.abort()
    expect(fl.view().free).to.deep.equal([5, 6])
  })
  it('unallocate gives back the last run: past the high-water mark, or into the free list in order', () => {
    const fl = new FreeList([3, 5, 6, 7, 12], 20)
    expect(fl.allocate(3)).to.equal(5)
    fl.unallocate(5, 3)
    expect(fl.view().free).to.deep.equal([3, 5, 6, 7, 12])
    expect(fl.highWater).to.equal(20)
    expect(fl.allocate(4)).to.equal(20)
    fl.unallocate(20, 4)
    expect(fl.highWater).to.equal(20)
    expect(fl.view().free).to.deep.equal([3, 5, 6, 7, 12])
    expect(fl.allocate(1)).to.equal(12)
    fl.unallocate(12, 1)
    expect(fl.freeAndPending()).to.deep.equal([3, 5, 6, 7, 12])
  })
})
