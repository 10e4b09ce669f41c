import type { AbstractLevel, AbstractPutOptions } from 'abstract-level'
import { type Dataset, GET_MANY_CHUNK, NEXTV_SIZE, RANGE_LENGTH } from './dataset.js'
import { type Measurement, type StoreName, measure } from './measure.js'
import { DEFAULT_COPY_BATCH_SIZE, copyFromLevel } from '../src/copy-from-level.js'

/** Every store is opened with buffer keys and values, so no workload pays for a transcoder. */
export type BenchDb = AbstractLevel<string | Buffer | Uint8Array, Buffer, Buffer>

/** Plain operation objects: assignable to the batch of a database and of its sublevels alike. */
interface PutOp {
  type: 'put'
  key: Buffer
  value: Buffer
}
interface DelOp {
  type: 'del'
  key: Buffer
}

/** abstract-level's types leave `sync` to each implementation; classic-level and btree-level take it. */
interface DurablePutOptions extends AbstractPutOptions<Buffer, Buffer> {
  sync: boolean
}
const DURABLE: DurablePutOptions = { sync: true }

/** Workload names as they appear in the JSON lines and the table. */
export const W = {
  seqFill: 'fill in key order',
  randomFill: 'fill in random order',
  randomFillAgain: 'fill in random order, again in the same process',
  syncPut: 'single put, sync: true',
  get: 'random get, awaited one by one',
  getMany: 'getMany in chunks',
  forAwait: 'iteration, for await',
  nextv: 'iteration, nextv(1000)',
  range: 'range scans of 100',
  overwrite: 'overwrite in random order',
  delete: 'delete in random order',
  sublevelClear: 'sublevel clear()',
  afterClear: 'single puts right after the clear',
  copy: 'copyFromLevel from classic-level',
  disk: 'disk after fill in key order',
  rss: 'peak RSS',
} as const

/** Puts `values[order[i]]` under `keys[order[i]]` in array batches of `config.batch`. */
export function fill(
  workload: string,
  db: BenchDb,
  store: StoreName,
  data: Dataset,
  order: Uint32Array,
  values: Buffer[],
): Promise<Measurement> {
  const { batch } = data.config
  return measure(
    workload,
    store,
    order.length,
    async () => {
      for (let start = 0; start < order.length; start += batch) {
        const end = Math.min(order.length, start + batch)
        const ops = new Array<PutOp>(end - start)
        for (let i = start; i < end; i++) {
          const k = order[i]!
          ops[i - start] = { type: 'put', key: data.keys[k]!, value: values[k]! }
        }
        await db.batch(ops)
      }
    },
    { batch },
  )
}

export function deleteAll(db: BenchDb, store: StoreName, data: Dataset): Promise<Measurement> {
  const { batch } = data.config
  const order = data.deleteOrder
  return measure(
    W.delete,
    store,
    order.length,
    async () => {
      for (let start = 0; start < order.length; start += batch) {
        const end = Math.min(order.length, start + batch)
        const ops = new Array<DelOp>(end - start)
        for (let i = start; i < end; i++) ops[i - start] = { type: 'del', key: data.keys[order[i]!]! }
        await db.batch(ops)
      }
    },
    { batch },
  )
}

/** Single durable puts, one awaited after the other: each is its own durable commit. */
export function syncPuts(db: BenchDb, store: StoreName, data: Dataset): Promise<Measurement> {
  const count = Math.min(data.config.syncPuts, data.config.n)
  return measure(W.syncPut, store, count, async () => {
    for (let i = 0; i < count; i++) {
      const k = data.overwriteOrder[i]!
      await db.put(data.keys[k]!, data.values2[k]!, DURABLE)
    }
  })
}

/** `count` gets in random order over all n keys, each awaited before the next is issued. */
export async function randomGets(db: BenchDb, store: StoreName, data: Dataset, count: number): Promise<Measurement> {
  const { keys, getOrder, config } = data
  let missing = 0
  const m = await measure(W.get, store, count, async () => {
    for (let i = 0; i < count; i++) {
      const v = await db.get(keys[getOrder[i]!]!)
      if (v === undefined || v.length !== config.valueSize) missing++
    }
  })
  if (missing > 0) throw new Error(`${store}: ${missing} of ${count} random gets missed`)
  return m
}

/** Every key once, in random order, GET_MANY_CHUNK keys per getMany call. */
export async function getManyChunks(db: BenchDb, store: StoreName, data: Dataset): Promise<Measurement> {
  const { keys, getOrder, config } = data
  let missing = 0
  const m = await measure(
    W.getMany,
    store,
    config.n,
    async () => {
      for (let start = 0; start < config.n; start += GET_MANY_CHUNK) {
        const end = Math.min(config.n, start + GET_MANY_CHUNK)
        const chunk = new Array<Buffer>(end - start)
        for (let i = start; i < end; i++) chunk[i - start] = keys[getOrder[i]!]!
        const got = await db.getMany(chunk)
        for (const v of got) if (v === undefined) missing++
      }
    },
    { chunk: GET_MANY_CHUNK },
  )
  if (missing > 0) throw new Error(`${store}: getMany missed ${missing} of ${config.n} keys`)
  return m
}

export async function iterateForAwait(db: BenchDb, store: StoreName, data: Dataset): Promise<Measurement> {
  let count = 0
  let bytes = 0
  const m = await measure(W.forAwait, store, data.config.n, async () => {
    for await (const [key, value] of db.iterator()) {
      count++
      bytes += key.length + value.length
    }
  })
  expectCount(store, W.forAwait, count, data.config.n)
  return { ...m, bytes }
}

export async function iterateNextv(db: BenchDb, store: StoreName, data: Dataset): Promise<Measurement> {
  let count = 0
  const m = await measure(
    W.nextv,
    store,
    data.config.n,
    async () => {
      const it = db.iterator()
      try {
        for (;;) {
          const entries = await it.nextv(NEXTV_SIZE)
          if (entries.length === 0) break
          count += entries.length
        }
      } finally {
        await it.close()
      }
    },
    { size: NEXTV_SIZE },
  )
  expectCount(store, W.nextv, count, data.config.n)
  return m
}

/** `config.ranges` iterators of `gte: start, limit: RANGE_LENGTH`, each read whole with `all()`. */
export async function rangeScans(db: BenchDb, store: StoreName, data: Dataset): Promise<Measurement> {
  const { keys, rangeStarts, config } = data
  const expected = Math.min(RANGE_LENGTH, config.n)
  let short = 0
  const m = await measure(
    W.range,
    store,
    rangeStarts.length,
    async () => {
      for (let i = 0; i < rangeStarts.length; i++) {
        const entries = await db.iterator({ gte: keys[rangeStarts[i]!]!, limit: RANGE_LENGTH }).all()
        if (entries.length !== expected) short++
      }
    },
    { length: RANGE_LENGTH },
  )
  if (short > 0) throw new Error(`${store}: ${short} range scans returned fewer than ${expected} entries`)
  return m
}

/** Root puts awaited one by one before and after the clear: what the clear leaves for later writes. */
export const PUTS_AROUND_CLEAR = 20

/**
 * A sublevel filled with n entries beside a few root entries, then `clear()`ed without a range.
 * The rate counts entries cleared; `ms` is the time the clear took. The second measurement is
 * PUTS_AROUND_CLEAR single root puts right after the clear (with `putsBeforeMs`, the same number
 * just before it): a store that defers the clear's work (btree-store frees a dropped bucket's pages
 * a bounded number per later commit; LevelDB compacts tombstones away) shows it there.
 */
export async function sublevelClear(db: BenchDb, store: StoreName, data: Dataset): Promise<Measurement[]> {
  const sub = db.sublevel<Buffer, Buffer>('bench', { keyEncoding: 'buffer', valueEncoding: 'buffer' })
  const root = [Buffer.from(' before'), Buffer.from('~after')]
  for (const k of root) await db.put(k, k)
  const { batch, n } = data.config
  for (let start = 0; start < n; start += batch) {
    const end = Math.min(n, start + batch)
    const ops = new Array<PutOp>(end - start)
    for (let i = start; i < end; i++) ops[i - start] = { type: 'put', key: data.keys[i]!, value: data.values[i]! }
    await sub.batch(ops)
  }
  const before = await rootPuts(db, store, 'before')
  const m = await measure(W.sublevelClear, store, n, () => sub.clear())
  const after = await rootPuts(db, store, 'after')
  const left = await sub.keys({ limit: 1 }).all()
  if (left.length !== 0) throw new Error(`${store}: the sublevel still has entries after clear()`)
  const kept = await db.keys().all()
  const expected = root.length + 2 * PUTS_AROUND_CLEAR
  if (kept.length !== expected)
    throw new Error(`${store}: clear() of a sublevel left ${kept.length} root entries, expected ${expected}`)
  return [
    { ...m, ms: m.seconds * 1000 },
    { ...after, ms: after.seconds * 1000, putsBeforeMs: before.seconds * 1000 },
  ]
}

function rootPuts(db: BenchDb, store: StoreName, label: string): Promise<Measurement> {
  return measure(W.afterClear, store, PUTS_AROUND_CLEAR, async () => {
    for (let i = 0; i < PUTS_AROUND_CLEAR; i++) {
      const key = Buffer.from(`~${label}${i}`)
      await db.put(key, key)
    }
  })
}

/**
 * The migration path: `copyFromLevel` from a classic-level database of n entries (filled in key
 * order, not timed) into this store, in its default batches of 10,000 written with `sync: true`.
 */
export async function copyFromClassic(
  source: BenchDb,
  target: BenchDb,
  store: StoreName,
  data: Dataset,
): Promise<Measurement> {
  const { batch, n } = data.config
  for (let start = 0; start < n; start += batch) {
    const end = Math.min(n, start + batch)
    const ops = new Array<PutOp>(end - start)
    for (let i = start; i < end; i++) ops[i - start] = { type: 'put', key: data.keys[i]!, value: data.values[i]! }
    await source.batch(ops)
  }
  let copied = 0
  const m = await measure(
    W.copy,
    store,
    n,
    async () => {
      copied = (await copyFromLevel(source, target)).entries
    },
    { batchSize: DEFAULT_COPY_BATCH_SIZE },
  )
  expectCount(store, W.copy, copied, n)
  return m
}

function expectCount(store: StoreName, workload: string, count: number, n: number): void {
  if (count !== n) throw new Error(`${store}: ${workload} saw ${count} entries, expected ${n}`)
}
