import { expect } from 'chai'
import { open } from '../../src/db/database.js'
import { MemoryFile, MemoryFileSystem } from '../../src/io/memory-file.js'
import { sealPage } from '../../src/page/checksum.js'
import { LEAF_ENTRY_HEADER, LONG_KEY_REF_SIZE, PageType, pageCount, pageType, setU32 } from '../../src/page/layout.js'
import { leafEntryOffset, leafKeyRun } from '../../src/page/leaf-page.js'

const PATH = '/long-keys/db'
const PS = 1024

/**
 * check() on out-of-line keys (FORMAT.md §10) whose pages all carry valid checksums: a damaged key
 * part, resealed, is a structural problem only check() can see.
 */
describe('check(): out-of-line keys whose pages verify', () => {
  async function image(): Promise<Uint8Array> {
    const fs = new MemoryFileSystem()
    const db = await open(PATH, { fileSystem: fs, lock: false, pageSize: PS, journal: false })
    await db.update((tx) => {
      const b = tx.createBucket('k')
      for (let i = 0; i < 6; i++) b.put(Buffer.alloc(500, 0x61 + i), Buffer.from([i]))
    })
    // A later commit that leaves 'k' alone: open then trusts its pages as durable (FORMAT.md §8)
    // rather than verifying them, and check() is what must find the damage.
    await db.update((tx) => tx.createBucket('other').put(Buffer.from('x'), Buffer.from('y')))
    expect(db.check().ok).to.equal(true)
    await db.close()
    return fs.files.get(PATH)!.bytes()
  }

  /** The first leaf holding out-of-line keys, and the entry offset of its key `i`. */
  function findLeaf(bytes: Uint8Array): number {
    for (let p = 2; p < bytes.length / PS; p++) {
      const page = Buffer.from(bytes.buffer, bytes.byteOffset + p * PS, PS)
      if (pageType(page) === PageType.leaf && pageCount(page) === 6 && leafKeyRun(page, 0) !== undefined) return p
    }
    throw new Error('no leaf of out-of-line keys')
  }

  async function checkAfter(edit: (page: Buffer) => void): Promise<string[]> {
    const bytes = Buffer.from(await image())
    const p = findLeaf(bytes)
    const page = bytes.subarray(p * PS, (p + 1) * PS)
    edit(page)
    sealPage(page)
    const fs = new MemoryFileSystem()
    fs.files.set(PATH, new MemoryFile(bytes))
    const db = await open(PATH, { fileSystem: fs, lock: false, journal: false })
    expect(db.view((tx) => tx.bucket('k')?.size)).to.equal(6)
    try {
      return db.check().errors.map((e) => e.message)
    } finally {
      await db.close()
    }
  }

  it('an inline prefix that differs from the key in its run', async () => {
    const errors = await checkAfter((page) => {
      const at = leafEntryOffset(page, 2) + LEAF_ENTRY_HEADER + LONG_KEY_REF_SIZE + 10
      page[at] = page[at]! ^ 1
    })
    expect(errors.join('\n')).to.match(/inline prefix differs/)
  })

  it('a key length at or below the inline limit, or past 64 KiB', async () => {
    for (const length of [70000, 100]) {
      const errors = await checkAfter((page) => setU32(page, leafEntryOffset(page, 1) + LEAF_ENTRY_HEADER, length))
      expect(errors.join('\n')).to.match(new RegExp(`out-of-line key at index 1 of ${length} bytes`))
    }
  })

  it('two entries naming the same run: a double use', async () => {
    const errors = await checkAfter((page) => {
      const run = leafKeyRun(page, 0)!
      setU32(page, leafEntryOffset(page, 1) + LEAF_ENTRY_HEADER + 4, run[0])
    })
    expect(errors.join('\n')).to.match(/key overflow page is already reachable \(double use\)/)
  })

  it('keys out of order by their whole bytes, though their prefixes agree', async () => {
    // Swapping two entries' slots leaves each entry whole but the order wrong.
    const errors = await checkAfter((page) => {
      const a = page.readUInt16LE(16 + 2 * 3)
      page.writeUInt16LE(page.readUInt16LE(16 + 2 * 4), 16 + 2 * 3)
      page.writeUInt16LE(a, 16 + 2 * 4)
    })
    expect(errors.join('\n')).to.match(/keys out of order at index 4/)
  })
})
