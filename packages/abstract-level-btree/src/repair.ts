import fs from 'node:fs'
import { BTreeError, databaseFiles, open, type Database, type ReadBucket } from 'btree-store'
import { copy } from './bytes.js'
import { BTreeLevelError, toLevelError } from './errors.js'
import { dataFile } from './location.js'

const CHUNK = 10_000

/**
 * `BTreeLevel.repair`: opens the file (the engine falls back to the older meta page if the newest
 * is damaged) and runs `check()`. A file that checks clean is left alone. Otherwise every entry
 * that can still be read, bucket by bucket, from the front until a damaged page and from the back
 * until one, is copied into a new file that takes the old one's place; the damaged file is kept as
 * `data.btree.damaged`.
 */
export async function repairLocation(location: string): Promise<void> {
  const file = dataFile(location)
  if (!fs.existsSync(file)) throw new BTreeLevelError('LEVEL_IO_ERROR', `${location} does not exist`)
  let source: Database
  try {
    source = await open(file)
  } catch (err) {
    throw toLevelError(err)
  }
  let ok: boolean
  try {
    ok = source.check().ok
  } catch {
    ok = false
  }
  if (ok) {
    await source.close()
    return
  }
  const rebuilt = databaseFiles(`${file}.repair`)
  for (const leftover of [rebuilt.data, ...rebuilt.journals, rebuilt.lock]) fs.rmSync(leftover, { force: true })
  // Every chunk's commit is durable: the rebuilt file replaces the old one only once it is whole.
  const target = await open(rebuilt.data, { pageSize: source.pageSize })
  try {
    const names = source.view((tx) => tx.buckets())
    for (const name of names) await copyBucket(source, target, name)
  } catch (err) {
    await target.close().catch(() => {})
    await source.close().catch(() => {})
    throw toLevelError(err)
  }
  // Both closes checkpoint, so neither journal holds a record the files lack: the damaged file's
  // journal goes aside with it, and the rebuilt file starts without one.
  await target.close()
  await source.close()
  const current = databaseFiles(file)
  const damaged = databaseFiles(`${file}.damaged`)
  fs.renameSync(current.data, damaged.data)
  current.journals.forEach((journal, i) => {
    if (fs.existsSync(journal)) fs.renameSync(journal, damaged.journals[i]!)
    fs.rmSync(rebuilt.journals[i]!, { force: true })
  })
  fs.renameSync(rebuilt.data, current.data)
}

async function copyBucket(source: Database, target: Database, name: string): Promise<void> {
  const snapshot = source.begin()
  try {
    const bucket = snapshot.bucket(name)
    if (bucket === undefined) return
    await target.update((tx) => void tx.createBucketIfNotExists(name))
    let chunk: Array<[Uint8Array, Uint8Array]> = []
    const flush = async (): Promise<void> => {
      const entries = chunk
      chunk = []
      await target.update((tx) => {
        const out = tx.bucket(name)!
        for (const [k, v] of entries) out.put(k, v)
      })
    }
    for (const entry of readable(bucket)) {
      chunk.push(entry)
      if (chunk.length >= CHUNK) await flush()
    }
    await flush()
  } finally {
    snapshot.close()
  }
}

/** Entries from the front until a damaged page, then from the back down to where that stopped. */
function* readable(bucket: ReadBucket): Generator<[Uint8Array, Uint8Array]> {
  const cursor = bucket.cursor()
  let last: Uint8Array | undefined
  try {
    for (let ok = cursor.first(); ok; ok = cursor.next()) {
      last = copy(cursor.key!)
      yield [last, copy(cursor.value!)]
    }
    return
  } catch (err) {
    if (!(err instanceof BTreeError)) throw err
  }
  const back = bucket.cursor()
  try {
    for (let ok = back.last(); ok; ok = back.prev()) {
      const key = back.key!
      if (last !== undefined && Buffer.compare(key, last) <= 0) return
      yield [copy(key), copy(back.value!)]
    }
  } catch (err) {
    if (!(err instanceof BTreeError)) throw err
  }
}
