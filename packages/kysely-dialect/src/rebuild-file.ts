import fs from 'node:fs'
import path from 'node:path'
import { BTreeError, compact, databaseFiles, type Database } from 'btree-store'

/**
 * Plain VACUUM: the database file rebuilt in place, as SQLite's VACUUM does (its copy into a
 * temporary database, then back). Here the engine's compact() writes a packed copy of the newest
 * commit beside the file (`<path>-vacuum`), the database closes, the copy takes the file's name
 * (rename(2), atomic), the directory is synced, and the file opens again.
 *
 * What a crash leaves at each step: before the rename, the old file, whole (its journal was
 * checkpointed first and nothing commits meanwhile), and a copy that the next VACUUM removes;
 * after it, the packed copy, whole (compact() syncs it and closes it with its journal empty), and
 * an empty journal beside it (the old file's, emptied by its close). The caller holds every other
 * statement back and makes sure no snapshot is open (SqlSession.vacuum). A file-system step that
 * fails (removing, renaming, syncing) is BTREE_IO, its errno in the message and the cause.
 */
export interface RebuildTarget {
  /** The database file's path. */
  readonly path: string
  /** Opens the file again with the options it was opened with. */
  readonly reopen: () => Promise<Database>
}

/** The copy a rebuild of `dbPath` writes before it takes the file's place. */
export function rebuildPath(dbPath: string): string {
  return `${dbPath}-vacuum`
}

/**
 * Rebuilds `target`'s file from `db` (open on it, with nothing running) and returns the database
 * open again on the new file. A failure before the close leaves `db` open and in use (the copy
 * removed); one after it reopens whichever file is in place and then throws (`replaced` tells the
 * caller which database to keep).
 */
export async function rebuildFile(
  db: Database,
  target: RebuildTarget,
  replaced: (db: Database) => void,
): Promise<void> {
  const copy = rebuildPath(target.path)
  removeCopy(copy)
  await db.checkpoint()
  try {
    await compact(db, copy)
  } catch (err) {
    removeCopy(copy)
    throw err
  }
  let failure: unknown
  try {
    await db.close()
  } catch (err) {
    // The old file stays (its close failed before the lock went): keep it, drop the copy.
    failure = err
  }
  if (failure === undefined) {
    try {
      fileStep('rename of the rebuilt copy', () => fs.renameSync(copy, target.path))
      fileStep('sync of the directory', () => syncDirectory(path.dirname(target.path)))
    } catch (err) {
      failure = err
    }
  }
  removeCopy(copy)
  replaced(await target.reopen())
  if (failure !== undefined) throw failure
}

/** The copy and its journal files, left by a rebuild that failed or a crash during one. */
function removeCopy(copy: string): void {
  const { data, journals } = databaseFiles(copy)
  for (const file of [data, ...journals]) {
    fileStep(`removal of ${file}`, () => fs.rmSync(file, { force: true }))
  }
}

/** Runs one file-system step of a rebuild; its failure is BTREE_IO (as the engine's own I/O). */
function fileStep(what: string, step: () => void): void {
  try {
    step()
  } catch (cause) {
    const errno = (cause as { code?: unknown } | null)?.code
    throw new BTreeError('BTREE_IO', `vacuum: ${what} failed${typeof errno === 'string' ? ` (${errno})` : ''}`, {
      cause,
    })
  }
}

/** Makes a rename in `dir` durable (fsync of the directory, as SQLite does after creating a journal). */
function syncDirectory(dir: string): void {
  const fd = fs.openSync(dir, 'r')
  try {
    fs.fsyncSync(fd)
  } finally {
    fs.closeSync(fd)
  }
}
