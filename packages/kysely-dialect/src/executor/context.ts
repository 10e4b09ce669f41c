import type { ReadTransaction, WriteTransaction } from 'btree-store'
import type { Catalog } from '../catalog/catalog.js'
import type { QueryPlan } from '../planner/plan.js'

/** State that outlives statements on one logical connection, as SQLite keeps it per connection. */
export interface Session {
  /** SQLite's last_insert_rowid(): the rowid of the newest row an insert added (0 before any). */
  lastInsertRowid: number
  /** SQLite's changes(): the rows the latest insert, update or delete changed. */
  changes: number
  /** SQLite's total_changes(): the rows every insert, update and delete changed since the open. */
  totalChanges: number
  /** `PRAGMA foreign_keys`: whether foreign keys are enforced (the dialect's `foreignKeys`, on unless set false). */
  foreignKeys: boolean
  /** `PRAGMA defer_foreign_keys`: every foreign key is checked at the commit; off again after each commit or rollback. */
  deferForeignKeys: boolean
  /**
   * SQLite's deferred constraint counter: violations of deferred foreign keys the open transaction
   * (or the autocommit statement) made and has not resolved; a commit fails while it is above 0.
   */
  deferredViolations: number
}

export interface ExecContext {
  readonly tx: ReadTransaction
  readonly catalog: Catalog
  readonly session: Session
  /**
   * Called with each statement's plan, or a function that describes it (a cached statement's plan
   * is described only if asked for); the connection keeps the last one.
   */
  readonly onPlan?: (plan: QueryPlan | (() => QueryPlan)) => void
  /** Plan only: statements return before reading or writing rows. */
  readonly planOnly?: boolean
}

/** A write statement's context: its transaction is the write transaction. */
export interface WriteContext extends ExecContext {
  readonly tx: WriteTransaction
}

export interface StatementResult {
  rows: Record<string, unknown>[]
  /** Rows inserted, updated or deleted (0 for schema statements). */
  changes: number
  /** The statement returns rows (a select, or `returning`), as better-sqlite3's `stmt.reader`. */
  reader: boolean
  plan?: QueryPlan | undefined
  /**
   * An INSERT OR FAIL that stopped at a row's constraint failure: the rows before it stay written
   * (the session keeps the statement's changes) and this is the error the statement reports.
   */
  failure?: unknown
}

/**
 * A statement compiled and planned once (statement-cache.ts): `execute` runs it with the values
 * bound at the time, on a transaction whose schema is the one it was compiled against.
 */
export interface PreparedStatement<C extends ExecContext = ExecContext> {
  /** Whether the plan still suits `tx` (row counts the planner read); else compile afresh. */
  fits(tx: ReadTransaction): boolean
  execute(ctx: C): StatementResult
}
