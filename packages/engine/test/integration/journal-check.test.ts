import { expect } from 'chai'
import zlib from 'node:zlib'
import { open } from '../../src/index.js'
import type { Database } from '../../src/db/database.js'
import { type MemoryFile, MemoryFileSystem } from '../../src/io/memory-file.js'

const PATH = '/jc.db'
const crc32 = (zlib as unknown as { crc32(data: Uint8Array): number }).crc32

/** A database whose journal holds three commits (no checkpoint before the end), and its journal file. */
async function threeCommits(): Promise<{ db: Database; journal: MemoryFile }> {
  const fs = new MemoryFileSystem()
  const db = await open(PATH, { fileSystem: fs, lock: false, journalSize: 1 << 30 })
  for (let c = 0; c < 3; c++) {
    await db.update((tx) => {
      const b = tx.createBucketIfNotExists('b')
      for (let i = 0; i < 50; i++) b.put(Buffer.from(`key-${c}-${i}`), Buffer.from(`value-${c}-${i}`))
    })
  }
  return { db, journal: fs.files.get(`${PATH}-journal`)! }
}

/** Where `text` first lies in `bytes`. */
function offsetOf(bytes: Uint8Array, text: string): number {
  const at = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(text)
  expect(at, text).to.be.greaterThan(0)
  return at
}

/** Where record `n` (from 0) of the journal starts: past the lengths of those before it (FORMAT.md §11). */
function recordStart(journal: MemoryFile, n: number): number {
  const bytes = Buffer.from(journal.bytes())
  let at = 0
  for (let i = 0; i < n; i++) at += bytes.readUInt32LE(at + 4)
  return at
}

/** Seals the record at `start` again: its checksum (FORMAT.md §11) over its bytes as they now are. */
function reseal(journal: MemoryFile, start: number): void {
  const bytes = Buffer.from(journal.bytes())
  const length = bytes.readUInt32LE(start + 4)
  const sum = Buffer.alloc(4)
  sum.writeUInt32LE(crc32(bytes.subarray(start + 4, start + length)) >>> 0)
  journal.writevSync([sum], start)
}

function messages(db: Database): string {
  return db
    .check()
    .errors.map((e) => e.message)
    .join('\n')
}

describe('integration: check() of the journal (FORMAT.md §11), each record replayed as it is read', () => {
  it('passes on a journal of several commits, and again after more', async () => {
    const { db } = await threeCommits()
    expect(db.check().ok).to.equal(true)
    await db.update((tx) => tx.bucket('b')!.delete(Buffer.from('key-0-0')))
    expect(db.check().ok).to.equal(true)
    await db.close()
  })

  it('finds a record whose bytes changed on disk (its checksum fails): fewer valid records than commits', async () => {
    const { db, journal } = await threeCommits()
    const at = offsetOf(journal.bytes(), 'value-1-7')
    journal.writevSync([Buffer.from('X')], at)
    expect(messages(db)).to.match(
      /journal part 1: 1 valid records in \d+ bytes on disk, 3 commits in \d+ bytes in memory/,
    )
    await db.close()
  })

  it('finds a record that reads whole but says something else than the commit did: replay differs from the open state', async () => {
    const { db, journal } = await threeCommits()
    const second = recordStart(journal, 1)
    const at = offsetOf(journal.bytes(), 'value-1-7')
    journal.writevSync([Buffer.from('X')], at)
    reseal(journal, second)
    expect(messages(db)).to.match(/journal: bucket 'b': replay differs from the open state at key /)
    journal.writevSync([Buffer.from('v')], at)
    reseal(journal, second)
    expect(db.check().ok).to.equal(true)
    await db.close()
  })

  it('finds a record that does not apply (it names a bucket that does not exist): replay failed', async () => {
    const { db, journal } = await threeCommits()
    const second = recordStart(journal, 1)
    // The second record selects bucket 'b' by name: a name of the same length that no commit made.
    const at = second + offsetOf(journal.bytes().subarray(second), 'b')
    expect(
      Buffer.from(journal.bytes())
        .subarray(at - 2, at)
        .readUInt16LE(0),
    ).to.equal(1)
    journal.writevSync([Buffer.from('z')], at)
    reseal(journal, second)
    expect(messages(db)).to.match(/journal: replay failed: .*'z' does not exist/)
    await db.close()
  })

  it('finds a record whose key was changed to another key of the bucket: replay gives fewer keys', async () => {
    const { db, journal } = await threeCommits()
    const second = recordStart(journal, 1)
    // 'key-1-7' becomes 'key-1-6': the replay puts one key twice and holds 149 keys, not 150.
    journal.writevSync([Buffer.from('6')], offsetOf(journal.bytes(), 'key-1-7') + 6)
    reseal(journal, second)
    expect(messages(db)).to.match(/journal: bucket 'b': replay gives 149 keys, the open state 150/)
    await db.close()
  })

  it('finds a record that creates another bucket than the commit did: replay gives other buckets', async () => {
    const { db, journal } = await threeCommits()
    await db.update((tx) => tx.createBucket('zzq').put(Buffer.from('k'), Buffer.from('v')))
    const fourth = recordStart(journal, 3)
    // Every mention of the name in that record (its create op, and any select of it after).
    const bytes = Buffer.from(journal.bytes())
    for (let at = bytes.indexOf('zzq', fourth); at !== -1; at = bytes.indexOf('zzq', at + 3))
      journal.writevSync([Buffer.from('r')], at + 2)
    reseal(journal, fourth)
    expect(messages(db)).to.match(/journal: replay gives other buckets than the open state/)
    await db.close()
  })

  it('finds a last record whose txid is not the newest commit', async () => {
    const { db, journal } = await threeCommits()
    const third = recordStart(journal, 2)
    const txid = Number(Buffer.from(journal.bytes()).readBigUInt64LE(third + 24))
    const later = Buffer.alloc(8)
    later.writeBigUInt64LE(BigInt(txid + 5))
    journal.writevSync([later], third + 24)
    reseal(journal, third)
    expect(messages(db)).to.match(new RegExp(`journal: its last record is txid ${txid + 5}, the newest commit ${txid}`))
    await db.close()
  })

  it('finds bytes other than the terminator after the last record', async () => {
    const { db, journal } = await threeCommits()
    const end = recordStart(journal, 3)
    expect(
      journal
        .bytes()
        .subarray(end, end + 32)
        .every((b) => b === 0),
    ).to.equal(true)
    journal.writevSync([Buffer.alloc(8, 0x5a)], end)
    expect(messages(db)).to.match(/journal part 1: no terminator after its last record: record at byte \d+/)
    await db.close()
  })

  it('stops comparing the replay at a checkpoint page damaged on disk, and says so', async () => {
    // cacheSize 0: every read of a checkpoint page goes to the file (corruption.test.ts does the same).
    const fs = new MemoryFileSystem()
    const db = await open(PATH, { fileSystem: fs, lock: false, cacheSize: 0, journalSize: 1 << 30 })
    await db.update((tx) => {
      const b = tx.createBucket('b')
      for (let i = 0; i < 300; i++) b.put(Buffer.from(`key-${String(i).padStart(3, '0')}`), Buffer.alloc(100, 1))
    })
    await db.checkpoint()
    // A record over 'b' in the journal, touching its last leaf only.
    await db.update((tx) => tx.bucket('b')!.put(Buffer.from('key-zzz'), Buffer.from('v')))
    expect(db.check().ok).to.equal(true)
    const file = fs.files.get(PATH)!
    const at = offsetOf(file.bytes(), 'key-000')
    file.writevSync([Buffer.from('X')], at)
    const report = db.check()
    expect(report.ok).to.equal(false)
    expect(report.errors.map((e) => e.message).join('\n')).to.match(
      /journal: comparing the replay with the open state stopped: .*checksum/,
    )
    await db.close()
  })
})
