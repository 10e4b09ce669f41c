import type { OperationNode } from 'kysely'
import { affinityOf, applyComparisonAffinity, comparisonAffinity, type Affinity } from '../catalog/affinity.js'
import { unsupported } from '../errors.js'
import {
  bytesText,
  integer,
  isInteger,
  numberOf,
  real,
  Real,
  textBytes,
  toNumeric,
  toText,
  truth,
  type SqlValue,
} from '../encoding/values.js'
import { collatedCompare, comparisonFold } from './collation.js'
import { collationOf, compileExpr, declaredOf, type Expr } from './expression.js'
import { rawText, type AnyNode } from './nodes.js'
import type { Scope } from './scope.js'

/** 2^63: the first double past SQLite's 64-bit integers (9223372036854775807 as a double). */
const TWO_POW_63 = 2 ** 63
/** 2^51: sqlite3RealSameAsInt's bound (CAST AS NUMERIC of text). */
const TWO_POW_51 = 2 ** 51

/**
 * `case [x] when ... then ... else ... end`: the first true condition's result, else the else
 * (null without one). A simple case compares `x = when` as the `=` operator does (with affinity).
 */
export function compileCase(node: AnyNode, scope: Scope): Expr {
  const subject = node.value === undefined ? undefined : compileExpr(node.value as OperationNode, scope)
  const whens = ((node.when ?? []) as readonly AnyNode[]).map((w) => {
    if (w.result === undefined) throw unsupported('a WhenNode without then')
    const condition = compileExpr(w.condition as OperationNode, scope)
    const affinity = subject === undefined ? undefined : comparisonAffinity(subject.affinity, condition.affinity)
    // `case x when y`: x = y, under that comparison's collation (collation.ts).
    const compare = collatedCompare(subject === undefined ? undefined : comparisonFold(subject, condition))
    return { condition, affinity, compare, result: compileExpr(w.result as OperationNode, scope) }
  })
  const otherwise = node.else === undefined ? undefined : compileExpr(node.else as OperationNode, scope)
  const parts = [
    ...(subject === undefined ? [] : [subject]),
    ...whens.flatMap((w) => [w.condition, w.result]),
    ...(otherwise === undefined ? [] : [otherwise]),
  ]
  return {
    eval: (t) => {
      const s = subject?.eval(t)
      for (const w of whens) {
        if (subject === undefined) {
          if (truth(w.condition.eval(t)) === true) return w.result.eval(t)
          continue
        }
        const a = applyComparisonAffinity(s!, w.affinity)
        const b = applyComparisonAffinity(w.condition.eval(t), w.affinity)
        if (a !== null && b !== null && w.compare(a, b) === 0) return w.result.eval(t)
      }
      return otherwise === undefined ? null : otherwise.eval(t)
    },
    affinity: undefined,
    constant: parts.every((p) => p.constant),
    // The first part with an explicit COLLATE: the subject, then the whens, thens and else in
    // order (sqlite3ExprCollSeq: pLeft, then the first of pList; iif() is a case too).
    ...collationOf(...parts),
  }
}

function typeName(node: AnyNode): string {
  if (node.kind === 'DataTypeNode') return String(node.dataType)
  const text = rawText(node)
  if (text === undefined) throw unsupported(`${node.kind} as the type of a cast`)
  return text
}

const MAX_I64 = 9223372036854775807n
const MIN_I64 = -(2n ** 63n)

/** CAST(x AS INTEGER) of a number: truncated toward zero, clamped to 64 bits. */
function toInteger(n: number | bigint | Real): SqlValue {
  if (typeof n === 'bigint') return n
  const v = numberOf(n)
  if (Number.isNaN(v)) return 0
  if (v >= TWO_POW_63) return integer(MAX_I64)
  if (v <= -TWO_POW_63) return integer(MIN_I64)
  const t = Math.trunc(v)
  return Number.isSafeInteger(t) ? t + 0 : integer(BigInt(t))
}

/**
 * CAST(text AS INTEGER): the longest integer prefix, exponents and fractions ignored ('1e3' is 1,
 * '2.5' is 2), clamped to 64 bits; no prefix is 0.
 */
function integerPrefix(s: string): SqlValue {
  const m = /^\s*([+-]?\d+)/.exec(s)
  if (m === null) return 0
  let n = BigInt(m[1]!)
  if (n > MAX_I64) n = MAX_I64
  if (n < MIN_I64) n = MIN_I64
  return integer(n)
}

/** SQLite's CAST (lang_expr.html#castexpr), by the affinity of the type name. */
export function castValue(v: SqlValue, affinity: Affinity): SqlValue {
  if (v === null) return null
  switch (affinity) {
    case 'blob':
      return v instanceof Uint8Array ? v : textBytes(toText(v)!)
    case 'text':
      return toText(v)
    case 'real': {
      const n = toNumeric(v)
      return n === null ? null : real(numberOf(n))
    }
    case 'integer': {
      if (typeof v === 'string' || v instanceof Uint8Array)
        return integerPrefix(typeof v === 'string' ? v : bytesText(v))
      const n = toNumeric(v)
      return n === null ? null : toInteger(n)
    }
    case 'numeric': {
      // A number is left as it is (a whole real stays a real); text and blobs become numbers.
      if (typeof v === 'number' || typeof v === 'bigint' || v instanceof Real) return v
      const n = toNumeric(v)
      if (n === null) return null
      if (isInteger(n)) return n
      const x = numberOf(n)
      // A real that is a whole number of at most 51 bits becomes an integer (sqlite3VdbeMemNumerify,
      // sqlite3RealSameAsInt): cast('2e15' as numeric) is the integer, cast('4e15' as numeric) the real.
      if (Number.isInteger(x) && x >= -TWO_POW_51 && x < TWO_POW_51) return toInteger(n)
      return n
    }
  }
}

export function compileCast(node: AnyNode, scope: Scope): Expr {
  const inner = compileExpr(node.expression as OperationNode, scope)
  const affinity = affinityOf(typeName(node.dataType as AnyNode))
  // A CAST keeps a column's declared collation (sqlite3ExprCollSeq looks through TK_CAST).
  return {
    eval: (t) => castValue(inner.eval(t), affinity),
    affinity,
    constant: inner.constant,
    ...collationOf(inner),
    ...declaredOf(inner),
  }
}
