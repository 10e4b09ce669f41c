import {
  isOverflowWord,
  leafFind,
  leafIsOverflow,
  leafOverflowRef,
  leafValueBytes,
  leafValueLength,
  leafValueStart,
  leafValueWord,
  overflowRefPage,
  overflowRefTxid,
  valueWordLength,
} from '../page/leaf-page.js'
import { branchStep, packStep, stepChild, stepPrefix } from '../page/branch-page.js'
import { pageId } from '../page/layout.js'
import { SearchIndex, buildSearchIndex, indexedBranchStep, indexedLeafFind } from '../page/search-index.js'
import { compareKeys, compareKeysFrom, sharedPrefix } from '../page/key-compare.js'
import type { PageRef } from '../page/meta-page.js'
import type { Pager } from '../store/pager.js'
import { type Child, Node, OverflowValue, type Value, valueAt } from './node.js'

/** Index of the first key >= `key` in a node's sorted keys (prefix-skipping binary search). */
export function nodeLowerBound(keys: readonly Uint8Array[], key: Uint8Array, known = 0): number {
  let lo = 0
  let hi = keys.length
  let loPrefix = known
  let hiPrefix = known
  // Quarters first: the three keys' fetches from memory do not depend on each other, so they
  // overlap, where a binary search waits for each probe's key before it knows the next.
  while (hi - lo >= 8) {
    const q = (hi - lo) >>> 2
    const m1 = lo + q
    const m2 = m1 + q
    const m3 = m2 + q
    const a = keys[m1]!
    const b = keys[m2]!
    const d = keys[m3]!
    const from = loPrefix < hiPrefix ? loPrefix : hiPrefix
    const c1 = compareKeysFrom(a, key, from)
    const c2 = compareKeysFrom(b, key, from)
    const c3 = compareKeysFrom(d, key, from)
    if (c3 < 0) {
      lo = m3 + 1
      loPrefix = sharedPrefix(c3)
    } else if (c2 < 0) {
      lo = m2 + 1
      loPrefix = sharedPrefix(c2)
      hi = m3
      hiPrefix = c3 === 0 ? key.length : sharedPrefix(c3)
    } else if (c1 < 0) {
      lo = m1 + 1
      loPrefix = sharedPrefix(c1)
      hi = m2
      hiPrefix = c2 === 0 ? key.length : sharedPrefix(c2)
    } else {
      hi = m1
      hiPrefix = c1 === 0 ? key.length : sharedPrefix(c1)
    }
  }
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    const c = compareKeysFrom(keys[mid]!, key, loPrefix < hiPrefix ? loPrefix : hiPrefix)
    if (c < 0) {
      lo = mid + 1
      loPrefix = sharedPrefix(c)
    } else {
      hi = mid
      hiPrefix = c === 0 ? key.length : sharedPrefix(c)
    }
  }
  return lo
}

/** nodeLowerBound in a decoded leaf, through its key windows when it has them (tree/key-windows.ts). */
export function nodeLeafLowerBound(node: Node, key: Uint8Array, known = 0): number {
  const i = node.windowLowerBound(key, known)
  return i >= 0 ? i : nodeLowerBound(node.keyList, key, known)
}

/** The child of a branch node to descend into for `key` (nodeBranchStep's child). */
export function nodeBranchSearch(node: Node, key: Uint8Array, known = 0): number {
  return stepChild(nodeBranchStep(node, key, known))
}

/**
 * The step down from a branch node for `key`, packed like branchStep's: the child and the prefix
 * the key shares with every key in it (prefix-skipping binary search; `known`: a prefix the key
 * shares with every key of the node, from the parent's step).
 */
export function nodeBranchStep(node: Node, key: Uint8Array, known: number): number {
  const step = node.windowBranchStep(key, known)
  if (step >= 0) return step
  let lo = 1
  let hi = node.keyList.length - 1
  let found = 0
  let loPrefix = known
  let hiPrefix = known
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1
    const c = compareKeysFrom(node.keyList[mid]!, key, loPrefix < hiPrefix ? loPrefix : hiPrefix)
    if (c <= 0) {
      found = mid
      lo = mid + 1
      loPrefix = c === 0 ? key.length : sharedPrefix(c)
    } else {
      hi = mid - 1
      hiPrefix = sharedPrefix(c)
    }
  }
  return packStep(found, loPrefix < hiPrefix ? loPrefix : hiPrefix)
}

/**
 * Where a lookup in a tree of pages landed: the leaf, and leafFind's result there (the entry's
 * index, or -1 - the insertion point). A reader keeps one and reuses it for each lookup, so a get
 * allocates nothing for it; its fields are valid until the next lookup through it.
 */
export class TreeHit {
  page: Buffer = EMPTY_PAGE
  index = -1
  /** Where entry `index` starts in `page`, when found. */
  offset = 0
}

const EMPTY_PAGE = Buffer.alloc(0)

/**
 * Descends a tree of pages to the leaf for `key` and searches it; returns whether `key` is there.
 * Each page is searched through its search index (page/search-index.ts), kept in the cache beside
 * the page: built when the page was written (Pager.cacheWritten) or else on the first visit.
 */
export function pageTreeFind(pager: Pager, root: PageRef, key: Uint8Array, hit: TreeHit): boolean {
  let ix = searchIndexOf(pager, root.pgid, root.txid)
  let known = 0
  while (ix.branch) {
    const step = ix.prefix >= 0 ? indexedBranchStep(ix, key, known, pager) : branchStep(ix.page, key, known, pager)
    known = stepPrefix(step)
    const i = stepChild(step)
    ix = searchIndexOf(pager, ix.childPage(i), ix.childTxid(i))
  }
  const page = ix.page
  const i = ix.prefix >= 0 ? indexedLeafFind(ix, key, known, pager) : leafFind(page, key, known, pager)
  hit.page = page
  hit.index = i
  if (i < 0) return false
  hit.offset = ix.entryOffset(i)
  return true
}

/**
 * The search index of tree page `pgid` as written by txid32 `txid`: the cached one, or one built
 * from the page (read and verified by the pager, which also reports a stale reference).
 */
function searchIndexOf(pager: Pager, pgid: number, txid: number): SearchIndex {
  const cached = pager.cache.searchIndex(pgid)
  if (cached !== undefined && cached.txid === (txid | 0)) return cached
  const index = buildSearchIndex(pager.treePage(pgid, txid))
  pager.cache.setSearchIndex(pgid, index)
  return index
}

/**
 * The search index of `page`, a tree page a cursor holds: the cached one, or one built when the
 * page is the one cached (a page that left the cache is searched as bytes).
 */
function indexOfPage(pager: Pager, page: Buffer): SearchIndex | undefined {
  const pgid = pageId(page)
  const cached = pager.cache.searchIndex(pgid)
  if (cached !== undefined && cached.page === page) return cached
  if (!pager.cache.holds(pgid, page)) return undefined
  const index = buildSearchIndex(page)
  pager.cache.setSearchIndex(pgid, index)
  return index
}

/** branch-page.ts:branchStep on a page a cursor holds, through its search index when it has one. */
export function pageBranchStep(pager: Pager, page: Buffer, key: Uint8Array, known: number): number {
  const ix = indexOfPage(pager, page)
  return ix !== undefined && ix.prefix >= 0
    ? indexedBranchStep(ix, key, known, pager)
    : branchStep(page, key, known, pager)
}

/** leaf-page.ts:leafFind on a page a cursor holds, through its search index when it has one. */
export function pageLeafFind(pager: Pager, page: Buffer, key: Uint8Array, known: number): number {
  const ix = indexOfPage(pager, page)
  return ix !== undefined && ix.prefix >= 0 ? indexedLeafFind(ix, key, known, pager) : leafFind(page, key, known, pager)
}

/**
 * Looks `key` up in a tree of pages only (a read transaction). O(log n) page visits, no allocation
 * until the value is copied. Returns the value's bytes (a view) or an OverflowValue.
 */
export function pageTreeGet(pager: Pager, root: PageRef, key: Uint8Array, hit = new TreeHit()): Value | undefined {
  if (!pageTreeFind(pager, root, key, hit)) return undefined
  const page = hit.page
  const i = hit.index
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
export function pageTreeGetCopy(pager: Pager, root: PageRef, key: Uint8Array, hit: TreeHit): Buffer | undefined {
  return pageTreeValue(pager, root, key, hit, false)
}

/**
 * The value of `key` in a tree of pages, as a view of its cached page (pages in the cache are never
 * modified: store/page-cache.ts): the read path of `getView`.
 */
export function pageTreeGetView(pager: Pager, root: PageRef, key: Uint8Array, hit: TreeHit): Buffer | undefined {
  return pageTreeValue(pager, root, key, hit, true)
}

/** The inline value found, as a view of the page or a copy; an overflow value is read into a buffer of its own. */
function pageTreeValue(pager: Pager, root: PageRef, key: Uint8Array, hit: TreeHit, view: boolean): Buffer | undefined {
  if (!pageTreeFind(pager, root, key, hit)) return undefined
  const page = hit.page
  const off = hit.offset
  const word = leafValueWord(page, off)
  const start = leafValueStart(page, off)
  if (isOverflowWord(word))
    return pager.readOverflow(overflowRefPage(page, start), overflowRefTxid(page, start), valueWordLength(word))
  if (view) return page.subarray(start, start + word)
  const out = Buffer.allocUnsafe(word)
  page.copy(out, 0, start, start + word)
  return out
}

/** Looks `key` up in a tree that may hold nodes of the current write transaction. */
export function treeGet(pager: Pager, root: Child, key: Uint8Array): Value | undefined {
  let child = root
  while (child instanceof Node) {
    if (child.leaf) {
      if (child.packed) {
        // A packed leaf (tree/node.ts) is searched as the page bytes it is, not decoded.
        const at = child.find(key, 0)
        return at >= 0 ? child.packedValue(at) : undefined
      }
      const i = nodeLeafLowerBound(child, key)
      if (i < child.keyList.length && compareKeys(child.keyList[i]!, key) === 0) return valueAt(child, i)
      return undefined
    }
    child = child.kids[nodeBranchSearch(child, key)]!
  }
  return pageTreeGet(pager, child, key)
}
