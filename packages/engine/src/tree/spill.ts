import { invariant } from '../errors.js'
import { encodeBranchEntries } from '../page/branch-page.js'
import { sealPage } from '../page/checksum.js'
import { encodeLeafEntries } from '../page/leaf-page.js'
import { PageType, isOverflowValue, writeHeader, txid32 } from '../page/layout.js'
import type { PageRef } from '../page/meta-page.js'
import { encodeOverflow, overflowPageCount } from '../page/overflow-page.js'
import { type Child, Node, OverflowValue } from './node.js'
import type { SpillContext } from './tree-context.js'

/**
 * Commit step 2 for one tree (bbolt's spill): writes every node of this transaction to a freshly
 * allocated page, children before parents so each parent records its children's new ids and txid,
 * and frees the pages the nodes were copied from. Values bound for overflow get their runs here.
 * Returns the tree's new root reference. O(nodes written).
 */
export function spill(ctx: SpillContext, root: Child): PageRef {
  if (!(root instanceof Node)) return root
  return spillNode(ctx, root)
}

function spillNode(ctx: SpillContext, node: Node): PageRef {
  const t32 = txid32(ctx.txid)
  if (!node.leaf) {
    for (let i = 0; i < node.kids.length; i++) {
      const kid = node.kids[i]!
      if (kid instanceof Node) node.kids[i] = spillNode(ctx, kid)
    }
  } else {
    for (let i = 0; i < node.vals.length; i++) {
      const v = node.vals[i]!
      if (!(v instanceof OverflowValue) && isOverflowValue(ctx.pageSize, node.keys[i]!.length, v.length)) {
        const count = overflowPageCount(ctx.pageSize, v.length)
        const first = ctx.allocate(count)
        ctx.write(first, encodeOverflow(v, first, ctx.txid, ctx.pageSize), false)
        node.vals[i] = new OverflowValue(first, t32, v.length)
      }
    }
  }
  if (node.size > ctx.pageSize) throw invariant(`node of ${node.size} bytes exceeds the page`)
  const pgid = ctx.allocate(1)
  if (node.orig !== 0) ctx.free(node.orig, 1)
  ctx.write(pgid, [encodeNode(node, pgid, ctx.txid, ctx.newPage())], true)
  return { pgid, txid: t32 }
}

/** FORMAT.md §4-5: a node as a sealed page, written into `page` (any prior contents). */
export function encodeNode(node: Node, pgid: number, txid: number, page: Buffer): Buffer {
  const n = node.keys.length
  writeHeader(page, pgid, txid, node.leaf ? PageType.leaf : PageType.branch, n)
  let end: number
  if (node.leaf) {
    end = encodeLeafEntries(page, node.keys, node.vals)
  } else {
    end = encodeBranchEntries(
      page,
      n,
      (i) => node.keys[i]!,
      (i) => (node.kids[i] as PageRef).pgid,
      (i) => (node.kids[i] as PageRef).txid,
    )
  }
  // The buffer may hold old bytes (slabs are not zeroed): FORMAT.md §2 wants the rest zero.
  page.fill(0, end)
  sealPage(page)
  return page
}
