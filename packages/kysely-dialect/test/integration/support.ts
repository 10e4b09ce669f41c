import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as k28 from 'kysely'
import * as k29 from 'kysely-0.29'
import { expect } from 'chai'
import { BTreeDialect, type BTreeDialectConfig } from '../../src/index.js'

/** The Kysely API the integration tests use, from either installed version. */
export interface KyselyVersion {
  name: string
  Kysely: typeof k28.Kysely
  Migrator: typeof k28.Migrator
  FileMigrationProvider: typeof k28.FileMigrationProvider
  sql: typeof k28.sql
}

/** Both supported versions: every integration suite runs once per version. */
export const VERSIONS: KyselyVersion[] = [
  { name: 'kysely 0.28', Kysely: k28.Kysely, Migrator: k28.Migrator, FileMigrationProvider: k28.FileMigrationProvider, sql: k28.sql },
  {
    name: 'kysely 0.29',
    Kysely: k29.Kysely as unknown as typeof k28.Kysely,
    Migrator: k29.Migrator as unknown as typeof k28.Migrator,
    FileMigrationProvider: k29.FileMigrationProvider as unknown as typeof k28.FileMigrationProvider,
    sql: k29.sql as unknown as typeof k28.sql,
  },
]

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyDB = k28.Kysely<any>

/** A temporary directory per test, removed afterwards; `open` makes a Kysely on a file in it. */
export function useTempDir(version: KyselyVersion): { dir: () => string; path: (name?: string) => string; open: (config?: Partial<BTreeDialectConfig>, name?: string) => AnyDB } {
  let dir: string | undefined
  const opened: AnyDB[] = []
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kysely-btree-'))
  })
  afterEach(async () => {
    for (const db of opened.splice(0)) await db.destroy().catch(() => undefined)
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
  })
  const path = (name = 'test.db') => join(dir!, name)
  return {
    dir: () => dir!,
    path,
    open: (config = {}, name = 'test.db') => {
      const db = new version.Kysely({ dialect: new BTreeDialect({ path: path(name), ...config } as BTreeDialectConfig) })
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
