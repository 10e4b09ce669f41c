import { BTreeRangeError, BTreeTypeError } from './errors.js'
import { BUCKET_RECORD_SIZE } from './page/bucket-record.js'
import { MAX_VALUE_SIZE, OVERFLOW_REF_SIZE, isValidPageSize } from './page/layout.js'
import type { OpenOptions, UpdateOptions } from './types.js'

/** Argument checks shared by the public methods. Each throws a coded TypeError or RangeError. */

export function assertBytes(value: unknown, what: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new BTreeTypeError(`${what} must be a Uint8Array or Buffer, got ${describe(value)}`)
  }
}

export function assertKey(key: unknown, maxKeySize: number): asserts key is Uint8Array {
  assertBytes(key, 'key')
  if (key.length > maxKeySize) {
    throw new BTreeRangeError(
      `key of ${key.length} bytes exceeds the limit of ${maxKeySize} for this page size`,
      'BTREE_KEY_TOO_LARGE',
    )
  }
}

export function assertValue(value: unknown): asserts value is Uint8Array {
  assertBytes(value, 'value')
  if (value.length > MAX_VALUE_SIZE) {
    throw new BTreeRangeError(
      `value of ${value.length} bytes exceeds the limit of ${MAX_VALUE_SIZE}`,
      'BTREE_VALUE_TOO_LARGE',
    )
  }
}

const encoder = new TextEncoder()

/**
 * A bucket name as its catalog key (UTF-8), at most `maxNameSize` bytes (`maxBucketNameSize`).
 */
export function bucketNameKey(name: unknown, maxNameSize: number): Uint8Array {
  if (typeof name !== 'string') throw new BTreeTypeError(`bucket name must be a string, got ${describe(name)}`)
  const bytes = encoder.encode(name)
  if (bytes.length === 0) throw new BTreeRangeError('bucket name must not be empty', 'BTREE_BUCKET_NAME_INVALID')
  if (bytes.length > maxNameSize) {
    throw new BTreeRangeError(
      `bucket name of ${bytes.length} bytes exceeds the limit of ${maxNameSize}`,
      'BTREE_BUCKET_NAME_INVALID',
    )
  }
  return bytes
}

/**
 * The longest bucket name, given the longest inline key: a name is never stored out of line, and its
 * record, which exceeds an overflow reference by this much, must stay inline in the catalog
 * (FORMAT.md §9).
 */
export function maxBucketNameSize(maxInlineKeySize: number): number {
  return maxInlineKeySize - (BUCKET_RECORD_SIZE - OVERFLOW_REF_SIZE)
}

export function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'object') return `an object (${(value as object).constructor?.name ?? 'Object'})`
  return typeof value
}

/** The options of `open`: types and ranges. */
export function validateOpenOptions(path: unknown, options: OpenOptions): void {
  if (typeof path !== 'string' || path.length === 0)
    throw new BTreeTypeError(`path must be a non-empty string, got ${describe(path)}`)
  if (typeof options !== 'object' || options === null) throw new BTreeTypeError('options must be an object')
  const { pageSize, cacheSize, durability, reclaimPerCommit, journal, journalSize, dirtySize } = options
  if (journal !== undefined && typeof journal !== 'boolean')
    throw new BTreeTypeError(`journal must be a boolean, got ${describe(journal)}`)
  for (const [name, v] of [
    ['journalSize', journalSize],
    ['dirtySize', dirtySize],
  ] as const) {
    if (v !== undefined && !(typeof v === 'number' && v >= 0))
      throw new BTreeRangeError(`${name} must be a number of bytes, got ${String(v)}`)
  }
  if (pageSize !== undefined && !isValidPageSize(pageSize)) {
    throw new BTreeRangeError(`pageSize must be a power of two from 1024 to 65536, got ${String(pageSize)}`)
  }
  if (cacheSize !== undefined && (typeof cacheSize !== 'number' || !(cacheSize >= 0))) {
    throw new BTreeRangeError(`cacheSize must be a number of bytes, got ${String(cacheSize)}`)
  }
  if (durability !== undefined && durability !== 'full' && durability !== 'none') {
    throw new BTreeRangeError(`durability must be 'full' or 'none', got ${String(durability)}`)
  }
  if (reclaimPerCommit !== undefined && !(Number.isInteger(reclaimPerCommit) && reclaimPerCommit > 0)) {
    throw new BTreeRangeError(`reclaimPerCommit must be a positive integer, got ${String(reclaimPerCommit)}`)
  }
}

/** The options of `update` and `commit`. */
export function validateUpdateOptions(options: UpdateOptions | undefined): void {
  if (options === undefined) return
  if (typeof options !== 'object' || options === null) throw new BTreeTypeError('update options must be an object')
  const d = options.durability
  if (d !== undefined && d !== 'full' && d !== 'none')
    throw new BTreeRangeError(`durability must be 'full' or 'none', got ${String(d)}`)
}
