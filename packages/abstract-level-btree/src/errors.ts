import { BTreeError, type ErrorCode } from 'btree-store'
import ModuleError from 'module-error'

/**
 * The codes this backend throws. They are abstract-level's own (its README, "Errors"), so code
 * written for classic-level keeps working; the engine's error is the `cause`.
 */
export type LevelErrorCode =
  /** The database is not open (or failed to open: `cause` says why). */
  | 'LEVEL_DATABASE_NOT_OPEN'
  /** Another open database, in this process or another, holds the location. */
  | 'LEVEL_LOCKED'
  /** A page failed its checksum or a structural check, or the file is not a database. */
  | 'LEVEL_CORRUPTION'
  /** The file system failed, or (opening with `createIfMissing: false` or `readOnly`) the location holds no database. */
  | 'LEVEL_IO_ERROR'
  /** Opening with `errorIfExists: true` a location that holds a database. */
  | 'LEVEL_DATABASE_EXISTS'
  /** A key the engine cannot store (longer than its limit). */
  | 'LEVEL_INVALID_KEY'
  /** A value the engine cannot store (2 GiB or more). */
  | 'LEVEL_INVALID_VALUE'
  /** A write to a database opened with `readOnly: true`. */
  | 'LEVEL_READONLY'
  /** Opening a location that holds a classic-level (LevelDB) database, which this backend cannot read. */
  | 'LEVEL_NOT_SUPPORTED'
  /**
   * An argument or option of the wrong type or out of range (a LevelTypeError or LevelRangeError),
   * the engine's options (`pageSize`, `cacheSize`; the engine's BTREE_INVALID_ARGUMENT is the
   * `cause`) and a `namespace` too long for its bucket names (refused at open) included.
   */
  | 'LEVEL_INVALID_ARGUMENT'
  /**
   * The `signal` of an iterator or of copyFromLevel aborted the read or copy in progress
   * (abstract-level's AbortError: `name` is `'AbortError'`, the signal's reason the `cause`).
   */
  | 'LEVEL_ABORTED'

/** An error of this backend: a stable `code`, and the engine's error (if any) as `cause`. */
export class BTreeLevelError extends Error {
  readonly code: LevelErrorCode

  constructor(code: LevelErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'BTreeLevelError'
    this.code = code
  }
}

/**
 * A TypeError with code `LEVEL_INVALID_ARGUMENT`: an argument or option of the wrong type (the
 * constructor, the additional methods, copyFromLevel). Still a TypeError, with classic-level's
 * messages, for code that tests the class.
 */
export class LevelTypeError extends TypeError {
  readonly code: LevelErrorCode = 'LEVEL_INVALID_ARGUMENT'

  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'TypeError'
  }
}

/** A RangeError with code `LEVEL_INVALID_ARGUMENT`: an option out of its range. */
export class LevelRangeError extends RangeError {
  readonly code: LevelErrorCode = 'LEVEL_INVALID_ARGUMENT'

  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'RangeError'
  }
}

/**
 * Engine codes and the Level code each maps to. Codes not listed pass through unchanged: the README's
 * "Errors" names the ones a Level user can meet (a runtime too old, an engine bug).
 */
const LEVEL_CODES: Partial<Record<ErrorCode, LevelErrorCode>> = {
  BTREE_INVALID_ARGUMENT: 'LEVEL_INVALID_ARGUMENT',
  // The only bucket names this backend makes are its namespace's, checked at open (a shared
  // engine's bucket names, should one reach here).
  BTREE_BUCKET_NAME_INVALID: 'LEVEL_INVALID_ARGUMENT',
  BTREE_CLOSED: 'LEVEL_DATABASE_NOT_OPEN',
  BTREE_LOCKED: 'LEVEL_LOCKED',
  BTREE_CORRUPTION: 'LEVEL_CORRUPTION',
  BTREE_NOT_A_DATABASE: 'LEVEL_CORRUPTION',
  BTREE_IO: 'LEVEL_IO_ERROR',
  BTREE_TX_READONLY: 'LEVEL_READONLY',
  BTREE_KEY_REQUIRED: 'LEVEL_INVALID_KEY',
  BTREE_KEY_TOO_LARGE: 'LEVEL_INVALID_KEY',
  BTREE_VALUE_TOO_LARGE: 'LEVEL_INVALID_VALUE',
}

/** The Level error for an engine error (engine error as `cause`); any other error unchanged. */
export function toLevelError(err: unknown): unknown {
  // The engine's RangeErrors and TypeErrors carry engine codes too, without being BTreeErrors.
  if (!(err instanceof Error) || !(err instanceof BTreeError || err instanceof RangeError || err instanceof TypeError))
    return err
  const code = LEVEL_CODES[(err as { code?: unknown }).code as ErrorCode]
  if (code === undefined) return err
  // A bad argument stays the TypeError or RangeError it was, as abstract-level's own are.
  if (code === 'LEVEL_INVALID_ARGUMENT' && err instanceof TypeError)
    return new LevelTypeError(err.message, { cause: err })
  if (code === 'LEVEL_INVALID_ARGUMENT' && err instanceof RangeError)
    return new LevelRangeError(err.message, { cause: err })
  return new BTreeLevelError(code, err.message, { cause: err })
}

/** Runs `fn`, rethrowing engine errors as Level errors. */
export function mapErrors<T>(fn: () => T): T {
  try {
    return fn()
  } catch (err) {
    throw toLevelError(err)
  }
}

/**
 * Throws abstract-level's AbortError (code `LEVEL_ABORTED`, name `AbortError`, the signal's reason
 * as `cause`) once `signal` has aborted, so that an aborted iterator read and an aborted copy
 * reject alike, and as abstract-level's own checks do.
 */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted !== true) return
  const reason: unknown = signal.reason
  const error = new ModuleError('Operation has been aborted', {
    code: 'LEVEL_ABORTED',
    ...(reason instanceof Error ? { cause: reason } : {}),
  })
  Object.defineProperty(error, 'name', { value: 'AbortError' })
  throw error
}
