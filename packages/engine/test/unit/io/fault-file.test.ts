import { expect } from 'chai'
import { FaultFile, FaultFileSystem } from '../../doubles/fault-file.js'
import { MemoryFile, MemoryFileSystem } from '../../../src/io/memory-file.js'
import { rejection, thrown } from './rejection.js'

function filled(length: number, value: number): Uint8Array {
  return new Uint8Array(length).fill(value)
}

function read(file: FaultFile, position: number, length: number): Uint8Array {
  const out = new Uint8Array(length)
  return out.subarray(0, file.readSync(out, 0, length, position))
}

describe('FaultFile', () => {
  let inner: MemoryFile
  let file: FaultFile

  beforeEach(() => {
    inner = new MemoryFile()
    file = new FaultFile(inner)
  })

  describe('counting', () => {
    it('counts each kind of operation; size() and close() are not counted', async () => {
      await file.writev([filled(10, 1)], 0)
      await file.writev([filled(10, 2), filled(5, 3)], 10)
      read(file, 0, 4)
      await file.sync()
      await file.truncate(20)
      await file.truncate(25)
      await file.truncate(30)
      file.size()
      await file.close()
      expect(file.counts).to.deep.equal({ read: 1, write: 2, sync: 1, truncate: 3 })
    })

    it('passes operations through to the wrapped file', async () => {
      await file.writev([filled(3, 7), filled(2, 8)], 4)
      expect(inner.bytes()).to.deep.equal(Uint8Array.of(0, 0, 0, 0, 7, 7, 7, 8, 8))
      expect(read(file, 3, 10)).to.deep.equal(Uint8Array.of(0, 7, 7, 7, 8, 8))
      expect(file.size()).to.equal(9)
      await file.truncate(5)
      expect(inner.size()).to.equal(5)
    })

    it("counts a sync on the caller's thread as a sync, and fails it by throwing", () => {
      file.syncSync()
      file.failNext('sync', 'EIO')
      const err = thrown(() => file.syncSync())
      expect(err.code).to.equal('EIO')
      expect(err.syscall).to.equal('fdatasync')
      expect(file.counts.sync).to.equal(2)
      expect(file.inlineSyncs).to.equal(2)
    })

    it('counts failed operations too', async () => {
      file.failNext('write')
      await rejection(file.writev([filled(1, 1)], 0))
      expect(file.counts.write).to.equal(1)
    })

    it('reset() restarts the count, and failAt counts from there', async () => {
      file.failAt('write', 2)
      await file.writev([filled(1, 1)], 0)
      file.reset()
      expect(file.counts.write).to.equal(0)
      await file.writev([filled(1, 1)], 0)
      expect((await rejection(file.writev([filled(1, 1)], 0))).code).to.equal('EIO')
    })
  })

  describe('failAt', () => {
    it('fails exactly the Nth write with the chosen errno, shaped like a Node fs error', async () => {
      file.failAt('write', 3, 'ENOSPC')
      await file.writev([filled(1, 1)], 0)
      await file.writev([filled(1, 2)], 1)
      const err = await rejection(file.writev([filled(1, 3)], 2))
      expect(err).to.be.instanceOf(Error)
      expect(err.code).to.equal('ENOSPC')
      expect(err.syscall).to.equal('writev')
      expect(err.message).to.match(/^ENOSPC/)
      await file.writev([filled(1, 4)], 3)
      expect(inner.bytes()).to.deep.equal(Uint8Array.of(1, 2, 0, 4))
    })

    it('fails a read synchronously with EIO', () => {
      file.failAt('read', 2, 'EIO')
      read(file, 0, 1)
      const err = thrown(() => read(file, 0, 1))
      expect(err.code).to.equal('EIO')
      expect(err.syscall).to.equal('read')
      expect(() => read(file, 0, 1)).to.not.throw()
    })

    it('once: only the Nth sync fails', async () => {
      file.failAt('sync', 2, 'EIO')
      await file.sync()
      expect((await rejection(file.sync())).code).to.equal('EIO')
      await file.sync()
      await file.sync()
      expect(file.counts.sync).to.equal(4)
    })

    it('once: a fault that fired is spent, so it does not fire again after reset()', async () => {
      file.failAt('write', 1)
      await rejection(file.writev([filled(1, 1)], 0))
      file.reset()
      await file.writev([filled(1, 1)], 0)
      expect(inner.bytes()).to.deep.equal(Uint8Array.of(1))
    })

    it('sticky: the Nth sync and every later one fail', async () => {
      file.failAt('sync', 2, 'EIO', { sticky: true })
      await file.sync()
      for (let i = 0; i < 3; i++) expect((await rejection(file.sync())).code).to.equal('EIO')
      await file.writev([filled(1, 1)], 0)
    })

    it('only fails the kind it was armed for', async () => {
      file.failAt('truncate', 1, 'EIO', { sticky: true })
      await file.writev([filled(4, 1)], 0)
      await file.sync()
      read(file, 0, 4)
      expect((await rejection(file.truncate(0))).code).to.equal('EIO')
      expect(inner.size()).to.equal(4)
    })

    it('failNext arms the operation after the ones already counted', async () => {
      await file.writev([filled(1, 1)], 0)
      await file.writev([filled(1, 1)], 0)
      file.failNext('write', 'EIO')
      expect((await rejection(file.writev([filled(1, 1)], 0))).code).to.equal('EIO')
      await file.writev([filled(1, 1)], 0)
    })

    it('clearFaults() disarms sticky faults and the size limit', async () => {
      file.failNext('write', 'EIO', { sticky: true })
      file.maxSize = 0
      await rejection(file.writev([filled(1, 1)], 0))
      file.clearFaults()
      await file.writev([filled(10, 1)], 0)
      expect(file.maxSize).to.equal(Infinity)
    })

    it('rejects an operation number below 1', () => {
      expect(() => file.failAt('write', 0)).to.throw(RangeError)
      expect(() => file.failAt('write', 1.5)).to.throw(RangeError)
    })
  })

  describe('a failed write writes nothing', () => {
    it('leaves bytes and size unchanged after an injected EIO', async () => {
      await file.writev([filled(600, 1)], 0)
      const before = inner.bytes()
      file.failNext('write', 'EIO')
      await rejection(file.writev([filled(300, 9), filled(700, 9)], 100))
      expect(inner.bytes()).to.deep.equal(before)
      expect(file.size()).to.equal(600)
    })
  })

  describe('maxSize (full disk)', () => {
    it('fails a write that would grow the file past maxSize with ENOSPC, writing nothing', async () => {
      file.maxSize = 1000
      await file.writev([filled(1000, 1)], 0)
      const before = inner.bytes()
      const err = await rejection(file.writev([filled(100, 2), filled(100, 3)], 900))
      expect(err.code).to.equal('ENOSPC')
      expect(inner.bytes()).to.deep.equal(before)
      expect(file.counts.write).to.equal(2)
    })

    it('still allows overwriting bytes the file already has', async () => {
      await file.writev([filled(2000, 1)], 0)
      file.maxSize = 1000
      await file.writev([filled(500, 2)], 1500)
      expect(read(file, 1500, 500)).to.deep.equal(filled(500, 2))
      expect((await rejection(file.writev([filled(1, 3)], 2000))).code).to.equal('ENOSPC')
    })

    it('can be lifted again', async () => {
      file.maxSize = 10
      await rejection(file.writev([filled(11, 1)], 0))
      file.maxSize = 11
      await file.writev([filled(11, 1)], 0)
      expect(file.size()).to.equal(11)
    })
  })
})

describe('FaultFileSystem', () => {
  it('wraps every handle, lets onOpen arm faults before the first operation, and keeps bytes across opens', async () => {
    const memory = new MemoryFileSystem()
    const fs = new FaultFileSystem(memory, { onOpen: (f) => f.failAt('read', 1, 'EIO') })
    const first = fs.open('db', { readOnly: false, create: true })
    expect(first).to.be.instanceOf(FaultFile)
    expect(fs.file('db')).to.equal(first)
    expect(thrown(() => read(first, 0, 1)).code).to.equal('EIO')
    await first.writev([filled(3, 5)], 0)

    fs.onOpen = undefined
    const second = fs.open('db', { readOnly: false, create: false })
    expect(second).to.not.equal(first)
    expect(second.counts).to.deep.equal({ read: 0, write: 0, sync: 0, truncate: 0 })
    expect(read(second, 0, 3)).to.deep.equal(filled(3, 5))
    expect(fs.file('db')).to.equal(second)
    expect(fs.exists('db')).to.equal(true)
    expect(fs.exists('other')).to.equal(false)
  })

  it("passes the wrapped file system's errors through", () => {
    const fs = new FaultFileSystem()
    expect(thrown(() => fs.open('missing', { readOnly: false, create: false })).code).to.equal('ENOENT')
    expect(thrown(() => fs.file('missing')).code).to.equal('ENOENT')
  })
})
