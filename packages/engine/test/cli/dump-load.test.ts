import { expect } from 'chai'
import fs from 'node:fs'
import path from 'node:path'
import { open } from '../../src/index.js'
import { Prng } from '../../src/io/prng.js'
import { checkAndClose, cli, contents, expectOneLineError, makeSample, tempDir } from './cli-harness.js'

const SEED = process.env.SEED === undefined ? Prng.randomSeed() : Number(process.env.SEED)

describe('cli: dump and load', () => {
  let dir: string
  before(() => console.log(`cli dump/load seed: ${SEED} (SEED=${SEED} to replay)`))
  beforeEach(() => (dir = tempDir()))
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }))

  it('dump writes a header, a line per bucket and one per entry, hex by default', async () => {
    const file = path.join(dir, 'a.db')
    await makeSample(file)
    const r = cli(['dump', file, '--bucket', 'bin'])
    expect(r.status, r.stderr).to.equal(0)
    expect(r.stderr).to.equal('')
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(lines[0]).to.deep.equal({ format: 'btree-store-dump', version: 1, encoding: 'hex' })
    expect(lines[1]).to.deep.equal({ bucket: 'bin' })
    expect(lines[2]).to.deep.equal({ bucket: 'bin', key: '000102', value: 'fffe000a' })
    expect(lines).to.have.length(5)
    const all = cli(['dump', file, '--json']).stdout.trim().split('\n')
    expect(all).to.have.length(1 + 3 + 503)
    for (const l of all) JSON.parse(l)
  })

  for (const encoding of ['hex', 'base64', 'utf8'] as const) {
    it(`dump --${encoding} | load reproduces every bucket exactly`, async () => {
      const src = path.join(dir, 'src.db')
      await makeSample(src)
      const dump = cli(['dump', src, ...(encoding === 'hex' ? [] : [`--${encoding}`])])
      expect(dump.status, dump.stderr).to.equal(0)
      if (encoding === 'utf8') {
        expect(dump.stdout).to.include('"key":"user0001","value":"name 1"')
        expect(dump.stdout).to.include('"key":"\\u0000\\u0001\\u0002","value":{"hex":"fffe000a"}')
      }
      const dst = path.join(dir, 'dst.db')
      const load = cli(['load', dst], dump.stdout)
      expect(load.status, load.stderr).to.equal(0)
      expect(load.stdout).to.match(/loaded 503 entries into 3 buckets/)
      expect(await contents(dst)).to.deep.equal(await contents(src))
    })
  }

  it('round-trips random binary data over several commits, and load --json reports it', async function () {
    this.timeout(120_000)
    const prng = new Prng(SEED)
    const src = path.join(dir, 'random.db')
    const db = await open(src)
    await db.update((tx) => {
      for (let b = 0; b < 3; b++) {
        const bucket = tx.createBucket(`b${b} \u00fc`)
        for (let i = 0; i < 9000; i++) {
          const key = Buffer.alloc(1 + Math.floor(prng.next() * 40))
          const value = Buffer.alloc(Math.floor(prng.next() * (prng.next() < 0.01 ? 9000 : 60)))
          for (let j = 0; j < key.length; j++) key[j] = Math.floor(prng.next() * 256)
          for (let j = 0; j < value.length; j++) value[j] = Math.floor(prng.next() * 256)
          bucket.put(key, value)
        }
      }
    })
    expect((await checkAndClose(db)).ok).to.equal(true)
    const dump = cli(['dump', src, '--base64'])
    const dst = path.join(dir, 'copy.db')
    const load = cli(['load', dst, '--json'], dump.stdout)
    expect(load.status, load.stderr).to.equal(0)
    const report = JSON.parse(load.stdout)
    expect(report.buckets).to.equal(3)
    expect(report.commits).to.be.greaterThan(1)
    expect(await contents(dst)).to.deep.equal(await contents(src))
  })

  it('load merges into an existing file and accepts input without a header', async () => {
    const file = path.join(dir, 'merge.db')
    await makeSample(file)
    const input = [
      '{"bucket":"users","key":"7573657230303030","value":"6e6577"}',
      '{"bucket":"fresh","key":"6b","value":""}',
      '',
    ].join('\n')
    expect(cli(['load', file], input).status).to.equal(0)
    expect(cli(['get', file, 'users', 'user0000']).stdout).to.equal('new\n')
    expect(cli(['buckets', file, '--json']).stdout).to.include('"fresh"')
    expect((await contents(file)).fresh).to.deep.equal([['6b', '']])
  })

  it('an empty key (a valid key, sorting first) survives dump and load', async () => {
    const src = path.join(dir, 'empty-key.db')
    const dst = path.join(dir, 'empty-key-copy.db')
    expect(
      cli(['load', src], '{"bucket":"e","key":"","value":"00"}\n{"bucket":"e","key":"01","value":""}\n').status,
    ).to.equal(0)
    const dump = cli(['dump', src])
    expect(dump.stdout).to.include('{"bucket":"e","key":"","value":"00"}')
    expect(cli(['load', dst], dump.stdout).status).to.equal(0)
    expect(await contents(dst)).to.deep.equal({
      e: [
        ['', '00'],
        ['01', ''],
      ],
    })
  })

  it('load rejects a bad line with its number and exits 2', async () => {
    const file = path.join(dir, 'bad.db')
    expectOneLineError(
      cli(['load', file], '{"bucket":"a","key":"00","value":"01"}\nnot json\n'),
      2,
      /line 2: is not JSON/,
    )
    expectOneLineError(
      cli(['load', file], '{"bucket":"a","key":"0g","value":"01"}\n'),
      2,
      /line 1: key is not valid hex/,
    )
    expectOneLineError(cli(['load', file], '{"bucket":"a","key":"00"}\n'), 2, /line 1: needs both/)
    expectOneLineError(cli(['load', file], '{"bucket":"a","key":5,"value":"00"}\n'), 2, /line 1:/)
    // Each load made the file and committed nothing: none is left behind.
    expect(fs.readdirSync(dir)).to.deep.equal([])
    // Into a file that exists, a failed load changes nothing and the file stays.
    const kept = path.join(dir, 'kept.db')
    expect(cli(['load', kept], '{"bucket":"a","key":"00","value":"01"}\n').status).to.equal(0)
    expectOneLineError(cli(['load', kept], '{"bucket":"b","key":"01","value":"02"}\nnot json\n'), 2, /line 2/)
    const db = await open(kept, { readOnly: true })
    expect(db.view((tx) => tx.buckets())).to.deep.equal(['a'])
    expect((await checkAndClose(db)).ok).to.equal(true)
  })
})
