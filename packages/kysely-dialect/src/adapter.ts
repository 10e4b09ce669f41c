import { DialectAdapterBase, type Kysely, type MigrationLockOptions } from 'kysely'
import type { BTreeDriver } from './driver.js'

export class BTreeAdapter extends DialectAdapterBase {
  constructor(readonly driver: BTreeDriver) {
    super()
  }

  override get supportsTransactionalDdl(): boolean {
    return true
  }

  override get supportsReturning(): boolean {
    return true
  }

  /**
   * Connection handles are cheap views of one session that itself serializes transactions, so
   * Kysely 0.29 need not queue connection use (and autocommit writes can share a group commit).
   */
  get supportsMultipleConnections(): boolean {
    return true
  }

  /**
   * Kysely's Migrator runs (with transactional DDL) inside `db.transaction()`, which here is the
   * engine's write transaction. That is already the lock it asks for, across processes too: the
   * engine lets one process at a time open the file for writing (its lock file; a second process
   * gets BTREE_LOCKED) and, inside that process, one write transaction at a time (others queue).
   * A second Migrator therefore waits for the first to commit, then sees its migrations as done.
   * While it runs, `pragma foreign_keys` takes effect although a transaction is open (SqlSession.pragma).
   */
  async acquireMigrationLock(_db: Kysely<unknown>, _options: MigrationLockOptions): Promise<void> {
    ;(await this.driver.session()).migrating = true
  }

  /** The lock is released when the Migrator's transaction commits or rolls back. */
  async releaseMigrationLock(_db: Kysely<unknown>, _options: MigrationLockOptions): Promise<void> {
    ;(await this.driver.session()).migrating = false
  }
}
