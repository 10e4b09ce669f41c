import { expect } from 'chai'
import fs from 'node:fs'
import path from 'node:path'
import { open } from '../../src/index.js'
import { checkAndClose, cli, expectOneLineError, makeSample, tempDir } from './cli-harness.js'

const PAGE = 4096

/** The leaf page written by commit `txid` that holds `key`. */
function leafOf(file: string, txid: number, key = 'user0100'): number {
  const bytes = fs.readFileSync(file)
  let found = -1
  for (let p = 2; p * PAGE < bytes.length; p++) {
    const page = bytes.subarray(p * PAGE, (p + 1) * PAGE)
    if (page[12] === 3 && page.readUInt32LE(8) === txid && page.includes(key)) found = p
  }
  expect(found).to.be.greaterThan(1)
  return found
}

function flipBit(file: string, position: number): void {
  const fd = fs.openSync(file, 'r+')
  const b = Buffer.alloc(1)
  fs.readSync(fd, b, 0, 1, position)
  b[0]! ^= 0x10
  fs.writeSync(fd, b, 0, 1, position)
  fs.closeSync(fd)
}

describe('cli: check', () => {
  let dir: string
  beforeEach(() => (dir = tempDir()))
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }))

  it('exits 0 on a clean file and prints the page counts', async () => {
    const file = path.join(dir, 'clean.db')
    await makeSample(file)
    const r = cli(['check', file])
    expect(r.status, r.stdout + r.stderr).to.equal(0)
    expect(r.stdout).to.match(/^ok: \d+ pages: \d+ reachable, \d+ free, \d+ pending, \d+ reclaiming\n$/)
    expect(r.stderr).to.equal('')
    const doc = JSON.parse(cli(['check', file, '--json']).stdout)
    expect(doc.ok).to.equal(true)
    expect(doc.errors).to.deep.equal([])
  })

  it('exits 1 and names the page when a bit of a leaf page is flipped', async () => {
    const file = path.join(dir, 'flipped.db')
    await makeSample(file)
    // A later commit that leaves the 'users' leaves of commit 2 in place: open does not read them.
    const db = await open(file, { journal: false })
    await db.update((tx) => tx.bucket('bin')!.put(Buffer.from('later'), Buffer.from('x')))
    expect((await checkAndClose(db)).ok).to.equal(true)
    const leaf = leafOf(file, 2)
    flipBit(file, leaf * PAGE + 100)
    const r = cli(['check', file])
    expect(r.status, r.stdout + r.stderr).to.equal(1)
    expect(r.stdout).to.include(`page ${leaf}: checksum mismatch`)
    expect(r.stdout).to.match(/problems? found/)
    const doc = JSON.parse(cli(['check', file, '--json']).stdout)
    expect(doc.ok).to.equal(false)
    expect(doc.errors.map((e: { pageId: number }) => e.pageId)).to.include(leaf)
  })

  it('exits 1 when a leaf of the newest commit is flipped (open falls back to the older meta)', async () => {
    const file = path.join(dir, 'newest.db')
    await makeSample(file)
    const leaf = leafOf(file, 2)
    flipBit(file, leaf * PAGE + 100)
    const r = cli(['check', file])
    expect(r.status, r.stdout + r.stderr).to.equal(1)
    expect(r.stdout).to.include(`page ${leaf}: checksum mismatch`)
    expect(r.stdout).to.include('the newest commit, txid 2')
    const doc = JSON.parse(cli(['check', file, '--json']).stdout)
    expect(doc.errors[0].pageId).to.equal(leaf)
  })

  it('exits 1 when both meta pages are corrupt (still recognisably a database)', async () => {
    const file = path.join(dir, 'metas.db')
    await makeSample(file)
    const fd = fs.openSync(file, 'r+')
    fs.writeSync(fd, Buffer.from([0xaa]), 0, 1, 200)
    fs.writeSync(fd, Buffer.from([0xaa]), 0, 1, PAGE + 200)
    fs.closeSync(fd)
    const r = cli(['check', file])
    expect(r.status, r.stdout + r.stderr).to.equal(1)
    expect(r.stdout).to.match(/page 0: .*meta/)
    expect(JSON.parse(cli(['check', file, '--json']).stdout).ok).to.equal(false)
  })

  it('exits 2 on a file that is not a database, an empty file and a missing file', () => {
    const text = path.join(dir, 'notes.txt')
    fs.writeFileSync(text, 'hello, this is not a database\n'.repeat(500))
    expectOneLineError(cli(['check', text]), 2, /not a btree-store database/)
    const empty = path.join(dir, 'empty.db')
    fs.writeFileSync(empty, '')
    expectOneLineError(cli(['check', empty]), 2, /empty/)
    expectOneLineError(cli(['check', path.join(dir, 'missing.db')]), 2, /no such file/)
    expectOneLineError(cli(['check', dir]), 2, /not a file/)
  })

  it('works on a file another process holds open for writing', async () => {
    const file = path.join(dir, 'held.db')
    await makeSample(file)
    const db = await open(file, { journal: false })
    try {
      const r = cli(['check', file])
      expect(r.status, r.stdout + r.stderr).to.equal(0)
      expect(cli(['info', file]).status).to.equal(0)
    } finally {
      expect((await checkAndClose(db)).ok).to.equal(true)
    }
  })
})
