import { BTreeSqlError } from '../errors.js'
import { compareValues, isInteger, numberOf, real, toNumeric, truth, type SqlValue } from '../encoding/values.js'
import type { Tuple } from '../expression/scope.js'
import type { FrameBound, WindowCall, WindowFrame } from '../expression/window.js'
import { compareTuples } from './query-parts.js'

/**
 * The values of a select's window calls for each of its output rows (after where, grouping and
 * having; before distinct, order by and limit), as SQLite computes them (windowfunctions.html):
 * per call, the rows are sorted by its partition terms, then its order terms; each partition is
 * walked in that order. The frame is SQLite's default, RANGE BETWEEN UNBOUNDED PRECEDING AND
 * CURRENT ROW: with an order by, a row's frame ends with its last peer (the rows equal to it on
 * every order term); without one, every row of the partition is a peer. `enter(i)` makes row i
 * the one expressions read (a grouped query's aggregates). Returns, per row, its values in call
 * order, and the order SQLite's rows come out in (`order`, row indexes): its windows sorted in
 * turn, the last first, each sort keeping the order the one before left among its ties, so the
 * rows follow the first window's partition and order terms (`select x, row_number() over (order
 * by x) from t` comes out by x), which an `order by` of the select then sorts.
 */
export function windowValues(
  calls: readonly WindowCall[],
  rows: readonly Tuple[],
  enter: (i: number) => void,
): { values: SqlValue[][]; order: number[] } {
  const n = rows.length
  const out: SqlValue[][] = Array.from({ length: n }, () => new Array<SqlValue>(calls.length))
  let outputOrder = Array.from({ length: n }, (_, i) => i)
  const sorts: ((a: number, b: number) => number)[] = []
  let lastOrder: number[] | undefined
  for (let c = 0; c < calls.length; c++) {
    const call = calls[c]!
    const p = call.partition.length
    const keys = new Array<SqlValue[]>(n)
    const args = new Array<SqlValue[]>(n)
    const passes = new Array<boolean>(n)
    const frame = call.frame
    const offsets = frame === undefined ? undefined : new Array<[number, number]>(n)
    for (let i = 0; i < n; i++) {
      enter(i)
      const t = rows[i]!
      const k = new Array<SqlValue>(p + call.order.length)
      for (let j = 0; j < p; j++) k[j] = call.partition[j]!.eval(t)
      for (let j = 0; j < call.order.length; j++) k[p + j] = call.order[j]!.expr.eval(t)
      keys[i] = k
      args[i] = call.args.map((a) => a.eval(t))
      passes[i] = call.filter === undefined || truth(call.filter.eval(t)) === true
      if (offsets !== undefined)
        offsets[i] = [
          frameOffset(frame!.start, t, 'starting', frame!.units === 'range'),
          frameOffset(frame!.end, t, 'ending', frame!.units === 'range'),
        ]
    }
    const terms = [...call.partition.map(() => ({ desc: false, nulls: undefined })), ...call.order]
    const cmp = compareTuples(terms as Parameters<typeof compareTuples>[0])
    const byKeys = (a: number, b: number): number => cmp(keys[a]!, keys[b]!)
    sorts.push(byKeys)
    const order = Array.from({ length: n }, (_, i) => i).sort(byKeys)
    if (c === calls.length - 1) lastOrder = order.slice()
    const sameFrom = (from: number, a: number, b: number, to: number): boolean => {
      for (let j = from; j < to; j++) if (compareValues(keys[a]![j]!, keys[b]![j]!) !== 0) return false
      return true
    }
    const width = p + call.order.length
    for (let start = 0; start < n;) {
      let end = start + 1
      while (end < n && sameFrom(0, order[start]!, order[end]!, p)) end++
      // Peer groups of the partition: [peerStart[k], peerEnd[k]) in sorted positions.
      const ends = new Array<number>(end - start)
      for (let s = start; s < end;) {
        let e = s + 1
        while (e < end && sameFrom(p, order[s]!, order[e]!, width)) e++
        for (let k = s; k < e; k++) ends[k - start] = e
        s = e
      }
      if (frame !== undefined && (!call.builtIn || FRAMED.has(call.name)))
        framedValues(call, frame, c, order, start, end, ends, offsets!, args, passes, out, (row) => keys[row]![p]!)
      else partitionValues(call, c, order, start, end, ends, args, passes, out)
      start = end
    }
  }
  // Array.prototype.sort is stable: each pass keeps the previous pass's order among its ties. The
  // last window's pass is its own sort of the rows (lastOrder), already made.
  if (lastOrder !== undefined) outputOrder = lastOrder
  for (let c = sorts.length - 2; c >= 0; c--) outputOrder = outputOrder.sort(sorts[c])
  return { values: out, order: outputOrder }
}

/** One partition's values of call `c`: sorted positions [start, end) of `order`; `ends` holds each position's peer-group end. */
function partitionValues(
  call: WindowCall,
  c: number,
  order: readonly number[],
  start: number,
  end: number,
  ends: readonly number[],
  args: readonly SqlValue[][],
  passes: readonly boolean[],
  out: SqlValue[][],
): void {
  const size = end - start
  if (!call.builtIn) {
    // An aggregate over each row's frame: stepped peer group by peer group, its value the same
    // for every peer (without an order by, one group: the whole partition).
    const acc = call.create!()
    for (let s = start; s < end;) {
      const e = ends[s - start]!
      for (let k = s; k < e; k++) if (passes[order[k]!]) acc.step(args[order[k]!]!)
      const v = acc.final()
      for (let k = s; k < e; k++) out[order[k]!]![c] = v
      s = e
    }
    return
  }
  let rank = 1
  let dense = 0
  for (let k = start; k < end; k++) {
    const row = order[k]!
    const at = k - start
    const peerEnd = ends[at]!
    const firstPeer = k === start || ends[at - 1] !== peerEnd
    if (firstPeer) {
      rank = at + 1
      dense++
    }
    const a = args[row]!
    let v: SqlValue
    switch (call.name) {
      case 'row_number':
        v = at + 1
        break
      case 'rank':
        v = rank
        break
      case 'dense_rank':
        v = dense
        break
      case 'percent_rank':
        v = real(size > 1 ? (rank - 1) / (size - 1) : 0)
        break
      case 'cume_dist':
        v = real((peerEnd - start) / size)
        break
      case 'ntile': {
        const buckets = positiveInteger(a[0]!, 'ntile')
        const small = Math.floor(size / buckets)
        if (small === 0) v = at + 1
        else {
          const large = size - buckets * small
          const inLarge = large * (small + 1)
          v = at < inLarge ? 1 + Math.floor(at / (small + 1)) : 1 + large + Math.floor((at - inLarge) / small)
        }
        break
      }
      case 'lag':
      case 'lead': {
        const offset = a.length > 1 ? offsetOf(a[1]!, call.name) : 1
        const to = offset === Infinity ? -1 : call.name === 'lag' ? at - offset : at + offset
        v = to >= 0 && to < size ? args[order[start + to]!]![0]! : a.length > 2 ? a[2]! : null
        break
      }
      case 'first_value':
        v = args[order[start]!]![0]!
        break
      case 'last_value':
        v = args[order[peerEnd - 1]!]![0]!
        break
      case 'nth_value': {
        const nth = positiveInteger(a[1]!, 'nth_value')
        v = start + nth - 1 < peerEnd ? args[order[start + nth - 1]!]![0]! : null
        break
      }
      default:
        throw new BTreeSqlError('BTREE_SQL_UNSUPPORTED', `the window function ${call.name}()`)
    }
    out[row]![c] = v
  }
}

/** The built-in functions that read a frame (the others read the partition). */
const FRAMED: ReadonlySet<string> = new Set(['first_value', 'last_value', 'nth_value'])

/** A bound's offset at a row: a non-negative integer, or number for a range frame (0 when the bound has none). */
function frameOffset(b: FrameBound, t: Tuple, which: string, range: boolean): number {
  if (b.offset === undefined) return 0
  const v = b.offset.eval(t)
  const n = v === null ? null : toNumeric(v)
  if (range) {
    if (n === null || numberOf(n) < 0)
      throw new BTreeSqlError('BTREE_SQL_INVALID_VALUE', `frame ${which} offset must be a non-negative number`)
    return numberOf(n)
  }
  if (n === null || !isInteger(n) || numberOf(n) < 0)
    throw new BTreeSqlError('BTREE_SQL_INVALID_VALUE', `frame ${which} offset must be a non-negative integer`)
  return numberOf(n)
}

/**
 * One partition's values of call `c` over an explicit frame (WindowFrame): for each row, the
 * positions from its frame's start to its end (rows: by position; groups and range: by peer
 * group), less those `exclude` names, then the aggregate or first/last/nth value over them. A
 * frame from the partition's start with nothing excluded steps one accumulator along (a running
 * total); any other is stepped afresh per row (cost: the frame's rows per row).
 */
function framedValues(
  call: WindowCall,
  frame: WindowFrame,
  c: number,
  order: readonly number[],
  start: number,
  end: number,
  ends: readonly number[],
  offsets: readonly [number, number][],
  args: readonly SqlValue[][],
  passes: readonly boolean[],
  out: SqlValue[][],
  orderKey: (row: number) => SqlValue,
): void {
  const size = end - start
  // Peer groups by position: index, start and end of each position's group.
  const group = new Array<number>(size)
  const groupStarts: number[] = []
  const groupEnds: number[] = []
  for (let at = 0; at < size;) {
    const e = ends[at]! - start
    groupStarts.push(at)
    groupEnds.push(e)
    for (let k = at; k < e; k++) group[k] = groupStarts.length - 1
    at = e
  }
  const groups = groupStarts.length
  const clamp = (x: number): number => (x < 0 ? 0 : x > size ? size : x)
  // A range frame's offsets measure the one order term's value: its key at each position.
  const desc = call.order[0]?.desc === true
  // Where nulls sort: first unless the term says otherwise (SQLite: nulls are the least value).
  const nullsFirst = call.order[0]?.nulls === undefined ? !desc : call.order[0].nulls === 'first'
  const keyAt = (k: number): number | null => {
    const v = orderKey(order[start + k]!)
    if (v === null) return null
    const n = toNumeric(v)
    if (n === null)
      throw new BTreeSqlError('BTREE_SQL_UNSUPPORTED', 'a range frame with offsets over a non-numeric order by')
    return numberOf(n)
  }
  /** A key against value `x` in the sort's order (a null where the sort puts nulls). */
  const sortCmp = (k: number, x: number): number => {
    const v = keyAt(k)
    if (v === null) return nullsFirst ? -1 : 1
    return desc ? Math.sign(x - v) : Math.sign(v - x)
  }
  /** The first position at or past `x` in the sort's order; size when none. */
  const firstFrom = (x: number): number => {
    for (let k = 0; k < size; k++) if (sortCmp(k, x) >= 0) return k
    return size
  }
  /** One past the last position not past `x` in the sort's order; 0 when none. */
  const endAt = (x: number): number => {
    for (let k = size - 1; k >= 0; k--) if (sortCmp(k, x) <= 0) return k + 1
    return 0
  }
  /** A range offset bound at position `at`: `sign` -1 preceding, +1 following; a null key's frame is its peers. */
  const rangeBound = (at: number, off: number, sign: number, low: boolean): number => {
    const v = keyAt(at)
    if (v === null) return low ? groupStarts[group[at]!]! : groupEnds[group[at]!]!
    const x = desc ? v - sign * off : v + sign * off
    return low ? firstFrom(x) : endAt(x)
  }
  const lowOf = (at: number, b: FrameBound, off: number): number => {
    switch (b.bound) {
      case 'unbounded-preceding':
        return 0
      case 'current':
        return frame.units === 'rows' ? at : groupStarts[group[at]!]!
      case 'preceding':
        if (frame.units === 'rows') return clamp(at - off)
        if (frame.units === 'range') return rangeBound(at, off, -1, true)
        return group[at]! - off < 0 ? 0 : groupStarts[group[at]! - off]!
      case 'following':
        if (frame.units === 'rows') return clamp(at + off)
        if (frame.units === 'range') return rangeBound(at, off, 1, true)
        return group[at]! + off >= groups ? size : groupStarts[group[at]! + off]!
      default:
        return size
    }
  }
  const highOf = (at: number, b: FrameBound, off: number): number => {
    switch (b.bound) {
      case 'unbounded-following':
        return size
      case 'current':
        return frame.units === 'rows' ? at + 1 : groupEnds[group[at]!]!
      case 'preceding':
        if (frame.units === 'rows') return clamp(at - off + 1)
        if (frame.units === 'range') return rangeBound(at, off, -1, false)
        return group[at]! - off < 0 ? 0 : groupEnds[group[at]! - off]!
      case 'following':
        if (frame.units === 'rows') return clamp(at + off + 1)
        if (frame.units === 'range') return rangeBound(at, off, 1, false)
        return groupEnds[Math.min(group[at]! + off, groups - 1)]!
      default:
        return 0
    }
  }
  const excluded = (at: number, k: number): boolean => {
    switch (frame.exclude) {
      case 'current row':
        return k === at
      case 'group':
        return group[k] === group[at]
      case 'ties':
        return k !== at && group[k] === group[at]
      default:
        return false
    }
  }
  // (A range frame with offsets is left out: a null key's frame, its peers, is not on the way.)
  const running =
    !call.builtIn &&
    frame.start.bound === 'unbounded-preceding' &&
    frame.exclude === 'no others' &&
    !(frame.units === 'range' && frame.end.offset !== undefined)
  const acc = running ? call.create!() : undefined
  let stepped = 0
  for (let at = 0; at < size; at++) {
    const row = order[start + at]!
    const [startOff, endOff] = offsets[row]!
    const lo = lowOf(at, frame.start, startOff)
    const hi = Math.max(lo, highOf(at, frame.end, endOff))
    let v: SqlValue
    if (acc !== undefined) {
      // The frame's end only moves forward: step the rows it gained.
      for (; stepped < hi; stepped++) if (passes[order[start + stepped]!]) acc.step(args[order[start + stepped]!]!)
      v = acc.final()
    } else if (!call.builtIn) {
      const fresh = call.create!()
      for (let k = lo; k < hi; k++) {
        const r = order[start + k]!
        if (!excluded(at, k) && passes[r]) fresh.step(args[r]!)
      }
      v = fresh.final()
    } else {
      const wanted = call.name === 'nth_value' ? positiveInteger(args[row]![1]!, 'nth_value') : 1
      let seen = 0
      let found: SqlValue = null
      if (call.name === 'last_value') {
        for (let k = hi - 1; k >= lo; k--)
          if (!excluded(at, k)) {
            found = args[order[start + k]!]![0]!
            break
          }
      } else {
        for (let k = lo; k < hi; k++)
          if (!excluded(at, k) && ++seen === wanted) {
            found = args[order[start + k]!]![0]!
            break
          }
      }
      v = found
    }
    out[row]![c] = v
  }
}

/** ntile's and nth_value's argument: a positive integer, or a real of one (SQLite rejects anything else). */
function positiveInteger(v: SqlValue, name: string): number {
  const n = v === null ? null : toNumeric(v)
  const x = n === null ? NaN : numberOf(n)
  if (!Number.isInteger(x) || x <= 0)
    throw new BTreeSqlError('BTREE_SQL_INVALID_VALUE', `argument of ${name} must be a positive integer`)
  return x
}

/**
 * lag's and lead's offset: an integer, or a real of one; a negative one looks the other way, as
 * SQLite's does (`lag(x, -1)` is `lead(x, 1)`); a null one reads the default.
 */
function offsetOf(v: SqlValue, name: string): number {
  if (v === null) return Infinity
  const n = toNumeric(v)
  const x = n === null ? NaN : numberOf(n)
  if (!Number.isInteger(x)) throw new BTreeSqlError('BTREE_SQL_INVALID_VALUE', `argument of ${name} must be an integer`)
  return x
}
