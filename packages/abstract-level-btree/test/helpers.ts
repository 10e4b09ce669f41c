import { expect } from 'chai'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { nodeFileSystem, type Database, type FileSystem } from 'btree-store'

/** Anything with an async close(): databases, engine databases. */
interface Closable {
  close(): Promise<void>
}

/**
 * Mocha hooks: a fresh temp directory per test, and every database tracked through `track` closed
 * after it (and `check()`ed first when it is an open BTreeLevel that owns its engine).
 */
export function useLocations(): {
  location: (name?: string) => string
  dir: () => string
  track: <T extends Closable>(db: T) => T
} {
  let dir: string | undefined
  let opened: Closable[] = []
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'btree-level-test-'))
  })
  afterEach(async () => {
    for (const db of opened.reverse()) await db.close().catch(() => {})
    opened = []
    if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true })
  })
  return {
    location: (name = 'db') => path.join(dir!, name),
    dir: () => dir!,
    track: <T extends Closable>(db: T): T => {
      opened.push(db)
      return db
    },
  }
}

/** Asserts the engine's check() passes on an open database. */
export function expectCheckOk(db: { engine: Database }): void {
  const result = db.engine.check()
  expect(result.errors, JSON.stringify(result.errors)).to.deep.equal([])
  expect(result.ok).to.equal(true)
}

/** The error a promise rejects with (fails if it resolves). */
export async function rejection(
  promise: Promise<unknown>,
): Promise<Error & { code?: string; cause?: Error & { code?: string } }> {
  try {
    await promise
  } catch (err) {
    return err as Error & { code?: string; cause?: Error & { code?: string } }
  }
  expect.fail('expected the promise to reject')
}

/** A small seeded generator (mulberry32); tests print the seed they use. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * The real file system with hooks run before every write and sync of every file it opens; a hook
 * that throws fails that write or sync (a rejection for the asynchronous ones; the engine syncs a
 * lone commit's journal with syncSync, so both sync forms run the hook).
 */
export function hookedFileSystem(hooks: { beforeWrite?: () => void; beforeSync?: () => void }): FileSystem {
  const guard = <T>(hook: (() => void) | undefined, run: () => Promise<T>): Promise<T> => {
    try {
      hook?.()
    } catch (err) {
      return Promise.reject(err)
    }
    return run()
  }
  return {
    exists: (path) => nodeFileSystem.exists(path),
    open(path, options) {
      const file = nodeFileSystem.open(path, options)
      return {
        readSync: (...args) => file.readSync(...args),
        writev: (...args) => guard(hooks.beforeWrite, () => file.writev(...args)),
        writevSync: (...args) => {
          hooks.beforeWrite?.()
          file.writevSync(...args)
        },
        sync: () => guard(hooks.beforeSync, () => file.sync()),
        syncSync: () => {
          hooks.beforeSync?.()
          file.syncSync()
        },
        size: () => file.size(),
        truncate: (size) => file.truncate(size),
        close: () => file.close(),
      }
    },
  }
}
