import fs from 'node:fs'
import path from 'node:path'
import { FileLock, databaseFiles } from 'btree-store'
import { BTreeLevelError } from './errors.js'

/**
 * A location is a directory, as with classic-level: it holds the engine's file and, while a
 * process has it open for writing, the engine's lock file. Two locations never share a file.
 */
export const DATA_FILE = 'data.btree'

export function dataFile(location: string): string {
  return path.join(location, DATA_FILE)
}

export interface PrepareOptions {
  createIfMissing: boolean
  errorIfExists: boolean
  readOnly: boolean
}

/**
 * The engine's file; whether it holds no database yet (the open creates it); and the first
 * directory prepareLocation made for it (undefined: none).
 */
export interface PreparedLocation {
  file: string
  created: boolean
  made: string | undefined
}

/**
 * Refuses a classic-level directory, checks `createIfMissing`, `readOnly` and `errorIfExists`, makes
 * the directory if needed; returns the file.
 */
export async function prepareLocation(location: string, options: PrepareOptions): Promise<PreparedLocation> {
  const file = dataFile(location)
  const exists = await fs.promises.stat(file).then(
    (s) => s.size > 0,
    () => false,
  )
  // An app that swaps classic-level for this backend without moving its data would otherwise see
  // an empty database where its data is: refuse, and say how to move it in. Checked before the
  // options that forbid creating the file, so that every open of such a directory (read-only, or
  // with createIfMissing false) fails alike, rather than as a location that does not exist.
  if (!exists && fs.existsSync(path.join(location, 'CURRENT')) && fs.existsSync(path.join(location, 'LOCK'))) {
    throw new BTreeLevelError(
      'LEVEL_NOT_SUPPORTED',
      `${location} holds a classic-level (LevelDB) database: copy its data into a new location (README, "Moving data in from classic-level")`,
    )
  }
  if (!exists && (!options.createIfMissing || options.readOnly)) {
    const why = options.readOnly ? 'a read-only open creates nothing' : 'createIfMissing is false'
    throw new BTreeLevelError('LEVEL_IO_ERROR', `${location} does not exist (${why})`)
  }
  if (exists && options.errorIfExists) {
    throw new BTreeLevelError('LEVEL_DATABASE_EXISTS', `${location} exists (errorIfExists is true)`)
  }
  let made: string | undefined
  if (!exists) {
    try {
      made = await fs.promises.mkdir(location, { recursive: true })
    } catch (err) {
      throw new BTreeLevelError('LEVEL_IO_ERROR', `cannot create ${location}`, { cause: err })
    }
  }
  return { file, created: !exists, made }
}

/**
 * After an open that failed: removes the directories prepareLocation made (`made` and those below
 * it, down to `location`) while they are empty, so that a refused open (bad options, say) leaves
 * no trace. Anything the engine wrote into them stays.
 */
export async function unmakeLocation(location: string, made: string | undefined): Promise<void> {
  if (made === undefined) return
  for (let dir = path.resolve(location); ; dir = path.dirname(dir)) {
    const removed = await fs.promises.rmdir(dir).then(
      () => true,
      () => false,
    )
    if (!removed || dir === path.resolve(made) || dir === path.dirname(dir)) return
  }
}

/**
 * Removes the engine's file and its two journal files (not its lock file: the engine that holds
 * the lock removes it as it closes).
 */
export async function removeDatabaseFiles(file: string): Promise<void> {
  const { data, journals } = databaseFiles(file)
  for (const f of [data, ...journals]) await fs.promises.rm(f, { force: true })
}

/**
 * Removes the database at `location`: its file, its two journal files, a stale lock, and the directory if nothing else is
 * left in it. Fails with LEVEL_LOCKED while a live process holds it open.
 */
export async function destroyLocation(location: string): Promise<void> {
  const file = dataFile(location)
  const holder = FileLock.holder(file)
  if (holder !== undefined) throw new BTreeLevelError('LEVEL_LOCKED', `${location} is open in process ${holder}`)
  try {
    await removeDatabaseFiles(file)
    await fs.promises.rm(databaseFiles(file).lock, { force: true })
    const left = await fs.promises.readdir(location).catch(() => undefined)
    if (left !== undefined && left.length === 0) await fs.promises.rmdir(location)
  } catch (err) {
    throw new BTreeLevelError('LEVEL_IO_ERROR', `cannot destroy ${location}`, { cause: err })
  }
}
