import { expect } from 'chai'
import { checksum, checksumOk, pageChecksum, sealPage } from '../../../src/page/checksum.js'

describe('page/checksum', () => {
  it('a sealed page verifies; any flipped byte after the checksum field fails it', () => {
    const page = Buffer.alloc(1024)
    for (let i = 4; i < page.length; i++) page[i] = (i * 31) & 0xff
    sealPage(page)
    expect(checksumOk(page)).to.equal(true)
    for (const at of [4, 15, 16, 500, 1023]) {
      page[at]! ^= 0x01
      expect(checksumOk(page), `byte ${at}`).to.equal(false)
      page[at]! ^= 0x01
      expect(checksumOk(page)).to.equal(true)
    }
    page[0]! ^= 0xff
    expect(checksumOk(page)).to.equal(false)
  })

  it('is CRC-32 (zlib polynomial) of the bytes after the checksum field', () => {
    expect(checksum(Buffer.from('123456789'))).to.equal(0xcbf43926)
    const page = Buffer.alloc(64, 7)
    expect(pageChecksum(page)).to.equal(checksum(page.subarray(4)))
  })

  it('an all-zero page does not verify (a never-written page is not mistaken for a good one)', () => {
    expect(checksumOk(Buffer.alloc(4096))).to.equal(false)
  })
})
