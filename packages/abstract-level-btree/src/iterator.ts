import { AbstractIterator, AbstractKeyIterator, AbstractValueIterator } from 'abstract-level'
import { toBytes, type KeyFormat } from './bytes.js'
import { toLevelError } from './errors.js'
import { MergedCursor } from './read/merged-cursor.js'
import type { ReadState } from './read/read-state.js'
import { rangeOf, type RangeOptions } from './routing/bucket-range.js'

/** What abstract-level passes to `_iterator`, `_keys` and `_values` (range already encoded). */
export interface IteratorOptions extends RangeOptions {
  keyEncoding: KeyFormat
  valueEncoding: KeyFormat
  reverse: boolean
  limit: number
  keys?: boolean
  values?: boolean
}

/** abstract-level's iterator classes, as this file uses them (its .d.ts lacks the private API). */
interface IteratorInternals {
  readonly limit: number
  readonly count: number
}
type IteratorBase = new (db: object, options: object) => IteratorInternals
const EntryBase = AbstractIterator as unknown as IteratorBase
const KeyBase = AbstractKeyIterator as unknown as IteratorBase
const ValueBase = AbstractValueIterator as unknown as IteratorBase

type Entry = [string | Uint8Array | undefined, string | Uint8Array | undefined]

/**
 * The state all three iterator kinds share: a merged cursor over the snapshot taken when the
 * iterator was made (implicit snapshot) or the one passed in (explicit), released on close.
 * Entries handed out are copies: no later write or move can change them.
 */
class IteratorReader {
  readonly #state: ReadState
  readonly #options: IteratorOptions
  /** Made at the first read or seek: an explicit snapshot may be closed before then, which
   * abstract-level reports (LEVEL_SNAPSHOT_NOT_OPEN) when that read starts. */
  #merged: MergedCursor | undefined
  readonly #keyFormat: KeyFormat
  readonly #valueFormat: KeyFormat
  #closed = false

  constructor(state: ReadState, options: IteratorOptions) {
    this.#state = state
    this.#options = options
    this.#keyFormat = options.keyEncoding
    this.#valueFormat = options.valueEncoding
  }

  get #cursor(): MergedCursor {
    this.#merged ??= new MergedCursor(this.#state.tx, this.#state.registry, rangeOf(this.#options), this.#options.reverse)
    return this.#merged
  }

  /** Up to `size` items (at least one when any is left), each made by `take`. */
  read<T>(size: number, take: Take<T>): T[] {
    const out: T[] = []
    try {
      const cursor = this.#cursor
      const keyFormat = this.#keyFormat
      const valueFormat = this.#valueFormat
      while (out.length < size && cursor.valid) {
        out.push(take(cursor, keyFormat, valueFormat))
        cursor.next()
      }
    } catch (err) {
      throw toLevelError(err)
    }
    return out
  }

  /** The next item, or undefined at the end. */
  one<T>(take: Take<T>): T | undefined {
    return this.read(1, take)[0]
  }

  seek(target: string | Uint8Array): void {
    try {
      this.#cursor.seek(toBytes(target))
    } catch (err) {
      throw toLevelError(err)
    }
  }

  close(): void {
    if (this.#closed) return
    this.#closed = true
    this.#state.release()
  }
}

/** Makes one item from the cursor's current entry. */
type Take<T> = (c: MergedCursor, keyFormat: KeyFormat, valueFormat: KeyFormat) => T
const takeEntry: Take<Entry> = (c, k, v) => [c.keyAs(k), c.valueAs(v)]
const takeKeyOnly: Take<Entry> = (c, k) => [c.keyAs(k), undefined]
const takeValueOnly: Take<Entry> = (c, _k, v) => [undefined, c.valueAs(v)]
const takeKey: Take<string | Uint8Array> = (c, k) => c.keyAs(k)
const takeValue: Take<string | Uint8Array> = (c, _k, v) => c.valueAs(v)

function entryTaker(options: IteratorOptions): Take<Entry> {
  if (options.keys === false) return takeValueOnly
  if (options.values === false) return takeKeyOnly
  return takeEntry
}

/** `db.iterator()`: entries. */
export class BTreeIterator extends EntryBase {
  readonly #reader: IteratorReader
  readonly #take: Take<Entry>

  constructor(db: object, options: IteratorOptions, state: ReadState) {
    super(db, options)
    this.#reader = new IteratorReader(state, options)
    this.#take = entryTaker(options)
  }

  async _next(): Promise<Entry | undefined> {
    return this.#reader.one(this.#take)
  }

  async _nextv(size: number): Promise<Entry[]> {
    return this.#reader.read(size, this.#take)
  }

  async _all(): Promise<Entry[]> {
    return this.#reader.read(this.limit - this.count, this.#take)
  }

  _seek(target: string | Uint8Array): void {
    this.#reader.seek(target)
  }

  async _close(): Promise<void> {
    this.#reader.close()
  }
}

/** `db.keys()`. */
export class BTreeKeyIterator extends KeyBase {
  readonly #reader: IteratorReader

  constructor(db: object, options: IteratorOptions, state: ReadState) {
    super(db, options)
    this.#reader = new IteratorReader(state, options)
  }

  async _next(): Promise<string | Uint8Array | undefined> {
    return this.#reader.one(takeKey)
  }

  async _nextv(size: number): Promise<Array<string | Uint8Array>> {
    return this.#reader.read(size, takeKey)
  }

  async _all(): Promise<Array<string | Uint8Array>> {
    return this.#reader.read(this.limit - this.count, takeKey)
  }

  _seek(target: string | Uint8Array): void {
    this.#reader.seek(target)
  }

  async _close(): Promise<void> {
    this.#reader.close()
  }
}

/** `db.values()`. */
export class BTreeValueIterator extends ValueBase {
  readonly #reader: IteratorReader

  constructor(db: object, options: IteratorOptions, state: ReadState) {
    super(db, options)
    this.#reader = new IteratorReader(state, options)
  }

  async _next(): Promise<string | Uint8Array | undefined> {
    return this.#reader.one(takeValue)
  }

  async _nextv(size: number): Promise<Array<string | Uint8Array>> {
    return this.#reader.read(size, takeValue)
  }

  async _all(): Promise<Array<string | Uint8Array>> {
    return this.#reader.read(this.limit - this.count, takeValue)
  }

  _seek(target: string | Uint8Array): void {
    this.#reader.seek(target)
  }

  async _close(): Promise<void> {
    this.#reader.close()
  }
}
