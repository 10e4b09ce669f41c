import fs from 'node:fs'
import path from 'node:path'
import { BTreeError, ioError } from '../errors.js'

/**
 * The write lock (README, "Locking"): a lock file `<db>-lock` created exclusively (O_EXCL) and
 * holding the owner's pid and process start time. A lock whose owner is gone is stale and is taken
 * over, so a SIGKILLed holder never blocks the next open; comparing the start time read from
 * /proc (on Linux) keeps a recycled pid from looking alive. Within one process, a set of held paths
 * answers first, without touching the file system.
 */
const held = new Set<string>()

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
    const lockPath = `${key}-lock`
    const stamp = `${process.pid} ${startTime(process.pid) ?? ''}\n`
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fd = fs.openSync(lockPath, 'wx', 0o644)
        try {
          fs.writeSync(fd, stamp)
        } finally {
          fs.closeSync(fd)
        }
        held.add(key)
        return new FileLock(lockPath, key)
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw ioError(`creating the lock file ${lockPath}`, err)
      }
      const owner = readOwner(lockPath)
      if (owner === undefined && justCreated(lockPath)) {
        // Another process created it an instant ago and has not written its pid yet.
        throw new BTreeError('BTREE_LOCKED', `${dbPath} is being opened by another process (lock file ${lockPath})`)
      }
      if (owner !== undefined && isAlive(owner.pid, owner.start)) {
        throw new BTreeError('BTREE_LOCKED', `${dbPath} is locked by process ${owner.pid} (lock file ${lockPath})`)
      }
      // Stale: the holder died without removing it. Take it over.
      try {
        fs.unlinkSync(lockPath)
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw ioError(`removing the stale lock ${lockPath}`, err)
      }
    }
    throw new BTreeError('BTREE_LOCKED', `${dbPath} is locked (lock file ${lockPath} keeps reappearing)`)
  }

  /** The pid holding the lock on `dbPath`, if a live process does. */
  static holder(dbPath: string): number | undefined {
    const owner = readOwner(`${path.resolve(dbPath)}-lock`)
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

function justCreated(lockPath: string): boolean {
  try {
    return Date.now() - fs.statSync(lockPath).mtimeMs < 1000
  } catch {
    return false
  }
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
