import { expect } from 'chai'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { nodeFileSystem } from '../../../src/io/node-file.js'

describe('io/NodeFile.startWriteback', () => {
  let dir: string
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'btree-node-file-'))
  })
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }))

  it('syncs through a descriptor of its own, many at once; close waits for them and closes both descriptors', async () => {
    const file = nodeFileSystem.open(path.join(dir, 'a'), { readOnly: false, create: true })
    const opened = fs.readdirSync('/proc/self/fd').length
    for (let i = 0; i < 40; i++) {
      file.writevSync([Buffer.alloc(16 * 1024, i)], i * 16 * 1024)
      file.startWriteback!()
    }
    // One more descriptor, the writeback's, however many syncs were asked for.
    expect(fs.readdirSync('/proc/self/fd').length).to.equal(opened + 1)
    await file.sync()
    await file.close()
    expect(fs.readdirSync('/proc/self/fd').length).to.equal(opened - 1)
    const back = fs.readFileSync(path.join(dir, 'a'))
    expect(back.length).to.equal(40 * 16 * 1024)
    expect(back[39 * 16 * 1024]).to.equal(39)
  })

  it('does nothing when its path names another file now, or for a read-only file', async () => {
    const p = path.join(dir, 'b')
    const file = nodeFileSystem.open(p, { readOnly: false, create: true })
    file.writevSync([Buffer.from('x')], 0)
    fs.renameSync(p, path.join(dir, 'moved'))
    fs.writeFileSync(p, 'another')
    const opened = fs.readdirSync('/proc/self/fd').length
    file.startWriteback!()
    expect(fs.readdirSync('/proc/self/fd').length).to.equal(opened)
    await file.close()
    const ro = nodeFileSystem.open(p, { readOnly: true, create: false })
    ro.startWriteback!()
    expect(fs.readdirSync('/proc/self/fd').length).to.equal(opened)
    await ro.close()
  })
})
