import type { OperationNode } from 'kysely'
import { comparisonAffinity, type Affinity } from '../catalog/affinity.js'
import { collationName, comparisonCollation, declaredCollation, foldOf, type Fold } from '../expression/collation.js'
import { compileExpr, type Expr } from '../expression/expression.js'
import { isRowValue } from '../expression/row-values.js'
import { nameOf, type AnyNode } from '../expression/nodes.js'
import type { Scope, Tuple } from '../expression/scope.js'
import { selectValues } from '../expression/subquery-hook.js'
import type { SqlValue } from '../encoding/values.js'

/**
 * A value an index seek compares a column with: an expression over rows already known (constants,
 * the tables joined before, the queries around a subquery), converted by the comparison's affinity
 * before it is encoded.
 */
export interface SeekValue {
  readonly expr: Expr
  readonly affinity: Affinity | undefined
  /** The comparison's collation's fold: keys of a column that declares it hold folded values. */
  readonly fold?: Fold | undefined
  /**
   * The rows of an uncorrelated `x in (select y ...)`, read when the seek is made: the value
   * stands for each of them (`expr` is a placeholder then).
   */
  readonly many?: (t: Tuple) => readonly SqlValue[]
}

/** The values a select's rows are supposed to be, unread (SQLite's whereLoopAddBtreeIndex: 25). */
const SELECT_VALUES = 25

/** How many values an `eq` term seeks: those of its list, or a select's supposed count. */
export function valueCount(t: Term): number {
  return t.values.length === 1 && t.values[0]!.many !== undefined ? SELECT_VALUES : t.values.length
}

const NO_EXPR: Expr = { eval: () => null, affinity: undefined, constant: true }

/**
 * One conjunct of a condition as a constraint on one column of one source:
 * - `eq`: the column equals one of `values` (one for `=`, the list of `in`; none: no row);
 * - `null`: `is null`;
 * - `lower` / `upper`: a bound of a range (`<`, `<=`, `>`, `>=`, `between`).
 * `needs` lists the other sources the values read; the term is usable once they are all known.
 */
export interface Term {
  readonly source: number
  readonly column: string
  readonly op: 'eq' | 'null' | 'lower' | 'upper' | 'prefix'
  readonly values: readonly SeekValue[]
  readonly inclusive: boolean
  readonly needs: ReadonlySet<number>
  /** The conjunct it came from (a `between` gives two terms of one conjunct). */
  readonly conjunct: AnyNode
  /**
   * How many terms the conjunct is exactly: a path that seeks with all of them returns only rows
   * the conjunct holds for, and the filter can skip it (0: the conjunct says more than its terms).
   */
  readonly of: number
  /** `prefix` (`like 'abc%'` on a text column): the texts the matching values start with, one per ASCII case. */
  readonly prefixes?: readonly string[]
  /**
   * The comparison's collation (collation.ts: comparisonCollation; lower case, undefined for
   * BINARY): only a key whose component has the same one (a column declaring it) may be sought.
   */
  readonly collation?: string
}

const FLIP: Record<string, string> = { '=': '=', '==': '=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' }

/** `node` compiled, or undefined when it does not compile in `scope`. */
export function tryCompile(node: OperationNode, scope: Scope): Expr | undefined {
  try {
    return compileExpr(node, scope)
  } catch {
    return undefined
  }
}

/** The sources an expression reads (undefined when it cannot tell, as for a subquery or `*`). */
export function referencedSources(node: unknown, scope: Scope, out = new Set<number>()): Set<number> | undefined {
  if (typeof node !== 'object' || node === null) return out
  if (Array.isArray(node)) {
    for (const n of node) if (referencedSources(n, scope, out) === undefined) return undefined
    return out
  }
  const n = node as AnyNode
  if (n.kind === 'SelectQueryNode') return undefined
  try {
    if (n.kind === 'ReferenceNode') {
      const col = n.column as AnyNode
      if (col.kind === 'SelectAllNode') return undefined
      out.add(scope.resolve(nameOf(col), n.table === undefined ? undefined : nameOf(n.table as OperationNode)).source)
      return out
    }
    if (n.kind === 'ColumnNode') {
      out.add(scope.resolve(nameOf(n)).source)
      return out
    }
  } catch {
    return undefined
  }
  for (const key of Object.keys(n)) if (referencedSources(n[key], scope, out) === undefined) return undefined
  return out
}

export function isNumeric(a: Affinity | undefined): boolean {
  return a === 'integer' || a === 'real' || a === 'numeric'
}

/**
 * Whether a comparison's affinity leaves the column's stored values as they are, so that their
 * keys order and equal them as the comparison does. NUMERIC turns a stored text '05' of a TEXT or
 * BLOB column into 5; TEXT turns a stored 5 of a column without affinity into '5': an index (or the
 * primary key) keyed by the stored value would miss such rows, and the planner must not use it.
 * Stored text never looks numeric in a numeric column (the column's affinity converted it).
 */
export function storedUnchanged(column: Affinity, comparison: Affinity | undefined): boolean {
  if (comparison === undefined) return true
  if (comparison === 'numeric') return isNumeric(column)
  return column === 'text'
}

interface Side {
  expr: Expr
  node: OperationNode
}

/**
 * The name a table's key gives its rowid where no column holds it (a table keyed by its hidden
 * rowid, access-path.ts: ownKey): no column's name (a real column may be named `rowid`, and then
 * `_rowid_` alone names the pseudo-column), shown as `rowid` (access-path.ts: boundedKeyColumns).
 */
export const ROWID_KEY = '\u0000rowid'

/** The key component `e` is on source `s`: a column's name, ROWID_KEY for the rowid pseudo-column. */
export function keyComponentOf(e: Expr | undefined, s: number): string | undefined {
  if (e === undefined) return undefined
  if (e.column !== undefined) return e.column.source === s ? e.column.column.name : undefined
  return e.rowidSource === s ? ROWID_KEY : undefined
}

/**
 * The value side of a comparison under collation `collation` (the comparison's), and the sources it
 * reads; undefined when it cannot bound a key (it reads the column's source, its affinity changes
 * stored values, or the collation is unknown). The term that takes it seeks only a key whose
 * component has the same collation (access-path.ts), with the value folded as those keys are.
 */
function seekValue(
  column: Expr,
  other: Side,
  scope: Scope,
  s: number,
  collation: string | undefined,
): [SeekValue, Set<number>] | undefined {
  let fold: Fold | undefined
  try {
    fold = foldOf(collation)
  } catch {
    return undefined
  }
  const needs = referencedSources(other.node, scope)
  if (needs === undefined || needs.has(s)) return undefined
  const affinity = comparisonAffinity(column.affinity, other.expr.affinity)
  if (!storedUnchanged(column.affinity!, affinity)) return undefined
  return [{ expr: other.expr, affinity, ...(fold === undefined ? {} : { fold }) }, needs]
}

/** A collation as a term records it (collation.ts: declaredCollation), or null when unknown (no term). */
function termCollation(name: string | undefined): string | undefined | null {
  try {
    return name === undefined ? undefined : declaredCollation(name)
  } catch {
    return null
  }
}

/** At most 2^3 case variants of a like prefix: more letters read the index too many times. */
const MAX_CASE_LETTERS = 3

/**
 * The texts a value matching a `like` pattern starts with: the pattern's literal head (before `%`
 * or `_`) in every ASCII case (like is case-insensitive for ASCII letters only); undefined when
 * there is no head, too many letters, or a character like compares differently from bytes (NUL,
 * which ends the compared text, and U+FFFD, which stands for undecodable bytes of a blob).
 */
function likePrefixes(pattern: unknown): string[] | undefined {
  if (typeof pattern !== 'string') return undefined
  const cut = pattern.search(/[%_]/)
  const head = cut < 0 ? pattern : pattern.slice(0, cut)
  if (head.length === 0 || head.includes('\u0000') || head.includes('\ufffd')) return undefined
  const letters = [...head].filter((ch) => /[a-z]/i.test(ch)).length
  if (letters > MAX_CASE_LETTERS) return undefined
  let out = ['']
  for (const ch of head) {
    const variants = /[a-z]/i.test(ch) ? [ch.toLowerCase(), ch.toUpperCase()] : [ch]
    out = out.flatMap((p) => variants.map((v) => p + v))
  }
  return out
}

function listNodes(node: AnyNode): OperationNode[] | undefined {
  if (node.kind === 'ParensNode') return listNodes(node.node as AnyNode)
  if (node.kind === 'ValueListNode') return [...(node.values as readonly OperationNode[])]
  if (node.kind === 'PrimitiveValueListNode')
    return (node.values as readonly unknown[]).map((value) => ({ kind: 'ValueNode', value }) as OperationNode)
  return undefined
}

/**
 * The terms conjunct `c` puts on columns of source `s`. Anything else (or, not, functions of the
 * column, a subquery on the other side) gives none: the filter still evaluates every conjunct on
 * every row read, so terms only have to describe a superset of the answer. With `keyOf`, the terms
 * it puts on the expressions `keyOf` names instead (an expression index's parts, expression-keys.ts),
 * each term's `column` the name keyOf gives.
 */
export function termsOf(
  c: AnyNode,
  s: number,
  scope: Scope,
  keyOf?: (node: OperationNode) => string | undefined,
): Term[] {
  if (c.kind === 'OrNode') return orAsIn(c, s, scope, keyOf)
  if (c.kind !== 'BinaryOperationNode') return []
  const op = ((c.operator as AnyNode).operator as string).toLowerCase()
  const leftNode = c.leftOperand as OperationNode
  const rightNode = c.rightOperand as AnyNode
  if (isRowValue(leftNode) || isRowValue(rightNode)) return rowTerms(c, op, s, scope, keyOf)
  const left = tryCompile(leftNode, scope)
  const term = (
    column: string,
    kind: Term['op'],
    values: SeekValue[],
    needs: Set<number>,
    inclusive = true,
    of = 1,
    collation?: string,
  ): Term => ({
    source: s,
    column,
    op: kind,
    values,
    inclusive,
    needs,
    conjunct: c,
    of,
    ...(collation === undefined ? {} : { collation }),
  })
  const keyName = (e: Expr | undefined, node: OperationNode): string | undefined =>
    keyOf === undefined ? keyComponentOf(e, s) : e === undefined ? undefined : keyOf(node)
  const name = keyName(left, leftNode)
  if (op === 'in') {
    const items = listNodes(rightNode)
    if (name === undefined) return []
    // `in` compares under the left operand's collation alone (expression.ts: compileIn).
    const collation = termCollation(collationName(left!))
    if (collation === null) return []
    if (items === undefined) {
      // `x in (select y ...)` not correlated: a seek per row of the select, as SQLite's IN operator
      // over a subquery's list (the values converted by the comparison's affinity, as compileInSubquery).
      const select = selectValues(rightNode, scope)
      if (select === undefined) return []
      const affinity = comparisonAffinity(left!.affinity, select.affinity)
      if (!storedUnchanged(left!.affinity!, affinity)) return []
      const fold = foldOf(collation)
      const value: SeekValue = { expr: NO_EXPR, affinity, ...(fold === undefined ? {} : { fold }), many: select.values }
      return [term(name, 'eq', [value], new Set(), true, 1, collation)]
    }
    const values: SeekValue[] = []
    const needs = new Set<number>()
    for (const node of items) {
      const expr = tryCompile(node, scope)
      const v = expr === undefined ? undefined : seekValue(left!, { expr, node }, scope, s, collation)
      if (v === undefined) return []
      values.push(v[0])
      for (const n of v[1]) needs.add(n)
    }
    return [term(name, 'eq', values, needs, true, 1, collation)]
  }
  if (op === 'between') {
    if (name === undefined || rightNode.kind !== 'AndNode') return []
    const bounds: [SeekValue, Set<number>, 'lower' | 'upper', string | undefined][] = []
    for (const [node, kind] of [
      [rightNode.left, 'lower'],
      [rightNode.right, 'upper'],
    ] as const) {
      const expr = tryCompile(node as OperationNode, scope)
      // Each bound is a comparison of its own, under its own collation (expression.ts: between).
      const collation = expr === undefined ? null : termCollation(comparisonCollation(left!, expr))
      const v =
        expr === undefined || collation === null
          ? undefined
          : seekValue(left!, { expr, node: node as OperationNode }, scope, s, collation)
      if (v !== undefined) bounds.push([v[0], v[1], kind, collation ?? undefined])
    }
    const of = bounds.length === 2 ? 2 : 0
    return bounds.map(([v, needs, kind, collation]) => term(name, kind, [v], needs, true, of, collation))
  }
  if (op === 'like') {
    const right = tryCompile(rightNode, scope)
    if (name === undefined || left!.affinity !== 'text' || right === undefined || !right.constant) return []
    const prefixes = likePrefixes(right.eval([]))
    return prefixes === undefined ? [] : [{ ...term(name, 'prefix', [], new Set(), true, 0), prefixes }]
  }
  if (op === 'is') {
    const right = tryCompile(rightNode, scope)
    if (name === undefined || right === undefined || !right.constant || right.eval([]) !== null) return []
    return [term(name, 'null', [], new Set())]
  }
  if (FLIP[op] === undefined) return []
  const right = tryCompile(rightNode, scope)
  let column = left
  let other: Side | undefined = right === undefined ? undefined : { expr: right, node: rightNode }
  let operator = op === '==' ? '=' : op
  let col = name
  if (col === undefined) {
    col = keyName(right, rightNode)
    if (col === undefined || left === undefined) return []
    column = right
    other = { expr: left, node: leftNode }
    operator = FLIP[op]!
  }
  if (other === undefined || left === undefined || right === undefined) return []
  // The comparison's collation, from its operands as written (the left one's first).
  const collation = termCollation(comparisonCollation(left, right))
  if (collation === null) return []
  const v = seekValue(column!, other, scope, s, collation)
  if (v === undefined) return []
  if (operator === '=') return [term(col, 'eq', [v[0]], v[1], true, 1, collation)]
  const kind = operator === '>' || operator === '>=' ? 'lower' : 'upper'
  return [term(col, kind, [v[0]], v[1], operator.endsWith('='), 1, collation)]
}

/**
 * An `or` of equalities of one column with values, as SQLite reads it (exprAnalyzeOrTerm's
 * OR-to-IN): one `in` term of all their values (`a = 5 or a = 3` seeks 3 and 5, in key order);
 * none for any other `or`.
 */
function orAsIn(
  c: AnyNode,
  s: number,
  scope: Scope,
  keyOf: ((node: OperationNode) => string | undefined) | undefined,
): Term[] {
  const disjuncts = orTerms(c)
  let first: Term | undefined
  const values: SeekValue[] = []
  const needs = new Set<number>()
  for (const d of disjuncts) {
    const terms = termsOf(d, s, scope, keyOf)
    const t = terms.length === 1 ? terms[0]! : undefined
    // Equalities only: an `in` list beside them stays a disjunct of its own (SQLite's too).
    if (t === undefined || t.op !== 'eq' || t.of !== 1 || t.values.length !== 1 || t.values[0]!.many !== undefined)
      return []
    if (first !== undefined && (t.column !== first.column || t.collation !== first.collation)) return []
    first ??= t
    values.push(...t.values)
    for (const n of t.needs) needs.add(n)
  }
  return first === undefined ? [] : [{ ...first, values, needs, conjunct: c, of: 1 }]
}

/** The disjuncts of an `or` (nested ones flattened, parentheses looked through); one item for anything else. */
export function orTerms(node: AnyNode): AnyNode[] {
  if (node.kind === 'ParensNode') return orTerms(node.node as AnyNode)
  if (node.kind !== 'OrNode') return [node]
  return [...orTerms(node.left as AnyNode), ...orTerms(node.right as AnyNode)]
}

/** A comparison node `left op right`. */
export function comparison(left: unknown, op: string, right: unknown): AnyNode {
  return {
    kind: 'BinaryOperationNode',
    leftOperand: left,
    operator: { kind: 'OperatorNode', operator: op },
    rightOperand: right,
  } as unknown as AnyNode
}

function tupleValues(node: AnyNode): readonly AnyNode[] | undefined {
  let n = node
  while (n.kind === 'ParensNode') n = n.node as AnyNode
  return n.kind === 'TupleNode' ? (n.values as readonly AnyNode[]) : undefined
}

/**
 * The terms a row-value comparison puts on source `s` (row-values.ts): `(a, b) = (x, y)` those of
 * `a = x` and `b = y` (the conjunct exactly, when all are on `s`); `(a, b) > (x, y)` (or `>=`) those
 * of `a >= x`, `<` and `<=` those of `a <= x`, `between` both, and `(a, b) in ((x, y), ...)` those
 * of `a in (x, ...)`: supersets of its rows, so that an index on the leading column serves keyset
 * pagination; the filter still runs the comparison itself.
 */
function rowTerms(
  c: AnyNode,
  op: string,
  s: number,
  scope: Scope,
  keyOf: ((node: OperationNode) => string | undefined) | undefined,
): Term[] {
  const left = tupleValues(c.leftOperand as AnyNode)
  const right = tupleValues(c.rightOperand as AnyNode)
  const loose = (terms: Term[]): Term[] => terms.map((t) => ({ ...t, conjunct: c, of: 0 }))
  if (left === undefined) return []
  if (op === 'in') {
    const list = c.rightOperand as AnyNode
    if (list.kind !== 'ValueListNode') return []
    const firsts: AnyNode[] = []
    const head = tryCompile(left[0]!, scope)
    for (const item of list.values as readonly AnyNode[]) {
      const values = tupleValues(item)
      if (values?.length !== left.length) return []
      // A row value's `in` compares each pair as `=` does (row-values.ts), under the item's COLLATE
      // too, where a scalar `in` takes the left side's alone: no term unless the two agree.
      const first = tryCompile(values[0]!, scope)
      if (head === undefined || first === undefined) return []
      if (foldOf(comparisonCollation(head, first)) !== foldOf(collationName(head))) return []
      firsts.push(values[0]!)
    }
    return loose(termsOf(comparison(left[0], 'in', { kind: 'ValueListNode', values: firsts }), s, scope, keyOf))
  }
  if (op === 'between') {
    const bounds = c.rightOperand as AnyNode
    const lo = bounds.kind === 'AndNode' ? tupleValues(bounds.left as AnyNode) : undefined
    const hi = bounds.kind === 'AndNode' ? tupleValues(bounds.right as AnyNode) : undefined
    if (lo?.length !== left.length || hi?.length !== left.length) return []
    return loose([
      ...termsOf(comparison(left[0], '>=', lo[0]), s, scope, keyOf),
      ...termsOf(comparison(left[0], '<=', hi[0]), s, scope, keyOf),
    ])
  }
  if (right?.length !== left.length) return []
  if (op === '=' || op === '==') {
    const terms = left.flatMap((l, i) => termsOf(comparison(l, '=', right[i]), s, scope, keyOf))
    const of = terms.length === left.length && terms.every((t) => t.of === 1) ? terms.length : 0
    return terms.map((t) => ({ ...t, conjunct: c, of }))
  }
  const bound = op === '>' || op === '>=' ? '>=' : op === '<' || op === '<=' ? '<=' : undefined
  return bound === undefined ? [] : loose(termsOf(comparison(left[0], bound, right[0]), s, scope, keyOf))
}

function isStar(n: AnyNode): boolean {
  return n.kind === 'SelectAllNode' || (n.kind === 'SelectionNode' && (n.selection as AnyNode).kind === 'SelectAllNode')
}

/**
 * The slots of source `s` the nodes read (`*` reads them all); undefined when it cannot tell (a
 * subquery, a name that is no column, as an order by alias), and then no index covers the query.
 */
export function columnsRead(nodes: readonly unknown[], scope: Scope, s: number): Set<number> | undefined {
  const out = new Set<number>()
  const visit = (node: unknown): boolean => {
    if (typeof node !== 'object' || node === null) return true
    if (Array.isArray(node)) return node.every(visit)
    const n = node as AnyNode
    if (n.kind === 'SelectQueryNode') return false
    // Raw SQL not yet read into nodes (a view's stored select keeps Kysely's sql`...`) may name
    // any column: no index can be known to cover it.
    if (n.kind === 'RawNode') return false
    // count(*) reads no column.
    if (n.kind === 'AggregateFunctionNode' && (n.aggregated as readonly AnyNode[]).some(isStar))
      return visit(n.filter) && visit(n.over)
    if (n.kind === 'SelectAllNode') {
      for (const c of scope.sources[s]!.table.columns) out.add(c.slot)
      return true
    }
    try {
      if (n.kind === 'ReferenceNode' || n.kind === 'ColumnNode') {
        const col = n.kind === 'ReferenceNode' ? (n.column as AnyNode) : n
        if (col.kind === 'SelectAllNode') return visit(col)
        const table = n.kind === 'ReferenceNode' && n.table !== undefined ? nameOf(n.table as OperationNode) : undefined
        const r = scope.resolve(nameOf(col), table)
        if (r.source === s) out.add(r.column.slot)
        return true
      }
    } catch {
      return false
    }
    for (const key of Object.keys(n)) if (!visit(n[key])) return false
    return true
  }
  return nodes.every(visit) ? out : undefined
}
