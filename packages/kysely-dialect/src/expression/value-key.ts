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
    if (values.length === 1) {
      const v = values[0]!
      if (typeof v === 'string') return added(this.#texts, v)
      if (typeof v === 'number' || v instanceof Real) {
        const n = numberOf(v)
        // A Set finds -0 and 0 the same, as SQLite does.
        if (Number.isSafeInteger(n) || !Number.isInteger(n)) return added(this.#numbers, n)
      }
    }
    return added(this.#keys, rowKey(values))
  }
}

function added<T>(set: Set<T>, v: T): boolean {
  if (set.has(v)) return false
  set.add(v)
  return true
}
