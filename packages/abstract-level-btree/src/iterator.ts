import { AbstractIterator, AbstractKeyIterator, AbstractValueIterator } from 'abstract-level'
import { toBytes, type KeyFormat } from './bytes.js'
import { throwIfAborted, toLevelError } from './errors.js'
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
  /** abstract-level's `signal` option: aborts a read in progress (`supports.signals.iterators`). */
  signal?: AbortSignal | null
}

/**
 * Items a read with a signal collects between two turns of the event loop: a long `all()` or
 * `nextv()` gives the timers and I/O that may abort it a chance to run, ~1 ms of reading apart.
 */
const SIGNAL_SLICE = 1000

/** A turn of the event loop (after the I/O callbacks due). */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

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
  /**
   * The iterator's signal. abstract-level rejects reads begun after it aborted; a read it
   * aborts while in progress rejects here (LEVEL_ABORTED), and a long one yields to the event
   * loop between slices (SIGNAL_SLICE) so that it can be aborted at all.
   */
  readonly #signal: AbortSignal | undefined
  #closed = false

  constructor(state: ReadState, options: IteratorOptions) {
    this.#state = state
    this.#options = options
    this.#keyFormat = options.keyEncoding
    this.#valueFormat = options.valueEncoding
    this.#signal = options.signal ?? undefined
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

  /**
   * Up to `size` items of `kind` (at least one when any is left). With a signal, a promise that
   * rejects if the signal aborts before it settles.
   */
  read<T extends Item>(size: number, kind: ItemKind): T[] | Promise<T[]> {
    if (this.#signal !== undefined) return this.#readAbortable(size, kind, this.#signal)
    return this.#collect<T>(size, kind)
  }

  /** The next item, or undefined at the end; with a signal, as read() does. */
  one<T extends Item>(kind: ItemKind): T | undefined | Promise<T | undefined> {
    let item: T | undefined
    try {
      item = this.#cursor.take(kind, this.#keyFormat, this.#valueFormat) as T | undefined
    } catch (err) {
      throw toLevelError(err)
    }
    return this.#signal === undefined ? item : settled(item, this.#signal)
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

  #collect<T extends Item>(size: number, kind: ItemKind): T[] {
    try {
      return this.#cursor.collect(size, kind, this.#keyFormat, this.#valueFormat) as T[]
    } catch (err) {
      throw toLevelError(err)
    }
  }

  /** read() with a signal: slices of SIGNAL_SLICE items, a turn of the event loop between two. */
  async #readAbortable<T extends Item>(size: number, kind: ItemKind, signal: AbortSignal): Promise<T[]> {
    const items: T[] = []
    for (;;) {
      const want = Math.min(size - items.length, SIGNAL_SLICE)
      const slice = this.#collect<T>(want, kind)
      for (const item of slice) items.push(item)
      // Fewer than asked: the range has ended.
      if (slice.length < want || items.length >= size) break
      await nextTurn()
      throwIfAborted(signal)
    }
    return settled(items, signal)
  }
}

/**
 * `value` once the microtasks queued before it have run, unless `signal` aborted meanwhile: a
 * read's work is synchronous, so an abort that follows the call (as the caller's next statement)
 * meets it still in progress, and rejects it as classic-level's would.
 */
async function settled<T>(value: T, signal: AbortSignal): Promise<T> {
  await undefined
  throwIfAborted(signal)
  return value
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
