import { sql, type Expression, type Kysely, type OperationNode, type OperationNodeSource } from 'kysely'
import type { ColumnDef, ColumnDefault, TableDef } from '../catalog/catalog.js'
import { nodeOf } from '../catalog/stored-node.js'
import { loadValue } from '../catalog/stored-value.js'
import { BTreeSqlError } from '../errors.js'
import { indexKeyCollations } from '../planner/expression-keys.js'
import { forTargetCompiler } from './target-nodes.js'
import { isInteger, numberOf, Real, toText, type SqlValue } from '../encoding/values.js'

/**
 * The two families of targets `copyDatabase` knows. `sqlite`: SQLite itself (any Kysely SQLite
 * dialect) or another btree-store file; declared types are kept as written, so affinities, the
 * `integer primary key` rowid and `autoincrement` carry over unchanged. `postgres`: PostgreSQL or
 * PGlite, whose column types are strict; each column gets the type its stored values fit.
 */
export type CopyTarget = 'sqlite' | 'postgres'

/** A Kysely value or expression the insert and schema builders accept. */
type Cell = unknown

/** How one column is created on the target and how its values travel. */
export interface ColumnPlan {
  readonly column: ColumnDef
  /** The type as the schema builder takes it (`'bigint'`, or the declared type as raw SQL). */
  readonly dataType: string | Expression<unknown>
  readonly convert: (v: SqlValue) => Cell
  /** The default as the schema builder takes it, when the column has one. */
  readonly defaultTo?: unknown
  /** PostgreSQL's identity column, for the source's `integer primary key` (its rowid). */
  readonly identity: boolean
}

/**
 * The target's family, read from the SQL its compiler writes: PostgreSQL numbers parameters
 * (`$1`), MySQL quotes with backticks, SQLite writes `?` and double quotes.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function detectTarget(to: Kysely<any>): CopyTarget {
  const probe = to.selectFrom('t').select('c').where('c', '=', 1).compile().sql
  if (probe.includes('$1')) return 'postgres'
  if (probe.includes('`'))
    throw new BTreeSqlError(
      'BTREE_SQL_UNSUPPORTED',
      'copyDatabase: MySQL targets are not supported (PostgreSQL, PGlite and SQLite are); pass `target` to override the detection',
    )
  return 'sqlite'
}

/** Which storage classes a column holds, from one pass over its values. */
export class ColumnProfile {
  integers = 0
  reals = 0
  texts = 0
  blobs = 0
  /** Integers other than 0 and 1 (a boolean column holds none). */
  nonBooleans = 0
  /** Integers past 2^53, which a double would round. */
  wideIntegers = 0

  add(v: SqlValue): void {
    if (v === null) return
    if (typeof v === 'string') this.texts++
    else if (v instanceof Uint8Array) this.blobs++
    else if (isInteger(v)) {
      this.integers++
      if (v !== 0 && v !== 1) this.nonBooleans++
      if (typeof v === 'bigint') this.wideIntegers++
    } else this.reals++
  }
}

function blobBuffer(v: Uint8Array): Buffer {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength)
}

/** A value as the target takes it: blobs as Buffers (better-sqlite3 wants them), reals unboxed. */
function plainValue(v: SqlValue): Cell {
  if (v instanceof Uint8Array) return blobBuffer(v)
  if (v instanceof Real) return v.value
  return v
}

function hexOf(v: Uint8Array): string {
  return blobBuffer(v).toString('hex')
}

// SQLite --------------------------------------------------------------------------------------

/** SQLite keeps declared types, so the only thing to carry is a whole-valued real in a column without REAL affinity. */
export function sqliteColumn(column: ColumnDef): ColumnPlan {
  const convert = (v: SqlValue): Cell =>
    v instanceof Real && column.affinity !== 'real' ? sql`cast(${v.value} as real)` : plainValue(v)
  const plan: ColumnPlan = { column, dataType: sql.raw(column.type), convert, identity: false }
  return column.default === undefined ? plan : { ...plan, defaultTo: sqliteDefault(column.default) }
}

/**
 * A `default (expr)` as the target's own compiler writes its node tree, in parentheses (SQLite
 * requires them; PostgreSQL refuses a function it lacks, `datetime('now')`, and the copy then fails
 * naming the table, with its error as the cause).
 */
function expressionDefault(expression: unknown): OperationNodeSource {
  const node = { kind: 'ParensNode', node: forTargetCompiler(nodeOf(expression)) }
  return { toOperationNode: () => node as unknown as OperationNode }
}

function sqliteDefault(d: ColumnDefault): unknown {
  if (d.kind === 'current') return sql.raw(`CURRENT_${d.what.toUpperCase()}`)
  if (d.kind === 'expression') return expressionDefault(d.expression)
  const v = loadValue(d.value)
  if (v instanceof Uint8Array) return sql.raw(`X'${hexOf(v)}'`)
  // A real literal must read as one: 2.0, not 2 (1e+21 already does).
  if (v instanceof Real) return sql.raw(Math.abs(v.value) < 1e21 ? `${v.value}.0` : String(v.value))
  return v
}

// PostgreSQL ----------------------------------------------------------------------------------

const declares = (column: ColumnDef, pattern: RegExp): boolean => pattern.test(column.type)
const BOOLEAN = /bool/i
const DECIMAL = /dec|num/i

/**
 * The PostgreSQL type a column's values fit without loss, and how each value is written:
 * only integers: `bigint` (`boolean` when declared so and every value is 0 or 1, `numeric` when
 * declared numeric or decimal); reals, with or without integers: `double precision` (`numeric`
 * when declared so, or when an integer past 2^53 would be rounded); only texts: `text`; only blobs:
 * `bytea`; texts mixed with numbers: `text`, numbers written as SQLite's `cast(x as text)` gives
 * them; blobs mixed with anything else: BTREE_SQL_COPY_FAILED. Text columns are `collate "C"`, which
 * orders and compares by bytes as SQLite's BINARY collation does. A column of nulls only gets the type
 * its affinity suggests. A default of `CURRENT_TIMESTAMP` (`_DATE`, `_TIME`) makes the column
 * `text` with a default that formats the time as SQLite does.
 */
/**
 * A column's declared collation refused for PostgreSQL: NOCASE folds A-Z only and RTRIM trailing
 * spaces, no PostgreSQL collation compares so, and a unique key under one would hold other rows
 * than here.
 */
export function refuseCollation(table: TableDef): (column: ColumnDef) => void {
  return (column) => {
    if (column.collation !== undefined)
      throw new BTreeSqlError(
        'BTREE_SQL_COPY_FAILED',
        `copyDatabase: ${table.name}.${column.name} declares COLLATE ${column.collation.toUpperCase()}, which no PostgreSQL collation compares as`,
      )
  }
}

/**
 * An index keyed under NOCASE or RTRIM refused for PostgreSQL, as a column declaring one is: a
 * COLLATE in a unique constraint (`unique (email collate nocase)`) or in an index's part.
 */
export function refuseIndexCollations(table: TableDef): void {
  for (const index of table.indexes) {
    const collation = indexKeyCollations(table, index).find((c) => c !== undefined)
    if (collation !== undefined)
      throw new BTreeSqlError(
        'BTREE_SQL_COPY_FAILED',
        `copyDatabase: the index ${index.name} of ${table.name} is keyed under COLLATE ${collation.toUpperCase()}, which no PostgreSQL collation compares as`,
      )
  }
}

export function postgresColumn(table: TableDef, column: ColumnDef, profile: ColumnProfile): ColumnPlan {
  refuseCollation(table)(column)
  const identity = table.rowidColumn === column.name
  let kind = postgresKind(column, profile)
  if (column.default?.kind === 'current') kind = 'text'
  if (kind === 'bytea' && profile.blobs > 0 && profile.integers + profile.reals + profile.texts > 0)
    throw new BTreeSqlError(
      'BTREE_SQL_COPY_FAILED',
      `copyDatabase: ${table.name}.${column.name} holds blobs mixed with other values, which no PostgreSQL column type holds`,
    )
  const convert = POSTGRES_CONVERT[kind]
  // SQLite compares text by its bytes (BINARY); PostgreSQL's "C" collation does the same, whatever the database's default.
  const dataType = kind === 'text' ? sql.raw('text collate "C"') : kind
  const plan: ColumnPlan = { column, dataType, convert, identity: identity && kind === 'bigint' }
  if (column.default === undefined) return plan
  return { ...plan, defaultTo: postgresDefault(column.default, kind) }
}

type PostgresKind = 'bigint' | 'boolean' | 'numeric' | 'double precision' | 'text' | 'bytea'

function postgresKind(column: ColumnDef, p: ColumnProfile): PostgresKind {
  if (p.blobs > 0) return 'bytea'
  if (p.texts > 0) return 'text'
  if (p.reals > 0) return declares(column, DECIMAL) || p.wideIntegers > 0 ? 'numeric' : 'double precision'
  if (p.integers > 0) {
    if (declares(column, BOOLEAN) && p.nonBooleans === 0) return 'boolean'
    return column.affinity === 'numeric' && declares(column, DECIMAL) ? 'numeric' : 'bigint'
  }
  switch (column.affinity) {
    case 'integer':
      return 'bigint'
    case 'real':
      return 'double precision'
    case 'text':
      return 'text'
    case 'blob':
      return column.type.trim() === '' ? 'text' : 'bytea'
    case 'numeric':
      if (declares(column, BOOLEAN)) return 'boolean'
      return declares(column, DECIMAL) ? 'numeric' : 'text'
  }
}

const POSTGRES_CONVERT: Record<PostgresKind, (v: SqlValue) => Cell> = {
  bigint: plainValue,
  boolean: (v) => (v === null ? null : numberOf(v as number) !== 0),
  // A bigint goes as its digits: PostgreSQL reads numeric parameters from text exactly.
  numeric: (v) => (typeof v === 'bigint' ? String(v) : plainValue(v)),
  'double precision': (v) => (typeof v === 'bigint' ? Number(v) : plainValue(v)),
  text: (v) => (v === null || typeof v === 'string' ? v : toText(v)),
  bytea: plainValue,
}

const POSTGRES_NOW: Record<'timestamp' | 'date' | 'time', string> = {
  timestamp: 'YYYY-MM-DD HH24:MI:SS',
  date: 'YYYY-MM-DD',
  time: 'HH24:MI:SS',
}

function postgresDefault(d: ColumnDefault, kind: PostgresKind): unknown {
  if (d.kind === 'current') return sql.raw(`to_char(now() at time zone 'UTC', '${POSTGRES_NOW[d.what]}')`)
  if (d.kind === 'expression') return expressionDefault(d.expression)
  const v = POSTGRES_CONVERT[kind](loadValue(d.value))
  if (v instanceof Uint8Array) return sql.raw(`'\\x${hexOf(v)}'::bytea`)
  return v
}
