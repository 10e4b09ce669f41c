import type { FileHandle, FileSystem } from '../../src/io/file-handle.js'
import { MemoryFileSystem } from '../../src/io/memory-file.js'

/** The operations a FaultFile counts and can fail. `size()` and `close()` are neither. */
export type FaultOp = 'read' | 'write' | 'sync' | 'truncate'

/** The errno codes a FaultFile injects: a failing device, and a full one. */
export type FaultErrno = 'EIO' | 'ENOSPC'

export interface FaultOptions {
  /** When true, the Nth operation and every later one of that kind fail; otherwise only the Nth. */
  sticky?: boolean
}

interface Fault {
  readonly op: FaultOp
  readonly n: number
  readonly errno: FaultErrno
  readonly sticky: boolean
}

const SYSCALL: Record<FaultOp, string> = { read: 'read', write: 'writev', sync: 'fdatasync', truncate: 'ftruncate' }
const ERRNO: Record<FaultErrno, { number: number; text: string }> = {
  EIO: { number: -5, text: 'i/o error' },
  ENOSPC: { number: -28, text: 'no space left on device' },
}

/**
 * A FileHandle that passes every call to another one, counts them by kind, and fails the ones a
 * test has armed, throwing an Error shaped like Node's fs errors (`code`, `errno`, `syscall`).
 *
 * A failed operation never reaches the wrapped file, so a failed write writes nothing and a failed
 * sync leaves durability to whatever the wrapped file does. A failed operation still counts: it is
 * the Nth operation that failed.
 *
 * The synchronous forms (readSync, writevSync, syncSync) throw; writev, sync and truncate reject.
 */
export class FaultFile implements FileHandle {
  readonly inner: FileHandle
  /**
   * Writes that would make the file larger than this many bytes fail with ENOSPC, like a full disk.
   * Overwriting bytes the file already has still succeeds, as it does on a full disk. Truncation is
   * never refused: growing a file with ftruncate makes it sparse and allocates nothing.
   */
  maxSize = Infinity
  /** Of the syncs counted, those made on the caller's thread (`syncSync`), failed ones included. */
  inlineSyncs = 0
  #counts: Record<FaultOp, number> = { read: 0, write: 0, sync: 0, truncate: 0 }
  #faults: Fault[] = []

  constructor(inner: FileHandle) {
    this.inner = inner
  }

  /** Operations of each kind since creation or the last `reset()`, failed ones included. */
  get counts(): Readonly<Record<FaultOp, number>> {
    return { ...this.#counts }
  }

  /**
   * Fails the `n`th operation of kind `op` (1-based, counted like `counts`). An operation number
   * already passed never fires, unless `reset()` starts the count again. A once fault is spent when
   * it fires; a sticky one stays until `clearFaults()`. Several faults may be armed at once; the
   * first one armed that matches decides the errno.
   */
  failAt(op: FaultOp, n: number, errno: FaultErrno = 'EIO', options: FaultOptions = {}): void {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`failAt needs an operation number >= 1, got ${n}`)
    if (!(errno in ERRNO)) throw new RangeError(`unknown errno ${String(errno)}`)
    this.#faults.push({ op, n, errno, sticky: options.sticky ?? false })
  }

  /** Fails the next operation of kind `op` (and, when sticky, every later one). */
  failNext(op: FaultOp, errno: FaultErrno = 'EIO', options: FaultOptions = {}): void {
    this.failAt(op, this.#counts[op] + 1, errno, options)
  }

  /** Disarms every fault and the size limit. Counts are kept. */
  clearFaults(): void {
    this.#faults = []
    this.maxSize = Infinity
  }

  /**
   * Starts counting again from zero, so `failAt(op, n)` means the nth operation from now. Armed
   * faults are kept: a test can arm, run its setup, reset, and then run the workload under test.
   */
  reset(): void {
    this.#counts = { read: 0, write: 0, sync: 0, truncate: 0 }
  }

  readSync(buffer: Uint8Array, offset: number, length: number, position: number): number {
    this.#begin('read')
    return this.inner.readSync(buffer, offset, length, position)
  }

  async writev(buffers: readonly Uint8Array[], position: number): Promise<void> {
    this.#beginWrite(buffers, position)
    await this.inner.writev(buffers, position)
  }

  writevSync(buffers: readonly Uint8Array[], position: number): void {
    this.#beginWrite(buffers, position)
    this.inner.writevSync(buffers, position)
  }

  #beginWrite(buffers: readonly Uint8Array[], position: number): void {
    this.#begin('write')
    let end = position
    for (const b of buffers) end += b.byteLength
    if (end > this.maxSize && end > this.inner.size()) {
      throw fsError('ENOSPC', 'write', `${end} bytes would pass maxSize ${this.maxSize}`)
    }
  }

  async sync(): Promise<void> {
    this.#begin('sync')
    await this.inner.sync()
  }

  startWriteback(): void {
    this.inner.startWriteback?.()
  }

  get writesAhead(): boolean | undefined {
    return this.inner.writesAhead
  }

  syncSync(): void {
    this.inlineSyncs++
    this.#begin('sync')
    this.inner.syncSync()
  }

  size(): number {
    return this.inner.size()
  }

  async truncate(size: number): Promise<void> {
    this.#begin('truncate')
    await this.inner.truncate(size)
  }

  async close(): Promise<void> {
    await this.inner.close()
  }

  /** Counts the operation, then throws if a fault matches it; runs before the wrapped file is touched. */
  #begin(op: FaultOp): void {
    const n = ++this.#counts[op]
    const index = this.#faults.findIndex((f) => f.op === op && (f.sticky ? n >= f.n : n === f.n))
    if (index < 0) return
    const fault = this.#faults[index]!
    if (!fault.sticky) this.#faults.splice(index, 1)
    throw fsError(fault.errno, op, `injected fault on ${op} #${n}`)
  }
}

export interface FaultFileSystemOptions {
  /** Called with each new handle before it is returned, so faults can be armed before the first read. */
  onOpen?: (file: FaultFile, path: string) => void
}

/**
 * Wraps a FileSystem (a MemoryFileSystem by default) so every opened handle is a FaultFile. Each
 * `open` makes a new FaultFile with its own counts and faults; the bytes live in the wrapped file
 * system and outlive it.
 */
export class FaultFileSystem implements FileSystem {
  readonly inner: FileSystem
  onOpen: ((file: FaultFile, path: string) => void) | undefined
  readonly #latest = new Map<string, FaultFile>()

  constructor(inner: FileSystem = new MemoryFileSystem(), options: FaultFileSystemOptions = {}) {
    this.inner = inner
    this.onOpen = options.onOpen
  }

  open(path: string, options: { readOnly: boolean; create: boolean }): FaultFile {
    const file = new FaultFile(this.inner.open(path, options))
    this.#latest.set(path, file)
    this.onOpen?.(file, path)
    return file
  }

  exists(path: string): boolean {
    return this.inner.exists(path)
  }

  /** The handle most recently opened at `path`, to arm faults on or read counts from. */
  file(path: string): FaultFile {
    const file = this.#latest.get(path)
    if (!file) throw fsError('ENOENT', 'open', `no FaultFile was opened at '${path}'`)
    return file
  }
}

function fsError(errno: FaultErrno | 'ENOENT', op: FaultOp | 'open', detail: string): Error {
  const syscall = op === 'open' ? 'open' : SYSCALL[op]
  const known = errno === 'ENOENT' ? { number: -2, text: 'no such file or directory' } : ERRNO[errno]
  return Object.assign(new Error(`${errno}: ${known.text}, ${syscall} (${detail})`), {
    code: errno,
    errno: known.number,
    syscall,
  })
}
