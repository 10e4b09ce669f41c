import { expect } from 'chai'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { type Database, type FileHandle, type FileSystem, nodeFileSystem, open } from '../../src/index.js'
import type { OpenOptions } from '../../src/base/types.js'

export { rejection, thrown } from '../unit/io/rejection.js'

/** A fresh temp directory per test, removed by `cleanup()`. */
export class TempDir {
  readonly path: string
  constructor() {
    this.path = fs.mkdtempSync(path.join(os.tmpdir(), 'btree-int-'))
  }
  file(name = 'test.db'): string {
    return path.join(this.path, name)
  }
  cleanup(): void {
    fs.rmSync(this.path, { recursive: true, force: true })
  }
}

/** Mocha hooks giving each test its own temp dir; databases opened through `open` are closed after. */
export function useTempDir(): {
  dir: () => TempDir
  open: (options?: OpenOptions, name?: string) => Promise<Database>
} {
  let dir: TempDir | undefined
  const opened: Database[] = []
  beforeEach(() => {
    dir = new TempDir()
  })
  afterEach(async () => {
    for (const db of opened.splice(0)) await db.close().catch(() => {})
    dir?.cleanup()
  })
  return {
    dir: () => dir!,
    open: async (options?: OpenOptions, name?: string) => {
      const db = await open(dir!.file(name), options)
      opened.push(db)
      return db
    },
  }
}

/** Every scenario ends here: the file is consistent, with the problems printed when it is not. */
export function expectCheck(db: Database): ReturnType<Database['check']> {
  const result = db.check()
  expect(result.ok, result.errors.map((e) => e.message).join('\n')).to.equal(true)
  return result
}

export const b = (s: string): Buffer => Buffer.from(s)
export const str = (u: Uint8Array | undefined): string | undefined =>
  u === undefined ? undefined : Buffer.from(u).toString()

/** A key of `n` digits, so numeric order is key order. */
export const numKey = (i: number, width = 8): Buffer => Buffer.from(String(i).padStart(width, '0'))

/**
 * The real file system, with a gate on asynchronous I/O: while `hold()` is armed, every async
 * writev and every sync waits until `release()`, so a test can look at the database while a commit
 * is awaiting I/O (a durability 'full' commit always awaits its sync).
 */
export class GatedFileSystem implements FileSystem {
  #gate: Promise<void> | undefined
  #release: (() => void) | undefined
  /** Resolves when a write reaches the closed gate. */
  waiting: Promise<void> = Promise.resolve()
  #reached: (() => void) | undefined

  hold(): void {
    this.#gate = new Promise((r) => (this.#release = r))
    this.waiting = new Promise((r) => (this.#reached = r))
  }

  release(): void {
    this.#release?.()
    this.#gate = undefined
  }

  async #pass(): Promise<void> {
    if (this.#gate === undefined) return
    this.#reached?.()
    await this.#gate
  }

  open(p: string, options: { readOnly: boolean; create: boolean }): FileHandle {
    const inner = nodeFileSystem.open(p, options)
    return {
      readSync: (buf, off, len, pos) => inner.readSync(buf, off, len, pos),
      writev: async (buffers, position) => {
        await this.#pass()
        return inner.writev(buffers, position)
      },
      writevSync: (buffers, position) => inner.writevSync(buffers, position),
      sync: async () => {
        await this.#pass()
        return inner.sync()
      },
      // A sync on the caller's thread cannot wait at the gate: tests that hold syncs open with
      // `inlineSync: false`.
      syncSync: () => inner.syncSync(),
      size: () => inner.size(),
      truncate: (n) => inner.truncate(n),
      close: () => inner.close(),
    }
  }

  exists(p: string): boolean {
    return nodeFileSystem.exists(p)
  }
}
