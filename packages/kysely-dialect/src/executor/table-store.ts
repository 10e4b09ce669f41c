import type { ReadBucket, ReadTransaction, WriteBucket, WriteTransaction } from 'btree-store'
import { applyAffinity } from '../catalog/affinity.js'
import {
  indexBucket,
  readSequence,
  sequenceEntry,
  rowidBucket,
  tableBucket,
  writeSequence,
  type ColumnDef,
  type IndexDef,
  type TableDef,
} from '../catalog/catalog.js'
import { loadValue } from '../catalog/stored-value.js'
import { BTreeSqlError } from '../errors.js'
import { decodeKeyInteger, decodeKeyNumber, equalBytes, KeyWriter, rowidKey, startsWith } from '../encoding/keys.js'
import { encodeRow, encodeRowTransient, RowView } from '../encoding/rows.js'
import { integer, isInteger, numberOf, truth, type SqlValue } from '../encoding/values.js'
import { nodeOf } from '../catalog/stored-node.js'
import { indexColumns } from '../catalog/index-columns.js'
import { collatedKey, compileExpr, type Expr } from '../expression/expression.js'
import { collationName, foldOf, folded, type Fold } from '../expression/collation.js'
import type { AnyNode } from '../expression/nodes.js'
import { byPrecedence } from '../expression/precedence.js'
import { ArrayRow, EMPTY_SCOPE, Scope, type RowLike } from '../expression/scope.js'
import { checkConstraints } from './check-constraints.js'
import { currentTime } from '../expression/operators.js'
import { setIndexing } from '../expression/statement-clock.js'
import { computeGenerated, hasGenerated } from './generated-columns.js'
import { checkStrict } from './table-options.js'

const EMPTY = new Uint8Array(0)

/** A stored row: its key in the table's bucket and its lazily decoded values. */
export interface StoredRow {
  key: Uint8Array
  row: RowView
}

const defaultsCache = new WeakMap<TableDef, SqlValue[]>()

/**
 * Values a row too short to hold a slot reads for it: the default of the column added later, or
 * null. Only constant defaults can be added by ALTER TABLE, as in SQLite.
 */
export function slotDefaults(table: TableDef): SqlValue[] {
  let d = defaultsCache.get(table)
  if (d === undefined) {
    d = new Array<SqlValue>(table.nextSlot).fill(null)
    for (const c of table.columns)
      if (c.default?.kind === 'value') d[c.slot] = applyAffinity(loadValue(c.default.value), c.affinity)
    defaultsCache.set(table, d)
  }
  return d
}

export function readBucket(tx: ReadTransaction, table: TableDef): ReadBucket | undefined {
  // A write statement reads the bucket it then writes: one lookup for both.
  return tx.writable ? txBucket(tx as WriteTransaction, tableBucket(table)) : tx.bucket(tableBucket(table))
}

/**
 * Bucket handles of a write transaction by bucket name: a statement's writes look each bucket up
 * once instead of encoding its name at every put. A rollback to a savepoint can undo a bucket's
 * creation, so whoever rolls back calls `forgetBuckets`.
 */
let handlesOf: WriteTransaction | undefined
let handles = new Map<string, WriteBucket>()

/**
 * The handles of `tx`. Only the last write transaction's are kept: a write transaction runs alone
 * in its database, and meeting another one (another file's) only costs the lookups again. (A
 * WeakMap by transaction cost ~6% of an autocommit delete in its ephemeron upkeep.)
 */
function handlesFor(tx: WriteTransaction): Map<string, WriteBucket> {
  if (handlesOf !== tx) {
    handlesOf = tx
    handles = new Map()
    maxRowids = new Map()
  }
  return handles
}

function txBucket(tx: WriteTransaction, name: string): WriteBucket | undefined {
  const byName = handlesFor(tx)
  let bucket = byName.get(name)
  if (bucket === undefined) {
    bucket = tx.bucket(name)
    if (bucket !== undefined) byName.set(name, bucket)
  }
  return bucket
}

function writeBucket(tx: WriteTransaction, name: string): WriteBucket {
  return txBucket(tx, name) ?? cacheCreated(tx, name)
}

function cacheCreated(tx: WriteTransaction, name: string): WriteBucket {
  const bucket = tx.createBucketIfNotExists(name)
  handlesFor(tx).set(name, bucket)
  return bucket
}

/** Drops the transaction's cached handles: after a rollback to a savepoint, or a schema change. */
export function forgetBuckets(tx: ReadTransaction): void {
  if (handlesOf === tx) {
    handlesOf = undefined
    handles = new Map()
    maxRowids = new Map()
  }
}

/**
 * Runs `write` in a savepoint of its own: when it throws, what it wrote is undone (and the bucket
 * handles, which the rollback may have made stale, forgotten) before the error goes on. A row
 * written whole or not at all: a conflict action's row (insert.ts, update.ts), a row an OR
 * IGNORE may skip or an OR REPLACE try again (insert-conflict.ts).
 */
export function inSavepoint<T>(tx: WriteTransaction, write: () => T): T {
  const sp = tx.savepoint()
  try {
    const result = write()
    tx.release(sp)
    return result
  } catch (error) {
    tx.rollbackTo(sp)
    tx.release(sp)
    forgetBuckets(tx)
    throw error
  }
}

/** Keys handed straight to the engine, which copies (put, delete) or only reads (has, seek) them. */
const scratchKey = new KeyWriter()
/**
 * The key of the row being written, kept apart from scratchKey because its index entries are
 * built while it is still needed; the engine copies it too.
 */
const rowKeyWriter = new KeyWriter()

/** `key`: the row's key, which a rowid table's rowid is read from (RowView.rowid). */
export function rowView(table: TableDef, bytes: Uint8Array, key?: Uint8Array): RowView {
  return new RowView(bytes, slotDefaults(table), key)
}

/** `default (expr)` defaults compiled once per column definition (definitions are replaced, not edited). */
const defaultExprs = new WeakMap<ColumnDef, Expr>()

/** The value a column gets when an insert leaves it out: an expression default evaluated now. */
export function defaultValue(column: ColumnDef): SqlValue {
  const d = column.default
  if (d === undefined) return null
  if (d.kind === 'current') return currentTime(d.what)
  if (d.kind === 'expression') {
    let e = defaultExprs.get(column)
    if (e === undefined)
      defaultExprs.set(column, (e = compileExpr(byPrecedence(nodeOf(d.expression) as AnyNode), EMPTY_SCOPE)))
    return e.eval([])
  }
  return loadValue(d.value)
}

function columnOf(table: TableDef, name: string): ColumnDef {
  return table.columns.find((c) => c.name === name)!
}

const rowidColumns = new WeakMap<TableDef, ColumnDef | null>()

/** The `integer primary key` column that holds a rowid-keyed table's rowid, if it has one. */
function rowidColumnOf(table: TableDef): ColumnDef | undefined {
  let c = rowidColumns.get(table)
  if (c === undefined)
    rowidColumns.set(table, (c = table.rowidColumn === undefined ? null : columnOf(table, table.rowidColumn)))
  return c ?? undefined
}

/**
 * A list of columns as a key writes them (a primary key's, an index's): their slots, and the folds
 * of their declared collations (collation.ts; undefined when every one is BINARY), so that a key
 * component of a NOCASE column is its value's fold and the key equals and orders as the collation
 * does. Once per list and table definition: every row written looks it up.
 */
interface KeyColumns {
  readonly slots: number[]
  readonly folds: readonly (Fold | undefined)[] | undefined
}

const keyColumnLists = new WeakMap<TableDef, Map<readonly string[], KeyColumns>>()

function keyColumnsOf(table: TableDef, columns: readonly string[]): KeyColumns {
  let byList = keyColumnLists.get(table)
  if (byList === undefined) keyColumnLists.set(table, (byList = new Map()))
  let key = byList.get(columns)
  if (key === undefined) {
    // Pushed, not `columns.map`: map's array is holey from the builtin but packed where an
    // optimized caller inlined it, so the lists of a later database (made after this was
    // optimized) had another map than the first ones, and writeColumns deoptimized there.
    const slots: number[] = []
    const folds: (Fold | undefined)[] = []
    for (const name of columns) {
      const column = columnOf(table, name)
      slots.push(column.slot)
      folds.push(foldOf(column.collation))
    }
    key = { slots, folds: folds.some((f) => f !== undefined) ? folds : undefined }
    byList.set(columns, key)
  }
  return key
}

/** A row's values by slot: an array, or a stored row decoded column by column as read. */
type RowValues = readonly SqlValue[] | RowView

/** Writes the values of `columns` as key components (folded by their collations); whether one of them is null. */
function writeColumns(w: KeyWriter, table: TableDef, columns: readonly string[], values: RowValues): boolean {
  let sawNull = false
  const { slots, folds } = keyColumnsOf(table, columns)
  for (let i = 0; i < slots.length; i++) {
    const slot = slots[i]!
    const v = values instanceof RowView ? values.get(slot) : (values[slot] ?? null)
    if (v === null) sawNull = true
    w.value(folds === undefined ? v : folded(v, folds[i]))
  }
  return sawNull
}

/**
 * The key components of `columns` for a row's values (a copy), as the table's key and its indexes
 * hold them: each folded by its column's declared collation.
 */
export function columnsKey(table: TableDef, columns: readonly string[], values: RowValues): Uint8Array {
  const w = new KeyWriter()
  writeColumns(w, table, columns, values)
  return w.finish()
}

/**
 * The bucket key of a row of a `key`-keyed table; a null in the key makes it unique by the rowid.
 * A view of rowKeyWriter's buffer: valid until the next row key.
 */
function primaryKeyOf(table: TableDef, values: readonly SqlValue[], hiddenRowid: number): Uint8Array {
  const w = rowKeyWriter.reset()
  if (writeColumns(w, table, table.primaryKey, values)) w.number(hiddenRowid)
  return w.view()
}

/** SQLite's next rowid: the largest in the bucket (and, for autoIncrement, ever handed out) + 1, exact past 2^53. */
function nextRowid(tx: WriteTransaction, table: TableDef, bucketName: string): number | bigint {
  const bucket = txBucket(tx, bucketName)
  let max: number | bigint = 0
  if (bucket !== undefined) {
    const known = maxRowids.get(bucketName)
    if (known !== undefined) max = known
    else {
      if (bucket.size > 0) {
        const c = bucket.cursor()
        if (c.last()) max = decodeKeyInteger(c.key!)
      }
      maxRowids.set(bucketName, max)
    }
  }
  if (table.autoIncrement) {
    const seq = readSequence(tx, table)
    if (seq > max) max = seq
  }
  return typeof max === 'bigint' || max >= Number.MAX_SAFE_INTEGER ? integer(BigInt(max) + 1n) : max + 1
}

/**
 * The largest rowid in a bucket keyed by rowids (a rowid table's, or a keyed table's hidden
 * rowids), by bucket name, once nextRowid has read it from the tree: an insert of a larger one
 * raises it (rowidInserted), a delete or a moved key forgets it (rowidsChanged), and it is dropped
 * with the transaction's bucket handles (a rollback to a savepoint, another transaction:
 * forgetBuckets, handlesFor). Each row a statement inserts with a new rowid (an auto-numbered log
 * a trigger fills, a multi-row insert without ids) then costs no cursor to the tree's last key.
 */
let maxRowids = new Map<string, number | bigint>()

function rowidInserted(bucketName: string, rowid: number | bigint): void {
  const known = maxRowids.get(bucketName)
  if (known !== undefined && rowid > known) maxRowids.set(bucketName, rowid)
}

function rowidsChanged(bucketName: string): void {
  maxRowids.delete(bucketName)
}

export function uniqueViolation(table: TableDef, columns: readonly string[]): BTreeSqlError {
  return new BTreeSqlError(
    'BTREE_SQL_UNIQUE_VIOLATION',
    `UNIQUE constraint failed: ${columns.map((c) => `${table.name}.${c}`).join(', ')}`,
  )
}

/**
 * The constraint a uniqueness violation broke: the table's key (`key`: its primary key or
 * integer primary key), or a unique index. REPLACE and upserts find the conflicting row by it
 * (insert-conflict.ts), whatever the message names.
 */
export type UniqueConstraint = IndexDef | 'key'

const violated = new WeakMap<BTreeSqlError, UniqueConstraint>()

/** The constraint `error` (a uniqueness violation made here) broke, if known. */
export function violatedConstraint(error: BTreeSqlError): UniqueConstraint | undefined {
  return violated.get(error)
}

/** A violation of the table's key: its integer primary key (or rowid), or its primary key's columns. */
export function keyViolation(table: TableDef): BTreeSqlError {
  const error = uniqueViolation(table, table.keying === 'rowid' ? [table.rowidColumn ?? 'rowid'] : table.primaryKey)
  violated.set(error, 'key')
  return error
}

/**
 * A violation of unique index `index`: SQLite names its columns (under a COLLATE too), or the
 * index itself when a part is another expression.
 */
export function indexViolation(table: TableDef, index: IndexDef): BTreeSqlError {
  const columns = indexColumns(index)
  const error =
    columns === undefined
      ? new BTreeSqlError('BTREE_SQL_UNIQUE_VIOLATION', `UNIQUE constraint failed: index '${index.name}'`)
      : uniqueViolation(table, columns)
  violated.set(error, index)
  return error
}

export function notNullViolation(table: TableDef, column: ColumnDef): BTreeSqlError {
  return new BTreeSqlError('BTREE_SQL_NOT_NULL_VIOLATION', `NOT NULL constraint failed: ${table.name}.${column.name}`)
}

function checkNotNull(table: TableDef, values: readonly SqlValue[]): void {
  const columns = table.columns
  for (let i = 0; i < columns.length; i++) {
    const c = columns[i]!
    if (c.notNull && (values[c.slot] ?? null) === null) throw notNullViolation(table, c)
  }
}

/** Values by slot with each column's affinity applied. */
export function withAffinity(table: TableDef, values: SqlValue[]): SqlValue[] {
  const columns = table.columns
  for (let i = 0; i < columns.length; i++) {
    const c = columns[i]!
    values[c.slot] = applyAffinity(values[c.slot] ?? null, c.affinity)
  }
  computeGenerated(table, values)
  if (table.strict === true) checkStrict(table, values)
  return values
}

/** Partial indexes' conditions, compiled once per definition (definitions are replaced, not edited). */
const conditions = new WeakMap<IndexDef, Expr>()
/** Expression indexes' parts, compiled once per definition. */
const indexParts = new WeakMap<IndexDef, Expr[]>()

/** A row as expressions read it. */
function rowLike(values: RowValues): RowLike {
  return Array.isArray(values) ? new ArrayRow(values as SqlValue[]) : (values as RowView)
}

/** Writes an index's key parts for a row (its columns, or an expression index's values); whether one is null. */
function writeIndexKey(w: KeyWriter, table: TableDef, index: IndexDef, values: RowValues): boolean {
  if (index.expressions === undefined) return writeColumns(w, table, index.columns, values)
  let parts = indexParts.get(index)
  if (parts === undefined) {
    const scope = new Scope([{ table, name: table.name }])
    // Each part keys under its collation (a COLLATE in it, a column's declared one), as SQLite's index term does.
    parts = index.expressions.map((e) => {
      const part = compileExpr(byPrecedence(nodeOf(e) as AnyNode), scope)
      return collatedKey(part, collationName(part))
    })
    indexParts.set(index, parts)
  }
  const t = [rowLike(values)]
  let sawNull = false
  setIndexing(true)
  try {
    for (const part of parts) {
      const v = part.eval(t)
      if (v === null) sawNull = true
      w.value(v)
    }
  } finally {
    setIndexing(false)
  }
  return sawNull
}

/** Whether a row has an entry in `index`: always, unless the index is partial and its condition is not true. */
export function indexIncludes(table: TableDef, index: IndexDef, values: RowValues): boolean {
  if (index.where === undefined) return true
  let condition = conditions.get(index)
  if (condition === undefined) {
    condition = compileExpr(byPrecedence(nodeOf(index.where) as AnyNode), new Scope([{ table, name: table.name }]))
    conditions.set(index, condition)
  }
  setIndexing(true)
  try {
    return truth(condition.eval([rowLike(values)])) === true
  } finally {
    setIndexing(false)
  }
}

/** Index entries are (encoded columns, row key); a unique index holds one row per non-null prefix. */
function addIndexEntry(
  tx: WriteTransaction,
  table: TableDef,
  index: IndexDef,
  values: readonly SqlValue[],
  rowKey: Uint8Array,
): void {
  if (!indexIncludes(table, index, values)) return
  const bucket = writeBucket(tx, indexBucket(index))
  const w = scratchKey.reset()
  const hasNull = writeIndexKey(w, table, index, values)
  if (index.unique && !hasNull) {
    const c = bucket.cursor()
    const prefix = w.view()
    if (c.seek(prefix) && startsWith(c.key!, prefix)) throw indexViolation(table, index)
  }
  bucket.put(w.bytes(rowKey).view(), EMPTY)
}

function removeIndexEntry(
  tx: WriteTransaction,
  table: TableDef,
  index: IndexDef,
  values: RowValues,
  rowKey: Uint8Array,
): void {
  if (!indexIncludes(table, index, values)) return
  const w = scratchKey.reset()
  writeIndexKey(w, table, index, values)
  txBucket(tx, indexBucket(index))?.delete(w.bytes(rowKey).view())
}

/** Whether an index's columns encode alike in two versions of a row (its entry stays). */
function sameIndexKey(table: TableDef, index: IndexDef, a: RowValues, b: RowValues): boolean {
  const w = scratchKey.reset()
  writeIndexKey(w, table, index, a)
  const before = w.finish()
  writeIndexKey(w.reset(), table, index, b)
  return equalBytes(before, w.view())
}

/**
 * The key of the stored row that a row of `values` (affinity applied) conflicts with in unique
 * index `index`, or undefined: a null part, or a row outside a partial index, conflicts with none.
 */
export function uniqueHolder(
  tx: WriteTransaction,
  table: TableDef,
  index: IndexDef,
  values: readonly SqlValue[],
): Uint8Array | undefined {
  if (!indexIncludes(table, index, values)) return undefined
  const bucket = txBucket(tx, indexBucket(index))
  if (bucket === undefined) return undefined
  const w = new KeyWriter()
  if (writeIndexKey(w, table, index, values)) return undefined
  const prefix = w.finish()
  const c = bucket.cursor()
  return c.seek(prefix) && startsWith(c.key!, prefix) ? c.key!.slice(prefix.length) : undefined
}

/**
 * The key a row of `values` (affinity applied) takes in the table's bucket when its values give it
 * one: an integer primary key's, a primary key's without a null. Undefined for a new rowid, a
 * rowid that is no integer (the write's datatype mismatch), and a key a null makes unique.
 */
export function ownKey(table: TableDef, values: readonly SqlValue[]): Uint8Array | undefined {
  if (table.keying === 'rowid') {
    const col = rowidColumnOf(table)
    const v = col === undefined ? null : values[col.slot]!
    return v !== null && isInteger(v) ? new KeyWriter().value(v).finish() : undefined
  }
  const w = new KeyWriter()
  return writeColumns(w, table, table.primaryKey, values) ? undefined : w.finish()
}

/** The stored row under `key`, if there is one. */
export function storedAt(tx: WriteTransaction, table: TableDef, key: Uint8Array): StoredRow | undefined {
  const bytes = readBucket(tx, table)?.get(key)
  return bytes === undefined ? undefined : { key, row: rowView(table, bytes, key) }
}

/**
 * The rowid a new row of a table with an integer primary key would take now: a constraint's
 * REPLACE gives it to the row before deleting what the row replaces, as SQLite numbers the row
 * before it checks it (constraint-conflicts.ts).
 */
export function nextKeyRowid(tx: WriteTransaction, table: TableDef): number | bigint {
  return nextRowid(tx, table, tableBucket(table))
}

/** An AUTOINCREMENT table's sqlite_sequence entry raised to `rowid` when it is larger (first made at 0). */
function raiseSequence(tx: WriteTransaction, table: TableDef, rowid: number): void {
  const seq = sequenceEntry(tx, table)
  if (rowid > (seq ?? 0)) writeSequence(tx, table, rowid, seq === undefined)
}

/** Adds an entry for every stored row: used by createIndex and by unique constraints added later. */
export function buildIndex(tx: WriteTransaction, table: TableDef, index: IndexDef): void {
  writeBucket(tx, indexBucket(index))
  const bucket = readBucket(tx, table)
  if (bucket === undefined) return
  const rows: StoredRow[] = []
  for (const [key, value] of bucket.entries()) rows.push({ key, row: rowView(table, value) })
  for (const r of rows) addIndexEntry(tx, table, index, r.row.all(table.nextSlot), r.key)
}

/**
 * Computes the table's generated columns in every row there is and writes the rows back under
 * their keys (alterTable's added VIRTUAL generated column, which older rows lack); the column is
 * new, so no index reads it yet.
 */
export function fillGenerated(tx: WriteTransaction, table: TableDef): void {
  const bucket = readBucket(tx, table)
  if (bucket === undefined) return
  const rows: StoredRow[] = []
  for (const [key, value] of bucket.entries()) rows.push({ key, row: rowView(table, value) })
  const target = writeBucket(tx, tableBucket(table))
  for (const r of rows) {
    const values = r.row.all(table.nextSlot)
    computeGenerated(table, values)
    target.put(r.key, encodeRow(values, r.row.hiddenRowid))
  }
}

export interface InsertOutcome {
  rowid: number
  values: SqlValue[]
}

/**
 * A row about to be inserted under an upsert, before its conflict target is looked up
 * (insert-conflict.ts): its columns' affinity applied (in place, as insertRow applies it) and
 * NOT NULL checked, which SQLite checks before any uniqueness, the rowid column excepted (null
 * there is a new rowid, assigned by insertRow). SQLite has the new rowid by then: the generated
 * columns and the checks see the one insertRow would give (the row returned keeps the null).
 */
export function checkedForInsert(tx: WriteTransaction, table: TableDef, input: SqlValue[]): SqlValue[] {
  const values = withAffinity(table, input)
  const rowid = table.keying === 'rowid' ? rowidColumnOf(table) : undefined
  let checked = values
  if (rowid !== undefined && values[rowid.slot] === null && hasGenerated(table)) {
    checked = values.slice()
    checked[rowid.slot] = nextRowid(tx, table, tableBucket(table))
    computeGenerated(table, checked)
  }
  const columns = table.columns
  for (let i = 0; i < columns.length; i++) {
    const c = columns[i]!
    if (c.notNull && c !== rowid && checked[c.slot] === null)
      throw new BTreeSqlError('BTREE_SQL_NOT_NULL_VIOLATION', `NOT NULL constraint failed: ${table.name}.${c.name}`)
  }
  checkConstraints(table, checked)
  return values
}

/**
 * The rowid a new row of a table without an integer primary key would take now (its hidden
 * rowid): INSERT OR REPLACE gives it to the row before deleting what the row replaces, as SQLite.
 */
export function nextHiddenRowid(tx: WriteTransaction, table: TableDef): number | bigint | undefined {
  if (table.keying === 'key') return nextRowid(tx, table, rowidBucket(table))
  return table.rowidColumn === undefined ? nextRowid(tx, table, tableBucket(table)) : undefined
}

/**
 * Inserts one row (values by slot, affinity not yet applied): NOT NULL, then the key (rowid or
 * primary key), then unique indexes, as SQLite checks them. The caller's savepoint undoes a
 * partial insert when a later check throws. `hiddenRowid`: the rowid a table without an integer
 * primary key gives the row (nextHiddenRowid), instead of the next one now.
 */
export function insertRow(
  tx: WriteTransaction,
  table: TableDef,
  input: SqlValue[],
  hiddenRowid?: number | bigint,
): InsertOutcome {
  const values = withAffinity(table, input)
  const bucketName = tableBucket(table)
  let key: Uint8Array
  let rowid: number
  let hidden: number | undefined
  if (table.keying === 'rowid') {
    const col = rowidColumnOf(table)
    const given = col === undefined ? null : values[col.slot]!
    // The rowid exactly (a bigint past 2^53), for nextRowid's cached maximum.
    let exact: number | bigint
    if (given === null) {
      const next = col === undefined && hiddenRowid !== undefined ? hiddenRowid : nextRowid(tx, table, bucketName)
      exact = next
      rowid = Number(next)
      if (col !== undefined) {
        values[col.slot] = next
        // A generated column reading the rowid column sees the rowid given now, as in SQLite.
        computeGenerated(table, values)
      }
      key = rowKeyWriter.reset().value(next).view()
    } else if (isInteger(given)) {
      rowid = numberOf(given)
      exact = typeof given === 'bigint' ? given : rowid
      // Keyed by the exact value: a 64-bit rowid past 2^53 is a bigint, which rowid (a number) rounds.
      key = rowKeyWriter.reset().value(given).view()
    } else {
      throw new BTreeSqlError(
        'BTREE_SQL_DATATYPE_MISMATCH',
        `datatype mismatch: ${table.name}.${col!.name} is an integer primary key`,
      )
    }
    checkNotNull(table, values)
    checkConstraints(table, values)
    if (!putNew(tx, bucketName, key, encodeRowTransient(values, hidden))) throw keyViolation(table)
    rowidInserted(bucketName, exact)
    if (table.autoIncrement) raiseSequence(tx, table, rowid)
  } else {
    checkNotNull(table, values)
    checkConstraints(table, values)
    rowid = Number(hiddenRowid ?? nextRowid(tx, table, rowidBucket(table)))
    hidden = rowid
    // A rowid given (a listed one, or REPLACE's new one) may be taken: SQLite checks it before the key.
    if (hiddenRowid !== undefined && txBucket(tx, rowidBucket(table))?.has(rowidKey(rowid)) === true)
      throw uniqueViolation(table, ['rowid'])
    key = primaryKeyOf(table, values, rowid)
    if (!putNew(tx, bucketName, key, encodeRowTransient(values, hidden))) throw keyViolation(table)
    writeBucket(tx, rowidBucket(table)).put(rowidKey(rowid), key)
    rowidInserted(rowidBucket(table), rowid)
  }
  for (const index of table.indexes) addIndexEntry(tx, table, index, values, key)
  return { rowid, values }
}

/**
 * Puts a row under a key that must be new, in one descent of the tree where `has` then `put` took
 * two: false when the key was taken (the bucket did not grow). The row it overwrote then comes
 * back with the statement's rollback, which every caller of insertRow runs when it throws.
 */
function putNew(tx: WriteTransaction, bucketName: string, key: Uint8Array, row: Uint8Array): boolean {
  const bucket = writeBucket(tx, bucketName)
  const size = bucket.size
  bucket.put(key, row)
  return bucket.size > size
}

export function deleteRow(tx: WriteTransaction, table: TableDef, stored: StoredRow): void {
  // Only the indexed columns are decoded, and none without indexes.
  for (const index of table.indexes) removeIndexEntry(tx, table, index, stored.row, stored.key)
  if (table.keying === 'key') {
    const hidden = stored.row.hiddenRowid
    if (hidden !== undefined) txBucket(tx, rowidBucket(table))?.delete(rowidKey(hidden))
    rowidsChanged(rowidBucket(table))
  } else rowidsChanged(tableBucket(table))
  txBucket(tx, tableBucket(table))!.delete(stored.key)
}

/** Replaces a row; the key moves when the primary key (or rowid) changes. */
export function updateRow(tx: WriteTransaction, table: TableDef, stored: StoredRow, input: SqlValue[]): SqlValue[] {
  const values = withAffinity(table, input)
  // The old row's indexed columns are decoded as the indexes read them.
  const old = stored.row
  const bucket = txBucket(tx, tableBucket(table))!
  let key: Uint8Array
  const hidden = stored.row.hiddenRowid
  if (table.keying === 'rowid') {
    const col = rowidColumnOf(table)
    key = stored.key
    if (col !== undefined) {
      const v = values[col.slot]!
      // Unlike an insert, an update never assigns a rowid: null is a mismatch too, as in SQLite.
      if (v === null || !isInteger(v)) {
        throw new BTreeSqlError(
          'BTREE_SQL_DATATYPE_MISMATCH',
          `datatype mismatch: ${table.name}.${col.name} is an integer primary key`,
        )
      }
      // The same rowid keeps its key (the common update leaves the key alone): no encoding.
      if (v !== old.get(col.slot)) key = scratchKey.reset().value(v).finish()
    }
    checkNotNull(table, values)
  } else {
    checkNotNull(table, values)
    key = primaryKeyOf(table, values, hidden ?? 0)
  }
  checkConstraints(table, values)
  const moved = !equalBytes(key, stored.key)
  if (moved && bucket.has(key)) throw keyViolation(table)
  for (const index of table.indexes) {
    // A partial index's entry stays only while the row stays in it.
    if (
      !moved &&
      sameIndexKey(table, index, old, values) &&
      (index.where === undefined || indexIncludes(table, index, old) === indexIncludes(table, index, values))
    )
      continue
    removeIndexEntry(tx, table, index, old, stored.key)
    addIndexEntry(tx, table, index, values, key)
  }
  if (moved) {
    if (table.keying === 'rowid') rowidsChanged(tableBucket(table))
    bucket.delete(stored.key)
    if (table.keying === 'key' && hidden !== undefined) writeBucket(tx, rowidBucket(table)).put(rowidKey(hidden), key)
    if (table.autoIncrement && table.keying === 'rowid') raiseSequence(tx, table, decodeKeyNumber(key))
  }
  bucket.put(key, encodeRowTransient(values, hidden))
  return values
}
