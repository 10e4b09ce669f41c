import { expect } from 'chai'
import { MemoryFile } from '../../../src/io/memory-file.js'
import { RECORD_HEADER, RecordBuilder, isJournalEnd } from '../../../src/page/journal-record.js'
import { Journal, UNSYNCED_WRITEBACK, scanJournal } from '../../../src/store/journal.js'
import { FaultFile } from '../../doubles/fault-file.js'
import { rejection } from '../io/rejection.js'

/** A record of `n` puts of 100-byte values, streamed into `journal` in steps of `step` bytes. */
function streamedRecord(journal: Journal, n: number, step: number, first = 0): RecordBuilder {
  const b = new RecordBuilder()
  b.streamTo((builder, from, buffers) => journal.stream(builder, from, buffers), step)
  for (let i = first; i < first + n; i++) b.put(Buffer.from(`key-${String(i).padStart(6, '0')}`), Buffer.alloc(100, i))
  return b
}

/** Seals `b` as commit `txid` over checkpoint 1 and writes it, as Committer.commit does. */
async function commit(journal: Journal, b: RecordBuilder, txid: number): Promise<void> {
  const { buffers, length } = b.seal(1, txid)
  await journal.write(buffers, length, true, b)
}

describe('store/Journal.stream (FORMAT.md §11: streamed records)', () => {
  it('a record streamed ahead and then written is the record written whole, byte for byte; the commit writes only the rest', async () => {
    const streamedFile = new FaultFile(new MemoryFile())
    const wholeFile = new MemoryFile()
    const streamed = new Journal(streamedFile, 0, 0)
    const whole = new Journal(wholeFile, 0, 0)
    for (let txid = 2; txid < 6; txid++) {
      const b = streamedRecord(streamed, 300, 4096, txid * 1000)
      expect(b.streamed, 'streamed before the commit').to.be.greaterThan(30_000)
      const writes = streamedFile.counts.write
      await commit(streamed, b, txid)
      // The header, and the ops from where streaming stopped: two writes.
      expect(streamedFile.counts.write - writes).to.equal(2)
      const w = new RecordBuilder()
      for (let i = txid * 1000; i < txid * 1000 + 300; i++)
        w.put(Buffer.from(`key-${String(i).padStart(6, '0')}`), Buffer.alloc(100, i))
      await commit(whole, w, txid)
    }
    expect(streamed.end).to.equal(whole.end)
    const a = streamedFile.inner instanceof MemoryFile ? streamedFile.inner.bytes() : new Uint8Array()
    expect(
      Buffer.from(a.subarray(0, streamed.end + RECORD_HEADER)).equals(
        Buffer.from(wholeFile.bytes().subarray(0, whole.end + RECORD_HEADER)),
      ),
    ).to.equal(true)
    const scan = scanJournal(streamedFile, 1)
    expect(scan.records.map((r) => r.txid)).to.deep.equal([2, 3, 4, 5])
    expect(scan.stopped).to.equal(undefined)
  })

  it('a record streamed but never written (a crash, a rollback) leaves the journal ending where it did, without a report', async () => {
    const file = new MemoryFile()
    const journal = new Journal(file, 0, 0)
    await commit(journal, streamedRecord(journal, 10, 1 << 20), 2)
    const end = journal.end
    // The next record streams most of itself past the end, and its commit never comes.
    const b = streamedRecord(journal, 300, 1024, 100)
    expect(b.streamed).to.be.greaterThan(0)
    expect(file.size()).to.be.greaterThan(end + 30_000)
    const scan = scanJournal(file, 1)
    expect(scan.records.map((r) => r.txid)).to.deep.equal([2])
    expect(scan.end).to.equal(end)
    expect(scan.stopped).to.equal(undefined)
  })

  it("after a restart the first streamed write zeros the header's place, so the old first record ends a scan there", async () => {
    const file = new MemoryFile()
    const journal = new Journal(file, 0, 0)
    await commit(journal, streamedRecord(journal, 200, 1 << 20), 2)
    // A checkpoint made it part of the pages: records now go from byte 0 again, over it.
    journal.restart()
    const b = streamedRecord(journal, 100, 1024, 500)
    expect(b.streamed).to.be.greaterThan(0)
    const header = file.bytes().subarray(0, RECORD_HEADER)
    expect(isJournalEnd(header)).to.equal(true)
    const scan = scanJournal(file, 1)
    expect(scan.records).to.deep.equal([])
    expect(scan.stopped).to.equal(undefined)
  })

  it('a restart or a cut-back between the streaming and the commit makes the commit write its record whole, where the journal now ends', async () => {
    for (const move of ['restart', 'cutBack'] as const) {
      const file = new FaultFile(new MemoryFile())
      const journal = new Journal(file, 0, 0)
      await commit(journal, streamedRecord(journal, 50, 1 << 20), 2)
      const b = streamedRecord(journal, 300, 2048, 100)
      expect(b.streamed).to.be.greaterThan(0)
      if (move === 'restart') journal.restart()
      else await journal.cutBack(0, 0)
      // No more streaming for it: the journal's end moved.
      const before = b.streamed
      for (let i = 0; i < 50; i++) b.put(Buffer.from(`more-${i}`), Buffer.alloc(100))
      expect(b.streamed, move).to.equal(before)
      const writes = file.counts.write
      await commit(journal, b, 3)
      expect(file.counts.write - writes, move).to.equal(1)
      const scan = scanJournal(file, 1)
      expect(
        scan.records.map((r) => r.txid),
        move,
      ).to.deep.equal([3])
      expect(scan.records[0]!.kinds.length).to.equal(350)
    }
  })

  it('nothing streams while a truncate runs: a record streamed then could be cut off by it', async () => {
    const file = new MemoryFile()
    const journal = new Journal(file, 0, 0)
    await commit(journal, streamedRecord(journal, 50, 1 << 20), 2)
    const cut = journal.cutBack(0, 0)
    const b = streamedRecord(journal, 300, 1024, 100)
    expect(b.streamed).to.equal(0)
    await cut
    await commit(journal, b, 3)
    expect(scanJournal(file, 1).records.map((r) => r.txid)).to.deep.equal([3])
  })

  it('a streamed write that fails fails the commit with its error and changes nothing; the next record is written', async () => {
    const file = new FaultFile(new MemoryFile())
    const journal = new Journal(file, 0, 0)
    await commit(journal, streamedRecord(journal, 50, 1 << 20), 2)
    const end = journal.end
    file.failAt('write', file.counts.write + 3, 'EIO')
    const b = streamedRecord(journal, 300, 2048, 100)
    expect(b.streamed).to.be.greaterThan(0)
    const { buffers, length } = b.seal(1, 3)
    const err = await rejection(Promise.resolve(journal.write(buffers, length, true, b)))
    expect(err.code).to.equal('EIO')
    expect(journal.end).to.equal(end)
    expect(journal.records).to.equal(1)
    await commit(journal, streamedRecord(journal, 300, 2048, 1000), 4)
    expect(scanJournal(file, 1).records.map((r) => r.txid)).to.deep.equal([2, 4])
  })
})

/** A memory file that counts the writebacks asked of it. */
class WritebackCounting extends MemoryFile {
  writebacks = 0
  startWriteback(): void {
    this.writebacks++
  }
}

describe("store/Journal: 'none' appends start a writeback every UNSYNCED_WRITEBACK bytes (FORMAT.md §11)", () => {
  /** Appends an unsynced ('none') record of `bytes` of values, as commit `txid`. */
  async function appendNone(journal: Journal, txid: number, bytes: number): Promise<void> {
    const b = new RecordBuilder()
    b.put(Buffer.from(`k${txid}`), Buffer.alloc(bytes, txid))
    const { buffers, length } = b.seal(1, txid)
    await journal.write(buffers, length, false, b)
  }

  it('one writeback per UNSYNCED_WRITEBACK bytes of them; a sync starts the count again; synced appends count nothing', async () => {
    const file = new WritebackCounting()
    const journal = new Journal(file, 0, 0)
    const step = 100_000
    const perWriteback = Math.ceil(UNSYNCED_WRITEBACK / step)
    let txid = 2
    for (let i = 0; i < perWriteback - 1; i++) await appendNone(journal, txid++, step)
    expect(file.writebacks).to.equal(0)
    await appendNone(journal, txid++, step)
    expect(file.writebacks).to.equal(1)
    for (let i = 0; i < perWriteback; i++) await appendNone(journal, txid++, step)
    expect(file.writebacks).to.equal(2)
    // A sync writes them all: the count starts again.
    for (let i = 0; i < perWriteback - 1; i++) await appendNone(journal, txid++, step)
    journal.syncSync()
    await appendNone(journal, txid++, step)
    expect(file.writebacks).to.equal(2)
    // Appends that a sync follows ('full') never start one here.
    for (let i = 0; i < 2 * perWriteback; i++) {
      const b = new RecordBuilder()
      b.put(Buffer.from(`f${i}`), Buffer.alloc(step, 1))
      const { buffers, length } = b.seal(1, txid++)
      await journal.write(buffers, length, true, b)
    }
    expect(file.writebacks).to.equal(2)
    expect(scanJournal(file, 1).records).to.have.length(txid - 2)
  })
})
