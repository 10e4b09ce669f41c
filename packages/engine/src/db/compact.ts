import { BTreeError, BTreeTypeError } from '../base/errors.js'
import { describe } from '../base/validate.js'
import type { FileSystem } from '../io/file-handle.js'
import { nodeFileSystem } from '../io/node-file.js'
import type { WriteTransaction } from '../base/types.js'
import { open, type Database } from './database.js'

/** Entries and bytes per write transaction of a copy: the copy's memory, whatever the source's size. */
const BATCH_ENTRIES = 10_000
const BATCH_BYTES = 16 * 1024 * 1024

export interface CompactOptions {
  /** The copy's page size (default: the source's). */
  pageSize?: number
  /** The file system the copy is written through (default: Node's). */
  fileSystem?: FileSystem
  /** Called after each entry copied, with the count so far and the total (a progress bar's). */
  onProgress?: (entries: number, total: number) => void
}

export interface CompactResult {
  readonly buckets: number
  readonly entries: number
}

/**
 * Writes a fresh, densely packed copy of `source` as one snapshot sees it (the newest commit when
 * it starts) to a new database file at `path`: every bucket's entries inserted in key order,
 * which the engine packs nearly full. Commits on `source` go on meanwhile and are not in the copy
 * (its snapshot keeps the pages they free until the copy ends). The copy is written in write
 * transactions of at most 10,000 entries or 16 MiB, the last one synced; it is complete, and
 * closed, when the promise resolves. A file at `path` already is BTREE_INVALID_ARGUMENT (as is the
 * source's own path); when the copy fails its partial file is left to the caller, and a crash
 * during it leaves a valid database holding the entries copied so far. The CLI's `compact` and
 * kysely-btree's `VACUUM INTO` are this.
 */
export async function compact(source: Database, path: string, options: CompactOptions = {}): Promise<CompactResult> {
  validateCompactOptions(options)
  const fileSystem = options.fileSystem ?? nodeFileSystem
  if (fileSystem.exists(path)) throw new BTreeError('BTREE_INVALID_ARGUMENT', `compact: ${path} exists`)
  const snap = source.begin()
  try {
    const names = snap.buckets()
    const total = names.reduce((n, name) => n + snap.bucket(name)!.size, 0)
    // The write lock is a real file beside the copy: a test double's file system takes none.
    const lock = options.fileSystem === undefined
    const dst = await open(path, { pageSize: options.pageSize ?? source.pageSize, fileSystem, lock })
    let entries = 0
    let tx: WriteTransaction | undefined
    try {
      tx = await dst.beginWrite()
      let batchEntries = 0
      let batchBytes = 0
      for (const name of names) {
        let target = tx.createBucket(name)
        const cursor = snap.bucket(name)!.cursor()
        for (let ok = cursor.first(); ok; ok = cursor.next()) {
          const key = cursor.key!
          const value = cursor.value!
          target.put(key, value)
          entries++
          batchEntries++
          batchBytes += key.length + value.length
          options.onProgress?.(entries, total)
          if (batchEntries >= BATCH_ENTRIES || batchBytes >= BATCH_BYTES) {
            await tx.commit({ durability: 'none' })
            tx = await dst.beginWrite()
            target = tx.bucket(name)!
            batchEntries = 0
            batchBytes = 0
          }
        }
      }
      await tx.commit({ durability: 'full' })
    } finally {
      // A copy that failed: its open transaction undone, so that the close does not wait for it.
      if (tx !== undefined && !tx.closed) tx.rollback()
      await dst.close()
    }
    return { buckets: names.length, entries }
  } finally {
    snap.close()
  }
}

/**
 * The options `compact` itself uses, before anything is created: a wrong type is a TypeError, as
 * `open`'s are (`path` and `pageSize` are open's to check, which it does before it creates the file).
 */
function validateCompactOptions(options: unknown): void {
  if (typeof options !== 'object' || options === null)
    throw new BTreeTypeError(`compact: options must be an object, got ${describe(options)}`)
  const { fileSystem, onProgress } = options as Record<string, unknown>
  if (fileSystem !== undefined && (typeof fileSystem !== 'object' || fileSystem === null))
    throw new BTreeTypeError(`compact: fileSystem must be a FileSystem, got ${describe(fileSystem)}`)
  if (onProgress !== undefined && typeof onProgress !== 'function')
    throw new BTreeTypeError(`compact: onProgress must be a function, got ${describe(onProgress)}`)
}
