/**
 * The five tables the join-order checks use (integration/sqlite-join-order.test.ts and
 * bench/join-order.ts): a rowid table with an integer primary key and no index (a, b), one without
 * a primary key but with an index (c), a text primary key (d, which SQLite keeps in a unique
 * index), and an integer primary key with an index (e); then a few rows in each.
 */
export const JOIN_ORDER_SCHEMA: readonly string[] = [
  'create table a(id integer primary key, x integer)',
  'create table b(id integer primary key, a_id integer, z real)',
  'create table c(n integer, m text)',
  'create table d(code text primary key, v integer)',
  'create table e(id integer primary key, b_id integer, w integer)',
  'create index e_b on e(b_id)',
  'create index c_n on c(n)',
]

const rows = (n: number, row: (i: number) => string): string => Array.from({ length: n }, (_, i) => row(i)).join(', ')

export const JOIN_ORDER_ROWS: readonly string[] = [
  `insert into a values ${rows(12, (i) => `(${i + 1}, ${(i + 1) % 5})`)}`,
  `insert into b values ${rows(20, (i) => `(${100 + i}, ${(i * 7) % 14}, ${i * 0.5})`)}`,
  `insert into c values ${rows(25, (i) => `(${i % 4}, 'm${i % 3}')`)}`,
  `insert into d values ${rows(8, (i) => `('k${i}', ${i})`)}`,
  `insert into e values ${rows(30, (i) => `(${i + 1}, ${100 + (i % 20)}, ${i % 6})`)}`,
]
