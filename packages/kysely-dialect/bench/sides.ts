import { createRequire } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Kysely, sql, SqliteDialect, type SqliteDatabase } from 'kysely'
import { BTreeDialect, checkpoint } from '../src/index.js'
import type { BenchDB } from './schema.js'
import { openSqlJs } from './sqljs-database.js'

export type SideName = 'btree-store' | 'better-sqlite3' | 'pglite' | 'sql.js'

/** Every side the bench knows, in the table's column order. */
export const SIDE_NAMES: readonly SideName[] = ['btree-store', 'better-sqlite3', 'pglite', 'sql.js']

/** One database under test, reached through Kysely. */
export interface Side {
  readonly name: SideName
  /** The durability the main rows run at, in the table's header. */
  readonly setting: string
  /** The durability of the durable row, or undefined when the side has no disk. */
  readonly durableSetting: string | undefined
  /**
   * Whether the durable row syncs each commit to disk (false for PGlite, whose build runs with
   * `fsync=off`): the table then compares it with btree-store's durability 'none' as well.
   */
  readonly durableSyncs: boolean
  /** A fresh, empty database in `dir`. */
  open(dir: string): Promise<Kysely<BenchDB>>
  /** Writes what the journal or WAL holds into the file's pages (`--checkpoint-between`; untimed). */
  checkpoint(db: Kysely<BenchDB>): Promise<void>
  /** The same data at full durability (the Kysely instance may be replaced: use the one returned). */
  durable(db: Kysely<BenchDB>, dir: string): Promise<Kysely<BenchDB>>
}

export const btreeSide: Side = {
  name: 'btree-store',
  setting: "durability 'none'",
  durableSetting: "durability 'full'",
  durableSyncs: true,
  async open(dir) {
    return new Kysely<BenchDB>({ dialect: new BTreeDialect({ path: join(dir, 'btree.db'), durability: 'none' }) })
  },
  checkpoint: (db) => checkpoint(db),
  // Durability is an open option of the dialect: reopen the same file with 'full'.
  async durable(db, dir) {
    await db.destroy()
    return new Kysely<BenchDB>({ dialect: new BTreeDialect({ path: join(dir, 'btree.db'), durability: 'full' }) })
  },
}

export const sqlJsSide: Side = {
  name: 'sql.js',
  setting: 'in memory',
  durableSetting: undefined,
  durableSyncs: false,
  async open() {
    const database = await openSqlJs()
    return new Kysely<BenchDB>({ dialect: new SqliteDialect({ database }) })
  },
  // In memory: nothing to write.
  async checkpoint() {},
  async durable(db) {
    return db
  },
}

/** better-sqlite3's database as far as the benchmark uses it (its types are not installed). */
interface BetterSqlite3Database extends SqliteDatabase {
  pragma(source: string): unknown
}
type BetterSqlite3Constructor = new (path: string) => BetterSqlite3Database

/** Where `npm --prefix bench install` puts the native peers: beside bench/package.json, not in the workspace. */
export const BENCH_PACKAGE_JSON = fileURLToPath(new URL('../../bench/package.json', import.meta.url))

/**
 * better-sqlite3 from the bench folder's own node_modules, so that the package compiles and its tests
 * run without the native build; undefined (with the reason) when it is not installed there.
 */
export function loadBetterSqlite3(): { side: Side } | { missing: string } {
  let Database: BetterSqlite3Constructor
  try {
    Database = createRequire(BENCH_PACKAGE_JSON)('better-sqlite3') as BetterSqlite3Constructor
    // The native binding loads on first use: an install whose build failed (or is still running) shows here.
    new Database(':memory:').close()
  } catch (err) {
    return { missing: err instanceof Error ? err.message.split('\n')[0]! : String(err) }
  }
  const opened = new Map<Kysely<BenchDB>, BetterSqlite3Database>()
  const side: Side = {
    name: 'better-sqlite3',
    setting: 'WAL, synchronous=NORMAL',
    durableSetting: 'WAL, synchronous=FULL',
    durableSyncs: true,
    async open(dir) {
      const database = new Database(join(dir, 'sqlite.db'))
      database.pragma('journal_mode = WAL')
      database.pragma('synchronous = NORMAL')
      const db = new Kysely<BenchDB>({ dialect: new SqliteDialect({ database }) })
      opened.set(db, database)
      return db
    },
    async checkpoint(db) {
      opened.get(db)?.pragma('wal_checkpoint(TRUNCATE)')
    },
    async durable(db) {
      opened.get(db)?.pragma('synchronous = FULL')
      return db
    },
  }
  return { side }
}

/**
 * PGlite (PostgreSQL compiled to WASM) on a file in the run's temporary folder, through
 * kysely-pglite-dialect: the pure-JavaScript choice Kysely users make today. Both come from this
 * package's devDependencies (no native build); undefined (with the reason) when they are missing.
 * PGlite's build runs PostgreSQL with `fsync=off` and has no durable mode, so its durable row is the
 * same database (the table says so).
 */
export async function loadPglite(): Promise<{ side: Side } | { missing: string }> {
  let modules: [typeof import('@electric-sql/pglite'), typeof import('kysely-pglite-dialect')]
  try {
    modules = await Promise.all([import('@electric-sql/pglite'), import('kysely-pglite-dialect')])
  } catch (err) {
    return { missing: err instanceof Error ? err.message.split('\n')[0]! : String(err) }
  }
  const [{ PGlite }, { PGliteDialect }] = modules
  const side: Side = {
    name: 'pglite',
    setting: 'file, fsync=off',
    durableSetting: 'file, fsync=off (no durable mode)',
    durableSyncs: false,
    async open(dir) {
      const pg = await PGlite.create(join(dir, 'pglite'))
      return new Kysely<BenchDB>({ dialect: new PGliteDialect(pg) })
    },
    async checkpoint(db) {
      await sql`checkpoint`.execute(db)
    },
    async durable(db) {
      return db
    },
  }
  return { side }
}
