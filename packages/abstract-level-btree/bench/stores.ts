import path from 'node:path'
import { ClassicLevel } from 'classic-level'
import { MemoryLevel } from 'memory-level'
import type { StoreName } from './measure.js'
import type { BenchDb } from './workloads.js'

const ENCODINGS = { keyEncoding: 'buffer', valueEncoding: 'buffer' } as const

type Constructor = new (location: string, options: typeof ENCODINGS) => BenchDb

/**
 * Opens `store` at a fresh location inside `dir`, so that everything the store writes (its
 * directory, file, lock or journal) is under `dir` and is counted by the disk measurement.
 */
export async function openStore(store: StoreName, dir: string): Promise<BenchDb> {
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
    case 'btree-level': {
      const BTreeLevel = await loadBTreeLevel()
      db = new BTreeLevel(location, ENCODINGS)
      break
    }
  }
  await db.open()
  return db
}

/** Imported by name at run time, so that the harness builds and runs before the backend exists. */
async function loadBTreeLevel(): Promise<Constructor> {
  const specifier = '../src/index.js'
  const mod = (await import(specifier)) as { BTreeLevel?: Constructor }
  if (mod.BTreeLevel === undefined) throw new Error('btree-level: src/index.js does not export BTreeLevel')
  return mod.BTreeLevel
}
