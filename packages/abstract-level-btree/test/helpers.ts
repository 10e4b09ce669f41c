import { expect } from 'chai'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Database } from 'btree-store'

/** Anything with an async close(): databases, engine databases. */
interface Closable {
  close(): Promise<void>
}

/**
 * Mocha hooks: a fresh temp directory per test, and every database tracked through `track` closed
 * after it (and `check()`ed first when it is an open BTreeLevel that owns its engine).
 */
export function useLocations(): { location: (name?: string) => string; dir: () => string; track: <T extends Closable>(db: T) => T } {
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
export async function rejection(promise: Promise<unknown>): Promise<Error & { code?: string; cause?: Error & { code?: string } }> {
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
