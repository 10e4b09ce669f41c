import { compareKeys } from '../page/key-compare.js'
import type { Cursor, RangeOptions } from '../base/types.js'
import { BTreeTypeError } from '../base/errors.js'
import { assertBytes } from '../base/validate.js'

/**
 * Walks a cursor over a key range, yielding copies. `gte` wins over `gt` and `lte` over `lt`
 * (abstract-level's rule). O(log n + entries).
 */
export function* rangeEntries(cursor: Cursor, options: RangeOptions = {}): Generator<[Buffer, Buffer]> {
  if (typeof options !== 'object' || options === null) throw new BTreeTypeError('range options must be an object')
  const { gt, gte, lt, lte, reverse = false, limit = -1 } = options
  for (const [k, v] of [
    ['gt', gt],
    ['gte', gte],
    ['lt', lt],
    ['lte', lte],
  ] as const)
    if (v !== undefined) assertBytes(v, k)
  if (typeof limit !== 'number' || Number.isNaN(limit)) throw new BTreeTypeError('limit must be a number')
  const lower = gte ?? gt
  const lowerOpen = gte === undefined && gt !== undefined
  const upper = lte ?? lt
  const upperOpen = lte === undefined && lt !== undefined
  if (limit === 0) return
  let ok: boolean
  if (!reverse) {
    ok = lower !== undefined ? cursor.seek(lower) : cursor.first()
    if (ok && lowerOpen && compareKeys(cursor.key!, lower!) === 0) ok = cursor.next()
  } else if (upper !== undefined) {
    ok = cursor.seek(upper)
    if (!ok) ok = cursor.last()
    else {
      const c = compareKeys(cursor.key!, upper)
      if (c > 0 || (c === 0 && upperOpen)) ok = cursor.prev()
    }
  } else {
    ok = cursor.last()
  }
  let n = 0
  while (ok) {
    const key = cursor.key!
    if (!reverse && upper !== undefined) {
      const c = compareKeys(key, upper)
      if (c > 0 || (c === 0 && upperOpen)) return
    }
    if (reverse && lower !== undefined) {
      const c = compareKeys(key, lower)
      if (c < 0 || (c === 0 && lowerOpen)) return
    }
    yield [Buffer.from(key), Buffer.from(cursor.value!)]
    if (limit > 0 && ++n >= limit) return
    ok = reverse ? cursor.prev() : cursor.next()
  }
}
