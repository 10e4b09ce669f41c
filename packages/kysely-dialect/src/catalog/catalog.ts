import { randomUUID } from 'node:crypto'
import type { ReadTransaction, WriteTransaction } from 'btree-store'
import { BTreeSqlError } from '../errors.js'
import { equalBytes } from '../encoding/keys.js'
import { bytesText, textBytes } from '../encoding/values.js'
import type { Affinity } from './affinity.js'
import type { StoredValue } from './stored-value.js'

/**
 * The dialect's buckets all start with this prefix, which no Level sublevel or ordinary bucket
 * name is expected to use; the dialect never opens a bucket without it, so other buckets in the
 * file are left untouched.
 */
export const BUCKET_PREFIX = '__kysely_btree_'
export const CATALOG_BUCKET = `${BUCKET_PREFIX}catalog`

/**
 * SQLite's conflict resolution algorithms (lang_conflict.html), as a constraint's `on conflict`
 * clause names one: what a statement without an OR of its own does when the constraint fails
 * (executor/constraint-conflicts.ts). Absent on a constraint: ABORT, as in SQLite; an explicit
 * `abort` is kept, since two clauses on one index conflict only when both are written.
 */
export type ConflictResolution = 'rollback' | 'abort' | 'fail' | 'ignore' | 'replace'

/** A column default: a constant, or one of SQLite's CURRENT_* keywords evaluated per row. */
export type ColumnDefault = (
  | { kind: 'value'; value: StoredValue }
  | { kind: 'current'; what: 'timestamp' | 'date' | 'time' }
  /**
   * `default (expr)` whose value is not fixed when the table is made (`datetime('now')`,
   * `random()`): its node tree (stored-node.ts), evaluated for each row that takes it, as SQLite does.
   */
  | { kind: 'expression'; expression: unknown }
) & {
  /** The default as written (raw SQL, a raw fragment), when known: `pragma table_info`'s dflt_value. */
  text?: string
}

export interface ColumnDef {
  name: string
  /** The position of the column's value in encoded rows; never reused within a table. */
  slot: number
  /** The declared type as written (`varchar(255)`), which SQLite's introspection reports. */
  type: string
  affinity: Affinity
  notNull: boolean
  /** `not null on conflict ...`: the NOT NULL constraint's own resolution (absent: ABORT). */
  notNullConflict?: ConflictResolution
  default?: ColumnDefault
  /** A foreign key (catalog/foreign-keys.ts), enforced unless foreign keys are off (executor/foreign-keys.ts). */
  references?: { table: string; columns: string[]; onDelete?: string; onUpdate?: string; deferred?: boolean }
  /** A `check` constraint, enforced on every write (executor/check-constraints.ts: storedCheck). */
  check?: string
  /** A generated column's expression (executor/generated-columns.ts: storedGenerated), computed on every write. */
  generated?: string
  /**
   * The collation the column declares (`collate nocase`), lower case; absent for BINARY. Its
   * comparisons, sorts and groupings use it below an explicit COLLATE (expression/collation.ts),
   * and its key components in the table's key and its indexes are its values' folds, so that a
   * unique one holds under it (executor/table-store.ts: writeColumns).
   */
  collation?: string
}

export interface IndexDef {
  /** Names the index bucket (`__kysely_btree_x<id>`). */
  id: number
  /** The index's name; SQLite's `sqlite_autoindex_<table>_<n>` for unique constraints. */
  name: string
  columns: string[]
  unique: boolean
  /** `index` for createIndex, `unique` for a unique column or constraint (dropped with the table only). */
  origin: 'index' | 'unique'
  /** A unique constraint's `on conflict ...` (absent: ABORT); CREATE INDEX has no such clause. */
  conflict?: ConflictResolution
  /**
   * Written by `analyze()`: for k = 1..columns.length, the average number of rows sharing a value
   * of the first k columns (SQLite's sqlite_stat1). A ratio, so it stays roughly right while writes
   * change the table's size; the planner falls back to defaults without it.
   */
  rowsPerKey?: number[]
  /**
   * A partial index's condition (`createIndex(...).where(...)`): the node tree of its expression
   * (stored-node.ts). Only rows for which it is true have entries, so a unique one holds among
   * them alone; the planner reads one when a query's conditions imply it (planner/partial-index.ts).
   */
  where?: unknown
  /**
   * An expression index's key parts (`createIndex(...).expression(sql\`lower(email)\`)`, mixed with
   * columns too): each part's node tree (stored-node.ts), a column part as its ColumnNode; `columns`
   * is then empty. Its entries hold the parts' values; the planner reads one for a query comparing
   * a part's expression (planner/expression-keys.ts).
   */
  expressions?: unknown[]
  /** Its text as SQLite keeps it in sqlite_schema (sql/schema-text.ts), for an index made from this release on. */
  sql?: string
  /**
   * The parts written `desc` (`pragma index_xinfo` reports them; lookups read either way), for an
   * index made from this release on; absent when none is.
   */
  descending?: boolean[]
}

export interface TableDef {
  /** Names the table's buckets (`__kysely_btree_t<id>`, and `r<id>` for hidden rowids). */
  id: number
  name: string
  columns: ColumnDef[]
  nextSlot: number
  /** Primary key column names, in key order; empty when the table has none. */
  primaryKey: string[]
  /**
   * `rowid`: the table is keyed by its rowid, which is the `integer primary key` column when
   * `rowidColumn` is set and hidden otherwise (no primary key). `key`: keyed by the primary key,
   * with a hidden rowid in every row and a bucket from rowid to key, so that `insertId` and new
   * rowids follow SQLite's.
   */
  keying: 'rowid' | 'key'
  rowidColumn?: string
  autoIncrement: boolean
  /** A STRICT table (executor/table-options.ts): each value must be of its column's type. */
  strict?: boolean
  /** A WITHOUT ROWID table: keyed by its primary key, which is NOT NULL, with no rowid to read or report. */
  withoutRowid?: boolean
  /**
   * `create temp table` (`createTable(t).temporary()`): the connection's own, dropped when the
   * dialect closes (and at the next open, after a crash); not introspected, not copied.
   */
  temporary?: boolean
  indexes: IndexDef[]
  /** Table-level check constraints (executor/check-constraints.ts) and foreign key constraints (catalog/foreign-keys.ts). */
  checks: string[]
  /** Counter for SQLite-style names of unique-constraint indexes. */
  autoIndexCount: number
  /**
   * The index SQLite makes for a primary key the table is keyed by (not an INTEGER PRIMARY KEY):
   * here the table's own key, so only its name and its place in creation order (`pragma
   * index_list`). Tables made before it was kept have none.
   */
  primaryKeyIndex?: { name: string; id: number; descending?: boolean[] }
  /** The primary key's `on conflict ...` (an INTEGER PRIMARY KEY's too; absent: ABORT). */
  primaryKeyConflict?: ConflictResolution
  /**
   * Its text as SQLite keeps it in sqlite_schema (`CREATE TABLE` and the statement from the name
   * on, edited by ALTER TABLE as SQLite edits it: sql/schema-text.ts), for a table made from this release on.
   */
  sql?: string
}

/**
 * Bucket names by kind and id, built once: every statement looks its buckets up by name, and the
 * same string each time keeps its hash (a name built afresh is hashed again at every lookup). A
 * name depends on the id alone, so one table serves every file.
 */
/** Names by id (ids are small and dense): every row written looks its buckets' names up. */
/**
 * A definition of columns alone, slot i holding column i, with no key, index or bucket of its own
 * (id -1): a derived table's result columns (executor/select-general.ts), a view's columns as its
 * INSTEAD OF triggers read NEW and OLD (executor/view-writes.ts).
 */
export function columnsTable(
  name: string,
  columns: readonly {
    readonly name: string
    readonly type: string
    readonly affinity: Affinity
    readonly collation?: string | undefined
  }[],
): TableDef {
  return rowidTable(
    -1,
    name,
    columns.map((c, slot) => ({
      name: c.name,
      slot,
      type: c.type,
      affinity: c.affinity,
      notNull: false,
      ...(c.collation === undefined ? {} : { collation: c.collation }),
    })),
  )
}

/** A table keyed by its hidden rowid, with `columns` (slot i holding column i) and nothing else yet. */
export function rowidTable(id: number, name: string, columns: ColumnDef[]): TableDef {
  return {
    id,
    name,
    columns,
    nextSlot: columns.length,
    primaryKey: [],
    keying: 'rowid',
    autoIncrement: false,
    indexes: [],
    checks: [],
    autoIndexCount: 0,
  }
}

const bucketNames = { t: [] as string[], r: [] as string[], x: [] as string[] }

function bucketName(kind: keyof typeof bucketNames, id: number): string {
  const names = bucketNames[kind]
  return names[id] ?? (names[id] = `${BUCKET_PREFIX}${kind}${id}`)
}

export function tableBucket(table: TableDef): string {
  return bucketName('t', table.id)
}

export function rowidBucket(table: TableDef): string {
  return bucketName('r', table.id)
}

export function indexBucket(index: IndexDef): string {
  return bucketName('x', index.id)
}

const VERSION_KEY = textBytes('version')
const NEXT_ID_KEY = textBytes('next-id')
const TABLE_PREFIX = 't:'
const SEQUENCE_PREFIX = 's:'
const SEQUENCE_ORDER_PREFIX = 'o:'
const VIEW_PREFIX = 'v:'
const TRIGGER_PREFIX = 'r:'
const HEADER_PREFIX = 'h:'

/**
 * A view (`create view`): its name, its columns, and its select as Kysely's operation-node tree,
 * kept as JSON (executor/create-view.ts: bytes and big integers tagged). Read like a derived
 * table wherever its name is a source.
 */
export interface ViewDef {
  name: string
  /** The column names `create view v (a, b)` gave, if any. */
  given?: string[]
  /** Result column names (the ones `create view v (a, b)` gave, else the select's) and declared types (a column's, else ''). */
  columns: { name: string; type: string }[]
  select: unknown
  /** Its text as SQLite keeps it in sqlite_schema (sql/schema-text.ts), for a view made from this release on. */
  sql?: string
  /** Its place in the order objects were made (a catalog id): sqlite_schema lists it there. */
  seq?: number
  /**
   * `create temp view` (`createView(v).temporary()`): the connection's own, as a temporary table
   * is (TableDef.temporary), with its INSTEAD OF triggers; a view in main does not see it
   * (executor/view-scope.ts). Absent in files from before temporary views.
   */
  temporary?: boolean
}

/**
 * A trigger (`create trigger`, executor/triggers.ts): when it fires, its condition and its
 * statements as Kysely's operation-node trees kept as JSON (catalog/stored-node.ts), and its text.
 */
export interface TriggerDef {
  name: string
  /** The table it is on, as the catalog names it. */
  table: string
  /** `instead of`: on a view, fired for each row a write to the view would write (executor/view-writes.ts). */
  timing: 'before' | 'after' | 'instead of'
  event: 'insert' | 'update' | 'delete'
  /** `update of a, b`: fires only for updates whose SET list names one of them. */
  columns?: string[]
  when?: unknown
  body: unknown[]
  sql: string
  /** Its place in the order triggers were made (a catalog id, nextId): its key, and so its firing order. */
  seq: number
  /**
   * `create temp trigger`: the connection's own, as a temporary table is (TableDef.temporary),
   * dropped when the dialect closes (and at the next open, after a crash). A trigger on a
   * temporary table or view is temporary too (Catalog.isTemporaryTrigger).
   */
  temporary?: boolean
}

/**
 * An immutable snapshot of the schema. A change writes the table's definition and a new version
 * token; statements look the token up (one `get`) and reuse the parsed catalog while it matches.
 * Tokens are random, so a rolled-back change can never be confused with a later one.
 */
export class Catalog {
  readonly version: string
  readonly #tables: Map<string, TableDef>
  readonly #views: Map<string, ViewDef>
  readonly #triggers: Map<string, TriggerDef>
  readonly #indexes = new Map<string, TableDef>()
  /** Each table's triggers (lower-cased table name), newest first: the order SQLite fires them in. */
  readonly #triggersOn = new Map<string, TriggerDef[]>()
  readonly #triggersFor = new WeakMap<TableDef, (readonly TriggerDef[])[]>()

  constructor(
    version: string,
    tables: Map<string, TableDef>,
    views: Map<string, ViewDef> = new Map(),
    triggers: Map<string, TriggerDef> = new Map(),
    /**
     * SQLite's sqlite_sequence exists: made with the first AUTOINCREMENT table and kept after it is
     * dropped (markSequenceTable), as SQLite keeps it (a file from before that mark: while an
     * AUTOINCREMENT table exists).
     */
    readonly sequenceTable = false,
  ) {
    this.version = version
    this.#tables = tables
    this.#views = views
    this.#triggers = triggers
    for (const t of tables.values()) for (const i of t.indexes) this.#indexes.set(i.name.toLowerCase(), t)
    for (const r of triggers.values()) {
      const on = r.table.toLowerCase()
      const list = this.#triggersOn.get(on)
      if (list === undefined) this.#triggersOn.set(on, [r])
      else list.unshift(r)
    }
  }

  /** Triggers by name, case-insensitively. */
  trigger(name: string): TriggerDef | undefined {
    return this.#triggers.get(name.toLowerCase())
  }

  triggers(): TriggerDef[] {
    return [...this.#triggers.values()]
  }

  /** Whether a trigger is the connection's own: made `temp`, or on a temporary table or view, as SQLite makes it. */
  isTemporaryTrigger(trigger: TriggerDef): boolean {
    if (trigger.temporary === true) return true
    return (this.table(trigger.table) ?? this.view(trigger.table))?.temporary === true
  }

  /** The triggers on `table`, in the order they fire (the newest first, as SQLite's list is). */
  triggersOn(table: string): readonly TriggerDef[] {
    return this.#triggersOn.get(table.toLowerCase()) ?? NO_TRIGGERS
  }

  /** The triggers on `table` of one timing and event, in firing order (worked out once per catalog). */
  triggersFor(table: TableDef, timing: TriggerDef['timing'], event: TriggerDef['event']): readonly TriggerDef[] {
    let lists = this.#triggersFor.get(table)
    if (lists === undefined) {
      const on = this.triggersOn(table.name)
      lists = TRIGGER_KINDS.map(([t, e]) => {
        const list = on.filter((r) => r.timing === t && r.event === e)
        return list.length === 0 ? NO_TRIGGERS : list
      })
      this.#triggersFor.set(table, lists)
    }
    return lists[
      (timing === 'before' ? 0 : timing === 'after' ? 3 : 6) + (event === 'insert' ? 0 : event === 'update' ? 1 : 2)
    ]!
  }

  /** Whether any table has a trigger (the row writes then look their table's up). */
  get hasTriggers(): boolean {
    return this.#triggers.size > 0
  }

  /** A copy with `trigger` added (created after every other: it fires first). */
  withTrigger(trigger: TriggerDef): Catalog {
    const next = new Map(this.#triggers)
    next.set(trigger.name.toLowerCase(), trigger)
    return new Catalog(randomUUID(), this.#tables, this.#views, next, this.sequenceTable)
  }

  withoutTriggers(names: readonly string[]): Catalog {
    const next = new Map(this.#triggers)
    for (const n of names) next.delete(n.toLowerCase())
    return new Catalog(randomUUID(), this.#tables, this.#views, next, this.sequenceTable)
  }

  /** Views by name, case-insensitively (one namespace with tables and indexes, as in SQLite). */
  view(name: string): ViewDef | undefined {
    return this.#views.get(name.toLowerCase())
  }

  views(): ViewDef[] {
    return [...this.#views.values()]
  }

  /** A copy with `view` added (or replacing the one of its name). */
  withView(view: ViewDef): Catalog {
    const next = new Map(this.#views)
    next.set(view.name.toLowerCase(), view)
    return new Catalog(randomUUID(), this.#tables, next, this.#triggers, this.sequenceTable)
  }

  withoutView(name: string): Catalog {
    const next = new Map(this.#views)
    next.delete(name.toLowerCase())
    return new Catalog(randomUUID(), this.#tables, next, this.#triggers, this.sequenceTable)
  }

  /** Tables by name, case-insensitively as SQLite resolves them. */
  table(name: string): TableDef | undefined {
    return this.#tables.get(name.toLowerCase())
  }

  requireTable(name: string): TableDef {
    const t = this.table(name)
    if (t !== undefined) return t
    // Views are read where sources are prepared (select-general.ts); anything else needs a table.
    if (this.view(name) !== undefined)
      throw new BTreeSqlError('BTREE_SQL_UNSUPPORTED', `cannot modify ${name} because it is a view`)
    // SQLite's own tables, read as sources (executor/schema-table.ts), are not written by statements
    // here: SQLite's error for its schema tables; sqlite_sequence, which SQLite lets statements
    // write, exists once an AUTOINCREMENT table made it (sequenceTable).
    const own = schemaTableOf(name)
    if (own === 'sequence') {
      if (this.sequenceTable) throw new BTreeSqlError('BTREE_SQL_UNSUPPORTED', 'writes to sqlite_sequence')
    } else if (own !== undefined)
      throw new BTreeSqlError(
        'BTREE_SQL_INVALID_SCHEMA',
        `table ${own === 'temp' ? 'sqlite_temp_master' : 'sqlite_master'} may not be modified`,
      )
    throw new BTreeSqlError('BTREE_SQL_NO_SUCH_TABLE', `no such table: ${name}`)
  }

  tableOfIndex(name: string): TableDef | undefined {
    return this.#indexes.get(name.toLowerCase())
  }

  tables(): TableDef[] {
    return [...this.#tables.values()]
  }

  /** A copy with `table` replacing (or adding) the definition under `previousName` (or its name). */
  withTable(table: TableDef, previousName = table.name): Catalog {
    const next = new Map(this.#tables)
    next.delete(previousName.toLowerCase())
    next.set(table.name.toLowerCase(), table)
    const sequence = this.sequenceTable || (table.autoIncrement && table.temporary !== true)
    return new Catalog(randomUUID(), next, this.#views, this.#triggers, sequence)
  }

  without(name: string): Catalog {
    const next = new Map(this.#tables)
    next.delete(name.toLowerCase())
    return new Catalog(randomUUID(), next, this.#views, this.#triggers, this.sequenceTable)
  }
}

const NO_TRIGGERS: readonly TriggerDef[] = []
/**
 * SQLite's own tables, which no statement makes (executor/schema-table.ts reads them from the
 * catalog): `sqlite_schema` (alias `sqlite_master`), `sqlite_temp_schema` (`sqlite_temp_master`)
 * and `sqlite_sequence`.
 */
export type SchemaTable = 'main' | 'temp' | 'sequence'

const SCHEMA_TABLES: Readonly<Record<string, SchemaTable>> = {
  sqlite_schema: 'main',
  sqlite_master: 'main',
  sqlite_temp_schema: 'temp',
  sqlite_temp_master: 'temp',
  sqlite_sequence: 'sequence',
}

/** Which of SQLite's own tables `name` is, if any (case-insensitively, as SQLite resolves names). */
export function schemaTableOf(name: string): SchemaTable | undefined {
  return SCHEMA_TABLES[name.toLowerCase()]
}

/**
 * SQLite reserves names that begin `sqlite_` for its own objects (sqlite3CheckObjectName): a table,
 * index, view or trigger made or renamed to one is its error.
 */
export function checkObjectName(name: string): void {
  if (/^sqlite_/i.test(name))
    throw new BTreeSqlError('BTREE_SQL_INVALID_SCHEMA', `object name reserved for internal use: ${name}`)
}
/** Catalog.triggersFor's lists, in this order. */
const TRIGGER_KINDS: readonly (readonly [TriggerDef['timing'], TriggerDef['event']])[] = [
  ['before', 'insert'],
  ['before', 'update'],
  ['before', 'delete'],
  ['after', 'insert'],
  ['after', 'update'],
  ['after', 'delete'],
  ['instead of', 'insert'],
  ['instead of', 'update'],
  ['instead of', 'delete'],
]

const cache = new Map<string, Catalog>()
const CACHE_LIMIT = 32
const EMPTY = new Catalog('', new Map())

function remember(catalog: Catalog): void {
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!)
  cache.set(catalog.version, catalog)
}

/** The catalog the transaction sees: one `get` when the parsed one is cached. */
export function loadCatalog(tx: ReadTransaction): Catalog {
  const bucket = tx.bucket(CATALOG_BUCKET)
  if (bucket === undefined) return EMPTY
  const raw = bucket.get(VERSION_KEY)
  if (raw === undefined) return EMPTY
  // The common case: the same schema as the previous statement, recognised without decoding.
  if (last !== undefined && equalBytes(raw, last.raw)) return last.catalog
  const version = bytesText(raw)
  const hit = cache.get(version)
  if (hit !== undefined) {
    last = { raw, catalog: hit }
    return hit
  }
  const tables = readDefinitions<TableDef>(bucket, TABLE_PREFIX, 't;')
  const views = readDefinitions<ViewDef>(bucket, VIEW_PREFIX, 'v;')
  // In key order, which is the order they were made (`r:<seq>`): SQLite fires a table's newest first.
  const triggers = readDefinitions<TriggerDef>(bucket, TRIGGER_PREFIX, 'r;')
  const sequence =
    bucket.get(SEQUENCE_TABLE_KEY) !== undefined ||
    [...tables.values()].some((t) => t.autoIncrement && t.temporary !== true)
  const catalog = new Catalog(version, tables, views, triggers, sequence)
  remember(catalog)
  last = { raw, catalog }
  return catalog
}

/** The JSON definitions under keys from `prefix` up to `end`, by lower-cased name. */
function readDefinitions<T extends { name: string }>(
  bucket: NonNullable<ReturnType<ReadTransaction['bucket']>>,
  prefix: string,
  end: string,
): Map<string, T> {
  const out = new Map<string, T>()
  for (const [key, value] of bucket.entries({ gte: textBytes(prefix), lt: textBytes(end) })) {
    let def: T
    try {
      def = JSON.parse(bytesText(value)) as T
    } catch (err) {
      throw new BTreeSqlError('BTREE_SQL_CATALOG_CORRUPT', `the catalog entry ${bytesText(key)} is not readable`, {
        cause: err,
      })
    }
    out.set(def.name.toLowerCase(), def)
  }
  return out
}

let last: { raw: Uint8Array; catalog: Catalog } | undefined

/**
 * Writes the triggers of `catalog` named in `changed` (a new one, or one whose table was renamed)
 * and removes those in `removed`; then the new version token. A trigger's key carries the number
 * `seq`, so the catalog reads them in the order they were made.
 */
export function saveTriggers(
  tx: WriteTransaction,
  catalog: Catalog,
  changed: readonly TriggerDef[],
  removed: readonly TriggerDef[] = [],
): void {
  const bucket = tx.createBucketIfNotExists(CATALOG_BUCKET)
  for (const r of removed) bucket.delete(triggerKey(r))
  for (const r of changed) bucket.put(triggerKey(r), textBytes(JSON.stringify(r)))
  bucket.put(VERSION_KEY, textBytes(catalog.version))
  remember(catalog)
}

function triggerKey(r: TriggerDef): Uint8Array {
  return textBytes(TRIGGER_PREFIX + r.seq.toString(16).padStart(16, '0'))
}

/** Writes a view's definition (or, `view` undefined, removes the one named `name`) and the new version token. */
export function saveView(tx: WriteTransaction, catalog: Catalog, name: string, view: ViewDef | undefined): void {
  const bucket = tx.createBucketIfNotExists(CATALOG_BUCKET)
  const key = textBytes(VIEW_PREFIX + name.toLowerCase())
  if (view === undefined) bucket.delete(key)
  else bucket.put(key, textBytes(JSON.stringify(view)))
  bucket.put(VERSION_KEY, textBytes(catalog.version))
  remember(catalog)
}

/** Writes the changed table definitions (and removals) and the new version token. */
export function saveCatalog(tx: WriteTransaction, catalog: Catalog, changed: TableDef[], removed: string[] = []): void {
  const bucket = tx.createBucketIfNotExists(CATALOG_BUCKET)
  for (const name of removed) bucket.delete(textBytes(TABLE_PREFIX + name.toLowerCase()))
  for (const t of changed) bucket.put(textBytes(TABLE_PREFIX + t.name.toLowerCase()), textBytes(JSON.stringify(t)))
  bucket.put(VERSION_KEY, textBytes(catalog.version))
  remember(catalog)
}

/** A new id for a table or index bucket; ids are never reused within a file. */
export function nextId(tx: WriteTransaction): number {
  const bucket = tx.createBucketIfNotExists(CATALOG_BUCKET)
  const raw = bucket.get(NEXT_ID_KEY)
  const id = raw === undefined ? 1 : Number(bytesText(raw))
  bucket.put(NEXT_ID_KEY, textBytes(String(id + 1)))
  return id
}

/** The largest rowid an autoIncrement table ever handed out (SQLite's sqlite_sequence). */
export function readSequence(tx: ReadTransaction, table: TableDef): number {
  const raw = tx.bucket(CATALOG_BUCKET)?.get(textBytes(SEQUENCE_PREFIX + table.id))
  return raw === undefined ? 0 : Number(bytesText(raw))
}

/** The table's sqlite_sequence entry, if it has handed out a rowid (undefined: no row, as in SQLite). */
export function sequenceEntry(tx: ReadTransaction, table: TableDef): number | undefined {
  const raw = tx.bucket(CATALOG_BUCKET)?.get(textBytes(SEQUENCE_PREFIX + table.id))
  return raw === undefined ? undefined : Number(bytesText(raw))
}

/**
 * Sets the table's sqlite_sequence entry; `first`: it has none yet, and takes its place in the
 * order SQLite's rows have (the order tables first handed out a rowid: `o:<id>`, a catalog id).
 */
export function writeSequence(tx: WriteTransaction, table: TableDef, value: number, first = false): void {
  const bucket = tx.createBucketIfNotExists(CATALOG_BUCKET)
  if (first) bucket.put(textBytes(SEQUENCE_ORDER_PREFIX + table.id), textBytes(String(nextId(tx))))
  bucket.put(textBytes(SEQUENCE_PREFIX + table.id), textBytes(String(value)))
}

const SEQUENCE_TABLE_KEY = textBytes('sequence-table')

/**
 * Marks that SQLite's sqlite_sequence table exists (made with the first AUTOINCREMENT table, kept
 * after it is dropped, as SQLite keeps it), with its place among the schema's objects.
 */
export function markSequenceTable(tx: WriteTransaction, at: number): void {
  const bucket = tx.createBucketIfNotExists(CATALOG_BUCKET)
  if (bucket.get(SEQUENCE_TABLE_KEY) === undefined) bucket.put(SEQUENCE_TABLE_KEY, textBytes(String(at)))
}

/** sqlite_sequence's place among the schema's objects, once an AUTOINCREMENT table made it. */
export function sequenceTableAt(tx: ReadTransaction): number | undefined {
  const raw = tx.bucket(CATALOG_BUCKET)?.get(SEQUENCE_TABLE_KEY)
  return raw === undefined ? undefined : Number(bytesText(raw))
}

/** Where the table's sqlite_sequence row comes among the others (undefined for an entry made before it was kept). */
export function sequenceOrder(tx: ReadTransaction, table: TableDef): number | undefined {
  const raw = tx.bucket(CATALOG_BUCKET)?.get(textBytes(SEQUENCE_ORDER_PREFIX + table.id))
  return raw === undefined ? undefined : Number(bytesText(raw))
}

/**
 * The values SQLite keeps in its file header that a pragma reads and sets (`user_version`,
 * `application_id`): 32-bit integers, 0 until set, under `h:<name>` in the catalog bucket.
 */
/**
 * Numbers kept beside the schema: SQLite's `user_version`, `application_id` and `schema_version`
 * (schema-version.ts), and `stat1`, set by the first ANALYZE (SQLite's makes sqlite_stat1 then).
 */
export type HeaderValue = 'user_version' | 'application_id' | 'schema_version' | 'stat1'

export function readHeaderValue(tx: ReadTransaction, name: HeaderValue): number {
  const raw = tx.bucket(CATALOG_BUCKET)?.get(textBytes(HEADER_PREFIX + name))
  return raw === undefined ? 0 : Number(bytesText(raw))
}

export function writeHeaderValue(tx: WriteTransaction, name: HeaderValue, value: number): void {
  tx.createBucketIfNotExists(CATALOG_BUCKET).put(textBytes(HEADER_PREFIX + name), textBytes(String(value)))
}

export function deleteSequence(tx: WriteTransaction, table: TableDef): void {
  tx.bucket(CATALOG_BUCKET)?.delete(textBytes(SEQUENCE_PREFIX + table.id))
  tx.bucket(CATALOG_BUCKET)?.delete(textBytes(SEQUENCE_ORDER_PREFIX + table.id))
}

export function findColumn(table: TableDef, name: string): ColumnDef | undefined {
  const lower = name.toLowerCase()
  return table.columns.find((c) => c.name.toLowerCase() === lower)
}

export function requireColumn(table: TableDef, name: string): ColumnDef {
  const c = findColumn(table, name)
  if (c === undefined)
    throw new BTreeSqlError('BTREE_SQL_NO_SUCH_COLUMN', `no such column: ${name} (table ${table.name})`)
  return c
}
