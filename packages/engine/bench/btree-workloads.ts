import path from 'node:path'
import { open } from '../src/index.js'
import type { Database } from '../src/db/database.js'
import type { FileSystem } from '../src/io/file-handle.js'
import type { Durability, ReadBucket } from '../src/base/types.js'
import { type Dataset, RANGE_LENGTH } from './dataset.js'
import { type Measurement, diskUsage, inFlight, measure, time } from './measure.js'

/**
 * The benchmark's workloads against btree-store, each through the public API as an application
 * would call it. Every function returns its measurement and leaves the database open; the smoke
 * test calls them one by one and then checks the data.
 */
export const BUCKET = 'bench'
const ENGINE = 'btree-store'

export function btreeDbPath(dir: string): string {
  return path.join(dir, 'bench.db')
}

export function openBtree(dir: string, fileSystem?: FileSystem): Promise<Database> {
  return open(btreeDbPath(dir), fileSystem === undefined ? {} : { fileSystem })
}

/** Writes `values[i]` for every index of `order`, `batch` entries per awaited commit. */
export async function btreeFill(
  workload: string,
  db: Database,
  data: Dataset,
  order: ArrayLike<number>,
  values: Buffer[],
  durability: Durability = 'full',
): Promise<Measurement> {
  const { batch } = data.config
  const { keys } = data
  return measure(
    workload,
    ENGINE,
    order.length,
    async () => {
      for (let start = 0; start < order.length; start += batch) {
        const end = Math.min(start + batch, order.length)
        await db.update(
          (tx) => {
            const b = tx.createBucketIfNotExists(BUCKET)
            for (let j = start; j < end; j++) {
              const i = order[j]!
              b.put(keys[i]!, values[i]!)
            }
          },
          { durability },
        )
      }
      // The journal defers writing pages to checkpoints: the last one is part of the workload's cost.
      await db.checkpoint()
    },
    { batch, durability },
  )
}

/** Deletes every key of `order`, `batch` per commit. */
export async function btreeDeleteAll(
  workload: string,
  db: Database,
  data: Dataset,
  order: ArrayLike<number>,
): Promise<Measurement> {
  const { batch } = data.config
  const { keys } = data
  let missing = 0
  const m = await measure(
    workload,
    ENGINE,
    order.length,
    async () => {
      for (let start = 0; start < order.length; start += batch) {
        const end = Math.min(start + batch, order.length)
        await db.update((tx) => {
          const b = tx.bucket(BUCKET)!
          for (let j = start; j < end; j++) if (!b.delete(keys[order[j]!]!)) missing++
        })
      }
      await db.checkpoint()
    },
    { batch, durability: 'full' },
  )
  if (missing > 0) throw new Error(`${workload}: ${missing} keys were not there to delete`)
  return m
}

/** n gets on one snapshot. Each value's length is checked so a miss cannot pass for a hit. */
export function btreeGetSnapshot(db: Database, data: Dataset): Promise<Measurement> {
  const { keys, getOrder } = data
  const size = data.config.valueSize
  return measure(
    'random get',
    ENGINE,
    getOrder.length,
    () => {
      const tx = db.begin()
      try {
        const b = tx.bucket(BUCKET)!
        for (let j = 0; j < getOrder.length; j++) {
          if (b.get(keys[getOrder[j]!]!)?.length !== size) throw new Error('random get: missing key')
        }
      } finally {
        tx.close()
      }
    },
    { via: 'one snapshot (db.begin)' },
  )
}

/** n gets, each in its own `db.view` (a snapshot opened and closed per get). */
export function btreeGetView(db: Database, data: Dataset): Promise<Measurement> {
  const { keys, getOrder } = data
  const size = data.config.valueSize
  return measure(
    'random get (view per get)',
    ENGINE,
    getOrder.length,
    () => {
      for (let j = 0; j < getOrder.length; j++) {
        const key = keys[getOrder[j]!]!
        const v = db.view((tx) => tx.bucket(BUCKET)!.get(key))
        if (v?.length !== size) throw new Error('random get (view): missing key')
      }
    },
    { via: 'db.view per get' },
  )
}

/** A cursor from first to last, touching every key and value byte count. */
export async function btreeScan(db: Database, data: Dataset): Promise<Measurement> {
  let count = 0
  let bytes = 0
  const m = await measure('full scan', ENGINE, data.config.n, () => {
    const tx = db.begin()
    try {
      const c = tx.bucket(BUCKET)!.cursor()
      for (let ok = c.first(); ok; ok = c.next()) {
        bytes += c.key!.length + c.value!.length
        count++
      }
    } finally {
      tx.close()
    }
  })
  if (count !== data.config.n) throw new Error(`full scan: saw ${count} entries, expected ${data.config.n}`)
  return { ...m, bytes }
}

/** 10,000 scans of up to 100 entries from random start keys, through `entries({ gte, limit })`. */
export async function btreeRanges(db: Database, data: Dataset): Promise<Measurement> {
  const { keys, rangeStarts } = data
  const expected = expectedRangeEntries(data)
  let entries = 0
  let bytes = 0
  const m = await measure('range scans (100)', ENGINE, rangeStarts.length, () => {
    const tx = db.begin()
    try {
      const b: ReadBucket = tx.bucket(BUCKET)!
      for (let j = 0; j < rangeStarts.length; j++) {
        for (const [k, v] of b.entries({ gte: keys[rangeStarts[j]!]!, limit: RANGE_LENGTH })) {
          bytes += k.length + v.length
          entries++
        }
      }
    } finally {
      tx.close()
    }
  })
  if (entries !== expected) throw new Error(`range scans: saw ${entries} entries, expected ${expected}`)
  return { ...m, entries, bytes }
}

export function expectedRangeEntries(data: Dataset): number {
  let total = 0
  for (const s of data.rangeStarts) total += Math.min(RANGE_LENGTH, data.config.n - s)
  return total
}

/** `count` single-put durable commits, each awaited before the next. */
export function btreeCommitsSerial(db: Database, data: Dataset, count: number): Promise<Measurement> {
  const { keys, values } = data
  return measure(
    'durable commits, one by one',
    ENGINE,
    count,
    async () => {
      for (let i = 0; i < count; i++)
        await db.update((tx) => tx.createBucketIfNotExists(BUCKET).put(keys[i]!, values[i]!))
    },
    { durability: 'full' },
  )
}

/** `count` single-put durable commits with 64 outstanding; queued updates share a commit. */
export async function btreeCommitsConcurrent(
  db: Database,
  data: Dataset,
  count: number,
  width = 64,
): Promise<Measurement> {
  const { keys, values2 } = data
  const before = db.txid
  const m = await measure(
    `durable commits, ${width} in flight`,
    ENGINE,
    count,
    () =>
      inFlight(count, width, (i) => db.update((tx) => tx.createBucketIfNotExists(BUCKET).put(keys[i]!, values2[i]!))),
    { durability: 'full', inFlight: width },
  )
  const commits = db.txid - before
  return { ...m, commits, putsPerCommit: count / commits }
}

/**
 * The time of the commit that drops a bucket of n entries, against the median of a few commits
 * that put one key (measured first, with the full bucket in the file). The commit after the drop
 * is timed too: it starts giving the dropped pages back to the free list.
 */
export async function btreeDrop(db: Database, data: Dataset, emptyCommits = 5): Promise<Measurement> {
  const { keys, values } = data
  const { n, batch } = data.config
  const name = 'drop-me'
  for (let start = 0; start < n; start += batch) {
    const end = Math.min(start + batch, n)
    await db.update(
      (tx) => {
        const b = tx.createBucketIfNotExists(name)
        for (let i = start; i < end; i++) b.put(keys[i]!, values[i]!)
      },
      { durability: 'none' },
    )
  }
  await db.update((tx) => tx.createBucketIfNotExists('other').put(keys[0]!, values[0]!))
  const empties: number[] = []
  for (let i = 0; i < emptyCommits; i++) {
    empties.push(await time(() => db.update((tx) => tx.bucket('other')!.put(keys[i % n]!, values[i % n]!))))
  }
  const emptySeconds = median(empties)
  const m = await measure('drop bucket', ENGINE, 1, () => db.update((tx) => tx.deleteBucket(name)))
  const after = await time(() => db.update((tx) => tx.bucket('other')!.put(keys[0]!, values[1 % n]!)))
  if (db.view((tx) => tx.bucket(name)) !== undefined) throw new Error('drop bucket: the bucket is still there')
  return {
    ...m,
    entries: n,
    emptyCommitSeconds: emptySeconds,
    dropOverEmpty: m.seconds / emptySeconds,
    nextCommitSeconds: after,
  }
}

/** Bytes on disk of the database file (plus its lock file, which holds a few bytes). */
export async function btreeFileSize(db: Database, dir: string, data: Dataset): Promise<Measurement> {
  // After a checkpoint the journal is empty: the database file holds everything.
  await db.checkpoint()
  const { bytes, allocatedBytes } = diskUsage([btreeDbPath(dir), `${btreeDbPath(dir)}-journal`])
  const raw = data.config.n * (data.config.keySize + data.config.valueSize)
  const s = db.stats()
  return {
    workload: 'file size after sequential fill',
    engine: ENGINE,
    ops: 0,
    seconds: 0,
    opsPerSec: 0,
    bytes,
    allocatedBytes,
    rawBytes: raw,
    overRaw: bytes / raw,
    pageSize: s.pageSize,
    freePages: s.freePages,
    leafFill: Math.round(s.total.fill * 1000) / 1000,
  }
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}
