import { compareValues, type SqlValue } from '../encoding/values.js'

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
