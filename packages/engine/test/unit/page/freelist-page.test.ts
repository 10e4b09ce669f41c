import { expect } from 'chai'
import { checksumOk } from '../../../src/page/checksum.js'
import {
  type FreeListRecord,
  decodeFreeList,
  encodeFreeList,
  freelistBytes,
  freelistPageCount,
} from '../../../src/page/freelist-page.js'
import { HEADER_SIZE, PageType, pageId, pageTxid, pageType, setU32 } from '../../../src/page/layout.js'

function body(pages: Buffer[]): Buffer {
  return Buffer.concat(pages.map((p) => p.subarray(HEADER_SIZE)))
}

describe('page/freelist-page', () => {
  it('round-trips an empty list in one page', () => {
    expect(freelistPageCount(1024, 0, 0)).to.equal(1)
    const pages = encodeFreeList({ free: [], reclaim: [] }, 9, 5, 1024, 1)
    expect(pages).to.have.length(1)
    expect(decodeFreeList(body(pages))).to.deep.equal({ free: [], reclaim: [] })
  })

  it('round-trips free ids and reclaim entries across a run of pages, each sealed with its own header', () => {
    const rec: FreeListRecord = {
      free: Array.from({ length: 700 }, (_, i) => 3 + i * 2),
      reclaim: [
        { kind: 'page', pgid: 100, txid: 0xfffffffe },
        { kind: 'run', pgid: 200, txid: 7, pages: 12 },
        { kind: 'subtree', pgid: 300, txid: 8, height: 0 },
        { kind: 'subtree', pgid: 400, txid: 9, height: 3 },
      ],
    }
    const n = freelistPageCount(1024, rec.free.length, rec.reclaim.length)
    expect(n).to.equal(Math.ceil(freelistBytes(700, 4) / (1024 - HEADER_SIZE)))
    expect(n).to.be.greaterThan(2)
    const pages = encodeFreeList(rec, 50, 2 ** 32 + 9, 1024, n)
    pages.forEach((p, i) => {
      expect(checksumOk(p)).to.equal(true)
      expect(pageId(p)).to.equal(50 + i)
      expect(pageTxid(p)).to.equal(9)
      expect(pageType(p)).to.equal(PageType.freelist)
    })
    expect(decodeFreeList(body(pages))).to.deep.equal(rec)
  })

  it('reports malformed payloads instead of reading past them', () => {
    expect(decodeFreeList(new Uint8Array(4))).to.be.a('string')
    const b = Buffer.alloc(100)
    setU32(b, 0, 1000)
    expect(decodeFreeList(b)).to.match(/free count 1000/)
    const c = Buffer.alloc(100)
    setU32(c, 0, 2)
    setU32(c, 12, 50)
    expect(decodeFreeList(c)).to.match(/reclaim count 50/)
  })
})
