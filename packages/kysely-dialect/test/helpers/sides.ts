import { mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Kysely } from 'kysely'
import { open } from 'btree-store'
import { BTreeDialect } from '../../src/index.js'
import type { KyselyApi } from './kysely-versions.js'
import { SqlJsSqliteDatabase, toBindable, type SqliteDatabaseLike } from './sqljs-database.js'

/** Cases are written against an untyped database: each builds its own tables. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Db = Kysely<any>

/** One database under test, with what has to happen once a case is over. */
export interface Side {
  readonly name: 'sqlite' | 'btree'
  readonly db: Db
  /** Destroys the Kysely instance; for btree-store, also runs `check()` and deletes the file. */
  close(): Promise<void>
  /**
   * Only on a btree-store side opened by path: destroys the Kysely instance (closing the file),
   * checks the file, and opens a new instance on it; `db` is the new one afterwards.
   */
  reopen?(): Promise<void>
}

/**
 * `KYSELY_DIFF_ORACLE=<path to an installed better-sqlite3>` runs the suite against native SQLite
 * through better-sqlite3 instead of sql.js (not a dependency: install it anywhere, for example
 * `npm i better-sqlite3@12` in a scratch folder). The same binding policy applies (integral numbers
 * within 64 bits as INTEGER, booleans as 1/0) and foreign keys are on (better-sqlite3's default); everything else is
 * better-sqlite3's own: its SQLite version and build flags (SQLITE_DQS=0,
 * SQLITE_LIKE_DOESNT_MATCH_BLOBS). It checks the sql.js oracle's answers against the SQLite that
 * Kysely users run.
 */
async function openNativeOracle(modulePath: string): Promise<SqliteDatabaseLike> {
  const require = createRequire(import.meta.url)
  const Database = require(modulePath) as new (path: string) => NativeDatabase
  const native = new Database(':memory:')
  native.pragma('foreign_keys = on')
  return {
    close: () => native.close(),
    prepare(sql: string) {
      const statement = native.prepare(sql)
      const bind = (parameters: ReadonlyArray<unknown>) => parameters.map(toBindable)
      return {
        reader: statement.reader,
        all: (parameters) => statement.all(...bind(parameters)),
        run: (parameters) => statement.run(...bind(parameters)),
        iterate: (parameters) => statement.iterate(...bind(parameters)),
      }
    },
  }
}

interface NativeDatabase {
  pragma(source: string): unknown
  prepare(sql: string): {
    readonly reader: boolean
    all(...parameters: unknown[]): unknown[]
    run(...parameters: unknown[]): { changes: number; lastInsertRowid: number }
    iterate(...parameters: unknown[]): IterableIterator<unknown>
  }
  close(): void
}

export async function openOracle(api: KyselyApi): Promise<Side> {
  const nativePath = process.env['KYSELY_DIFF_ORACLE']
  const database = nativePath === undefined ? await SqlJsSqliteDatabase.create() : await openNativeOracle(nativePath)
  const db: Db = new api.Kysely({ dialect: new api.SqliteDialect({ database }) })
  return { name: 'sqlite', db, close: () => db.destroy() }
}

let scratch: string | undefined
let fileCounter = 0

/** A fresh file path in one temporary folder per process, removed when the process exits. */
export function scratchFile(): string {
  if (scratch === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'kysely-diff-'))
    scratch = dir
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }))
  }
  fileCounter += 1
  return join(scratch, `case-${process.pid}-${fileCounter}.db`)
}

function removeFiles(path: string): void {
  for (const suffix of ['', '-lock', '.lock']) rmSync(path + suffix, { force: true, recursive: true })
}

function assertChecked(report: { ok: boolean; errors: unknown }): void {
  if (!report.ok) throw new Error(`btree-store check() failed after the case: ${JSON.stringify(report.errors)}`)
}

/** How the dialect gets its file: an engine `Database` the harness opened, or a path it opens itself. */
export type SubjectOpening = 'database' | 'path'

/**
 * `KYSELY_DIFF_SUBJECT=sqlite` compares SQLite with itself: a check of the harness, which must be
 * green whatever state the dialect is in. With `'path'`, closing also proves that `db.destroy()`
 * released the file: the harness reopens it to run `check()`.
 */
export async function openSubject(api: KyselyApi, opening: SubjectOpening = 'database'): Promise<Side> {
  if (process.env['KYSELY_DIFF_SUBJECT'] === 'sqlite') {
    const side = await openOracle(api)
    return { ...side, name: 'btree' }
  }
  const path = scratchFile()
  if (opening === 'path') {
    const connect = (): Db => new api.Kysely({ dialect: new BTreeDialect({ path, durability: 'none' }) })
    const closeAndCheck = async (db: Db): Promise<void> => {
      await db.destroy()
      const reopened = await open(path)
      try {
        assertChecked(reopened.check())
      } finally {
        await reopened.close()
      }
    }
    let db = connect()
    return {
      name: 'btree',
      get db() {
        return db
      },
      async reopen() {
        await closeAndCheck(db)
        db = connect()
      },
      async close() {
        try {
          await closeAndCheck(db)
        } finally {
          removeFiles(path)
        }
      },
    }
  }
  const database = await open(path, { durability: 'none' })
  const db: Db = new api.Kysely({ dialect: new BTreeDialect({ database }) })
  return {
    name: 'btree',
    db,
    async close() {
      try {
        await db.destroy()
        assertChecked(database.check())
      } finally {
        await database.close()
        removeFiles(path)
      }
    },
  }
}
