import type { Cursor, ReadBucket } from 'btree-store'
import { compare, utf8, type KeyFormat } from '../bytes.js'
import { aboveLower, belowUpper, type Bound, type KeyRange, type LocalTarget } from '../routing/bucket-range.js'
import { ItemKind, keyOut, valueOut, type Item } from './items.js'

/**
 * A cursor over one bucket within a range of its own keys, walking forward or in reverse; the
 * keys it yields are those of the bucket (without `prefix`). `key` and `value` are views into page
 * memory, valid until the next move.
 */
export class BucketSource {
  readonly prefix: Uint8Array
  #prefixText: string | undefined
  readonly #cursor: Cursor
  readonly #lower: Bound | undefined
  readonly #upper: Bound | undefined
  readonly #reverse: boolean
  #valid = false

  constructor(bucket: ReadBucket, prefix: Uint8Array, range: KeyRange, reverse: boolean) {
    this.prefix = prefix
    this.#cursor = bucket.cursor()
    this.#lower = range.lower
    this.#upper = range.upper
    this.#reverse = reverse
  }

  /** The prefix as text, for keys handed out as utf8. */
  get prefixText(): string {
    this.#prefixText ??= utf8(this.prefix)
    return this.#prefixText
  }

  get valid(): boolean {
    return this.#valid
  }

  get key(): Uint8Array {
    return this.#cursor.key!
  }

  get value(): Uint8Array {
    return this.#cursor.value!
  }

  /** Moves to the first entry of the range in the walking direction. */
  rewind(): void {
    if (this.#reverse) {
      if (this.#upper === undefined) this.#cursor.last()
      else this.#atOrBefore(this.#upper.key, this.#upper.inclusive)
    } else {
      if (this.#lower === undefined) this.#cursor.first()
      else this.#atOrAfter(this.#lower.key, this.#lower.inclusive)
    }
    this.#settle()
  }

  /** Leaves the range: not valid until the next rewind or seek. */
  exhaust(): void {
    this.#valid = false
  }

  advance(): void {
    if (this.#reverse) this.#cursor.prev()
    else this.#cursor.next()
    this.#settle()
  }

  /**
   * Writes items to `out` from index `taken` on, until it holds `size` or the range ends (returns
   * how many it holds), and leaves the source on the entry after the last one taken: the merged cursor's loop when no
   * other bucket has entries left, without its per-entry choice. Only the far bound is checked,
   * as in advance(): the rewind or seek proved the near one.
   */
  drain(
    out: Item[],
    taken: number,
    size: number,
    kind: ItemKind,
    keyFormat: KeyFormat,
    valueFormat: KeyFormat,
  ): number {
    const c = this.#cursor
    const prefix = this.prefix
    const prefixText = keyFormat === 'utf8' ? this.prefixText : ''
    const reverse = this.#reverse
    const far = reverse ? this.#lower : this.#upper
    let n = taken
    while (n < size) {
      const key = c.key!
      switch (kind) {
        case ItemKind.Entry:
          out[n] = [keyOut(prefix, prefixText, key, keyFormat), valueOut(c.value!, valueFormat)]
          break
        case ItemKind.EntryKeyOnly:
          out[n] = [keyOut(prefix, prefixText, key, keyFormat), undefined]
          break
        case ItemKind.EntryValueOnly:
          out[n] = [undefined, valueOut(c.value!, valueFormat)]
          break
        case ItemKind.Key:
          out[n] = keyOut(prefix, prefixText, key, keyFormat)
          break
        default:
          out[n] = valueOut(c.value!, valueFormat)
      }
      n++
      if (!(reverse ? c.prev() : c.next())) {
        this.#valid = false
        return n
      }
      if (far !== undefined && !(reverse ? aboveLower(c.key!, far) : belowUpper(c.key!, far))) {
        this.#valid = false
        return n
      }
    }
    return n
  }

  /**
   * Moves to `target` (a key of this bucket within the range) or the next entry after it in the
   * walking direction; targets before or after the whole bucket rewind or exhaust it.
   */
  seek(target: LocalTarget): void {
    const behind = this.#reverse ? 'after' : 'before'
    if (target.kind === behind) {
      this.rewind()
      return
    }
    if (target.kind !== 'key') {
      this.#valid = false
      return
    }
    if (this.#reverse) this.#atOrBefore(target.key, true)
    else this.#atOrAfter(target.key, true)
    this.#settle()
  }

  #atOrAfter(key: Uint8Array, inclusive: boolean): void {
    const c = this.#cursor
    if (key.byteLength === 0 ? !c.first() : !c.seek(key)) return
    if (!inclusive && compare(c.key!, key) === 0) c.next()
  }

  #atOrBefore(key: Uint8Array, inclusive: boolean): void {
    const c = this.#cursor
    const found = key.byteLength === 0 ? c.first() : c.seek(key)
    if (!found) {
      c.last()
      return
    }
    const cmp = compare(c.key!, key)
    if (cmp > 0 || (cmp === 0 && !inclusive)) c.prev()
  }

  /** Valid when on an entry within the range (the far bound is the one that can be crossed). */
  #settle(): void {
    const c = this.#cursor
    if (!c.valid) {
      this.#valid = false
      return
    }
    const key = c.key!
    this.#valid = this.#reverse ? aboveLower(key, this.#lower) : belowUpper(key, this.#upper)
  }
}
