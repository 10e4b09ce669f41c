import { expect } from 'chai'
import { open } from '../../src/db/database.js'
import { FaultFileSystem } from '../doubles/fault-file.js'
import { MemoryFile, MemoryFileSystem } from '../../src/io/memory-file.js'
import { PowerLossFileSystem } from '../doubles/power-loss-file.js'
import { pageTxid } from '../../src/page/layout.js'
import { key, value } from './model.js'

const PATH = '/regression/db'

describe('crash regressions', () => {
  /**
   * Found by the durability 'none' crash tests (workload "large bucket dropped and reclaimed",
   * random images). A bucket written and dropped by commits made without a sync sits in the
   * reclaim list of the commits that follow; a power loss could lose its pages while the newest
   * meta survived. Open verified the catalog and buckets of that meta but not the dropped trees
   * awaiting reclaim, so it opened there and check() reported checksum mismatches on those pages
   * (and reclaiming them would have leaked their children). verifyCommit now walks the recent
   * dropped trees too, so such a meta is unverifiable and open falls back to the durable one.
   */
  it('an unsynced dropped bucket lost to a power loss makes open fall back, not fail check()', async () => {
    const fs = new PowerLossFileSystem()
    // The commit path that writes pages per commit (the journal's checkpoints are always synced).
    const db = await open(PATH, {
      fileSystem: fs,
      lock: false,
      pageSize: 1024,
      durability: 'none',
      reclaimPerCommit: 2,
      journal: false,
    })
    await db.update((tx) => {
      const b = tx.createBucket('big')
      for (let i = 0; i < 200; i++) b.put(key(i), value(i, 40))
    })
    const bigTxid = db.txid >>> 0
    await db.update((tx) => tx.deleteBucket('big'))
    await db.update((tx) => tx.createBucket('small').put(key(1), value(1, 10)))
    await db.close()
    // The disk kept every write but those of the commit that wrote the dropped bucket.
    const image = Buffer.from(fs.file(PATH).bytes())
    let lost = 0
    for (let p = 2; p * 1024 < image.length; p++) {
      const page = image.subarray(p * 1024, (p + 1) * 1024)
      if (pageTxid(page) === bigTxid) {
        page.fill(0)
        lost++
      }
    }
    expect(lost).to.be.greaterThan(3)
    const mem = new MemoryFileSystem()
    mem.files.set(PATH, new MemoryFile(image))
    const again = await open(PATH, { fileSystem: mem, lock: false, journal: false })
    const ck = again.check()
    expect(ck.ok, JSON.stringify(ck.errors.slice(0, 3))).to.equal(true)
    // Only the durable state (the empty database) is whole.
    expect(again.view((tx) => tx.buckets())).to.deep.equal([])
    await again.close()
  })

  /**
   * Found by the power-loss tests that crash during recovery: open syncs a verified unsynced
   * commit to make it durable, and a failure of that sync escaped as the raw file-system error
   * (no BTREE_ code). It is now wrapped as BTREE_IO like every other I/O failure. (Commits of pages,
   * `journal: false`: a checkpoint's meta is durable by itself, and open has nothing to sync.)
   */
  it('a failed sync of the recovered commit at open is BTREE_IO', async () => {
    const fs = new FaultFileSystem()
    const db = await open(PATH, { fileSystem: fs, lock: false, pageSize: 1024, journal: false })
    await db.update((tx) => tx.createBucket('a').put(key(1), value(1, 10)), { durability: 'none' })
    await db.close()
    fs.onOpen = (file) => file.failNext('sync', 'EIO')
    let code: unknown
    try {
      await open(PATH, { fileSystem: fs, lock: false, journal: false })
    } catch (err) {
      code = (err as { code?: unknown }).code
    }
    expect(code).to.equal('BTREE_IO')
    fs.onOpen = undefined
    const again = await open(PATH, { fileSystem: fs, lock: false, journal: false })
    expect(again.check().ok).to.equal(true)
    await again.close()
  })
})
