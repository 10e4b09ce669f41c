/**
 * `npm run demo`: creates a database file, writes and reads through buckets and a cursor, reopens
 * it, and prints what it did.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { open } from '../src/index.js'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'btree-store-demo-'))
const file = path.join(dir, 'demo.db')
const text = (b: Uint8Array | undefined): string => (b === undefined ? '(none)' : Buffer.from(b).toString())

console.log(`Creating ${file}`)
let db = await open(file)

await db.update((tx) => {
  const users = tx.createBucketIfNotExists('users')
  users.put(Buffer.from('id:100'), Buffer.from('Alice'))
  users.put(Buffer.from('id:101'), Buffer.from('Bob'))
  users.put(Buffer.from('id:102'), Buffer.from('Carol'))
  const cities = tx.createBucketIfNotExists('cities')
  cities.put(Buffer.from('paris'), Buffer.from('France'))
  cities.put(Buffer.from('kyoto'), Buffer.from('Japan'))
})
console.log(`Committed txid ${db.txid}: 3 users and 2 cities in two buckets`)

const snapshot = db.begin()
await db.update((tx) => {
  tx.bucket('users')!.put(Buffer.from('id:101'), Buffer.from('Robert'))
  tx.bucket('users')!.delete(Buffer.from('id:102'))
})
console.log(`Committed txid ${db.txid}: renamed id:101, deleted id:102`)
console.log(
  `  a snapshot taken before still sees id:101 = ${text(snapshot.bucket('users')!.get(Buffer.from('id:101')))}`,
)
snapshot.close()

db.view((tx) => {
  console.log(`Buckets: ${tx.buckets().join(', ')}`)
  const c = tx.bucket('users')!.cursor()
  console.log('Users, walked with a cursor:')
  for (let ok = c.first(); ok; ok = c.next()) console.log(`  ${text(c.key)} -> ${text(c.value)}`)
  console.log('Cities in reverse order, with entries():')
  for (const [k, v] of tx.bucket('cities')!.entries({ reverse: true })) console.log(`  ${text(k)} -> ${text(v)}`)
})

await db.close()
db = await open(file)
console.log(
  `Reopened at txid ${db.txid}: id:100 = ${text(db.view((tx) => tx.bucket('users')!.get(Buffer.from('id:100'))))}`,
)
const check = db.check()
console.log(`check(): ${check.ok ? 'ok' : 'PROBLEMS'}; pages ${JSON.stringify(check.pages)}`)
await db.close()
console.log(`File size ${fs.statSync(file).size} bytes. Removing ${dir}`)
fs.rmSync(dir, { recursive: true, force: true })
