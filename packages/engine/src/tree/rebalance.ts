import { HEADER_SIZE, storedKeySize } from '../page/layout.js'
import { type Child, Node, computeSize, resolveSlots } from './node.js'
import type { TreeWriter } from './tree-context.js'

/** A node below this fraction of a page is merged with a neighbour when the two fit in one page. */
export const FILL_THRESHOLD = 0.25

/**
 * Commit step 1 for one tree (bbolt's rebalance): merges under-filled nodes that this transaction
 * touched with a neighbour when the merge fits in a page, then collapses a root branch with a single
 * child. Only nodes already copied are examined, so an untouched subtree costs nothing.
 * `freePage` receives the pages of nodes merged away.
 */
export function rebalance(ctx: TreeWriter, root: Child, freePage: (pgid: number) => void): Child {
  if (!(root instanceof Node)) return root
  // Merges change the tree's shape: a put hint (tree/modify.ts) no longer holds.
  ctx.putHint = undefined
  rebalanceNode(ctx, root, freePage)
  let top: Child = root
  while (top instanceof Node && !top.leaf && top.kids.length === 1) {
    if (top.orig !== 0) freePage(top.orig)
    // Its only key is entry 0, never stored: any run it still owns goes.
    freeRuns(ctx, top)
    top = top.kids[0]!
  }
  return top
}

function rebalanceNode(ctx: TreeWriter, node: Node, freePage: (pgid: number) => void): void {
  if (node.leaf) return
  for (const kid of node.kids) {
    if (kid instanceof Node) rebalanceNode(ctx, kid, freePage)
  }
  const threshold = ctx.pageSize * FILL_THRESHOLD
  let i = 0
  while (i < node.kids.length && node.kids.length > 1) {
    const kid = node.kids[i]!
    if (!(kid instanceof Node) || kid.size >= threshold) {
      i++
      continue
    }
    if (i > 0 && tryMerge(ctx, node, i - 1, freePage)) continue
    if (i + 1 < node.kids.length && tryMerge(ctx, node, i, freePage)) continue
    i++
  }
}

/**
 * Merges kid `i + 1` of `parent` into kid `i` when both fit in one page; returns whether it did.
 * A sibling still on disk is decoded to measure it, and becomes part of the tree only if merged.
 */
function tryMerge(ctx: TreeWriter, parent: Node, i: number, freePage: (pgid: number) => void): boolean {
  const left = peek(ctx, parent.kids[i]!)
  const right = peek(ctx, parent.kids[i + 1]!)
  if (left.leaf !== right.leaf) return false
  const sep = parent.keys[i + 1]!
  const extra = left.leaf ? 0 : storedKeySize(ctx.pageSize, sep.length)
  if (left.size + right.size - HEADER_SIZE + extra > ctx.pageSize) return false
  if (!left.leaf) {
    // The separator comes down into the merged branch, with its out-of-line run (FORMAT.md §10).
    right.keys[0] = sep
    parent.moveRun(sep, left)
  }
  if (right.runs !== null) for (const [k, run] of right.runs) left.own(k, run)
  // Offset slots name entries of their own node's page (Node.base).
  if (left.leaf && right.base !== left.base) {
    if (left.base === null) left.base = right.base
    else resolveSlots(right)
  }
  left.keys.push(...right.keys)
  if (left.leaf) left.vals.push(...right.vals)
  else left.kids.push(...right.kids)
  left.size = computeSize(left, ctx.pageSize)
  parent.kids[i] = left
  parent.keys.splice(i + 1, 1)
  parent.kids.splice(i + 1, 1)
  parent.size = computeSize(parent, ctx.pageSize)
  if (right.orig !== 0) freePage(right.orig)
  return true
}

function peek(ctx: TreeWriter, c: Child): Node {
  return c instanceof Node ? c : Node.fromPage(ctx.pager.treePage(c.pgid, c.txid), c.pgid, ctx.pager)
}

/** A node that goes away unwritten gives back the runs it owns. */
function freeRuns(ctx: TreeWriter, node: Node): void {
  if (node.runs === null) return
  for (const run of node.runs.values()) ctx.freeOverflow(run)
  node.runs = null
}
