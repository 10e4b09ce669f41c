import { BTreeRangeError, BTreeTypeError } from './errors.js'
import type { UpdateOptions } from './types.js'

/**
 * Argument checks shared by the public methods. Each throws a coded TypeError or RangeError. The
 * limits they enforce come from the format (page/layout.ts) and are passed in: this module sits
 * below every other.
 */

export function assertBytes(value: unknown, what: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new BTreeTypeError(`${what} must be a Uint8Array or Buffer, got ${describe(value)}`)
  }
}

export function assertKey(key: unknown, maxKeySize: number): asserts key is Uint8Array {
  assertBytes(key, 'key')
  if (key.length > maxKeySize) {
    throw new BTreeRangeError(
      `key of ${key.length} bytes exceeds the limit of ${maxKeySize} bytes`,
      'BTREE_KEY_TOO_LARGE',
    )
  }
}

export function assertValue(value: unknown, maxValueSize: number): asserts value is Uint8Array {
  assertBytes(value, 'value')
  if (value.length > maxValueSize) {
    throw new BTreeRangeError(
      `value of ${value.length} bytes exceeds the limit of ${maxValueSize}`,
      'BTREE_VALUE_TOO_LARGE',
    )
  }
}

const encoder = new TextEncoder()

/**
 * Names encoded lately: every `tx.bucket(name)` of every small commit would encode the same few
 * names again. The bytes are shared, so no caller may write into them (none does: they are
 * compared, copied into records and pages, never changed).
 */
const nameKeys = new Map<string, Uint8Array>()
const NAME_KEYS = 1024

/**
 * A bucket name as its catalog key (UTF-8), at most `maxNameSize` bytes (`maxBucketNameSize`).
 */
export function bucketNameKey(name: unknown, maxNameSize: number): Uint8Array {
  if (typeof name !== 'string') throw new BTreeTypeError(`bucket name must be a string, got ${describe(name)}`)
  let bytes = nameKeys.get(name)
  if (bytes === undefined) {
    bytes = encoder.encode(name)
    if (nameKeys.size >= NAME_KEYS) nameKeys.clear()
    nameKeys.set(name, bytes)
  }
  if (bytes.length === 0) throw new BTreeRangeError('bucket name must not be empty', 'BTREE_BUCKET_NAME_INVALID')
  if (bytes.length > maxNameSize) {
    throw new BTreeRangeError(
      `bucket name of ${bytes.length} bytes exceeds the limit of ${maxNameSize}`,
      'BTREE_BUCKET_NAME_INVALID',
    )
  }
  return bytes
}

/** A database's path: a non-empty string (open, databaseFiles). */
export function expectPath(path: unknown): asserts path is string {
  if (typeof path !== 'string' || path.length === 0)
    throw new BTreeTypeError(`path must be a non-empty string, got ${describe(path)}`)
}

export function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'object') return `an object (${(value as object).constructor?.name ?? 'Object'})`
  return typeof value
}

/**
 * An optional numeric argument: false when it is absent, true when it is a number (its range is
 * the caller's to check, as a RangeError); anything else is a TypeError.
 */
export function expectNumber(name: string, value: unknown): value is number {
  if (value === undefined) return false
  if (typeof value !== 'number') throw new BTreeTypeError(`${name} must be a number, got ${describeValue(value)}`)
  return true
}

/** A durability: absent, 'full' or 'none'; another string is a RangeError, another type a TypeError. */
export function validateDurability(value: unknown): void {
  if (value === undefined || value === 'full' || value === 'none') return
  if (typeof value !== 'string')
    throw new BTreeTypeError(`durability must be 'full' or 'none', got ${describeValue(value)}`)
  throw new BTreeRangeError(`durability must be 'full' or 'none', got '${value}'`)
}

/** `describe`, with a primitive's value too: "a string ('4096')", "a boolean (true)". */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return `a string ('${value.length > 40 ? value.slice(0, 40) + '...' : value}')`
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return `a ${typeof value} (${String(value)})`
  return describe(value)
}

/** The options of `update` and `commit`. */
export function validateUpdateOptions(options: UpdateOptions | undefined): void {
  if (options === undefined) return
  if (typeof options !== 'object' || options === null) throw new BTreeTypeError('update options must be an object')
  validateDurability(options.durability)
}
