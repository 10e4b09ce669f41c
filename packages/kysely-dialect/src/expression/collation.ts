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
 * What an expression says about its collation (SQLite's sqlite3ExprCollSeq): `collation`, the name
 * an explicit COLLATE in it gives (EP_Collate); `columnCollation`, the one its column declares when
 * it is a column reference (or a CAST or unary plus of one): BINARY for a column that declares none.
 */
export interface Collated {
  readonly collation?: string
  readonly columnCollation?: string
}

/** The collation an expression sorts, groups and compares alone under: its explicit one, else its column's. */
export function collationName(e: Collated): string | undefined {
  return e.collation ?? e.columnCollation
}

/** The fold of collationName(e). */
export function exprFold(e: Collated): Fold | undefined {
  return foldOf(collationName(e))
}

/**
 * The collation a comparison of `left` and `right` uses (SQLite's sqlite3BinaryCompareCollSeq):
 * the left operand's explicit COLLATE, else the right one's, else the left operand's column's
 * (BINARY for a column that declares none, which ends the search), else the right one's.
 */
export function comparisonCollation(left: Collated, right: Collated): string | undefined {
  return left.collation ?? right.collation ?? left.columnCollation ?? right.columnCollation
}

/** The fold of comparisonCollation(left, right). */
export function comparisonFold(left: Collated, right: Collated): Fold | undefined {
  return foldOf(comparisonCollation(left, right))
}

/**
 * A collation name as a column or an index declares it: lower case, BINARY as undefined (the
 * default); an unknown name is SQLite's error ("no such collation sequence").
 */
export function declaredCollation(name: string): string | undefined {
  return foldOf(name) === undefined ? undefined : name.toLowerCase()
}
