import type { OperationNode } from 'kysely'
import { applyComparisonAffinity, comparisonAffinity, type Affinity } from '../catalog/affinity.js'
import { unsupported } from '../errors.js'
import { compareValues, fromJs, hasSurrogate, Real, toText, truth, type SqlValue } from '../encoding/values.js'
import { RowView } from '../encoding/rows.js'
import { dispatch, nameOf, rawChild, rawText, type AnyNode, type NodeKind } from './nodes.js'
import {
  arithmetic,
  ARITHMETIC,
  bitNot,
  bitwise,
  type BytesMatcher,
  currentTime,
  glob,
  like,
  likeBytesMatcher,
  likeIsCaseSensitive,
  negate,
} from './operators.js'
import { byPrecedence, isGrouped } from './precedence.js'
import { compileAggregateNode } from './aggregates.js'
import { compileWindowNode, withWindows } from './window.js'
import { compileCase, compileCast } from './case-cast.js'
import { compileRowComparison, rowValueMisused } from './row-values.js'
import { collatedCompare, comparisonFold, exprFold, foldOf, folded } from './collation.js'
import { compileFunction } from './functions.js'
import { jsonArrow, jsonPathText } from './json.js'
import { resolveRaw } from '../sql/resolve-raw.js'
import { parameterExpr } from './parameters.js'
import { compileExists, compileInSubquery, compileScalarSubquery } from './subquery-hook.js'
import { ROWID_SLOT, type ResolvedColumn, type RowLike, type Scope, type Tuple } from './scope.js'

/**
 * A compiled expression: a closure over the tuple of current rows. Compiling once per statement
 * and calling per row keeps the node walk out of the row loop.
 */
export interface Expr {
  readonly eval: (t: Tuple) => SqlValue
  /** The affinity SQLite gives the expression (a column's; none for everything else). */
  readonly affinity: Affinity | undefined
  /** No column reference: the value is the same for every row. */
  readonly constant: boolean
  /** Set when the expression is exactly a column reference. */
  readonly column?: ResolvedColumn
  /**
   * Set when the expression is exactly a source's rowid pseudo-column (scope.ts: rowidColumn): the
   * source. The planner seeks a table keyed by its rowid with it (planner/terms.ts: ROWID_KEY).
   */
  readonly rowidSource?: number
  /**
   * The collation an explicit `COLLATE` in it names (SQLite's EP_Collate: its own, else its
   * leftmost operand's that has one), as written; comparisons and sorts use it (collation.ts).
   */
  readonly collation?: string
  /**
   * A column reference's declared collation (lower case; `binary` when it declares none), kept
   * through CAST and unary plus: below any explicit one (collation.ts: comparisonCollation).
   */
  readonly columnCollation?: string
}

type Compiler = (node: AnyNode, scope: Scope) => Expr

const EMPTY: Tuple = []

function constant(value: SqlValue): Expr {
  return { eval: () => value, affinity: undefined, constant: true }
}

export function compileExpr(node: OperationNode, scope: Scope): Expr {
  // Chains of operators are regrouped as SQLite reads Kysely's unparenthesized text (precedence.ts).
  const grouped = isChain(node) && !isGrouped(node) ? byPrecedence(node) : node
  return dispatch(EXPRESSIONS, grouped, 'in an expression')(grouped as AnyNode, scope)
}

function isChain(node: OperationNode): boolean {
  return (
    node.kind === 'BinaryOperationNode' ||
    node.kind === 'AndNode' ||
    node.kind === 'OrNode' ||
    node.kind === 'UnaryOperationNode'
  )
}

/** The value of an expression without columns (limit, offset, defaults, inserted values). */
export function evalConstant(node: OperationNode, scope: Scope): SqlValue {
  const e = compileExpr(node, scope)
  if (!e.constant) throw unsupported(`a column reference where a constant is needed (${node.kind})`)
  return e.eval(EMPTY)
}

function column(node: AnyNode, scope: Scope): Expr {
  if (node.kind === 'ReferenceNode') {
    const col = node.column as AnyNode
    if (col.kind === 'SelectAllNode') throw unsupported('a * reference inside an expression')
    const table = node.table === undefined ? undefined : nameOf(node.table as OperationNode)
    return columnExpr(scope.resolve(nameOf(col), table))
  }
  return columnExpr(scope.resolve(nameOf(node)))
}

function columnExpr(r: ResolvedColumn): Expr {
  const source = r.source
  const slot = r.column.slot
  // The rowid pseudo-column is no column to the planner, the grouping's direct reads or a
  // covering index (no `column`): only its value is read, and only where a statement names it.
  if (slot === ROWID_SLOT)
    return { eval: (t) => rowidOf(t[source]!), affinity: 'integer', constant: false, rowidSource: source }
  return {
    eval: (t) => t[source]!.get(slot),
    affinity: r.column.affinity,
    constant: false,
    column: r,
    columnCollation: r.column.collation ?? 'binary',
  }
}

/** A row's rowid; every row a statement reads a table's rowid from knows it (RowLike.rowid). */
function rowidOf(row: RowLike): SqlValue {
  if (row.rowid === undefined) throw unsupported('the rowid of a row read here')
  return row.rowid()
}

function value(node: AnyNode): Expr {
  const parameter = parameterExpr(node)
  // A value standing for a column (a trigger's `new.x` / `old.x`, executor/triggers.ts) compares
  // under the column's declared collation, as SQLite's TK_TRIGGER does.
  const declared = node.columnCollation
  if (parameter !== undefined)
    return typeof declared === 'string' ? { ...parameter, columnCollation: declared } : parameter
  // A real literal of raw SQL (1.0) arrives boxed; fromJs would read its number as an integer.
  const e = constant(node.value instanceof Real ? node.value : fromJs(node.value))
  return typeof declared === 'string' ? { ...e, columnCollation: declared } : e
}

function raw(node: AnyNode, scope: Scope): Expr {
  const child = rawChild(node)
  if (child !== undefined) return compileExpr(child, scope)
  const text = rawText(node)?.trim().toLowerCase()
  if (text === 'current_timestamp' || text === 'current_date' || text === 'current_time') {
    return { eval: () => currentTime(text), affinity: undefined, constant: true }
  }
  // Raw SQL the statement's pre-pass did not reach (a check constraint read back from the catalog).
  return compileExpr(resolveRaw(node), scope)
}

function logical(node: AnyNode, scope: Scope): Expr {
  const left = compileExpr(node.left as OperationNode, scope)
  const right = compileExpr(node.right as OperationNode, scope)
  const isAnd = node.kind === 'AndNode'
  return {
    eval: (t) => {
      const a = truth(left.eval(t))
      if (isAnd && a === false) return 0
      if (!isAnd && a === true) return 1
      const b = truth(right.eval(t))
      if (isAnd) return b === false ? 0 : a === null || b === null ? null : 1
      return b === true ? 1 : a === null || b === null ? null : 0
    },
    affinity: undefined,
    constant: left.constant && right.constant,
    ...collationOf(left, right),
  }
}

/**
 * `x COLLATE name` (raw SQL; expression-parser.ts): x's value and affinity, with the collation its
 * comparisons and sorts use. No longer a bare column: an index, keyed by BINARY, serves it no more.
 */
function collate(node: AnyNode, scope: Scope): Expr {
  if (node.operand === undefined) throw unsupported('CollateNode outside an order by item')
  const inner = compileExpr(node.operand as OperationNode, scope)
  return {
    eval: inner.eval,
    affinity: inner.affinity,
    constant: inner.constant,
    collation: nameOf(node.collation as OperationNode),
  }
}

/**
 * A sort key under collation `name` (an order by term's, a window's): `expr`'s value with text
 * folded (collation.ts), so that the sort, and peers in a window, compare as the collation does.
 * `expr` itself when the collation is BINARY or none; never a bare column (no index order serves it).
 */
export function collatedKey(expr: Expr, name: string | undefined): Expr {
  const fold = foldOf(name)
  if (fold === undefined) return expr
  const inner = expr.eval
  return { eval: (t) => folded(inner(t), fold), affinity: expr.affinity, constant: expr.constant }
}

/** The collation an operator's result carries: its left operand's, else its right one's (EP_Collate). */
export function collationOf(...operands: readonly (Expr | undefined)[]): { collation?: string } {
  for (const e of operands) if (e?.collation !== undefined) return { collation: e.collation }
  return {}
}

/** A column's declared collation, carried by the expressions SQLite looks through (CAST, unary plus). */
export function declaredOf(e: Expr): { columnCollation?: string } {
  return e.columnCollation === undefined ? {} : { columnCollation: e.columnCollation }
}

function parens(node: AnyNode, scope: Scope): Expr {
  return compileExpr(node.node as OperationNode, scope)
}

function alias(node: AnyNode, scope: Scope): Expr {
  return compileExpr(node.node as OperationNode, scope)
}

function operatorOf(node: OperationNode): string {
  const n = node as AnyNode
  if (n.kind !== 'OperatorNode') throw unsupported(`${n.kind} as an operator`)
  return n.operator as string
}

function unary(node: AnyNode, scope: Scope): Expr {
  const op = operatorOf(node.operator as OperationNode)
  if (op === 'exists' || op === 'not exists') return compileExists(node.operand as AnyNode, scope, op === 'not exists')
  const operand = compileExpr(node.operand as OperationNode, scope)
  const c = operand.constant
  switch (op) {
    case 'not':
      return {
        eval: (t) => {
          const v = truth(operand.eval(t))
          return v === null ? null : v ? 0 : 1
        },
        affinity: undefined,
        constant: c,
        ...collationOf(operand),
      }
    case '-':
      return { eval: (t) => negate(operand.eval(t)), affinity: undefined, constant: c, ...collationOf(operand) }
    case '+':
      // Unary plus keeps a column's declared collation (sqlite3ExprCollSeq looks through TK_UPLUS).
      return {
        eval: (t) => operand.eval(t),
        affinity: undefined,
        constant: c,
        ...collationOf(operand),
        ...declaredOf(operand),
      }
    case '~':
      return { eval: (t) => bitNot(operand.eval(t)), affinity: undefined, constant: c, ...collationOf(operand) }
    default:
      throw unsupported(`the unary operator ${op}`)
  }
}

/** Operands after the comparison affinity rules, as SQLite compares them. */
function comparePrepared(left: Expr, right: Expr): (t: Tuple) => [SqlValue, SqlValue] {
  const affinity = comparisonAffinity(left.affinity, right.affinity)
  return (t) => [applyComparisonAffinity(left.eval(t), affinity), applyComparisonAffinity(right.eval(t), affinity)]
}

type Comparison = (c: number) => boolean
const COMPARISONS: Record<string, Comparison> = {
  '=': (c) => c === 0,
  '==': (c) => c === 0,
  '!=': (c) => c !== 0,
  '<>': (c) => c !== 0,
  '<': (c) => c < 0,
  '<=': (c) => c <= 0,
  '>': (c) => c > 0,
  '>=': (c) => c >= 0,
}

function binary(node: AnyNode, scope: Scope): Expr {
  const op = operatorOf(node.operator as OperationNode).toLowerCase()
  const leftNode = node.leftOperand as OperationNode
  const rightNode = node.rightOperand as AnyNode
  const rows = compileRowComparison(op, leftNode as AnyNode, rightNode, scope)
  if (rows !== undefined) return rows
  if (op === 'in' || op === 'not in') return inList(leftNode, rightNode, scope, op === 'not in')
  if (op === 'between' || op === 'not between') return between(leftNode, rightNode, scope, op === 'not between')
  const left = compileExpr(leftNode, scope)
  const right = compileExpr(rightNode, scope)
  const c = left.constant && right.constant
  const cmp = COMPARISONS[op]
  if (cmp !== undefined) {
    // The hottest expression in filters and join conditions: no tuple of operands allocated per row.
    const affinity = comparisonAffinity(left.affinity, right.affinity)
    const fold = comparisonFold(left, right)
    const l = left.eval
    const r = right.eval
    const general =
      fold === undefined
        ? (t: Tuple): SqlValue => {
            const a = applyComparisonAffinity(l(t), affinity)
            const b = applyComparisonAffinity(r(t), affinity)
            if (a === null || b === null) return null
            return cmp(compareValues(a, b)) ? 1 : 0
          }
        : (t: Tuple): SqlValue => {
            const a = applyComparisonAffinity(l(t), affinity)
            const b = applyComparisonAffinity(r(t), affinity)
            if (a === null || b === null) return null
            return cmp(compareValues(folded(a, fold), folded(b, fold))) ? 1 : 0
          }
    const text =
      op === '<' || op === '<=' || op === '>' || op === '>=' || fold !== undefined
        ? undefined
        : textEquality(left, right, affinity)
    // A comparison's result carries its operands' explicit COLLATE on (EP_Collate), for a
    // comparison around it: `x = (case when a collate nocase > 1 then 'b' end)` compares NOCASE.
    const carried = collationOf(left, right)
    if (text === undefined) {
      const numeric = fold === undefined ? numericComparison(left, right, affinity) : undefined
      if (numeric === undefined) return { eval: general, affinity: undefined, constant: c, ...carried }
      const { source, slot, value, flipped } = numeric
      return {
        eval: (t) => {
          const row = t[source]
          const k = row instanceof RowView ? value() : undefined
          if (k !== undefined) {
            const n = (row as RowView).numberAt(slot)
            // NaN: no number stored (a null, a text, a blob, a 64-bit integer past 2^53).
            if (n === n) {
              const d = n < k ? -1 : n > k ? 1 : 0
              return cmp(flipped ? -d : d) ? 1 : 0
            }
          }
          return general(t)
        },
        affinity: undefined,
        constant: c,
        ...carried,
      }
    }
    const equal = op === '=' || op === '=='
    const { source, slot, utf8 } = text
    return {
      eval: (t) => {
        const row = t[source]
        const bytes = row instanceof RowView ? utf8() : undefined
        const same = bytes === undefined ? undefined : (row as RowView).textEquals(slot, bytes)
        return same === undefined ? general(t) : same === equal ? 1 : 0
      },
      affinity: undefined,
      constant: c,
      ...carried,
    }
  }
  switch (op) {
    case 'is':
    case 'is not': {
      const prepared = comparePrepared(left, right)
      const compare = collatedCompare(comparisonFold(left, right))
      const negated = op === 'is not'
      return {
        eval: (t) => {
          const [a, b] = prepared(t)
          const equal = a === null || b === null ? a === b : compare(a, b) === 0
          return equal !== negated ? 1 : 0
        },
        affinity: undefined,
        constant: c,
        ...collationOf(left, right),
      }
    }
    case 'like':
    case 'not like':
    case 'glob':
    case 'not glob': {
      const negated = op.startsWith('not ')
      const match = op.endsWith('glob') ? glob : like
      const general = (t: Tuple): SqlValue => {
        const a = left.eval(t)
        const b = right.eval(t)
        if (a === null || b === null) return null
        // Stock SQLite reads a blob as its text (better-sqlite3's build, with
        // SQLITE_LIKE_DOESNT_MATCH_BLOBS, never matches one; SQL.md says so).
        return match(cString(toText(a)!), cString(toText(b)!)) !== negated ? 1 : 0
      }
      const inPlace = match === like ? likeInPlace(left, right) : undefined
      if (inPlace === undefined) return { eval: general, affinity: undefined, constant: c, ...collationOf(right, left) }
      const { source, slot, matcher } = inPlace
      return {
        eval: (t) => {
          const row = t[source]
          const m = row instanceof RowView ? matcher() : undefined
          const r = m === undefined ? undefined : (row as RowView).textMatches(slot, m)
          return r === undefined ? general(t) : r !== negated ? 1 : 0
        },
        affinity: undefined,
        constant: c,
        // SQLite's like(pattern, x): the pattern's COLLATE first.
        ...collationOf(right, left),
      }
    }
    case '||':
      return {
        eval: (t) => {
          const a = toText(left.eval(t))
          const b = toText(right.eval(t))
          return a === null || b === null ? null : a + b
        },
        affinity: undefined,
        constant: c,
        ...collationOf(left, right),
      }
    case 'and':
    case 'or':
      return logical(
        { kind: op === 'and' ? 'AndNode' : 'OrNode', left: leftNode, right: rightNode } as unknown as AnyNode,
        scope,
      )
    case '+':
    case '-':
    case '*':
    case '/':
    case '%': {
      const f = ARITHMETIC[op]!
      return {
        eval: (t) => arithmetic(f, op, left.eval(t), right.eval(t)),
        affinity: undefined,
        constant: c,
        ...collationOf(left, right),
      }
    }
    case '->':
    case '->>':
      return {
        eval: (t) => jsonArrow(op, left.eval(t), right.eval(t)),
        affinity: undefined,
        constant: c,
        ...collationOf(left, right),
      }
    case '&':
    case '|':
    case '<<':
    case '>>':
      return {
        eval: (t) => bitwise(op, left.eval(t), right.eval(t)),
        affinity: undefined,
        constant: c,
        ...collationOf(left, right),
      }
    default:
      throw unsupported(`the operator ${op}`)
  }
}

/**
 * `column = 'text'` (or `<>`) where the comparison leaves both sides as they are (text or no
 * affinity): a stored text value is equal exactly when its UTF-8 bytes are the constant's, so a
 * row in place compares bytes without decoding the string (RowView.textEquals); other stored
 * values take the general path.
 */
function textEquality(
  left: Expr,
  right: Expr,
  affinity: Affinity | undefined,
): { source: number; slot: number; utf8: () => Uint8Array | undefined } | undefined {
  if (affinity !== undefined && affinity !== 'text') return undefined
  const [col, other] = left.column !== undefined ? [left, right] : [right, left]
  if (col.column === undefined || !other.constant) return undefined
  // The constant's bytes are made when first compared, and again when it changes: a cached
  // statement's parameter (parameters.ts) is not read while compiling, so not guarded.
  let last: SqlValue | undefined
  let bytes: Uint8Array | undefined
  const utf8 = (): Uint8Array | undefined => {
    const value = other.eval(EMPTY)
    if (value !== last) {
      last = value
      // A lone surrogate does not survive encoding: strings with surrogates compare as values.
      bytes = typeof value !== 'string' || hasSurrogate(value) ? undefined : utf8Of(value)
    }
    return bytes
  }
  return { source: col.column.source, slot: col.column.column.slot, utf8 }
}

/**
 * `column LIKE 'constant'`: a stored text read in place tested on its bytes (RowView.textMatches,
 * operators.ts likeBytesMatcher) for the patterns that matcher takes, without decoding the text
 * (a scan with `b like '%99%'` spent ~45 % of its time making strings); other values, rows and
 * patterns take the general path.
 */
function likeInPlace(
  left: Expr,
  right: Expr,
): { source: number; slot: number; matcher: () => BytesMatcher | undefined } | undefined {
  if (left.column === undefined || !right.constant) return undefined
  // The matcher is made when first used, and again when the pattern (a cached statement's
  // parameter) or PRAGMA case_sensitive_like changes.
  let lastPattern: SqlValue | undefined
  let lastSensitive = false
  let made = false
  let matcher: BytesMatcher | undefined
  const current = (): BytesMatcher | undefined => {
    const pattern = right.eval(EMPTY)
    const sensitive = likeIsCaseSensitive()
    if (!made || pattern !== lastPattern || sensitive !== lastSensitive) {
      made = true
      lastPattern = pattern
      lastSensitive = sensitive
      matcher = typeof pattern === 'string' ? likeBytesMatcher(cString(pattern), sensitive) : undefined
    }
    return matcher
  }
  return { source: left.column.source, slot: left.column.column.slot, matcher: current }
}

/**
 * `column <op> number` (either way round) where the comparison does not make the number a text: a
 * stored number read in place (RowView.numberAt, no value boxed) compares with the constant by
 * value, as SQLite compares an integer with a real; anything else stored (null, text, blob, an
 * integer past 2^53) and a constant that is no plain number take the general path.
 */
function numericComparison(
  left: Expr,
  right: Expr,
  affinity: Affinity | undefined,
): { source: number; slot: number; value: () => number | undefined; flipped: boolean } | undefined {
  if (affinity === 'text') return undefined
  const flipped = left.column === undefined
  const [col, other] = flipped ? [right, left] : [left, right]
  if (col.column === undefined || !other.constant) return undefined
  // Read at each run: a cached statement's parameter (parameters.ts) is not read while compiling.
  const value = (): number | undefined => {
    const v = other.eval(EMPTY)
    return typeof v === 'number' && v === v ? v : undefined
  }
  return { source: col.column.source, slot: col.column.column.slot, value, flipped }
}

/** UTF-8 bytes of a string: ASCII copied here (a statement's constants are short), the rest encoded. */
function utf8Of(value: string): Uint8Array {
  const out = new Uint8Array(value.length)
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (c >= 0x80) return UTF8.encode(value)
    out[i] = c
  }
  return out
}

const UTF8 = new TextEncoder()

/** SQLite's LIKE reads both sides as C strings: they end at the first NUL. */
export function cString(s: string): string {
  const nul = s.indexOf('\u0000')
  return nul < 0 ? s : s.slice(0, nul)
}

function listItems(node: AnyNode, scope: Scope): Expr[] {
  switch (node.kind) {
    case 'ValueListNode':
      return (node.values as readonly OperationNode[]).map((v) => compileExpr(v, scope))
    case 'PrimitiveValueListNode':
      return (node.values as readonly unknown[]).map((v) => constant(fromJs(v)))
    case 'ParensNode':
      return listItems(node.node as AnyNode, scope)
    default:
      throw unsupported(`${node.kind} as the list of in / not in`)
  }
}

/**
 * `x in (a, b, ...)`: each comparison under the left operand's affinity alone (SQLite's
 * exprINAffinity for a list), not the pairwise rule of `=`; a null makes a miss unknown.
 */
function inList(leftNode: OperationNode, rightNode: AnyNode, scope: Scope, negated: boolean): Expr {
  const left = compileExpr(leftNode, scope)
  const sub = compileInSubquery(left, rightNode, scope, negated)
  if (sub !== undefined) return sub
  const items = listItems(rightNode, scope)
  const affinity = comparisonAffinity(left.affinity, undefined)
  // The left operand's collation alone, as its affinity (sqlite3ExprCodeIN): `x in ('A' collate nocase)` is BINARY.
  const compare = collatedCompare(exprFold(left))
  return {
    eval: (t) => {
      // `x in ()` is false and `x not in ()` true, even for a null x.
      if (items.length === 0) return negated ? 1 : 0
      const a = applyComparisonAffinity(left.eval(t), affinity)
      if (a === null) return null
      let sawNull = false
      for (const item of items) {
        const b = applyComparisonAffinity(item.eval(t), affinity)
        if (b === null) sawNull = true
        else if (compare(a, b) === 0) return negated ? 0 : 1
      }
      return sawNull ? null : negated ? 1 : 0
    },
    affinity: undefined,
    constant: left.constant && items.every((i) => i.constant),
    // What it carries for a comparison around it: x's COLLATE, else the first item's.
    ...collationOf(left, ...items),
  }
}

function between(leftNode: OperationNode, rightNode: AnyNode, scope: Scope, negated: boolean): Expr {
  if (rightNode.kind !== 'AndNode') throw unsupported(`${rightNode.kind} as the bounds of between`)
  const left = compileExpr(leftNode, scope)
  const lo = compileExpr(rightNode.left as OperationNode, scope)
  const hi = compileExpr(rightNode.right as OperationNode, scope)
  const pLo = comparePrepared(left, lo)
  const pHi = comparePrepared(left, hi)
  // `x between lo and hi` is `x >= lo and x <= hi` to SQLite: each comparison its own collation.
  const cLo = collatedCompare(comparisonFold(left, lo))
  const cHi = collatedCompare(comparisonFold(left, hi))
  return {
    eval: (t) => {
      const [a1, l] = pLo(t)
      const [a2, h] = pHi(t)
      const geLo = a1 === null || l === null ? null : cLo(a1, l) >= 0
      const leHi = a2 === null || h === null ? null : cHi(a2, h) <= 0
      let r: boolean | null
      if (geLo === false || leHi === false) r = false
      else if (geLo === null || leHi === null) r = null
      else r = true
      return r === null ? null : r !== negated ? 1 : 0
    },
    affinity: undefined,
    constant: left.constant && lo.constant && hi.constant,
    ...collationOf(left, lo, hi),
  }
}

/** `eb.ref('c', '->>$').key('a')` (a JSONPathNode) and `eb.ref('c', '->>').key('a')` (an operator chain). */
function jsonReference(node: AnyNode, scope: Scope): Expr {
  const base = compileExpr(node.reference as OperationNode, scope)
  const traversal = node.traversal as AnyNode
  if (traversal.kind === 'JSONPathNode') {
    const op = arrowOf(traversal.inOperator as AnyNode | undefined)
    const path = jsonPathText(traversal.pathLegs as readonly { type: string; value: string | number }[])
    return { eval: (t) => jsonArrow(op, base.eval(t), path), affinity: undefined, constant: base.constant }
  }
  if (traversal.kind !== 'JSONOperatorChainNode') throw unsupported(`${traversal.kind} in a JSON reference`)
  const last = arrowOf(traversal.operator as AnyNode)
  const steps = (traversal.values as readonly OperationNode[]).map((v, i, all) => ({
    op: i === all.length - 1 ? last : ('->' as const),
    key: evalConstant(v, scope),
  }))
  return {
    eval: (t) => steps.reduce((v, s) => jsonArrow(s.op, v, s.key), base.eval(t)),
    affinity: undefined,
    constant: base.constant,
  }
}

function arrowOf(node: AnyNode | undefined): '->' | '->>' {
  const op = node === undefined ? '->' : String(node.operator).replace('$', '')
  if (op !== '->' && op !== '->>') throw unsupported(`the JSON operator ${op}`)
  return op
}

/** A JSONPathNode on its own (an argument of json_extract): its path as text. */
function jsonPath(node: AnyNode): Expr {
  return constant(jsonPathText(node.pathLegs as readonly { type: string; value: string | number }[]))
}

const unsupportedHere: undefined = undefined

/** Expression node kinds: the ones this part evaluates, and every other kind decided unsupported. */
const EXPRESSIONS: Record<NodeKind, Compiler | undefined> = {
  ReferenceNode: column,
  ColumnNode: column,
  ValueNode: value,
  RawNode: raw,
  AndNode: logical,
  OrNode: logical,
  ParensNode: parens,
  AliasNode: alias,
  BinaryOperationNode: binary,
  UnaryOperationNode: unary,
  SelectQueryNode: compileScalarSubquery,
  CastNode: compileCast,
  CaseNode: compileCase,
  FunctionNode: compileFunction,
  // A window call, or an aggregate, whose arguments may hold no window call.
  AggregateFunctionNode: (node, scope) =>
    node.over !== undefined
      ? compileWindowNode(node, scope)
      : withWindows(undefined, () => compileAggregateNode(node, scope)),
  // Part 2 (subqueries, functions, aggregates, case, cast) and non-expression kinds:
  IdentifierNode: unsupportedHere,
  SchemableIdentifierNode: unsupportedHere,
  SelectionNode: unsupportedHere,
  TableNode: unsupportedHere,
  FromNode: unsupportedHere,
  SelectAllNode: unsupportedHere,
  ValueListNode: unsupportedHere,
  PrimitiveValueListNode: unsupportedHere,
  JoinNode: unsupportedHere,
  OperatorNode: unsupportedHere,
  WhereNode: unsupportedHere,
  InsertQueryNode: unsupportedHere,
  DeleteQueryNode: unsupportedHere,
  ReturningNode: unsupportedHere,
  CreateTableNode: unsupportedHere,
  ColumnDefinitionNode: unsupportedHere,
  AddColumnNode: unsupportedHere,
  DropTableNode: unsupportedHere,
  DataTypeNode: unsupportedHere,
  OrderByNode: unsupportedHere,
  OrderByItemNode: unsupportedHere,
  GroupByNode: unsupportedHere,
  GroupByItemNode: unsupportedHere,
  UpdateQueryNode: unsupportedHere,
  ColumnUpdateNode: unsupportedHere,
  LimitNode: unsupportedHere,
  OffsetNode: unsupportedHere,
  OnConflictNode: unsupportedHere,
  OnDuplicateKeyNode: unsupportedHere,
  CreateIndexNode: unsupportedHere,
  DropIndexNode: unsupportedHere,
  ListNode: unsupportedHere,
  ReferencesNode: unsupportedHere,
  PrimaryKeyConstraintNode: unsupportedHere,
  UniqueConstraintNode: unsupportedHere,
  CheckConstraintNode: unsupportedHere,
  ForeignKeyConstraintNode: unsupportedHere,
  WithNode: unsupportedHere,
  CommonTableExpressionNode: unsupportedHere,
  HavingNode: unsupportedHere,
  CreateSchemaNode: unsupportedHere,
  DropSchemaNode: unsupportedHere,
  AlterTableNode: unsupportedHere,
  ModifyColumnNode: unsupportedHere,
  DropColumnNode: unsupportedHere,
  RenameColumnNode: unsupportedHere,
  AlterColumnNode: unsupportedHere,
  AddConstraintNode: unsupportedHere,
  DropConstraintNode: unsupportedHere,
  CreateViewNode: unsupportedHere,
  RefreshMaterializedViewNode: unsupportedHere,
  DropViewNode: unsupportedHere,
  GeneratedNode: unsupportedHere,
  DefaultValueNode: unsupportedHere,
  OnNode: unsupportedHere,
  ValuesNode: unsupportedHere,
  CommonTableExpressionNameNode: unsupportedHere,
  SelectModifierNode: unsupportedHere,
  CreateTypeNode: unsupportedHere,
  DropTypeNode: unsupportedHere,
  ExplainNode: unsupportedHere,
  DefaultInsertValueNode: unsupportedHere,
  OverNode: unsupportedHere,
  PartitionByNode: unsupportedHere,
  PartitionByItemNode: unsupportedHere,
  SetOperationNode: unsupportedHere,
  UsingNode: unsupportedHere,
  WhenNode: unsupportedHere,
  JSONReferenceNode: jsonReference,
  JSONPathNode: jsonPath,
  JSONPathLegNode: unsupportedHere,
  JSONOperatorChainNode: unsupportedHere,
  // A row value is an operand of a comparison only (row-values.ts); anywhere else SQLite refuses it.
  TupleNode: () => {
    throw rowValueMisused()
  },
  MergeQueryNode: unsupportedHere,
  MatchedNode: unsupportedHere,
  AddIndexNode: unsupportedHere,
  FetchNode: unsupportedHere,
  TopNode: unsupportedHere,
  OutputNode: unsupportedHere,
  OrActionNode: unsupportedHere,
  CollateNode: collate,
  RenameConstraintNode: unsupportedHere,
}
