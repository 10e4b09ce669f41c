import type { FileHandle, FileSystem } from '../src/io/file-handle.js'
import { nodeFileSystem } from '../src/io/node-file.js'

/**
 * The real file system with a tally of the bytes the engine hands to `writev`/`writevSync` and of
 * its syncs, over every file it opens (the database and the journal alike), so a workload can
 * report bytes written per byte of user data as the file layer sees them.
 */
export class CountingFileSystem implements FileSystem {
  bytesWritten = 0
  writes = 0
  syncs = 0

  open(path: string, options: { readOnly: boolean; create: boolean }): FileHandle {
    return new CountingFile(nodeFileSystem.open(path, options), this)
  }

  exists(path: string): boolean {
    return nodeFileSystem.exists(path)
  }

  /** The counters now, to subtract from a later snapshot. */
  snapshot(): { bytesWritten: number; writes: number; syncs: number } {
    return { bytesWritten: this.bytesWritten, writes: this.writes, syncs: this.syncs }
  }
}

class CountingFile implements FileHandle {
  readonly #inner: FileHandle
  readonly #tally: CountingFileSystem

  constructor(inner: FileHandle, tally: CountingFileSystem) {
    this.#inner = inner
    this.#tally = tally
  }

  readSync(buffer: Uint8Array, offset: number, length: number, position: number): number {
    return this.#inner.readSync(buffer, offset, length, position)
  }

  writev(buffers: readonly Uint8Array[], position: number): Promise<void> {
    this.#count(buffers)
    return this.#inner.writev(buffers, position)
  }

  writevSync(buffers: readonly Uint8Array[], position: number): void {
    this.#count(buffers)
    this.#inner.writevSync(buffers, position)
  }

  sync(): Promise<void> {
    this.#tally.syncs++
    return this.#inner.sync()
  }

  syncSync(): void {
    this.#tally.syncs++
    this.#inner.syncSync()
  }

  size(): number {
    return this.#inner.size()
  }

  truncate(size: number): Promise<void> {
    return this.#inner.truncate(size)
  }

  close(): Promise<void> {
    return this.#inner.close()
  }

  #count(buffers: readonly Uint8Array[]): void {
    let total = 0
    for (const b of buffers) total += b.byteLength
    this.#tally.bytesWritten += total
    this.#tally.writes++
  }
}
