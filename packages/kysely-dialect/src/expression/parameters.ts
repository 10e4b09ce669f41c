import type { OperationNode } from 'kysely'
import type { SqlValue } from '../encoding/values.js'
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
