import { execFileSync } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect } from 'chai'

/**
 * The scale bench end to end at a small n, btree-store only: a child per size must report positive
 * rates, bytes written and a peak RSS, and the parent must print them and the table. (Its btree
 * child checks the file and the key count itself, and fails the run otherwise.)
 */
const script = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../bench/scale.js')

describe('bench/scale.js', () => {
  it('runs each size in a child and prints one JSON line per size, then the table', function () {
    this.timeout(60_000)
    const out = execFileSync(process.execPath, [script, '--sizes', '1500,3000', '--no-lmdb', '--batch', '500'], {
      encoding: 'utf8',
    })
    const lines = out.split('\n').filter((l) => l.startsWith('{'))
    expect(lines).to.have.length(2)
    const results = lines.map((l) => JSON.parse(l) as Record<string, number | string>)
    expect(results.map((r) => r.n)).to.deep.equal([1500, 3000])
    for (const r of results) {
      expect(r.engine).to.equal('btree-store')
      for (const k of ['fillPerSec', 'getPerSec', 'scanPerSec', 'writtenPerUserByte', 'peakRssMiB'])
        expect(r[k], k).to.be.a('number').and.greaterThan(0)
      expect(r.peakRssMiB as number).to.be.at.least(r.rssBeforeMiB as number)
    }
    expect(out).to.match(/\| 3,000 +\| btree-store \|/)
  })
})
