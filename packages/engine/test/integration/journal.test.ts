import { expect } from 'chai'
import zlib from 'node:zlib'
import { type Database, open } from '../../src/db/database.js'
import { FaultFileSystem } from '../doubles/fault-file.js'
import { MemoryFile, MemoryFileSystem } from '../../src/io/memory-file.js'
import { PowerLossFileSystem } from '../doubles/power-loss-file.js'
import { RECORD_HEADER } from '../../src/page/journal-record.js'
import { rejection } from './helpers.js'

const PATH = '/journal/db'
const JPATH = `${PATH}-journal`
const b = (s: string): Buffer => Buffer.from(s)

function contents(db: Database): Record<string, Record<string, string>> {
  return db.view((tx) => {
    const out: Record<string, Record<string, string>> = {}
    for (const name of tx.buckets()) {
      const m: Record<string, string> = {}
      for (const [k, v] of tx.bucket(name)!.entries()) m[k.toString()] = v.toString()
      out[name] = m
    }
    return out
  })
}

function expectClean(db: Database): void {
  const ck = db.check()
  expect(ck.ok, JSON.stringify(ck.errors.slice(0, 3))).to.equal(true)
  const p = ck.pages
  expect(p.reachable + p.free + p.pending + p.reclaiming).to.equal(p.total)
}

describe('integration: the journal (FORMAT.md §11)', () => {
  it("a 'full' commit is one journal append and one sync; the database file is not written until a checkpoint", async () => {
    const fs = new PowerLossFileSystem()
    const db = await open(PATH, { fileSystem: fs, lock: false, pageSize: 1024 })
    const file = fs.file(PATH)
    const before = file.counts
    const journal = fs.file(JPATH)
    const jBefore = journal.counts
    for (let i = 0; i < 5; i++) await db.update((tx) => tx.createBucketIfNotExists('a').put(b(`k${i}`), b(`v${i}`)))
    expect(file.counts.write).to.equal(before.write)
    expect(file.counts.sync).to.equal(before.sync)
    expect(journal.counts.write - jBefore.write).to.equal(5)
    expect(journal.counts.sync - jBefore.sync).to.equal(5)
    // One at a time, each commit syncs on the caller's thread (inlineSync).
    expect(journal.inlineSyncs).to.equal(5)
    expect(db.info().journal!.records).to.equal(5)
    expectClean(db)
    await db.checkpoint()
    expect(file.counts.sync).to.be.greaterThan(before.sync)
    expect(db.info().journal).to.deep.include({ records: 0, bytes: 0 })
    expect(contents(db)).to.deep.equal({ a: { k0: 'v0', k1: 'v1', k2: 'v2', k3: 'v3', k4: 'v4' } })
    expectClean(db)
    await db.close()
  })

  it("after a power loss, open replays every 'full' commit from the journal and checkpoints it", async () => {
    const fs = new PowerLossFileSystem()
    const db = await open(PATH, { fileSystem: fs, lock: false, pageSize: 1024 })
    await db.update((tx) => {
      const a = tx.createBucket('a')
      for (let i = 0; i < 300; i++) a.put(b(`key${String(i).padStart(4, '0')}`), Buffer.alloc(30, i))
      tx.createBucket('gone').put(b('x'), b('y'))
    })
    await db.update((tx) => {
      tx.deleteBucket('gone')
      const a = tx.bucket('a')!
      for (let i = 0; i < 300; i += 3) a.delete(b(`key${String(i).padStart(4, '0')}`))
      a.put(b('big'), Buffer.alloc(5000, 7))
    })
    const expected = contents(db)
    const txid = db.txid
    // The power goes: only what was synced survives (both files).
    fs.reopenAllAfterCrash({ mode: 'drop-all' })
    const again = await open(PATH, { fileSystem: fs, lock: false })
    expect(contents(again)).to.deep.equal(expected)
    expect(again.txid).to.be.greaterThan(txid)
    expect(again.info().skipped).to.deep.equal([])
    // Recovery checkpointed the replayed commits and restarted the journal.
    expect(again.info().journal).to.deep.include({ records: 0, bytes: 0 })
    expectClean(again)
    await again.update((tx) => tx.bucket('a')!.put(b('after'), b('1')))
    expectClean(again)
    await again.close()
  })

  it("durability 'none' commits lost to a power loss leave an earlier state, never a corrupt one", async () => {
    const fs = new PowerLossFileSystem()
    const db = await open(PATH, { fileSystem: fs, lock: false, pageSize: 1024, durability: 'none' })
    await db.update((tx) => tx.createBucket('a').put(b('k'), b('1')), { durability: 'full' })
    for (let i = 2; i < 6; i++) await db.update((tx) => tx.bucket('a')!.put(b('k'), b(String(i))))
    fs.reopenAllAfterCrash({ mode: 'drop-all' })
    const again = await open(PATH, { fileSystem: fs, lock: false })
    expect(contents(again)).to.deep.equal({ a: { k: '1' } })
    expectClean(again)
    await again.close()
  })

  it('the journal is allocated ahead in zeros; a terminator ends each record, so records older than a restart past it are never replayed; close empties the file', async () => {
    const fs = new PowerLossFileSystem()
    // A checkpoint comes by itself once the journal passes 20,000 bytes, at the 7th commit.
    const db = await open(PATH, { fileSystem: fs, lock: false, pageSize: 1024, journalSize: 20_000 })
    const big = Buffer.alloc(3000, 7)
    let oldEnd = 0
    for (let i = 0; i < 6; i++) {
      await db.update((tx) => tx.createBucketIfNotExists('a').put(b(`old${i}`), big))
      oldEnd = db.info().journal!.bytes
    }
    let bytes = fs.file(JPATH).bytes()
    // Zeros past the last record, more than its terminator: the 'full' commits allocated ahead
    // (growing by doubling from an empty file, zerosAhead).
    expect(bytes.length).to.be.greaterThan(oldEnd + RECORD_HEADER)
    expect(bytes.subarray(oldEnd).every((x) => x === 0)).to.equal(true)
    await db.update((tx) => tx.bucket('a')!.put(b('old6'), big))
    // That commit started a checkpoint in the background; once it is done, it has moved the
    // appends to the other journal file; the next one moves them back.
    await db.settled()
    expect(db.info().journal).to.deep.include({ bytes: 0, path: `${PATH}-journal2` })
    for (let i = 7; i < 14; i++) await db.update((tx) => tx.bucket('a')!.put(b(`old${i}`), big))
    await db.settled()
    expect(db.info().journal).to.deep.include({ bytes: 0, path: JPATH })
    // That restarted the journal at byte 0 and kept the file: one short record then lies before the
    // rest of the older ones.
    await db.update((tx) => tx.bucket('a')!.put(b('new'), b('1')))
    const end = db.info().journal!.bytes
    bytes = fs.file(JPATH).bytes()
    expect(bytes.subarray(end, end + RECORD_HEADER).every((x) => x === 0)).to.equal(true)
    expect(bytes.subarray(end + RECORD_HEADER, oldEnd).some((x) => x !== 0)).to.equal(true)
    expectClean(db)
    expect(db.check().warnings).to.deep.equal([])
    // The process dies here: open replays the one new record, reports nothing, and empties the file.
    fs.reopenAllAfterCrash({ mode: 'keep-all' })
    const again = await open(PATH, { fileSystem: fs, lock: false })
    expect(again.info().skipped).to.deep.equal([])
    expect(Object.keys(contents(again).a!).sort()).to.deep.equal(
      ['new', ...Array.from({ length: 14 }, (_, i) => `old${i}`)].sort(),
    )
    expectClean(again)
    await again.update((tx) => tx.bucket('a')!.put(b('after'), b('2')))
    // Asked for, a checkpoint gives the allocation back; so does close.
    await again.checkpoint()
    expect(fs.file(JPATH).bytes().length).to.equal(0)
    await again.update((tx) => tx.bucket('a')!.put(b('after2'), b('3')))
    await again.close()
    expect(fs.file(JPATH).bytes().length).to.equal(0)
  })

  it("only commits that sync allocate the journal ahead: 'none' commits write their record and its terminator", async () => {
    const fs = new PowerLossFileSystem()
    const db = await open(PATH, { fileSystem: fs, lock: false, pageSize: 1024 })
    for (let i = 0; i < 5; i++)
      await db.update((tx) => tx.createBucketIfNotExists('a').put(b(`n${i}`), Buffer.alloc(2000, i)), {
        durability: 'none',
      })
    const end = db.info().journal!.bytes
    expect(fs.file(JPATH).bytes().length).to.equal(end + RECORD_HEADER)
    // A 'full' commit past the end allocates ahead: zeros beyond its terminator.
    await db.update((tx) => tx.bucket('a')!.put(b('f'), Buffer.alloc(2000, 9)))
    const end2 = db.info().journal!.bytes
    const bytes = fs.file(JPATH).bytes()
    expect(bytes.length).to.be.greaterThan(end2 + RECORD_HEADER)
    expect(bytes.subarray(end2).every((x) => x === 0)).to.equal(true)
    expectClean(db)
    await db.close()
  })

  it('a torn last record is skipped: open reports it in info().skipped and check() warns, and the earlier commits are there', async () => {
    const fs = new PowerLossFileSystem()
    const db = await open(PATH, { fileSystem: fs, lock: false, pageSize: 1024 })
    for (let i = 0; i < 4; i++)
      await db.update((tx) => tx.createBucketIfNotExists('a').put(b(`k${i}`), Buffer.alloc(100, i)))
    const journalBytes = fs.file(JPATH).bytes()
    // The disk after the crash: the journal loses the end of its last record.
    const mem = new MemoryFileSystem()
    mem.files.set(PATH, new MemoryFile(fs.file(PATH).bytes()))
    mem.files.set(JPATH, new MemoryFile(journalBytes.subarray(0, db.info().journal!.bytes - 10)))
    const again = await open(PATH, { fileSystem: mem, lock: false, readOnly: true })
    expect(Object.keys(contents(again).a!)).to.deep.equal(['k0', 'k1', 'k2'])
    const skipped = again.info().skipped
    expect(skipped).to.have.length(1)
    expect(skipped[0]).to.match(/^journal: record at byte \d+ runs past the end/)
    const ck = again.check()
    expect(ck.ok).to.equal(true)
    expect(ck.warnings.map((w) => w.message)).to.deep.equal(skipped)
    expect(again.info().journal!.records).to.equal(3)
    await again.close()
  })

  // Recovery edits the leaves of the records replayed before in place (WriteTx.adopt): a record
  // that fails part way must leave them as the records before it made them.
  it('a record that does not apply part way (a bucket it selects does not exist) leaves the state of the records before it, the leaves they made included', async () => {
    const mem = new MemoryFileSystem()
    const db = await open(PATH, { fileSystem: mem, lock: false, pageSize: 1024, journalSize: 1 << 30 })
    const value = (round: number, i: number): Buffer => Buffer.alloc(40, 65 + ((round * 7 + i) % 20))
    let before: ReturnType<typeof contents> | undefined
    for (let round = 0; round < 3; round++) {
      await db.update((tx) => {
        const a = tx.createBucketIfNotExists('a')
        // Overwrites of the keys before and new keys between them, in the same leaves.
        for (let i = 0; i < 200; i += round === 0 ? 2 : 1) a.put(b(`k${String(i).padStart(4, '0')}`), value(round, i))
        tx.createBucketIfNotExists('q').put(b('x'), value(round, 0))
      })
      if (round === 1) before = contents(db)
    }
    // The third record: a's puts, then a select of bucket 'q', renamed 'z' on disk and sealed again.
    const journal = Buffer.from(mem.files.get(JPATH)!.bytes())
    const third = journal.readUInt32LE(4) + journal.readUInt32LE(journal.readUInt32LE(4) + 4)
    const name = journal.indexOf(Buffer.from([1, 0, 0x71]), third + RECORD_HEADER)
    expect(name, 'the select of q in the third record').to.be.greaterThan(third)
    journal[name + 2] = 0x7a
    journal.writeUInt32LE(zlib.crc32(journal.subarray(third + 4, third + journal.readUInt32LE(third + 4))) >>> 0, third)
    const disk = new MemoryFileSystem()
    disk.files.set(PATH, new MemoryFile(mem.files.get(PATH)!.bytes()))
    disk.files.set(JPATH, new MemoryFile(journal))
    // Read-only, the journal stays as it is, the record open did not apply included: check() counts
    // it as what open skipped (a warning), not as a commit missing from the open state.
    const ro = await open(PATH, { fileSystem: disk, lock: false, readOnly: true })
    const skipped = ro.info().skipped
    expect(skipped).to.have.length(1)
    expect(skipped[0]).to.match(
      /^journal: record of txid \d+ does not apply \(.*'z' does not exist\); it and the 0 after it ignored$/,
    )
    expect(contents(ro)).to.deep.equal(before!)
    expectClean(ro)
    expect(ro.check().warnings.map((w) => w.message)).to.deep.equal(skipped)
    await ro.close()
    const again = await open(PATH, { fileSystem: disk, lock: false })
    expect(again.info().skipped).to.deep.equal(skipped)
    expect(contents(again)).to.deep.equal(before!)
    expectClean(again)
    expect(again.check().warnings.map((w) => w.message)).to.deep.equal(skipped)
    await again.close()
    // The writable open checkpointed the records before it and emptied the journal.
    const later = await open(PATH, { fileSystem: disk, lock: false, readOnly: true })
    expect(later.info().skipped).to.deep.equal([])
    expect(contents(later)).to.deep.equal(before!)
    expectClean(later)
    await later.close()
  })

  it('a record that fails its checksum ends the journal there: later records are not replayed', async () => {
    const fs = new PowerLossFileSystem()
    const db = await open(PATH, { fileSystem: fs, lock: false, pageSize: 1024 })
    for (let i = 0; i < 4; i++)
      await db.update((tx) => tx.createBucketIfNotExists('a').put(b(`k${i}`), Buffer.alloc(50, i)))
    const journal = Buffer.from(fs.file(JPATH).bytes())
    const second = journal.readUInt32LE(4)
    journal[second + RECORD_HEADER + 3] ^= 0x10
    const mem = new MemoryFileSystem()
    mem.files.set(PATH, new MemoryFile(fs.file(PATH).bytes()))
    mem.files.set(JPATH, new MemoryFile(journal))
    const again = await open(PATH, { fileSystem: mem, lock: false })
    expect(Object.keys(contents(again).a!)).to.deep.equal(['k0'])
    expect(again.info().skipped[0]).to.match(/checksum mismatch/)
    expect(again.check().warnings).to.have.length(1)
    expectClean(again)
    await again.close()
  })

  it("EIO at the journal append or its sync (on the caller's thread or the pool) rejects the commit with BTREE_IO and changes nothing; the next commit works", async () => {
    for (const [op, inlineSync] of [
      ['write', true],
      ['sync', true],
      ['sync', false],
    ] as const) {
      const fs = new FaultFileSystem()
      const db = await open(PATH, { fileSystem: fs, lock: false, pageSize: 1024, inlineSync })
      await db.update((tx) => tx.createBucket('a').put(b('k'), b('1')))
      const inline = fs.file(JPATH).inlineSyncs
      fs.file(JPATH).failNext(op, 'EIO')
      const err = await rejection(db.update((tx) => tx.bucket('a')!.put(b('k'), b('2'))))
      expect((err as { code?: string }).code).to.equal('BTREE_IO')
      if (op === 'sync') expect(fs.file(JPATH).inlineSyncs - inline).to.equal(inlineSync ? 1 : 0)
      expect(contents(db)).to.deep.equal({ a: { k: '1' } })
      expectClean(db)
      await db.update((tx) => tx.bucket('a')!.put(b('k'), b('3')))
      expectClean(db)
      await db.close()
      const again = await open(PATH, { fileSystem: fs, lock: false })
      expect(contents(again), op).to.deep.equal({ a: { k: '3' } })
      expectClean(again)
      await again.close()
    }
  })

  it("inlineSync: a lone 'full' commit syncs on the caller's thread, then lets the event loop turn; a commit with others queued behind it syncs on the pool", async () => {
    const fs = new FaultFileSystem()
    const db = await open(PATH, { fileSystem: fs, lock: false, pageSize: 1024 })
    await db.update((tx) => tx.createBucket('a'))
    const journal = fs.file(JPATH)
    const syncs = (): { inline: number; pool: number } => ({
      inline: journal.inlineSyncs,
      pool: journal.counts.sync - journal.inlineSyncs,
    })
    let before = syncs()
    // Awaited one after another, commits never starve the event loop: an immediate queued
    // before each one has run by the time it resolves.
    for (let i = 0; i < 20; i++) {
      let turned = false
      setImmediate(() => (turned = true))
      await db.update((tx) => tx.bucket('a')!.put(b(`k${i}`), b('v')))
      expect(turned, `commit ${i}`).to.equal(true)
    }
    expect(syncs()).to.deep.equal({ inline: before.inline + 20, pool: before.pool })
    // 300 updates queued at once: groups of at most 256, so the first group's commit has others
    // queued behind it and syncs on the pool, while the next group runs.
    before = syncs()
    await Promise.all(Array.from({ length: 300 }, (_, i) => db.update((tx) => tx.bucket('a')!.put(b(`q${i}`), b('v')))))
    const after = syncs()
    expect(after.pool).to.be.greaterThan(before.pool)
    // 'none' commits never sync.
    before = after
    await db.update((tx) => tx.bucket('a')!.put(b('none'), b('v')), { durability: 'none' })
    expect(syncs()).to.deep.equal(before)
    expectClean(db)
    await db.close()
    // inlineSync: false: every sync on the pool.
    const pooled = await open(PATH, { fileSystem: fs, lock: false, inlineSync: false })
    const file = fs.file(JPATH)
    await pooled.update((tx) => tx.bucket('a')!.put(b('pooled'), b('v')))
    expect(file.inlineSyncs).to.equal(0)
    expect(file.counts.sync).to.be.greaterThan(0)
    expect(Object.keys(contents(pooled).a!)).to.have.length(20 + 300 + 2)
    await pooled.close()
  })

  it('pipelined groups: a failed journal sync fails its group and the groups written after it; the rest is whole', async () => {
    // Syncs complete a turn of the event loop later, so later groups are written while one syncs.
    const fs = new FaultFileSystem(new PowerLossFileSystem({ slowSync: true }))
    // Every sync on the thread pool: a lone group's sync on the caller's thread would end before
    // the next wave is queued.
    const db = await open(PATH, { fileSystem: fs, lock: false, pageSize: 1024, inlineSync: false })
    await db.update((tx) => tx.createBucket('a').put(b('base'), b('1')))
    const pending: Array<Promise<unknown>> = []
    const wave = (from: number): void => {
      for (let i = from; i < from + 20; i++) pending.push(db.update((tx) => tx.bucket('a')!.put(b(`k${i}`), b(`${i}`))))
    }
    const ticks = async (): Promise<void> => {
      for (let i = 0; i < 5; i++) await Promise.resolve()
    }
    // Four waves of updates, each a group written while the one before syncs; the second fails.
    wave(0)
    await ticks()
    fs.file(JPATH).failNext('sync', 'EIO')
    for (const from of [20, 40, 60]) {
      wave(from)
      await ticks()
    }
    const outcomes = await Promise.allSettled(pending)
    const ok = outcomes.flatMap((o, i) => (o.status === 'fulfilled' ? [i] : []))
    for (const o of outcomes)
      if (o.status === 'rejected') expect((o.reason as { code?: string }).code).to.equal('BTREE_IO')
    // The first wave committed, the second failed, and whatever succeeded after it is whole.
    expect(ok.slice(0, 20)).to.deep.equal(Array.from({ length: 20 }, (_, i) => i))
    expect(ok).to.not.include(20)
    // A later group was written while the first synced, and failed with it.
    const after = outcomes.filter((o) => o.status === 'rejected' && /before it failed/.test(String(o.reason)))
    expect(after.length).to.be.greaterThan(0)
    const expected: Record<string, string> = { base: '1' }
    for (const i of ok) expected[`k${i}`] = `${i}`
    expect(contents(db)).to.deep.equal({ a: expected })
    expectClean(db)
    await db.update((tx) => tx.bucket('a')!.put(b('after'), b('2')))
    expected['after'] = '2'
    expectClean(db)
    await db.close()
    const again = await open(PATH, { fileSystem: fs, lock: false })
    expect(contents(again)).to.deep.equal({ a: expected })
    expectClean(again)
    await again.close()
  })

  it('checkpoints write their pages while other commits go on; check() passes meanwhile; snapshots taken meanwhile keep their pages through later checkpoints', async () => {
    const fs = new PowerLossFileSystem({ slowSync: true })
    const db = await open(PATH, { fileSystem: fs, lock: false, pageSize: 1024, journalSize: 3000 })
    const key = (i: number): Buffer => b(`k${String(i % 150).padStart(4, '0')}`)
    await db.update((tx) => {
      const a = tx.createBucket('a')
      for (let i = 0; i < 150; i++) a.put(key(i), Buffer.alloc(40, 1))
    })
    await db.checkpoint()
    const snapshots: Array<[ReturnType<Database['begin']>, Record<string, Record<string, string>>]> = []
    const pending: Array<Promise<unknown>> = []
    let during = 0
    for (let i = 0; i < 400; i++) {
      pending.push(db.update((tx) => tx.bucket('a')!.put(key(i * 7), b(`v${i}`))))
      if (i % 8 === 0) {
        await new Promise((resolve) => setImmediate(resolve))
        // The appends are in the second file while a checkpoint of the first one's runs.
        if (db.info().journal!.path.endsWith('-journal2')) during++
        // The free list as of the checkpoint's freeze goes with the meta still in place.
        expect(db.check().errors).to.deep.equal([])
        snapshots.push([db.begin(), contents(db)])
      }
    }
    await Promise.all(pending)
    expect(during).to.be.greaterThan(0)
    expect(db.info().checkpointTxid).to.be.greaterThan(3)
    for (let round = 0; round < 3; round++) {
      await db.update((tx) => {
        for (let i = 0; i < 150; i++) tx.bucket('a')!.put(key(i), Buffer.alloc(60, round))
      })
      await db.checkpoint()
    }
    for (const [snap, seen] of snapshots) {
      const now: Record<string, string> = {}
      for (const [k, v] of snap.bucket('a')!.entries()) now[k.toString()] = v.toString()
      expect(now).to.deep.equal(seen.a)
      snap.close()
    }
    expectClean(db)
    const final = contents(db)
    await db.close()
    const again = await open(PATH, { fileSystem: fs, lock: false })
    expect(contents(again)).to.deep.equal(final)
    expectClean(again)
    await again.close()
  })

  it('a failed checkpoint does not fail the commit that triggered it; the next checkpoint writes everything', async () => {
    const fs = new FaultFileSystem()
    const db = await open(PATH, { fileSystem: fs, lock: false, pageSize: 1024, journalSize: 512 })
    await db.update((tx) => tx.createBucket('a').put(b('k0'), Buffer.alloc(600, 1)))
    // Each commit passes the bound and starts a checkpoint in the background, not waited for.
    await db.settled()
    fs.file(PATH).failNext('sync', 'EIO')
    await db.update((tx) => tx.bucket('a')!.put(b('k1'), Buffer.alloc(600, 2)))
    await db.settled()
    expect(db.info().journal!.records).to.be.greaterThan(0)
    expectClean(db)
    await db.update((tx) => tx.bucket('a')!.put(b('k2'), Buffer.alloc(600, 3)))
    expect(db.info().journal!.records).to.equal(0)
    expectClean(db)
    await db.close()
    const again = await open(PATH, { fileSystem: fs, lock: false })
    expect(Object.keys(contents(again).a!)).to.deep.equal(['k0', 'k1', 'k2'])
    await again.close()
  })

  it('snapshots keep their commit across journaled commits and checkpoints; pages they read are reused only after they close', async () => {
    const db = await open(PATH, { fileSystem: new MemoryFileSystem(), lock: false, pageSize: 1024 })
    await db.update((tx) => {
      const a = tx.createBucket('a')
      for (let i = 0; i < 1000; i++) a.put(b(`k${String(i).padStart(4, '0')}`), Buffer.alloc(20, i))
    })
    await db.checkpoint()
    const onPages = db.begin()
    await db.update((tx) => {
      const a = tx.bucket('a')!
      for (let i = 0; i < 1000; i += 2) a.put(b(`k${String(i).padStart(4, '0')}`), b('new'))
    })
    const onJournal = db.begin()
    const expectedPages = contents(db)
    for (let round = 0; round < 5; round++) {
      await db.update((tx) => {
        const a = tx.bucket('a')!
        for (let i = round; i < 1000; i += 5) a.delete(b(`k${String(i).padStart(4, '0')}`))
        tx.createBucketIfNotExists(`r${round}`).put(b('x'), b('y'))
      })
      if (round % 2 === 0) await db.checkpoint()
    }
    const a1 = [...onPages.bucket('a')!.entries()]
    expect(a1).to.have.length(1000)
    expect(a1[0]![1]).to.deep.equal(Buffer.alloc(20, 0))
    const a2 = Object.fromEntries([...onJournal.bucket('a')!.entries()].map(([k, v]) => [k.toString(), v.toString()]))
    expect(a2).to.deep.equal(expectedPages.a)
    expect(onJournal.buckets()).to.deep.equal(['a'])
    expect(db.check().pages.pending).to.be.greaterThan(0)
    onPages.close()
    onJournal.close()
    await db.update((tx) => tx.bucket('a')!.put(b('z'), b('z')))
    await db.checkpoint()
    expectClean(db)
    await db.close()
  })

  it('checkpoints come when the journal passes journalSize, and when the pages to write pass dirtySize', async () => {
    const fs = new MemoryFileSystem()
    const db = await open(PATH, { fileSystem: fs, lock: false, pageSize: 1024, journalSize: 8192, dirtySize: 1 << 30 })
    let maxJournal = 0
    for (let i = 0; i < 100; i++) {
      await db.update((tx) => tx.createBucketIfNotExists('a').put(b(`k${i}`), Buffer.alloc(200, i)))
      // The commit that passed the bound started a checkpoint in the background; until it is done,
      // the journal is in two parts and info() counts both.
      await db.settled()
      maxJournal = Math.max(maxJournal, db.info().journal!.bytes)
    }
    expect(maxJournal).to.be.at.most(8192 + 400)
    expect(db.info().checkpointTxid).to.be.greaterThan(1)
    await db.close()
    const db2 = await open(PATH, { fileSystem: fs, lock: false, journalSize: 1 << 30, dirtySize: 16 * 1024 })
    let maxRecords = 0
    for (let i = 0; i < 50; i++) {
      await db2.update((tx) => {
        const a = tx.bucket('a')!
        for (let j = 0; j < 20; j++) a.put(b(`n${i}-${j}`), Buffer.alloc(100, j))
      })
      await db2.settled()
      maxRecords = Math.max(maxRecords, db2.info().journal!.records)
    }
    // 16 KiB of dirty pages at 1 KiB pages: a checkpoint every few commits.
    expect(maxRecords).to.be.below(20)
    expectClean(db2)
    await db2.close()
  })

  it('a read-only open replays the journal in memory and writes nothing; close leaves an empty journal', async () => {
    const fs = new PowerLossFileSystem()
    const db = await open(PATH, { fileSystem: fs, lock: false, pageSize: 1024 })
    await db.update((tx) => tx.createBucket('a').put(b('k'), b('v')))
    const ro = await open(PATH, { fileSystem: fs, lock: false, readOnly: true })
    const writes = fs.clock.ops
    expect(contents(ro)).to.deep.equal({ a: { k: 'v' } })
    expect(ro.info().journal!.records).to.equal(1)
    expect(ro.check().ok).to.equal(true)
    await ro.close()
    expect(fs.clock.ops).to.equal(writes)
    await db.close()
    expect(fs.file(JPATH).size()).to.equal(0)
    const again = await open(PATH, { fileSystem: fs, lock: false, readOnly: true })
    expect(contents(again)).to.deep.equal({ a: { k: 'v' } })
    expect(again.info().journal).to.deep.include({ records: 0, bytes: 0 })
    await again.close()
  })

  it("savepoints and group commit: a callback that throws leaves nothing in the journal's replay", async () => {
    const fs = new PowerLossFileSystem()
    const db = await open(PATH, { fileSystem: fs, lock: false, pageSize: 1024 })
    await db.update((tx) => tx.createBucket('a'))
    const results = await Promise.allSettled([
      db.update((tx) => tx.bucket('a')!.put(b('one'), b('1'))),
      db.update((tx) => {
        tx.bucket('a')!.put(b('bad'), b('x'))
        tx.createBucket('bad')
        throw new Error('no')
      }),
      db.update((tx) => {
        const sp = tx.savepoint()
        tx.bucket('a')!.put(b('rolled'), b('back'))
        tx.deleteBucket('a')
        tx.rollbackTo(sp)
        tx.bucket('a')!.put(b('two'), b('2'))
      }),
    ])
    expect(results.map((r) => r.status)).to.deep.equal(['fulfilled', 'rejected', 'fulfilled'])
    const expected = contents(db)
    expect(expected).to.deep.equal({ a: { one: '1', two: '2' } })
    fs.reopenAllAfterCrash({ mode: 'drop-all' })
    const again = await open(PATH, { fileSystem: fs, lock: false })
    expect(contents(again)).to.deep.equal(expected)
    expectClean(again)
    await again.close()
  })
  it('db.checkpoint() truncates the journal in the background: the next append waits for it, and a failed truncate fails nothing', async () => {
    const fs = new MemoryFileSystem()
    const db = await open(PATH, { fileSystem: fs, lock: false, pageSize: 1024 })
    const journal = fs.files.get(JPATH)!
    // A truncate that takes a while, as freeing a large journal's blocks does (10–30 ms at 25 MB).
    let pending: Array<() => void> = []
    let fail = false
    let hold = true
    const truncate = journal.truncate.bind(journal)
    journal.truncate = (size: number) =>
      hold
        ? new Promise<void>((resolve, reject) =>
            pending.push(() => (fail ? reject(new Error('EIO')) : truncate(size).then(resolve, reject))),
          )
        : truncate(size)
    const finish = (): void => {
      const run = pending
      pending = []
      for (const f of run) f()
    }
    for (let i = 0; i < 20; i++) await db.update((tx) => tx.createBucketIfNotExists('a').put(b(`k${i}`), b(`v${i}`)))
    await db.checkpoint()
    expect(pending.length).to.equal(1)
    // The append after the checkpoint is written only once the truncate is done, else it would
    // be cut off with the older records.
    const update = db.update((tx) => tx.bucket('a')!.put(b('after'), b('1')))
    await new Promise((resolve) => setImmediate(resolve))
    expect(journal.size()).to.be.greaterThan(0)
    finish()
    await update
    expect(journal.size()).to.be.greaterThan(RECORD_HEADER)
    expect(db.info().journal!.records).to.equal(1)
    // A failed truncate only leaves the allocation: the next commits go on.
    await db.checkpoint()
    fail = true
    finish()
    await db.update((tx) => tx.bucket('a')!.put(b('after2'), b('2')))
    fail = false
    expect(db.info().journal!.records).to.equal(1)
    expectClean(db)
    expect(contents(db).a!['after2']).to.equal('2')
    hold = false
    await db.close()
    expect(journal.size()).to.equal(0)
    const again = await open(PATH, { fileSystem: fs, lock: false })
    expect(contents(again).a).to.include({ after: '1', after2: '2', k19: 'v19' })
    expectClean(again)
    await again.close()
  })
})
