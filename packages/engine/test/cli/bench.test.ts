import { expect } from 'chai'
import { cli } from './cli-harness.js'

describe('cli: bench', () => {
  it('runs fill, get and scan and reports ops/s', () => {
    const r = cli(['bench', '--n', '3000', '--batch', '500', '--value-size', '32'])
    expect(r.status, r.stderr).to.equal(0)
    for (const w of ['fill', 'get', 'scan']) expect(r.stdout).to.match(new RegExp(`^${w}\\s+3000 ops .* ops/s$`, 'm'))
  })

  it('--random --json is one JSON document with the seed', () => {
    const r = cli(['bench', '--n', '2000', '--random', '--seed', '42', '--json'])
    expect(r.status, r.stderr).to.equal(0)
    const doc = JSON.parse(r.stdout)
    expect(doc).to.include({ n: 2000, random: true, seed: 42, batch: 1000, valueSize: 100 })
    expect(doc.workloads.map((w: { name: string }) => w.name)).to.deep.equal(['fill', 'get', 'scan'])
    for (const w of doc.workloads) expect(w.opsPerSec).to.be.greaterThan(0)
  })
})
