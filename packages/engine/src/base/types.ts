import type { FileSystem } from '../io/file-handle.js'

/** Keys and values are bytes; a Buffer is a Uint8Array. Keys sort bytewise. */
export type Bytes = Uint8Array

/**
 * `'full'`: the commit's promise resolves once the commit is on stable storage: one fdatasync, of
 * the journal append (or, with `journal: false`, of the commit's pages and meta; FORMAT.md §8, §11).
 * `'none'`: no sync; a power loss may lose recent commits but never corrupts the file (FORMAT.md §8).
 */
export type Durability = 'full' | 'none'

export interface OpenOptions {
  /** Page size for a new file: a power of two from 1024 to 65536 (default 4096). An existing file keeps its own. */
  pageSize?: number
  /** Bytes of pages to keep in memory (default: an eighth of the machine's memory, 64 MiB to 2 GiB). */
  cacheSize?: number
  /** Open without the write lock; every write fails with BTREE_TX_READONLY. */
  readOnly?: boolean
  /** Default durability of commits (default 'full'). */
  durability?: Durability
  /** Run `check()` after every commit and fail the commit's promise with BTREE_INVARIANT when it finds a problem. */
  strict?: boolean
  /** How many pages of dropped buckets each commit gives back to the free list (default 1024). */
  reclaimPerCommit?: number
  /**
   * Commit through a journal of logical changes (FORMAT.md §11, default true): a commit is one
   * append to `<path>-journal` (and one fdatasync with 'full'); checkpoints write pages. `false`
   * writes every commit as pages (copy on write) and uses no journal file.
   */
  journal?: boolean
  /**
   * A checkpoint runs when the journal passes this many bytes (default a sixteenth of the machine's
   * memory, 256 MiB to 1 GiB): also the most a replay after a crash reads, and the journal records
   * the in-memory trees hold until the checkpoint.
   */
  journalSize?: number
  /**
   * ... or when the memory the commits since the last checkpoint hold as in-memory trees passes
   * this many bytes, estimated as 2.5 page sizes per page decoded into a node, 1.2 per packed leaf
   * loaded or split off and 128 bytes per op (default the cache's size, at least 4 MiB). The share
   * of it on V8's heap (decoded pages and ops) is also bounded, by a quarter of the heap limit.
   */
  dirtySize?: number
  /**
   * A `'full'` commit to the journal with no other commit in flight or queued (and no checkpoint
   * writing its pages) calls fdatasync on the caller's thread (default true): faster (no thread pool round trip), but the event loop waits for the
   * sync (~0.1-0.2 ms on an SSD, a disk's seek on a spinning one). Commits that overlap always sync
   * on the thread pool. `false`: every sync on the thread pool, the event loop never waits for one.
   */
  inlineSync?: boolean
  /**
   * A `'full'` commit's journal record is written ahead of its commit as it grows, this many bytes
   * at a time, each write followed by a writeback started on the thread pool (default 16 KiB; 0:
   * never), so that the commit's own write and sync find little left (FORMAT.md §11, "Streamed
   * records"). Records smaller than this are written at commit only.
   */
  journalStream?: number
  /** The file layer (default: the real file system). Tests pass fault-injecting ones. */
  fileSystem?: FileSystem
  /** Take the cross-process write lock (default true). Test doubles without a real path pass false. */
  lock?: boolean
}

export interface UpdateOptions {
  /** This commit's durability; defaults to the database's. */
  durability?: Durability
}

export interface RangeOptions {
  gt?: Bytes
  gte?: Bytes
  lt?: Bytes
  lte?: Bytes
  reverse?: boolean
  /** At most this many entries; -1 or undefined for all. */
  limit?: number
}

/**
 * A position in a bucket. `key` and `value` are views into page memory (or the transaction's own
 * buffers): they stay valid until the cursor's next move, at most until its transaction ends (a
 * later transaction may overwrite a value in place once no snapshot can reach it), and must not
 * be modified. Copy them (`Uint8Array.prototype.slice`) to keep them. Moves return whether the
 * cursor is on an entry.
 */
export interface Cursor {
  first(): boolean
  last(): boolean
  /** Moves to the first key >= `key`. */
  seek(key: Bytes): boolean
  next(): boolean
  prev(): boolean
  readonly valid: boolean
  /** The current key, or undefined when not on an entry. */
  readonly key: Bytes | undefined
  /** The current value, or undefined when not on an entry. */
  readonly value: Bytes | undefined
  /**
   * Points `ref` at the current value where it lies (`ref.bytes[ref.offset]` up to
   * `ref.offset + ref.length`, exclusive) and returns true; returns false, leaving `ref` as it was,
   * when not on an entry. The same bytes as `value`, valid as long (until the next move), but
   * without a view object per entry: a scan that decodes values in place fills one ref for every
   * entry. `ref.bytes` is page memory or a buffer shared by many values: read only the range. An
   * overflow value is read whole, as `value` reads it, with `offset` 0. O(1) for an inline value.
   * Like `key` (and unlike `value`), it does not check that the transaction is still open, except
   * to read an overflow value: the move that landed on the entry checked it.
   */
  valueRef(ref: ValueRef): boolean
  /**
   * A scan's inner loop in one call: points `ref` at the value of the current entry and of each
   * following entry of the same leaf in turn, calling `visit(ref)` after each (keys are not read),
   * then leaves the cursor on the last of them, so that `next()` goes on with the next leaf.
   * Returns how many entries it visited (0 off an entry). `visit` must not move the cursor or
   * write to the bucket. Where a loop of `next()` and `valueRef` pays a move and its checks per
   * entry, this pays them once per leaf.
   */
  leafValueRefs(ref: ValueRef, visit: (ref: ValueRef) => void): number
  /**
   * Points `ref` at the current key where it lies (`ref.bytes[ref.offset]` up to `ref.offset +
   * ref.length`, exclusive) and returns true; returns false, leaving `ref` as it was, when not on an
   * entry. The same bytes as `key`, valid as long (until the next move), without a view object per
   * entry: a scan of an index whose entries are keys decodes them in place. `ref.bytes` is page
   * memory, or a key of its own (out of line, FORMAT.md §10, or written in this transaction): read
   * only the range. O(1). Like `key`, it does not check that the transaction is still open.
   */
  keyRef(ref: ValueRef): boolean
  /**
   * leafValueRefs for keys: points `ref` at the current key and at each following key of the same
   * leaf in turn, calling `visit(ref)` after each (values are not read), then leaves the cursor on
   * the last of them. Returns how many it visited (0 off an entry). `visit` must not move the
   * cursor or write to the bucket.
   */
  leafKeyRefs(ref: ValueRef, visit: (ref: ValueRef) => void): number
}

/** Where a value lies in memory: `bytes[offset]` to `bytes[offset + length - 1]` (Cursor.valueRef). */
export interface ValueRef {
  bytes: Bytes
  offset: number
  length: number
}

export interface ReadBucket {
  readonly name: string
  /** The number of keys. O(1). */
  readonly size: number
  /** A copy of the value, or undefined. O(log n). */
  get(key: Bytes): Bytes | undefined
  /**
   * The value where it lies (a view into page memory or the journal's buffers), not a copy, or
   * undefined. O(log n), and no copy of the bytes: for callers that decode a value and keep
   * nothing of its bytes. Valid until the transaction ends; never write into it. In a write
   * transaction, as after opening a cursor, no value is overwritten in place from then on, so the
   * view keeps its bytes through the transaction's later writes. A value in overflow pages is read
   * into a buffer of its own.
   */
  getView(key: Bytes): Bytes | undefined
  has(key: Bytes): boolean
  cursor(): Cursor
  /** Entries in key order (or reverse); the arrays yielded are copies that stay valid. */
  entries(options?: RangeOptions): IterableIterator<[Bytes, Bytes]>
}

export interface WriteBucket extends ReadBucket {
  /** Inserts or replaces. Any key from empty (it sorts first) to `maxKeySize` bytes; BTREE_KEY_TOO_LARGE past it. */
  put(key: Bytes, value: Bytes): void
  /** Removes the key; returns whether it was there. */
  delete(key: Bytes): boolean
}

export interface ReadTransaction {
  /** The commit this transaction sees. */
  readonly txid: number
  readonly writable: boolean
  readonly closed: boolean
  bucket(name: string): ReadBucket | undefined
  /** Bucket names in byte order of their UTF-8 encoding. */
  buckets(): string[]
  /** Releases the snapshot (a no-op when closed). */
  close(): void
}

/** An opaque marker returned by `savepoint()`. */
export interface Savepoint {
  readonly id: number
}

export interface WriteTransaction extends ReadTransaction {
  bucket(name: string): WriteBucket | undefined
  createBucket(name: string): WriteBucket
  createBucketIfNotExists(name: string): WriteBucket
  /** Drops the bucket and all its entries in O(1); the pages return to the free list over later commits. */
  deleteBucket(name: string): void
  savepoint(): Savepoint
  /** Undoes everything since `sp` (buckets included); `sp` and the transaction stay usable. */
  rollbackTo(sp: Savepoint): void
  /** Forgets `sp` and every savepoint taken after it, keeping their changes. */
  release(sp: Savepoint): void
  commit(options?: UpdateOptions): Promise<void>
  rollback(): void
}

export interface CheckProblem {
  /** The page the problem was found on, when there is one. */
  pageId: number | undefined
  message: string
}

export interface CheckResult {
  ok: boolean
  errors: CheckProblem[]
  /**
   * What open skipped because it failed verification (a newest commit whose pages do not verify, a
   * journal tail that fails its checksum): the file is consistent without it, but a commit written
   * to disk may be lost. `ok` does not count these; the CLI's check does.
   */
  warnings: CheckProblem[]
  pages: {
    /** Pages in the file below the high-water mark. */
    total: number
    /** Reachable from the newest meta: metas, catalog, buckets, overflow, free list pages. */
    reachable: number
    free: number
    /** Freed by a commit, waiting until no reader can still see them. */
    pending: number
    /** Pages of dropped buckets not yet given back to the free list. */
    reclaiming: number
  }
}

export interface BucketStats {
  name: string
  keys: number
  depth: number
  branchPages: number
  leafPages: number
  overflowPages: number
  /** Bytes of page space holding headers, slots, keys and values. */
  bytesUsed: number
  /** bytesUsed over the bytes of the bucket's branch and leaf pages, 0..1. */
  fill: number
  /** Leaf and branch pages counted by fill, in ten buckets of 10%. */
  fillHistogram: number[]
}

export interface Stats {
  pageSize: number
  txid: number
  fileSize: number
  highWater: number
  freePages: number
  pendingPages: number
  reclaimingPages: number
  buckets: BucketStats[]
  total: Omit<BucketStats, 'name'>
  cache: { bytes: number; limit: number; hits: number; misses: number }
}

export interface MetaInfo {
  slot: 0 | 1
  valid: boolean
  txid: number
  /** Why the slot is not valid, when it is not. */
  problem: string | undefined
}

export interface Info {
  path: string
  formatVersion: number
  pageSize: number
  txid: number
  fileSize: number
  highWater: number
  metas: MetaInfo[]
  /** The slot the database opened from. */
  activeMeta: 0 | 1
  /** The txid of the last checkpoint (the active meta's); `txid` is the newest commit. */
  checkpointTxid: number
  /** The journal (FORMAT.md §11), when the database has one. */
  journal: JournalInfo | undefined
  /** What open skipped because it failed verification, and why (check() lists these as warnings). */
  skipped: string[]
  /** Open read snapshots. */
  readers: ReadersInfo
}

export interface ReadersInfo {
  /** How many snapshots are open (each `begin()`, iterator or `view` not yet closed). */
  open: number
  /**
   * The oldest commit an open snapshot sees, or undefined when none is open: pages freed by later
   * commits are kept for it and reused only once it closes.
   */
  oldestTxid: number | undefined
}

export interface JournalInfo {
  path: string
  /** Bytes of records since the last checkpoint. */
  bytes: number
  /** Commits in the journal since the last checkpoint. */
  records: number
}
