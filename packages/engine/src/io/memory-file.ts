import { noSuchFile, outOfRange } from './errors.js'
import type { FileHandle, FileSystem } from './file-handle.js'

/**
 * A file held in memory: the base of the fault-injecting and power-loss files used by tests, and a
 * way to run the engine without a disk. `bytes()` shows the contents as a fresh open would see them.
 */
export class MemoryFile implements FileHandle {
  /** Invariant: bytes from `#size` to the end of `#data` are zero, so growing the file exposes zeros. */
  #data: Uint8Array
  #size: number
  closed = false

  constructor(initial?: Uint8Array) {
    this.#data = new Uint8Array(Math.max(4096, initial?.byteLength ?? 0))
    if (initial) this.#data.set(initial)
    this.#size = initial?.byteLength ?? 0
  }

  /** A copy of the file's current contents. */
  bytes(): Uint8Array {
    return this.#data.slice(0, this.#size)
  }

  readSync(buffer: Uint8Array, offset: number, length: number, position: number): number {
    checkOffset('position', position)
    const n = Math.max(0, Math.min(length, this.#size - position))
    buffer.set(this.#data.subarray(position, position + n), offset)
    return n
  }

  /** Applies a write synchronously (the async `writev` and test doubles call it). */
  writeNow(buffer: Uint8Array, position: number): void {
    checkOffset('position', position)
    const end = position + buffer.byteLength
    this.#reserve(end)
    this.#data.set(buffer, position)
    if (end > this.#size) this.#size = end
  }

  async writev(buffers: readonly Uint8Array[], position: number): Promise<void> {
    this.writevSync(buffers, position)
  }

  writevSync(buffers: readonly Uint8Array[], position: number): void {
    let pos = position
    for (const b of buffers) {
      this.writeNow(b, pos)
      pos += b.byteLength
    }
  }

  async sync(): Promise<void> {}

  syncSync(): void {}

  size(): number {
    return this.#size
  }

  /** Sets the size synchronously; growing exposes zeros, like a sparse file. */
  truncateNow(size: number): void {
    checkOffset('size', size)
    this.#reserve(size)
    if (size < this.#size) this.#data.fill(0, size, this.#size)
    this.#size = size
  }

  async truncate(size: number): Promise<void> {
    this.truncateNow(size)
  }

  async close(): Promise<void> {
    this.closed = true
  }

  /** Doubling keeps a file written page by page at amortized O(1) copying per byte. */
  #reserve(end: number): void {
    if (end <= this.#data.byteLength) return
    const grown = new Uint8Array(Math.max(end, this.#data.byteLength * 2))
    grown.set(this.#data.subarray(0, this.#size))
    this.#data = grown
  }
}

function checkOffset(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw outOfRange(`${name} must be a non-negative integer, got ${value}`)
  }
}

/** A file system of MemoryFiles by path; the files outlive their handles, like files on a disk. */
export class MemoryFileSystem implements FileSystem {
  readonly files = new Map<string, MemoryFile>()

  open(path: string, options: { readOnly: boolean; create: boolean }): MemoryFile {
    let file = this.files.get(path)
    if (!file) {
      if (!options.create) {
        throw noSuchFile(path)
      }
      file = new MemoryFile()
      this.files.set(path, file)
    }
    file.closed = false
    return file
  }

  exists(path: string): boolean {
    return this.files.has(path)
  }
}
