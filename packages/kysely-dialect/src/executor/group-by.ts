import type { ValueRef } from 'btree-store'
import type { Affinity } from '../catalog/affinity.js'
import { compareValues, hasSurrogate, Real, type SqlValue } from '../encoding/values.js'
import { GroupState, type GroupScope, type SingleAccumulator } from '../expression/aggregates.js'
import type { Expr } from '../expression/expression.js'
import { ArrayRow, type RowLike, type Tuple } from '../expression/scope.js'
import {
  float64At,
  readFloat64,
  RowView,
  SlotReader,
  smallInt,
  T_FLOAT,
  T_INT32,
  T_NULL,
  T_ZERO,
} from '../encoding/rows.js'
import { rowView } from './table-store.js'
import { rowKey, valueKey } from '../expression/value-key.js'
import { AggregateLanes, APPROX, COUNT, SUM } from './aggregate-lanes.js'

export interface Group {
  tuple: Tuple
  /** The only min() / max() has found its row: bare columns stay on it. */
  locked: boolean
  state: GroupState
  values: SqlValue[]
  /** Its index in the table's groups as they were created (a direct read's lanes: AggregateLanes). */
  ordinal: number
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
 * reuse one row for every row it reads. Otherwise each group keeps its first row (or the row of
 * its only min() / max()), as SQLite's bare columns read.
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
  /**
   * The most groups a run of the statement has made (capped at GROUPS_HINT_LIMIT): the next
   * run's lanes start with room for them.
   */
  groupsSeen = 0
  /**
   * The lanes and dense ordinals of the statement's last finished run, cleared, for its next run,
   * which takes them (a run of the statement nested in another makes its own). A typed array past
   * 64 bytes has its bytes allocated outside V8's heap, a few µs each: a hundred-group run made
   * seven (six lanes and 4 KiB of ordinals) before anything was read.
   */
  #spare: SpareLanes | undefined

  /** The spare lanes (undefined when there are none: the run makes its own). */
  takeLanes(): SpareLanes | undefined {
    const spare = this.#spare
    this.#spare = undefined
    return spare
  }

  /** Keeps a finished run's lanes, cleared, for the next run. */
  keepLanes(spare: SpareLanes): void {
    this.#spare = spare
  }

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

const NO_SLOTS = new Int32Array(0)

/** A finished run's lanes and dense ordinals, all zero, kept by its GroupLayout for the next run. */
interface SpareLanes {
  readonly lanes: AggregateLanes
  readonly ordinals: Int32Array | undefined
}

/** The most groups a statement's next run makes room for at once (GroupLayout.groupsSeen). */
const GROUPS_HINT_LIMIT = 1 << 16

/** Integer keys below this index an array (it grows to the largest key seen). */
const DENSE_LIMIT = 1024

export class GroupTable {
  readonly #terms: readonly Expr[]
  readonly #scope: GroupScope
  readonly #layout: GroupLayout
  readonly #template: Tuple
  /** Groups of small non-negative integer keys (category ids, flags), by index: no hashing per row. */
  readonly #dense: (Group | undefined)[] = []
  /** The same groups' ordinals + 1 (0: none yet), for a direct read's rows (DENSE_LIMIT entries once used). */
  #denseOrdinals: Int32Array | undefined
  readonly #numbers = new Map<number, Group>()
  readonly #texts = new Map<string, Group>()
  readonly #keyed = new Map<string, Group>()
  readonly #groups: Group[] = []
  readonly #scratch: SqlValue[]
  /**
   * A direct read's slots (its key, then its aggregates' arguments), read from a row's bytes, and
   * where the reader holds the key and each argument (-1 for count(*)): made at the first row
   * addBytes leaves to #addBytesGeneral (none, in a grouping of small integer keys over rows of
   * the usual layout).
   */
  #reader: SlotReader | undefined
  #keyAt = -1
  #argAt: Int32Array = NO_SLOTS
  /** A view for the values the reader leaves to RowView.get (text, null, a missing slot), made at its first use. */
  #view: RowView | undefined
  /** A direct read's count, sum, total and avg state, in typed arrays. */
  readonly #lanes: AggregateLanes | undefined
  /** A direct read's key slot (-1 without group by) and its calls' argument slots (-1 for count(*)). */
  readonly #keySlot: number
  readonly #argSlots: Int32Array
  /**
   * The one call that reads a column (count(*) reads none), or -1 when there are none or several:
   * addBytes then steps it without its loop over the calls (`count(*), sum(x)`, the usual
   * grouping, ran ~6% faster a query so).
   */
  readonly #oneCall: number = -1

  /** `template`: the tuple of null rows and outer rows a statement run starts from. */
  constructor(layout: GroupLayout, template: Tuple) {
    this.#layout = layout
    this.#terms = layout.terms
    this.#scope = layout.scope
    this.#template = template
    this.#scratch = new Array<SqlValue>(layout.terms.length)
    const direct = layout.direct
    if (direct === undefined) {
      this.#keySlot = -1
      this.#argSlots = NO_SLOTS
      return
    }
    this.#keySlot = direct.key
    this.#argSlots = direct.args
    const spare = layout.takeLanes()
    this.#lanes = spare?.lanes ?? new AggregateLanes(layout.scope.calls, direct.args, layout.groupsSeen)
    this.#denseOrdinals = spare?.ordinals
    const reading = Array.from(direct.args.keys()).filter((i) => direct.args[i]! >= 0)
    if (reading.length === 1) this.#oneCall = reading[0]!
  }

  /** Adds a row; `t` may be reused by the caller afterwards unless the layout retains rows. */
  add(t: Tuple): void {
    const direct = this.#layout.direct
    if (direct !== undefined) {
      const row = t[direct.source]!
      if (row instanceof RowView) return this.addStored(row)
      const group = direct.key < 0 ? this.#only(t) : this.#single(row.get(direct.key), t)
      const g = group.ordinal
      this.#lanes!.addRow(g)
      const args = direct.args
      for (let i = 0; i < args.length; i++) {
        const slot = args[i]!
        if (slot < 0) continue
        const v = row.get(slot)
        if (typeof v === 'number') this.#stepNumber(group, i, v, !Number.isInteger(v))
        else if (v instanceof Real) this.#stepNumber(group, i, v.value, true)
        else this.#stepValue(group, i, v)
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
    // Bare columns read the group's first row (which made it, #create); with the query's only
    // min() / max(), that call's row once it has seen a value, the group's last row until then:
    // as SQLite's do (3.53 and 3.54 alike).
    if (group.state.step(t)) {
      group.tuple = t
      group.locked = true
    } else if (!group.locked && group.state.followsExtreme) {
      group.tuple = t
    }
  }

  /**
   * Adds a stored row of a direct read (layout.direct; the caller may reuse the view): no
   * expression closures, argument arrays or per-call checks, and numbers go from the row's bytes
   * to the lanes (or accumulators) unboxed; only the slots the query reads are decoded.
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
    this.#lanes!.addRow(group.ordinal)
    const args = direct.args
    for (let i = 0; i < args.length; i++) {
      const slot = args[i]!
      if (slot < 0) continue
      const n = row.numberAt(slot)
      if (n !== n) this.#stepValue(group, i, row.get(slot))
      else this.#stepNumber(group, i, n, row.lastWasReal)
    }
  }

  /**
   * addStored for the row at `offset` in `bytes` (eachStoredRef), in one loop over the row's
   * header: the group of a small integer key found by index, numbers decoded from the row's bytes
   * and added to the lanes in place (a KBN step for a real of a sum summing doubles, an addition
   * for an integer of one summing exactly, a count for a count(x) of a value that is not null),
   * count(*) counting the group's rows, a key's group made at its first row. Anything else (a row
   * of another layout, a key that is no integer in [0, DENSE_LIMIT), a value a lane does not take)
   * goes through #addBytesGeneral or #addSlot, which give the same answers.
   */
  addBytes(bytes: Uint8Array, offset: number): void {
    // The row's header (NarrowRow.locate, inline: a version-2 row with one-byte end offsets).
    let at = offset
    while (bytes[at]! >= 0x80) at++
    at++
    const count = bytes[at + 1]!
    if (bytes[at] !== 0 || count >= 0x80 || bytes[at + 2] !== 1) return this.#addBytesGeneral(bytes, offset)
    const tags = at + 3
    const ends = tags + count
    const payload = ends + count
    let g: number
    const keySlot = this.#keySlot
    if (keySlot < 0) g = this.#only(this.#template).ordinal
    else {
      const tag = keySlot < count ? bytes[tags + keySlot]! : T_NULL
      if (tag < T_ZERO || tag > T_INT32) return this.#addBytesGeneral(bytes, offset)
      const k = smallInt(bytes, tag, payload + (keySlot === 0 ? 0 : bytes[ends + keySlot - 1]!))
      if (k < 0 || k >= DENSE_LIMIT) return this.#addBytesGeneral(bytes, offset)
      const ordinals = this.#denseOrdinals
      g = ordinals === undefined ? -1 : ordinals[k]! - 1
      // A key's first row makes its group here, with the integer RowView.get reads for the slot.
      if (g < 0) g = this.#single(k, this.#template).ordinal
    }
    const lanes = this.#lanes!
    lanes.rows[g]!++
    const one = this.#oneCall
    if (one >= 0) return this.#stepBytes(lanes, g, one, bytes, offset, count, tags, ends, payload)
    const slots = this.#argSlots
    // count(*) (-1): counted by the rows.
    for (let i = 0; i < slots.length; i++)
      if (slots[i]! >= 0) this.#stepBytes(lanes, g, i, bytes, offset, count, tags, ends, payload)
  }

  /**
   * addBytes's step of call `i` (which reads a column) of group `g`, for the version-2 row at
   * `offset` whose header addBytes read: `count` slots, their tags at `tags`, their one-byte end
   * offsets at `ends`, the payloads from `payload`. The usual steps are taken in place; the others
   * go to #addSlot.
   */
  #stepBytes(
    lanes: AggregateLanes,
    g: number,
    i: number,
    bytes: Uint8Array,
    offset: number,
    count: number,
    tags: number,
    ends: number,
    payload: number,
  ): void {
    const slot = this.#argSlots[i]!
    // A slot past the row's end reads its column's default: #addSlot.
    const tag = slot < count ? bytes[tags + slot]! : -1
    const kind = lanes.kinds[i]!
    const lane = g * lanes.width + i
    if (kind === SUM && tag === T_FLOAT && lanes.mode[lane] === APPROX) {
      // The usual step of a sum of reals: a KBN step in place. readFloat64, not float64At:
      // float64At stayed a call here (not inlined in this loop), ~9% of a group-by's time
      // in an A/B of the two builds (a DataView of the GroupTable's own was slower still).
      const r = readFloat64(bytes, payload + (slot === 0 ? 0 : bytes[ends + slot - 1]!))
      lanes.count[lane]!++
      const sum = lanes.sum
      const s = sum[lane]!
      const t = s + r
      if (Math.abs(s) > Math.abs(r)) lanes.err[lane]! += s - t + r
      else lanes.err[lane]! += r - t + s
      sum[lane] = t
    } else if (kind === COUNT && tag >= 0) {
      if (tag !== T_NULL) lanes.count[lane]!++
    } else {
      this.#addSlot(g, i, tag, bytes, offset, tag < 0 ? -1 : payload + (slot === 0 ? 0 : bytes[ends + slot - 1]!))
    }
  }

  /**
   * addBytes's step of call `i` of group `g` other than its loop's usual ones: `tag` the slot's
   * (-1 past the row's end), its payload at `at`. Kept out of the loop, so that the loop's
   * code is its usual steps only.
   */
  #addSlot(g: number, i: number, tag: number, bytes: Uint8Array, offset: number, at: number): void {
    const lanes = this.#lanes!
    if (lanes.kinds[i] === SUM) {
      // null adds nothing to a sum.
      if (tag === T_NULL) return
      if (tag >= T_ZERO && tag <= T_INT32) {
        if (lanes.stepNumber(g, i, smallInt(bytes, tag, at), false)) return
      } else if (tag === T_FLOAT) {
        if (lanes.stepNumber(g, i, float64At(bytes, at), true)) return
      }
    }
    this.#stepSlot(this.#groups[g]!, i, bytes, offset)
  }

  /** Steps call `i` of `group` with its argument read from the row at `offset` in `bytes`. */
  #stepSlot(group: Group, i: number, bytes: Uint8Array, offset: number): void {
    const v = this.#viewAt(bytes, offset).get(this.#argSlots[i]!)
    if (typeof v === 'number') this.#stepNumber(group, i, v, !Number.isInteger(v))
    else if (v instanceof Real) this.#stepNumber(group, i, v.value, true)
    else this.#stepValue(group, i, v)
  }

  /** addBytes of any row (SlotReader), creating its group when it has none yet. */
  #addBytesGeneral(bytes: Uint8Array, offset: number): void {
    const reader = this.#reader ?? this.#makeReader()
    reader.read(bytes, offset)
    const numbers = reader.numbers
    let group: Group | undefined
    if (this.#keyAt < 0) group = this.#only(this.#template)
    else {
      const n = numbers[this.#keyAt]!
      // NaN (a value that is no number) fails the test. The index is an int32 (n is a double: a
      // double index costs a generic element load).
      const k = n | 0
      if (k === n && k >= 0) group = this.#dense[k]
      group ??= this.#single(this.#viewAt(bytes, offset).get(this.#keySlot), this.#template)
    }
    this.#lanes!.addRow(group.ordinal)
    const reals = reader.reals
    const argAt = this.#argAt
    for (let i = 0; i < argAt.length; i++) {
      const at = argAt[i]!
      if (at < 0) continue
      const n = numbers[at]!
      if (n !== n) this.#stepValue(group, i, this.#viewAt(bytes, offset).get(this.#argSlots[i]!))
      else this.#stepNumber(group, i, n, reals[at] === 1)
    }
  }

  /** Steps call `i` of `group` with a number: its lane, or else its accumulator (the lane spilled first). */
  #stepNumber(group: Group, i: number, n: number, real: boolean): void {
    const lanes = this.#lanes!
    if (lanes.stepNumber(group.ordinal, i, n, real)) return
    const accumulator = (group.state.accumulators as unknown as readonly SingleAccumulator[])[i]!
    lanes.spill(group.ordinal, i, accumulator)
    if (real) accumulator.stepReal(n)
    else accumulator.stepOne(n)
  }

  /** Steps call `i` of `group` with a value that is no number, through its accumulator. */
  #stepValue(group: Group, i: number, v: SqlValue): void {
    const accumulator = (group.state.accumulators as unknown as readonly SingleAccumulator[])[i]!
    this.#lanes!.spill(group.ordinal, i, accumulator)
    accumulator.stepOne(v)
  }

  /**
   * Adds `count` rows at once when a direct read's every call is count(*) and there is no group
   * by (`select count(*) from t`: the table's row count, which the engine keeps); false, adding
   * nothing, for any other layout.
   */
  addRows(count: number): boolean {
    const direct = this.#layout.direct
    if (direct === undefined || direct.key >= 0 || direct.args.some((slot) => slot >= 0)) return false
    // The group first: making it grows the lanes' arrays.
    const g = this.#only(this.#template).ordinal
    this.#lanes!.rows[g]! += count
    return true
  }

  /** addBytes for the engine's ValueRef of a row (eachStoredRef's visit): one call per row, no closure between. */
  readonly addRef = (at: ValueRef): void => this.addBytes(at.bytes, at.offset)

  #makeReader(): SlotReader {
    const direct = this.#layout.direct!
    const reader = new SlotReader([direct.key, ...direct.args])
    this.#keyAt = reader.place[0]!
    this.#argAt = reader.place.subarray(1)
    return (this.#reader = reader)
  }

  #viewAt(bytes: Uint8Array, offset: number): RowView {
    const view = (this.#view ??= rowView(this.#scope.sources[this.#layout.direct!.source]!.table, new Uint8Array(0)))
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
      if (group === undefined) {
        dense[n] = group = this.#create(t, [v])
        if (this.#lanes !== undefined) (this.#denseOrdinals ??= new Int32Array(DENSE_LIMIT))[n] = group.ordinal + 1
      }
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
    const ordinal = this.#groups.length
    const group: Group = { tuple, locked: false, state: new GroupState(this.#scope.calls), values, ordinal }
    this.#groups.push(group)
    this.#lanes?.ensure(ordinal)
    return group
  }

  /** A group's own tuple when rows are not kept: its term values at the slots of their columns. */
  #keyTuple(values: readonly SqlValue[]): Tuple {
    const t: RowLike[] = this.#template.slice()
    const keys = this.#layout.keys
    if (keys.length === 1) {
      // One key column (group by category): its row, without the bookkeeping of several.
      const k = keys[0]!
      const row = new Array<SqlValue>(k.width).fill(null)
      row[k.slot] = values[k.term]!
      t[k.source] = new ArrayRow(row)
      return t
    }
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
    const made = Math.min(this.#groups.length, GROUPS_HINT_LIMIT)
    if (made > this.#layout.groupsSeen) this.#layout.groupsSeen = made
    if (direct !== undefined) {
      const lanes = this.#lanes!
      for (const group of this.#groups)
        lanes.finish(group.ordinal, group.state.accumulators as unknown as readonly SingleAccumulator[], direct.args)
      // Every group's state is its accumulators' now: the lanes and ordinals go to the next run.
      lanes.clear(this.#groups.length)
      const ordinals = this.#denseOrdinals
      ordinals?.fill(0, 0, this.#dense.length)
      this.#layout.keepLanes({ lanes, ordinals })
    }
    if (this.#groups.length === 0 && this.#terms.length === 0)
      return [{ tuple: template, locked: false, state: new GroupState(this.#scope.calls), values: [], ordinal: -1 }]
    // Groups of small integer keys alone: their index order is their keys' order, no sort (an
    // integer and an equal real share an entry, and compare equal).
    if (this.#terms.length === 1 && this.#numbers.size === 0 && this.#texts.size === 0 && this.#keyed.size === 0) {
      const dense = this.#dense
      const out: Group[] = []
      for (let i = 0; i < dense.length; i++) if (dense[i] !== undefined) out.push(dense[i]!)
      return out
    }
    // Groups of texts alone, none holding a surrogate (a code point past U+FFFF): JavaScript's
    // comparison of UTF-16 units is then SQLite's of UTF-8 bytes, without compareText's walk.
    if (
      this.#terms.length === 1 &&
      this.#texts.size === this.#groups.length &&
      ![...this.#texts.keys()].some((t) => hasSurrogate(t))
    )
      return this.#groups.sort((a, b) => ((a.values[0] as string) < (b.values[0] as string) ? -1 : 1))
    return this.#groups.sort((a, b) => {
      for (let i = 0; i < a.values.length; i++) {
        const c = compareValues(a.values[i]!, b.values[i]!)
        if (c !== 0) return c
      }
      return 0
    })
  }
}
