import { expect } from 'chai'
import { type Database, open } from '../../src/db/database.js'
import { MemoryFile, MemoryFileSystem } from '../../src/io/memory-file.js'
import { Prng } from '../../src/io/prng.js'
import { pageTxid } from '../../src/page/layout.js'
import { suiteSeed } from '../crash/harness.js'
import { Mirror, type ModelState, cloneState, dumpDb, fingerprintState, key, value } from '../crash/model.js'
import { type PageKind, mapPages } from './page-map.js'

const PATH = '/corrupt/db'
const PAGE_SIZE = 1024

interface Base {
  image: Uint8Array
  prev: ModelState
  last: ModelState
}

/**
 * A database with every kind of page: a bucket deep enough for branch pages, enough buckets for a
 * catalog branch, overflow values, and free pages. The last commit is small, so the state before
 * it (where a corrupt newest meta must lead) differs from the last in one key.
 */
async function buildBase(): Promise<Base> {
  const fs = new MemoryFileSystem()
  const db = await open(PATH, { journal: false, fileSystem: fs, lock: false, pageSize: PAGE_SIZE })
  let state: ModelState = new Map()
  const commit = async (fn: (m: Mirror) => void): Promise<void> => {
    let next: ModelState | undefined
    await db.update((tx) => {
      const m = new Mirror(tx, cloneState(state))
      fn(m)
      next = m.state
    })
    state = next!
  }
  await commit((m) => {
    for (let i = 0; i < 1500; i++) m.put('data', key(i), value(i, 30))
  })
  await commit((m) => {
    for (let i = 0; i < 60; i++) m.put(`bucket-with-a-longish-name-${i}`, key(i), value(i, 8))
  })
  await commit((m) => {
    for (let i = 0; i < 5; i++) m.put('ov', key(i), value(i, 2000 + i * 1000))
  })
  await commit((m) => {
    for (let i = 0; i < 1500; i += 3) m.del('data', key(i))
  })
  // Out-of-line keys (FORMAT.md §10): 600 bytes sharing all but their last bytes, so that branch
  // separators are out of line too, and one of several pages.
  await commit((m) => {
    for (let i = 0; i < 40; i++) m.put('long keys', Buffer.concat([Buffer.alloc(592, 'L'), key(i, '')]), value(i, 12))
    m.put('long keys', Buffer.alloc(3000, 'M'), value(99, 12))
  })
  const prev = state
  // The last commit leaves 'data' alone, so its branch pages are older than the newest meta.
  await commit((m) => m.put('bucket-with-a-longish-name-7', key(1000), value(1000, 30)))
  const ck = db.check()
  expect(ck.ok).to.equal(true)
  expect(ck.pages.free + ck.pages.pending).to.be.greaterThan(0)
  await db.close()
  return { image: fs.files.get(PATH)!.bytes(), prev, last: state }
}

function fsWith(image: Uint8Array): MemoryFileSystem {
  const fs = new MemoryFileSystem()
  fs.files.set(PATH, new MemoryFile(image))
  return fs
}

type Code = { code?: unknown; pageId?: unknown }

/**
 * Reads every bucket and key the expected state holds, by point gets and by scans. Each read must
 * return exactly the expected value or throw BTREE_CORRUPTION naming `pgid`; anything else (a
 * wrong value, a missing key, another error) is a failure. Returns the corruption errors seen.
 */
function readEverything(db: Database, expected: ModelState, pgid: number, failures: string[]): number {
  let seen = 0
  const guard = (what: string, fn: () => void): void => {
    try {
      fn()
    } catch (err) {
      const e = err as Error & Code
      if (e.code === 'BTREE_CORRUPTION' && e.pageId === pgid) seen++
      else failures.push(`${what}: ${String(e.code)} pageId ${String(e.pageId)} ${e.message}`)
    }
  }
  db.view((tx) => {
    guard('buckets()', () => {
      const names = tx.buckets()
      expect(names.sort()).to.deep.equal([...expected.keys()].sort())
    })
    for (const [name, entries] of expected) {
      guard(`bucket ${name}`, () => {
        const b = tx.bucket(name)
        if (b === undefined) {
          failures.push(`bucket ${name} missing`)
          return
        }
        for (const [hk, v] of entries) {
          guard(`get ${name}/${hk}`, () => {
            const got = b.get(Buffer.from(hk, 'hex'))
            if (got === undefined || Buffer.compare(got, v) !== 0) failures.push(`WRONG VALUE served for ${name}/${hk}`)
          })
        }
        guard(`scan ${name}`, () => {
          let n = 0
          for (const [k, v] of b.entries()) {
            const want = entries.get(Buffer.from(k).toString('hex'))
            if (want === undefined || Buffer.compare(want, v) !== 0)
              failures.push(`WRONG ENTRY served by a scan of ${name}`)
            n++
          }
          if (n !== entries.size) failures.push(`scan of ${name} returned ${n} entries, expected ${entries.size}`)
        })
      })
    }
  })
  return seen
}

interface Damage {
  name: string
  apply(page: Buffer, prng: Prng): void
}

const flip = (page: Buffer, byte: number, prng: Prng): void => {
  page[byte] = page[byte]! ^ (1 << prng.int(8))
}

const DAMAGE: Damage[] = [
  { name: 'bit flip in the checksum', apply: (p, prng) => flip(p, prng.int(4), prng) },
  { name: 'bit flip in the header', apply: (p, prng) => flip(p, 4 + prng.int(12), prng) },
  { name: 'bit flip in the body', apply: (p, prng) => flip(p, 16 + prng.int(p.length - 16), prng) },
  { name: 'zeroed page', apply: (p) => p.fill(0) },
]

describe('corruption is detected, never served', function () {
  this.timeout(120_000)
  const seed = suiteSeed('corruption')
  let base: Base
  let kinds: Map<number, PageKind>
  let newestTxid: number

  before(async () => {
    base = await buildBase()
    const map = mapPages(base.image, PAGE_SIZE)
    kinds = map.kinds
    newestTxid = map.newest.meta.txid
  })

  it('the base image has every kind of page', () => {
    const present = new Set(kinds.values())
    for (const k of [
      'meta',
      'catalog branch',
      'catalog leaf',
      'branch',
      'leaf',
      'overflow',
      'key overflow',
      'freelist',
    ] as PageKind[]) {
      expect(present.has(k), `no ${k} page`).to.equal(true)
    }
  })

  for (const kind of [
    'catalog branch',
    'catalog leaf',
    'branch',
    'leaf',
    'overflow',
    'key overflow',
    'freelist',
  ] as PageKind[]) {
    it(`${kind} pages: every page, bit flips and zeroing, reported as BTREE_CORRUPTION with its id`, async () => {
      const prng = new Prng(seed ^ kind.length)
      const failures: string[] = []
      const outcomes = { openFailed: 0, fellBack: 0, reported: 0 }
      const pages = [...kinds].filter(([, k]) => k === kind).map(([p]) => p)
      expect(pages.length).to.be.greaterThan(0)
      for (const pgid of pages) {
        for (const damage of DAMAGE) {
          const image = Buffer.from(base.image)
          const page = image.subarray(pgid * PAGE_SIZE, (pgid + 1) * PAGE_SIZE)
          const writtenByNewest = pageTxid(page) === newestTxid >>> 0
          damage.apply(page, prng)
          const where = `page ${pgid} (${kind}), ${damage.name}`
          let db: Database
          try {
            db = await open(PATH, { journal: false, fileSystem: fsWith(image), lock: false })
          } catch (err) {
            const e = err as Error & Code
            if (e.code === 'BTREE_CORRUPTION' && e.pageId === pgid) outcomes.openFailed++
            else failures.push(`${where}: open failed with ${String(e.code)} pageId ${String(e.pageId)}: ${e.message}`)
            continue
          }
          try {
            const before = failures.length
            if (db.txid !== newestTxid) {
              // Open fell back to the older meta: allowed only when the newest commit wrote this
              // page (it cannot tell bit rot from a torn write), and then the older state is whole.
              if (!writtenByNewest)
                failures.push(`${where}: fell back to txid ${db.txid} for a page the newest commit did not write`)
              if (fingerprintState(dumpDb(db)) !== fingerprintState(base.prev))
                failures.push(`${where}: fell back to a state that is not the previous commit`)
              const ck = db.check()
              if (!ck.ok) failures.push(`${where}: check after fallback: ${ck.errors[0]?.message}`)
              outcomes.fellBack++
              continue
            }
            const seen = readEverything(db, base.last, pgid, failures)
            const ck = db.check()
            if (ck.ok || !ck.errors.some((e) => e.pageId === pgid)) {
              failures.push(
                `${where}: check() did not report the page (${ck.errors.length} errors: ${ck.errors[0]?.message})`,
              )
            }
            // Only the free list is never read by a lookup once open: all other damage is seen by reads.
            if (seen === 0 && kind !== 'freelist') failures.push(`${where}: no read reported the damage`)
            if (failures.length === before) outcomes.reported++
          } catch (err) {
            failures.push(`${where}: unexpected throw ${(err as Error).stack}`)
          } finally {
            await db.close()
          }
        }
      }
      console.log(
        `        ${pages.length} ${kind} pages x ${DAMAGE.length}: open refused ${outcomes.openFailed}, fell back ${outcomes.fellBack}, reported by reads and check ${outcomes.reported}`,
      )
      expect(failures, failures.slice(0, 10).join('\n')).to.deep.equal([])
    })
  }

  for (const kind of [
    'catalog branch',
    'catalog leaf',
    'branch',
    'leaf',
    'overflow',
    'key overflow',
    'freelist',
  ] as PageKind[]) {
    it(`${kind} pages damaged under an open database without a cache: reads and check() report them`, async () => {
      const prng = new Prng(seed ^ (kind.length + 100))
      const failures: string[] = []
      // Up to 16 pages of the kind, spread over the file: each costs two full reads from disk.
      const all = [...kinds].filter(([, k]) => k === kind).map(([p]) => p)
      const pages = all.filter((_, i) => i % Math.ceil(all.length / 16) === 0)
      for (const pgid of pages) {
        for (const damage of DAMAGE) {
          const fs = fsWith(Buffer.from(base.image))
          // cacheSize 0: every read goes to the file, so the damage is met by the next read.
          const db = await open(PATH, { journal: false, fileSystem: fs, lock: false, cacheSize: 0 })
          const where = `page ${pgid} (${kind}), ${damage.name}`
          try {
            const file = fs.files.get(PATH)!
            const page = Buffer.alloc(PAGE_SIZE)
            file.readSync(page, 0, PAGE_SIZE, pgid * PAGE_SIZE)
            damage.apply(page, prng)
            await file.writev([page], pgid * PAGE_SIZE)
            const seen = readEverything(db, base.last, pgid, failures)
            if (seen === 0 && kind !== 'freelist') failures.push(`${where}: no read reported the damage`)
            const ck = db.check()
            if (ck.ok || !ck.errors.some((e) => e.pageId === pgid))
              failures.push(`${where}: check() did not report the page`)
            // A failed read caches nothing: reading again meets the damage again, the same way.
            const again = readEverything(db, base.last, pgid, failures)
            if (again !== seen) failures.push(`${where}: ${seen} reads failed, then ${again} on a second pass`)
          } catch (err) {
            failures.push(`${where}: unexpected throw ${(err as Error).stack}`)
          } finally {
            await db.close()
          }
        }
      }
      expect(failures, failures.slice(0, 10).join('\n')).to.deep.equal([])
    })
  }

  describe('meta pages', () => {
    const metaImage = (slot: 0 | 1, damage: Damage): Buffer => {
      const image = Buffer.from(base.image)
      damage.apply(image.subarray(slot * PAGE_SIZE, (slot + 1) * PAGE_SIZE), new Prng(seed))
      return image
    }

    for (const damage of DAMAGE) {
      it(`a corrupt newest meta (${damage.name}) falls back to the older one`, async () => {
        const map = mapPages(base.image, PAGE_SIZE)
        const db = await open(PATH, {
          journal: false,
          fileSystem: fsWith(metaImage(map.newest.slot, damage)),
          lock: false,
        })
        try {
          expect(db.txid).to.equal(map.older.meta.txid)
          expect(fingerprintState(dumpDb(db))).to.equal(fingerprintState(base.prev))
          const info = db.info()
          expect(info.activeMeta).to.equal(map.older.slot)
          expect(info.metas[map.newest.slot]!.valid).to.equal(false)
          const ck = db.check()
          expect(ck.ok, JSON.stringify(ck.errors)).to.equal(true)
          // The database goes on from the older commit.
          await db.update((tx) => tx.bucket('data')!.put(key(5000), value(1, 5)))
          expect(db.check().ok).to.equal(true)
        } finally {
          await db.close()
        }
      })

      it(`a corrupt older meta (${damage.name}) leaves the newest in use`, async () => {
        const map = mapPages(base.image, PAGE_SIZE)
        const db = await open(PATH, {
          journal: false,
          fileSystem: fsWith(metaImage(map.older.slot, damage)),
          lock: false,
        })
        try {
          expect(db.txid).to.equal(map.newest.meta.txid)
          expect(fingerprintState(dumpDb(db))).to.equal(fingerprintState(base.last))
          expect(db.check().ok).to.equal(true)
        } finally {
          await db.close()
        }
      })
    }

    it('both metas corrupt: open refuses with BTREE_CORRUPTION', async () => {
      const image = Buffer.from(base.image)
      image.fill(0x5a, 20, 40)
      image.fill(0x5a, PAGE_SIZE + 20, PAGE_SIZE + 40)
      let err: (Error & Code) | undefined
      try {
        await open(PATH, { journal: false, fileSystem: fsWith(image), lock: false })
      } catch (e) {
        err = e as Error & Code
      }
      expect(err?.code).to.equal('BTREE_CORRUPTION')
      expect(err?.pageId).to.be.oneOf([0, 1])
    })
  })

  it('damage on disk under an open database: check() reports it, reads of cached pages stay right', async () => {
    const fs = fsWith(base.image)
    const db = await open(PATH, { journal: false, fileSystem: fs, lock: false })
    try {
      expect(fingerprintState(dumpDb(db))).to.equal(fingerprintState(base.last))
      const leaf = [...kinds].find(([, k]) => k === 'leaf')![0]
      const file = fs.files.get(PATH)!
      const page = Buffer.alloc(PAGE_SIZE)
      file.readSync(page, 0, PAGE_SIZE, leaf * PAGE_SIZE)
      page[500] = page[500]! ^ 0x10
      await file.writev([page], leaf * PAGE_SIZE)
      const ck = db.check()
      expect(ck.ok).to.equal(false)
      expect(ck.errors.map((e) => e.pageId)).to.include(leaf)
      // The cache holds the page as verified when it was read: the values served are the true ones.
      expect(fingerprintState(dumpDb(db))).to.equal(fingerprintState(base.last))
    } finally {
      await db.close()
    }
  })
})
