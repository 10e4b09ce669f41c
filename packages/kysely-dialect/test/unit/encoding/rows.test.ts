import { expect } from 'chai'
import { encodeRow, RowView, SlotReader } from '../../../src/encoding/rows.js'
import { Real, type SqlValue } from '../../../src/encoding/values.js'
import { encodeRowV1 } from '../../helpers/row-format-v1.js'

describe('encoding/rows', () => {
  it('every storage class round-trips, with its class (integral reals stay reals)', () => {
    const values: SqlValue[] = [
      null,
      0,
      1,
      -1,
      127,
      -129,
      40000,
      -2147483648,
      2 ** 40,
      2n ** 62n,
      1.5,
      new Real(2),
      'héllo',
      '',
      new Uint8Array([0, 255]),
      new Uint8Array(0),
    ]
    const view = new RowView(encodeRow(values), [])
    expect(view.all(values.length)).to.deep.equal(values)
  })

  it('64-bit integers decode exactly at the edges of safe numbers, and text keeps a leading BOM', () => {
    const values: SqlValue[] = [
      2 ** 53 - 1,
      -(2 ** 53 - 1),
      -9007199254740992n,
      9007199254740992n,
      2n ** 63n - 1n,
      -(2n ** 63n),
      -2147483649,
      2147483648,
      -(2 ** 32),
      '\ufeffbom',
      'a\u0000b',
      '😀',
    ]
    const view = new RowView(encodeRow(values), [])
    expect(view.all(values.length)).to.deep.equal(values)
    // Backwards after forwards: the walk restarts from the header.
    expect(view.get(3)).to.equal(9007199254740992n)
    expect(view.get(11)).to.equal('😀')
    expect(view.get(0)).to.equal(2 ** 53 - 1)
  })

  it('rows of any width encode alike one after another (the sizing pass reuses its per-slot scratch)', () => {
    // 200 slots outgrow the scratch; the narrow row after must not read the wide row's tags or lengths.
    const wide: SqlValue[] = Array.from({ length: 200 }, (_, i) =>
      i % 4 === 0 ? `t${'é'.repeat(i)}` : i % 4 === 1 ? i * 1000 : i % 4 === 2 ? new Uint8Array(i) : i + 0.5,
    )
    expect(new RowView(encodeRow(wide, 7), []).all(200)).to.deep.equal(wide)
    const narrow: SqlValue[] = [3, 'x'.repeat(200), null, -0, Number.NaN]
    const view = new RowView(encodeRow(narrow), [])
    expect(view.all(5)).to.deep.equal([3, 'x'.repeat(200), null, 0, Number.NaN])
    expect(view.hiddenRowid).to.equal(undefined)
    expect(new RowView(encodeRow(wide.slice(0, 3)), []).all(3)).to.deep.equal(wide.slice(0, 3))
  })

  it('decodes lazily: reading one column of a row is enough, in any order', () => {
    const view = new RowView(encodeRow(['a', 'b'.repeat(300), 3]), [])
    expect(view.get(2)).to.equal(3)
    expect(view.get(0)).to.equal('a')
  })

  it('slots past the row read as the given defaults (columns added later); the hidden rowid survives', () => {
    const view = new RowView(encodeRow([1, 'x'], 41), [null, null, 'dflt'])
    expect(view.get(2)).to.equal('dflt')
    expect(view.get(3)).to.equal(null)
    expect(view.hiddenRowid).to.equal(41)
    expect(new RowView(encodeRow([1]), []).hiddenRowid).to.equal(undefined)
  })

  const EVERY: SqlValue[] = [
    null,
    0,
    1,
    -1,
    127,
    -129,
    40000,
    -2147483648,
    2 ** 40,
    2n ** 62n,
    -(2n ** 63n),
    1.5,
    new Real(2),
    'héllo',
    '',
    'x'.repeat(200),
    new Uint8Array([0, 255]),
    new Uint8Array(0),
  ]

  it('writes version 2: the mark after the hidden rowid, and end offsets of 1, 2 or 4 bytes', () => {
    const small = encodeRow([5, 'ab'], 3)
    // hidden 4, mark 0, 2 slots, width 1, tags int8 and text, ends 1 and 3, payloads.
    expect([...small]).to.deep.equal([4, 0, 2, 1, 3, 8, 1, 3, 5, 97, 98])
    expect(encodeRow(['x'.repeat(300)])[3]).to.equal(2)
    const huge = ['y'.repeat(70_000), 7, new Uint8Array(3)]
    const bytes = encodeRow(huge)
    expect(bytes[3]).to.equal(4)
    const view = new RowView(bytes, [])
    expect(view.get(1)).to.equal(7)
    expect(view.all(3)).to.deep.equal(huge)
  })

  it('rows written by version 1 read the same, through every reader', () => {
    const v1 = new RowView(encodeRowV1(EVERY, 1000), [])
    const v2 = new RowView(encodeRow(EVERY, 1000), [])
    expect(v1.all(EVERY.length)).to.deep.equal(EVERY)
    expect(v2.all(EVERY.length)).to.deep.equal(EVERY)
    expect(v1.hiddenRowid).to.equal(1000)
    expect(v1.slotCount).to.equal(EVERY.length)
    for (let slot = EVERY.length - 1; slot >= 0; slot--) {
      expect(v1.get(slot), `slot ${slot}`).to.deep.equal(EVERY[slot])
      const n1 = v1.numberAt(slot)
      const real1 = v1.lastWasReal
      const n2 = v2.numberAt(slot)
      expect(Object.is(n1, n2) || (n1 !== n1 && n2 !== n2), `numberAt ${slot}`).to.equal(true)
      expect(real1).to.equal(v2.lastWasReal)
      const utf8 = new TextEncoder().encode('héllo')
      expect(v1.textEquals(slot, utf8)).to.equal(v2.textEquals(slot, utf8))
    }
    // A version-1 row shorter than the table reads its added columns' defaults.
    const short = new RowView(encodeRowV1([1, 'x']), [null, null, 'dflt'])
    expect(short.get(2)).to.equal('dflt')
    expect(Number.isNaN(short.numberAt(2))).to.equal(true)
  })

  it('SlotReader reads numbers of both versions in place; anything else reads NaN', () => {
    const values: SqlValue[] = ['skip', 12, null, 2.5, new Real(3), 2n ** 60n, 'text', -7]
    const slots = [7, 1, 3, -1, 4, 1, 0, 2, 5, 9]
    for (const encode of [encodeRow, encodeRowV1]) {
      const reader = new SlotReader(slots)
      const page = new Uint8Array(100 + 64)
      const row = encode(values, 5)
      page.set(row, 100)
      reader.read(page, 100)
      const at = (i: number): [number, number] => [reader.numbers[reader.place[i]!]!, reader.reals[reader.place[i]!]!]
      expect(reader.place[3]).to.equal(-1)
      expect(at(0)).to.deep.equal([-7, 0])
      expect(at(1)).to.deep.equal([12, 0])
      expect(at(5)).to.deep.equal([12, 0])
      expect(at(2)).to.deep.equal([2.5, 1])
      expect(at(4)).to.deep.equal([3, 1])
      // Text, null, a bigint and a slot past the row's end are left to RowView.get.
      for (const i of [6, 7, 8, 9]) expect(Number.isNaN(at(i)[0]), `slot ${slots[i]}`).to.equal(true)
    }
  })
})
