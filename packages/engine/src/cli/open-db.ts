import fs from 'node:fs'
import { type Database, open } from '../db/database.js'
import { BTreeError } from '../base/errors.js'
import { FileLock } from '../store/lock.js'
import { CliError, EXIT_FAILURE, EXIT_USAGE } from './cli-error.js'

/**
 * Opens `path` without the write lock, so that it works on a file another process is writing.
 * Failures become CliErrors: a missing or unreadable file, or one that is not a database, exits 2.
 */
export async function openForRead(path: string): Promise<Database> {
  assertReadableFile(path)
  try {
    return await open(path, { readOnly: true })
  } catch (err) {
    throw openFailure(path, err)
  }
}

/** Opens (creating when missing) `path` with the write lock. */
export async function openForWrite(path: string, options: { pageSize?: number } = {}): Promise<Database> {
  if (fs.existsSync(path) && !fs.statSync(path).isFile()) throw new CliError(`${path} is not a file`, EXIT_USAGE)
  try {
    return await open(path, { pageSize: options.pageSize, durability: 'none' })
  } catch (err) {
    throw openFailure(path, err)
  }
}

export function assertReadableFile(path: string): void {
  let stat: fs.Stats
  try {
    stat = fs.statSync(path)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new CliError(
      code === 'ENOENT' ? `${path}: no such file` : `${path}: cannot read (${code ?? 'error'})`,
      EXIT_USAGE,
    )
  }
  if (!stat.isFile()) throw new CliError(`${path} is not a file`, EXIT_USAGE)
}

/** The one-line report of a failed open; exit 2 when the file cannot be read or is not a database. */
export function openFailure(path: string, err: unknown): unknown {
  if (!(err instanceof BTreeError)) return err
  switch (err.code) {
    case 'BTREE_LOCKED': {
      const pid = FileLock.holder(path)
      const who = pid === undefined ? '' : pid === process.pid ? ` by this process (pid ${pid})` : ` by process ${pid}`
      return new CliError(pid === undefined ? err.message : `${path} is locked for writing${who}`, EXIT_FAILURE)
    }
    case 'BTREE_IO':
      return new CliError(`${path}: ${err.message}`, EXIT_USAGE)
    case 'BTREE_NOT_A_DATABASE':
      return new CliError(err.message.includes(path) ? err.message : `${path}: ${err.message}`, EXIT_USAGE)
    case 'BTREE_CORRUPTION':
      return new CliError(`${path}: corrupt: ${err.message}`, EXIT_FAILURE)
    default:
      return err
  }
}
