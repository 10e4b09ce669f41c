import type { KyselyApi } from './kysely-versions.js'
import { canonValue } from './outcome.js'
import type { Db } from './sides.js'

/**
 * Random writes under foreign keys (differential/part2-random-foreign-keys.test.ts): a schema of
 * tables joined by keys of every shape, with actions drawn from the seed, and a script of raw
 * statements over it, run on one side into comparable lines.
 */
const ACTIONS = ['no action', 'restrict', 'cascade', 'set null', 'set default'] as const
const TABLES = ['p', 'c1', 'c2', 's', 'g', 'd', 'k2', 'c3', 'c4', 'w2', 'cw'] as const

function schema(r: () => number): string[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!
  const on = (): string => `on delete ${pick(ACTIONS)} on update ${pick(ACTIONS)}`
  return [
    'create table p (id integer primary key, u text unique, v integer)',
    `create table c1 (id integer primary key, pid integer default 1 references p (id) ${on()}, x integer)`,
    `create table c2 (id integer primary key, pu text default 'a' references p (u) ${on()})`,
    `create table s (id integer primary key, parent integer references s ${on()})`,
    `create table g (id integer primary key, cid integer references c1 (id) ${on()})`,
    'create table d (id integer primary key, pid integer references p (id) deferrable initially deferred)',
    // A composite key to a table keyed by it (not a rowid), its columns named in another order.
    'create table k2 (id integer unique, a integer, b text, primary key (a, b))',
    `create table c3 (id integer primary key, a integer, b text, foreign key (b, a) references k2 (b, a) ${on()})`,
    // A text column referring to an integer key: compared under the parent's affinity, found by scans.
    `create table c4 (id integer primary key, pid text references p (id) ${on()})`,
    ...(r() < 0.5 ? ['create index c3_ab on c3 (a, b)'] : []),
    // A WITHOUT ROWID parent keyed by text, its key named implicitly.
    'create table w2 (k text primary key, v integer) without rowid',
    `create table cw (id integer primary key, k text references w2 ${on()})`,
    ...(r() < 0.5 ? ['create index c1_pid on c1 (pid)'] : []),
    ...(r() < 0.5 ? ['create index s_parent on s (parent)'] : []),
    "insert into p (id, u, v) values (1, 'a', 1), (2, 'b', 2), (3, 'c', 3), (4, 'd', 4)",
    'insert into c1 (id, pid, x) values (1, 1, 1), (2, 1, 2), (3, 2, 3), (4, null, 4), (5, 3, 5)',
    "insert into c2 (id, pu) values (1, 'a'), (2, 'b'), (3, 'b'), (4, null)",
    'insert into s (id, parent) values (1, null), (2, 1), (3, 2), (4, 2), (5, 5)',
    'insert into g (id, cid) values (1, 1), (2, 1), (3, 3), (4, null)',
    'insert into d (id, pid) values (1, 1), (2, 4)',
    "insert into k2 (id, a, b) values (1, 1, 'a'), (2, 1, 'b'), (3, 2, 'a')",
    "insert into c3 (id, a, b) values (1, 1, 'a'), (2, 1, 'b'), (3, 1, 'b'), (4, 2, null)",
    "insert into c4 (id, pid) values (1, '1'), (2, ' 2'), (3, '3.0'), (4, 2)",
    "insert into w2 (k, v) values ('a', 1), ('b', 2), ('c', 3)",
    "insert into cw (id, k) values (1, 'a'), (2, 'a'), (3, 'b'), (4, null)",
  ]
}

/** One random statement (raw SQL text). */
function statement(r: () => number): string {
  const k = (): number => 1 + Math.floor(r() * 7)
  const ref = (): string => (r() < 0.15 ? 'null' : r() < 0.1 ? `'${k()}'` : String(k()))
  const letter = (): string => `'${'abcdefg'[Math.floor(r() * 7)]}'`
  const roll = Math.floor(r() * 36)
  switch (roll) {
    case 0:
      return `insert into p (id, u, v) values (${k()}, ${letter()}, ${k()})`
    case 1:
      return `insert into p (id, u, v) values (${k()}, ${letter()}, 1), (${k()}, ${letter()}, 2)`
    case 2:
      return `insert or replace into p (id, u, v) values (${k()}, ${letter()}, ${k()})`
    case 3:
      return `insert into p (id, u, v) values (${k()}, ${letter()}, 0) on conflict (id) do update set id = excluded.id + 10`
    case 4:
      return `update p set id = ${k()} where id = ${k()}`
    case 5:
      return `update p set u = ${letter()} where id = ${k()}`
    case 6:
      return `update p set v = v + 1, id = id where v > ${k()}`
    case 7:
      return `delete from p where id = ${k()}`
    case 8:
      return `delete from p where v > ${k()}`
    case 9:
      return `insert into c1 (id, pid, x) values (${k()}, ${ref()}, ${k()})`
    case 10:
      return `update c1 set pid = ${ref()} where id = ${k()}`
    case 11:
      return `update c1 set id = ${k()} where id = ${k()}`
    case 12:
      return `delete from c1 where id = ${k()}`
    case 13:
      return `insert into c2 (id, pu) values (${k()}, ${r() < 0.2 ? 'null' : letter()})`
    case 14:
      return `update c2 set pu = ${letter()} where id = ${k()}`
    case 15:
      return `insert into s (id, parent) values (${k()}, ${ref()}), (${k()}, ${ref()})`
    case 16:
      return `update s set parent = ${ref()} where id = ${k()}`
    case 17:
      return `delete from s where id = ${k()}`
    case 18:
      return `update s set id = ${k()} where id = ${k()}`
    case 19:
      return `insert into g (id, cid) values (${k()}, ${ref()})`
    case 20:
      return `delete from g where cid = ${k()}`
    case 21:
      return `insert into k2 (id, a, b) values (${k()}, ${k() % 3}, ${letter()})`
    case 22:
      return `update k2 set a = ${k() % 3} where id = ${k()}`
    case 23:
      return `delete from k2 where b = ${letter()}`
    case 24:
      return `insert into c3 (id, a, b) values (${k()}, ${r() < 0.2 ? 'null' : k() % 3}, ${letter()})`
    case 25:
      return `update c3 set b = ${letter()} where id = ${k()}`
    case 26:
      return `insert into c4 (id, pid) values (${k()}, ${r() < 0.5 ? `'${k()}'` : ref()})`
    case 27:
      return `insert into c1 (id, pid, x) values (${k()}, ${ref()}, 0) on conflict (id) do update set pid = excluded.pid`
    case 28:
      return `insert or replace into c1 (id, pid, x) values (${k()}, ${ref()}, 9)`
    case 29:
      return `insert or ignore into c1 (id, pid, x) values (${k()}, ${ref()}, 8)`
    case 30:
      return `insert into w2 (k, v) values (${letter()}, ${k()})`
    case 31:
      return `update w2 set k = ${letter()} where v = ${k()}`
    case 32:
      return `delete from w2 where k = ${letter()}`
    case 33:
      return `insert into cw (id, k) values (${k()}, ${r() < 0.2 ? 'null' : letter()})`
    case 34:
      return `insert or replace into w2 (k, v) values (${letter()}, ${k()})`
    default:
      return `insert into d (id, pid) values (${k()}, ${ref()})`
  }
}

/** A case's statements: single ones, and transactions (commit or rollback, savepoints, defer_foreign_keys). */
export function script(r: () => number, count: number): string[] {
  const out = schema(r)
  let left = count
  while (left > 0) {
    const roll = r()
    if (roll < 0.2) {
      out.push('begin')
      if (r() < 0.3) out.push('pragma defer_foreign_keys = on')
      const n = 1 + Math.floor(r() * 4)
      for (let i = 0; i < n; i++) {
        if (r() < 0.2) out.push('savepoint sp')
        out.push(statement(r))
        if (r() < 0.2) out.push('rollback to sp')
      }
      out.push(r() < 0.7 ? 'commit' : 'rollback')
      // A commit a deferred key failed leaves the transaction open: end it either way.
      out.push('rollback')
      left -= n
    } else {
      out.push(statement(r))
      left--
    }
  }
  for (const t of TABLES) out.push(`select * from ${t} order by ${t === 'k2' ? 'a, b' : t === 'w2' ? 'k' : 'id'}`)
  return out
}

/**
 * Runs the statements one by one: each one's rows as text, or its error's message. The texts in
 * `unchecked` run without their outcome compared (ending what is open, where SQLite and the
 * dialect disagree only about an error when nothing is: README).
 */
export async function runScript(
  db: Db,
  texts: readonly string[],
  sql: KyselyApi['sql'],
  unchecked: readonly string[] = ['rollback'],
): Promise<string[]> {
  const out: string[] = []
  for (const text of texts) {
    // Either ends what is open: SQLite's rollback with none open is an error, the dialect's a no-op (README).
    if (unchecked.includes(text)) {
      await sql
        .raw(text)
        .execute(db)
        .catch(() => {})
      out.push(text)
      continue
    }
    try {
      const rows = (await sql.raw(text).execute(db)).rows
      out.push(`${text} -> ${canonValue(rows)}`)
    } catch (e) {
      out.push(`${text} -> error ${(e as Error).message}`)
    }
  }
  return out
}
