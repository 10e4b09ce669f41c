import { expect } from 'chai'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { BTreeError } from '../../../src/base/errors.js'
import { FileLock } from '../../../src/store/lock.js'

function code(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (err) {
    return (err as BTreeError).code
  }
  return undefined
}

describe('store/lock', () => {
  let dir: string
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'btree-lock-'))
  })
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }))

  it('is exclusive within a process and released by release(); no temp files are left behind', () => {
    const db = path.join(dir, 'a.db')
    const lock = FileLock.acquire(db)
    expect(fs.readFileSync(`${db}-lock`, 'utf8')).to.match(new RegExp(`^${process.pid} `))
    expect(code(() => FileLock.acquire(db))).to.equal('BTREE_LOCKED')
    expect(FileLock.holder(db)).to.equal(process.pid)
    lock.release()
    expect(fs.existsSync(`${db}-lock`)).to.equal(false)
    FileLock.acquire(db).release()
    expect(fs.readdirSync(dir)).to.deep.equal([])
  })

  it('a lock file naming a live process (another owner) is BTREE_LOCKED and is left in place', () => {
    const db = path.join(dir, 'b.db')
    // The parent of this process is alive; no start time recorded, so the pid alone decides.
    fs.writeFileSync(`${db}-lock`, `${process.ppid} \n`)
    expect(code(() => FileLock.acquire(db))).to.equal('BTREE_LOCKED')
    expect(fs.readFileSync(`${db}-lock`, 'utf8')).to.equal(`${process.ppid} \n`)
  })

  it('a stale lock (dead pid, or a recycled pid with another start time) is taken over', () => {
    for (const stale of ['2147483646 \n', `${process.pid} 1\n`, 'garbage\n']) {
      const db = path.join(dir, 'c.db')
      fs.writeFileSync(`${db}-lock`, stale)
      const lock = FileLock.acquire(db)
      expect(fs.readFileSync(`${db}-lock`, 'utf8')).to.match(new RegExp(`^${process.pid} \\d+`))
      lock.release()
      expect(fs.readdirSync(dir)).to.deep.equal([])
    }
  })
})
