import fs from 'node:fs'
import { promisify } from 'node:util'
import type { FileHandle, FileSystem } from './file-handle.js'

const writev = promisify(fs.writev)
const fdatasync = promisify(fs.fdatasync)
const ftruncate = promisify(fs.ftruncate)
const close = promisify(fs.close)

/** The real file: positional reads with `fs.readSync`, writes and syncs on the libuv thread pool. */
export class NodeFile implements FileHandle {
  readonly #fd: number
  #size: number

  constructor(fd: number) {
    this.#fd = fd
    this.#size = fs.fstatSync(fd).size
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
      let written = (await writev(this.#fd, batch, pos)).bytesWritten
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
        done += fs.writevSync(this.#fd, done === 0 ? batch : remaining(batch, done), pos + done)
      }
      pos += total
      index += batch.length
    }
    if (pos > this.#size) this.#size = pos
  }

  sync(): Promise<void> {
    return fdatasync(this.#fd)
  }

  syncSync(): void {
    fs.fdatasyncSync(this.#fd)
  }

  size(): number {
    return this.#size
  }

  async truncate(size: number): Promise<void> {
    await ftruncate(this.#fd, size)
    this.#size = size
  }

  async close(): Promise<void> {
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

/** The real file system. */
export const nodeFileSystem: FileSystem = {
  open(path, { readOnly, create }) {
    const mode = readOnly ? fs.constants.O_RDONLY : fs.constants.O_RDWR | (create ? fs.constants.O_CREAT : 0)
    return new NodeFile(fs.openSync(path, mode, 0o644))
  },
  exists(path) {
    return fs.existsSync(path)
  },
}
