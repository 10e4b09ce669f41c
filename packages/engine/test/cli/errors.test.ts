import { expect } from 'chai'
import fs from 'node:fs'
import path from 'node:path'
import { open } from '../../src/index.js'
import { checkAndClose, cli, expectOneLineError, makeSample, tempDir } from './cli-harness.js'

describe('cli: usage and errors', () => {
  let dir: string
  beforeEach(() => (dir = tempDir()))
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }))

  it('--help and help print usage; help COMMAND prints the command', () => {
    for (const args of [['--help'], ['help'], ['-h']]) {
      const r = cli(args)
      expect(r.status).to.equal(0)
      expect(r.stdout).to.match(/^Usage: btree-store <command>/)
      for (const c of ['info', 'stats', 'check', 'buckets', 'keys', 'get', 'dump', 'load', 'compact', 'bench'])
        expect(r.stdout).to.include(`  ${c} `)
    }
    expect(cli(['help', 'compact']).stdout).to.match(/^Usage: btree-store compact SRC DST/)
    expect(cli(['keys', '--help']).stdout).to.match(/--prefix/)
  })

  it('wrong arguments exit 2 with one line and no stack trace', () => {
    expectOneLineError(cli([]), 2, /no command/)
    expectOneLineError(cli(['frobnicate']), 2, /unknown command 'frobnicate'/)
    expectOneLineError(cli(['info']), 2, /usage: btree-store info FILE/)
    expectOneLineError(cli(['info', 'a', 'b']), 2, /usage/)
    expectOneLineError(cli(['info', 'x.db', '--bogus']), 2, /bogus/)
    expectOneLineError(cli(['info', 'x.db', '--prefix', 'p']), 2, /info does not take --prefix/)
    expectOneLineError(cli(['bench', '--n', '-3']), 2, /--n/)
    expectOneLineError(cli(['help', 'nothing']), 2, /unknown command/)
  })

  it('a missing file exits 2 for every read command', () => {
    const missing = path.join(dir, 'missing.db')
    for (const args of [
      ['info'],
      ['stats'],
      ['check'],
      ['buckets'],
      ['keys', missing, 'b'],
      ['get', missing, 'b', 'k'],
      ['dump'],
    ]) {
      const full = args.length === 1 ? [args[0]!, missing] : args
      expectOneLineError(cli(full), 2, /missing\.db: no such file/)
      expectOneLineError(cli([...full, '--json']), 2)
    }
    expect(fs.existsSync(missing)).to.equal(false)
  })

  it('a corrupt file is one line, exit 1; --debug adds the stack', async () => {
    const file = path.join(dir, 'bad.db')
    await makeSample(file)
    const bytes = fs.readFileSync(file)
    bytes[200] ^= 0xff
    bytes[4096 + 200] ^= 0xff
    fs.writeFileSync(file, bytes)
    expectOneLineError(cli(['info', file]), 1, /corrupt/)
    const debug = cli(['info', file, '--debug'])
    expect(debug.status).to.equal(1)
    expect(debug.stderr).to.match(/^btree-store: /)
    expect(debug.stderr).to.match(/\n\s+at /)
  })

  it('a file that is not a database exits 2', () => {
    const file = path.join(dir, 'text.db')
    fs.writeFileSync(file, 'x'.repeat(10_000))
    expectOneLineError(cli(['info', file]), 2, /not a btree-store database/)
    expectOneLineError(cli(['load', file], ''), 2, /not a btree-store database/)
    expect(fs.readFileSync(file, 'utf8')).to.equal('x'.repeat(10_000))
  })

  it('load on a file locked by another process names the process and exits 1', async () => {
    const file = path.join(dir, 'locked.db')
    await makeSample(file)
    const db = await open(file)
    try {
      const r = cli(['load', file], '{"bucket":"a","key":"00","value":"00"}\n')
      expectOneLineError(r, 1, /locked/)
      expect(r.stderr).to.include(`process ${process.pid}`)
      const dst = path.join(dir, 'copy.db')
      expect(cli(['compact', file, dst]).status).to.equal(0)
    } finally {
      expect((await checkAndClose(db)).ok).to.equal(true)
    }
    expect(cli(['load', file], '{"bucket":"a","key":"00","value":"00"}\n').status).to.equal(0)
  })

  it('output into a closed pipe ends quietly', async () => {
    const file = path.join(dir, 'a.db')
    await makeSample(file)
    const { spawnSync } = await import('node:child_process')
    const { MAIN } = await import('./cli-harness.js')
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${MAIN}" dump "${file}" | head -c 10 >/dev/null`], {
      encoding: 'utf8',
    })
    expect(r.stderr).to.equal('')
  })
})
