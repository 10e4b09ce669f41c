import { BTreeSqlError } from '../errors.js'
import { compareValues, type SqlValue } from '../encoding/values.js'

/**
 * SQLite's built-in collating sequences (datatype3.html §7), as the text each one compares: two
 * texts compare under a collation as their folds compare bytewise, so a fold stands for the
 * collation everywhere a comparison or a sort key is made. BINARY folds nothing (undefined);
 * NOCASE folds the 26 ASCII capitals to lower case (sqlite3StrICmp: nothing beyond ASCII); RTRIM
 * drops trailing spaces (U+0020 only). Numbers, blobs and null are never folded.
 */
export type Fold = (text: string) => string

const FOLDS = new Map<string, Fold | undefined>([
  ['binary', undefined],
  ['nocase', (s) => (/[A-Z]/.test(s) ? s.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : s)],
  ['rtrim', (s) => (s.endsWith(' ') ? s.replace(/ +$/, '') : s)],
])

/**
 * The fold of collation `name` (case-insensitive); undefined for BINARY and for no collation. A
 * name SQLite does not know fails where the collation is used, as in SQLite (`select 'a' collate
 * foo` is no error; comparing or ordering by it is): "no such collation sequence: foo".
 */
export function foldOf(name: string | undefined): Fold | undefined {
  if (name === undefined) return undefined
  const key = name.toLowerCase()
  if (!FOLDS.has(key)) throw new BTreeSqlError('BTREE_SQL_NO_SUCH_COLLATION', `no such collation sequence: ${name}`)
  return FOLDS.get(key)
}

/** `v` as collation `fold` compares it: text folded, anything else as it is. */
export function folded(v: SqlValue, fold: Fold | undefined): SqlValue {
  return fold !== undefined && typeof v === 'string' ? fold(v) : v
}

/** compareValues under a collation: texts by their folds (SQLite's sqlite3MemCompare with a collation). */
export function collatedCompare(fold: Fold | undefined): (a: SqlValue, b: SqlValue) => number {
  if (fold === undefined) return compareValues
  return (a, b) => compareValues(folded(a, fold), folded(b, fold))
}

/**
 * The collation a comparison of `left` and `right` uses (SQLite's sqlite3BinaryCompareCollSeq):
 * the left operand's explicit COLLATE, else the right one's, else BINARY. (Columns declare none:
 * a column definition with COLLATE is refused.)
 */
export function comparisonFold(left: { collation?: string }, right: { collation?: string }): Fold | undefined {
  return foldOf(left.collation ?? right.collation)
}
