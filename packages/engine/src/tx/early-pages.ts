import type { FreeList } from '../freelist/freelist.js'
import { keepShapes } from '../base/shapes.js'
import type { FileHandle } from '../io/file-handle.js'
import { txid32 } from '../page/layout.js'
import type { PageRef } from '../page/meta-page.js'
import { type SearchIndex, buildSearchIndex } from '../page/search-index.js'
import { ownPage } from '../store/page-slab.js'
import { type Child, Node } from '../tree/node.js'
import { FILL_THRESHOLD } from '../tree/rebalance.js'
import type { WriteTx } from './write-tx.js'

/**
 * A leaf written ahead of its checkpoint: where, as which txid32, its sealed bytes and their search
 * index (both for the cache, once the checkpoint is installed: Pager.cacheWritten).
 */
interface EarlyPage {
  readonly pgid: number
  readonly txid: number
  readonly page: Buffer
  readonly index: SearchIndex
}

/**
 * FORMAT.md §11, leaves written ahead: an ascending load leaves full leaves behind it that no later
 * put touches, and a commit waits for its journal sync with the thread idle. So once a commit's
 * record is written (its nodes published, never modified again), the full leaves it finished are
 * encoded and written to pages allocated for them at once, while the sync runs; the next
 * checkpoint then refers to those pages instead of writing the leaves again, and is left with the
 * last leaf, the branches, the free list and the meta. An ascending fill of 200,000 keys wrote
 * ~25 MB of leaves in its final checkpoint; now it writes them while its commits sync.
 *
 * Crash safety is that of the checkpoint's own page writes (FORMAT.md §8, §11): an early page is
 * written to a page that no durable meta names and no reader reads (free, or past the high-water
 * mark), and the checkpoint that names it syncs the file (step 4b, which covers these writes
 * too) before its meta. A crash before that leaves it unnamed, free in the file's free list or
 * past its high-water mark. A leaf is keyed by its node: a published node is never modified
 * (Node.gen), so the page stays a true copy of it for as long as any state holds the node.
 */
export class EarlyPages {
  #pages = new Map<Node, EarlyPage>()
  /**
   * Pages written ahead whose write a failed background sync may have lost (Committer's early
   * flush): still allocated, named by no tree; the next checkpoint frees them and writes their
   * leaves itself.
   */
  #distrusted: EarlyPage[] = []
  readonly #pageSize: number

  constructor(pageSize: number) {
    this.#pageSize = pageSize
  }

  /** The pages written ahead, allocated and not yet handed to a checkpoint (check(): free on disk). */
  ids(): number[] {
    return [...this.#pages.values(), ...this.#distrusted].map((p) => p.pgid)
  }

  /** Distrusts every page written ahead so far (a sync that may cover them failed). */
  distrust(): void {
    for (const p of this.#pages.values()) this.#distrusted.push(p)
    this.#pages = new Map()
  }

  /**
   * Writes ahead the leaves commit `txid` (written, published) finished: in each bucket it appended
   * to at the end of the key space, its own packed leaves (new, inline entries only) left of the
   * one it appended to last, when at least FILL_THRESHOLD full (so the checkpoint's rebalance
   * would not merge them). Allocates their pages as one run, written with one writev. A failed
   * write gives the pages back and writes nothing ahead: the checkpoint writes the leaves. Returns
   * how many pages it wrote.
   */
  write(tx: WriteTx, txid: number, freelist: FreeList, file: FileHandle, pageSize: number): number {
    const leaves: Node[] = []
    for (const s of tx.overlay.values()) {
      if (s === null || !s.dirty) continue
      const hint = tx.appendHint(s)
      if (hint === undefined || hint.high !== null || hint.root !== s.root) continue
      this.#collect(hint.root, tx.gen, hint.leaf, pageSize * FILL_THRESHOLD, leaves)
    }
    if (leaves.length === 0) return 0
    const first = freelist.allocate(leaves.length)
    const pages = leaves.map((leaf, i) => {
      const sealed = leaf.sealInPlace(first + i, txid)
      if (sealed !== undefined) return sealed
      // A leaf that owns its page could be edited in place by a later commit (WriteTx.adopt), and
      // its page written here would no longer be a copy of it: it gives that up (as sealInPlace).
      leaf.disown()
      // A page of its own: it goes to the cache with the checkpoint (store/page-slab.ts).
      return leaf.encodePacked(first + i, txid, ownPage(this.#pageSize))
    })
    try {
      file.writevSync(pages, first * pageSize)
    } catch {
      freelist.unallocate(first, leaves.length)
      return 0
    }
    const t32 = txid32(txid)
    // The search index the cache keeps with each page is built now, from a page still in the CPU's
    // caches (just encoded, checksummed and written), and not by the checkpoint that installs it, to
    // which it would be one cold pass more over every page: the final checkpoint of an ascending
    // load of 200,000 keys took 31 ms of CPU with them built there, 8 ms with them built here (least of 5,
    // `bench/fill-cpu.js --order seq --durability full --writes-only`, issue 9).
    for (const [i, leaf] of leaves.entries()) {
      const page = pages[i]!
      this.#pages.set(leaf, { pgid: first + i, txid: t32, page, index: buildSearchIndex(page) })
    }
    return leaves.length
  }

  #collect(node: Node, gen: number, last: Node, minSize: number, out: Node[]): void {
    if (node.gen !== gen) return
    if (node.leaf) {
      if (node !== last && node.packed && node.orig === 0 && node.size >= minSize && !this.#pages.has(node))
        out.push(node)
      return
    }
    for (const kid of node.kids) if (kid instanceof Node) this.#collect(kid, gen, last, minSize, out)
  }

  /** Hands every page written ahead to a checkpoint about to run (giveBack if it fails). */
  take(): EarlyHandoff {
    const h = new EarlyHandoff(this.#pages, this.#distrusted)
    this.#pages = new Map()
    this.#distrusted = []
    return h
  }

  /** A failed checkpoint's pages: still allocated, still true copies of their nodes (or distrusted). */
  giveBack(h: EarlyHandoff): void {
    for (const [node, p] of h.pages) this.#pages.set(node, p)
    for (const p of h.distrusted) this.#distrusted.push(p)
  }
}

/** Early pages handed to one checkpoint: the ones its trees name, and the others, to free. */
export class EarlyHandoff {
  readonly pages: ReadonlyMap<Node, EarlyPage>
  /** Pages no tree names, whose write may be lost (EarlyPages.distrust): freed, never named. */
  readonly distrusted: readonly EarlyPage[]
  readonly #used = new Set<EarlyPage>()

  constructor(pages: ReadonlyMap<Node, EarlyPage>, distrusted: readonly EarlyPage[]) {
    this.pages = pages
    this.distrusted = distrusted
  }

  /**
   * Node.cloneTree for the checkpoint's private copy, where a leaf written ahead becomes a
   * reference to its page: rebalance and spill then leave it as a page on disk.
   */
  cloneTree(node: Node, gen: number): Child {
    const early = this.pages.get(node)
    if (early !== undefined) {
      this.#used.add(early)
      const ref: PageRef = { pgid: early.pgid, txid: early.txid }
      return ref
    }
    const n = node.clone(gen)
    if (!n.leaf) {
      for (let i = 0; i < n.kids.length; i++) {
        const k = n.kids[i]!
        if (k instanceof Node) n.kids[i] = this.cloneTree(k, gen)
      }
    }
    return n
  }

  /**
   * Pages the copy names, with their search indexes: the checkpoint caches them as it does the
   * pages it writes.
   */
  written(): Iterable<EarlyPage> {
    return this.#used
  }

  /** Pages written ahead for nodes no longer in the state (replaced since): the checkpoint frees them. */
  unused(): number[] {
    const out: number[] = []
    for (const p of this.pages.values()) if (!this.#used.has(p)) out.push(p.pgid)
    for (const p of this.distrusted) out.push(p.pgid)
    return out
  }
}

// base/shapes.ts: a checkpoint's handoff is garbage once the checkpoint is done.
keepShapes('tx/early-pages', [new EarlyHandoff(new Map(), [])])
