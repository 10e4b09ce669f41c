import { expect } from 'chai'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { databaseFiles, open } from '../../../src/index.js'

describe('store/database-files: databaseFiles(path)', () => {
  let dir: string
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'btree-files-'))
  })
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }))

  it('names the file, its two journals and its lock file', () => {
    expect(databaseFiles('app.db')).to.deep.equal({
      data: 'app.db',
      journals: ['app.db-journal', 'app.db-journal2'],
      lock: 'app.db-lock',
    })
  })

  it('refuses a path that is not a non-empty string (TypeError, BTREE_INVALID_ARGUMENT)', () => {
    for (const bad of ['', 7, undefined]) {
      expect(() => databaseFiles(bad as string))
        .to.throw(TypeError)
        .with.property('code', 'BTREE_INVALID_ARGUMENT')
    }
  })

  // What the engine makes must be what databaseFiles names: a program that copies or deletes a
  // database by these names misses nothing.
  it('names every file a database makes, both journals in use and the lock held included', async () => {
    const file = path.join(dir, 'app.db')
    const names = databaseFiles(file)
    const listed = (): string[] =>
      fs
        .readdirSync(dir)
        .map((f) => path.join(dir, f))
        .sort()
    // A checkpoint in the background once the journal passes 20,000 bytes: the appends go on in
    // the second journal file meanwhile.
    const db = await open(file, { pageSize: 1024, journalSize: 20_000 })
    const big = Buffer.alloc(3000, 7)
    for (let i = 0; i < 7; i++) await db.update((tx) => tx.createBucketIfNotExists('a').put(Buffer.from(`k${i}`), big))
    await db.settled()
    await db.update((tx) => tx.bucket('a')!.put(Buffer.from('more'), big))
    expect(listed()).to.deep.equal([names.data, ...names.journals, names.lock].sort())
    await db.close()
    for (const f of listed()) expect([names.data, ...names.journals]).to.include(f)
    expect(fs.existsSync(names.lock)).to.equal(false)
  })
})
