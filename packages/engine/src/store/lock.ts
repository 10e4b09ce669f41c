import fs from 'node:fs'
import path from 'node:path'
import { BTreeError, ioError } from '../base/errors.js'

/**
 * The write lock (README, "Locking"): a lock file `<db>-lock` created atomically (link(2) of a
 * file already holding the owner's pid and process start time). A lock whose owner is gone is stale and is taken
 * over, so a SIGKILLed holder never blocks the next open; comparing the start time read from
 * /proc (on Linux) keeps a recycled pid from looking alive. Within one process, a set of held paths
 * answers first, without touching the file system.
 */
const held = new Set<string>()

/** The lock file of the database at `dbPath`: `<dbPath>-lock`. */
export function lockPath(dbPath: string): string {
  return `${dbPath}-lock`
}

export class FileLock {
  readonly #lockPath: string
  readonly #key: string
  #released = false

  private constructor(lockPath: string, key: string) {
    this.#lockPath = lockPath
    this.#key = key
  }

  static acquire(dbPath: string): FileLock {
    const key = path.resolve(dbPath)
    if (held.has(key)) {
      throw new BTreeError('BTREE_LOCKED', `${dbPath} is already open for writing in this process (pid ${process.pid})`)
    }
    const lockFile = lockPath(key)
    // The stamp is written to a private file first and linked into place: link(2) is atomic and
    // fails when the lock exists, so no process ever sees a lock file without its owner.
    const unique = `${process.pid}.${Math.random().toString(36).slice(2)}`
    const tmp = `${lockFile}.${unique}`
    try {
      fs.writeFileSync(tmp, `${process.pid} ${startTime(process.pid) ?? ''}\n`, { mode: 0o644 })
    } catch (err) {
      throw ioError(`creating the lock file ${lockFile}`, err)
    }
    try {
      for (let attempt = 0; attempt < 5; attempt++) {
        try {
          fs.linkSync(tmp, lockFile)
          held.add(key)
          return new FileLock(lockFile, key)
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw ioError(`creating the lock file ${lockFile}`, err)
        }
        const owner = readOwner(lockFile)
        if (owner !== undefined && isAlive(owner.pid, owner.start)) {
          throw new BTreeError('BTREE_LOCKED', `${dbPath} is locked by process ${owner.pid} (lock file ${lockFile})`)
        }
        takeOverStale(lockFile, `${lockFile}.stale.${unique}`, dbPath)
      }
    } finally {
      fs.rmSync(tmp, { force: true })
    }
    throw new BTreeError('BTREE_LOCKED', `${dbPath} is locked (lock file ${lockFile} keeps reappearing)`)
  }

  /** The pid holding the lock on `dbPath`, if a live process does. */
  static holder(dbPath: string): number | undefined {
    const owner = readOwner(lockPath(path.resolve(dbPath)))
    return owner !== undefined && isAlive(owner.pid, owner.start) ? owner.pid : undefined
  }

  release(): void {
    if (this.#released) return
    this.#released = true
    held.delete(this.#key)
    try {
      fs.unlinkSync(this.#lockPath)
    } catch {
      // Already gone: nothing to release.
    }
  }
}

function readOwner(lockPath: string): { pid: number; start: string | undefined } | undefined {
  let text: string
  try {
    text = fs.readFileSync(lockPath, 'utf8')
  } catch {
    return undefined
  }
  const [pidText, start] = text.trim().split(/\s+/)
  const pid = Number(pidText)
  if (!Number.isInteger(pid) || pid <= 0) return undefined
  return { pid, start: start === '' ? undefined : start }
}

/**
 * Moves a stale lock aside with rename(2), which only one contender can do. If what it moved
 * turns out to be a live owner's lock (created after the stale one was read), it is put back.
 */
function takeOverStale(lockPath: string, aside: string, dbPath: string): void {
  try {
    fs.renameSync(lockPath, aside)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return
    throw ioError(`moving the stale lock ${lockPath} aside`, err)
  }
  const moved = readOwner(aside)
  if (moved !== undefined && isAlive(moved.pid, moved.start)) {
    try {
      fs.linkSync(aside, lockPath)
    } catch {
      // Another contender holds it now; the live owner keeps its claim through its own process.
    }
    fs.rmSync(aside, { force: true })
    throw new BTreeError('BTREE_LOCKED', `${dbPath} is locked by process ${moved.pid} (lock file ${lockPath})`)
  }
  fs.rmSync(aside, { force: true })
}

function isAlive(pid: number, start: string | undefined): boolean {
  try {
    process.kill(pid, 0)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false
  }
  const now = startTime(pid)
  return start === undefined || now === undefined || now === start
}

/** The process start time from /proc/<pid>/stat (field 22), or undefined off Linux. */
function startTime(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return fields[19]
  } catch {
    return undefined
  }
}
