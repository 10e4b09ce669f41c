/**
 * One store's share of `npm run bench`, in a process of its own so that its peak RSS is its own:
 *
 *   node dist/bench/store-process.js --store classic-level --n 200000 [--seed 1] [--only ...]
 *
 * Prints one JSON line per measurement on stdout. run.ts starts one of these per store.
 */
import { parseArgs } from 'node:util'
import { DATASET_OPTIONS, type GroupName, parseDatasetOptions } from './args.js'
import { type BenchConfig, type Dataset, identity, makeDataset } from './dataset.js'
import {
  type Measurement,
  STORES,
  type StoreName,
  collectGarbage,
  diskUsage,
  mib,
  peakRss,
  removeDir,
  tempDir,
} from './measure.js'
import { openStore, verifyStore } from './stores.js'
import {
  type BenchDb,
  W,
  copyFromClassic,
  deleteAll,
  fill,
  getManyChunks,
  iterateForAwait,
  iterateNextv,
  randomGets,
  rangeScans,
  sublevelClear,
  syncPuts,
} from './workloads.js'

interface StoreRunOptions {
  store: StoreName
  config: BenchConfig
  /** Random gets awaited one by one (a sample of the n keys). */
  gets: number
  groups: Set<GroupName>
  /** btree-level's `cacheSize`; the engine's default when absent. */
  btreeCacheBytes: number | undefined
}

function parseStoreArgs(argv: string[]): StoreRunOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      store: { type: 'string' },
      ...DATASET_OPTIONS,
    },
  })
  const store = values.store
  if (store === undefined || !(STORES as readonly string[]).includes(store)) {
    throw new RangeError(`--store must be one of ${STORES.join(', ')}, got ${String(store)}`)
  }
  const { config, gets, groups, btreeCacheMiB } = parseDatasetOptions(values)
  return {
    store: store as StoreName,
    config,
    gets,
    groups,
    btreeCacheBytes: btreeCacheMiB === undefined ? undefined : btreeCacheMiB * 1048576,
  }
}

class StoreRun {
  readonly #options: StoreRunOptions
  readonly #data: Dataset

  constructor(options: StoreRunOptions, data: Dataset) {
    this.#options = options
    this.#data = data
  }

  async run(): Promise<void> {
    const { groups } = this.#options
    if (groups.has('main')) await this.#main()
    if (groups.has('random-fill')) await this.#randomFill()
    if (groups.has('sublevel-clear')) {
      await this.#withStore('sublevel', async (db) => {
        collectGarbage()
        for (const m of await sublevelClear(db, this.#options.store, this.#data)) emit(m)
      })
    }
    if (groups.has('copy')) {
      const { store } = this.#options
      await this.#withStore(
        'copy-source',
        (source) => this.#withStore('copy', (db) => this.#step(() => copyFromClassic(source, db, store, this.#data))),
        'classic-level',
      )
    }
  }

  /** Fill in key order, then reads, overwrites and deletes on the same database. */
  async #main(): Promise<void> {
    const { store, gets } = this.#options
    const data = this.#data
    await this.#withStore('main', async (db, dir) => {
      await this.#step(() => fill(W.seqFill, db, store, data, identity(data.config.n), data.values))
      if (store !== 'memory-level') {
        const usage = diskUsage(dir)
        const raw = data.config.n * (data.config.keySize + data.config.valueSize)
        emit({
          workload: W.disk,
          store,
          ops: data.config.n,
          seconds: 0,
          opsPerSec: 0,
          ...usage,
          rawBytes: raw,
          overRaw: usage.bytes / raw,
        })
      }
      await this.#step(() => randomGets(db, store, data, gets))
      await this.#step(() => getManyChunks(db, store, data))
      await this.#step(() => iterateForAwait(db, store, data))
      await this.#step(() => iterateNextv(db, store, data))
      await this.#step(() => rangeScans(db, store, data))
      await this.#step(() => fill(W.overwrite, db, store, data, data.overwriteOrder, data.values2))
      await this.#step(() => deleteAll(db, store, data))
      const left = await db.keys({ limit: 1 }).all()
      if (left.length !== 0) throw new Error(`${store}: entries left after deleting every key`)
    })
  }

  /**
   * Fill in random order, then single durable puts into the filled database; then the same fill
   * again into a fresh database of the same store, in this process: the first meets a cold process
   * (a JavaScript store's code not yet optimized), the second one as a long-running app sees it.
   */
  async #randomFill(): Promise<void> {
    const { store } = this.#options
    const data = this.#data
    await this.#withStore('random', async (db) => {
      await this.#step(() => fill(W.randomFill, db, store, data, data.fillOrder, data.values))
      await this.#step(() => syncPuts(db, store, data))
    })
    await this.#withStore('random-again', async (db) => {
      await this.#step(() => fill(W.randomFillAgain, db, store, data, data.fillOrder, data.values))
    })
  }

  async #step(fn: () => Promise<Measurement>): Promise<void> {
    collectGarbage()
    emit(await fn())
  }

  /** Runs `fn` on a fresh database of `store` (this process's store unless told), then checks and removes it. */
  async #withStore(
    label: string,
    fn: (db: BenchDb, dir: string) => Promise<void>,
    store: StoreName = this.#options.store,
  ): Promise<void> {
    const dir = tempDir(`${store}-${label}`)
    try {
      const db = await openStore(store, dir, this.#options.btreeCacheBytes)
      try {
        await fn(db, dir)
        verifyStore(db)
      } finally {
        await db.close()
      }
    } finally {
      removeDir(dir)
    }
  }
}

function emit(m: Measurement): void {
  console.log(JSON.stringify(m))
}

async function main(): Promise<void> {
  const options = parseStoreArgs(process.argv.slice(2))
  const data = makeDataset(options.config)
  collectGarbage()
  // What the process and the dataset alone cost, before any store opens: every store's peak includes it.
  const before = peakRss()
  await new StoreRun(options, data).run()
  const peak = peakRss()
  emit({
    workload: W.rss,
    store: options.store,
    ops: 0,
    seconds: 0,
    opsPerSec: 0,
    bytes: peak,
    mib: mib(peak),
    datasetRssMiB: mib(before),
  })
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})
