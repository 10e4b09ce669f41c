import { expect } from 'chai'
import { RECORD_HEADER } from '../../../src/page/journal-record.js'
import { zerosAhead } from '../../../src/store/journal.js'

const MiB = 1024 * 1024

describe('store/zerosAhead (FORMAT.md §11: allocation and the terminator)', () => {
  it('writes only the terminator while the record and its terminator fit in the allocation', () => {
    expect(zerosAhead(0, 100, 4096)).to.equal(RECORD_HEADER)
    expect(zerosAhead(MiB, MiB + 1000, 2 * MiB)).to.equal(RECORD_HEADER)
    // Exactly at the allocation's end.
    expect(zerosAhead(0, 4096 - RECORD_HEADER, 4096)).to.equal(RECORD_HEADER)
  })

  it('allocates nothing ahead for the first record of an empty journal', () => {
    expect(zerosAhead(0, 122_000, 0)).to.equal(RECORD_HEADER)
  })

  it('grows by at most the bytes the records before it hold (doubling), up to a MiB boundary', () => {
    // A second record of 122,000 bytes: as many zeros as the first record holds.
    const z = zerosAhead(122_000, 244_000, 122_000 + RECORD_HEADER)
    expect(244_000 + z).to.equal(244_000 + RECORD_HEADER + 122_000)
    // Past the first MiB: to the next MiB boundary, never past it.
    const after = 3 * MiB + 5000
    expect(after + zerosAhead(3 * MiB - 100, after, 3 * MiB)).to.equal(4 * MiB)
    // The zeros never exceed an extent and its terminator (the buffer they come from).
    for (const [end, after, allocated] of [
      [50 * MiB, 50 * MiB + 1, 50 * MiB],
      [0, 5 * MiB, 0],
      [7 * MiB, 12 * MiB, 7 * MiB],
    ] as const) {
      const zeros = zerosAhead(end, after, allocated)
      expect(zeros).to.be.within(RECORD_HEADER, MiB + RECORD_HEADER)
      expect(after + zeros).to.be.at.least(after + RECORD_HEADER)
    }
  })

  it('an ascending run of equal records lands on MiB boundaries with a handful of allocations', () => {
    let allocated = 0
    let end = 0
    let grown = 0
    for (let i = 0; i < 200; i++) {
      const after = end + 122_000
      const zeros = zerosAhead(end, after, allocated)
      if (zeros > RECORD_HEADER || after + zeros > allocated) grown++
      allocated = Math.max(allocated, after + zeros)
      end = after
    }
    // 200 records of 122,000 bytes: ~23 MiB, one allocation per MiB once past the first.
    expect(grown).to.be.within(23, 30)
    expect(allocated % MiB).to.equal(0)
  })
})
