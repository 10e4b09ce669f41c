import { expect } from 'chai'
import { promises as fs, mkdirSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { expectCheck, useTempDir, VERSIONS, type AnyDB, type KyselyVersion } from './support.js'

/** Real migration files, ES modules on disk, as an application ships them. */
function writeMigrations(dir: string): string {
  const folder = path.join(dir, 'migrations')
  mkdirSync(folder)
  writeFileSync(path.join(folder, 'package.json'), '{ "type": "module" }\n')
  writeFileSync(
    path.join(folder, '2026_01_01_0001_person.js'),
    `export async function up(db) {
  await db.schema.createTable('person')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('first_name', 'varchar(255)', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.defaultTo('now'))
    .execute()
  await db.schema.createIndex('person_first_name').on('person').column('first_name').execute()
  await db.insertInto('person').values({ first_name: 'Seed' }).execute()
}
export async function down(db) {
  await db.schema.dropTable('person').execute()
}
`,
  )
  writeFileSync(
    path.join(folder, '2026_01_02_0001_pet.js'),
    `export async function up(db) {
  await db.schema.createTable('pet')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('owner_id', 'integer', (c) => c.references('person.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .execute()
  await db.schema.alterTable('person').addColumn('nickname', 'text').execute()
}
export async function down(db) {
  await db.schema.alterTable('person').dropColumn('nickname').execute()
  await db.schema.dropTable('pet').execute()
}
`,
  )
  return folder
}

function migrator(version: KyselyVersion, db: AnyDB, folder: string) {
  return new version.Migrator({
    db,
    provider: new version.FileMigrationProvider({ fs, path, migrationFolder: folder }),
  })
}

for (const version of VERSIONS) {
  describe(`integration (${version.name}): Migrator and introspection`, () => {
    const t = useTempDir(version)

    it('runs migration files up and down, twice in a row, and after reopen', async () => {
      const folder = writeMigrations(t.dir())
      let db = t.open()
      const first = await migrator(version, db, folder).migrateToLatest()
      expect(first.error).to.equal(undefined)
      expect(first.results?.map((r) => [r.migrationName, r.direction, r.status])).to.deep.equal([
        ['2026_01_01_0001_person', 'Up', 'Success'],
        ['2026_01_02_0001_pet', 'Up', 'Success'],
      ])
      const again = await migrator(version, db, folder).migrateToLatest()
      expect(again.error).to.equal(undefined)
      expect(again.results).to.deep.equal([])
      expect(await db.selectFrom('person').select(['first_name', 'created_at', 'nickname']).execute()).to.deep.equal([
        { first_name: 'Seed', created_at: 'now', nickname: null },
      ])
      await db.destroy()

      db = t.open()
      const executed = await migrator(version, db, folder).getMigrations()
      expect(executed.map((m) => m.executedAt !== undefined)).to.deep.equal([true, true])
      const down = await migrator(version, db, folder).migrateDown()
      expect(down.results?.map((r) => [r.migrationName, r.direction, r.status])).to.deep.equal([
        ['2026_01_02_0001_pet', 'Down', 'Success'],
      ])
      const tables = (await db.introspection.getTables()).map((tb) => tb.name)
      expect(tables).to.deep.equal(['person'])
      const toZero = await migrator(version, db, folder).migrateTo(version.NO_MIGRATIONS)
      expect(toZero.error).to.equal(undefined)
      expect((await db.introspection.getTables()).map((tb) => tb.name)).to.deep.equal([])
      const up = await migrator(version, db, folder).migrateToLatest()
      expect(up.results?.every((r) => r.status === 'Success')).to.equal(true)
      // A recreated table starts its ids afresh, as a new SQLite table (and its sqlite_sequence row) does.
      expect(await db.selectFrom('person').select('id').execute()).to.deep.equal([{ id: 1 }])
      await expectCheck(db)
    })

    it('a failing migration leaves nothing behind (the run is one transaction)', async () => {
      const folder = writeMigrations(t.dir())
      writeFileSync(
        path.join(folder, '2026_01_03_0001_broken.js'),
        `export async function up(db) {
  await db.schema.createTable('broken').addColumn('x', 'integer').execute()
  await db.insertInto('pet').values([{ name: 'a' }, { name: 'a' }]).execute()
}
`,
      )
      const db = t.open()
      const result = await migrator(version, db, folder).migrateToLatest()
      expect((result.error as { code?: string }).code).to.equal('BTREE_SQL_UNIQUE_VIOLATION')
      expect((await db.introspection.getTables()).map((tb) => tb.name)).to.deep.equal([])
      expect(await db.selectFrom('kysely_migration').selectAll().execute()).to.deep.equal([])
    })

    it('introspection: tables with columns (type, nullable, default, auto-increment); internal tables only when asked', async () => {
      const folder = writeMigrations(t.dir())
      const db = t.open()
      await migrator(version, db, folder).migrateToLatest()
      expect(await db.introspection.getSchemas()).to.deep.equal([])
      const tables = await db.introspection.getTables()
      expect(tables.map((tb) => tb.name)).to.deep.equal(['person', 'pet'])
      const person = tables.find((tb) => tb.name === 'person')!
      expect(person.isView).to.equal(false)
      expect(person.columns).to.deep.equal([
        {
          name: 'id',
          dataType: 'INTEGER',
          isNullable: true,
          isAutoIncrementing: true,
          hasDefaultValue: false,
          comment: undefined,
        },
        {
          name: 'first_name',
          dataType: 'varchar(255)',
          isNullable: false,
          isAutoIncrementing: false,
          hasDefaultValue: false,
          comment: undefined,
        },
        {
          name: 'created_at',
          dataType: 'TEXT',
          isNullable: true,
          isAutoIncrementing: false,
          hasDefaultValue: true,
          comment: undefined,
        },
        {
          name: 'nickname',
          dataType: 'TEXT',
          isNullable: true,
          isAutoIncrementing: false,
          hasDefaultValue: false,
          comment: undefined,
        },
      ])
      const all = (await db.introspection.getTables({ withInternalKyselyTables: true })).map((tb) => tb.name)
      expect(all).to.deep.equal(['kysely_migration', 'kysely_migration_lock', 'person', 'pet'])
      const introspector = db.introspection as unknown as {
        getMetadata?: (o?: { withInternalKyselyTables: boolean }) => Promise<{ tables: unknown[] }>
      }
      if (version.name.endsWith('0.28')) expect((await introspector.getMetadata!()).tables).to.have.length(2)
    })
  })
}
