import path from 'node:path'
import { ClassicLevel } from 'classic-level'
import { MemoryLevel } from 'memory-level'
import { BTreeLevel } from '../src/index.js'
import type { StoreName } from './measure.js'
import type { BenchDb } from './workloads.js'

const ENCODINGS = { keyEncoding: 'buffer', valueEncoding: 'buffer' } as const

/**
 * Opens `store` at a fresh location inside `dir` (btree-level with the engine's default page cache
 * unless `btreeCacheBytes` is given), so that everything the store writes (its
 * directory, file, lock or journal) is under `dir` and is counted by the disk measurement.
 */
export async function openStore(store: StoreName, dir: string, btreeCacheBytes?: number): Promise<BenchDb> {
  const location = path.join(dir, 'db')
  // abstract-level's types make a subclass's database type invariant (through `hooks`), so each
  // concrete class is widened to the API the workloads use.
  let db: BenchDb
  switch (store) {
    case 'classic-level':
      db = new ClassicLevel<Buffer, Buffer>(location, ENCODINGS) as unknown as BenchDb
      break
    case 'memory-level':
      db = new MemoryLevel<Buffer, Buffer>(ENCODINGS) as unknown as BenchDb
      break
    case 'btree-level':
      db = new BTreeLevel<Buffer, Buffer>(location, {
        ...ENCODINGS,
        ...(btreeCacheBytes === undefined ? {} : { cacheSize: btreeCacheBytes }),
      }) as unknown as BenchDb
      break
  }
  await db.open()
  return db
}

/** After a group of workloads: btree-level's engine must check clean, as in every engine test. */
export function verifyStore(db: BenchDb): void {
  if (!(db instanceof BTreeLevel)) return
  const result = db.engine.check()
  if (!result.ok) throw new Error(`btree-level: check() failed: ${result.errors.map((e) => e.message).join('; ')}`)
}
