import { expect } from 'chai'
import { affinityOf, applyAffinity, comparisonAffinity } from '../../../src/catalog/affinity.js'
import { Real, formatReal } from '../../../src/encoding/values.js'

describe('catalog/affinity', () => {
  it('declared types map to affinities by SQLite rules', () => {
    expect(
      [
        'integer',
        'bigint',
        'varchar(255)',
        'text',
        'blob',
        '',
        'real',
        'double precision',
        'boolean',
        'date',
        'numeric',
        'point',
      ].map(affinityOf),
    ).to.deep.equal([
      'integer',
      'integer',
      'text',
      'text',
      'blob',
      'blob',
      'real',
      'real',
      'numeric',
      'numeric',
      'numeric',
      'integer',
    ])
  })

  it('storing converts as SQLite does', () => {
    expect(applyAffinity('12', 'integer')).to.equal(12)
    expect(applyAffinity('12.0', 'numeric')).to.equal(12)
    expect(applyAffinity('1.5', 'integer')).to.equal(1.5)
    expect(applyAffinity('abc', 'integer')).to.equal('abc')
    expect(applyAffinity(12, 'text')).to.equal('12')
    expect(applyAffinity(1.5, 'text')).to.equal('1.5')
    expect(applyAffinity(new Real(2), 'text')).to.equal('2.0')
    expect(applyAffinity(3, 'real')).to.deep.equal(new Real(3))
    expect(applyAffinity(new Real(-0), 'real')).to.deep.equal(new Real(0))
    expect(applyAffinity('7', 'blob')).to.equal('7')
  })

  it('comparison affinity follows sqlite3CompareAffinity', () => {
    expect(comparisonAffinity('integer', undefined)).to.equal('numeric')
    expect(comparisonAffinity('text', undefined)).to.equal('text')
    expect(comparisonAffinity('blob', undefined)).to.equal(undefined)
    expect(comparisonAffinity('text', 'blob')).to.equal(undefined)
    expect(comparisonAffinity('text', 'real')).to.equal('numeric')
    expect(comparisonAffinity(undefined, undefined)).to.equal(undefined)
  })

  it('reals render as SQLite prints them', () => {
    expect([1.5, 2, 1e20, 0.1, -3.25, 1e-7].map(formatReal)).to.deep.equal([
      '1.5',
      '2.0',
      '1.0e+20',
      '0.1',
      '-3.25',
      '1.0e-07',
    ])
  })
})
