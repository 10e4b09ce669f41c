import { HEADER_SIZE, LEAF_ENTRY_HEADER, SLOT_SIZE, isLongKey, isOverflowValue } from '../page/layout.js'
import { invariant } from '../base/errors.js'
import { compareKeys, compareKeysFrom } from '../page/key-compare.js'
import {
  type Child,
  EMPTY_KEY,
  Node,
  OverflowValue,
  type Value,
  type ValueSlot,
  branchEntryBytes,
  computeSize,
  nodeEntryBytes,
  recordSlot,
  recordValue,
  slotEntryBytes,
  valueAt,
} from './node.js'
import { stepChild, stepPrefix } from '../page/branch-page.js'
import { nodeBranchStep, nodeLeafLowerBound, pageTreeFind } from './search.js'
import { type PutHint, PutPath, type TreeWriter } from './tree-context.js'

/** The result of a put or delete: the tree's (possibly new) root, and whether and what was there. */
export interface ModifyResult {
  root: Child
  /** Whether the key was there (a put replaced its value; a delete removed it). */
  found: boolean
  /**
   * The value that was there, when the caller asked for it (`keepOld`); else undefined. A caller
   * without a savepoint only counts keys: a view of each replaced or deleted value was an
   * allocation per overwrite and delete that nothing read.
   */
  old: Value | undefined
}

/** The result of a put or delete that found no key. */
function notFound(root: Child): ModifyResult {
  return { root, found: false, old: undefined }
}

/** Loads child i of `parent` as a node (copy on write), replacing the reference in place. */
export function materializeChild(ctx: TreeWriter, parent: Node, i: number): Node {
  const c = parent.kids[i]!
  const gen = ctx.gen ?? 0
  if (c instanceof Node && (c.gen === gen || (c.packed && c.owns && ctx.adopt?.(c) === true))) return c
  const node = c instanceof Node ? c.clone(gen) : ownedFromPage(ctx, c.pgid, c.txid, gen)
  parent.kids[i] = node
  return node
}

export function materializeRoot(ctx: TreeWriter, root: Child): Node {
  const gen = ctx.gen ?? 0
  if (root instanceof Node)
    return root.gen === gen || (root.packed && root.owns && ctx.adopt?.(root) === true) ? root : root.clone(gen)
  return ownedFromPage(ctx, root.pgid, root.txid, gen)
}

function ownedFromPage(ctx: TreeWriter, pgid: number, txid: number, gen: number): Node {
  const node = Node.fromPage(ctx.pager.treePage(pgid, txid), pgid, ctx.pager)
  node.gen = gen
  ctx.onLoad?.(node)
  return node
}

/** A leaf value slot naming an inline value in the put's journal record (ValueSlot, a number < 0). */
export type RecordSlot = number

/**
 * The journal record that has copied a put's key and inline value (FORMAT.md §11): the tree takes
 * the key's copy only where a node keeps the key (a decoded leaf, which then names the value by a
 * record slot); a packed leaf copies the caller's bytes into its page. A view of the copy per put
 * was an allocation that pinned the record's chunk, which a later record could not reuse.
 */
export interface RecordCopy {
  /** A view of the key's copy in the record; the value's copy follows it (tree/node.ts:recordValue). */
  recordedKey(): Uint8Array
}

/**
 * Inserts or replaces `key` (with a Value, or a record slot when `key` is the record's copy; or,
 * with `recorded`, the caller's key and inline value, which that record has copied). Nodes on the path
 * become writable copies; a node over the page size splits, and the split climbs. When the key
 * lands at the end of a node (an ascending load), the split leaves the left node full instead of
 * halving it, so sequential loads make full pages. O(log n) plus O(node size) for the array splice
 * or the slots' move in a packed leaf.
 */
export function treePut(
  ctx: TreeWriter,
  root: Child,
  key: Uint8Array,
  value: Value | RecordSlot,
  keepOld = true,
  recorded?: RecordCopy,
): ModifyResult {
  const hint = ctx.putHint
  if (hint !== undefined && hint.misses < HINT_MISSES) {
    if (
      hint.root === root &&
      (hint.high === null || compareKeys(key, hint.high) < 0) &&
      (hint.low === null || compareKeys(key, hint.low) >= 0)
    ) {
      // An ascending load: the key goes to the leaf the last put appended to, whose path is known.
      hint.misses = 0
      return putInLeaf(ctx, hint.root, hint.path, hint.index, hint.leaf, key, value, 0, hint, keepOld, recorded)
    }
    hint.misses++
  }
  const top = materializeRoot(ctx, root)
  const { nodes: path, index } = ctx.path ?? new PutPath()
  // Written in place, the length set once: `length = 0` would drop the arrays' storage (V8), and
  // every put would grow them again.
  let depth = 0
  let node = top
  let known = 0
  while (!node.leaf) {
    const step = nodeBranchStep(node, key, known)
    const i = stepChild(step)
    known = stepPrefix(step)
    path[depth] = node
    index[depth++] = i
    node = materializeChild(ctx, node, i)
  }
  if (path.length !== depth) {
    path.length = depth
    index.length = depth
  }
  return putInLeaf(ctx, top, path, index, node, key, value, known, undefined, keepOld, recorded)
}

/**
 * The fast path of an ascending load: appends `key` (copied, as `value`) to the packed leaf the last
 * put appended to (Node, packed leaves), when it is past that leaf's last key, below its upper
 * bound, and both are inline; no descent, no object per entry. Undefined when it does not apply:
 * treePut then does the put.
 */
export function treeAppend(ctx: TreeWriter, root: Child, key: Uint8Array, value: Uint8Array): Node | undefined {
  const hint = ctx.putHint
  if (hint === undefined || hint.misses >= HINT_MISSES || hint.root !== root) return undefined
  const leaf = hint.leaf
  if (!leaf.packed || leaf.compareLast(key) >= 0 || (hint.high !== null && compareKeys(key, hint.high) >= 0))
    return undefined
  // An empty packed leaf is a tree's only leaf (a new bucket's root): no lower bound to check.
  if (inlineEntryBytes(ctx.pageSize, key, value.length) < 0) return undefined
  hint.misses = 0
  // The root, not a ModifyResult: an append replaces nothing, and a put allocates no result.
  if (leaf.appendPacked(key, value, ctx.pageSize)) return hint.root
  return appendInline(ctx, hint.root, hint.path, hint.index, leaf, key, value, hint)
}

/**
 * Bytes an entry takes (slot included) when its key and value both stay inline (FORMAT.md §4),
 * else -1.
 */
function inlineEntryBytes(pageSize: number, key: Uint8Array, valueLength: number): number {
  if (isLongKey(pageSize, key.length) || isOverflowValue(pageSize, key.length, valueLength)) return -1
  return SLOT_SIZE + LEAF_ENTRY_HEADER + key.length + valueLength
}

/**
 * Appends an inline entry past the last key of `leaf`: into its bytes when it is packed and has
 * room; when it is full, into a new packed leaf on its right, which the split climbs with (the
 * left stays full: sequential loads make full pages). Keeps or moves the hint; returns the root.
 */
function appendInline(
  ctx: TreeWriter,
  top: Node,
  path: Node[],
  index: number[],
  leaf: Node,
  key: Uint8Array,
  value: Uint8Array,
  hint: PutHint | undefined,
): Node {
  if (leaf.packed && leaf.appendPacked(key, value, ctx.pageSize)) {
    if (hint === undefined) ctx.putHint = makeHint(top, path, index, leaf)
    return top
  }
  const right = Node.packedLeaf(ctx.pageSize)
  right.gen = leaf.gen
  right.appendPacked(key, value, ctx.pageSize)
  ctx.putHint = undefined
  const root = splitUpward(ctx, top, path, index, leaf, true, right)
  ctx.putHint = hintAfterSplit(root, top, path, index, right)
  return root
}

/**
 * The hint for `right`, the leaf an append just split off, when the split stopped at its parent
 * (the path above it is unchanged) or made a new root of the two leaves; undefined when a branch
 * split too (the next put descends). An ascending load then appends to each new leaf without a
 * descent: one in about 35 puts split a leaf, and each paid a descent and its path's copy.
 */
function hintAfterSplit(root: Node, top: Node, path: Node[], index: number[], right: Node): PutHint | undefined {
  const depth = path.length
  if (depth === 0) return root.kids[1] === right ? makeHint(root, [root], [1], right) : undefined
  const at = index[depth - 1]! + 1
  if (root !== top || path[depth - 1]!.kids[at] !== right) return undefined
  // `index` is the hint's own copy or the writer's scratch path: stale after the split either way.
  index[depth - 1] = at
  return makeHint(root, path, index, right)
}

/** The put's work once the leaf is found: insert or replace, split upward, keep the hint. */
function putInLeaf(
  ctx: TreeWriter,
  top: Node,
  path: Node[],
  index: number[],
  node: Node,
  key: Uint8Array,
  value: ValueSlot,
  known: number,
  hint: PutHint | undefined,
  keepOld: boolean,
  recorded: RecordCopy | undefined,
): ModifyResult {
  // The leaf's search, done once: a decoded leaf's position of `key` (-1: not searched yet).
  let pos = -1
  if (typeof value === 'number' || value instanceof Uint8Array) {
    const vl = typeof value === 'number' ? -1 - value : value.length
    const bytes = inlineEntryBytes(ctx.pageSize, key, vl)
    if (bytes >= 0 && (node.packed || node.size + bytes > ctx.pageSize)) {
      // An inline append to a packed leaf, or to a full one (which it would split). A full leaf is
      // searched (not compared with its last key first): an overwrite into it, as after a
      // sequential load, then touches one key, not two.
      if (node.packed) {
        // One search, whose answer tells an append (past the last key) too: comparing with the
        // last key first cost a compare per random put.
        const found = node.find(key, known)
        if (found === -1 - node.count)
          return notFound(appendInline(ctx, top, path, index, node, key, inlineValue(key, value), hint))
        return putPacked(ctx, top, path, index, node, key, inlineValue(key, value), found, keepOld)
      }
      pos = leafPosition(node, key, known, hint)
      if (pos === node.keyList.length)
        return notFound(appendInline(ctx, top, path, index, node, key, inlineValue(key, value), hint))
    }
  }
  // Any other put decodes a packed leaf (node.keyList) and edits the arrays, which keep the
  // record's copies.
  if (recorded !== undefined) {
    value = recordSlot((value as Uint8Array).length)
    key = recorded.recordedKey()
  }
  const keys = node.keyList
  const n = keys.length
  if (pos < 0) pos = leafPosition(node, key, known, hint)
  let old: Value | undefined
  let found = false
  let appended = false
  if (pos < n && compareKeysFrom(keys[pos]!, key, known) === 0) {
    found = true
    // An overflow value's slot is its run, freed below whether or not the caller keeps it.
    const was = node.valList[pos]!
    if (keepOld) old = valueAt(node, pos)
    node.size += slotEntryBytes(ctx.pageSize, key, value, null) - nodeEntryBytes(ctx.pageSize, node, pos)
    const wasKey = keys[pos]!
    if (typeof value !== 'number') node.replaceEntry(pos, wasKey, value)
    else if (node.sharesKeys) {
      // The entry keeps its key object, so keys the node shares stay shared (an overwrite then
      // copies one array, not two); the value is then a view of the record's copy.
      node.replaceEntry(pos, wasKey, recordValue(key, value))
    } else {
      // A record slot is found through its own key's copy; an out-of-line key keeps its run
      // (FORMAT.md §10), now under that copy.
      node.replaceEntry(pos, key, value)
      node.moveRun(wasKey, node, key)
    }
    if (was instanceof OverflowValue) ctx.freeOverflow(was)
  } else {
    node.insertEntry(pos, key, value)
    node.size += slotEntryBytes(ctx.pageSize, key, value, null)
    appended = pos === n
  }
  if (node.size > ctx.pageSize) {
    ctx.putHint = undefined
    return { root: splitUpward(ctx, top, path, index, node, appended), found, old }
  }
  if (appended && hint === undefined) ctx.putHint = makeHint(top, path, index, node)
  return { root: top, found, old }
}

/**
 * The index of the first key >= `key` in a decoded leaf. Past the last key of the hint's leaf: the
 * append of an ascending load, no search. Compares skip the prefix the key shares with every key
 * here (`known`, from the descent).
 */
function leafPosition(node: Node, key: Uint8Array, known: number, hint: PutHint | undefined): number {
  const keys = node.keyList
  const n = keys.length
  return hint !== undefined && n > 0 && compareKeys(keys[n - 1]!, key) < 0 ? n : nodeLeafLowerBound(node, key, known)
}

/** An inline value as bytes: a record slot (a number) names bytes after its key's copy. */
function inlineValue(key: Uint8Array, value: Uint8Array | RecordSlot): Uint8Array {
  return typeof value === 'number' ? recordValue(key, value) : value
}

/**
 * An inline put into a packed leaf, edited as page bytes (a leaf sharing its page, loaded from one
 * or copied from an earlier commit's, first copies it: Node#room): a replace, or an insert that
 * splits the leaf in two packed halves when it is full. `found`: the key's search (Node.find).
 */
function putPacked(
  ctx: TreeWriter,
  top: Node,
  path: Node[],
  index: number[],
  node: Node,
  key: Uint8Array,
  value: Uint8Array,
  found: number,
  keepOld: boolean,
): ModifyResult {
  const ps = ctx.pageSize
  let old: Uint8Array | undefined
  let pos: number
  if (found >= 0) {
    if (keepOld) old = node.packedValue(found)
    else {
      // The same length where no view can be held: over the old value, with no page copied even
      // when the leaf is full (replacePacked copies it then).
      const values = ctx.values
      if (values !== undefined && values.mayOverwrite() && node.overwritePacked(found, value, values.saved))
        return { root: top, found: true, old }
    }
    if (node.replacePacked(found, key, value, ps)) return { root: top, found: true, old }
    // No room for both entries: the old one goes, and the new one is inserted in its place (a
    // split if it must), so the leaf stays packed (decoding it made every later put to it slower).
    // The old entry's bytes stay where they are: `old` still reads them.
    node.removePacked(found, ps)
    pos = found
  } else pos = -1 - found
  if (node.insertPacked(pos, key, value, ps)) return { root: top, found: found >= 0, old }
  const right = node.splitPacked(ps)
  const m = node.count
  const ok = pos <= m ? node.insertPacked(pos, key, value, ps) : right.insertPacked(pos - m, key, value, ps)
  if (!ok) throw invariant('an inline entry does not fit in half a leaf')
  ctx.putHint = undefined
  return { root: splitUpward(ctx, top, path, index, node, false, right), found: found >= 0, old }
}

/** The hint for `leaf` reached by `path`/`index`: its bounds are the nearest separators around it. */
function makeHint(root: Node, path: Node[], index: number[], leaf: Node): PutHint {
  let low: Uint8Array | null = null
  let high: Uint8Array | null = null
  for (let level = path.length - 1; level >= 0; level--) {
    const p = path[level]!
    const i = index[level]!
    if (low === null && i >= 1) low = p.keyList[i]!
    if (high === null && i + 1 < p.keyList.length) high = p.keyList[i + 1]!
  }
  return { root, leaf, path: path.slice(), index: index.slice(), low, high, misses: 0 }
}

/**
 * Puts in a row that the hint did not take (PutHint.misses) after which the next ones no longer
 * check it: a random fill appends to some leaf's end once in ~30 puts, and each later put compared
 * its key with that leaf's last key and bounds until the next split (~3 % of the fill's CPU: 655
 * → 631, 701 → 690 and 685 → 658 ms in three runs of the engine's random fill of 200,000 keys with
 * `'none'`, medians of 13 rounds, builds alternating, issue 9). Two, not one: a load that appends
 * and puts one other key in turn (a log and its counter) keeps its hint.
 */
const HINT_MISSES = 2

/**
 * Splits `start` (over the page size) and its ancestors as needed. `added`: the right node of the
 * first split, already made (a full leaf's append, appendInline), with `start` left as it is.
 */
function splitUpward(
  ctx: TreeWriter,
  top: Node,
  path: Node[],
  index: number[],
  start: Node,
  appendedAtEnd: boolean,
  added?: Node,
): Node {
  let node = start
  let appended = appendedAtEnd
  let level = path.length
  let root = top
  let pending = added
  while (pending !== undefined || node.size > ctx.pageSize) {
    const right = pending ?? splitNode(ctx.pageSize, node, appended)
    pending = undefined
    ctx.onLoad?.(right)
    const sep = right.firstKey()
    if (level === 0) {
      root = new Node(false, [EMPTY_KEY, sep], [], [node, right], 0, 0)
      root.size = computeSize(root, ctx.pageSize)
      root.gen = node.gen
      // A branch's first key moves up: its out-of-line run goes with it. A leaf keeps its own,
      // and the parent gets a run of its own at spill (FORMAT.md §10: each entry owns its run).
      if (!right.leaf) right.moveRun(sep, root)
      break
    }
    level--
    const parent = path[level]!
    const at = index[level]! + 1
    parent.insertChild(at, sep, right)
    parent.size += branchEntryBytes(ctx.pageSize, sep, at)
    if (!right.leaf) right.moveRun(sep, parent)
    appended = at === parent.keyList.length - 1
    node = parent
  }
  return root
}

/**
 * Splits an over-full node in two, returning the new right node. `appended`: the overflow came from
 * an entry added at the end, so the left keeps everything else (it fit before).
 */
export function splitNode(pageSize: number, node: Node, appended: boolean): Node {
  // Taken first: the `keys` getter drops them.
  const { win, pre } = node.windows
  const n = node.keys.length
  let m: number
  if (appended && n >= 2) {
    m = n - 1
  } else {
    // Cut where the left half first reaches half the bytes; each side then fits, since no entry
    // exceeds a quarter of the page (maxInlineEntry).
    const half = (node.size - HEADER_SIZE) / 2
    let acc = 0
    m = 0
    while (m < n - 1) {
      acc += node.leaf ? nodeEntryBytes(pageSize, node, m) : branchEntryBytes(pageSize, node.keys[m]!, m)
      m++
      if (acc >= half) break
    }
    if (m < 1) m = 1
  }
  // An append moves one entry: the sizes follow from it, with no pass over the node's entries.
  const moved =
    m === n - 1 ? (node.leaf ? nodeEntryBytes(pageSize, node, m) : branchEntryBytes(pageSize, node.keys[m]!, m)) : -1
  const right = node.leaf
    ? new Node(true, node.keys.splice(m), node.vals.splice(m), [], 0, 0)
    : new Node(false, node.keys.splice(m), [], node.kids.splice(m), 0, 0)
  // The right half's offset slots name entries of the same page.
  right.base = node.base
  if (node.runs !== null) for (const k of right.keys) node.moveRun(k, right)
  if (moved >= 0) {
    node.size -= moved
    right.size = HEADER_SIZE + (node.leaf ? moved : branchEntryBytes(pageSize, right.keys[0]!, 0))
  } else {
    node.size = computeSize(node, pageSize)
    right.size = computeSize(right, pageSize)
  }
  right.gen = node.gen
  node.splitWindows(win, pre, m, right)
  return right
}

/**
 * Removes `key` if present. A missing key changes nothing (no page is copied). Under-filled nodes
 * are left for the commit's rebalance, so many deletes in one leaf cost one merge. `keepOld`: the
 * result holds the removed value (treePut's).
 */
export function treeDelete(ctx: TreeWriter, root: Child, key: Uint8Array, keepOld = true): ModifyResult {
  // A first descent through what is in memory, copying nothing, and on through pages. Compares
  // skip the prefix the key shares with every key below (`known`, as treePut's descent). The child
  // index taken at each level goes to the writer's scratch path, which no put holds across calls.
  const scratch = ctx.path ?? new PutPath()
  const steps = scratch.index
  let depth = 0
  let c: Child = root
  let known = 0
  while (c instanceof Node && !c.leaf) {
    const step = nodeBranchStep(c, key, known)
    const i = stepChild(step)
    known = stepPrefix(step)
    steps[depth++] = i
    c = c.kids[i]!
  }
  let pos = -1
  if (c instanceof Node) {
    pos = c.packed ? c.find(key, known) : nodeLeafLowerBound(c, key, known)
    if (pos < 0 || (!c.packed && (pos === c.keyList.length || compareKeysFrom(c.keyList[pos]!, key, known) !== 0)))
      return notFound(root)
  } else if (!pageTreeFind(ctx.pager, c, key, scratch.hit)) return notFound(root)
  ctx.putHint = undefined
  // The second copies the path (a copy holds the same entries: the steps and `pos` still hold).
  const top = materializeRoot(ctx, root)
  let node = top
  for (let d = 0; d < depth; d++) node = materializeChild(ctx, node, steps[d]!)
  while (!node.leaf) {
    const step = nodeBranchStep(node, key, known)
    known = stepPrefix(step)
    node = materializeChild(ctx, node, stepChild(step))
  }
  if (pos < 0) pos = node.packed ? node.find(key, known) : nodeLeafLowerBound(node, key, known)
  if (node.packed) {
    // The removed entry's bytes stay where they are (garbage): a view of them stays valid.
    const old = keepOld ? node.packedValue(pos) : undefined
    node.removePacked(pos, ctx.pageSize)
    return { root: top, found: true, old }
  }
  const was = node.valList[pos]!
  const old = keepOld ? valueAt(node, pos) : undefined
  node.size -= nodeEntryBytes(ctx.pageSize, node, pos)
  // An out-of-line key's run stays in node.runs until spill frees it: freeing it here would be
  // undone by a savepoint's rollback while the run stayed unowned.
  node.removeEntry(pos)
  if (was instanceof OverflowValue) ctx.freeOverflow(was)
  return { root: top, found: true, old }
}
