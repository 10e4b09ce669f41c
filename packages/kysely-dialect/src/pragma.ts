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
      /** foreign_key_list(t): t's keys; foreign_key_check [(t)]: the rows that violate them. */
      readonly name: 'foreign_key_list' | 'foreign_key_check'
      /** The table named; undefined: every table (foreign_key_check without one). */
      readonly table: string | undefined
    }

const LISTING =
  /^pragma\s+(?:main\s*\.\s*)?(foreign_key_list|foreign_key_check)\s*(?:\(\s*(?:"((?:[^"]|"")+)"|'((?:[^']|'')+)'|([A-Za-z_][\w$]*))\s*\))?$/i

const PRAGMA = /^pragma\s+(?:main\s*\.\s*)?(foreign_keys|defer_foreign_keys)\s*(?:(?:=\s*|\(\s*)([^\s()]+)\s*\)?)?$/i

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
 * defer_foreign_keys, foreign_key_list, foreign_key_check); any other pragma stays
 * BTREE_SQL_UNSUPPORTED. A value SQLite would read as
 * neither true nor false reads as false, as sqlite3GetBoolean does.
 */
export function matchPragma(node: OperationNode): Pragma | undefined {
  const text = rawText(node)
  if (text === undefined) return undefined
  const trimmed = text.trim().replace(/;$/, '').trim()
  const listing = LISTING.exec(trimmed)
  if (listing !== null) {
    const name = listing[1]!.toLowerCase() as 'foreign_key_list' | 'foreign_key_check'
    const table = listing[2]?.replace(/""/g, '"') ?? listing[3]?.replace(/''/g, "'") ?? listing[4]
    // foreign_key_list needs its table; without one SQLite returns nothing.
    return { name, table }
  }
  const m = PRAGMA.exec(trimmed)
  if (m === null) return undefined
  const name = m[1]!.toLowerCase() as 'foreign_keys' | 'defer_foreign_keys'
  if (m[2] === undefined) return { name, value: undefined }
  const raw = m[2].replace(/^(['"])(.*)\1$/, '$2').toLowerCase()
  return { name, value: VALUES[raw] ?? false }
}
