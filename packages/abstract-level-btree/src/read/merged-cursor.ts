import type { ReadTransaction } from 'btree-store'
import { compareJoined, concat, copy, utf8, type KeyFormat } from '../bytes.js'
import { inRange, localRange, localTarget, type KeyRange } from '../routing/bucket-range.js'
import type { PrefixRegistry } from '../routing/prefix-registry.js'
import { BucketSource } from './bucket-source.js'

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

  /** The full key in `format`: text decoded straight from the page, or a copy of the bytes. */
  keyAs(format: KeyFormat): string | Uint8Array {
    if (format !== 'utf8') return this.key()
    const s = this.#current!
    return s.prefixText.length === 0 ? utf8(s.key) : s.prefixText + utf8(s.key)
  }

  valueAs(format: KeyFormat): string | Uint8Array {
    return format === 'utf8' ? utf8(this.#current!.value) : this.value()
  }

  next(): void {
    this.#current!.advance()
    this.#pick()
  }

  /** Moves to the first entry at or after `target` (at or before, in reverse); none if out of range. */
  seek(target: Uint8Array): void {
    if (!inRange(target, this.#range)) {
      this.#current = undefined
      for (const source of this.#sources) source.exhaust()
      return
    }
    for (const source of this.#sources) source.seek(localTarget(target, source.prefix))
    this.#pick()
  }

  #pick(): void {
    const sources = this.#sources
    let best: BucketSource | undefined
    for (let i = 0; i < sources.length; i++) {
      const s = sources[i]!
      if (!s.valid) continue
      if (best === undefined) {
        best = s
        continue
      }
      const c = compareJoined(s.prefix, s.key, best.prefix, best.key)
      if (this.#reverse ? c > 0 : c < 0) best = s
    }
    this.#current = best
  }
}
