import { expect } from 'chai'
import fs from 'node:fs'
import path from 'node:path'
import { cli, expectOneLineError, makeSample, tempDir } from './cli-harness.js'

describe('cli: info, stats, buckets, keys, get', () => {
  let dir: string
  let file: string

  before(async () => {
    dir = tempDir()
    file = path.join(dir, 'sample.db')
    await makeSample(file)
  })
  after(() => fs.rmSync(dir, { recursive: true, force: true }))

  it('info prints the format version, page size, txid, sizes and metas', () => {
    const r = cli(['info', file])
    expect(r.status, r.stderr).to.equal(0)
    expect(r.stdout).to.match(/format version:\s+2/)
    expect(r.stdout).to.match(/page size:\s+4096/)
    expect(r.stdout).to.match(/transaction id:\s+2/)
    expect(r.stdout).to.match(/file size:\s+\d+/)
    expect(r.stdout).to.match(/high-water mark:\s+\d+ pages/)
    expect(r.stdout).to.match(/meta 0: .*valid/)
    expect(r.stdout).to.match(/meta 1: .*valid/)
  })

  it('info --json is the Info document', () => {
    const info = JSON.parse(cli(['info', file, '--json']).stdout)
    expect(info).to.include({ formatVersion: 2, pageSize: 4096, txid: 2 })
    expect(info.fileSize).to.equal(fs.statSync(file).size)
    expect(info.metas).to.have.length(2)
  })

  it('stats prints each bucket, the total and a fill histogram', () => {
    const r = cli(['stats', file])
    expect(r.status, r.stderr).to.equal(0)
    for (const title of ["bucket 'users'", "bucket 'bin'", "bucket 'empty'", 'total'])
      expect(r.stdout).to.include(`${title}:`)
    expect(r.stdout).to.match(/keys:\s+503/)
    expect(r.stdout).to.match(/overflow pages:\s+5/)
    expect(r.stdout).to.match(/fill:\s+\d+\.\d%/)
    expect(r.stdout).to.match(/90-100%/)
    expect(r.stdout).to.match(/free pages:\s+\d+/)
    expect(r.stdout).to.match(/pending pages:\s+\d+/)
  })

  it('stats --bucket shows one bucket; --json parses', () => {
    const r = cli(['stats', file, '--bucket', 'users'])
    expect(r.stdout).to.include("bucket 'users'")
    expect(r.stdout).not.to.include("bucket 'bin'")
    const stats = JSON.parse(cli(['stats', file, '--bucket', 'users', '--json']).stdout)
    expect(stats.buckets).to.have.length(1)
    expect(stats.buckets[0]).to.include({ name: 'users', keys: 500 })
    expect(stats.buckets[0].fillHistogram).to.have.length(10)
    const all = JSON.parse(cli(['stats', file, '--json']).stdout)
    expect(all.total.keys).to.equal(503)
    expectOneLineError(cli(['stats', file, '--bucket', 'nope']), 1, /no bucket named 'nope'/)
  })

  it('buckets lists names and key counts', () => {
    const r = cli(['buckets', file])
    expect(
      r.stdout
        .trim()
        .split('\n')
        .map((l) => l.trim().split(/\s+/)),
    ).to.deep.equal([
      ['3', 'bin'],
      ['0', 'empty'],
      ['500', 'users'],
    ])
    expect(JSON.parse(cli(['buckets', file, '--json']).stdout)).to.deep.equal([
      { name: 'bin', keys: 3 },
      { name: 'empty', keys: 0 },
      { name: 'users', keys: 500 },
    ])
  })

  it('keys lists in order, with --prefix and --limit; non-text keys as hex:', () => {
    expect(cli(['keys', file, 'users', '--prefix', 'user012', '--limit', '3']).stdout).to.equal(
      'user0120\nuser0121\nuser0122\n',
    )
    expect(cli(['keys', file, 'users', '--prefix', 'user049']).stdout.trim().split('\n')).to.have.length(10)
    expect(cli(['keys', file, 'users']).stdout.trim().split('\n')).to.have.length(500)
    expect(cli(['keys', file, 'bin']).stdout).to.equal('hex:000102\nbig\nhex:6e6c0a\n')
    expect(cli(['keys', file, 'users', '--prefix', 'hex:7573657230343939']).stdout).to.equal('user0499\n')
    const doc = JSON.parse(cli(['keys', file, 'bin', '--json']).stdout)
    expect(doc).to.deep.equal({ bucket: 'bin', encoding: 'hex', keys: ['000102', '626967', '6e6c0a'] })
    expectOneLineError(cli(['keys', file, 'nope']), 1, /no bucket named 'nope'/)
    expectOneLineError(cli(['keys', file, 'users', '--limit', 'x']), 2, /--limit/)
  })

  it('get prints a value; keys may be hex:; a missing key exits 1', () => {
    expect(cli(['get', file, 'users', 'user0042']).stdout).to.equal('name 42\n')
    expect(cli(['get', file, 'bin', 'hex:000102']).stdout).to.equal('hex:fffe000a\n')
    expect(cli(['get', file, 'bin', 'hex:000102', '--base64']).stdout).to.equal(
      `${Buffer.from([255, 254, 0, 10]).toString('base64')}\n`,
    )
    const raw = cli(['get', file, 'bin', 'big', '--raw'])
    expect(raw.stdout.length).to.equal(20_000)
    const doc = JSON.parse(cli(['get', file, 'users', 'user0001', '--json']).stdout)
    expect(doc).to.deep.equal({
      bucket: 'users',
      encoding: 'hex',
      key: Buffer.from('user0001').toString('hex'),
      value: Buffer.from('name 1').toString('hex'),
    })
    expectOneLineError(cli(['get', file, 'users', 'nobody']), 1, /key not found/)
    expectOneLineError(cli(['get', file, 'users', 'hex:zz']), 2, /hex/)
  })
})
