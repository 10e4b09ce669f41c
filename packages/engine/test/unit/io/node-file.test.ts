import { expect } from 'chai'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { NodeFile, nodeFileSystem } from '../../../src/io/node-file.js'

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

  it('stops starting writebacks once even the fastest of its first 16 alone took 2 ms (a disk whose flushes are slow); fast ones go on', async () => {
    const real = fs.fdatasync
    for (const delay of [0, 3]) {
      const file = nodeFileSystem.open(path.join(dir, `slow-${delay}`), { readOnly: false, create: true }) as NodeFile
      let calls = 0
      let inFlight = 0
      fs.fdatasync = ((fd: number, cb: (err: NodeJS.ErrnoException | null) => void) => {
        calls++
        inFlight++
        setTimeout(
          () =>
            real(fd, (err) => {
              inFlight--
              cb(err)
            }),
          delay,
        )
      }) as unknown as typeof fs.fdatasync
      try {
        for (let i = 0; i < 20; i++) {
          file.writevSync([Buffer.alloc(4096, i)], i * 4096)
          file.startWriteback()
          // One at a time, so that each is timed alone.
          while (inFlight > 0) await new Promise((r) => setTimeout(r, 1))
          await new Promise((r) => setImmediate(r))
        }
        expect(file.writesBack, `delay ${delay}`).to.equal(delay === 0)
        expect(calls, `delay ${delay}`).to.equal(delay === 0 ? 20 : 16)
      } finally {
        fs.fdatasync = real
        await file.close()
      }
    }
  })
})
