import { packStep } from '../page/branch-page.js'
import { compareKeysFrom } from '../page/key-compare.js'

/**
 * Key windows of a node of the commits' tree (tree/node.ts), what its binary searches compare
 * instead of its keys. A decoded node's keys are separate objects whose bytes lie elsewhere (pages,
 * journal records), a packed leaf's are scattered over its page's entries (windowRun): a
 * search of a node written in random order met ~2 cache misses per probe, and a lookup in the
 * commits' nodes cost 5x as much in random order as in key order (2.65 against 0.5 µs at 200,000
 * keys). The windows are numbers side by side in one array (a JavaScript array of doubles holds
 * them unboxed): a probe reads 8 bytes, next to the others'.
 *
 * Window i is bytes [p, p + WINDOW_BYTES) of key i read big-endian, missing bytes as 0, where p is
 * the length of `pre`, a prefix every key of the node starts with (in a branch, every key from
 * entry 1: entry 0 has no key, and its window is -1, below any). For two keys that start with
 * `pre`, a smaller window means a smaller key; equal windows (always so for the key found) are
 * settled by comparing the keys' bytes from p on. Like the page search index
 * (page/search-index.ts), with no change to any format: a node builds them when first searched.
 */

/** Nodes with fewer keys are searched without windows (a probe or two: nothing to gain). */
export const WINDOW_MIN = 4

/** Bytes per window: six fit a double exactly. */
export const WINDOW_BYTES = 6

/** Bytes [from, from + WINDOW_BYTES) of `key` as one number, big-endian, missing bytes as 0. */
export function keyWindow(key: Uint8Array, from: number): number {
  return pageKeyWindow(key, 0, key.length, from)
}

/** keyWindow of the key of `length` bytes at `start` of `page`. */
export function pageKeyWindow(page: Uint8Array, start: number, length: number, from: number): number {
  let w = 0
  for (let i = from; i < from + WINDOW_BYTES; i++) w = w * 256 + (i < length ? page[start + i]! : 0)
  return w
}

/** Whether `key` starts with `pre`. */
export function startsWithPrefix(key: Uint8Array, pre: Uint8Array): boolean {
  const p = pre.length
  if (key.length < p) return false
  for (let i = 0; i < p; i++) if (key[i] !== pre[i]) return false
  return true
}

/**
 * The windows of `keys` from entry `first` on (entries before it get -1), and the prefix they
 * follow: the one the first and last keys share (keys are sorted: every key between shares it).
 */
export function buildWindows(keys: readonly Uint8Array[], first: number): { win: number[]; pre: Uint8Array } {
  const n = keys.length
  const a = keys[first]!
  const b = keys[n - 1]!
  const m = a.length < b.length ? a.length : b.length
  let p = 0
  while (p < m && a[p] === b[p]) p++
  const pre = new Uint8Array(p)
  for (let i = 0; i < p; i++) pre[i] = a[i]!
  // Built by push from a double, so that the array holds unboxed doubles from the start.
  const win: number[] = [-0.5]
  win.pop()
  for (let i = 0; i < first; i++) win.push(-1)
  for (let i = first; i < n; i++) win.push(keyWindow(keys[i]!, p))
  return { win, pre }
}

/**
 * The windows `win` (over prefix `pre`, from entry `first` on) moved to the shorter prefix that
 * `pre` shares with `key` (a key about to be inserted that lacks `pre`), as a new array; undefined
 * when that drops WINDOW_BYTES or more of the prefix (the windows would tell few keys apart). No key
 * is read: the bytes a window gains in front are the prefix's, known alike for every key, and it
 * loses its last ones. A random fill widens a leaf's key range a byte at a time, and building the
 * windows again from the keys meant a cache miss per key.
 */
export function widenWindows(
  win: readonly number[],
  pre: Uint8Array,
  key: Uint8Array,
  first: number,
): { win: number[]; pre: Uint8Array } | undefined {
  const p = pre.length
  let q = 0
  while (q < p && q < key.length && key[q] === pre[q]) q++
  const d = p - q
  if (d >= WINDOW_BYTES) return undefined
  const kept = 256 ** (WINDOW_BYTES - d)
  const cut = 256 ** d
  let front = 0
  for (let i = q; i < p; i++) front = front * 256 + pre[i]!
  front *= kept
  const out: number[] = [-0.5]
  out.pop()
  for (let i = 0; i < first; i++) out.push(-1)
  // Exact: windows are integers below 2^48, and a division by a power of two is exact.
  for (let i = first; i < win.length; i++) out.push(front + Math.floor(win[i]! / cut))
  return { win: out, pre: pre.subarray(0, q) }
}

/**
 * How `key` compares with `pre` (which every key of the node starts with), the first `known` bytes
 * being equal: 0 when it starts with `pre`, else the sign of the order.
 */
function comparePrefix(pre: Uint8Array, key: Uint8Array, known: number): number {
  const p = pre.length
  const n = key.length < p ? key.length : p
  for (let i = known; i < n; i++) {
    const d = key[i]! - pre[i]!
    if (d !== 0) return d
  }
  return key.length < p ? -1 : 0
}

/** The first index from `lo` on whose window is above `w` (`above`), or at least `w`. */
function firstWindow(win: readonly number[], lo: number, w: number, above: boolean): number {
  let hi = win.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    const x = win[mid]!
    if (x < w || (above && x === w)) lo = mid + 1
    else hi = mid
  }
  return lo
}

/**
 * A leaf's search through its windows: the first index whose window equals the key's, where the
 * caller compares the keys of that run (one, mostly); or, when none does, -1 − where the key goes
 * (it is not there). A decoded leaf compares its key objects (windowLowerBound), a packed one its
 * page's entries (tree/node.ts, Node.find): a binary search of the page read ~5 entries, each a
 * cache miss once the tree outgrows the caches; this reads the windows and the run.
 */
export function windowRun(win: readonly number[], pre: Uint8Array, key: Uint8Array, known: number): number {
  const n = win.length
  const p = pre.length
  if (known < p) {
    const c = comparePrefix(pre, key, known)
    if (c !== 0) return c < 0 ? -1 : -1 - n
  }
  const w = keyWindow(key, p)
  const lo = firstWindow(win, 0, w, false)
  return lo < n && win[lo] === w ? lo : -1 - lo
}

/** nodeLowerBound (tree/search.ts) through the windows: the index of the first key >= `key`. */
export function windowLowerBound(
  keys: readonly Uint8Array[],
  win: readonly number[],
  pre: Uint8Array,
  key: Uint8Array,
  known: number,
): number {
  let lo = windowRun(win, pre, key, known)
  if (lo < 0) return -1 - lo
  const n = win.length
  const w = win[lo]
  const p = pre.length
  while (lo < n && win[lo] === w && compareKeysFrom(keys[lo]!, key, p) < 0) lo++
  return lo
}

/**
 * nodeBranchStep (tree/search.ts) through the windows: the child for `key` (the last entry >= 1
 * whose key is <= `key`, else 0) and the prefix the key shares with every key in it, packed.
 * A child between two separators holds keys that start with `pre`, as `key` does; the first and
 * the last children reach past them, so only `known` holds there.
 */
export function windowBranchStep(
  keys: readonly Uint8Array[],
  win: readonly number[],
  pre: Uint8Array,
  key: Uint8Array,
  known: number,
): number {
  const n = win.length
  const p = pre.length
  if (known < p) {
    const c = comparePrefix(pre, key, known)
    if (c !== 0) return packStep(c < 0 ? 0 : n - 1, known)
  }
  // The first entry from 1 on whose window is above the key's: the child is before it.
  const w = keyWindow(key, p)
  let i = firstWindow(win, 1, w, true) - 1
  while (i >= 1 && win[i] === w && compareKeysFrom(keys[i]!, key, p) > 0) i--
  if (i < 1) return packStep(0, known)
  return packStep(i, i < n - 1 && p > known ? p : known)
}
