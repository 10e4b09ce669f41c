import { numberOf, Real, storageClass, StorageClass, type SqlValue } from '../encoding/values.js'

/**
 * A string equal for two values exactly when SQLite's comparison (BINARY collation, no affinity)
 * finds them equal: 1 and 1.0 share a key, 1 and '1' do not. Grouping, distinct, count(distinct)
 * and hash joins key their maps with it.
 */
export function valueKey(v: SqlValue): string {
  switch (storageClass(v)) {
    case StorageClass.Null:
      return 'N'
    case StorageClass.Numeric: {
      if (typeof v === 'bigint') return `n${v}`
      const n = numberOf(v as number)
      return Number.isInteger(n) && !Number.isSafeInteger(n) ? `n${BigInt(n)}` : `n${n === 0 ? 0 : n}`
    }
    case StorageClass.Text:
      return `t${v as string}`
    default:
      return `b${Buffer.from(v as Uint8Array).toString('hex')}`
  }
}

/** The key of several values (a group by tuple, a distinct row). */
export function rowKey(values: readonly SqlValue[]): string {
  let out = ''
  for (const v of values) out += valueKey(v) + '\u0000'
  return out
}

/**
 * The rows seen so far, equal as valueKey makes values equal (distinct, union): `add` tells
 * whether a row is new. A row of one text or one number within ±2^53 (or not integral) is kept
 * as itself, in a set of texts or of numbers, without a key string per row.
 */
export class SeenRows {
  readonly #texts = new Set<string>()
  readonly #numbers = new Set<number>()
  readonly #keys = new Set<string>()

  add(values: readonly SqlValue[]): boolean {
    return values.length === 1 ? this.addValue(values[0]!) : added(this.#keys, rowKey(values))
  }

  /** add() of a row of one value. */
  addValue(v: SqlValue): boolean {
    if (typeof v === 'string') return added(this.#texts, v)
    // A Set finds -0 and 0 the same, as SQLite does.
    const n = plainNumber(v)
    return n !== undefined ? added(this.#numbers, n) : added(this.#keys, valueKey(v))
  }
}

function added<T>(set: Set<T>, v: T): boolean {
  if (set.has(v)) return false
  set.add(v)
  return true
}

/**
 * Items filed under values, found again by any value equal as valueKey makes values equal (a hash
 * join's or a semi-join's table): a text or a number within ±2^53 (or not integral) is its own
 * key, in a map of texts or of numbers, without a key string per item.
 */
export class ValueBuckets<T> {
  readonly #texts = new Map<string, T[]>()
  readonly #numbers = new Map<number, T[]>()
  readonly #keys = new Map<string, T[]>()

  add(v: SqlValue, item: T): void {
    const list = this.get(v)
    if (list !== undefined) list.push(item)
    else if (typeof v === 'string') this.#texts.set(v, [item])
    else {
      const n = plainNumber(v)
      if (n !== undefined) this.#numbers.set(n, [item])
      else this.#keys.set(valueKey(v), [item])
    }
  }

  /** Calls `visit` with each value's items. */
  forEachList(visit: (items: T[]) => void): void {
    for (const map of [this.#texts, this.#numbers, this.#keys] as Map<unknown, T[]>[])
      for (const list of map.values()) visit(list)
  }

  get(v: SqlValue): T[] | undefined {
    if (typeof v === 'string') return this.#texts.get(v)
    const n = plainNumber(v)
    return n !== undefined ? this.#numbers.get(n) : this.#keys.get(valueKey(v))
  }
}

/** `v` as a number a Map may key (a safe integer or not integral; -0 and 0 alike), else undefined. */
function plainNumber(v: SqlValue): number | undefined {
  if (typeof v !== 'number' && !(v instanceof Real)) return undefined
  const n = numberOf(v)
  return Number.isSafeInteger(n) || !Number.isInteger(n) ? n : undefined
}
