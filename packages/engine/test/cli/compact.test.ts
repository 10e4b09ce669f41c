import { expect } from 'chai'
import fs from 'node:fs'
import path from 'node:path'
import { open } from '../../src/index.js'
import { checkAndClose, cli, contents, expectOneLineError, makeSample, tempDir } from './cli-harness.js'

describe('cli: compact', () => {
  let dir: string
  beforeEach(() => (dir = tempDir()))
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }))

  it('shrinks a file after mass deletes; the copy passes check with identical contents', async function () {
    this.timeout(120_000)
    const src = path.join(dir, 'big.db')
    const db = await open(src, { journal: false })
    const key = (i: number): Buffer => Buffer.from(`key${String((i * 7919) % 20_000).padStart(6, '0')}`)
    await db.update((tx) => {
      const b = tx.createBucket('data')
      for (let i = 0; i < 20_000; i++) b.put(key(i), Buffer.alloc(64, i & 0xff))
      tx.createBucket('small').put(Buffer.from('x'), Buffer.from('y'))
    })
    await db.update((tx) => {
      const b = tx.bucket('data')!
      for (let i = 0; i < 20_000; i++) if (i % 10 !== 0) b.delete(key(i))
    })
    expect((await checkAndClose(db)).ok).to.equal(true)

    const dst = path.join(dir, 'compact.db')
    const r = cli(['compact', src, dst])
    expect(r.status, r.stderr).to.equal(0)
    expect(r.stdout).to.match(/% smaller/)
    const before = fs.statSync(src).size
    const after = fs.statSync(dst).size
    expect(after).to.be.lessThan(before / 3)
    expect(cli(['check', dst]).status).to.equal(0)
    expect(await contents(dst)).to.deep.equal(await contents(src))
    const stats = JSON.parse(cli(['stats', dst, '--bucket', 'data', '--json']).stdout)
    expect(stats.buckets[0].keys).to.equal(2000)
    expect(stats.buckets[0].fill).to.be.greaterThan(0.85)
  })

  it('refuses an existing DST without --force; --json reports the sizes', async () => {
    const src = path.join(dir, 'a.db')
    await makeSample(src)
    const dst = path.join(dir, 'b.db')
    fs.writeFileSync(dst, 'precious')
    expectOneLineError(cli(['compact', src, dst]), 2, /exists; pass --force/)
    expect(fs.readFileSync(dst, 'utf8')).to.equal('precious')
    const r = cli(['compact', src, dst, '--force', '--json'])
    expect(r.status, r.stderr).to.equal(0)
    const report = JSON.parse(r.stdout)
    expect(report).to.include({
      src,
      dst,
      before: fs.statSync(src).size,
      after: fs.statSync(dst).size,
      buckets: 3,
      entries: 503,
    })
    expect(await contents(dst)).to.deep.equal(await contents(src))
    expectOneLineError(cli(['compact', src, src]), 2, /same file/)
    expectOneLineError(cli(['compact', path.join(dir, 'missing.db'), path.join(dir, 'c.db')]), 2, /no such file/)
    expect(fs.existsSync(path.join(dir, 'c.db'))).to.equal(false)
  })

  it('compact --page-size writes the copy with another page size', async () => {
    const src = path.join(dir, 'a.db')
    await makeSample(src)
    const dst = path.join(dir, 'b.db')
    expect(cli(['compact', src, dst, '--page-size', '16384']).status).to.equal(0)
    expect(JSON.parse(cli(['info', dst, '--json']).stdout).pageSize).to.equal(16384)
    expect(await contents(dst)).to.deep.equal(await contents(src))
  })
})
