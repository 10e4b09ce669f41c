import type { OperationNode } from 'kysely'
import { rawText } from './expression/nodes.js'

/** A pragma the connection runs (sent as raw SQL, `` sql`pragma foreign_keys = on`.execute(db) ``). */
export type Pragma =
  | {
      readonly name: 'foreign_keys' | 'defer_foreign_keys'
      /** The value set; undefined for a read (`pragma foreign_keys`). */
      readonly value: boolean | undefined
    }
  | {
      /**
       * foreign_key_list(t): t's keys; foreign_key_check [(t)]: the rows that violate them;
       * table_info(t), index_list(t), index_info(i): the schema as SQLite lists it.
       */
      readonly name: 'foreign_key_list' | 'foreign_key_check' | 'table_info' | 'index_list' | 'index_info'
      /** The table (an index for index_info) named; undefined: every table (foreign_key_check without one). */
      readonly table: string | undefined
    }
  | {
      /**
       * Numeric settings: `user_version` and `application_id` (kept in the file), `synchronous`
       * (0-3: the connection's durability), `busy_timeout` (milliseconds, kept and reported).
       */
      readonly name: 'user_version' | 'application_id' | 'synchronous' | 'busy_timeout'
      readonly value: number | undefined
    }
  | {
      /** `journal_mode`: always `wal` here (read, or a change SQLite would refuse). */
      readonly name: 'journal_mode'
      readonly value: string | undefined
    }
  | {
      /**
       * `analyze [t]` (a statement, read here beside the pragmas: both run on the connection) and
       * `pragma optimize` (the tables whose indexes have no statistics yet).
       */
      readonly name: 'analyze' | 'optimize'
      readonly table: string | undefined
    }

const LISTING =
  /^pragma\s+(?:main\s*\.\s*)?(foreign_key_list|foreign_key_check|table_info|index_list|index_info)\s*(?:\(\s*(?:"((?:[^"]|"")+)"|'((?:[^']|'')+)'|([A-Za-z_][\w$]*))\s*\))?$/i

const PRAGMA = /^pragma\s+(?:main\s*\.\s*)?(foreign_keys|defer_foreign_keys)\s*(?:(?:=\s*|\(\s*)([^\s()]+)\s*\)?)?$/i

const ANALYZE = /^analyze(?:\s+(?:main\s*\.\s*)?(?:"((?:[^"]|"")+)"|'((?:[^']|'')+)'|([A-Za-z_][\w$]*)))?$/i

const SETTING =
  /^pragma\s+(?:main\s*\.\s*)?(user_version|application_id|synchronous|busy_timeout|journal_mode)\s*(?:=\s*([^\s()]+)|\(\s*([^\s()]+)\s*\))?$/i

/** `synchronous`'s names (sqlite3GetSafetyLevel). */
const SYNCHRONOUS: Record<string, number> = {
  off: 0,
  no: 0,
  false: 0,
  normal: 1,
  on: 1,
  yes: 1,
  true: 1,
  full: 2,
  extra: 3,
}

/** A pragma's integer value as SQLite reads it (sqlite3GetInt32: its leading digits, 0 for none). */
function integerOf(text: string): number {
  const m = /^[+-]?\d+/.exec(text)
  return m === null ? 0 : Number(m[0]) | 0
}

/** SQLite's boolean pragma values (sqlite3GetBoolean): 1, 0, on, off, yes, no, true, false, quoted or not. */
const VALUES: Record<string, boolean> = {
  '1': true,
  on: true,
  yes: true,
  true: true,
  '0': false,
  off: false,
  no: false,
  false: false,
}

/**
 * The pragma a raw node is, if it is one of those the connection runs (foreign_keys,
 * defer_foreign_keys, foreign_key_list, foreign_key_check, table_info, index_list, index_info, user_version, application_id, synchronous, busy_timeout, journal_mode); any other pragma stays
 * BTREE_SQL_UNSUPPORTED. A value SQLite would read as
 * neither true nor false reads as false, as sqlite3GetBoolean does.
 */
export function matchPragma(node: OperationNode): Pragma | undefined {
  const text = rawText(node)
  if (text === undefined) return undefined
  const trimmed = text.trim().replace(/;$/, '').trim()
  const listing = LISTING.exec(trimmed)
  if (listing !== null) {
    const name = listing[1]!.toLowerCase() as Extract<Pragma, { table: unknown }>['name']
    const table = listing[2]?.replace(/""/g, '"') ?? listing[3]?.replace(/''/g, "'") ?? listing[4]
    // foreign_key_list needs its table; without one SQLite returns nothing.
    return { name, table }
  }
  const analyze = ANALYZE.exec(trimmed)
  if (analyze !== null)
    return {
      name: 'analyze',
      table: analyze[1]?.replace(/""/g, '"') ?? analyze[2]?.replace(/''/g, "'") ?? analyze[3],
    }
  if (/^pragma\s+(?:main\s*\.\s*)?optimize(?:\s*=\s*[^\s()]+|\s*\(\s*[^\s()]+\s*\))?$/i.test(trimmed))
    return { name: 'optimize', table: undefined }
  const setting = SETTING.exec(trimmed)
  if (setting !== null) {
    const name = setting[1]!.toLowerCase() as Extract<Pragma, { value: number | undefined }>['name'] | 'journal_mode'
    const written = setting[2] ?? setting[3]
    const raw = written?.replace(/^(['"])(.*)\1$/, '$2').toLowerCase()
    if (name === 'journal_mode') return { name, value: raw }
    if (raw === undefined) return { name, value: undefined }
    return { name, value: name === 'synchronous' ? (SYNCHRONOUS[raw] ?? integerOf(raw)) : integerOf(raw) }
  }
  const m = PRAGMA.exec(trimmed)
  if (m === null) return undefined
  const name = m[1]!.toLowerCase() as 'foreign_keys' | 'defer_foreign_keys'
  if (m[2] === undefined) return { name, value: undefined }
  const raw = m[2].replace(/^(['"])(.*)\1$/, '$2').toLowerCase()
  return { name, value: VALUES[raw] ?? false }
}
