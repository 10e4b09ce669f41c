import type { Kysely } from 'kysely'
import { BTreeAdapter } from './adapter.js'
import { unsupported } from './errors.js'

/**
 * Writes the commits still held by the engine's journal into the file's pages, as SQLite's
 * `PRAGMA wal_checkpoint` does for its WAL. The engine checkpoints on its own once the journal
 * passes its bounds (the `journalSize` and `dirtySize` open options, hundreds of MiB by default);
 * until then the rows written since the last checkpoint are read from its in-memory trees, which a
 * scan of a whole table reads more slowly than pages (a group-by over 10,000 rows after 9,000
 * single-row updates ran at 2.0× better-sqlite3's rate, against 3.0× after a checkpoint, in the
 * package's benchmark). Call it after a burst of writes, before read-heavy work; it is a no-op
 * when the journal holds nothing. It runs once any open transaction ends (call it outside
 * `db.transaction()`), and a transaction begun meanwhile waits for it.
 */
export async function checkpoint<DB>(db: Kysely<DB>): Promise<void> {
  const adapter = db.getExecutor().adapter
  if (!(adapter instanceof BTreeAdapter))
    throw unsupported('checkpoint on a Kysely instance that does not use BTreeDialect')
  await adapter.driver.checkpoint()
}
