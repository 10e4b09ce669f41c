import { compareKeys } from '../page/key-compare.js'
import type { RangeOptions, ValueRef } from '../base/types.js'
import { BTreeTypeError } from '../base/errors.js'
import { assertBytes } from '../base/validate.js'
import type { TreeCursor } from '../tree/cursor.js'

/**
 * Walks a cursor over a key range, yielding copies. `gte` wins over `gt` and `lte` over `lt`
 * (abstract-level's rule). O(log n + entries). The options are checked, and the cursor placed, at
 * the first `next()` (as a generator would).
 */
export function rangeEntries(cursor: TreeCursor, options: RangeOptions = {}): IterableIterator<[Buffer, Buffer]> {
  return new RangeIterator(cursor, options)
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined }

/**
 * The iterator of rangeEntries: a class rather than a generator (a generator's resumption cost
 * ~15 % of a 100-entry range's CPU), copying each key and value straight from where the cursor
 * finds it (Cursor.valueRef, Cursor.keyRef) into one pooled allocation, where `cursor.key` and
 * `cursor.value` made a view of each first and `Buffer.from` copied the view.
 */
class RangeIterator implements IterableIterator<[Buffer, Buffer]> {
  readonly #cursor: TreeCursor
  readonly #options: RangeOptions
  /** Before the first next(): 0; on an entry yielded: 1; done: 2. */
  #state = 0
  #reverse = false
  #limit = -1
  #count = 0
  #lower: Uint8Array | undefined
  #lowerOpen = false
  #upper: Uint8Array | undefined
  #upperOpen = false
  readonly #ref: ValueRef = { bytes: new Uint8Array(0), offset: 0, length: 0 }

  constructor(cursor: TreeCursor, options: RangeOptions) {
    this.#cursor = cursor
    this.#options = options
  }

  [Symbol.iterator](): this {
    return this
  }

  next(): IteratorResult<[Buffer, Buffer]> {
    const cursor = this.#cursor
    let ok: boolean
    if (this.#state === 1) {
      if (this.#limit > 0 && ++this.#count >= this.#limit) return this.#done()
      ok = this.#reverse ? cursor.prev() : cursor.next()
    } else if (this.#state === 0) ok = this.#start()
    else return DONE
    if (!ok) return this.#done()
    const ref = this.#ref
    cursor.keyRef(ref)
    // The copy is what the caller gets; the bound is checked on it (no view of the key is made).
    const key = copyOf(ref)
    if (!this.#reverse) {
      const upper = this.#upper
      if (upper !== undefined) {
        const c = compareKeys(key, upper)
        if (c > 0 || (c === 0 && this.#upperOpen)) return this.#done()
      }
    } else {
      const lower = this.#lower
      if (lower !== undefined) {
        const c = compareKeys(key, lower)
        if (c < 0 || (c === 0 && this.#lowerOpen)) return this.#done()
      }
    }
    cursor.valueRef(ref)
    this.#state = 1
    return { done: false, value: [key, copyOf(ref)] }
  }

  return(): IteratorResult<[Buffer, Buffer]> {
    return this.#done()
  }

  #done(): IteratorReturnResult<undefined> {
    this.#state = 2
    return DONE
  }

  /** Checks the options and places the cursor on the range's first entry; whether there is one. */
  #start(): boolean {
    const options = this.#options
    if (typeof options !== 'object' || options === null) throw new BTreeTypeError('range options must be an object')
    const { gt, gte, lt, lte, reverse = false, limit = -1 } = options
    if (gt !== undefined) assertBytes(gt, 'gt')
    if (gte !== undefined) assertBytes(gte, 'gte')
    if (lt !== undefined) assertBytes(lt, 'lt')
    if (lte !== undefined) assertBytes(lte, 'lte')
    if (typeof limit !== 'number' || Number.isNaN(limit)) throw new BTreeTypeError('limit must be a number')
    const lower = gte ?? gt
    const lowerOpen = gte === undefined && gt !== undefined
    const upper = lte ?? lt
    const upperOpen = lte === undefined && lt !== undefined
    this.#reverse = reverse
    this.#limit = limit
    this.#lower = lower
    this.#lowerOpen = lowerOpen
    this.#upper = upper
    this.#upperOpen = upperOpen
    this.#state = 1
    if (limit === 0) return false
    const cursor = this.#cursor
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
    return ok
  }
}

/**
 * A copy of the bytes `ref` points at, in one pooled allocation (Buffer.allocUnsafe): a byte loop
 * for a short key or value, where making a view to `set` from costs more than the loop.
 */
function copyOf(ref: ValueRef): Buffer {
  const { bytes, offset, length } = ref
  const out = Buffer.allocUnsafe(length)
  if (length <= SHORT_COPY) for (let i = 0; i < length; i++) out[i] = bytes[offset + i]!
  else out.set(new Uint8Array(bytes.buffer, bytes.byteOffset + offset, length))
  return out
}

/** Up to this many bytes, copyOf copies byte by byte (16-byte keys: 150 against 240 ns here). */
const SHORT_COPY = 32
