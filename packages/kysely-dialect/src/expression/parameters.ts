import type { OperationNode } from 'kysely'
import { Real, type SqlValue } from '../encoding/values.js'
import type { Expr } from './expression.js'

/**
 * The bound values of a cached statement (statement-cache.ts). Its value nodes compile to reads
 * of `values`, set before each run, instead of constants: one compiled statement serves every
 * execution of the same SQL text.
 *
 * Some values are read while compiling and planning (a `like` pattern's head, `is null`, a limit,
 * a date function's 'now'): what was compiled depends on them, so they are recorded in `baked`
 * and the cache recompiles when a later execution binds a different value to one of them.
 */
export class Parameters {
  values: readonly SqlValue[] = []
  /** Set while the statement compiles: reads then are recorded in `baked`. */
  compiling = false
  readonly baked = new Set<number>()

  /** `slots`: the statement's value nodes and the index of the parameter each one is. */
  constructor(readonly slots: ReadonlyMap<OperationNode, number>) {}

  expr(index: number): Expr {
    return {
      eval: () => {
        if (this.compiling) this.baked.add(index)
        return this.values[index]!
      },
      affinity: undefined,
      constant: true,
    }
  }
}

let active: Parameters | undefined

/** Compiles a cached statement: its value nodes become parameter reads while `compile` runs. */
export function compileWithParameters<T>(parameters: Parameters, compile: () => T): T {
  const previous = active
  active = parameters
  parameters.compiling = true
  try {
    return compile()
  } finally {
    active = previous
    parameters.compiling = false
  }
}

/** The parameter read a value node compiles to, when a cached statement is being compiled. */
export function parameterExpr(node: OperationNode): Expr | undefined {
  if (active === undefined) return undefined
  const index = active.slots.get(node)
  return index === undefined ? undefined : active.expr(index)
}

/**
 * The values a compilation read (Parameters.baked) and held: a compiled statement holds while each
 * is bound to the same value again (guardHolds).
 */
export function guardOf(parameters: Parameters, values: readonly SqlValue[]): (readonly [number, SqlValue])[] {
  // Pushed, not mapped: an array from `map` is holey, or packed where an optimized caller
  // inlined it, and guardHolds deoptimized at the first guard of the other kind (table-store.ts:slotsOf).
  const guard: (readonly [number, SqlValue])[] = []
  for (const i of parameters.baked) guard.push([i, copyValue(values[i]!)])
  return guard
}

export function guardHolds(guard: readonly (readonly [number, SqlValue])[], values: readonly SqlValue[]): boolean {
  for (let k = 0; k < guard.length; k++) {
    const [i, v] = guard[k]!
    if (!sameValue(v, values[i]!)) return false
  }
  return true
}

/** The same SQL value, of the same type (1 and 1.0 differ: a compilation may have read the type). */
function sameValue(a: SqlValue, b: SqlValue): boolean {
  if (Object.is(a, b)) return true
  if (a instanceof Real && b instanceof Real) return Object.is(a.value, b.value)
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    if (a.length !== b.length) return false
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
    return true
  }
  return false
}

/** A guarded value kept apart from the caller's buffer, which it may change after the statement. */
function copyValue(v: SqlValue): SqlValue {
  return v instanceof Uint8Array ? v.slice() : v
}
