/**
 * Every error the engine throws carries a stable `code`. Callers compare codes, never messages:
 * the codes are part of the semver contract, the messages are not.
 */
export type ErrorCode =
  /** An argument has the wrong type (thrown as a TypeError) or is out of range (a RangeError). */
  | 'BTREE_INVALID_ARGUMENT'
  /** The database was closed, or is closing. */
  | 'BTREE_CLOSED'
  /** The transaction was committed, rolled back or closed. */
  | 'BTREE_TX_CLOSED'
  /** A write was attempted in a read-only transaction or on a database opened `readOnly`. */
  | 'BTREE_TX_READONLY'
  /** `begin({ writable: true })` while another write transaction holds the writer. */
  | 'BTREE_BUSY'
  /** A savepoint that was released, rolled past or belongs to another transaction. */
  | 'BTREE_SAVEPOINT_INVALID'
  /** `deleteBucket` or the CLI named a bucket that does not exist. */
  | 'BTREE_BUCKET_NOT_FOUND'
  /** `createBucket` named a bucket that exists. */
  | 'BTREE_BUCKET_EXISTS'
  /** A bucket name is empty or longer than the limit. */
  | 'BTREE_BUCKET_NAME_INVALID'
  /**
   * No longer thrown: keys may be empty (a zero-length key sorts first). Kept in the union so that
   * code comparing it keeps compiling.
   */
  | 'BTREE_KEY_REQUIRED'
  /** A key is longer than the page size allows (`maxKeySize`). */
  | 'BTREE_KEY_TOO_LARGE'
  /** A value is larger than the engine can store (2 GiB - 1). */
  | 'BTREE_VALUE_TOO_LARGE'
  /** A page failed its checksum or structural check; `pageId` names it where known. */
  | 'BTREE_CORRUPTION'
  /** Another open handle, in this process or another, holds the write lock. */
  | 'BTREE_LOCKED'
  /** The file system reported an error (EIO, ENOSPC, ...); `cause` holds it. */
  | 'BTREE_IO'
  /** The file is not a btree-store database, or was made by a newer format version. */
  | 'BTREE_NOT_A_DATABASE'
  /** The runtime lacks what the engine needs (Node.js older than 20.15: no `zlib.crc32`). */
  | 'BTREE_UNSUPPORTED_RUNTIME'
  /** An internal invariant was violated: a bug in the engine. */
  | 'BTREE_INVARIANT'

export interface BTreeErrorOptions {
  cause?: unknown
  pageId?: number
}

/** The engine's error: `code` is stable, `pageId` names the page for corruption reports. */
export class BTreeError extends Error {
  readonly code: ErrorCode
  readonly pageId: number | undefined

  constructor(code: ErrorCode, message: string, options: BTreeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'BTreeError'
    this.code = code
    this.pageId = options.pageId
  }
}

/** A TypeError with the engine's `code`, for arguments of the wrong type. */
export class BTreeTypeError extends TypeError {
  readonly code: ErrorCode = 'BTREE_INVALID_ARGUMENT'
  constructor(message: string) {
    super(message)
    this.name = 'TypeError'
  }
}

/** A RangeError with the engine's `code`, for arguments out of range. */
export class BTreeRangeError extends RangeError {
  readonly code: ErrorCode
  constructor(message: string, code: ErrorCode = 'BTREE_INVALID_ARGUMENT') {
    super(message)
    this.name = 'RangeError'
    this.code = code
  }
}

export function corruption(pageId: number, what: string): BTreeError {
  return new BTreeError('BTREE_CORRUPTION', `page ${pageId}: ${what}`, { pageId })
}

/** The database was closed (or is closing): the error every refused call gets. */
export function closedError(): BTreeError {
  return new BTreeError('BTREE_CLOSED', 'the database is closed')
}

export function invariant(what: string): BTreeError {
  return new BTreeError('BTREE_INVARIANT', `invariant violated: ${what}`)
}

/** Wraps a file-system error as BTREE_IO, keeping the errno code in the message and the cause. */
export function ioError(op: string, cause: unknown): BTreeError {
  if (cause instanceof BTreeError) return cause
  const errno = (cause as { code?: unknown } | null)?.code
  const suffix = typeof errno === 'string' ? ` (${errno})` : ''
  return new BTreeError('BTREE_IO', `${op} failed${suffix}`, { cause })
}
