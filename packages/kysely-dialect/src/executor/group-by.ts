import type { ValueRef } from 'btree-store'
import type { Affinity } from '../catalog/affinity.js'
import { compareValues, Real, type SqlValue } from '../encoding/values.js'
import { GroupState, type GroupScope, type SingleAccumulator } from '../expression/aggregates.js'
import type { Expr } from '../expression/expression.js'
import { ArrayRow, type RowLike, type Tuple } from '../expression/scope.js'
import { RowView, SlotReader } from '../encoding/rows.js'
import { rowView } from './table-store.js'
import { rowKey, valueKey } from '../expression/value-key.js'

export interface Group {
  tuple: Tuple
  /** The only min() / max() has found its row: bare columns stay on it. */
  locked: boolean
  state: GroupState
  values: SqlValue[]
  /** Rows addStored counted for the count(*) calls, not yet handed to them (GroupTable.finish). */
  pending: number
}

/**
 * Affinities under which two values that group together are the same value (SQLite's grouping
 * equality is its comparison: 1 and 1.0 meet, and only a column without affinity can hold both).
 */
const EXACT: ReadonlySet<Affinity> = new Set<Affinity>(['integer', 'numeric', 'text'])

/** A group term that is a column of the query's own sources, where a bare read of it can take the group's value. */
interface KeyColumn {
  readonly term: number
  readonly source: number
  readonly slot: number
  readonly width: number
}

/**
 * How a grouped query reads its groups' rows, worked out once per statement: when every bare
 * column its output reads is a group term (`select category, count(*) ... group by category`), a
 * group needs no row of its own: its output reads the term's value, and the scan feeding it may
 * reuse one row for every row it reads. Otherwise each group keeps its last row (or its only
 * min() / max() row), as SQLite's bare columns read.
 */
/**
 * The plainest grouping, read straight from one source's row: at most one group term and
 * aggregates of one column (or count(*)) without distinct or filter, all of that source.
 */
interface DirectRead {
  readonly source: number
  /** The group term's slot, or -1 without group by. */
  readonly key: number
  /** Per aggregate call, the slot of its argument, or -1 for count(*). */
  readonly args: Int32Array
}

export class GroupLayout {
  readonly retainsRows: boolean
  readonly keys: readonly KeyColumn[]
  readonly direct: DirectRead | undefined

  constructor(
    readonly terms: readonly Expr[],
    readonly scope: GroupScope,
  ) {
    const keys: KeyColumn[] = []
    terms.forEach((e, term) => {
      const c = e.column
      if (c === undefined || c.source >= scope.sources.length || !EXACT.has(c.column.affinity)) return
      keys.push({ term, source: c.source, slot: c.column.slot, width: scope.sources[c.source]!.table.nextSlot })
    })
    this.keys = keys
    this.retainsRows = scope.bare.some((b) => !keys.some((k) => k.source === b.source && k.slot === b.column.slot))
    this.direct = this.retainsRows ? undefined : directRead(terms, scope)
  }
}

function directRead(terms: readonly Expr[], scope: GroupScope): DirectRead | undefined {
  const own = scope.sources.length
  let source: number | undefined
  /** The slot of a column of the one source, or undefined. */
  const slotOf = (e: Expr): number | undefined => {
    const c = e.column
    if (c === undefined || c.source >= own || (source !== undefined && c.source !== source)) return undefined
    source = c.source
    return c.column.slot
  }
  if (terms.length > 1) return undefined
  const key = terms.length === 0 ? -1 : slotOf(terms[0]!)
  if (key === undefined) return undefined
  const args = new Int32Array(scope.calls.length)
  for (let i = 0; i < scope.calls.length; i++) {
    const call = scope.calls[i]!
    if (!call.single || call.distinct || call.filter !== undefined || call.args.length > 1) return undefined
    const slot = call.args.length === 0 ? -1 : slotOf(call.args[0]!)
    if (slot === undefined) return undefined
    args[i] = slot
  }
  return own === 0 ? undefined : { source: source ?? 0, key, args }
}

/** Integer keys below this index an array (it grows to the largest key seen). */
const DENSE_LIMIT = 1024

export class GroupTable {
  readonly #terms: readonly Expr[]
  readonly #scope: GroupScope
  readonly #layout: GroupLayout
  readonly #template: Tuple
  /** Groups of small non-negative integer keys (category ids, flags), by index: no hashing per row. */
  readonly #dense: (Group | undefined)[] = []
  readonly #numbers = new Map<number, Group>()
  readonly #texts = new Map<string, Group>()
  readonly #keyed = new Map<string, Group>()
  readonly #groups: Group[] = []
  readonly #scratch: SqlValue[]
  /** A direct read's slots (its key, then its aggregates' arguments), read from a row's bytes. */
  readonly #reader: SlotReader | undefined
  /** Where the reader holds the key, and each argument (-1 for count(*)). */
  readonly #keyAt: number
  readonly #argAt: Int32Array
  /** A view for the values the reader leaves to RowView.get (text, null, a missing slot). */
  readonly #view: RowView | undefined

  /** `template`: the tuple of null rows and outer rows a statement run starts from. */
  constructor(layout: GroupLayout, template: Tuple) {
    this.#layout = layout
    this.#terms = layout.terms
    this.#scope = layout.scope
    this.#template = template
    this.#scratch = new Array<SqlValue>(layout.terms.length)
    const direct = layout.direct
    if (direct === undefined) {
      this.#keyAt = -1
      this.#argAt = new Int32Array(0)
      return
    }
    const reader = new SlotReader([direct.key, ...direct.args])
    this.#reader = reader
    this.#keyAt = reader.place[0]!
    this.#argAt = reader.place.subarray(1)
    this.#view = rowView(layout.scope.sources[direct.source]!.table, new Uint8Array(0))
  }

  /** Adds a row; `t` may be reused by the caller afterwards unless the layout retains rows. */
  add(t: Tuple): void {
    const direct = this.#layout.direct
    if (direct !== undefined) {
      const row = t[direct.source]!
      if (row instanceof RowView) return this.addStored(row)
      const group = direct.key < 0 ? this.#only(t) : this.#single(row.get(direct.key), t)
      const accumulators = group.state.accumulators as unknown as readonly SingleAccumulator[]
      const args = direct.args
      for (let i = 0; i < args.length; i++) {
        const slot = args[i]!
        accumulators[i]!.stepOne(slot < 0 ? undefined : row.get(slot))
      }
      return
    }
    const terms = this.#terms.length
    const group =
      terms === 1 ? this.#single(this.#terms[0]!.eval(t), t) : terms === 0 ? this.#only(t) : this.#several(t)
    if (!this.#layout.retainsRows) {
      group.state.step(t)
      return
    }
    // Bare columns read the group's last row, or the row of its only min() / max() once that has
    // seen a value, as SQLite's do.
    if (group.state.step(t)) {
      group.tuple = t
      group.locked = true
    } else if (!group.locked) {
      group.tuple = t
    }
  }

  /**
   * Adds a stored row of a direct read (layout.direct; the caller may reuse the view): no
   * expression closures, argument arrays or per-call checks, and numbers go from the row's bytes
   * to the accumulators unboxed; only the slots the query reads are decoded.
   */
  addStored(row: RowView): void {
    const direct = this.#layout.direct!
    const key = direct.key
    let group: Group | undefined
    if (key < 0) group = this.#only(this.#template)
    else {
      const n = row.numberAt(key)
      // NaN (a value that is no number) fails the test.
      if ((n | 0) === n && n >= 0) group = this.#dense[n]
      group ??= this.#single(row.get(key), this.#template)
    }
    // count(*) counts the group's rows at finish: no call per row, and the calls left in the loop
    // are usually of one class (sum's), which the JIT then inlines.
    group.pending++
    // A direct read holds only calls whose accumulators are single (directRead).
    const accumulators = group.state.accumulators as unknown as readonly SingleAccumulator[]
    const args = direct.args
    for (let i = 0; i < args.length; i++) {
      const slot = args[i]!
      if (slot < 0) continue
      const accumulator = accumulators[i]!
      const n = row.numberAt(slot)
      if (n !== n) accumulator.stepOne(row.get(slot))
      else if (row.lastWasReal) accumulator.stepReal(n)
      else accumulator.stepOne(n)
    }
  }

  /**
   * addStored for the row at `offset` in `bytes` (eachStoredRef): its key and arguments read in
   * one pass over its header (SlotReader), numbers handed to the accumulators unboxed; only values
   * that are no number go through a RowView.
   */
  addBytes(bytes: Uint8Array, offset: number): void {
    const direct = this.#layout.direct!
    const reader = this.#reader!
    reader.read(bytes, offset)
    const numbers = reader.numbers
    let group: Group | undefined
    if (direct.key < 0) group = this.#only(this.#template)
    else {
      const n = numbers[this.#keyAt]!
      // NaN (a value that is no number) fails the test. The index is an int32 (n is a double: a
      // double index costs a generic element load).
      const k = n | 0
      if (k === n && k >= 0) group = this.#dense[k]
      group ??= this.#single(this.#viewAt(bytes, offset).get(direct.key), this.#template)
    }
    group.pending++
    const accumulators = group.state.accumulators as unknown as readonly SingleAccumulator[]
    const reals = reader.reals
    const argAt = this.#argAt
    for (let i = 0; i < argAt.length; i++) {
      const at = argAt[i]!
      if (at < 0) continue
      const accumulator = accumulators[i]!
      const n = numbers[at]!
      if (n !== n) accumulator.stepOne(this.#viewAt(bytes, offset).get(direct.args[i]!))
      else if (reals[at] === 1) accumulator.stepReal(n)
      else accumulator.stepOne(n)
    }
  }

  /** addBytes for the engine's ValueRef of a row (eachStoredRef's visit): one call per row, no closure between. */
  readonly addRef = (at: ValueRef): void => this.addBytes(at.bytes, at.offset)

  #viewAt(bytes: Uint8Array, offset: number): RowView {
    const view = this.#view!
    view.resetAt(bytes, offset)
    return view
  }

  /** The one group of aggregates without group by. */
  #only(t: Tuple): Group {
    return this.#groups[0] ?? this.#create(t, [])
  }

  #single(v: SqlValue, t: Tuple): Group {
    let n: number | undefined
    if (typeof v === 'number') n = v
    else if (v instanceof Real) n = v.value
    if (n !== undefined && (n | 0) === n && n >= 0 && n < DENSE_LIMIT) {
      // -0 lands on 0's entry, as 0 and -0 group together.
      const dense = this.#dense
      if (n >= dense.length) while (dense.length <= n) dense.push(undefined)
      let group = dense[n]
      if (group === undefined) dense[n] = group = this.#create(t, [v])
      return group
    }
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
    const tuple = this.#layout.retainsRows ? t : this.#keyTuple(values)
    const group: Group = { tuple, locked: false, state: new GroupState(this.#scope.calls), values, pending: 0 }
    this.#groups.push(group)
    return group
  }

  /** A group's own tuple when rows are not kept: its term values at the slots of their columns. */
  #keyTuple(values: readonly SqlValue[]): Tuple {
    const t: RowLike[] = this.#template.slice()
    const keys = this.#layout.keys
    // One row per source that has key columns (keys of one source are the usual case: no map).
    const rows: SqlValue[][] = []
    const sources: number[] = []
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!
      let at = sources.indexOf(k.source)
      if (at < 0) {
        at = sources.push(k.source) - 1
        rows.push(new Array<SqlValue>(k.width).fill(null))
        t[k.source] = new ArrayRow(rows[at]!)
      }
      rows[at]![k.slot] = values[k.term]!
    }
    return t
  }

  /**
   * The groups in the order of their keys, as SQLite's sorter (or a group-by index) yields them;
   * aggregates without group by make one row (on `template`), even over no rows.
   */
  finish(template: Tuple): Group[] {
    const direct = this.#layout.direct
    if (direct !== undefined) {
      for (const group of this.#groups) {
        if (group.pending === 0) continue
        const accumulators = group.state.accumulators as unknown as readonly SingleAccumulator[]
        for (let i = 0; i < direct.args.length; i++) if (direct.args[i]! < 0) accumulators[i]!.stepMany(group.pending)
        group.pending = 0
      }
    }
    if (this.#groups.length === 0 && this.#terms.length === 0)
      return [{ tuple: template, locked: false, state: new GroupState(this.#scope.calls), values: [], pending: 0 }]
    // Groups of small integer keys alone: their index order is their keys' order, no sort (an
    // integer and an equal real share an entry, and compare equal).
    if (this.#terms.length === 1 && this.#numbers.size === 0 && this.#texts.size === 0 && this.#keyed.size === 0) {
      const dense = this.#dense
      const out: Group[] = []
      for (let i = 0; i < dense.length; i++) if (dense[i] !== undefined) out.push(dense[i]!)
      return out
    }
    return this.#groups.sort((a, b) => {
      for (let i = 0; i < a.values.length; i++) {
        const c = compareValues(a.values[i]!, b.values[i]!)
        if (c !== 0) return c
      }
      return 0
    })
  }
}
