import { expect } from 'chai'
import { sealPage } from '../../../src/page/checksum.js'
import { FORMAT_VERSION, type Meta, decodeMeta, encodeMeta, peekPageSize } from '../../../src/page/meta-page.js'
import { setU16, setU32, setU64 } from '../../../src/page/layout.js'

const base: Meta = {
  txid: 2 ** 33 + 17,
  pageSize: 4096,
  catalog: { pgid: 7, txid: 12 },
  freelist: { pgid: 20, txid: 13 },
  freelistPages: 3,
  highWater: 40,
  durableTxid: 2 ** 33 + 10,
}

/** Encodes `meta`, lets `edit` change the page, reseals it (so the checksum is not what fails). */
function edited(edit: (page: Buffer) => void, meta: Meta = base, slot: 0 | 1 = 0): Buffer {
  const page = encodeMeta(meta, slot)
  edit(page)
  sealPage(page)
  return page
}

describe('page/meta-page', () => {
  it('round-trips every field in both slots, txids past 32 bits included', () => {
    for (const slot of [0, 1] as const) {
      const m = decodeMeta(encodeMeta(base, slot), slot)
      expect(m).to.deep.equal({ ...base, catalog: { pgid: 7, txid: 12 }, freelist: { pgid: 20, txid: 13 } })
    }
    const empty = { ...base, freelist: { pgid: 0, txid: 0 }, freelistPages: 0 }
    expect(decodeMeta(encodeMeta(empty, 1), 1)).to.deep.equal(empty)
  })

  it('peekPageSize reads the page size of a meta, and 0 for anything else', () => {
    expect(peekPageSize(encodeMeta({ ...base, pageSize: 16384 }, 0))).to.equal(16384)
    expect(peekPageSize(Buffer.alloc(4096))).to.equal(0)
    expect(peekPageSize(Buffer.alloc(10))).to.equal(0)
  })

  const invalid: Array<[string, () => Buffer, 0 | 1, RegExp]> = [
    ['bad magic', () => edited((p) => setU32(p, 16, 0x12345678)), 0, /bad magic/],
    [
      'checksum mismatch',
      () => {
        const p = encodeMeta(base, 0)
        p[100]! ^= 1
        return p
      },
      0,
      /checksum/,
    ],
    ['not a meta page', () => edited((p) => (p[12] = 3)), 0, /not a meta/],
    ['page id in the wrong slot', () => encodeMeta(base, 0), 1, /page id 0 in slot 1/],
    ['newer format version', () => edited((p) => setU16(p, 20, FORMAT_VERSION + 1)), 0, /format version/],
    ['format version 0', () => edited((p) => setU16(p, 20, 0)), 0, /format version/],
    ['page size differs from the page', () => edited((p) => setU32(p, 24, 8192)), 0, /page size/],
    ['txid differs from the header', () => edited((p) => setU64(p, 28, base.txid + 1)), 0, /txid mismatch/],
    [
      'high-water mark below 3',
      () => encodeMeta({ ...base, highWater: 2, catalog: { pgid: 2, txid: 1 }, freelist: { pgid: 0, txid: 0 } }, 0),
      0,
      /catalog root out of range/,
    ],
    ['catalog root in the metas', () => encodeMeta({ ...base, catalog: { pgid: 1, txid: 1 } }, 0), 0, /catalog root/],
    [
      'catalog root past the high-water mark',
      () => encodeMeta({ ...base, catalog: { pgid: 40, txid: 1 } }, 0),
      0,
      /catalog root/,
    ],
    [
      'free list past the high-water mark',
      () => encodeMeta({ ...base, freelist: { pgid: 38, txid: 1 }, freelistPages: 3 }, 0),
      0,
      /free list out of range/,
    ],
    ['durable txid after the txid', () => encodeMeta({ ...base, durableTxid: base.txid + 1 }, 0), 0, /durable txid/],
  ]
  for (const [what, make, slot, message] of invalid) {
    it(`rejects a meta with ${what}`, () => {
      const m = decodeMeta(make(), slot)
      expect(m).to.be.a('string')
      expect(m as string).to.match(message)
    })
  }

  it('writes format version 2 and reads version 1 metas (files from before out-of-line keys, FORMAT.md §3)', () => {
    expect(FORMAT_VERSION).to.equal(2)
    expect(encodeMeta(base, 0).readUInt16LE(20)).to.equal(2)
    expect(
      decodeMeta(
        edited((p) => setU16(p, 20, 1)),
        0,
      ),
    ).to.deep.equal(base)
  })

  it('a meta whose free list ends exactly at the high-water mark is valid', () => {
    expect(decodeMeta(encodeMeta({ ...base, freelist: { pgid: 37, txid: 1 }, freelistPages: 3 }, 0), 0)).to.be.an(
      'object',
    )
  })
})
