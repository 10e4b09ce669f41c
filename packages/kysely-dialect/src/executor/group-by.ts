import { compareValues, Real, type SqlValue } from '../encoding/values.js'
import { GroupState, type GroupScope } from '../expression/aggregates.js'
import type { Expr } from '../expression/expression.js'
import type { Tuple } from '../expression/scope.js'
import { rowKey, valueKey } from '../expression/value-key.js'

export interface Group {
  tuple: Tuple
  /** The only min() / max() has found its row: bare columns stay on it. */
  locked: boolean
  state: GroupState
  values: SqlValue[]
}

/**
 * The group-by operator: rows are added one at a time (a scan feeds it without collecting its
 * rows first) and each steps its group's aggregates at once. A single group term keys its group
 * by the value itself where SQLite's equality is JavaScript's (numbers other than unsafe
 * integers, and text), so most rows find their group without building a string key; other values
 * and several terms key by `valueKey` / `rowKey`, which agree with those maps (1 and 1.0 meet).
 */
export class GroupTable {
  readonly #terms: readonly Expr[]
  readonly #scope: GroupScope
  readonly #numbers = new Map<number, Group>()
  readonly #texts = new Map<string, Group>()
  readonly #keyed = new Map<string, Group>()
  readonly #groups: Group[] = []
  readonly #scratch: SqlValue[]

  constructor(terms: readonly Expr[], scope: GroupScope) {
    this.#terms = terms
    this.#scope = scope
    this.#scratch = new Array<SqlValue>(terms.length)
  }

  add(t: Tuple): void {
    const group = this.#terms.length === 1 ? this.#single(this.#terms[0]!.eval(t), t) : this.#several(t)
    // Bare columns read the group's last row, or the row of its only min() / max() once that has
    // seen a value, as SQLite's do.
    if (group.state.step(t)) {
      group.tuple = t
      group.locked = true
    } else if (!group.locked) {
      group.tuple = t
    }
  }

  #single(v: SqlValue, t: Tuple): Group {
    let n: number | undefined
    if (typeof v === 'number') n = v
    else if (v instanceof Real) n = v.value
    if (n !== undefined && (!Number.isInteger(n) || Number.isSafeInteger(n))) {
      let group = this.#numbers.get(n)
      if (group === undefined) this.#numbers.set(n, (group = this.#create(t, [v])))
      return group
    }
    if (typeof v === 'string') {
      let group = this.#texts.get(v)
      if (group === undefined) this.#texts.set(v, (group = this.#create(t, [v])))
      return group
    }
    const key = valueKey(v)
    let group = this.#keyed.get(key)
    if (group === undefined) this.#keyed.set(key, (group = this.#create(t, [v])))
    return group
  }

  #several(t: Tuple): Group {
    const values = this.#scratch
    for (let i = 0; i < values.length; i++) values[i] = this.#terms[i]!.eval(t)
    const key = rowKey(values)
    let group = this.#keyed.get(key)
    if (group === undefined) this.#keyed.set(key, (group = this.#create(t, values.slice())))
    return group
  }

  #create(t: Tuple, values: SqlValue[]): Group {
    const group: Group = { tuple: t, locked: false, state: new GroupState(this.#scope.calls), values }
    this.#groups.push(group)
    return group
  }

  /**
   * The groups in the order of their keys, as SQLite's sorter (or a group-by index) yields them;
   * aggregates without group by make one row (on `template`), even over no rows.
   */
  finish(template: Tuple): Group[] {
    if (this.#groups.length === 0 && this.#terms.length === 0)
      return [{ tuple: template, locked: false, state: new GroupState(this.#scope.calls), values: [] }]
    return this.#groups.sort((a, b) => {
      for (let i = 0; i < a.values.length; i++) {
        const c = compareValues(a.values[i]!, b.values[i]!)
        if (c !== 0) return c
      }
      return 0
    })
  }
}
