/**
 * What a statement did, in a form two databases can be compared by: every value becomes a tagged
 * string (so 1 and '1', a Buffer and a Uint8Array, 1n and 1 stay apart), every row a string that
 * keeps its column order, and errors a kind rather than a message.
 */

/** The error kinds the comparison tells apart; anything else both sides must merely raise. */
export type ErrorKind = 'unique' | 'not-null' | 'no-such-table' | 'foreign-key' | 'other'

const errorKindsByCode: Readonly<Record<string, ErrorKind>> = {
  BTREE_SQL_UNIQUE_VIOLATION: 'unique',
  BTREE_SQL_NOT_NULL_VIOLATION: 'not-null',
  BTREE_SQL_NO_SUCH_TABLE: 'no-such-table',
  BTREE_SQL_FOREIGN_KEY_VIOLATION: 'foreign-key',
  SQLITE_CONSTRAINT_FOREIGNKEY: 'foreign-key',
  SQLITE_CONSTRAINT_UNIQUE: 'unique',
  SQLITE_CONSTRAINT_PRIMARYKEY: 'unique',
  SQLITE_CONSTRAINT_NOTNULL: 'not-null',
}

/** Classifies an error from either side: by `code` first, then by SQLite's message. */
export function errorKind(error: unknown): ErrorKind {
  const code = (error as { code?: unknown } | null)?.code
  if (typeof code === 'string' && code in errorKindsByCode) return errorKindsByCode[code] as ErrorKind
  const message = error instanceof Error ? error.message : String(error)
  if (message.startsWith('UNIQUE constraint failed')) return 'unique'
  if (message.startsWith('NOT NULL constraint failed')) return 'not-null'
  if (message.startsWith('FOREIGN KEY constraint failed')) return 'foreign-key'
  if (message.startsWith('no such table') || message.startsWith('no such view')) return 'no-such-table'
  return 'other'
}

/** Runs `fn`, turning a failure into its kind, so that a case can go on and look at the tables. */
export async function attempt(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn()
    return 'ok'
  } catch (error) {
    return `error: ${errorKind(error)}`
  }
}

export function describeError(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code
  const message = error instanceof Error ? error.message : String(error)
  return typeof code === 'string' ? `${code}: ${message}` : message
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')
}

/** A value as a tagged string: numbers bare, strings quoted, bigints with `n`, blobs by class. */
export function canonValue(value: unknown): string {
  if (value === null) return 'null'
  if (value === undefined) return 'undefined'
  switch (typeof value) {
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value)
    case 'string':
      return JSON.stringify(value)
    case 'bigint':
      return `${value}n`
    case 'boolean':
      return `boolean ${value}`
    default:
      break
  }
  if (Buffer.isBuffer(value)) return `Buffer<${hex(value)}>`
  if (value instanceof Uint8Array) return `${value.constructor.name}<${hex(value)}>`
  if (Array.isArray(value)) return `[${value.map(canonValue).join(', ')}]`
  if (typeof value === 'object') return canonObject(value as Record<string, unknown>)
  return `${typeof value} ${String(value)}`
}

/** An object with its keys in their order; class instances (InsertResult, ...) carry their name. */
export function canonObject(value: Record<string, unknown>): string {
  const name = Object.getPrototypeOf(value)?.constructor?.name
  const prefix = name === undefined || name === 'Object' ? '' : name
  const fields = Object.keys(value).map((key) => `${key}: ${canonValue(value[key])}`)
  return `${prefix}{${fields.join(', ')}}`
}

/** A statement's result: rows (or InsertResult-like objects) as strings, sorted when unordered. */
export function canonResult(result: unknown, ordered: boolean): string[] | string {
  if (!Array.isArray(result)) return canonValue(result)
  const rows = result.map(canonValue)
  return ordered ? rows : [...rows].sort()
}
