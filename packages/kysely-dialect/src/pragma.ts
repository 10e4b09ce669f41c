import type { OperationNode } from 'kysely'
import { rawText } from './expression/nodes.js'

/** A pragma the connection runs (sent as raw SQL, `` sql`pragma foreign_keys = on`.execute(db) ``). */
export type Pragma =
  | {
      readonly name: 'foreign_keys' | 'defer_foreign_keys' | 'case_sensitive_like' | 'recursive_triggers'
      /** The value set; undefined for a read (`pragma foreign_keys`). */
      readonly value: boolean | undefined
    }
  | {
      /**
       * foreign_key_list(t): t's keys; foreign_key_check [(t)]: the rows that violate them;
       * table_info(t), table_xinfo(t) (generated columns too), index_list(t), index_info(i): the
       * schema as SQLite lists it.
       */
      readonly name:
        | 'foreign_key_list'
        | 'foreign_key_check'
        | 'table_info'
        | 'table_xinfo'
        | 'index_list'
        | 'index_info'
        | 'index_xinfo'
      /** The table (an index for index_info) named; undefined: every table (foreign_key_check without one). */
      readonly table: string | undefined
    }
  | {
      /**
       * Numeric settings: `user_version`, `application_id` and `schema_version` (kept in the file), `synchronous`
       * (0-3: the connection's durability), `busy_timeout` (milliseconds, kept and reported).
       */
      readonly name: 'user_version' | 'application_id' | 'schema_version' | 'synchronous' | 'busy_timeout'
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
  | {
      /**
       * `table_list [(t)]`: the tables and views (SQLite 3.37+), of one schema when the pragma
       * names it (`main.table_list`, `temp.table_list`).
       */
      readonly name: 'table_list'
      readonly table: string | undefined
      readonly schema: 'main' | 'temp' | undefined
    }
  | {
      /**
       * Connection settings kept and reported (pragma-settings.ts): `cache_size`, `temp_store`
       * (0-2), `mmap_size`, `wal_autocheckpoint`. Set with the integer SQLite reads.
       */
      readonly name: 'cache_size' | 'temp_store' | 'mmap_size' | 'wal_autocheckpoint'
      readonly value: number | undefined
    }
  | {
      /**
       * More connection settings kept and reported (pragma-settings.ts), each answering with its
       * value, set or read, as SQLite does: `journal_size_limit` (-1 for none), `analysis_limit`,
       * `threads` (up to 8), `soft_heap_limit`, `hard_heap_limit`, `secure_delete` (0, 1, or 2
       * for `fast`).
       */
      readonly name:
        'journal_size_limit' | 'analysis_limit' | 'threads' | 'soft_heap_limit' | 'hard_heap_limit' | 'secure_delete'
      readonly value: number | undefined
    }
  | {
      /**
       * SQLite's flag pragmas kept and reported (a set answers nothing, a read its 0 or 1):
       * `query_only` (writes then fail as on a read-only database), and `automatic_index`,
       * `trusted_schema`, `cell_size_check`, `fullfsync`, `checkpoint_fullfsync`, which change
       * nothing here; `ignore_check_constraints`, `legacy_alter_table` and
       * `reverse_unordered_selects`, whose `on` is not done.
       */
      readonly name: FlagPragma
      readonly value: boolean | undefined
    }
  | {
      /**
       * Answers about the connection: `data_version` (1: no other connection commits to a file
       * this one has open for writing), `database_list` (main, and temp once it holds something),
       * `collation_list`; and `shrink_memory`, `incremental_vacuum` (auto_vacuum is 0), which do
       * nothing and answer nothing, as SQLite.
       */
      readonly name: 'data_version' | 'database_list' | 'collation_list' | 'shrink_memory' | 'incremental_vacuum'
    }
  | {
      /** `locking_mode`: normal or exclusive (kept and reported); another value reads it. */
      readonly name: 'locking_mode'
      /** The value written, unquoted and in lower case; undefined for a read. */
      readonly value: string | undefined
    }
  | {
      /**
       * `auto_vacuum`, `encoding`, `page_size`, `page_count`, `freelist_count`: the file's, which a
       * value set leaves as it is (as SQLite on a database that has tables, in WAL mode).
       */
      readonly name: 'auto_vacuum' | 'encoding' | 'page_size' | 'page_count' | 'freelist_count'
      readonly value: string | undefined
    }
  | {
      /** `wal_checkpoint[(mode)]`: the engine's checkpoint, whatever the mode (an unknown one is PASSIVE, as SQLite). */
      readonly name: 'wal_checkpoint'
      readonly mode: 'passive' | 'full' | 'restart' | 'truncate'
    }
  | {
      /** `integrity_check` and `quick_check`, `[(N)]` (at most N rows, default 100) or `[(t)]`. */
      readonly name: 'integrity_check' | 'quick_check'
      readonly limit: number
      readonly table: string | undefined
    }

const LISTING =
  /^pragma\s+(?:main\s*\.\s*)?(foreign_key_list|foreign_key_check|table_info|table_xinfo|index_list|index_info|index_xinfo)\s*(?:\(\s*(?:"((?:[^"]|"")+)"|'((?:[^']|'')+)'|([A-Za-z_][\w$]*))\s*\))?$/i

const PRAGMA =
  /^pragma\s+(?:main\s*\.\s*)?(foreign_keys|defer_foreign_keys|case_sensitive_like|recursive_triggers)\s*(?:(?:=\s*|\(\s*)([^\s()]+)\s*\)?)?$/i

const ANALYZE = /^analyze(?:\s+(?:main\s*\.\s*)?(?:"((?:[^"]|"")+)"|'((?:[^']|'')+)'|([A-Za-z_][\w$]*)))?$/i

const SETTING =
  /^pragma\s+(?:main\s*\.\s*)?(user_version|application_id|schema_version|synchronous|busy_timeout|journal_mode)\s*(?:=\s*([^\s()]+)|\(\s*([^\s()]+)\s*\))?$/i

/**
 * The pragmas after part 2's (pragma-settings.ts, session.ts): `[schema.]name`, then `= value` or
 * `(value)`, the value a word, a number or a quoted string.
 */
const NAMED =
  /^pragma\s+(?:(main|temp)\s*\.\s*)?(cache_size|temp_store|mmap_size|wal_autocheckpoint|locking_mode|auto_vacuum|encoding|page_size|page_count|freelist_count|wal_checkpoint|integrity_check|quick_check|table_list|journal_size_limit|analysis_limit|threads|soft_heap_limit|hard_heap_limit|secure_delete|query_only|automatic_index|trusted_schema|cell_size_check|fullfsync|checkpoint_fullfsync|ignore_check_constraints|legacy_alter_table|reverse_unordered_selects|data_version|database_list|collation_list|shrink_memory|incremental_vacuum)\s*(?:=\s*('(?:[^']|'')*'|"(?:[^"]|"")*"|[^\s()'"]+)|\(\s*('(?:[^']|'')*'|"(?:[^"]|"")*"|[^\s()'"]+)\s*\))?$/i

const CHECKPOINT_MODES = new Set(['passive', 'full', 'restart', 'truncate'])

/** SQLite's flag pragmas kept here (pragma-settings.ts). */
export type FlagPragma =
  | 'query_only'
  | 'automatic_index'
  | 'trusted_schema'
  | 'cell_size_check'
  | 'fullfsync'
  | 'checkpoint_fullfsync'
  | 'ignore_check_constraints'
  | 'legacy_alter_table'
  | 'reverse_unordered_selects'

const FLAGS = new Set<string>([
  'query_only',
  'automatic_index',
  'trusted_schema',
  'cell_size_check',
  'fullfsync',
  'checkpoint_fullfsync',
  'ignore_check_constraints',
  'legacy_alter_table',
  'reverse_unordered_selects',
])

/** A value as SQLite's pragma code reads it: without its quotes (doubled ones made single). */
function unquoted(text: string): string {
  const q = text[0]
  if ((q === "'" || q === '"') && text.length >= 2 && text.endsWith(q)) return text.slice(1, -1).replaceAll(q + q, q)
  return text
}

/** `temp_store`'s value (getTempStore): a leading 0, 1 or 2, `file` (1), `memory` (2), else 0 (default). */
function tempStoreOf(text: string): number {
  if (/^[0-2]/.test(text)) return Number(text[0])
  const lower = text.toLowerCase()
  return lower === 'file' ? 1 : lower === 'memory' ? 2 : 0
}

/** `mmap_size`'s value (sqlite3DecOrHexToI64): hexadecimal after `0x`, else its leading digits, 0 for none. */
function int64Of(text: string): number {
  if (/^0x[0-9a-f]+$/i.test(text)) return Number.parseInt(text.slice(2), 16)
  const m = /^[+-]?\d+/.exec(text)
  return m === null ? 0 : Number(m[0])
}

/** The pragmas NAMED matches, by name. */
function namedPragma(schema: string | undefined, name: string, written: string | undefined): Pragma | undefined {
  const value = written === undefined ? undefined : unquoted(written)
  if (name === 'table_list') return { name, table: value, schema: schema?.toLowerCase() as 'main' | 'temp' | undefined }
  // The other pragmas answer for the main database only; `temp.` ones stay unsupported.
  if (schema !== undefined && schema.toLowerCase() !== 'main') return undefined
  if (FLAGS.has(name))
    return { name: name as FlagPragma, value: value === undefined ? undefined : (VALUES[value.toLowerCase()] ?? false) }
  switch (name) {
    case 'journal_size_limit':
    case 'soft_heap_limit':
    case 'hard_heap_limit':
      return { name, value: value === undefined ? undefined : int64Of(value) }
    case 'analysis_limit':
    case 'threads':
      return { name, value: value === undefined ? undefined : integerOf(value) }
    case 'secure_delete':
      // SQLite's: `fast` is 2, else a boolean (an integer read as one).
      return {
        name,
        value:
          value === undefined
            ? undefined
            : value.toLowerCase() === 'fast'
              ? 2
              : /^[+-]?\d+$/.test(value)
                ? Number(value) === 0
                  ? 0
                  : 1
                : VALUES[value.toLowerCase()] === true
                  ? 1
                  : 0,
      }
    case 'data_version':
    case 'database_list':
    case 'collation_list':
    case 'shrink_memory':
    case 'incremental_vacuum':
      return { name }
    case 'cache_size':
    case 'wal_autocheckpoint':
      return { name, value: value === undefined ? undefined : integerOf(value) }
    case 'temp_store':
      return { name, value: value === undefined ? undefined : tempStoreOf(value) }
    case 'mmap_size':
      return { name, value: value === undefined ? undefined : int64Of(value) }
    case 'wal_checkpoint': {
      const mode = value?.toLowerCase() ?? 'passive'
      return { name, mode: CHECKPOINT_MODES.has(mode) ? (mode as 'passive') : 'passive' }
    }
    case 'integrity_check':
    case 'quick_check': {
      // sqlite3GetInt32 on the token as written: a bare integer is the row limit (100 when not
      // positive); anything else, a quoted '5' too, names a table.
      const n = written !== undefined && /^[+-]?\d+$/.test(written) ? Number(written) : NaN
      if (!(Math.abs(n) <= 0x7fffffff)) return { name, limit: 100, table: value }
      return { name, limit: n > 0 ? n : 100, table: undefined }
    }
    default:
      return {
        name: name as 'locking_mode' | Extract<Pragma, { name: 'encoding' }>['name'],
        value: value?.toLowerCase(),
      }
  }
}

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
 * The pragma a raw node is, if it is one of those the connection runs; any other pragma stays
 * BTREE_SQL_UNSUPPORTED. They are:
 * - foreign keys: foreign_keys, defer_foreign_keys, foreign_key_list, foreign_key_check;
 * - the schema: table_info, table_xinfo, table_list, index_list, index_info, index_xinfo;
 * - values kept in the file: user_version, application_id;
 * - the connection's settings: synchronous (the commits' durability), busy_timeout, cache_size,
 *   temp_store, mmap_size, wal_autocheckpoint, locking_mode (kept and reported);
 * - the file's own, which a value set leaves as they are: journal_mode (wal), auto_vacuum (0),
 *   encoding (UTF-8), page_size, page_count, freelist_count;
 * - maintenance: wal_checkpoint, integrity_check, quick_check, optimize, and ANALYZE.
 * Values take SQLite's spellings: `= value` or `(value)`, quoted or not, after `main.` or none. A
 * boolean SQLite would read as neither true nor false reads as false, as sqlite3GetBoolean does.
 */
export function matchPragma(node: OperationNode): Pragma | undefined {
  const text = rawText(node)
  if (text === undefined) return undefined
  const trimmed = text.trim().replace(/;$/, '').trim()
  const listing = LISTING.exec(trimmed)
  if (listing !== null) {
    const name = listing[1]!.toLowerCase() as Extract<Pragma, { name: 'table_info' }>['name']
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
  const named = NAMED.exec(trimmed)
  if (named !== null) return namedPragma(named[1], named[2]!.toLowerCase(), named[3] ?? named[4])
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
  const name = m[1]!.toLowerCase() as
    'foreign_keys' | 'defer_foreign_keys' | 'case_sensitive_like' | 'recursive_triggers'
  if (m[2] === undefined) return { name, value: undefined }
  const raw = m[2].replace(/^(['"])(.*)\1$/, '$2').toLowerCase()
  return { name, value: VALUES[raw] ?? false }
}
