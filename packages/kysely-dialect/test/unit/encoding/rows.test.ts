import { expect } from 'chai'
import { encodeRow, RowView } from '../../../src/encoding/rows.js'
import { Real, type SqlValue } from '../../../src/encoding/values.js'

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
})
