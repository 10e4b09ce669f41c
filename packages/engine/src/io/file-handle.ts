/**
 * The one door between the engine and the disk. The engine never calls `fs` directly, so tests can
 * hand it an in-memory file, one that fails on the Nth call, or one that loses unsynced writes.
 *
 * Reads are synchronous: `view()` and cursors answer on the caller's turn of the event loop, and a
 * page that is not cached is read with a positional `pread`. Syncs, truncation and large writes are
 * asynchronous (the libuv thread pool for the real file), so readers keep running while a commit's
 * I/O is in flight; small writes and a lone commit's sync may also be made synchronously
 * (`writevSync`, `syncSync`).
 *
 * Errors: implementations throw what the file system throws (an Error with an errno `code` such as
 * 'EIO' or 'ENOSPC'); the engine wraps them as BTREE_IO.
 */
export interface FileHandle {
  /**
   * Reads up to `length` bytes at `position` into `buffer` at `offset`; returns the number of bytes
   * read, which is less than `length` only at the end of the file.
   */
  readSync(buffer: Uint8Array, offset: number, length: number, position: number): number
  /** Writes all of `buffers`, back to back, starting at `position`, on the thread pool. */
  writev(buffers: readonly Uint8Array[], position: number): Promise<void>
  /**
   * The same, on the caller's thread. A small scattered write costs ~6 µs this way against
   * ~30-80 µs of main-thread time through the thread pool (measured here), so a commit writes its
   * small runs with this, in slices between which the event loop runs.
   */
  writevSync(buffers: readonly Uint8Array[], position: number): void
  /** Makes every completed write durable (fdatasync), on the thread pool. */
  sync(): Promise<void>
  /**
   * The same, on the caller's thread: the event loop stops for the sync (~0.14 ms on this
   * machine's disk), but the commit saves the thread pool's round trip (~40 µs of main-thread CPU
   * and two thread wake-ups). A durable commit with nothing else in flight syncs with this.
   */
  syncSync(): void
  /**
   * Optional: starts writing the file's written bytes to the device (on the thread pool) and
   * returns at once: a hint that a sync() will follow, so that it finds less to do. It promises
   * nothing and reports nothing: only sync() makes writes durable, and it must report a failure of
   * any write since the last sync() (a writeback this started included). `reason` (default
   * 'ahead'): a sync follows soon, and the file may decline when such writebacks do not pay on its
   * device (io/writeback-policy.ts); 'backlog': unsynced writes piled up, always taken.
   */
  startWriteback?(reason?: WritebackReason): void
  /**
   * Optional: whether startWriteback('ahead') would start a writeback now (the device's policy and
   * the file's own probes allow it). A durable transaction streams its record to the journal ahead
   * of its commit only then (FORMAT.md §11, "Streamed records"): without the writeback, the
   * streamed steps are writes that the commit would have made as one. Absent: streams always.
   */
  readonly writesAhead?: boolean
  /** The file's current size in bytes. */
  size(): number
  /** Sets the file's size; bytes past it are gone. */
  truncate(size: number): Promise<void>
  close(): Promise<void>
}

/** Why a writeback is asked for (FileHandle.startWriteback). */
export type WritebackReason = 'ahead' | 'backlog'

/** How the engine opens files; `open` for the real disk, a factory of test doubles in tests. */
export interface FileSystem {
  /** Opens (creating it when `create`) the file for reading, and for writing unless `readOnly`. */
  open(path: string, options: { readOnly: boolean; create: boolean }): FileHandle
  /** Whether a file exists at `path`. */
  exists(path: string): boolean
}
