import type { ReadTransaction } from 'btree-store'
import { compareJoined, concat, copy, type KeyFormat } from '../bytes.js'
import { inRange, localRange, localTarget, type KeyRange } from '../routing/bucket-range.js'
import type { PrefixRegistry } from '../routing/prefix-registry.js'
import { BucketSource } from './bucket-source.js'
import { ItemKind, keyOut, valueOut, type Item } from './items.js'

/**
 * Every entry of a range over full keys (prefixes included) as of one snapshot, in byte order (or
 * reverse), merged from the buckets the range reaches: the root bucket and each sublevel's, whose
 * keys are stored without their prefix. With one bucket (a sublevel without children, or a root
 * without sublevels) there is nothing to merge; with k buckets a step costs O(k) comparisons.
 */
export class MergedCursor {
  readonly #sources: BucketSource[]
  readonly #range: KeyRange
  readonly #reverse: boolean
  #current: BucketSource | undefined
  /** Sources with entries left besides the current one: none lets `collect` drain it directly. */
  #others = 0

  constructor(tx: ReadTransaction, registry: PrefixRegistry, range: KeyRange, reverse: boolean) {
    this.#range = range
    this.#reverse = reverse
    this.#sources = []
    for (const route of registry.routesFor(range)) {
      const local = localRange(range, route.prefix)
      if (local === undefined) continue
      const bucket = tx.bucket(route.bucket)
      if (bucket === undefined || bucket.size === 0) continue
      this.#sources.push(new BucketSource(bucket, route.prefix, local, reverse))
    }
    for (const source of this.#sources) source.rewind()
    this.#pick()
  }

  get valid(): boolean {
    return this.#current !== undefined
  }

  /** The full key, a copy. */
  key(): Buffer {
    const s = this.#current!
    return s.prefix.byteLength === 0 ? copy(s.key) : concat(s.prefix, s.key)
  }

  /** The value, a copy. */
  value(): Buffer {
    return copy(this.#current!.value)
  }

  /**
   * Up to `size` items from the current entry on, in the formats asked for; the cursor moves past
   * them. Once a single bucket has entries left (the root without sublevels, a sublevel without
   * children, or the last bucket of a merge), that bucket's cursor is drained without comparing.
   */
  collect(size: number, kind: ItemKind, keyFormat: KeyFormat, valueFormat: KeyFormat): Item[] {
    // Made at its final length when that is bounded (nextv, limits): no regrowth while filling.
    const out: Item[] = size <= MAX_PREALLOCATED ? new Array<Item>(size) : []
    let n = 0
    while (n < size) {
      const s = this.#current
      if (s === undefined) break
      if (this.#others === 0) {
        n = s.drain(out, n, size, kind, keyFormat, valueFormat)
        if (!s.valid) this.#current = undefined
        break
      }
      out[n++] = itemOf(s, kind, keyFormat, valueFormat)
      this.next()
    }
    out.length = n
    return out
  }

  /** The current entry as an item (undefined at the end), and a move past it: `_next`'s path. */
  take(kind: ItemKind, keyFormat: KeyFormat, valueFormat: KeyFormat): Item | undefined {
    const s = this.#current
    if (s === undefined) return undefined
    const item = itemOf(s, kind, keyFormat, valueFormat)
    if (this.#others === 0) {
      s.advance()
      if (!s.valid) this.#current = undefined
    } else {
      this.next()
    }
    return item
  }

  next(): void {
    this.#current!.advance()
    this.#pick()
  }

  /** Moves to the first entry at or after `target` (at or before, in reverse); none if out of range. */
  seek(target: Uint8Array): void {
    if (!inRange(target, this.#range)) {
      this.#current = undefined
      this.#others = 0
      for (const source of this.#sources) source.exhaust()
      return
    }
    for (const source of this.#sources) source.seek(localTarget(target, source.prefix))
    this.#pick()
  }

  #pick(): void {
    const sources = this.#sources
    let best: BucketSource | undefined
    let valid = 0
    for (let i = 0; i < sources.length; i++) {
      const s = sources[i]!
      if (!s.valid) continue
      valid++
      if (best === undefined) {
        best = s
        continue
      }
      const c = compareJoined(s.prefix, s.key, best.prefix, best.key)
      if (this.#reverse ? c > 0 : c < 0) best = s
    }
    this.#current = best
    this.#others = valid === 0 ? 0 : valid - 1
  }
}

/** The longest item array made at its final length up front. */
const MAX_PREALLOCATED = 4096

/** The source's current entry as an item of `kind`. */
function itemOf(s: BucketSource, kind: ItemKind, keyFormat: KeyFormat, valueFormat: KeyFormat): Item {
  switch (kind) {
    case ItemKind.Entry:
      return [
        keyOut(s.prefix, keyFormat === 'utf8' ? s.prefixText : '', s.key, keyFormat),
        valueOut(s.value, valueFormat),
      ]
    case ItemKind.EntryKeyOnly:
      return [keyOut(s.prefix, keyFormat === 'utf8' ? s.prefixText : '', s.key, keyFormat), undefined]
    case ItemKind.EntryValueOnly:
      return [undefined, valueOut(s.value, valueFormat)]
    case ItemKind.Key:
      return keyOut(s.prefix, keyFormat === 'utf8' ? s.prefixText : '', s.key, keyFormat)
    default:
      return valueOut(s.value, valueFormat)
  }
}
