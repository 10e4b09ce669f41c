import { expect } from 'chai'
import type { EngineName, Measurement } from '../../bench/measure.js'
import { formatTable, median, summaryRows } from '../../bench/report-table.js'

function m(workload: string, engine: EngineName, opsPerSec: number, round?: number): Measurement {
  const base: Measurement = { workload, engine, ops: opsPerSec, seconds: 1, opsPerSec }
  return round === undefined ? base : { ...base, round }
}

describe('bench/report-table.ts', () => {
  it('a single round: the ratio of the two rates, no rounds column', () => {
    const rows = summaryRows([m('random fill', 'btree-store', 300), m('random fill', 'lmdb-js', 100)])
    const row = rows.find((r) => r.workload === 'random fill')!
    expect(row.ratio).to.equal('3.00')
    expect(row.rounds).to.equal('')
    expect(row.met).to.equal('yes')
    expect(formatTable(rows).split('\n')[0]).not.to.contain('rounds')
  })

  it('several rounds: median rates, and the median of the rounds paired ratios', () => {
    // Rounds pair the engines: ratios 1, 3 and 0.5, median 1; the medians of the rates (200 and
    // 100) would say 2: a slow round of one engine must not set the verdict.
    const results = [
      m('random fill', 'btree-store', 100, 1),
      m('random fill', 'lmdb-js', 100, 1),
      m('random fill', 'btree-store', 300, 2),
      m('random fill', 'lmdb-js', 100, 2),
      m('random fill', 'btree-store', 200, 3),
      m('random fill', 'lmdb-js', 400, 3),
    ]
    const row = summaryRows(results).find((r) => r.workload === 'random fill')!
    expect(row.btree).to.equal('200')
    expect(row.lmdb).to.equal('100')
    expect(row.ratio).to.equal('1.00')
    expect(row.rounds).to.equal('1.00 3.00 0.50')
    expect(row.met).to.equal('NO')
    expect(formatTable([row]).split('\n')[0]).to.contain('rounds')
  })

  it('a round missing one engine leaves it out of the ratios but not of the rates', () => {
    const results = [
      m('full scan', 'btree-store', 500, 1),
      m('full scan', 'lmdb-js', 100, 1),
      m('full scan', 'btree-store', 50, 2),
    ]
    const row = summaryRows(results).find((r) => r.workload === 'full scan')!
    expect(row.ratio).to.equal('5.00')
    expect(row.rounds).to.equal('')
    expect(row.btree).to.equal('50')
  })

  it('median: the middle value, the lower middle of an even count', () => {
    expect(median([3, 1, 2])).to.equal(2)
    expect(median([4, 1, 3, 2])).to.equal(2)
    expect(median([7])).to.equal(7)
  })
})
