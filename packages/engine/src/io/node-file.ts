import fs from 'node:fs'
import { promisify } from 'node:util'
import type { FileHandle, FileSystem, WritebackReason } from './file-handle.js'
import { WritebackPolicy } from './writeback-policy.js'
import { noProgress } from './errors.js'

/** fs.writev looked up at each call (tests stand a disk that writes nothing in for it); the bytes written. */
const writev = (fd: number, buffers: Uint8Array[], position: number): Promise<number> =>
  new Promise((resolve, reject) =>
    fs.writev(fd, buffers, position, (err, written) => (err === null ? resolve(written) : reject(err))),
  )
const fdatasync = promisify(fs.fdatasync)
/** fs.fdatasync looked up at each call (tests stand a slow disk in for it). */
const fdatasyncOf = (fd: number): Promise<void> =>
  new Promise((resolve, reject) => fs.fdatasync(fd, (err) => (err === null ? resolve() : reject(err))))
const ftruncate = promisify(fs.ftruncate)
const close = promisify(fs.close)

/**
 * startWriteback's syncs in flight at most. Several queued on the thread pool keep the device busy
 * from one to the next while the caller's thread runs JavaScript; one or two at a time, re-asked by
 * their callbacks (which wait for the caller's thread), gained nothing. An ascending fill of 200,000
 * keys in durable commits of 1,000 (~122 KB records streamed in steps of 16 KiB), medians of ten
 * alternating rounds: 218–259 ms without streaming, 209–218 with one to four in flight, 164–172
 * with eight or any number (issue 9).
 */
const WRITEBACKS = 8
/**
 * An fdatasync also flushes the device's write cache: cheap here (~0.05–1 ms, a virtual disk) and
 * on a disk that protects its cache from power loss, but milliseconds on a spinning disk or an SSD
 * without that protection, where each writeback would put one such flush before the commit's own.
 * So the first WRITEBACK_PROBES writebacks begun with none in flight are timed, and when even the
 * fastest of them took SLOW_WRITEBACK_MS, the file stops starting them, and records stop streaming to
 * it (writesAhead): without the writeback, a streamed record's steps only split the commit's write.
 */
const WRITEBACK_PROBES = 16
const SLOW_WRITEBACK_MS = 2

/** The real file: positional reads with `fs.readSync`, writes and syncs on the libuv thread pool. */
export class NodeFile implements FileHandle {
  readonly #fd: number
  #size: number
  /** The path it was opened at, for startWriteback's own descriptor; undefined once that failed. */
  #path: string | undefined
  /** startWriteback's descriptor: another open of the same file (below), made at its first use. */
  #writebackFd: number | undefined
  /** The writebacks timed alone so far (WRITEBACK_PROBES), and the fastest of them in ms. */
  #probes = 0
  #fastestProbe = Infinity
  /** startWriteback's syncs running, and whether another was asked for while WRITEBACKS ran. */
  readonly #writebacks = new Set<Promise<void>>()
  #writebackAgain = false
  /** Whether writebacks ahead of a sync pay on the file's device: its syncs measure it. */
  readonly #policy: Pick<WritebackPolicy, 'allows' | 'noteSync'>

  constructor(fd: number, path?: string, policy?: Pick<WritebackPolicy, 'allows' | 'noteSync'>) {
    this.#fd = fd
    const stat = fs.fstatSync(fd)
    this.#size = stat.size
    this.#path = path
    this.#policy = policy ?? devicePolicy(stat.dev)
  }

  readSync(buffer: Uint8Array, offset: number, length: number, position: number): number {
    let done = 0
    while (done < length) {
      const n = fs.readSync(this.#fd, buffer, offset + done, length - done, position + done)
      if (n === 0) break
      done += n
    }
    return done
  }

  async writev(buffers: readonly Uint8Array[], position: number): Promise<void> {
    let total = 0
    for (const b of buffers) total += b.byteLength
    // Linux caps one writev at IOV_MAX (1024) buffers; a short write is retried from where it stopped.
    let pos = position
    let index = 0
    let skip = 0
    while (index < buffers.length) {
      const batch: Uint8Array[] = []
      for (let i = index; i < buffers.length && batch.length < 1024; i++) {
        batch.push(i === index && skip > 0 ? buffers[i]!.subarray(skip) : buffers[i]!)
      }
      let size = 0
      for (const b of batch) size += b.byteLength
      // Only empty buffers in this batch: nothing to write (a write of them would write nothing).
      if (size === 0) {
        index += batch.length
        skip = 0
        continue
      }
      let written = await writev(this.#fd, batch, pos)
      if (!(written > 0)) throw noProgress('writev', pos, size)
      pos += written
      while (index < buffers.length && written > 0) {
        const left = buffers[index]!.byteLength - skip
        if (written >= left) {
          written -= left
          index++
          skip = 0
        } else {
          skip += written
          written = 0
        }
      }
    }
    if (position + total > this.#size) this.#size = position + total
  }

  writevSync(buffers: readonly Uint8Array[], position: number): void {
    let pos = position
    let index = 0
    while (index < buffers.length) {
      // The whole list when it fits in one call (a small commit's record: no copy of it).
      const batch = index === 0 && buffers.length <= 1024 ? buffers : buffers.slice(index, index + 1024)
      let total = 0
      for (const b of batch) total += b.byteLength
      let done = 0
      while (done < total) {
        const written = fs.writevSync(this.#fd, done === 0 ? batch : remaining(batch, done), pos + done)
        if (!(written > 0)) throw noProgress('writev', pos + done, total - done)
        done += written
      }
      pos += total
      index += batch.length
    }
    if (pos > this.#size) this.#size = pos
  }

  sync(): Promise<void> {
    return fdatasync(this.#fd).then(() => this.#policy.noteSync(performance.now()))
  }

  syncSync(): void {
    fs.fdatasyncSync(this.#fd)
    this.#policy.noteSync(performance.now())
  }

  /**
   * An fdatasync on the thread pool through a descriptor of its own (up to WRITEBACKS in flight;
   * one asked for beyond them starts when one ends), whose outcome nothing reads. Its own open file description, not a
   * dup of this one: Linux reports a failed writeback to the next fsync of every description open
   * when it happened, once each (errseq), so sync() and syncSync() still report a failure this
   * sync met, where through the same description this sync would have taken the report.
   */
  startWriteback(reason: WritebackReason = 'ahead'): void {
    if (reason === 'ahead' && !this.#policy.allows) return
    if (this.#writebacks.size >= WRITEBACKS) {
      this.#writebackAgain = true
      return
    }
    const fd = this.#writebackFd ?? this.#openWriteback()
    if (fd === undefined) return
    const probe = this.#probes < WRITEBACK_PROBES && this.#writebacks.size === 0
    const began = probe ? performance.now() : 0
    const done = (): void => {
      this.#writebacks.delete(sync)
      if (probe) this.#probed(performance.now() - began)
      if (!this.#writebackAgain) return
      this.#writebackAgain = false
      this.startWriteback()
    }
    const sync: Promise<void> = fdatasyncOf(fd).then(done, done)
    this.#writebacks.add(sync)
  }

  /** Whether startWriteback still starts writebacks (false once the disk's flushes proved slow, or without a descriptor). */
  get writesBack(): boolean {
    return this.#path !== undefined || this.#writebackFd !== undefined
  }

  /** Whether startWriteback('ahead') would start one now (FileHandle.writesAhead). */
  get writesAhead(): boolean {
    return this.writesBack && this.#policy.allows
  }

  /** A writeback begun alone took `ms`: after the last probe, slow flushes end the writebacks. */
  #probed(ms: number): void {
    this.#fastestProbe = Math.min(this.#fastestProbe, ms)
    if (++this.#probes < WRITEBACK_PROBES || this.#fastestProbe < SLOW_WRITEBACK_MS) return
    this.#path = undefined
    const fd = this.#writebackFd
    this.#writebackFd = undefined
    // Closed once the writebacks in flight settle (close() waits for them too).
    if (fd !== undefined) void Promise.all(this.#writebacks).then(() => fs.close(fd, () => {}))
  }

  /** startWriteback's descriptor, when the path still names this file. */
  #openWriteback(): number | undefined {
    if (this.#path === undefined) return undefined
    let fd: number | undefined
    let same = false
    try {
      fd = fs.openSync(this.#path, fs.constants.O_RDWR)
      const a = fs.fstatSync(fd)
      const b = fs.fstatSync(this.#fd)
      same = a.ino === b.ino && a.dev === b.dev
    } catch {
      // No descriptor: the hint is dropped for good.
    }
    if (!same) {
      if (fd !== undefined) fs.closeSync(fd)
      this.#path = undefined
      return undefined
    }
    this.#writebackFd = fd
    return fd
  }

  size(): number {
    return this.#size
  }

  async truncate(size: number): Promise<void> {
    await ftruncate(this.#fd, size)
    this.#size = size
  }

  async close(): Promise<void> {
    this.#path = undefined
    this.#writebackAgain = false
    while (this.#writebacks.size > 0) await Promise.all(this.#writebacks)
    if (this.#writebackFd !== undefined) await close(this.#writebackFd)
    this.#writebackFd = undefined
    await close(this.#fd)
  }
}

/** The buffers of `batch` after its first `skip` bytes. */
function remaining(batch: readonly Uint8Array[], skip: number): Uint8Array[] {
  const out: Uint8Array[] = []
  for (const b of batch) {
    if (skip >= b.byteLength) {
      skip -= b.byteLength
      continue
    }
    out.push(skip > 0 ? b.subarray(skip) : b)
    skip = 0
  }
  return out
}

/** The writeback policy of each device files were opened on (st_dev), shared by its files. */
const policies = new Map<number, WritebackPolicy>()

function devicePolicy(dev: number): WritebackPolicy {
  let policy = policies.get(dev)
  if (policy === undefined) policies.set(dev, (policy = new WritebackPolicy()))
  return policy
}

/**
 * Opens `path` as the real file system does, with `policy` deciding writebacks ahead (default: the
 * device's, measured; a test may stand one in, test/crash/child-writer.ts).
 */
export function openNodeFile(
  path: string,
  { readOnly, create }: { readOnly: boolean; create: boolean },
  policy?: Pick<WritebackPolicy, 'allows' | 'noteSync'>,
): NodeFile {
  const mode = readOnly ? fs.constants.O_RDONLY : fs.constants.O_RDWR | (create ? fs.constants.O_CREAT : 0)
  // Writebacks (startWriteback) only where a failed one is reported to the journal's own next
  // fsync: Linux (errseq, 4.13 and later; Node 20 needs 4.18). Elsewhere the hint is not taken.
  return new NodeFile(
    fs.openSync(path, mode, 0o644),
    readOnly || process.platform !== 'linux' ? undefined : path,
    policy,
  )
}

/** The real file system. */
export const nodeFileSystem: FileSystem = {
  open: (path, options) => openNodeFile(path, options),
  exists(path) {
    return fs.existsSync(path)
  },
}
