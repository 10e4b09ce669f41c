import fs from 'node:fs'
import nodePath from 'node:path'
import {
  compact,
  type Database,
  type Durability,
  type ReadTransaction,
  type Savepoint,
  type WriteTransaction,
} from 'btree-store'
import { loadCatalog, readHeaderValue, writeHeaderValue, type Catalog } from './catalog/catalog.js'
import { BTreeSqlError, queryOnlyError, unsupported } from './errors.js'
import type { SqlValue } from './encoding/values.js'
import type { ExecContext, Session, StatementResult, WriteContext } from './executor/context.js'
import type { AnyNode } from './expression/nodes.js'
import type { StatementHandler } from './executor/statement.js'
import type { QueryPlan } from './planner/plan.js'
import { forgetBuckets } from './executor/table-store.js'
import { foreignKeyError } from './executor/foreign-keys.js'
import { rollsBackTransaction } from './executor/conflict-actions.js'
import { foreignKeyCheck, foreignKeyList } from './executor/foreign-key-pragmas.js'
import { indexInfo, indexList, indexXinfo, tableInfo, tableList, tableXinfo } from './executor/schema-pragmas.js'
import { integrityCheck } from './executor/integrity-check.js'
import { PragmaSettings } from './pragma-settings.js'
import type { Pragma } from './pragma.js'
import { StatementCache } from './executor/statement-cache.js'
import { setCaseSensitiveLike } from './expression/operators.js'
import { rebuildFile, type RebuildTarget } from './rebuild-file.js'
import { bumpSchemaVersion, noteSchemaChange } from './catalog/schema-version.js'

/** Whoever issues statements: a connection handle (compared by identity). */
export type Owner = object

/**
 * The owner of a transaction begun by raw SQL text (`` sql`begin`.execute(db) ``): every handle, as
 * every query shares SQLite's one connection, so the statements that follow run inside it.
 */
export const SHARED: Owner = Object.freeze({ shared: true })

/** The owner while plain VACUUM rebuilds the file: every handle's statements wait for it. */
const REBUILDING: Owner = Object.freeze({ rebuilding: true })

interface NamedSavepoint {
  name: string
  savepoint: Savepoint
  /** The deferred foreign key counter when it was made, which a rollback to it restores (as SQLite). */
  deferredViolations: number
  /** It began the transaction (a SAVEPOINT outside one): its RELEASE commits, as SQLite's. */
  begins?: boolean
}

/** The session's settings from the dialect's config. */
export interface SessionOptions {
  /** Whether foreign keys are enforced (`PRAGMA foreign_keys`); default true, as better-sqlite3 and node:sqlite. */
  foreignKeys?: boolean
  /**
   * The file and how to open it again, when the dialect opened it itself (not for a database
   * handed in, which others may hold, nor a read-only one): plain VACUUM rebuilds it.
   */
  file?: RebuildTarget
}

/**
 * The one logical SQLite-like connection over an engine `Database`: the open write transaction
 * (at most one, owned by one connection handle), its named savepoints, and last_insert_rowid.
 *
 * Concurrency: statements from handles that do not own the transaction wait until it ends, as
 * queries on SQLite's single connection wait behind a transaction; concurrent `begin`s queue the
 * same way and are never failed. Outside a transaction, reads run on a snapshot of the newest
 * commit and each write statement is one `db.update` (the engine group-commits concurrent ones).
 */
export class SqlSession {
  readonly session: Session
  /** Statements compiled once per shape (the tree, values aside), run again with new parameters. */
  readonly statements = new StatementCache()
  #lastPlan: QueryPlan | (() => QueryPlan) | undefined
  #owner: Owner | undefined
  #tx: WriteTransaction | undefined
  #savepoints: NamedSavepoint[] = []
  #free: Promise<void> = Promise.resolve()
  #wake: (() => void) | undefined
  /** `pragma synchronous` set on this connection (0-3); undefined: the database's durability. */
  #synchronous: number | undefined
  /** The commits' durability `synchronous` asks for (undefined: the database's). */
  #commitOptions: { durability: Durability } | undefined
  /** `pragma case_sensitive_like`: LIKE compares ASCII letters' case too (operators.ts). */
  #caseSensitiveLike = false
  /** `pragma busy_timeout`, kept and reported (nothing here waits on another connection's lock). */
  #busyTimeout = 0

  #db: Database
  readonly #file: RebuildTarget | undefined

  constructor(db: Database, options: SessionOptions = {}) {
    this.#db = db
    this.#file = options.file
    this.session = {
      lastInsertRowid: 0,
      changes: 0,
      totalChanges: 0,
      foreignKeys: options.foreignKeys ?? true,
      deferForeignKeys: false,
      deferredViolations: 0,
    }
  }

  /** The engine database: another one, on the rebuilt file, after a plain VACUUM. */
  get db(): Database {
    return this.#db
  }

  /** `pragma case_sensitive_like` as this connection set it (a stream's pulls apply it: connection.ts). */
  get caseSensitiveLike(): boolean {
    return this.#caseSensitiveLike
  }

  get inTransaction(): boolean {
    return this.#tx !== undefined
  }

  /** Whether another handle holds the transaction (then wait for `#free` and ask again). */
  #busyFor(owner: Owner): boolean {
    return this.#owner !== undefined && this.#owner !== owner && this.#owner !== SHARED
  }

  /** Whether `owner`'s statements run in the open transaction (its own, or a shared one). */
  #inside(owner: Owner): boolean {
    return this.#tx !== undefined && (this.#owner === owner || this.#owner === SHARED)
  }

  /** Whether `handle` holds the transaction. */
  owns(handle: Owner): boolean {
    return this.#owner === handle
  }

  /** The owner of a transaction command sent as raw SQL by `handle`: itself when it holds the transaction, else SHARED. */
  ownerFor(handle: Owner): Owner {
    return this.#owner === handle ? handle : SHARED
  }

  #claim(owner: Owner): void {
    this.#owner = owner
    this.#free = new Promise((resolve) => (this.#wake = resolve))
  }

  #end(): void {
    // SQLite resets these at every commit and rollback.
    this.session.deferredViolations = 0
    this.session.deferForeignKeys = false
    this.#owner = undefined
    this.#tx = undefined
    this.#txCatalog = undefined
    this.#savepoints = []
    const wake = this.#wake
    this.#wake = undefined
    wake?.()
  }

  #requireTransaction(owner: Owner, what: string): WriteTransaction {
    if (this.#owner !== owner || this.#tx === undefined)
      throw new BTreeSqlError('BTREE_SQL_TRANSACTION', `cannot ${what} - no transaction is active`)
    return this.#tx
  }

  async begin(owner: Owner): Promise<void> {
    if (this.#owner === owner || this.#owner === SHARED)
      throw new BTreeSqlError('BTREE_SQL_TRANSACTION', 'cannot start a transaction within a transaction')
    // No await between the last check and the claim: two begins cannot both see the file free.
    while (this.#busyFor(owner)) await this.#free
    this.#claim(owner)
    try {
      this.#tx = await this.db.beginWrite()
    } catch (err) {
      this.#end()
      throw err
    }
  }

  async commit(owner: Owner): Promise<void> {
    const tx = this.#requireTransaction(owner, 'commit')
    // Deferred foreign keys still violated: the commit fails and the transaction stays open, as in SQLite.
    if (this.session.deferredViolations !== 0) throw foreignKeyError()
    try {
      await tx.commit(this.#commitOptions)
    } finally {
      this.#end()
    }
  }

  /** Rolls back; a rollback with no transaction is a no-op, so that Kysely's cleanup after a failed commit does not hide the commit's error. */
  rollback(owner: Owner): void {
    if (this.#owner === owner && this.#tx !== undefined) this.#rollbackAll(this.#tx)
  }

  /** Ends the open transaction, undoing it, whoever owns it (INSERT OR ROLLBACK). */
  #rollbackAll(tx: WriteTransaction): void {
    try {
      if (!tx.closed) tx.rollback()
    } finally {
      this.#end()
    }
  }

  /**
   * SAVEPOINT: inside the handle's transaction, a savepoint of it; outside any, as SQLite, it
   * begins a transaction (waiting, as BEGIN does, while another handle holds one) whose outermost
   * savepoint it is: releasing that one commits the transaction.
   */
  savepoint(owner: Owner, name: string): void | Promise<void> {
    if (this.#owner === owner && this.#tx !== undefined) {
      const tx = this.#tx
      this.#savepoints.push({ name, savepoint: tx.savepoint(), deferredViolations: this.session.deferredViolations })
      return
    }
    return this.begin(owner).then(() => {
      const tx = this.#tx!
      this.#savepoints.push({ name, savepoint: tx.savepoint(), deferredViolations: 0, begins: true })
    })
  }

  #find(name: string): number {
    const lower = name.toLowerCase()
    for (let i = this.#savepoints.length - 1; i >= 0; i--)
      if (this.#savepoints[i]!.name.toLowerCase() === lower) return i
    throw new BTreeSqlError('BTREE_SQL_TRANSACTION', `no such savepoint: ${name}`)
  }

  /** Undoes everything since the savepoint, which stays (SQLite's ROLLBACK TO); later ones go. */
  rollbackTo(owner: Owner, name: string): void {
    const tx = this.#requireTransaction(owner, `roll back to savepoint ${name}`)
    const i = this.#find(name)
    tx.rollbackTo(this.#savepoints[i]!.savepoint)
    this.session.deferredViolations = this.#savepoints[i]!.deferredViolations
    this.#forget(tx)
    this.#savepoints.length = i + 1
  }

  /**
   * Forgets the savepoint and every later one, keeping their changes; releasing the savepoint that
   * began the transaction commits it (SQLite's RELEASE of the outermost savepoint).
   */
  release(owner: Owner, name: string): void | Promise<void> {
    const tx = this.#requireTransaction(owner, `release savepoint ${name}`)
    const i = this.#find(name)
    if (this.#savepoints[i]!.begins === true) return this.commit(owner)
    tx.release(this.#savepoints[i]!.savepoint)
    this.#savepoints.length = i
  }

  /**
   * The catalog of a commit, by its txid: a commit never changes, so neither does its schema. A
   * snapshot and an autocommit statement's write transaction (whose txid is the commit it builds
   * on, and whose statement has changed nothing yet) both read it.
   */
  #snapshotCatalog: { txid: number; catalog: Catalog } | undefined
  /** The open transaction's catalog; dropped by schema statements and rollbacks, which change it. */
  #txCatalog: Catalog | undefined
  readonly #onPlan = (p: QueryPlan | (() => QueryPlan)): void => {
    this.#lastPlan = p
  }

  /** The plan of the last statement that had one (described when asked for). */
  get lastPlan(): QueryPlan | undefined {
    const p = this.#lastPlan
    if (typeof p !== 'function') return p
    this.#lastPlan = p()
    return this.#lastPlan
  }

  #context(tx: ReadTransaction): ExecContext {
    let catalog: Catalog
    if (tx === this.#tx) {
      catalog = this.#txCatalog ??= loadCatalog(tx)
    } else if (tx.writable && tx === this.#lastWrite) {
      // A later statement of a group commit: the earlier ones may have changed the schema.
      catalog = loadCatalog(tx)
    } else if (this.#snapshotCatalog?.txid === tx.txid) {
      catalog = this.#snapshotCatalog.catalog
    } else {
      catalog = loadCatalog(tx)
      this.#snapshotCatalog = { txid: tx.txid, catalog }
    }
    if (tx.writable && tx !== this.#tx) this.#lastWrite = tx
    return { tx, catalog, session: this.session, onPlan: this.#onPlan }
  }

  /**
   * The last autocommit write transaction that ran a statement. The engine runs the update
   * callbacks that queue together in one transaction object (group commit) and undoes one that
   * throws by resetting it and replaying the callbacks before it, which this session does not see:
   * so a later statement of the group reads the schema afresh and caches no bucket handle across
   * statements. The engine has one write transaction at a time, so the last one is the only one a
   * statement can meet again (a WeakSet of them cost ~4% of an autocommit delete in its ephemeron
   * upkeep).
   */
  #lastWrite: ReadTransaction | undefined

  /** After a rollback to a savepoint or a schema change: the schema and the buckets may differ. */
  #forget(tx: WriteTransaction): void {
    this.#txCatalog = undefined
    forgetBuckets(tx)
  }

  /**
   * Runs one statement with statement-level atomicity: at once inside the owner's transaction or on
   * a snapshot, else in a write transaction of its own; after the transaction of another handle ends.
   */
  run(
    owner: Owner,
    node: AnyNode,
    handler: StatementHandler,
    values?: readonly SqlValue[],
  ): StatementResult | Promise<StatementResult> {
    if (this.#busyFor(owner)) return this.#runLater(owner, node, handler, values)
    setCaseSensitiveLike(this.#caseSensitiveLike)
    const tx = this.#tx
    if (this.#inside(owner) && tx !== undefined) {
      const ctx = this.#context(tx) as WriteContext
      if (handler.readOnly) return handler.run(node, ctx, values)
      const sp = tx.savepoint()
      const deferred = this.session.deferredViolations
      try {
        const result = handler.run(node, ctx, values)
        if (handler.schema) noteSchemaChange(tx, ctx.catalog, handler.analyzes === true)
        tx.release(sp)
        this.#count(node, result)
        return result
      } catch (err) {
        tx.rollbackTo(sp)
        tx.release(sp)
        this.session.deferredViolations = deferred
        this.#forget(tx)
        // INSERT OR ROLLBACK: the whole transaction goes, as in SQLite (a later commit finds none).
        if (rollsBackTransaction(err)) this.#rollbackAll(tx)
        throw err
      } finally {
        if (handler.schema) this.#forget(tx)
      }
    }
    if (handler.readOnly) return this.db.view((snapshot) => handler.run(node, this.#context(snapshot), values))
    return this.db.update((write) => {
      forgetBuckets(write)
      // The statement is its own transaction: its deferred foreign keys are checked at its end.
      const session = this.session
      session.deferredViolations = 0
      try {
        const ctx = this.#context(write) as WriteContext
        const result = handler.run(node, ctx, values)
        if (session.deferredViolations !== 0) throw foreignKeyError()
        if (handler.schema) noteSchemaChange(write, ctx.catalog, handler.analyzes === true)
        return this.#count(node, result)
      } finally {
        session.deferredViolations = 0
        session.deferForeignKeys = false
      }
    }, this.#commitOptions)
  }

  /** SQLite's changes() and total_changes() after an insert, update or delete that went through. */
  #count(node: AnyNode, result: StatementResult): StatementResult {
    if (node.kind === 'InsertQueryNode' || node.kind === 'UpdateQueryNode' || node.kind === 'DeleteQueryNode') {
      this.session.changes = result.changes
      this.session.totalChanges += result.changes
    }
    return result
  }

  async #runLater(
    owner: Owner,
    node: AnyNode,
    handler: StatementHandler,
    values: readonly SqlValue[] | undefined,
  ): Promise<StatementResult> {
    while (this.#busyFor(owner)) await this.#free
    return this.run(owner, node, handler, values)
  }

  /**
   * Writes the commits still in the engine's journal into the file's pages (the engine's
   * `checkpoint()`, SQLite's `PRAGMA wal_checkpoint`), once any open transaction ends: its commit
   * is then written too. A transaction begun meanwhile waits for the checkpoint (the engine holds
   * its writer).
   */
  async checkpoint(): Promise<void> {
    while (this.#owner !== undefined) await this.#free
    await this.db.checkpoint()
  }

  /** The plan of a statement, on the transaction's state when one is open, else the newest commit. */
  plan(node: AnyNode, handler: StatementHandler): QueryPlan | undefined {
    const planOnly = (tx: ReadTransaction): QueryPlan | undefined => planOn(tx, node, handler)
    return this.#tx !== undefined ? planOnly(this.#tx) : this.db.view(planOnly)
  }

  /**
   * A read snapshot a stream holds until it closes, with the context of statements on it; undefined
   * when `owner` is in a transaction (its statements read the transaction, and run whole).
   */
  async openSnapshot(owner: Owner): Promise<{ ctx: ExecContext; close: () => void } | undefined> {
    while (this.#busyFor(owner)) await this.#free
    if (this.#inside(owner)) return undefined
    const snapshot = this.db.begin()
    return { ctx: this.#context(snapshot), close: () => snapshot.close() }
  }

  /** The schema as the one connection sees it: the open transaction's, else the newest commit's. */
  catalog(): Catalog {
    return this.#tx !== undefined ? loadCatalog(this.#tx) : this.db.view((tx) => loadCatalog(tx))
  }

  /**
   * Set while Kysely's Migrator runs (BTreeAdapter's migration lock): its migrations run in one
   * transaction here, where with Kysely's SQLite adapter each runs outside any (no transactional
   * DDL), so `pragma foreign_keys = off` at the start of a migration (SQLite's procedure for
   * rebuilding a table) takes effect there. It does here too while this is set.
   */
  migrating = false

  /** cache_size, temp_store, mmap_size, wal_autocheckpoint, locking_mode: kept and reported. */
  readonly settings = new PragmaSettings()

  /**
   * The pragmas the connection runs (pragma.ts), for `owner`'s statement. `foreign_keys` and
   * `defer_foreign_keys`, read or set: setting foreign_keys inside a transaction does nothing, as
   * in SQLite, but in a migration run (`migrating`); a read gives its row (`{ foreign_keys: 1 }`).
   * The schema listings, `foreign_key_check` and `integrity_check` read the open transaction's
   * state, else the newest commit's.
   */
  pragma(p: Pragma, owner: Owner = SHARED): Record<string, unknown>[] | Promise<Record<string, unknown>[]> {
    const onState = <T>(read: (tx: ReadTransaction) => T): T =>
      this.#tx !== undefined ? read(this.#tx) : this.db.view(read)
    switch (p.name) {
      // analyze and optimize write statistics: the connection runs them as statements (connection.ts).
      case 'analyze':
      case 'optimize':
        throw new BTreeSqlError('BTREE_SQL_UNSUPPORTED', `${p.name} as a pragma read`)
      case 'foreign_key_list':
      case 'foreign_key_check':
      case 'table_info':
      case 'table_xinfo':
      case 'index_list':
      case 'index_info':
      case 'index_xinfo': {
        const { name, table } = p
        if (name === 'foreign_key_check') return onState((tx) => foreignKeyCheck(tx, loadCatalog(tx), table))
        const list = {
          foreign_key_list: foreignKeyList,
          table_info: tableInfo,
          table_xinfo: tableXinfo,
          index_list: indexList,
          index_info: indexInfo,
          index_xinfo: indexXinfo,
        }[name]
        return onState((tx) => list(loadCatalog(tx), table))
      }
      case 'table_list':
        return onState((tx) => tableList(loadCatalog(tx), p.table, p.schema))
      case 'integrity_check':
      case 'quick_check':
        return onState((tx) => integrityCheck(() => this.db.check(), tx, loadCatalog(tx), p))
      case 'wal_checkpoint':
        return this.#walCheckpoint(owner)
      case 'user_version':
      case 'application_id':
      case 'schema_version': {
        const { name, value } = p
        if (value === undefined) return onState((tx) => [{ [name]: readHeaderValue(tx, name) }])
        if (this.settings.queryOnly) throw queryOnlyError()
        // Kept in the file with the schema, in the open transaction when there is one.
        if (this.#tx !== undefined) {
          writeHeaderValue(this.#tx, name, value)
          return []
        }
        return this.db.update((tx) => writeHeaderValue(tx, name, value), this.#commitOptions).then(() => [])
      }
      case 'synchronous':
        if (p.value === undefined)
          return [{ synchronous: this.#synchronous ?? (this.db.durability === 'full' ? 2 : 1) }]
        // FULL and EXTRA sync each commit; NORMAL and OFF leave it to the next checkpoint (a crash may
        // lose the latest commits, never corrupt the file: the engine's 'none', as SQLite's WAL with NORMAL).
        this.#synchronous = Math.min(3, Math.max(0, p.value))
        this.#commitOptions = { durability: this.#synchronous >= 2 ? 'full' : 'none' }
        return []
      case 'busy_timeout':
        if (p.value !== undefined) this.#busyTimeout = Math.max(0, p.value)
        return [{ timeout: this.#busyTimeout }]
      case 'journal_mode':
        // The engine's journal is a write-ahead log with checkpoints (its FORMAT.md §11), which no
        // pragma changes; SQLite answers a change it cannot make with the mode that stays.
        return [{ journal_mode: this.db.info().journal === undefined ? 'delete' : 'wal' }]
      // Answers about the connection (pragma.ts).
      case 'data_version':
        return [{ data_version: 1 }]
      case 'database_list':
        return this.#databaseList()
      case 'collation_list':
        return [
          { seq: 0, name: 'RTRIM' },
          { seq: 1, name: 'NOCASE' },
          { seq: 2, name: 'BINARY' },
        ]
      case 'shrink_memory':
      case 'incremental_vacuum':
        return []
      default:
        return this.settings.answer(
          p,
          () =>
            this.#tx !== undefined &&
            (this.catalog()
              .tables()
              .some((t) => t.temporary) ||
              this.catalog()
                .views()
                .some((v) => v.temporary === true)),
        )
      // The file's own: a set is a no-op, as SQLite's on a database that has tables (page_size in
      // WAL mode too; encoding and auto_vacuum are fixed once the first table is made).
      case 'auto_vacuum':
        return p.value === undefined ? [{ auto_vacuum: 0 }] : []
      case 'encoding':
        return p.value === undefined ? [{ encoding: 'UTF-8' }] : []
      case 'page_size':
        return p.value === undefined ? [{ page_size: this.db.info().pageSize }] : []
      // As of the last checkpoint (the engine's meta): the pages below the file's high-water mark,
      // and the free ones (stats() walks every bucket: O(pages)). A value is ignored, as in SQLite.
      case 'page_count':
        return [{ page_count: this.db.info().highWater }]
      case 'freelist_count':
        return [{ freelist_count: this.db.stats().freePages }]
      case 'case_sensitive_like':
        // SQLite's is set only (a read gives no row); LIKE reads it as each statement starts (run).
        if (p.value !== undefined) this.#caseSensitiveLike = p.value
        return []
      case 'recursive_triggers':
        // Triggers here never fire recursively, SQLite's default; turning it on is not done.
        if (p.value === true) throw unsupported('recursive triggers (pragma recursive_triggers = on)')
        return p.value === undefined ? [{ recursive_triggers: 0 }] : []
      case 'foreign_keys':
      case 'defer_foreign_keys': {
        const key = p.name === 'foreign_keys' ? 'foreignKeys' : 'deferForeignKeys'
        if (p.value === undefined) return [{ [p.name]: this.session[key] ? 1 : 0 }]
        if (p.name === 'foreign_keys' && this.#tx !== undefined && !this.migrating) return []
        this.session[key] = p.value
        return []
      }
    }
  }

  /**
   * `pragma wal_checkpoint`: the engine's checkpoint, once another handle's transaction ends. In
   * the statement's own transaction it fails as SQLite's does in one that has written ("database
   * table is locked": the engine's write transaction holds the writer the checkpoint needs). One
   * row: busy 0, and log and checkpointed 0, the journal being empty afterwards (SQLite counts
   * frames: 0 after TRUNCATE, the WAL's frames otherwise); -1 for both without a journal
   * (`journal: false`), as SQLite's answer for a database not in WAL mode.
   */
  async #walCheckpoint(owner: Owner): Promise<Record<string, unknown>[]> {
    if (this.#inside(owner)) throw new BTreeSqlError('BTREE_SQL_TRANSACTION', 'database table is locked')
    if (this.db.info().journal === undefined) return [{ busy: 0, log: -1, checkpointed: -1 }]
    await this.checkpoint()
    return [{ busy: 0, log: 0, checkpointed: 0 }]
  }

  /**
   * VACUUM INTO `path`: the engine's compact() of the newest commit to a new file (a file there
   * already is the engine's BTREE_INVALID_ARGUMENT, but for an empty one, which SQLite writes
   * over), once no other handle holds a transaction; inside one it is SQLite's "cannot VACUUM
   * from within a transaction". Plain VACUUM rebuilds the file (#rebuild).
   */
  async vacuum(owner: Owner, path: string | undefined): Promise<void> {
    if (this.#inside(owner)) throw new BTreeSqlError('BTREE_SQL_TRANSACTION', 'cannot VACUUM from within a transaction')
    while (this.#busyFor(owner)) await this.#free
    if (path === undefined) return this.#rebuild()
    const stat = fs.statSync(path, { throwIfNoEntry: false })
    if (stat?.isFile() === true && stat.size === 0) fs.unlinkSync(path)
    await compact(this.db, path)
  }

  /**
   * Plain VACUUM: the file rebuilt packed (rebuild-file.ts), every other handle's statements held
   * back meanwhile (they wait as behind a transaction). Refused, as SQLite refuses it, while a
   * snapshot is open ("SQL statements in progress": a stream being read, which reads the old file);
   * not done on a database handed in open, which others may hold, nor on a read-only one.
   */
  async #rebuild(): Promise<void> {
    const file = this.#file
    if (file === undefined)
      throw unsupported(
        this.#db.readOnly
          ? 'vacuum of a database opened read-only'
          : "vacuum of a database handed in open (`database`): others may hold it; vacuum into 'file' writes a packed copy",
      )
    if (this.#db.info().readers.open > 0)
      throw new BTreeSqlError('BTREE_SQL_TRANSACTION', 'cannot VACUUM - SQL statements in progress')
    this.#claim(REBUILDING)
    try {
      // SQLite's VACUUM changes the schema cookie (catalog/schema-version.ts).
      await this.#db.update((tx) => bumpSchemaVersion(tx), this.#commitOptions)
      await rebuildFile(this.#db, file, (db) => {
        this.#db = db
        this.#snapshotCatalog = undefined
        this.#lastWrite = undefined
      })
    } finally {
      this.#end()
    }
  }

  /**
   * `pragma database_list`: main, with its file's full path, then temp (its file name empty) once
   * the connection has a temporary table or view, as SQLite lists its temp database once opened.
   */
  #databaseList(): Record<string, unknown>[] {
    const rows: Record<string, unknown>[] = [{ seq: 0, name: 'main', file: nodePath.resolve(this.#db.path) }]
    const catalog = this.catalog()
    if (catalog.tables().some((t) => t.temporary === true) || catalog.views().some((v) => v.temporary === true))
      rows.push({ seq: 1, name: 'temp', file: '' })
    return rows
  }

  /** Rolls back a transaction left open (the driver is being destroyed). */
  abandon(): void {
    if (this.#tx !== undefined && !this.#tx.closed) this.#tx.rollback()
    this.#end()
  }
}

/** The plan a statement would run with on `tx`, neither reading nor writing rows. */
export function planOn(tx: ReadTransaction, node: AnyNode, handler: StatementHandler): QueryPlan | undefined {
  let plan: QueryPlan | undefined
  const ctx = {
    tx,
    catalog: loadCatalog(tx),
    session: {
      lastInsertRowid: 0,
      changes: 0,
      totalChanges: 0,
      foreignKeys: false,
      deferForeignKeys: false,
      deferredViolations: 0,
    },
    planOnly: true,
    onPlan: (p: QueryPlan | (() => QueryPlan)) => (plan = typeof p === 'function' ? p() : p),
  } as unknown as WriteContext
  handler.run(node, ctx)
  return plan
}
