/**
 * Moving an existing database into btree-level: `copyFromLevel(source, target)` copies every entry
 * of any abstract-level database (classic-level, memory-level, another btree-level, ...) into
 * another one, normally a `BTreeLevel`.
 *
 * Entries are read and written as raw bytes (the `buffer` encoding: every abstract-level database
 * accepts it and converts to and from `view` without copying), so nothing is transcoded, and a
 * root database's iteration brings its sublevels' entries along under their prefixed keys, exactly
 * as they are stored. Written through the target's root, those keys land where the target's own
 * sublevels will find them.
 */
import { LevelRangeError, LevelTypeError, throwIfAborted } from './errors.js'

/** Called after each batch is committed to the target. */
export interface CopyProgress {
  /** Entries copied so far by this call. */
  entries: number
  /** Key and value bytes copied so far by this call. */
  bytes: number
  /** Batches committed so far by this call. */
  batches: number
  /** The greatest key committed so far: a copy can resume after it (see `CopyFromLevelOptions.resume`). */
  lastKey: Uint8Array
}

export interface CopyResult {
  entries: number
  bytes: number
  batches: number
  /** Where the copy started when it resumed: the target's greatest key before the call. */
  resumedAfter: Uint8Array | undefined
}

export interface CopyFromLevelOptions {
  /** Entries per atomic batch written to the target. Default 10,000. */
  batchSize?: number
  /**
   * Called after each batch is committed (and, with `sync`, durable). A returned promise is
   * awaited before the next batch is written, so a slow callback slows the copy down rather than
   * queueing progress reports.
   */
  onProgress?: (progress: CopyProgress) => void | Promise<void>
  /**
   * Continue after the greatest key the target already holds instead of starting from the first
   * key. Right when the target holds nothing but an interrupted copy of the same source: entries
   * are copied in key order and each batch is atomic, so the target's greatest key marks how far
   * the earlier copy got. Default false: every entry is copied (a re-run rewrites the same values).
   */
  resume?: boolean
  /** Each batch is written with `{ sync: true }`: committed batches survive a power loss. Default true. */
  sync?: boolean
  /**
   * Stops the copy between batches (and any read in flight), rejecting with abstract-level's
   * `LEVEL_ABORTED` error; the batches committed so far stay, and `resume` continues after them.
   */
  signal?: AbortSignal
}

type RawEncoding = 'buffer'
const RAW: RawEncoding = 'buffer'

interface RawIterator {
  nextv(size: number): Promise<Array<[Uint8Array, Uint8Array]>>
  close(): Promise<void>
}

interface RawKeyIterator {
  all(): Promise<Uint8Array[]>
}

/** What this function uses of an abstract-level database: any `AbstractLevel` satisfies it. */
export interface LevelLike {
  iterator(options: {
    keyEncoding: RawEncoding
    valueEncoding: RawEncoding
    gt?: Uint8Array
    signal?: AbortSignal
  }): RawIterator
  keys(options: { keyEncoding: RawEncoding; reverse: true; limit: number }): RawKeyIterator
  batch(
    operations: Array<{ type: 'put'; key: Uint8Array; value: Uint8Array }>,
    options: { keyEncoding: RawEncoding; valueEncoding: RawEncoding; sync: boolean },
  ): Promise<void>
}

export const DEFAULT_COPY_BATCH_SIZE = 10_000

/**
 * Copies every entry of `source` into `target`, in key order, `batchSize` entries per atomic batch
 * of the target, and resolves with the totals. Both databases must be open or opening.
 *
 * The source is read through one iterator, so the copy is a consistent view of the source as it
 * was when the copy began (for stores with implicit snapshots, as classic-level and btree-level
 * have). The next batch is read while the current one is written. Memory use is bounded by two
 * batches. Keys already in the target and absent from the source are left alone.
 *
 * Time: O(n) reads and writes; a re-run with `resume` skips what an earlier run committed.
 */
export async function copyFromLevel(
  source: LevelLike,
  target: LevelLike,
  options: CopyFromLevelOptions = {},
): Promise<CopyResult> {
  const { batchSize, onProgress, resume, sync, signal } = validateOptions(options)
  expectDatabase(source, 'source')
  expectDatabase(target, 'target')
  const read = { keyEncoding: RAW, valueEncoding: RAW }
  const write = { keyEncoding: RAW, valueEncoding: RAW, sync }

  let resumedAfter: Uint8Array | undefined
  if (resume) {
    const [last] = await target.keys({ keyEncoding: RAW, reverse: true, limit: 1 }).all()
    resumedAfter = last
  }
  throwIfAborted(signal)
  const iterator = source.iterator({
    ...read,
    ...(resumedAfter === undefined ? {} : { gt: resumedAfter }),
    ...(signal === undefined ? {} : { signal }),
  })

  const totals = { entries: 0, bytes: 0, batches: 0 }
  let pending: Promise<Array<[Uint8Array, Uint8Array]>> | undefined = readBatch(iterator, batchSize)
  try {
    for (;;) {
      const entries: Array<[Uint8Array, Uint8Array]> = await pending
      pending = undefined
      if (entries.length === 0) break
      // Read ahead: the source's next batch is fetched while the target commits this one.
      pending = readBatch(iterator, batchSize)
      throwIfAborted(signal)
      const operations = new Array<{ type: 'put'; key: Uint8Array; value: Uint8Array }>(entries.length)
      let bytes = 0
      for (let i = 0; i < entries.length; i++) {
        const [key, value] = entries[i]!
        operations[i] = { type: 'put', key, value }
        bytes += key.byteLength + value.byteLength
      }
      await target.batch(operations, write)
      totals.entries += entries.length
      totals.bytes += bytes
      totals.batches++
      if (onProgress !== undefined) await onProgress({ ...totals, lastKey: entries[entries.length - 1]![0] })
    }
  } finally {
    // A read still in flight (the copy failed or was aborted) must settle before the iterator closes.
    if (pending !== undefined) await pending.catch(() => undefined)
    await iterator.close()
  }
  return { ...totals, resumedAfter }
}

/**
 * Up to `size` entries, fewer only at the end: `nextv` may return less than asked (classic-level
 * answers from what it has buffered), and batches of the size the caller chose keep the
 * progress reports and the target's commits regular.
 */
async function readBatch(iterator: RawIterator, size: number): Promise<Array<[Uint8Array, Uint8Array]>> {
  const entries = await iterator.nextv(size)
  while (entries.length > 0 && entries.length < size) {
    const more = await iterator.nextv(size - entries.length)
    if (more.length === 0) break
    for (const entry of more) entries.push(entry)
  }
  return entries
}

interface ValidOptions {
  batchSize: number
  onProgress: ((progress: CopyProgress) => void | Promise<void>) | undefined
  resume: boolean
  sync: boolean
  signal: AbortSignal | undefined
}

function validateOptions(options: CopyFromLevelOptions): ValidOptions {
  if (options === null || typeof options !== 'object')
    throw new LevelTypeError('copyFromLevel: options must be an object')
  const { batchSize = DEFAULT_COPY_BATCH_SIZE, onProgress, resume = false, sync = true, signal } = options
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new LevelRangeError(`copyFromLevel: batchSize must be a positive integer, got ${String(batchSize)}`)
  if (onProgress !== undefined && typeof onProgress !== 'function')
    throw new LevelTypeError('copyFromLevel: onProgress must be a function')
  if (typeof resume !== 'boolean') throw new LevelTypeError('copyFromLevel: resume must be a boolean')
  if (typeof sync !== 'boolean') throw new LevelTypeError('copyFromLevel: sync must be a boolean')
  if (signal !== undefined && !(signal instanceof AbortSignal))
    throw new LevelTypeError('copyFromLevel: signal must be an AbortSignal')
  return { batchSize, onProgress, resume, sync, signal }
}

function expectDatabase(db: LevelLike, role: string): void {
  if (
    db === null ||
    typeof db !== 'object' ||
    typeof db.iterator !== 'function' ||
    typeof db.keys !== 'function' ||
    typeof db.batch !== 'function'
  ) {
    throw new LevelTypeError(`copyFromLevel: ${role} must be an abstract-level database`)
  }
}
