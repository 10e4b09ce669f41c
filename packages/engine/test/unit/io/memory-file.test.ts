import { expect } from 'chai'
import { MemoryFile, MemoryFileSystem } from '../../../src/io/memory-file.js'
import { thrown } from './rejection.js'

function read(file: MemoryFile, position: number, length: number): Uint8Array {
  const out = new Uint8Array(length)
  return out.subarray(0, file.readSync(out, 0, length, position))
}

describe('MemoryFile', () => {
  it('grows past its initial capacity and reads short at the end', async () => {
    const file = new MemoryFile(Uint8Array.of(1, 2, 3))
    await file.writev([new Uint8Array(5000).fill(4), Uint8Array.of(5)], 10)
    expect(file.size()).to.equal(5011)
    expect(read(file, 0, 12)).to.deep.equal(Uint8Array.of(1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 4, 4))
    expect(read(file, 5009, 10)).to.deep.equal(Uint8Array.of(4, 5))
    expect(read(file, 6000, 10)).to.have.length(0)
  })

  it('shrinking then growing exposes zeros, not the old bytes', async () => {
    const file = new MemoryFile(new Uint8Array(100).fill(9))
    await file.truncate(10)
    await file.truncate(20)
    expect(file.bytes()).to.deep.equal(Uint8Array.of(...new Uint8Array(10).fill(9), ...new Uint8Array(10)))
    await file.writev([Uint8Array.of(1)], 30)
    expect(
      file
        .bytes()
        .subarray(20, 30)
        .every((b) => b === 0),
    ).to.equal(true)
  })

  it('rejects negative or fractional positions with RangeError, code ERR_OUT_OF_RANGE (as Node raises it)', () => {
    const file = new MemoryFile()
    for (const fn of [
      () => file.writeNow(Uint8Array.of(1), -1),
      () => file.truncateNow(1.5),
      () => read(file, -1, 1),
    ]) {
      const err = thrown(fn)
      expect(err).to.be.instanceOf(RangeError)
      expect(err.code).to.equal('ERR_OUT_OF_RANGE')
    }
  })

  it('MemoryFileSystem keeps files across opens and throws ENOENT without create', async () => {
    const fs = new MemoryFileSystem()
    expect(thrown(() => fs.open('a', { readOnly: false, create: false })).code).to.equal('ENOENT')
    const file = fs.open('a', { readOnly: false, create: true })
    await file.close()
    expect(fs.open('a', { readOnly: true, create: false })).to.equal(file)
    expect(file.closed).to.equal(false)
  })
})
