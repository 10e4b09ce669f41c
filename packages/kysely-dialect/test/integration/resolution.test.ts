import { expect } from 'chai'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

/**
 * In this repository 'kysely' resolves to 0.28 (0.29 is installed as 'kysely-0.29'), so the other
 * suites load the dialect's own imports from 0.28 even when they drive 0.29. This one runs a child
 * process in which every 'kysely' import, the dialect's included, resolves to 0.29, as in an
 * application that installed only 0.29: a named import 0.29 lacks would fail to link here.
 */
describe('integration: the package under an application that installed only Kysely 0.29', () => {
  let dir: string
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'kysely-btree-029-'))
  })
  after(() => rmSync(dir, { recursive: true, force: true }))

  it('loads, migrates, writes, reads and introspects with every kysely import resolved to 0.29', () => {
    const index = pathToFileURL(fileURLToPath(new URL('../../src/index.js', import.meta.url))).href
    const k29 = pathToFileURL(fileURLToPath(import.meta.resolve('kysely-0.29'))).href
    const k29migration = pathToFileURL(fileURLToPath(import.meta.resolve('kysely-0.29/migration'))).href
    writeFileSync(
      join(dir, 'hooks.mjs'),
      `export async function resolve(specifier, context, next) {
  if (specifier === 'kysely') return { url: ${JSON.stringify(k29)}, shortCircuit: true }
  if (specifier === 'kysely/migration') return { url: ${JSON.stringify(k29migration)}, shortCircuit: true }
  return next(specifier, context)
}
`,
    )
    writeFileSync(
      join(dir, 'register.mjs'),
      `import { register } from 'node:module'\nregister('./hooks.mjs', import.meta.url)\n`,
    )
    writeFileSync(
      join(dir, 'scenario.mjs'),
      `import { Kysely, sql } from 'kysely'
import { Migrator } from 'kysely/migration'
import { BTreeDialect } from ${JSON.stringify(index)}
const db = new Kysely({ dialect: new BTreeDialect({ path: ${JSON.stringify(join(dir, 'app.db'))} }) })
const migrator = new Migrator({ db, provider: { getMigrations: async () => ({
  '001': { up: async (db) => { await db.schema.createTable('t').addColumn('id', 'integer', (c) => c.primaryKey()).addColumn('v', 'text').execute() } },
}) } })
const { error } = await migrator.migrateToLatest()
if (error) throw error
const r = await db.insertInto('t').values([{ v: 'a' }, { v: 'b' }]).executeTakeFirst()
await db.transaction().execute(async (trx) => { await trx.updateTable('t').set({ v: 'c' }).where('id', '=', 2).execute() })
const rows = await db.selectFrom('t').selectAll().orderBy('id', 'desc').execute()
const tables = (await db.introspection.getTables({ withInternalKyselyTables: true })).map((t) => t.name + ':' + t.isForeign)
await db.destroy()
console.log(JSON.stringify({ insertId: String(r.insertId), rows, tables, version: typeof sql }))
`,
    )
    const out = execFileSync(
      process.execPath,
      ['--import', pathToFileURL(join(dir, 'register.mjs')).href, join(dir, 'scenario.mjs')],
      { encoding: 'utf8' },
    )
    expect(JSON.parse(out.trim().split('\n').pop()!)).to.deep.equal({
      insertId: '2',
      rows: [
        { id: 2, v: 'c' },
        { id: 1, v: 'a' },
      ],
      tables: ['kysely_migration:false', 'kysely_migration_lock:false', 't:false'],
      version: 'function',
    })
  })
})
