import { AbstractIterator, AbstractKeyIterator, AbstractValueIterator } from 'abstract-level'
import { toBytes, type KeyFormat } from './bytes.js'
import { toLevelError } from './errors.js'
import { ItemKind, type Item } from './read/items.js'
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
    this.#merged ??= new MergedCursor(
      this.#state.tx,
      this.#state.registry,
      rangeOf(this.#options),
      this.#options.reverse,
    )
    return this.#merged
  }

  /** Up to `size` items of `kind` (at least one when any is left). */
  read<T extends Item>(size: number, kind: ItemKind): T[] {
    try {
      return this.#cursor.collect(size, kind, this.#keyFormat, this.#valueFormat) as T[]
    } catch (err) {
      throw toLevelError(err)
    }
  }

  /** The next item, or undefined at the end. */
  one<T extends Item>(kind: ItemKind): T | undefined {
    try {
      return this.#cursor.take(kind, this.#keyFormat, this.#valueFormat) as T | undefined
    } catch (err) {
      throw toLevelError(err)
    }
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

function entryKind(options: IteratorOptions): ItemKind {
  if (options.keys === false) return ItemKind.EntryValueOnly
  if (options.values === false) return ItemKind.EntryKeyOnly
  return ItemKind.Entry
}

/** `db.iterator()`: entries. */
export class BTreeIterator extends EntryBase {
  readonly #reader: IteratorReader
  readonly #kind: ItemKind

  constructor(db: object, options: IteratorOptions, state: ReadState) {
    super(db, options)
    this.#reader = new IteratorReader(state, options)
    this.#kind = entryKind(options)
  }

  async _next(): Promise<Entry | undefined> {
    return this.#reader.one<Entry>(this.#kind)
  }

  async _nextv(size: number): Promise<Entry[]> {
    return this.#reader.read<Entry>(size, this.#kind)
  }

  async _all(): Promise<Entry[]> {
    return this.#reader.read<Entry>(this.limit - this.count, this.#kind)
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
    return this.#reader.one<string | Uint8Array>(ItemKind.Key)
  }

  async _nextv(size: number): Promise<Array<string | Uint8Array>> {
    return this.#reader.read<string | Uint8Array>(size, ItemKind.Key)
  }

  async _all(): Promise<Array<string | Uint8Array>> {
    return this.#reader.read<string | Uint8Array>(this.limit - this.count, ItemKind.Key)
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
    return this.#reader.one<string | Uint8Array>(ItemKind.Value)
  }

  async _nextv(size: number): Promise<Array<string | Uint8Array>> {
    return this.#reader.read<string | Uint8Array>(size, ItemKind.Value)
  }

  async _all(): Promise<Array<string | Uint8Array>> {
    return this.#reader.read<string | Uint8Array>(this.limit - this.count, ItemKind.Value)
  }

  _seek(target: string | Uint8Array): void {
    this.#reader.seek(target)
  }

  async _close(): Promise<void> {
    this.#reader.close()
  }
}
