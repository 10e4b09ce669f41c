import { compareValues, hasSurrogate, type SqlValue } from '../encoding/values.js'

/** What a comparison of sort keys needs of an order term: its direction and where nulls go. */
export interface SortTerm {
  readonly desc: boolean
  readonly nulls: 'first' | 'last' | undefined
}

/**
 * Compares two rows of sort keys term by term (key i under term i), as SQLite's sorter: nulls
 * first ascending and last descending unless `nulls` says otherwise.
 */
export function compareTuples(terms: readonly SortTerm[]): (a: SqlValue[], b: SqlValue[]) => number {
  return (a, b) => {
    for (let i = 0; i < terms.length; i++) {
      const term = terms[i]!
      const x = a[i]!
      const y = b[i]!
      if (term.nulls !== undefined && (x === null) !== (y === null)) {
        return (x === null) === (term.nulls === 'first') ? -1 : 1
      }
      const c = compareValues(x, y)
      if (c !== 0) return term.desc ? -c : c
    }
    return 0
  }
}

/**
 * Sorts `items` by their keys `keyOf(item)` under `terms`, stably (equal keys keep their order).
 * One term whose keys are all plain numbers, or all texts none of which holds a surrogate,
 * compares them as JavaScript does (the same order as compareTuples, without its per-pair checks).
 */
export function sortByKeys<T>(items: T[], keyOf: (item: T) => SqlValue[], terms: readonly SortTerm[]): T[] {
  if (terms.length === 1 && items.length > 1) {
    const desc = terms[0]!.desc
    const first = keyOf(items[0]!)[0]
    if (typeof first === 'number' && items.every((x) => typeof keyOf(x)[0] === 'number' && keyOf(x)[0] === keyOf(x)[0]))
      return items.sort((a, b) => {
        const c = (keyOf(a)[0] as number) - (keyOf(b)[0] as number)
        return desc ? -c : c
      })
    if (
      typeof first === 'string' &&
      items.every((x) => {
        const k = keyOf(x)[0]
        return typeof k === 'string' && !hasSurrogate(k)
      })
    )
      return items.sort((a, b) => {
        const x = keyOf(a)[0] as string
        const y = keyOf(b)[0] as string
        const c = x < y ? -1 : x > y ? 1 : 0
        return desc ? -c : c
      })
  }
  const cmp = compareTuples(terms)
  return items.sort((a, b) => cmp(keyOf(a), keyOf(b)))
}
