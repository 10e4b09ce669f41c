import { numberOf, storageClass, StorageClass, type SqlValue } from '../encoding/values.js'

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
