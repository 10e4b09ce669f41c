import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { expect } from 'chai'
import type { Database } from '../../src/db/database.js'
import {
  BUCKET,
  btreeCommitsConcurrent,
  btreeCommitsSerial,
  btreeDeleteAll,
  btreeDrop,
  btreeFileSize,
  btreeFill,
  btreeGetSnapshot,
  btreeGetView,
  btreeRanges,
  btreeScan,
  openBtree,
} from '../../bench/btree-workloads.js'
import { CountingFileSystem } from '../../bench/counting-file.js'
import { type Dataset, makeDataset } from '../../bench/dataset.js'
import type { Measurement } from '../../bench/measure.js'

/**
 * The benchmark's btree-store workloads at a small n: each must report a positive rate and leave
 * exactly the data it wrote, so a bench that silently measures the wrong thing fails here.
 */
const N = 2000
const seed = process.env.SEED !== undefined ? Number(process.env.SEED) : 1

function expectRate(m: Measurement, workload: string): void {
  expect(m.workload).to.equal(workload)
  expect(m.engine).to.equal('btree-store')
  expect(m.seconds).to.be.above(0)
  expect(m.opsPerSec).to.be.above(0).and.below(Infinity)
}

/** Every key in `indexes` holds `values[i]`, and the bucket holds nothing else. */
function expectContents(db: Database, data: Dataset, values: Buffer[], indexes: number[]): void {
  db.view((tx) => {
    const b = tx.bucket(BUCKET)!
    expect(b.size).to.equal(indexes.length)
    for (const i of indexes) {
      const v = b.get(data.keys[i]!)
      if (v === undefined || !Buffer.from(v).equals(values[i]!))
        expect.fail(`key ${i}: wrong value ${v === undefined ? 'none' : Buffer.from(v).toString('hex')}`)
    }
  })
}

function expectCheck(db: Database): void {
  const result = db.check()
  expect(result.ok, JSON.stringify(result.errors)).to.equal(true)
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i)
}

describe('bench smoke (btree-store workloads at n=2000)', function () {
  this.timeout(60_000)
  let data: Dataset
  let dir: string

  before(() => {
    console.log(`bench smoke seed: ${seed} (SEED=... to override)`)
    data = makeDataset({ n: N, keySize: 16, valueSize: 100, batch: 100, seed })
  })

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-smoke-'))
  })

  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it('sequential fill, reads, file size, overwrite and delete', async () => {
    const db = await openBtree(dir)
    try {
      expectRate(
        await btreeFill('sequential fill', db, data, Uint32Array.from(range(N)), data.values),
        'sequential fill',
      )
      expectContents(db, data, data.values, range(N))

      const size = await btreeFileSize(db, dir, data)
      expect(size.bytes).to.be.above(0)
      expect(size.rawBytes).to.equal(N * 116)

      expectRate(await btreeGetSnapshot(db, data), 'random get')
      expectRate(await btreeGetView(db, data), 'random get (view per get)')
      const scan = await btreeScan(db, data)
      expectRate(scan, 'full scan')
      expect(scan.bytes).to.equal(N * 116)
      const ranges = await btreeRanges(db, data)
      expectRate(ranges, 'range scans (100)')
      expect(ranges.entries).to.equal(10_000 * 100)

      expectRate(
        await btreeFill('overwrite (random order)', db, data, data.overwriteOrder, data.values2),
        'overwrite (random order)',
      )
      expectContents(db, data, data.values2, range(N))

      expectRate(await btreeDeleteAll('delete (random order)', db, data, data.deleteOrder), 'delete (random order)')
      expectContents(db, data, data.values2, [])
      expectCheck(db)
    } finally {
      await db.close()
    }
  })

  it('random fill and a fill with durability none leave every key in order', async () => {
    const db = await openBtree(dir)
    try {
      expectRate(await btreeFill('random fill', db, data, data.fillOrder, data.values), 'random fill')
      expectContents(db, data, data.values, range(N))
      const m = await btreeFill('overwrite', db, data, Uint32Array.from(range(N)), data.values2, 'none')
      expect(m.durability).to.equal('none')
      expectRate(m, 'overwrite')
      expectContents(db, data, data.values2, range(N))
      db.view((tx) => {
        const c = tx.bucket(BUCKET)!.cursor()
        let i = 0
        for (let ok = c.first(); ok; ok = c.next()) expect(Buffer.from(c.key!).equals(data.keys[i++]!)).to.equal(true)
        expect(i).to.equal(N)
      })
      expectCheck(db)
    } finally {
      await db.close()
    }
  })

  it('the counting file system sees every byte the random fill writes, journal and pages', async () => {
    const counter = new CountingFileSystem()
    const db = await openBtree(dir, counter)
    try {
      const before = counter.snapshot()
      await btreeFill('random fill', db, data, data.fillOrder, data.values)
      const written = counter.bytesWritten - before.bytesWritten
      // Every key and value goes through the journal once and into a page at the checkpoint.
      expect(written).to.be.at.least(2 * N * 116)
      expect(counter.syncs - before.syncs).to.be.at.least(N / 100)
      expectContents(db, data, data.values, range(N))
      expectCheck(db)
    } finally {
      await db.close()
    }
    let total = 0
    for (const name of fs.readdirSync(dir)) total += fs.statSync(path.join(dir, name)).size
    expect(counter.bytesWritten).to.be.at.least(total - 4096)
  })

  it('durable commits one by one and 64 in flight', async () => {
    const db = await openBtree(dir)
    try {
      expectRate(await btreeCommitsSerial(db, data, 200), 'durable commits, one by one')
      expectContents(db, data, data.values, range(200))
      const before = db.txid
      const m = await btreeCommitsConcurrent(db, data, N)
      expectRate(m, 'durable commits, 64 in flight')
      expect(m.commits).to.equal(db.txid - before)
      expect(m.commits).to.be.within(1, N)
      expectContents(db, data, data.values2, range(N))
      expectCheck(db)
    } finally {
      await db.close()
    }
  })

  it('dropping a bucket of n entries', async () => {
    const db = await openBtree(dir)
    try {
      const m = await btreeDrop(db, data)
      expectRate(m, 'drop bucket')
      expect(m.emptyCommitSeconds).to.be.above(0)
      expect(m.dropOverEmpty).to.be.above(0)
      expect(db.view((tx) => tx.buckets())).to.deep.equal(['other'])
      expect(db.view((tx) => tx.bucket('other')!.get(data.keys[0]!))).to.deep.equal(data.values[1])
      expectCheck(db)
    } finally {
      await db.close()
    }
  })
})
