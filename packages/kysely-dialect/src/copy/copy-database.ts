import { BTreeRangeError, BTreeTypeError } from 'btree-store'
import { sql, type CreateTableBuilder, type Kysely } from 'kysely'
import { BTreeAdapter } from '../adapter.js'
import type { IndexDef, TableDef, ViewDef } from '../catalog/catalog.js'
import { indexColumns } from '../catalog/index-columns.js'
import { nodeOf, viewSelect } from '../catalog/stored-node.js'
import { BTreeSqlError } from '../errors.js'
import { compareText } from '../encoding/values.js'
import { SourceSnapshot } from './source-snapshot.js'
import { forTargetCompiler } from './target-nodes.js'
import {
  ColumnProfile,
  detectTarget,
  postgresColumn,
  refuseCollation,
  refuseIndexCollations,
  sqliteColumn,
  type ColumnPlan,
  type CopyTarget,
} from './target-columns.js'

export type { CopyTarget } from './target-columns.js'

/** Where a copy stands; handed to `onProgress` after each batch and once per table when it ends. */
export interface CopyProgress {
  /** The table being copied. */
  readonly table: string
  /** Rows of this table copied so far, and how many it has. */
  readonly tableRowsCopied: number
  readonly tableRows: number
  /** Rows of every table copied so far, and how many there are in all. */
  readonly rowsCopied: number
  readonly totalRows: number
  /** Tables finished (rows and indexes), and how many are copied. */
  readonly tablesDone: number
  readonly tableCount: number
}

export interface CopyOptions {
  /** Rows per target transaction (sent as multi-row inserts within the target's parameter limit); default 1,000. */
  readonly batchSize?: number
  /** Called after each committed batch; awaited, so it may also slow the copy down. */
  readonly onProgress?: (progress: CopyProgress) => void | Promise<void>
  /** Stops the copy before its next batch with BTREE_SQL_COPY_ABORTED; committed batches stay. */
  readonly signal?: AbortSignal
  /** The tables to copy, in this order; default every table, Kysely's migration tables included, in name order. */
  readonly tables?: readonly string[]
  /**
   * A table to copy that the target already has: `'error'` (default) throws
   * BTREE_SQL_COPY_TARGET_EXISTS before anything is written; `'replace'` drops it first;
   * `'append'` keeps it and inserts the rows into it (its indexes are created if missing).
   */
  readonly ifTableExists?: 'error' | 'replace' | 'append'
  /** The target's family, when the detection from its compiled SQL would be wrong. */
  readonly target?: CopyTarget
}

export interface CopyResult {
  readonly tables: { readonly name: string; readonly rows: number }[]
  readonly rows: number
  /** The views made on the target (a whole database's copy only: none when `tables` is given). */
  readonly views: string[]
  /**
   * The triggers made on the target, in the order they were made on the source (a whole
   * database's copy into SQLite or btree-store only: PostgreSQL's triggers call PL/pgSQL
   * functions, which SQLite's text is not).
   */
  readonly triggers: string[]
}

/** Fewer than any supported target's limit on parameters per statement (SQLite 32,766, PostgreSQL 65,535). */
const MAX_PARAMETERS = 30_000
const DEFAULT_BATCH = 1_000

// The Kysely instances are handled without their table types: the copy is driven by the catalog.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyKysely = Kysely<any>

/**
 * Copies a btree-store database into any Kysely database (PostgreSQL, PGlite, SQLite, another
 * btree-store file): per table, the schema through Kysely's schema builder (columns with types the
 * target accepts, not null, defaults, primary keys single or composite, unique constraints), then
 * every row in primary-key order in batches (one target transaction each, multi-row inserts),
 * then the indexes (unique, composite). The source is read from one snapshot: writers may keep
 * going, the copy is of the database as it was when the call began. `references` and `check`
 * constraints are not recreated (a file written before checks were enforced, or with foreign keys
 * off, may hold rows that do not satisfy them).
 * O(rows) reads; on PostgreSQL one extra pass per table chooses the column types.
 */
export async function copyDatabase<From, To>(
  from: Kysely<From>,
  to: Kysely<To>,
  options: CopyOptions = {},
): Promise<CopyResult> {
  const settings = readOptions(options)
  const source = await openSource(from as AnyKysely, options.tables)
  try {
    const target = options.target ?? detectTarget(to as AnyKysely)
    const copier = new TableCopier(to as AnyKysely, source, target, settings)
    throwIfAborted(options.signal)
    await copier.checkExisting()
    return await copier.copyAll()
  } finally {
    source.close()
  }
}

interface Settings {
  readonly batchSize: number
  readonly onProgress: CopyOptions['onProgress']
  readonly signal: AbortSignal | undefined
  readonly ifTableExists: 'error' | 'replace' | 'append'
}

function readOptions(options: CopyOptions): Settings {
  if (typeof options !== 'object' || options === null)
    throw new BTreeTypeError('copyDatabase: options must be an object')
  const batchSize = options.batchSize ?? DEFAULT_BATCH
  if (!Number.isSafeInteger(batchSize) || batchSize < 1)
    throw new BTreeRangeError(`copyDatabase: batchSize must be a positive integer, got ${String(batchSize)}`)
  const ifTableExists = options.ifTableExists ?? 'error'
  if (!['error', 'replace', 'append'].includes(ifTableExists))
    throw new BTreeRangeError(`copyDatabase: ifTableExists must be 'error', 'replace' or 'append'`)
  if (options.target !== undefined && options.target !== 'sqlite' && options.target !== 'postgres')
    throw new BTreeRangeError(`copyDatabase: target must be 'sqlite' or 'postgres'`)
  return { batchSize, onProgress: options.onProgress, signal: options.signal, ifTableExists }
}

async function openSource(from: AnyKysely, tables: readonly string[] | undefined): Promise<SourceSnapshot> {
  const adapter: unknown = from?.getExecutor?.().adapter
  if (!(adapter instanceof BTreeAdapter))
    throw new BTreeTypeError('copyDatabase: `from` must be a Kysely over BTreeDialect')
  const session = await adapter.driver.session()
  const snapshot = session.db.begin()
  try {
    return new SourceSnapshot(snapshot, tables)
  } catch (err) {
    snapshot.close()
    throw err
  }
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted)
    throw new BTreeSqlError('BTREE_SQL_COPY_ABORTED', 'copyDatabase: aborted', { cause: signal.reason })
}

/** Runs `step` on the target; its failure becomes BTREE_SQL_COPY_FAILED naming what was being done. */
async function onTarget<T>(what: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step()
  } catch (err) {
    if (err instanceof BTreeSqlError && err.code.startsWith('BTREE_SQL_COPY_')) throw err
    const message = err instanceof Error ? err.message : String(err)
    throw new BTreeSqlError('BTREE_SQL_COPY_FAILED', `copyDatabase: ${what} failed on the target: ${message}`, {
      cause: err,
    })
  }
}

class TableCopier {
  readonly #existing = new Set<string>()
  readonly #totalRows: number
  #rowsCopied = 0
  #tablesDone = 0

  constructor(
    readonly to: AnyKysely,
    readonly source: SourceSnapshot,
    readonly target: CopyTarget,
    readonly settings: Settings,
  ) {
    this.#totalRows = source.tables.reduce((n, t) => n + source.rowCount(t), 0)
  }

  /** Looks every table up before writing anything, so that a conflict leaves the target untouched. */
  async checkExisting(): Promise<void> {
    const tables = await onTarget('reading the schema', () =>
      this.to.introspection.getTables({ withInternalKyselyTables: true }),
    )
    const names = new Set(tables.map((t) => t.name.toLowerCase()))
    for (const t of this.source.tables) if (names.has(t.name.toLowerCase())) this.#existing.add(t.name)
    for (const v of this.source.views) if (names.has(v.name.toLowerCase())) this.#existing.add(v.name)
    if (this.#existing.size > 0 && this.settings.ifTableExists === 'error')
      throw new BTreeSqlError(
        'BTREE_SQL_COPY_TARGET_EXISTS',
        `copyDatabase: the target already has ${[...this.#existing].join(', ')} (see the ifTableExists option)`,
      )
  }

  async copyAll(): Promise<CopyResult> {
    const copied: { name: string; rows: number }[] = []
    // A column PostgreSQL cannot compare as declared fails the copy before any table is made.
    if (this.target === 'postgres')
      for (const table of this.source.tables) {
        table.columns.forEach(refuseCollation(table))
        refuseIndexCollations(table)
      }
    for (const table of this.source.tables) {
      throwIfAborted(this.settings.signal)
      copied.push({ name: table.name, rows: await this.#copyTable(table) })
    }
    const views = await this.#copyViews()
    return { tables: copied, rows: this.#rowsCopied, views, triggers: await this.#copyTriggers() }
  }

  /**
   * Makes the source's triggers on a SQLite target (btree-store included) from their text, after
   * the rows are in, so that copying fires none of them: an audit log is copied, not written
   * again. A trigger of the name on the target is dropped first (`ifTableExists: 'replace'`) or
   * kept (`'append'`).
   */
  async #copyTriggers(): Promise<string[]> {
    if (this.target !== 'sqlite') return []
    const made: string[] = []
    for (const trigger of this.source.triggers) {
      throwIfAborted(this.settings.signal)
      await onTarget(`creating the trigger ${trigger.name}`, async () => {
        if (this.settings.ifTableExists === 'replace')
          await sql`drop trigger if exists ${sql.id(trigger.name)}`.execute(this.to)
        const text =
          this.settings.ifTableExists === 'append'
            ? trigger.sql.replace(/^\s*create\s+trigger\s+(if\s+not\s+exists\s+)?/i, 'create trigger if not exists ')
            : trigger.sql
        await sql.raw(text).execute(this.to)
      })
      made.push(trigger.name)
    }
    return made
  }

  /**
   * Makes the source's views on the target, once its tables hold their rows: each view's select
   * (its node tree, values inline as Kysely writes a view's) compiled by the target's own compiler.
   * A view over another view may come before it in name order: those a round could not make
   * (PostgreSQL checks the names a view reads) are tried again while a round makes any. An
   * existing view of the name is replaced (`ifTableExists: 'replace'`) or kept (`'append'`).
   */
  async #copyViews(): Promise<string[]> {
    const made: string[] = []
    let pending = [...this.source.views]
    let lastError: unknown
    while (pending.length > 0) {
      const failed: ViewDef[] = []
      for (const view of pending) {
        throwIfAborted(this.settings.signal)
        const exists = this.#existing.has(view.name)
        if (exists && this.settings.ifTableExists === 'append') continue
        try {
          if (exists) await this.to.schema.dropView(view.name).ifExists().execute()
          const node = {
            kind: 'CreateViewNode',
            name: { kind: 'SchemableIdentifierNode', identifier: { kind: 'IdentifierNode', name: view.name } },
            ...(view.given === undefined
              ? {}
              : {
                  columns: view.given.map((c) => ({
                    kind: 'ColumnNode',
                    column: { kind: 'IdentifierNode', name: c },
                  })),
                }),
            as: forTargetCompiler(viewSelect(view)),
          }
          const executor = this.to.getExecutor()
          await this.to.executeQuery(
            executor.compileQuery(node as Parameters<typeof executor.compileQuery>[0], {
              queryId: `copy-view-${view.name}`,
            }),
          )
          made.push(view.name)
        } catch (err) {
          lastError = err
          failed.push(view)
        }
      }
      if (failed.length === pending.length) {
        const message = lastError instanceof Error ? lastError.message : String(lastError)
        throw new BTreeSqlError(
          'BTREE_SQL_COPY_FAILED',
          `copyDatabase: creating the view ${failed[0]!.name} failed on the target: ${message}`,
          { cause: lastError },
        )
      }
      pending = failed
    }
    return made.sort(compareText)
  }

  async #copyTable(table: TableDef): Promise<number> {
    const plans = this.#columnPlans(table)
    const exists = this.#existing.has(table.name)
    if (!(exists && this.settings.ifTableExists === 'append'))
      await onTarget(`creating ${table.name}`, () => this.#createTable(table, plans, exists))
    const rows = await this.#copyRows(table, plans)
    for (const index of table.indexes) {
      // A unique constraint under a COLLATE (`unique (email collate nocase)`, keyed by its parts as
      // an expression index is: create-table.ts) is made as a unique index of those parts.
      if (index.origin !== 'index' && index.expressions === undefined) continue
      await onTarget(`creating the index ${index.name}`, async () => {
        if (index.where === undefined && index.expressions === undefined) {
          let builder = this.to.schema.createIndex(index.name).on(table.name).columns(index.columns)
          if (index.unique) builder = builder.unique()
          if (exists) builder = builder.ifNotExists()
          await builder.execute()
          return
        }
        // A partial or expression index: its node trees, compiled by the target's own compiler.
        const node = {
          kind: 'CreateIndexNode',
          name: { kind: 'IdentifierNode', name: index.origin === 'index' ? index.name : uniqueName(table, index) },
          table: {
            kind: 'TableNode',
            table: { kind: 'SchemableIdentifierNode', identifier: { kind: 'IdentifierNode', name: table.name } },
          },
          columns:
            index.expressions?.map((e) => forTargetCompiler(nodeOf(e))) ??
            index.columns.map((c) => ({ kind: 'ColumnNode', column: { kind: 'IdentifierNode', name: c } })),
          ...(index.unique ? { unique: true } : {}),
          ...(exists ? { ifNotExists: true } : {}),
          ...(index.where === undefined
            ? {}
            : { where: { kind: 'WhereNode', where: forTargetCompiler(nodeOf(index.where)) } }),
        }
        const executor = this.to.getExecutor()
        await this.to.executeQuery(
          executor.compileQuery(node as Parameters<typeof executor.compileQuery>[0], {
            queryId: `copy-index-${index.name}`,
          }),
        )
      })
    }
    const identity = plans.find((p) => p.identity)
    if (identity !== undefined)
      await onTarget(`moving the identity of ${table.name}`, () => this.#restartIdentity(table, identity))
    this.#tablesDone++
    await this.#progress(table, rows)
    return rows
  }

  #columnPlans(table: TableDef): ColumnPlan[] {
    if (this.target === 'sqlite') return table.columns.map(sqliteColumn)
    const profiles = table.columns.map(() => new ColumnProfile())
    for (const values of this.source.values(table)) for (let i = 0; i < values.length; i++) profiles[i]!.add(values[i]!)
    return table.columns.map((c, i) => postgresColumn(table, c, profiles[i]!))
  }

  async #createTable(table: TableDef, plans: readonly ColumnPlan[], exists: boolean): Promise<void> {
    if (exists) await this.to.schema.dropTable(table.name).execute()
    const singleKey = table.primaryKey.length === 1 ? table.primaryKey[0] : undefined
    let builder = this.to.schema.createTable(table.name) as CreateTableBuilder<string, string>
    for (const plan of plans) {
      const c = plan.column
      builder = builder.addColumn(c.name, plan.dataType as 'text', (col) => {
        if (c.name === singleKey) col = col.primaryKey()
        if (this.target === 'sqlite' && table.autoIncrement && table.rowidColumn === c.name) col = col.autoIncrement()
        if (plan.identity) col = col.generatedByDefaultAsIdentity()
        if (c.notNull) col = col.notNull()
        if (plan.defaultTo !== undefined) col = col.defaultTo(plan.defaultTo)
        // A declared collation (SQLite and btree-store targets; postgresColumn refuses one).
        if (c.collation !== undefined) col = col.modifyEnd(sql.raw(`collate ${c.collation}`))
        return col
      })
    }
    if (table.primaryKey.length > 1) builder = builder.addPrimaryKeyConstraint(`${table.name}_pkey`, table.primaryKey)
    for (const index of table.indexes)
      if (index.origin === 'unique' && index.expressions === undefined)
        builder = builder.addUniqueConstraint(uniqueName(table, index), index.columns)
    await builder.execute()
  }

  async #copyRows(table: TableDef, plans: readonly ColumnPlan[]): Promise<number> {
    const perStatement = Math.max(1, Math.min(this.settings.batchSize, Math.floor(MAX_PARAMETERS / plans.length)))
    let after: Uint8Array | undefined
    let copied = 0
    do {
      throwIfAborted(this.settings.signal)
      const batch = this.source.batch(table, after, this.settings.batchSize)
      if (batch.rows.length === 0) break
      const records = batch.rows.map((values) => {
        const record: Record<string, unknown> = {}
        for (let i = 0; i < plans.length; i++) record[plans[i]!.column.name] = plans[i]!.convert(values[i]!)
        return record
      })
      await onTarget(`inserting rows ${copied + 1}-${copied + records.length} of ${table.name}`, () =>
        this.to.transaction().execute(async (trx) => {
          for (let i = 0; i < records.length; i += perStatement)
            await trx
              .insertInto(table.name)
              .values(records.slice(i, i + perStatement))
              .execute()
        }),
      )
      copied += records.length
      this.#rowsCopied += records.length
      after = batch.resumeAfter
      await this.#progress(table, copied)
    } while (after !== undefined)
    return copied
  }

  /** PostgreSQL's identity would otherwise hand out 1 next: it continues after the largest id copied. */
  async #restartIdentity(table: TableDef, plan: ColumnPlan): Promise<void> {
    const name = plan.column.name
    const quoted = `"${table.name.replace(/"/g, '""')}"`
    await sql`select setval(pg_get_serial_sequence(${quoted}, ${name}), coalesce(max(${sql.ref(name)}), 0) + 1, false) from ${sql.table(table.name)}`.execute(
      this.to,
    )
  }

  async #progress(table: TableDef, tableRowsCopied: number): Promise<void> {
    await this.settings.onProgress?.({
      table: table.name,
      tableRowsCopied,
      tableRows: this.source.rowCount(table),
      rowsCopied: this.#rowsCopied,
      totalRows: this.#totalRows,
      tablesDone: this.#tablesDone,
      tableCount: this.source.tables.length,
    })
  }
}

/** The name a unique constraint gets on the target (PostgreSQL's `<table>_<columns>_key`). */
function uniqueName(table: TableDef, index: IndexDef): string {
  return `${table.name}_${(indexColumns(index) ?? index.columns).join('_')}_key`
}
