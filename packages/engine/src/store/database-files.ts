import { expectPath } from '../base/validate.js'
import { journalPaths } from './journal.js'
import { lockPath } from './lock.js'

/** The files of the database at one path (README, "The API": `databaseFiles`). */
export interface DatabaseFiles {
  /** The database file itself, `<path>` (FORMAT.md §1–§10). */
  readonly data: string
  /** Its journal files, `<path>-journal` and `<path>-journal2` (FORMAT.md §11). */
  readonly journals: readonly [string, string]
  /** The write lock, `<path>-lock`, present while a process has the database open for writing. */
  readonly lock: string
}

/**
 * The names of the files the database at `path` consists of: what a program that moves, copies
 * or deletes a closed database handles together. Names only: none of them is touched.
 */
export function databaseFiles(path: string): DatabaseFiles {
  expectPath(path)
  return { data: path, journals: journalPaths(path), lock: lockPath(path) }
}
