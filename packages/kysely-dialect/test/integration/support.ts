import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as k28 from 'kysely'
import * as k29 from 'kysely-0.29'
// 0.29 moved the Migrator to 'kysely/migration' (the main entry only keeps deprecated stubs).
import * as k29migration from 'kysely-0.29/migration'
import { expect } from 'chai'
import { BTreeAdapter, BTreeDialect, type BTreeDialectConfig } from '../../src/index.js'

/** The Kysely API the integration tests use, from either installed version. */
export interface KyselyVersion {
  name: string
  Kysely: typeof k28.Kysely
  Migrator: typeof k28.Migrator
  FileMigrationProvider: typeof k28.FileMigrationProvider
  sql: typeof k28.sql
  NO_MIGRATIONS: typeof k28.NO_MIGRATIONS
}

/** Both supported versions: every integration suite runs once per version. */
export const VERSIONS: KyselyVersion[] = [
  {
    name: 'kysely 0.28',
    Kysely: k28.Kysely,
    Migrator: k28.Migrator,
    FileMigrationProvider: k28.FileMigrationProvider,
    sql: k28.sql,
    NO_MIGRATIONS: k28.NO_MIGRATIONS,
  },
  {
    name: 'kysely 0.29',
    Kysely: k29.Kysely as unknown as typeof k28.Kysely,
    Migrator: k29migration.Migrator as unknown as typeof k28.Migrator,
    FileMigrationProvider: k29migration.FileMigrationProvider as unknown as typeof k28.FileMigrationProvider,
    sql: k29.sql as unknown as typeof k28.sql,
    NO_MIGRATIONS: k29migration.NO_MIGRATIONS as unknown as typeof k28.NO_MIGRATIONS,
  },
]

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyDB = k28.Kysely<any>

/** A temporary directory per test, removed afterwards; `open` makes a Kysely on a file in it. */
export function useTempDir(version: KyselyVersion): {
  dir: () => string
  path: (name?: string) => string
  open: (config?: Partial<BTreeDialectConfig>, name?: string) => AnyDB
} {
  let dir: string | undefined
  const opened: AnyDB[] = []
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kysely-btree-'))
  })
  afterEach(async function () {
    // Every scenario ends with the engine's check() of each file still open, then closes it.
    const problems: string[] = []
    for (const db of opened.splice(0)) {
      const engine = (db.getExecutor().adapter as BTreeAdapter).driver.database
      if (engine !== undefined && !engine.closed && this.currentTest?.state === 'passed') {
        const result = engine.check()
        if (!result.ok) problems.push(...result.errors.map((e) => e.message))
      }
      await db.destroy().catch(() => undefined)
    }
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
    expect(problems, 'check() after the scenario').to.deep.equal([])
  })
  const path = (name = 'test.db') => join(dir!, name)
  return {
    dir: () => dir!,
    path,
    open: (config = {}, name = 'test.db') => {
      const db = new version.Kysely({
        dialect: new BTreeDialect({ path: path(name), ...config } as BTreeDialectConfig),
      })
      opened.push(db)
      return db
    },
  }
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function rejection(p: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await p
  } catch (err) {
    return err as Error & { code?: string }
  }
  expect.fail('expected a rejection')
}

/** The engine database under a Kysely instance (opened on first use). */
export async function engineOf(db: AnyDB): Promise<import('btree-store').Database> {
  const adapter = db.getExecutor().adapter as BTreeAdapter
  return (await adapter.driver.session()).db
}

/** Ends a scenario: the engine's check() of the file must be clean. */
export async function expectCheck(db: AnyDB): Promise<void> {
  const result = (await engineOf(db)).check()
  expect(result.errors).to.deep.equal([])
  expect(result.ok).to.equal(true)
}
