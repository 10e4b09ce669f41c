import { expect } from 'chai'
import { mkdtempSync, promises as fs, rmSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import * as k28 from 'kysely'
import { SqlJsSqliteDatabase } from '../helpers/sqljs-database.js'
import { expectCheck, rejection, useTempDir, VERSIONS, type AnyDB, type KyselyVersion } from './support.js'

/**
 * SQLite's procedure for changing a table's definition (lang_altertable.html, "other kinds of
 * table schema changes"), as a Kysely migration: foreign keys off, a new table, the rows copied,
 * the old one dropped, the new one renamed, foreign keys on. Kysely's SQLite adapter runs each
 * migration outside a transaction, where the pragma takes effect; this dialect runs them all in
 * one, and honours the pragma while the Migrator runs, so that the drop neither cascades into the
 * children nor fails.
 */
const MIGRATIONS: Record<string, string> = {
  '0001_music': `export async function up(db) {
  await db.schema.createTable('artist')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('name', 'text')
    .execute()
  await db.schema.createTable('album')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('artist_id', 'integer', (c) => c.references('artist.id').onDelete('cascade'))
    .addColumn('title', 'text', (c) => c.notNull())
    .execute()
  await db.insertInto('artist').values([{ id: 1, name: 'a' }, { id: 2, name: null }, { id: 3, name: 'c' }]).execute()
  await db.insertInto('album').values([
    { id: 10, artist_id: 1, title: 'x' },
    { id: 11, artist_id: 2, title: 'y' },
    { id: 12, artist_id: 2, title: 'z' },
    { id: 13, artist_id: null, title: 'w' },
  ]).execute()
}
`,
  '0002_artist_name_not_null': `import { sql } from 'kysely'
export async function up(db) {
  await sql\`pragma foreign_keys = off\`.execute(db)
  await db.schema.createTable('artist_new')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().defaultTo(''))
    .execute()
  await db.insertInto('artist_new')
    .columns(['id', 'name'])
    .expression(db.selectFrom('artist').select((eb) => ['id', eb.fn.coalesce('name', sql.lit('')).as('name')]))
    .execute()
  await db.schema.dropTable('artist').execute()
  await db.schema.alterTable('artist_new').renameTo('artist').execute()
  await sql\`pragma foreign_keys = on\`.execute(db)
}
`,
}

/**
 * The migration files, in a folder under the package's build output: they import `kysely`, which
 * resolves from there (not from a folder in the system's temporary directory).
 */
function writeMigrations(): string {
  const here = path.dirname(fileURLToPath(import.meta.url))
  const folder = mkdtempSync(path.join(here, 'migrations-'))
  writeFileSync(path.join(folder, 'package.json'), '{ "type": "module" }\n')
  for (const [name, text] of Object.entries(MIGRATIONS)) writeFileSync(path.join(folder, `${name}.js`), text)
  return folder
}

async function migrate(version: KyselyVersion, db: AnyDB, folder: string): Promise<unknown> {
  const result = await new version.Migrator({
    db,
    provider: new version.FileMigrationProvider({ fs, path, migrationFolder: folder }),
  }).migrateToLatest()
  return result.error
}

/** What the two databases are compared by after the migrations. */
async function state(db: AnyDB): Promise<unknown[]> {
  return [
    await db.selectFrom('artist').selectAll().orderBy('id').execute(),
    await db.selectFrom('album').selectAll().orderBy('id').execute(),
    (await rejection(db.insertInto('album').values({ id: 20, artist_id: 9, title: 'q' }).execute())).message,
    await db
      .deleteFrom('artist')
      .where('id', '=', 2)
      .execute()
      .then((r) => Number(r[0]!.numDeletedRows)),
    await db.selectFrom('album').select('id').orderBy('id').execute(),
  ]
}

for (const version of VERSIONS) {
  describe(`integration (${version.name}): a migration rebuilding a parent table with foreign keys off`, () => {
    const t = useTempDir(version)

    it('keeps the children and the keys, as Kysely on SQLite does', async () => {
      const folder = writeMigrations()
      const db = t.open()
      // The oracle: Kysely 0.28's own SQLite dialect over sql.js, foreign keys on (as better-sqlite3).
      const oracle = new k28.Kysely({
        dialect: new k28.SqliteDialect({ database: await SqlJsSqliteDatabase.create() }),
      }) as AnyDB
      try {
        expect(await migrate(version, db, folder)).to.equal(undefined)
        expect(await migrate(VERSIONS[0]!, oracle, folder)).to.equal(undefined)
        const expected = await state(oracle)
        expect(await state(db)).to.deep.equal(expected)
        // The children survived the drop, and the key now names the new table (its cascade too).
        expect(expected[1]).to.have.length(4)
        expect(expected[4]).to.deep.equal([{ id: 10 }, { id: 13 }])
      } finally {
        rmSync(folder, { recursive: true, force: true })
        await oracle.destroy()
      }
      expect((await version.sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(db)).rows).to.deep.equal([
        { foreign_keys: 1 },
      ])
      await expectCheck(db)
    })
  })
}
