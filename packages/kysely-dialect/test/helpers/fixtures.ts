import type { Db } from './sides.js'

/**
 * Small schemas shared by the differential cases. Each returns a setup function, run once on each
 * side; the rows hold the awkward values on purpose (nulls, mixed case, ties broken by id).
 */

export interface Person {
  id: number
  name: string
  age: number | null
  city: string | null
  score: number | null
}

export const people: readonly Person[] = [
  { id: 1, name: 'Alice', age: 30, city: 'Paris', score: 9.5 },
  { id: 2, name: 'bob', age: 25, city: 'paris', score: 7 },
  { id: 3, name: 'Carol', age: null, city: 'Berlin', score: null },
  { id: 4, name: 'dave', age: 41, city: null, score: 3.25 },
  { id: 5, name: 'Eve', age: 25, city: 'Berlin', score: -1 },
  { id: 6, name: 'Émile', age: 19, city: 'Lyon', score: 0 },
  { id: 7, name: 'al_pha%', age: 30, city: 'PARIS', score: 12.75 },
  { id: 8, name: 'Zoë', age: 64, city: 'lyon', score: 5 },
]

/** `people(id integer primary key, name text not null, age integer, city text, score real)`. */
export async function seedPeople(db: Db): Promise<void> {
  await db.schema
    .createTable('people')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('age', 'integer')
    .addColumn('city', 'text')
    .addColumn('score', 'real')
    .execute()
  await db
    .insertInto('people')
    .values([...people])
    .execute()
}

/** `kv(k text primary key, v)` with an untyped column holding every storage class. */
export async function seedMixed(db: Db): Promise<void> {
  await db.schema
    .createTable('kv')
    .addColumn('k', 'text', (c) => c.primaryKey())
    .addColumn('v', 'blob')
    .execute()
  await db
    .insertInto('kv')
    .values([
      { k: 'a', v: 1 },
      { k: 'b', v: 2.5 },
      { k: 'c', v: 'text' },
      { k: 'd', v: null },
      { k: 'e', v: Buffer.from([1, 2, 3]) },
      { k: 'f', v: -3 },
      { k: 'g', v: '10' },
      { k: 'h', v: 'Text' },
      { k: 'i', v: Buffer.from([0]) },
      { k: 'j', v: 2 },
    ])
    .execute()
}

/** Inserts `count` rows made by `row(i)` into `table`, `chunk` rows a statement (SQLite's limit on bound values). */
export async function insertRows(
  db: Db,
  table: string,
  count: number,
  row: (i: number) => Record<string, unknown>,
  chunk = 500,
): Promise<void> {
  for (let start = 0; start < count; start += chunk)
    await db
      .insertInto(table)
      .values(Array.from({ length: Math.min(chunk, count - start) }, (_, j) => row(start + j)))
      .execute()
}
