import type { Db } from './sides.js'
import type { KyselyApi } from './kysely-versions.js'
import { runScript as runStatements } from './random-foreign-keys.js'

/**
 * Seeded random scripts for triggers (part2-random-triggers.test.ts): two tables, a log and a view,
 * a random set of triggers drawn from templates (every timing and event, UPDATE OF, WHEN, each
 * RAISE, triggers writing tables with triggers of their own, INSTEAD OF triggers writing through
 * the view), and random writes run in and out of transactions, with triggers dropped and made
 * again on the way.
 */
const SCHEMA = [
  'create table a (id integer primary key, k int, v text, n int default 0)',
  'create table b (id integer primary key, a_id int, v text unique)',
  'create table log (n integer primary key, tag text, x, y)',
  'create view av as select id, k, v, (select count(*) from b where b.a_id = a.id) as bs from a where k >= 0',
]

const TABLES = ['a', 'b', 'log']

/** Trigger templates: each a name and its text (the name is unique per template). */
const TRIGGERS: readonly (readonly [string, string])[] = [
  [
    'a_ai',
    `create trigger a_ai after insert on a begin insert into log (tag, x, y) values ('a_ai', new.id, new.v); end`,
  ],
  [
    'a_bi',
    `create trigger a_bi before insert on a when new.k > 7 begin insert into log (tag, x, y) values ('a_bi', new.id, new.k); end`,
  ],
  [
    'a_copy',
    `create trigger a_copy after insert on a when new.k % 2 = 0 begin insert or ignore into b (a_id, v) values (new.id, new.v || '*'); end`,
  ],
  [
    'a_uv',
    `create trigger a_uv after update of v on a begin update b set v = new.v || '+' || id where a_id = new.id; end`,
  ],
  ['a_touch', `create trigger a_touch after update of k, v on a begin update a set n = n + 1 where id = new.id; end`],
  [
    'a_neg',
    `create trigger a_neg before update on a when new.k < 0 begin select raise(abort, 'stop: negative ' || new.k); end`,
  ],
  ['a_fail', `create trigger a_fail before update on a when new.k = 5 begin select raise(fail, 'stop: five'); end`],
  [
    'a_ad',
    `create trigger a_ad after delete on a begin delete from b where a_id = old.id; insert into log (tag, x) values ('a_ad', old.id); end`,
  ],
  ['a_bd', `create trigger a_bd before delete on a when old.k = 3 begin select raise(ignore); end`],
  [
    'a_bu',
    `create trigger a_bu before update on a begin insert into log (tag, x, y) values ('a_bu', old.k, (select count(*) from b where a_id = old.id)); end`,
  ],
  ['b_bi', `create trigger b_bi before insert on b when new.v is null begin select raise(ignore); end`],
  ['b_ai', `create trigger b_ai after insert on b begin update a set n = n + 10 where id = new.a_id; end`],
  [
    'b_au',
    `create trigger b_au after update on b begin insert into log (tag, x, y) values ('b_au', old.v, new.v); end`,
  ],
  ['b_bd', `create trigger b_bd before delete on b when old.v like '%x%' begin select raise(ignore); end`],
  ['b_ad', `create trigger b_ad after delete on b begin update a set n = n - 1 where id = old.a_id; end`],
  [
    'log_ai',
    `create trigger log_ai after insert on log when new.tag = 'a_ad' begin insert into log (tag, x) values ('echo', new.x); end`,
  ],
]

function pick<T>(r: () => number, items: readonly T[]): T {
  return items[Math.floor(r() * items.length)]!
}

function statement(r: () => number): string {
  const id = (): number => 1 + Math.floor(r() * 12)
  const k = (): number => Math.floor(r() * 12) - 2
  const v = (): string => (r() < 0.1 ? 'null' : `'${pick(r, ['p', 'q', 'x', 'px', 'r'])}${Math.floor(r() * 4)}'`)
  switch (Math.floor(r() * 19)) {
    case 0:
    case 1:
      return `insert into a (id, k, v) values (${id()}, ${k()}, ${v()})`
    case 2:
      return `insert into a (k, v) values (${k()}, ${v()}), (${k()}, ${v()})`
    case 3:
      return `insert or ignore into a (id, k, v) values (${id()}, ${k()}, ${v()})`
    case 4:
      return `insert or replace into a (id, k, v) values (${id()}, ${k()}, ${v()})`
    case 5:
      return `insert into a (id, k, v) values (${id()}, ${k()}, ${v()}) on conflict (id) do update set k = excluded.k, v = a.v || excluded.v`
    case 6:
      return `insert into b (a_id, v) values (${id()}, ${v()})`
    case 7:
      return `update a set k = ${k()} where id = ${id()}`
    case 8:
      return `update a set v = ${v()}, k = k + 1 where k between ${k()} and ${k() + 4}`
    case 9:
      return `update b set v = v || '.' where a_id <= ${id()}`
    case 10:
      return `delete from a where id = ${id()}`
    case 11:
      return `delete from b where a_id = ${id()} or v like '%${Math.floor(r() * 4)}'`
    case 12:
      return `delete from a where k > ${k()}`
    case 14:
      return `insert into av (id, k, v) values (${id()}, ${k()}, ${v()})`
    case 15:
      return `update av set v = ${v()} where id <= ${id()}`
    case 16:
      return `delete from av where k < ${k()}`
    case 17:
      return `update or ${pick(r, ['replace', 'ignore', 'fail'])} b set v = ${v()} where a_id >= ${id()}`
    default:
      return `update a set k = ${pick(r, [-1, 5, 3])} where id = ${id()}`
  }
}

/** A case's statements: its triggers, single statements and transactions, drops and re-creations. */
export function script(r: () => number, count: number): string[] {
  const out = [...SCHEMA]
  const made = new Set<string>()
  for (const [name, text] of TRIGGERS)
    if (r() < 0.5) {
      out.push(text)
      made.add(name)
    }
  let left = count
  while (left > 0) {
    const roll = r()
    if (roll < 0.05) {
      const [name, text] = pick(r, TRIGGERS)
      if (made.has(name)) {
        out.push(`drop trigger ${name}`)
        made.delete(name)
      } else {
        out.push(text)
        made.add(name)
      }
    } else if (roll < 0.2) {
      out.push('begin')
      const n = 1 + Math.floor(r() * 4)
      for (let i = 0; i < n; i++) out.push(statement(r))
      out.push(r() < 0.7 ? 'commit' : 'rollback')
      left -= n
    } else {
      out.push(statement(r))
      left--
    }
  }
  for (const t of [...TABLES, 'av']) out.push(`select * from ${t} order by ${t === 'log' ? 'n' : 'id'}`)
  return out
}

/** A case's statements run, a commit or rollback after a failed one not compared (random-foreign-keys.ts). */
export function runScript(db: Db, texts: readonly string[], sql: KyselyApi['sql']): Promise<string[]> {
  return runStatements(db, texts, sql, ['rollback', 'commit'])
}
