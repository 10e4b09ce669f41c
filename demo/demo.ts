/**
 * `npm run demo`: one file, three doors. The engine's own API writes a bucket; a Level database
 * (`btree-level`) and a Kysely database (`kysely-btree`) keep their data in buckets of the same
 * file; the file is closed, reopened and checked.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Kysely, sql as kyselySql } from 'kysely'
import { open } from 'btree-store'
import { BTreeLevel } from 'btree-level'
import { BTreeDialect } from 'kysely-btree'

interface DB {
  person: { id: number | null; name: string; age: number | null }
  pet: { id: number | null; owner_id: number; name: string }
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'btree-store-demo-'))
const file = path.join(dir, 'demo.db')
const text = (b: Uint8Array | undefined): string => (b === undefined ? '(none)' : Buffer.from(b).toString())

console.log(`1. btree-store: creating ${file}`)
const engine = await open(file)
await engine.update((tx) => {
  const users = tx.createBucketIfNotExists('users')
  users.put(Buffer.from('id:100'), Buffer.from('Alice'))
  users.put(Buffer.from('id:101'), Buffer.from('Bob'))
})
const snapshot = engine.begin()
await engine.update((tx) => tx.bucket('users')!.put(Buffer.from('id:101'), Buffer.from('Robert')))
console.log(
  `   committed txid ${engine.txid}; a snapshot taken before still sees id:101 = ${text(snapshot.bucket('users')!.get(Buffer.from('id:101')))}`,
)
snapshot.close()
engine.view((tx) => {
  const c = tx.bucket('users')!.cursor()
  for (let ok = c.first(); ok; ok = c.next()) console.log(`   cursor: ${text(c.key)} -> ${text(c.value)}`)
})

console.log('2. btree-level: a Level database in the same file (sublevels are buckets)')
const level = new BTreeLevel<string, unknown>(dir, { database: engine, valueEncoding: 'json' })
await level.open()
const cities = level.sublevel<string, { country: string }>('cities', { valueEncoding: 'json' })
await level.batch([
  { type: 'put', key: 'greeting', value: 'hello' },
  { type: 'put', key: 'paris', value: { country: 'France' }, sublevel: cities },
  { type: 'put', key: 'kyoto', value: { country: 'Japan' }, sublevel: cities },
])
for await (const [key, value] of cities.iterator()) console.log(`   cities: ${key} -> ${JSON.stringify(value)}`)
console.log(`   the root sees every key, prefixed: ${(await level.keys().all()).join(', ')}`)

console.log("3. kysely-btree: SQL-shaped tables in the same file, with SQLite's answers")
const sql = new Kysely<DB>({ dialect: new BTreeDialect({ database: engine }) })
await sql.schema
  .createTable('person')
  .ifNotExists()
  .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
  .addColumn('name', 'text', (c) => c.notNull())
  .addColumn('age', 'integer')
  .execute()
await sql
  .insertInto('person')
  .values([
    { name: 'Ann', age: 36 },
    { name: 'Ben', age: 17 },
    { name: 'Cy', age: null },
  ])
  .execute()
await sql.transaction().execute(async (trx) => {
  await trx
    .updateTable('person')
    .set((eb) => ({ age: eb('age', '+', 1) }))
    .where('name', '=', 'Ben')
    .execute()
})
const adults = await sql
  .selectFrom('person')
  .select(['id', 'name', 'age'])
  .where('age', '>=', 18)
  .orderBy('name')
  .execute()
console.log(`   adults: ${JSON.stringify(adults)}`)
// Foreign keys are enforced, as better-sqlite3 opens SQLite: a pet needs its owner, and goes with them.
await sql.schema
  .createTable('pet')
  .ifNotExists()
  .addColumn('id', 'integer', (c) => c.primaryKey())
  .addColumn('owner_id', 'integer', (c) => c.notNull().references('person.id').onDelete('cascade'))
  .addColumn('name', 'text', (c) => c.notNull())
  .execute()
await sql
  .insertInto('pet')
  .values([
    { owner_id: 1, name: 'Rex' },
    { owner_id: 3, name: 'Tom' },
  ])
  .execute()
const orphan = await sql
  .insertInto('pet')
  .values({ owner_id: 99, name: 'Ghost' })
  .execute()
  .catch((e: { code?: string }) => e.code)
await sql.deleteFrom('person').where('name', '=', 'Cy').execute()
const pets = await sql.selectFrom('pet').select('name').orderBy('name').execute()
console.log(`   a pet of owner 99: ${String(orphan)}; after Cy's delete, pets: ${pets.map((p) => p.name).join(', ')}`)
// Triggers, made in raw SQL as a migration would make them: a renamed pet is logged.
await kyselySql`create table if not exists pet_log (id integer primary key, pet_id integer, was text, now text)`.execute(
  sql,
)
await kyselySql`create trigger if not exists pet_renamed after update of name on pet
  begin insert into pet_log (pet_id, was, now) values (old.id, old.name, new.name); end`.execute(sql)
await sql.updateTable('pet').set({ name: 'Rexy' }).where('name', '=', 'Rex').execute()
const renamed = await kyselySql<{ was: string; now: string }>`select was, now from pet_log`.execute(sql)
console.log(`   the trigger logged: ${renamed.rows.map((r) => `${r.was} -> ${r.now}`).join(', ')}`)

await sql.destroy()
await level.close()
console.log(`   buckets in the file: ${engine.view((tx) => tx.buckets()).join(', ')}`)
await engine.close()

const reopened = await open(file)
const check = reopened.check()
console.log(
  `4. reopened at txid ${reopened.txid}; check(): ${check.ok ? 'ok' : 'PROBLEMS'}, pages ${JSON.stringify(check.pages)}`,
)
await reopened.close()
console.log(`   file size ${fs.statSync(file).size} bytes; removing ${dir}`)
fs.rmSync(dir, { recursive: true, force: true })
