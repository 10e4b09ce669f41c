import { expect } from 'chai'
import { isCrash, PowerLossFile, PowerLossFileSystem } from '../../doubles/power-loss-file.js'
import { rejection, thrown } from './rejection.js'

const SECTOR = 512

function filled(length: number, value: number): Uint8Array {
  return new Uint8Array(length).fill(value)
}

function read(file: PowerLossFile, position: number, length: number): Uint8Array {
  const out = new Uint8Array(length)
  return out.subarray(0, file.readSync(out, 0, length, position))
}

/** Sector `i` of `image`, padded with zeros past its end (a missing sector reads as a hole). */
function sector(image: Uint8Array, i: number): Uint8Array {
  const out = new Uint8Array(SECTOR)
  out.set(image.subarray(i * SECTOR, (i + 1) * SECTOR))
  return out
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i])
}

describe('PowerLossFile', () => {
  describe('reads and durability', () => {
    it('reads see unsynced writes, like the page cache', async () => {
      const file = new PowerLossFile()
      await file.writev([filled(4, 1), filled(4, 2)], 2)
      expect(read(file, 0, 20)).to.deep.equal(Uint8Array.of(0, 0, 1, 1, 1, 1, 2, 2, 2, 2))
      expect(file.size()).to.equal(10)
      expect(file.pendingWrites).to.equal(1)
      expect(file.durableBytes()).to.deep.equal(new Uint8Array(0))
    })

    it('keeps the written bytes even if the caller reuses its buffer', async () => {
      const file = new PowerLossFile()
      const buffer = filled(8, 1)
      await file.writev([buffer], 0)
      buffer.fill(9)
      expect(file.crashImage({ mode: 'random', keepProbability: 1, tearProbability: 0 })).to.deep.equal(filled(8, 1))
    })

    it('sync() makes every earlier write durable', async () => {
      const file = new PowerLossFile()
      await file.writev([filled(600, 1)], 0)
      await file.writev([filled(100, 2)], 1000)
      await file.sync()
      expect(file.pendingWrites).to.equal(0)
      expect(file.durableBytes()).to.deep.equal(file.bytes())
      expect(file.crashImage({ mode: 'drop-all' })).to.deep.equal(file.bytes())
    })

    it('syncSync() makes every earlier write durable on return, and counts as a sync', async () => {
      const file = new PowerLossFile(undefined, { slowSync: true })
      file.writevSync([filled(600, 1)], 0)
      file.syncSync()
      expect(file.pendingWrites).to.equal(0)
      expect(file.crashImage({ mode: 'drop-all' })).to.deep.equal(filled(600, 1))
      expect(file.counts.sync).to.equal(1)
      expect(file.inlineSyncs).to.equal(1)
    })

    it('a slow sync covers the writes made before it began, not those made while it ran', async () => {
      const file = new PowerLossFile(undefined, { slowSync: true })
      await file.writev([filled(10, 1)], 0)
      const first = file.sync()
      await file.writev([filled(10, 2)], 10)
      await first
      expect(file.crashImage({ mode: 'drop-all' })).to.deep.equal(filled(10, 1))
      // A sync on the caller's thread meanwhile covers everything before it; the slow one then
      // adds nothing written after it began.
      const second = file.sync()
      file.syncSync()
      await file.writev([filled(10, 3)], 20)
      await second
      expect(file.crashImage({ mode: 'drop-all' })).to.deep.equal(Uint8Array.of(...filled(10, 1), ...filled(10, 2)))
      expect(file.pendingWrites).to.equal(1)
    })

    it('counts slow syncs begun while another one runs (overlappingSyncs)', async () => {
      const file = new PowerLossFile(undefined, { slowSync: true })
      await file.sync()
      expect(file.overlappingSyncs).to.equal(0)
      await Promise.all([file.sync(), file.sync(), file.sync()])
      expect(file.overlappingSyncs).to.equal(2)
    })

    it('drop-all returns the image as of the last sync', async () => {
      const file = new PowerLossFile(filled(1024, 7))
      await file.writev([filled(512, 1)], 0)
      await file.sync()
      const synced = file.bytes()
      await file.writev([filled(512, 2)], 512)
      await file.writev([filled(512, 3)], 1024)
      expect(file.crashImage({ mode: 'drop-all' })).to.deep.equal(synced)
    })

    it('keep-all returns the latest contents, whole', async () => {
      const file = new PowerLossFile()
      await file.writev([filled(1024, 1)], 0)
      await file.sync()
      await file.writev([filled(700, 2)], 300)
      await file.writev([filled(100, 3)], 2000)
      expect(file.crashImage({ mode: 'keep-all', tearProbability: 1 })).to.deep.equal(file.bytes())
      expect(file.crashImage({ mode: 'keep-all' })).to.have.length(2100)
    })
  })

  describe('random crash images', () => {
    /** Overlapping, sector-aligned writes, each with its own fill byte, none synced. */
    async function scribbled(): Promise<{ file: PowerLossFile; versions: Uint8Array[][] }> {
      const file = new PowerLossFile(filled(8 * SECTOR, 0xee))
      const versions: Uint8Array[][] = Array.from({ length: 12 }, (_, i) => [sector(file.bytes(), i)])
      const writes = [
        [0, 4],
        [2, 6],
        [5, 3],
        [7, 5],
        [1, 1],
        [9, 3],
      ] as const
      for (const [index, [first, count]] of writes.entries()) {
        await file.writev([filled(count * SECTOR, index + 1)], first * SECTOR)
        for (let s = first; s < first + count; s++) versions[s]!.push(filled(SECTOR, index + 1))
      }
      // Sectors past the durable end read as zeros when no write reaching them survived.
      for (let s = 8; s < 12; s++) versions[s]!.push(new Uint8Array(SECTOR))
      return { file, versions }
    }

    it('is reproducible for a seed, and varies between seeds', async () => {
      const { file } = await scribbled()
      const options = { mode: 'random', keepProbability: 0.5, tearProbability: 0.5 } as const
      const images = new Set<string>()
      for (let seed = 0; seed < 20; seed++) {
        const a = file.crashImage({ ...options, seed })
        expect(file.crashImage({ ...options, seed })).to.deep.equal(a)
        images.add(Buffer.from(a).toString('hex'))
      }
      expect(images.size).to.be.above(5)
    })

    it('makes every sector the durable one or one of the versions written to it', async () => {
      const { file, versions } = await scribbled()
      for (let seed = 0; seed < 300; seed++) {
        const image = file.crashImage({ mode: 'random', seed, tearProbability: 0.5 })
        expect(image.length % SECTOR, `seed ${seed}`).to.equal(0)
        for (let s = 0; s < image.length / SECTOR; s++) {
          const actual = sector(image, s)
          expect(
            versions[s]!.some((v) => equal(v, actual)),
            `seed ${seed} sector ${s}`,
          ).to.equal(true)
        }
      }
    })

    it('applies kept writes in varying orders, so an older write can land last', async () => {
      const file = new PowerLossFile()
      await file.writev([filled(SECTOR, 1)], 0)
      await file.writev([filled(SECTOR, 2)], 0)
      const seen = new Set<number>()
      for (let seed = 0; seed < 50; seed++) {
        seen.add(file.crashImage({ mode: 'random', seed, keepProbability: 1, tearProbability: 0 })[0]!)
      }
      expect([...seen].sort()).to.deep.equal([1, 2])
    })

    it('keepProbability 0 keeps nothing; keepProbability 1 without tearing keeps disjoint writes whole', async () => {
      const file = new PowerLossFile(filled(100, 5))
      await file.writev([filled(1000, 1)], 50)
      await file.writev([filled(1000, 2)], 3000)
      for (let seed = 0; seed < 10; seed++) {
        expect(file.crashImage({ mode: 'random', seed, keepProbability: 0 })).to.deep.equal(filled(100, 5))
        expect(file.crashImage({ mode: 'random', seed, keepProbability: 1, tearProbability: 0 })).to.deep.equal(
          file.bytes(),
        )
      }
    })

    it('tears writes at 512-byte sectors aligned to the file, each piece all or nothing', async () => {
      const file = new PowerLossFile(filled(2048, 0))
      // Covers the tail of sector 0, all of sector 1 and the head of sector 2.
      await file.writev([filled(1300 - 100, 9)], 100)
      const pieces = [
        [100, 512],
        [512, 1024],
        [1024, 1300],
      ] as const
      const patterns = new Set<string>()
      for (let seed = 0; seed < 200; seed++) {
        const image = file.crashImage({ mode: 'random', seed, keepProbability: 1, tearProbability: 1 })
        expect(image.subarray(0, 100).every((b) => b === 0)).to.equal(true)
        expect(image.subarray(1300).every((b) => b === 0)).to.equal(true)
        let pattern = ''
        for (const [from, to] of pieces) {
          const piece = image.subarray(from, to)
          const whole = piece.every((b) => b === 9)
          expect(whole || piece.every((b) => b === 0), `seed ${seed} piece ${from}`).to.equal(true)
          pattern += whole ? '1' : '0'
        }
        patterns.add(pattern)
      }
      expect(patterns.size).to.equal(8)
    })

    it('honours sectorSize', async () => {
      const file = new PowerLossFile(undefined, { sectorSize: 4096 })
      await file.writev([filled(8192, 3)], 0)
      const patterns = new Set<string>()
      for (let seed = 0; seed < 50; seed++) {
        const image = file.crashImage({ mode: 'random', seed, keepProbability: 1, tearProbability: 1 })
        let pattern = ''
        for (let s = 0; s < 2; s++) {
          const block = image.subarray(s * 4096, (s + 1) * 4096)
          const whole = block.length === 4096 && block.every((b) => b === 3)
          expect(whole || block.every((b) => b === 0), `seed ${seed} sector ${s}`).to.equal(true)
          pattern += whole ? '1' : '0'
        }
        patterns.add(pattern)
      }
      expect([...patterns].sort()).to.deep.equal(['00', '01', '10', '11'])
    })

    it('rejects probabilities outside [0, 1]', () => {
      const file = new PowerLossFile()
      expect(() => file.crashImage({ mode: 'random', keepProbability: 2 })).to.throw(RangeError)
      expect(() => file.crashImage({ mode: 'random', tearProbability: -0.1 })).to.throw(RangeError)
    })
  })

  describe('truncate', () => {
    it('is durable at once and cuts unsynced writes past the new size', async () => {
      const file = new PowerLossFile()
      await file.writev([filled(4096, 1)], 0)
      await file.sync()
      await file.writev([filled(2048, 2)], 1024)
      await file.writev([filled(100, 3)], 3000)
      await file.truncate(2048)
      expect(file.size()).to.equal(2048)
      expect(file.crashImage({ mode: 'drop-all' })).to.deep.equal(filled(2048, 1))
      expect(file.crashImage({ mode: 'keep-all' })).to.deep.equal(file.bytes())
      for (let seed = 0; seed < 50; seed++) {
        expect(file.crashImage({ mode: 'random', seed, tearProbability: 0.5 })).to.have.length(2048)
      }
    })

    it('growing exposes zeros in the durable image', async () => {
      const file = new PowerLossFile(filled(10, 1))
      await file.truncate(20)
      expect(file.crashImage({ mode: 'drop-all' })).to.deep.equal(
        Uint8Array.of(...filled(10, 1), ...new Uint8Array(10)),
      )
    })
  })

  describe('crashAt', () => {
    it('crashes at the Nth write: that write has no effect and every later operation throws ECRASH', async () => {
      const file = new PowerLossFile()
      file.crashAt('write', 3)
      await file.writev([filled(10, 1)], 0)
      await file.writev([filled(10, 2)], 10)
      const before = file.bytes()
      const err = await rejection(file.writev([filled(10, 3)], 20))
      expect(err.code).to.equal('ECRASH')
      expect(file.crashed).to.equal(true)
      expect(file.bytes()).to.deep.equal(before)
      expect(thrown(() => read(file, 0, 1)).code).to.equal('ECRASH')
      expect((await rejection(file.writev([filled(1, 4)], 0))).code).to.equal('ECRASH')
      expect((await rejection(file.sync())).code).to.equal('ECRASH')
      expect((await rejection(file.truncate(0))).code).to.equal('ECRASH')
      expect(file.size()).to.equal(20)
      expect(file.crashImage({ mode: 'keep-all' })).to.deep.equal(before)
      expect(file.crashImage({ mode: 'drop-all' })).to.deep.equal(new Uint8Array(0))
      await file.close()
    })

    it('crashes at the Nth sync, which then makes nothing durable', async () => {
      const file = new PowerLossFile()
      file.crashAt('sync', 2)
      await file.writev([filled(10, 1)], 0)
      await file.sync()
      await file.writev([filled(10, 2)], 10)
      expect(isCrash(await rejection(file.sync()))).to.equal(true)
      expect(file.crashImage({ mode: 'drop-all' })).to.deep.equal(filled(10, 1))
      expect(file.counts).to.deep.equal({ read: 0, write: 2, sync: 2, truncate: 0 })
    })

    it("crashes at a sync on the caller's thread, which then makes nothing durable", () => {
      const fs = new PowerLossFileSystem()
      const file = fs.open('/a', { readOnly: false, create: true })
      fs.clock.crashAt(2)
      file.writevSync([filled(10, 1)], 0)
      expect(isCrash(thrown(() => file.syncSync()))).to.equal(true)
      expect(file.crashImage({ mode: 'drop-all' })).to.deep.equal(new Uint8Array(0))
      expect(fs.inlineSyncs).to.equal(1)
    })

    it("'any' counts writes and syncs together", async () => {
      const file = new PowerLossFile()
      file.crashAt('any', 3)
      await file.writev([filled(1, 1)], 0)
      await file.sync()
      read(file, 0, 1)
      await file.truncate(1)
      expect(isCrash(await rejection(file.writev([filled(1, 2)], 1)))).to.equal(true)
    })

    it('can crash at a truncate', async () => {
      const file = new PowerLossFile(filled(100, 1))
      file.crashAt('truncate', 1)
      expect(isCrash(await rejection(file.truncate(10)))).to.equal(true)
      expect(file.crashImage({ mode: 'drop-all' })).to.have.length(100)
    })

    it('refuses an operation number that has already begun', async () => {
      const file = new PowerLossFile()
      await file.writev([filled(1, 1)], 0)
      expect(() => file.crashAt('write', 1)).to.throw(RangeError)
      expect(() => file.crashAt('any', 0)).to.throw(RangeError)
      file.crashAt('write', 2)
    })

    it('isCrash() sees ECRASH through a cause chain and nothing else', () => {
      const crash = Object.assign(new Error('ECRASH'), { code: 'ECRASH' })
      expect(isCrash(crash)).to.equal(true)
      expect(isCrash(new Error('wrapped', { cause: new Error('again', { cause: crash }) }))).to.equal(true)
      expect(isCrash(Object.assign(new Error('EIO'), { code: 'EIO' }))).to.equal(false)
      expect(isCrash(undefined)).to.equal(false)
      expect(isCrash('ECRASH')).to.equal(false)
    })
  })
})

describe('PowerLossFileSystem', () => {
  it('keeps one file per path across opens, and ENOENT without create', async () => {
    const fs = new PowerLossFileSystem()
    expect(thrown(() => fs.open('db', { readOnly: false, create: false })).code).to.equal('ENOENT')
    const file = fs.open('db', { readOnly: false, create: true })
    await file.writev([filled(3, 1)], 0)
    expect(fs.open('db', { readOnly: false, create: false })).to.equal(file)
    expect(fs.exists('db')).to.equal(true)
    expect(fs.exists('other')).to.equal(false)
  })

  it('reopenAfterCrash replaces the file with its crash image and kills the old one', async () => {
    const fs = new PowerLossFileSystem({ onCreate: (f) => f.crashAt('write', 2) })
    const file = fs.open('db', { readOnly: false, create: true })
    await file.writev([filled(SECTOR, 1)], 0)
    await file.sync()
    expect(isCrash(await rejection(file.writev([filled(SECTOR, 2)], SECTOR)))).to.equal(true)
    const fresh = fs.reopenAfterCrash('db', { mode: 'keep-all' })
    expect(fs.open('db', { readOnly: false, create: false })).to.equal(fresh)
    expect(fresh.crashed).to.equal(false)
    expect(fresh.counts).to.deep.equal({ read: 0, write: 0, sync: 0, truncate: 0 })
    expect(fresh.pendingWrites).to.equal(0)
    expect(fresh.bytes()).to.deep.equal(filled(SECTOR, 1))
    expect(fresh.durableBytes()).to.deep.equal(filled(SECTOR, 1))

    // A crash without crashAt: the old handle must stop, not show bytes the disk lost.
    await fresh.writev([filled(10, 3)], 0)
    fs.reopenAfterCrash('db', { mode: 'drop-all' })
    expect(thrown(() => read(fresh, 0, 1)).code).to.equal('ECRASH')
    expect(fs.file('db').bytes()).to.deep.equal(filled(SECTOR, 1))
  })

  it("supports counting a workload's crash points and crashing at each one", async () => {
    // The workload commits A then B; after a crash the file must hold nothing, A, or A then B.
    async function workload(fs: PowerLossFileSystem): Promise<void> {
      const file = fs.open('db', { readOnly: false, create: true })
      await file.writev([filled(SECTOR, 0xa)], 0)
      await file.sync()
      await file.writev([filled(SECTOR, 0xb)], SECTOR)
      await file.sync()
    }
    const counting = new PowerLossFileSystem()
    await workload(counting)
    const total = counting.file('db').counts.write + counting.file('db').counts.sync
    expect(total).to.equal(4)

    const durable: string[] = []
    for (let n = 1; n <= total; n++) {
      const fs = new PowerLossFileSystem({ onCreate: (f) => f.crashAt('any', n) })
      const err = await rejection(workload(fs))
      expect(isCrash(err), `crash point ${n}`).to.equal(true)
      const after = fs.reopenAfterCrash('db', { mode: 'drop-all' }).bytes()
      const label = { 0: '', [SECTOR]: 'A', [2 * SECTOR]: 'AB' }[after.length]
      expect(label, `crash point ${n} left ${after.length} bytes`).to.be.a('string')
      durable.push(label!)
    }
    expect(durable).to.deep.equal(['', '', 'A', 'A'])
  })
})
