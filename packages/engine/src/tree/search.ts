import {
  leafEntryOffset,
  leafFind,
  leafIsOverflow,
  leafOverflowRef,
  leafValueBytes,
  leafValueLength,
} from '../page/leaf-page.js'
import { branchChild, branchChildTxid, branchSearch, lastSearchPrefix } from '../page/branch-page.js'
import { LEAF_ENTRY_HEADER, OVERFLOW_FLAG, PageType, pageType, u16, u32 } from '../page/layout.js'
import { compareKeys, compareKeysFrom, lastCommonPrefix } from '../page/key-compare.js'
import type { PageRef } from '../page/meta-page.js'
import type { Pager } from '../store/pager.js'
import { type Child, Node, OverflowValue, type Value, valueAt } from './node.js'

/** Index of the first key >= `key` in a node's sorted keys (prefix-skipping binary search). */
export function nodeLowerBound(keys: Uint8Array[], key: Uint8Array, known = 0): number {
  let lo = 0
  let hi = keys.length
  let loPrefix = known
  let hiPrefix = known
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (compareKeysFrom(keys[mid]!, key, loPrefix < hiPrefix ? loPrefix : hiPrefix) < 0) {
      lo = mid + 1
      loPrefix = lastCommonPrefix
    } else {
      hi = mid
      hiPrefix = lastCommonPrefix
    }
  }
  return lo
}

/** After nodeBranchSearch: the prefix the key shares with every key of the chosen child. */
export let nodeSearchPrefix = 0

/**
 * The child of a branch node to descend into for `key` (prefix-skipping binary search; `known`: a
 * prefix the key shares with every key of the node, from the parent's search).
 */
export function nodeBranchSearch(node: Node, key: Uint8Array, known = 0): number {
  let lo = 1
  let hi = node.keys.length - 1
  let found = 0
  let loPrefix = known
  let hiPrefix = known
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1
    if (compareKeysFrom(node.keys[mid]!, key, loPrefix < hiPrefix ? loPrefix : hiPrefix) <= 0) {
      found = mid
      lo = mid + 1
      loPrefix = lastCommonPrefix
    } else {
      hi = mid - 1
      hiPrefix = lastCommonPrefix
    }
  }
  nodeSearchPrefix = loPrefix < hiPrefix ? loPrefix : hiPrefix
  return found
}

/** Descends a tree of pages to the leaf that holds, or would hold, `key`. O(height) page visits. */
export function pageTreeLeaf(pager: Pager, root: PageRef, key: Uint8Array): Buffer {
  let page = pager.treePage(root.pgid, root.txid)
  let known = 0
  while (pageType(page) === PageType.branch) {
    const i = branchSearch(page, key, known, pager)
    known = lastSearchPrefix
    page = pager.treePage(branchChild(page, i), branchChildTxid(page, i))
  }
  leafKnownPrefix = known
  return page
}

/** After pageTreeLeaf: the prefix the key shares with every key of the leaf it returned. */
let leafKnownPrefix = 0

/**
 * Looks `key` up in a tree of pages only (a read transaction). O(log n) page visits, no allocation
 * until the value is copied. Returns the value's bytes (a view) or an OverflowValue.
 */
export function pageTreeGet(pager: Pager, root: PageRef, key: Uint8Array): Value | undefined {
  const page = pageTreeLeaf(pager, root, key)
  const i = leafFind(page, key, leafKnownPrefix, pager)
  if (i < 0) return undefined
  if (leafIsOverflow(page, i)) {
    const [pgid, txid] = leafOverflowRef(page, i)
    return new OverflowValue(pgid, txid, leafValueLength(page, i))
  }
  return leafValueBytes(page, i)
}

/**
 * Looks `key` up in a tree of pages and returns a copy of its value: the read path of `get`, which
 * copies straight out of the page (one pooled allocation, no intermediate view).
 */
export function pageTreeGetCopy(pager: Pager, root: PageRef, key: Uint8Array): Buffer | undefined {
  const page = pageTreeLeaf(pager, root, key)
  const i = leafFind(page, key, leafKnownPrefix, pager)
  if (i < 0) return undefined
  const off = leafEntryOffset(page, i)
  const start = off + LEAF_ENTRY_HEADER + (u16(page, off) & 0x7fff)
  if (page[off + 5]! >= 0x80)
    return pager.readOverflow(u32(page, start), u32(page, start + 4), u32(page, off + 2) - OVERFLOW_FLAG)
  // Inline length: below 2^31, so it reads as a non-negative int32.
  const length = page[off + 2]! | (page[off + 3]! << 8) | (page[off + 4]! << 16) | (page[off + 5]! << 24)
  const out = Buffer.allocUnsafe(length)
  page.copy(out, 0, start, start + length)
  return out
}

/** Looks `key` up in a tree that may hold nodes of the current write transaction. */
export function treeGet(pager: Pager, root: Child, key: Uint8Array): Value | undefined {
  let child = root
  while (child instanceof Node) {
    if (child.leaf) {
      const i = nodeLowerBound(child.keys, key)
      if (i < child.keys.length && compareKeys(child.keys[i]!, key) === 0) return valueAt(child, i)
      return undefined
    }
    child = child.kids[nodeBranchSearch(child, key)]!
  }
  return pageTreeGet(pager, child, key)
}
