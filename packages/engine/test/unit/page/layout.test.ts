import { expect } from 'chai'
import {
  HEADER_SIZE,
  isOverflowValue,
  isValidPageSize,
  maxInlineEntry,
  maxKeySize,
  maxInlineKeySize,
  isLongKey,
  storedKeySize,
  keyPartSize,
  LONG_KEY_FIELD,
  LONG_KEY_FLAG,
  LONG_KEY_PREFIX,
  LONG_KEY_REF_SIZE,
  setU16,
  setU32,
  setU64,
  txid32,
  u16,
  u32,
  u64,
  widenTxid,
} from '../../../src/page/layout.js'

describe('page/layout', () => {
  it('maxInlineKeySize(4096) is at least 1000 and grows with the page size; maxKeySize is 64 KiB at every size', () => {
    expect(maxInlineKeySize(4096)).to.equal(1004)
    expect(maxInlineKeySize(1024)).to.equal(236)
    expect(maxInlineKeySize(65536)).to.be.greaterThan(maxInlineKeySize(16384))
    for (const ps of [1024, 4096, 65536]) expect(maxKeySize(ps)).to.equal(65536)
  })

  it('an entry with the longest inline key and an overflow reference fits a quarter page, and an out-of-line key part too', () => {
    for (const ps of [1024, 2048, 4096, 8192, 16384, 32768, 65536]) {
      const k = maxInlineKeySize(ps)
      // slot + leaf entry header + key + overflow ref
      expect(2 + 6 + k + 8).to.be.at.most(maxInlineEntry(ps))
      // and as a branch separator: slot + branch header + key
      expect(2 + 10 + k).to.be.at.most(maxInlineEntry(ps))
      expect(4 * maxInlineEntry(ps)).to.be.at.most(ps - HEADER_SIZE)
      // FORMAT.md §10: a longer key takes a fixed key part, smaller than the inline limit, and
      // its flag never collides with an inline length.
      expect(isLongKey(ps, k)).to.equal(false)
      expect(isLongKey(ps, k + 1)).to.equal(true)
      expect(storedKeySize(ps, k + 1)).to.equal(LONG_KEY_REF_SIZE + LONG_KEY_PREFIX)
      expect(storedKeySize(ps, k + 1)).to.be.below(k)
      expect(k).to.be.below(LONG_KEY_FLAG)
      expect(keyPartSize(LONG_KEY_FIELD)).to.equal(LONG_KEY_REF_SIZE + LONG_KEY_PREFIX)
    }
  })

  it('isOverflowValue switches exactly at the inline limit', () => {
    const ps = 4096
    const limit = maxInlineEntry(ps) - 2 - 6 - 10
    expect(isOverflowValue(ps, 10, limit)).to.equal(false)
    expect(isOverflowValue(ps, 10, limit + 1)).to.equal(true)
    expect(isOverflowValue(ps, 10, 0)).to.equal(false)
  })

  it('page sizes: powers of two from 1024 to 65536', () => {
    for (const ok of [1024, 2048, 4096, 65536]) expect(isValidPageSize(ok)).to.equal(true)
    for (const bad of [0, 512, 1000, 3000, 4095, 131072, 4096.5, NaN]) expect(isValidPageSize(bad)).to.equal(false)
  })

  it('little-endian fields round-trip, including the top bit and 53-bit numbers', () => {
    const b = new Uint8Array(16)
    setU16(b, 1, 0xfedc)
    expect(u16(b, 1)).to.equal(0xfedc)
    expect([b[1], b[2]]).to.deep.equal([0xdc, 0xfe])
    setU32(b, 3, 0xffffffff)
    expect(u32(b, 3)).to.equal(0xffffffff)
    setU32(b, 3, 0x80000001)
    expect(u32(b, 3)).to.equal(0x80000001)
    setU64(b, 8, Number.MAX_SAFE_INTEGER)
    expect(u64(b, 8)).to.equal(Number.MAX_SAFE_INTEGER)
    setU64(b, 8, 2 ** 32 + 5)
    expect(u64(b, 8)).to.equal(2 ** 32 + 5)
  })

  it('widenTxid recovers a full txid from its low 32 bits, across the wrap', () => {
    expect(widenTxid(txid32(7), 10)).to.equal(7)
    const big = 2 ** 32 + 3
    expect(widenTxid(txid32(big - 5), big)).to.equal(big - 5)
    expect(widenTxid(txid32(big), big)).to.equal(big)
  })
})
