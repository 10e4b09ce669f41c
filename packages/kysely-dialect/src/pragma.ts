import type { OperationNode } from 'kysely'
import { rawText } from './expression/nodes.js'

/** A pragma the connection runs (sent as raw SQL, `` sql`pragma foreign_keys = on`.execute(db) ``). */
export interface Pragma {
  readonly name: 'foreign_keys' | 'defer_foreign_keys'
  /** The value set; undefined for a read (`pragma foreign_keys`). */
  readonly value: boolean | undefined
}

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
 * The pragma a raw node is, if it is one of those the connection runs (foreign_keys and
 * defer_foreign_keys); any other pragma stays BTREE_SQL_UNSUPPORTED. A value SQLite would read as
 * neither true nor false reads as false, as sqlite3GetBoolean does.
 */
export function matchPragma(node: OperationNode): Pragma | undefined {
  const text = rawText(node)
  if (text === undefined) return undefined
  const m = PRAGMA.exec(text.trim().replace(/;$/, '').trim())
  if (m === null) return undefined
  const name = m[1]!.toLowerCase() as Pragma['name']
  if (m[2] === undefined) return { name, value: undefined }
  const raw = m[2].replace(/^(['"])(.*)\1$/, '$2').toLowerCase()
  return { name, value: VALUES[raw] ?? false }
}
