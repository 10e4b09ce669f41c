import { BTreeSqlError } from '../errors.js'
import { compareValues, isInteger, numberOf, real, toNumeric, truth, type SqlValue } from '../encoding/values.js'
import type { Tuple } from '../expression/scope.js'
import type { WindowCall } from '../expression/window.js'
import { compareTuples } from './query-parts.js'

/**
 * The values of a select's window calls for each of its output rows (after where, grouping and
 * having; before distinct, order by and limit), as SQLite computes them (windowfunctions.html):
 * per call, the rows are sorted by its partition terms, then its order terms; each partition is
 * walked in that order. The frame is SQLite's default, RANGE BETWEEN UNBOUNDED PRECEDING AND
 * CURRENT ROW: with an order by, a row's frame ends with its last peer (the rows equal to it on
 * every order term); without one, every row of the partition is a peer. `enter(i)` makes row i
 * the one expressions read (a grouped query's aggregates). Returns, per row, its values in call
 * order.
 */
export function windowValues(
  calls: readonly WindowCall[],
  rows: readonly Tuple[],
  enter: (i: number) => void,
): SqlValue[][] {
  const n = rows.length
  const out: SqlValue[][] = Array.from({ length: n }, () => new Array<SqlValue>(calls.length))
  for (let c = 0; c < calls.length; c++) {
    const call = calls[c]!
    const p = call.partition.length
    const keys = new Array<SqlValue[]>(n)
    const args = new Array<SqlValue[]>(n)
    const passes = new Array<boolean>(n)
    for (let i = 0; i < n; i++) {
      enter(i)
      const t = rows[i]!
      const k = new Array<SqlValue>(p + call.order.length)
      for (let j = 0; j < p; j++) k[j] = call.partition[j]!.eval(t)
      for (let j = 0; j < call.order.length; j++) k[p + j] = call.order[j]!.expr.eval(t)
      keys[i] = k
      args[i] = call.args.map((a) => a.eval(t))
      passes[i] = call.filter === undefined || truth(call.filter.eval(t)) === true
    }
    const terms = [...call.partition.map(() => ({ desc: false, nulls: undefined })), ...call.order]
    const cmp = compareTuples(terms as Parameters<typeof compareTuples>[0])
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => cmp(keys[a]!, keys[b]!))
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
      partitionValues(call, c, order, start, end, ends, args, passes, out)
      start = end
    }
  }
  return out
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
        const to = call.name === 'lag' ? at - offset : at + offset
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

/** ntile's and nth_value's argument: a positive integer (SQLite rejects anything else). */
function positiveInteger(v: SqlValue, name: string): number {
  const n = v === null ? null : toNumeric(v)
  if (n === null || !isInteger(n) || numberOf(n) <= 0)
    throw new BTreeSqlError('BTREE_SQL_INVALID_VALUE', `argument of ${name} must be a positive integer`)
  return numberOf(n)
}

/** lag's and lead's offset: a non-negative integer (a null offset reads the default). */
function offsetOf(v: SqlValue, name: string): number {
  if (v === null) return Infinity
  const n = toNumeric(v)
  if (n === null || !isInteger(n) || numberOf(n) < 0)
    throw new BTreeSqlError('BTREE_SQL_INVALID_VALUE', `argument of ${name} must be a non-negative integer`)
  return numberOf(n)
}
