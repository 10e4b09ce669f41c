import { expect } from 'chai'
import {
  OP_BYTES,
  PACKED_FACTOR,
  PAGE_FACTOR,
  defaultDirtySize,
  defaultJournalSize,
  dirtyBytes,
} from '../../../src/db/checkpoint-policy.js'
import { open } from '../../../src/index.js'
import { MemoryFileSystem } from '../../../src/io/memory-file.js'

const MiB = 1024 * 1024

describe('db/checkpoint-policy', () => {
  it('defaultJournalSize: a sixteenth of the memory, 256 MiB to 1 GiB', () => {
    expect(defaultJournalSize(1024 * MiB)).to.equal(256 * MiB)
    expect(defaultJournalSize(8192 * MiB)).to.equal(512 * MiB)
    expect(defaultJournalSize(64 * 1024 * MiB)).to.equal(1024 * MiB)
    expect(defaultJournalSize()).to.be.within(256 * MiB, 1024 * MiB)
  })

  it('defaultDirtySize: a quarter of the heap limit, at most half the cache, at least 4 MiB', () => {
    expect(defaultDirtySize(2048 * MiB, 4096 * MiB)).to.equal(1024 * MiB)
    expect(defaultDirtySize(2048 * MiB, 2048 * MiB)).to.equal(512 * MiB)
    expect(defaultDirtySize(64 * MiB, 4096 * MiB)).to.equal(32 * MiB)
    expect(defaultDirtySize(1 * MiB, 4096 * MiB)).to.equal(4 * MiB)
  })

  it('dirtyBytes: decoded pages, packed leaves and ops', () => {
    expect(dirtyBytes({ pages: 0, packed: 0, ops: 0 }, 4096)).to.equal(0)
    expect(dirtyBytes({ pages: 10, packed: 0, ops: 0 }, 4096)).to.equal(10 * 4096 * PAGE_FACTOR)
    expect(dirtyBytes({ pages: 0, packed: 10, ops: 0 }, 4096)).to.equal(10 * 4096 * PACKED_FACTOR)
    expect(dirtyBytes({ pages: 0, packed: 0, ops: 1000 }, 4096)).to.equal(1000 * OP_BYTES)
  })

  it('a load into a new file, with no page decoded, checkpoints once its ops pass dirtySize', async () => {
    const fs = new MemoryFileSystem()
    // 64 ops of OP_BYTES a commit: a checkpoint about every 4th commit; the journal bound is far.
    const db = await open('db', { fileSystem: fs, lock: false, journalSize: 1 << 30, dirtySize: 200 * OP_BYTES })
    let maxRecords = 0
    for (let i = 0; i < 40; i++) {
      await db.update((tx) => {
        const a = tx.createBucketIfNotExists('a')
        for (let j = 0; j < 64; j++) a.put(Buffer.from(`k${String(i * 64 + j).padStart(6, '0')}`), Buffer.alloc(8, j))
      })
      await db.settled()
      maxRecords = Math.max(maxRecords, db.info().journal!.records)
    }
    expect(maxRecords).to.be.below(8)
    expect(db.info().checkpointTxid).to.be.greaterThan(1)
    expect(db.check().ok).to.equal(true)
    await db.close()
  })
})
