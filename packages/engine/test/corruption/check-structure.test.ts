import { expect } from 'chai'
import { open } from '../../src/db/database.js'
import { MemoryFile, MemoryFileSystem } from '../../src/io/memory-file.js'
import { branchChild, branchChildTxid, branchEntryOffset } from '../../src/page/branch-page.js'
import { decodeBucketRecord } from '../../src/page/bucket-record.js'
import { sealPage } from '../../src/page/checksum.js'
import {
  HEADER_SIZE,
  LONG_KEY_FLAG,
  OFF_COUNT,
  OVERFLOW_FLAG,
  OFF_PGID,
  OFF_TXID,
  OFF_TYPE,
  PageType,
  pageCount,
  pageType,
  setU16,
  setU32,
  u16,
  u32,
} from '../../src/page/layout.js'
import { encodeLeafEntries, leafEntryOffset, leafKeyStart } from '../../src/page/leaf-page.js'
import { type FreeListRecord, decodeFreeList, encodeFreeList } from '../../src/page/freelist-page.js'
import { type Meta, decodeMeta, encodeMeta } from '../../src/page/meta-page.js'

const PATH = '/check-structure/db'
const PS = 1024
const N = 1500

function key(i: number): Buffer {
  return Buffer.from(`k${String(i).padStart(5, '0')}`)
}

/** Opens the image `bytes` and returns the errors of its check(), which must find some. */
async function errorsOf(bytes: Uint8Array): Promise<string[]> {
  const fs = new MemoryFileSystem()
  fs.files.set(PATH, new MemoryFile(bytes))
  const db = await open(PATH, { fileSystem: fs, lock: false, journal: false })
  try {
    const report = db.check()
    expect(report.ok).to.equal(false)
    return report.errors.map((e) => e.message)
  } finally {
    await db.close()
  }
}

/** The newest valid meta of the image `bytes`, and its slot. */
function newest(bytes: Buffer): { meta: Meta; slot: 0 | 1 } {
  const metas = ([0, 1] as const).map((slot) => ({
    meta: decodeMeta(bytes.subarray(slot * PS, (slot + 1) * PS), slot),
    slot,
  }))
  const valid = metas.filter((m): m is { meta: Meta; slot: 0 | 1 } => typeof m.meta !== 'string')
  return valid.reduce((a, b) => (b.meta.txid > a.meta.txid ? b : a))
}

/** The free list (FORMAT.md §7) that `meta` names in the image `bytes`. */
function freeListOf(bytes: Buffer, meta: Meta): FreeListRecord {
  const body = Buffer.concat(
    Array.from({ length: meta.freelistPages }, (_, i) =>
      bytes.subarray((meta.freelist.pgid + i) * PS + HEADER_SIZE, (meta.freelist.pgid + i + 1) * PS),
    ),
  )
  const rec = decodeFreeList(body)
  if (typeof rec === 'string') throw new Error(rec)
  return rec
}

/**
 * check() on trees whose pages all carry valid checksums (FORMAT.md §4, §5, §7): a page edited and
 * resealed breaks one structural invariant that only check() can see, and check() names it. A
 * bit flip (corruption.test.ts) is caught by the checksum before any of these checks runs.
 */
describe('check(): structural damage in pages that verify', () => {
  let clean: Buffer

  before(async () => {
    const fs = new MemoryFileSystem()
    const db = await open(PATH, { fileSystem: fs, lock: false, pageSize: PS, journal: false })
    await db.update((tx) => {
      const b = tx.createBucket('b')
      for (let i = 0; i < N; i++) b.put(key(i), Buffer.alloc(40, i & 255))
      // One value in an overflow run (FORMAT.md §6), past a quarter of the 1 KiB page.
      b.put(key(N), Buffer.alloc(600, 7))
    })
    // A later commit that leaves 'b' alone: open then trusts its pages as durable (FORMAT.md §8)
    // rather than verifying them, and check() is what must find the damage.
    await db.update((tx) => {
      tx.createBucket('other').put(Buffer.from('x'), Buffer.from('y'))
      tx.createBucket('a-bucket-with-a-long-name')
    })
    expect(db.check().ok).to.equal(true)
    await db.close()
    clean = Buffer.from(fs.files.get(PATH)!.bytes())
  })

  function page(bytes: Buffer, p: number): Buffer {
    return bytes.subarray(p * PS, (p + 1) * PS)
  }

  /** The catalog leaf (one leaf in these images) and the entry offset of bucket `name`'s record there. */
  function catalogEntry(bytes: Buffer, name: string): { catalog: Buffer; off: number } {
    const catalog = page(bytes, newest(bytes).meta.catalog.pgid)
    expect(pageType(catalog)).to.equal(PageType.leaf)
    for (let i = 0; i < pageCount(catalog); i++) {
      const off = leafEntryOffset(catalog, i)
      if (catalog.subarray(leafKeyStart(off), leafKeyStart(off) + u16(catalog, off)).toString() === name)
        return { catalog, off }
    }
    throw new Error(`no bucket '${name}'`)
  }

  /** The root page of bucket `name`. */
  function bucketRoot(bytes: Buffer, name: string): number {
    const { catalog, off } = catalogEntry(bytes, name)
    const at = leafKeyStart(off) + u16(catalog, off)
    return decodeBucketRecord(catalog.subarray(at, at + u32(catalog, off + 2)), 0).root.pgid
  }

  /** Sets entry `i` of branch `p` to name child `child` (its page id and the txid it was written by). */
  function setChild(bytes: Buffer, p: number, i: number, child: number, txid: number): void {
    const b = page(bytes, p)
    setU32(b, branchEntryOffset(b, i), child)
    setU32(b, branchEntryOffset(b, i) + 4, txid)
  }

  /** The tree of 'b': root, its children branches b0 and b1, b0's leaves l0 and l1. */
  function tree(bytes: Buffer): { root: number; b0: number; b1: number; l0: number; l1: number } {
    const root = bucketRoot(bytes, 'b')
    const b0 = branchChild(page(bytes, root), 0)
    const b1 = branchChild(page(bytes, root), 1)
    expect(pageType(page(bytes, root))).to.equal(PageType.branch)
    expect(pageType(page(bytes, b0))).to.equal(PageType.branch)
    const l0 = branchChild(page(bytes, b0), 0)
    const l1 = branchChild(page(bytes, b0), 1)
    expect(pageType(page(bytes, l0))).to.equal(PageType.leaf)
    return { root, b0, b1, l0, l1 }
  }

  /** Applies `edit` to a copy of the clean image (it reseals what it changes), opens it and returns check()'s errors. */
  async function checkAfter(edit: (bytes: Buffer) => Uint8Array | void): Promise<string[]> {
    const copy = Buffer.from(clean)
    return errorsOf(edit(copy) ?? copy)
  }

  /**
   * Opens the clean image, then lets `edit` write to the file on disk under the open database (what
   * open verified stays as it was in memory) and returns check()'s errors, which read the disk.
   */
  async function checkUnderOpen(edit: (file: MemoryFile, bytes: Buffer) => void): Promise<string[]> {
    const fs = new MemoryFileSystem()
    fs.files.set(PATH, new MemoryFile(Buffer.from(clean)))
    const db = await open(PATH, { fileSystem: fs, lock: false, journal: false })
    try {
      expect(db.check().ok).to.equal(true)
      const file = fs.files.get(PATH)!
      edit(file, Buffer.from(file.bytes()))
      const report = db.check()
      expect(report.ok).to.equal(false)
      return report.errors.map((e) => e.message)
    } finally {
      await db.close()
    }
  }

  it('the clean image is a tree of three levels whose check() is clean', async () => {
    const { root, b0, l0, l1 } = tree(Buffer.from(clean))
    expect(pageCount(page(clean, root))).to.be.greaterThan(1)
    expect(pageCount(page(clean, b0))).to.be.greaterThan(1)
    expect([root, b0, l0, l1].every((p) => p >= 2)).to.equal(true)
  })

  it('a branch naming a meta page, or a page past the high-water mark, as a child', async () => {
    for (const child of [1, 100000]) {
      const errors = await checkAfter((bytes) => {
        const { root } = tree(bytes)
        setChild(bytes, root, 1, child, branchChildTxid(page(bytes, root), 1))
        sealPage(page(bytes, root))
      })
      expect(errors.join('\n')).to.match(new RegExp(`page ${child}: bucket 'b' page out of range \\[2, \\d+\\)`))
    }
  })

  it('a child that is not a branch or leaf page', async () => {
    const errors = await checkAfter((bytes) => {
      const { l1 } = tree(bytes)
      page(bytes, l1)[OFF_TYPE] = PageType.overflow
      sealPage(page(bytes, l1))
    })
    expect(errors.join('\n')).to.match(/bucket 'b': expected a branch or leaf page, found overflow/)
  })

  it("a page whose header names another page, or another txid than its parent's entry", async () => {
    let errors = await checkAfter((bytes) => {
      const { l1 } = tree(bytes)
      setU32(page(bytes, l1), OFF_PGID, l1 + 1)
      sealPage(page(bytes, l1))
    })
    expect(errors.join('\n')).to.match(/header names page \d+/)
    errors = await checkAfter((bytes) => {
      const { l1 } = tree(bytes)
      const p = page(bytes, l1)
      setU32(p, OFF_TXID, u32(p, OFF_TXID) + 1)
      sealPage(p)
    })
    expect(errors.join('\n')).to.match(/written by txid \d+, its parent expects \d+/)
  })

  it('an empty branch', async () => {
    const errors = await checkAfter((bytes) => {
      const { b0 } = tree(bytes)
      setU16(page(bytes, b0), OFF_COUNT, 0)
      sealPage(page(bytes, b0))
    })
    expect(errors.join('\n')).to.match(/empty branch/)
    // Its children are no longer reachable, nor free: leaked.
    expect(errors.join('\n')).to.match(/leaked: neither reachable, free, pending nor awaiting reclaim/)
  })

  it('a leaf one level above the others', async () => {
    // The root names b1's first leaf where it named b1: the keys still lie between the separators.
    const errors = await checkAfter((bytes) => {
      const { root, b1 } = tree(bytes)
      setChild(bytes, root, 1, branchChild(page(bytes, b1), 0), branchChildTxid(page(bytes, b1), 0))
      sealPage(page(bytes, root))
    })
    expect(errors.join('\n')).to.match(/leaf at depth 1, others at 2/)
  })

  it("a leaf's first key below its parent's separator", async () => {
    const errors = await checkAfter((bytes) => {
      const { l1 } = tree(bytes)
      const p = page(bytes, l1)
      p[leafKeyStart(leafEntryOffset(p, 0))] = 0x61 // 'a' < 'k': still the leaf's smallest key
      sealPage(p)
    })
    expect(errors.join('\n')).to.match(/key at index 0 below its parent's separator/)
  })

  it("a leaf's last key at or above the next separator", async () => {
    const errors = await checkAfter((bytes) => {
      const { l0 } = tree(bytes)
      const p = page(bytes, l0)
      const last = pageCount(p) - 1
      p[leafKeyStart(leafEntryOffset(p, last))] = 0x7a // 'z' > 'k': still the leaf's largest key
      sealPage(p)
    })
    expect(errors.join('\n')).to.match(/key at index \d+ not below the next separator/)
  })

  it('an inline key longer than the inline limit', async () => {
    // l0 rewritten with one entry whose 246-byte key is stored inline (the limit is 236 at 1 KiB).
    const long = Buffer.concat([key(0), Buffer.alloc(240, 0x78)])
    const errors = await checkAfter((bytes) => {
      const { l0 } = tree(bytes)
      const p = page(bytes, l0)
      p.fill(0, HEADER_SIZE)
      setU16(p, OFF_COUNT, 1)
      encodeLeafEntries(p, [long], [Buffer.from([1])], null)
      sealPage(p)
    })
    expect(errors.join('\n')).to.match(/inline key at index 0 of 246 bytes, past the inline limit/)
    // The bucket's record still counts the entries the leaf held.
    expect(errors.join('\n')).to.match(new RegExp(`bucket 'b' records ${N + 1} keys, holds \\d+`))
  })

  it('an overflow run whose page is of another type', async () => {
    const errors = await checkAfter((bytes) => {
      const runs = Array.from({ length: bytes.length / PS }, (_, p) => p).filter(
        (p) => p >= 2 && pageType(page(bytes, p)) === PageType.overflow,
      )
      expect(runs).to.have.length(1)
      page(bytes, runs[0]!)[OFF_TYPE] = PageType.leaf
      sealPage(page(bytes, runs[0]!))
    })
    expect(errors.join('\n')).to.match(/expected an overflow page, found leaf/)
  })

  it('an overflow value in a bucket whose record says it has none (FORMAT.md §9)', async () => {
    const errors = await checkAfter((bytes) => {
      const { catalog, off } = catalogEntry(bytes, 'b')
      setU32(catalog, leafKeyStart(off) + u16(catalog, off) + 16, 0)
      sealPage(catalog)
    })
    expect(errors.join('\n')).to.match(/overflow value at index \d+ in bucket 'b', whose record says it has none/)
  })

  it('a bucket record of another size than 20 bytes, written on disk under an open database', async () => {
    // A catalog page is always the newest commit's: open verifies it (FORMAT.md §8) and would
    // fall back to the commit before. Under an open database, check() reads it from disk.
    const errors = await checkUnderOpen((file, bytes) => {
      const { catalog, off } = catalogEntry(bytes, 'b')
      setU32(catalog, off + 2, 19)
      sealPage(catalog)
      file.writevSync([catalog], newest(bytes).meta.catalog.pgid * PS)
    })
    expect(errors.join('\n')).to.match(/bucket 'b': record of 19 bytes/)
  })

  it('a bucket with an empty name, written on disk under an open database', async () => {
    // The catalog entry of 'other' keeps its bytes, its key field now saying 0: an empty name (and
    // a record read from where the name was, whatever that makes of it).
    const errors = await checkUnderOpen((file, bytes) => {
      const { catalog, off } = catalogEntry(bytes, 'other')
      setU16(catalog, off, 0)
      sealPage(catalog)
      file.writevSync([catalog], newest(bytes).meta.catalog.pgid * PS)
    })
    expect(errors.join('\n')).to.match(/empty bucket name at index 2/)
  })

  it("an out-of-line key in a branch's entry 0", async () => {
    // Entry 0 stands for "below every key" and holds none (FORMAT.md §5); its key field now says
    // an out-of-line key part of 12 bytes (whatever the bytes after it make of the reference).
    const errors = await checkAfter((bytes) => {
      const { root } = tree(bytes)
      const p = page(bytes, root)
      setU16(p, branchEntryOffset(p, 0) + 8, LONG_KEY_FLAG | 12)
      sealPage(p)
    })
    expect(errors.join('\n')).to.match(/entry 0 of a branch has an out-of-line key/)
  })

  it('a bucket name stored out of line, or a bucket record as overflow, on disk under an open database', async () => {
    // The catalog's own rules (FORMAT.md §9): names and records always inline.
    const name = 'a-bucket-with-a-long-name'
    let errors = await checkUnderOpen((file, bytes) => {
      const { catalog, off } = catalogEntry(bytes, name)
      setU16(catalog, off, LONG_KEY_FLAG | name.length)
      sealPage(catalog)
      file.writevSync([catalog], newest(bytes).meta.catalog.pgid * PS)
    })
    expect(errors.join('\n')).to.match(/bucket name at index 0 stored out of line/)
    errors = await checkUnderOpen((file, bytes) => {
      const { catalog, off } = catalogEntry(bytes, 'other')
      setU32(catalog, off + 2, OVERFLOW_FLAG + 20)
      sealPage(catalog)
      file.writevSync([catalog], newest(bytes).meta.catalog.pgid * PS)
    })
    expect(errors.join('\n')).to.match(/bucket record at index 2 stored as overflow/)
  })

  it('a page past every tree and the free list: leaked', async () => {
    // The meta's high-water mark one page further, over a page of zeros that nothing names.
    const errors = await checkAfter((bytes) => {
      const { meta, slot } = newest(bytes)
      const grown = Buffer.concat([bytes, Buffer.alloc(PS)])
      encodeMeta({ ...meta, highWater: meta.highWater + 1 }, slot).copy(grown, slot * PS)
      return grown
    })
    expect(errors).to.have.length(1)
    expect(errors[0]).to.match(/^page \d+: leaked: neither reachable, free, pending nor awaiting reclaim$/)
  })

  it('the active meta damaged on disk under an open database', async () => {
    // Both metas: whichever is active reads as invalid (the other one is not reported).
    const errors = await checkUnderOpen((file) => {
      for (const slot of [0, 1]) file.writevSync([Buffer.alloc(8, 0xee)], slot * PS + 20)
    })
    expect(errors).to.have.length(1)
    expect(errors[0]).to.match(/^page [01]: active meta invalid: /)
  })

  describe('the free list (FORMAT.md §7), rewritten on disk under an open database', () => {
    /** Opens the clean image, rewrites its free list on disk as `edit` makes it (sealed), returns check()'s errors. */
    async function checkFreeList(
      edit: (free: number[], bytes: Buffer) => number[],
      type: number = PageType.freelist,
    ): Promise<string[]> {
      return checkUnderOpen((file, bytes) => {
        const { meta } = newest(bytes)
        const rec = freeListOf(bytes, meta)
        expect(rec.free.length).to.be.greaterThan(1)
        const room = (PS - HEADER_SIZE) * meta.freelistPages
        expect(room).to.be.at.least(8 + 4 * (rec.free.length + 1) + 12 * rec.reclaim.length)
        const { pgid, txid } = meta.freelist
        const pages = encodeFreeList({ ...rec, free: edit(rec.free, bytes) }, pgid, txid, PS, meta.freelistPages)
        for (const [i, p] of pages.entries()) {
          p[OFF_TYPE] = type
          sealPage(p)
          file.writevSync([p], (pgid + i) * PS)
        }
      })
    }

    it('a page named twice', async () => {
      const errors = await checkFreeList((free) => [free[0]!, ...free])
      expect(errors.join('\n')).to.match(/free list names a page twice/)
    })

    it('ids out of ascending order', async () => {
      const errors = await checkFreeList((free) => [free[1]!, free[0]!, ...free.slice(2)])
      expect(errors).to.have.length(1)
      expect(errors[0]).to.match(/free list not in ascending order/)
    })

    it('a free page missing from the list on disk', async () => {
      let dropped = 0
      const errors = await checkFreeList((free) => {
        dropped = free[0]!
        return free.slice(1)
      })
      expect(errors).to.deep.equal([`page ${dropped}: free in memory but not in the free list on disk`])
    })

    it('a page on the list on disk that is not free in memory', async () => {
      let added = 0
      const errors = await checkFreeList((free, bytes) => {
        added = tree(bytes).l0
        return [...free, added].sort((a, b) => a - b)
      })
      expect(errors).to.deep.equal([`page ${added}: in the free list on disk but not in memory`])
    })

    it('a free-list page of another type', async () => {
      const errors = await checkFreeList((free) => free, PageType.leaf)
      expect(errors.join('\n')).to.match(/expected a free-list page/)
    })
  })
})

describe('check(): a dropped bucket awaiting reclaim, its record resealed with another height', () => {
  it('reports the height the record gives against the depth of its leaves', async () => {
    const fs = new MemoryFileSystem()
    const db = await open(PATH, { fileSystem: fs, lock: false, pageSize: PS, journal: false })
    await db.update((tx) => {
      const d = tx.createBucket('d')
      for (let i = 0; i < N; i++) d.put(key(i), Buffer.alloc(40, i & 255))
      tx.createBucket('keep').put(Buffer.from('x'), Buffer.from('y'))
    })
    // The drop appends the tree's root to the reclaim list (FORMAT.md §7); the dropping commit
    // does not start on it, and no later commit runs before the file is closed.
    await db.update((tx) => tx.deleteBucket('d'))
    expect(db.check().ok).to.equal(true)
    await db.close()
    const bytes = Buffer.from(fs.files.get(PATH)!.bytes())
    const { meta } = newest(bytes)
    const rec = freeListOf(bytes, meta)
    expect(rec.reclaim).to.have.length(1)
    const entry = rec.reclaim[0]!
    if (entry.kind !== 'subtree') throw new Error(`a ${entry.kind} entry`)
    expect(entry.height).to.equal(2)
    const pages = encodeFreeList(
      { free: rec.free, reclaim: [{ ...entry, height: 3 }] },
      meta.freelist.pgid,
      meta.freelist.txid,
      PS,
      meta.freelistPages,
    )
    for (const [i, p] of pages.entries()) p.copy(bytes, (meta.freelist.pgid + i) * PS)
    expect(await errorsOf(bytes)).to.deep.equal([
      `page ${entry.pgid}: dropped subtree recorded at height 3, its leaves are 2 below`,
    ])
  })
})

describe('check(): a free list that fails its checksum under a checkpoint meta', () => {
  it('a writable open refuses it (BTREE_CORRUPTION), a read-only one opens and check() reports it', async () => {
    // Through the journal, the file's meta is a checkpoint's, durable by itself (FORMAT.md §11):
    // open does not verify its pages, so nothing falls back past the damaged free list.
    const fs = new MemoryFileSystem()
    const db = await open(PATH, { fileSystem: fs, lock: false, pageSize: PS })
    await db.update((tx) => {
      const b = tx.createBucket('b')
      for (let i = 0; i < 200; i++) b.put(key(i), Buffer.alloc(40, 1))
    })
    await db.checkpoint()
    await db.update((tx) => {
      for (let i = 0; i < 200; i += 2) tx.bucket('b')!.put(key(i), Buffer.alloc(40, 2))
    })
    await db.close()
    const bytes = Buffer.from(fs.files.get(PATH)!.bytes())
    const { meta } = newest(bytes)
    expect(meta.freelist.pgid).to.not.equal(0)
    expect(freeListOf(bytes, meta).free.length).to.be.greaterThan(0)
    const at = meta.freelist.pgid * PS + HEADER_SIZE + 1
    bytes[at] = bytes[at]! ^ 1
    const damaged = new MemoryFileSystem()
    damaged.files.set(PATH, new MemoryFile(bytes))
    const refused = await open(PATH, { fileSystem: damaged, lock: false }).then(
      () => undefined,
      (err: unknown) => err,
    )
    expect(refused).to.have.property('code', 'BTREE_CORRUPTION')
    const readOnly = await open(PATH, { fileSystem: damaged, lock: false, readOnly: true })
    try {
      const report = readOnly.check()
      expect(report.ok).to.equal(false)
      expect(report.errors.map((e) => e.message)).to.have.length(1)
      expect(report.errors[0]!.message).to.match(new RegExp(`^page ${meta.freelist.pgid}: free list unreadable: `))
    } finally {
      await readOnly.close()
    }
  })
})
