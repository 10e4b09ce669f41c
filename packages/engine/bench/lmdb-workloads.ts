import path from 'node:path'
import { type Database, type RootDatabase, open } from 'lmdb'
import { type Dataset, RANGE_LENGTH } from './dataset.js'
import { expectedRangeEntries, median } from './btree-workloads.js'
import { type Measurement, diskUsage, inFlight, measure, time } from './measure.js'

/**
 * The same workloads against lmdb-js with its defaults (synchronous-safe commits with
 * overlappingSync), raw binary keys and values. Every durable write also awaits `db.flushed`, so
 * the clock stops when the data is on disk as it does for btree-store's 'full' commits; when the
 * write promise already waited for the flush, that await is immediate.
 */
const ENGINE = 'lmdb-js'
type LmdbDb = Database<Buffer, Buffer>

export function lmdbPath(dir: string): string {
  return path.join(dir, 'bench.mdb')
}

export function openLmdb(dir: string): RootDatabase<Buffer, Buffer> {
  return open<Buffer, Buffer>({ path: lmdbPath(dir), keyEncoding: 'binary', encoding: 'binary' })
}

export function lmdbFill(
  workload: string,
  db: LmdbDb,
  data: Dataset,
  order: ArrayLike<number>,
  values: Buffer[],
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
        await db.transaction(() => {
          for (let j = start; j < end; j++) {
            const i = order[j]!
            db.put(keys[i]!, values[i]!)
          }
        })
        await db.flushed
      }
    },
    { batch },
  )
}

export function lmdbDeleteAll(
  workload: string,
  db: LmdbDb,
  data: Dataset,
  order: ArrayLike<number>,
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
        await db.transaction(() => {
          for (let j = start; j < end; j++) db.remove(keys[order[j]!]!)
        })
        await db.flushed
      }
    },
    { batch },
  )
}

export function lmdbGet(db: LmdbDb, data: Dataset): Promise<Measurement> {
  const { keys, getOrder } = data
  const size = data.config.valueSize
  return measure(
    'random get',
    ENGINE,
    getOrder.length,
    () => {
      for (let j = 0; j < getOrder.length; j++) {
        if (db.get(keys[getOrder[j]!]!)?.length !== size) throw new Error('lmdb random get: missing key')
      }
    },
    { via: 'db.get' },
  )
}

export async function lmdbScan(db: LmdbDb, data: Dataset): Promise<Measurement> {
  let count = 0
  let bytes = 0
  const m = await measure('full scan', ENGINE, data.config.n, () => {
    for (const { key, value } of db.getRange()) {
      bytes += key.length + value.length
      count++
    }
  })
  if (count !== data.config.n) throw new Error(`lmdb full scan: saw ${count} entries, expected ${data.config.n}`)
  return { ...m, bytes }
}

export async function lmdbRanges(db: LmdbDb, data: Dataset): Promise<Measurement> {
  const { keys, rangeStarts } = data
  let entries = 0
  let bytes = 0
  const m = await measure('range scans (100)', ENGINE, rangeStarts.length, () => {
    for (let j = 0; j < rangeStarts.length; j++) {
      for (const { key, value } of db.getRange({ start: keys[rangeStarts[j]!]!, limit: RANGE_LENGTH })) {
        bytes += key.length + value.length
        entries++
      }
    }
  })
  const expected = expectedRangeEntries(data)
  if (entries !== expected) throw new Error(`lmdb range scans: saw ${entries} entries, expected ${expected}`)
  return { ...m, entries, bytes }
}

export function lmdbCommitsSerial(db: LmdbDb, data: Dataset, count: number): Promise<Measurement> {
  const { keys, values } = data
  return measure('durable commits, one by one', ENGINE, count, async () => {
    for (let i = 0; i < count; i++) {
      await db.put(keys[i]!, values[i]!)
      await db.flushed
    }
  })
}

/**
 * `count` puts from `width` writers, each awaiting its put. With overlappingSync a put's promise
 * settles once its transaction commits, before the sync, so a writer's next put overlaps the sync
 * of its last one, and only the end awaits `db.flushed`. With `flushEach`, each writer awaits
 * `db.flushed` after its put too: each write is on disk before its writer goes on, as a
 * btree-store 'full' update is when its promise settles (the like-for-like figure).
 */
export function lmdbCommitsConcurrent(
  db: LmdbDb,
  data: Dataset,
  count: number,
  width = 64,
  flushEach = false,
): Promise<Measurement> {
  const { keys, values2 } = data
  return measure(
    flushEach ? `durable commits, ${width} in flight, each awaiting flushed` : `durable commits, ${width} in flight`,
    ENGINE,
    count,
    async () => {
      await inFlight(count, width, async (i) => {
        await db.put(keys[i]!, values2[i]!)
        if (flushEach) await db.flushed
      })
      await db.flushed
    },
    { inFlight: width },
  )
}

/** `drop()` of a sub-database of n entries, with the median single-put commit for reference. */
export async function lmdbDrop(
  root: RootDatabase<Buffer, Buffer>,
  data: Dataset,
  emptyCommits = 5,
): Promise<Measurement> {
  const { keys, values } = data
  const { n, batch } = data.config
  const sub = root.openDB<Buffer, Buffer>('drop-me', { keyEncoding: 'binary', encoding: 'binary' })
  for (let start = 0; start < n; start += batch) {
    const end = Math.min(start + batch, n)
    await sub.transaction(() => {
      for (let i = start; i < end; i++) sub.put(keys[i]!, values[i]!)
    })
  }
  await root.flushed
  const empties: number[] = []
  for (let i = 0; i < emptyCommits; i++) {
    empties.push(
      await time(async () => {
        await root.put(keys[i % n]!, values[i % n]!)
        await root.flushed
      }),
    )
  }
  const emptySeconds = median(empties)
  const m = await measure('drop bucket', ENGINE, 1, async () => {
    await sub.drop()
    await root.flushed
  })
  return { ...m, entries: n, emptyCommitSeconds: emptySeconds, dropOverEmpty: m.seconds / emptySeconds }
}

export function lmdbFileSize(dir: string, data: Dataset): Measurement {
  const { bytes, allocatedBytes } = diskUsage([lmdbPath(dir)])
  const raw = data.config.n * (data.config.keySize + data.config.valueSize)
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
  }
}
