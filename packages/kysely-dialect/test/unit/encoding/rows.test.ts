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
})
