import { invariant } from '../base/errors.js'
import { encodeBranchEntries } from '../page/branch-page.js'
import { sealPage } from '../page/checksum.js'
import { encodeLeafEntries } from '../page/leaf-page.js'
import { PageType, isOverflowValue, maxInlineKeySize, writeHeader, txid32 } from '../page/layout.js'
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
  } else if (node.packed) {
    // Inline entries only, no out-of-line key: its bytes are the page (Node, packed leaves), sealed
    // where they lie when they are laid out so, in a page made in memory (Node.sealInPlace), else
    // copied into a new one. A checkpoint after a random fill of 200,000 keys ('none' commits of
    // 1,000) allocated 9,044 new pages, ~40 ms of its CPU (155 ms in a profile of four: a 4 KiB
    // ArrayBuffer each, with that fill's heap behind it); 1,068 now.
    const pgid = ctx.allocate(1)
    if (node.orig !== 0) ctx.free(node.orig, 1)
    const page = node.sealInPlace(pgid, ctx.txid) ?? node.encodePacked(pgid, ctx.txid, ctx.newPage())
    ctx.write(pgid, [page], true)
    return { pgid, txid: t32 }
  } else {
    for (let i = 0; i < node.vals.length; i++) {
      const v = node.vals[i]!
      // An offset slot stays inline: its key and value fit inline in the page it came from; a
      // record slot names an inline value.
      if (typeof v === 'number' || v instanceof OverflowValue) continue
      if (isOverflowValue(ctx.pageSize, node.keys[i]!.length, v.length)) {
        node.vals[i] = writeRun(ctx, v, t32)
      }
    }
  }
  const keyRuns = reconcileKeyRuns(ctx, node, t32)
  if (node.size > ctx.pageSize) throw invariant(`node of ${node.size} bytes exceeds the page`)
  const pgid = ctx.allocate(1)
  if (node.orig !== 0) ctx.free(node.orig, 1)
  ctx.write(pgid, [encodeNode(node, pgid, ctx.txid, ctx.newPage(), keyRuns)], true)
  return { pgid, txid: t32 }
}

/** Writes `bytes` to a fresh overflow run (FORMAT.md §6). */
function writeRun(ctx: SpillContext, bytes: Uint8Array, t32: number): OverflowValue {
  const first = ctx.allocate(overflowPageCount(ctx.pageSize, bytes.length))
  ctx.write(first, encodeOverflow(bytes, first, ctx.txid, ctx.pageSize), false)
  return new OverflowValue(first, t32, bytes.length)
}

/**
 * FORMAT.md §10: every out-of-line key the node stores gets a run: the one it already owns for that
 * key object, or a new one; runs it owns for keys it no longer stores (deleted, moved elsewhere,
 * or entry 0 of a branch) are freed. Returns the runs by position, or null when every key is inline.
 */
function reconcileKeyRuns(ctx: SpillContext, node: Node, t32: number): Array<OverflowValue | undefined> | null {
  const old = node.runs
  let out: Array<OverflowValue | undefined> | null = null
  const keys = node.keys
  const inlineLimit = maxInlineKeySize(ctx.pageSize)
  for (let i = node.leaf ? 0 : 1; i < keys.length; i++) {
    const k = keys[i]!
    if (k.length <= inlineLimit) continue
    out ??= new Array<OverflowValue | undefined>(keys.length)
    let run = old?.get(k)
    if (run !== undefined) old!.delete(k)
    else run = writeRun(ctx, k, t32)
    out[i] = run
  }
  if (old !== null) for (const run of old.values()) ctx.free(run.pgid, overflowPageCount(ctx.pageSize, run.length))
  node.runs = null
  if (out !== null) {
    node.runs = new Map()
    for (let i = 0; i < keys.length; i++) if (out[i] !== undefined) node.runs.set(keys[i]!, out[i]!)
  }
  return out
}

/** FORMAT.md §4-5: a node as a sealed page, written into `page` (any prior contents). */
export function encodeNode(
  node: Node,
  pgid: number,
  txid: number,
  page: Buffer,
  keyRuns: ReadonlyArray<OverflowValue | undefined> | null = null,
): Buffer {
  const n = node.keys.length
  writeHeader(page, pgid, txid, node.leaf ? PageType.leaf : PageType.branch, n)
  const keyRun = keyRuns === null ? null : (i: number): OverflowValue | undefined => keyRuns[i]
  let end: number
  if (node.leaf) {
    end = encodeLeafEntries(page, node.keys, node.vals, keyRun, node.base)
  } else {
    end = encodeBranchEntries(
      page,
      n,
      (i) => node.keys[i]!,
      (i) => (node.kids[i] as PageRef).pgid,
      (i) => (node.kids[i] as PageRef).txid,
      keyRun,
    )
  }
  // The buffer may hold old bytes (new pages are not zeroed): FORMAT.md §2 wants the rest zero.
  page.fill(0, end)
  sealPage(page)
  return page
}
