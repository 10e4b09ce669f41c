import { branchChild, branchChildTxid } from './branch-page.js'
import { PageType, pageCount, pageType } from './layout.js'
import type { PageRef } from './meta-page.js'
import { forEachRun } from './page-runs.js'

/**
 * What a walk of a tree of pages does at each step. The walker fixes the order (a page, its runs,
 * then its children left to right, each subtree whole before the next) and what a page references
 * (page-runs.ts, branch-page.ts); the visitor decides how a page is read and what to do with it.
 */
export interface TreeVisitor {
  /** Reads the page `pgid` written by txid32 `txid`; undefined skips it and all below it. */
  read(pgid: number, txid: number, depth: number): Buffer | undefined
  /** A branch or leaf page read; false skips its runs and children. */
  page?(page: Buffer, pgid: number, depth: number): boolean | void
  /** Each overflow run the page references: values, out-of-line keys (FORMAT.md §4, §5, §10). */
  run?(pgid: number, txid: number, length: number): void
  /** Whether to go down to child `i` of the branch at `depth` (default yes), just before it. */
  child?(pgid: number, txid: number, i: number, depth: number): boolean
}

/**
 * The one depth-first walk over a tree of raw pages, for check(), stats(), open's verification of
 * an unsynced commit and a dropped tree's height. Reentrant (a visitor may start another walk, as
 * the catalog's walkers do for each bucket) and free of module state. O(pages visited).
 */
export function walkTree(root: PageRef, visitor: TreeVisitor, depth = 0): void {
  const page = visitor.read(root.pgid, root.txid, depth)
  if (page === undefined) return
  if (visitor.page?.(page, root.pgid, depth) === false) return
  const leaf = pageType(page) === PageType.leaf
  if (visitor.run !== undefined) forEachRun(page, leaf, visitor.run)
  if (leaf) return
  const n = pageCount(page)
  for (let i = 0; i < n; i++) {
    const pgid = branchChild(page, i)
    const txid = branchChildTxid(page, i)
    if (visitor.child?.(pgid, txid, i, depth) === false) continue
    walkTree({ pgid, txid }, visitor, depth + 1)
  }
}

/** Levels below a tree's root page (0 for a leaf root), by its leftmost path. O(height). */
export function treeHeight(root: PageRef, read: (pgid: number, txid: number) => Buffer): number {
  let height = 0
  walkTree(root, {
    read,
    page: (_page, _pgid, depth) => {
      height = depth
    },
    child: (_pgid, _txid, i) => i === 0,
  })
  return height
}
