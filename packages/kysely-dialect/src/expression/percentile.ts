import { applyAffinity } from '../catalog/affinity.js'
import { BTreeSqlError } from '../errors.js'
import { isInteger, isReal, numberOf, real, type SqlValue } from '../encoding/values.js'
import type { Accumulator } from './aggregates.js'

/**
 * SQLite's percentile aggregates (3.47+, built with SQLITE_ENABLE_PERCENTILE as better-sqlite3
 * is; percentile.html): `median(Y)`, `percentile(Y, P)` (P from 0 to 100), `percentile_cont(Y, P)`
 * and `percentile_disc(Y, P)` (P from 0 to 1), as window functions too. Nulls are left out; a Y
 * that is not an integer or a real, or is infinite, and a P out of range or not the same on every
 * row, are SQLite's errors. The result is a real: the value at P of the sorted values,
 * interpolated between the two around it (percentile_disc: the lower one), null for no values.
 */
export class PercentileAccumulator implements Accumulator {
  readonly #values: number[] = []
  #sorted = true
  #fraction: number | undefined

  /** `scale`: what P is out of (100 for percentile, 1 for the others); median has no P (0.5). */
  constructor(
    readonly name: string,
    readonly scale: number,
    readonly discrete: boolean,
  ) {}

  step(args: readonly SqlValue[]): void {
    let fraction = 0.5
    if (args.length > 1) {
      // P as a number (sqlite3_value_numeric_type: '50' reads as 50).
      const p = applyAffinity(args[1] ?? null, 'numeric')
      fraction = isInteger(p) || isReal(p) ? numberOf(p as number) / this.scale : NaN
      if (!(fraction >= 0 && fraction <= 1))
        throw this.#error(`the fraction argument to ${this.name}() is not between 0.0 and ${this.scale.toFixed(1)}`)
    }
    if (this.#fraction === undefined) this.#fraction = fraction
    else if (Math.abs(this.#fraction - fraction) > 1e-10)
      throw this.#error(`the fraction argument to ${this.name}() is not the same for all input rows`)
    const y = args[0] ?? null
    if (y === null) return
    if (!isInteger(y) && !isReal(y)) throw this.#error(`input to ${this.name}() is not numeric`)
    const n = numberOf(y as number)
    if (!Number.isFinite(n)) throw this.#error(`Inf input to ${this.name}()`)
    if (this.#values.length > 0 && n < this.#values[this.#values.length - 1]!) this.#sorted = false
    this.#values.push(n)
  }

  final(): SqlValue {
    const a = this.#values
    if (a.length === 0) return null
    if (!this.#sorted) {
      a.sort((x, y) => x - y)
      this.#sorted = true
    }
    const ix = this.#fraction! * (a.length - 1)
    const i1 = Math.floor(ix)
    if (this.discrete) return real(a[i1]!)
    const i2 = ix === i1 || i1 === a.length - 1 ? i1 : i1 + 1
    return real(a[i1]! + (a[i2]! - a[i1]!) * (ix - i1))
  }

  #error(message: string): BTreeSqlError {
    return new BTreeSqlError('BTREE_SQL_FUNCTION_ERROR', message)
  }
}
