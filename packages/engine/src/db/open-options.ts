import { BTreeRangeError, BTreeTypeError } from '../base/errors.js'
import type { OpenOptions } from '../base/types.js'
import { describe, expectNumber, expectPath, validateDurability } from '../base/validate.js'
import { isValidPageSize } from '../page/layout.js'

/** The options of `open`: types and ranges. */
export function validateOpenOptions(path: unknown, options: OpenOptions): void {
  expectPath(path)
  if (typeof options !== 'object' || options === null) throw new BTreeTypeError('options must be an object')
  const {
    pageSize,
    cacheSize,
    durability,
    reclaimPerCommit,
    readOnly,
    strict,
    lock,
    journal,
    journalSize,
    dirtySize,
    inlineSync,
    journalStream,
  } = options
  for (const [name, v] of [
    ['readOnly', readOnly],
    ['strict', strict],
    ['lock', lock],
    ['journal', journal],
    ['inlineSync', inlineSync],
  ] as const) {
    if (v !== undefined && typeof v !== 'boolean')
      throw new BTreeTypeError(`${name} must be a boolean, got ${describe(v)}`)
  }
  for (const [name, v] of [
    ['journalSize', journalSize],
    ['dirtySize', dirtySize],
    ['journalStream', journalStream],
    ['cacheSize', cacheSize],
  ] as const) {
    if (expectNumber(name, v) && !(v >= 0)) throw new BTreeRangeError(`${name} must be a number of bytes, got ${v}`)
  }
  if (expectNumber('pageSize', pageSize) && !isValidPageSize(pageSize)) {
    throw new BTreeRangeError(`pageSize must be a power of two from 1024 to 65536, got ${pageSize}`)
  }
  if (
    expectNumber('reclaimPerCommit', reclaimPerCommit) &&
    !(Number.isInteger(reclaimPerCommit) && reclaimPerCommit > 0)
  ) {
    throw new BTreeRangeError(`reclaimPerCommit must be a positive integer, got ${reclaimPerCommit}`)
  }
  validateDurability(durability)
}
