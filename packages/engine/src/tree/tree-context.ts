import type { PageRef } from '../page/meta-page.js'
import type { Pager } from '../store/pager.js'
import type { Node, OverflowValue } from './node.js'
import type { InPlaceValues } from './in-place-values.js'
import { TreeHit } from './search.js'
import { keepShapes } from '../base/shapes.js'

/** What the tree algorithms need from the transaction around them. The tree never touches the file. */
export interface TreeReader {
  readonly pageSize: number
  readonly pager: Pager
}

/**
 * An empty array that V8 already holds as an array of objects (elements kind PACKED_ELEMENTS): a
 * `[]` starts as an array of small integers and changes kind at its first store of an object. A
 * put into a tree that is one leaf stores no node in its path, whose array then kept the first kind
 * where the put path's optimized code had met only the second: the first checkpoint's catalog put
 * and close()'s shapes (db/database-shapes.ts) threw that code away ("wrong map").
 */
function objectArray<T>(): T[] {
  const array: unknown[] = [null]
  array.length = 0
  return array as T[]
}

/**
 * The descent path of a put (the nodes from the root and the child index taken at each), kept for
 * splits to climb; a delete's steps and page lookup (treeDelete) use it too. A writer keeps one and
 * reuses it for every put and delete, so neither allocates for its descent; it is not re-entrant,
 * and holds nodes only until the next put through it.
 */
export class PutPath {
  readonly nodes: Node[] = objectArray<Node>()
  readonly index: number[] = []
  /** Where a delete's lookup through pages landed (read only to learn whether the key is there). */
  readonly hit = new TreeHit()
}

export interface TreeWriter extends TreeReader {
  /** Reused by each put through this writer (a new path per put when absent). */
  readonly path?: PutPath
  /**
   * The writer's generation: nodes it creates carry it, and nodes of another generation (shared
   * with published snapshots) are copied before it modifies them. 0 when nothing is shared.
   */
  readonly gen?: number
  /**
   * Whether the writer may edit `node`, a node of an earlier commit, in place instead of copying
   * it (then it has taken the node over, and its generation is the writer's): only a packed leaf
   * owning its page that no snapshot can reach (WriteTx.adopt). Absent: never.
   */
  adopt?(node: Node): boolean
  /**
   * When values may be overwritten where they lie (Node.overwritePacked: a put of a value of the
   * same length into a packed leaf that owns its page). Absent: never.
   */
  readonly values?: InPlaceValues<Node>
  /** A node that will be written as a page (decoded from one, or split off): counts dirty pages. */
  onLoad?(node: Node): void
  /** An overflow value that a put or delete replaced; its pages are freed at commit. */
  freeOverflow(value: OverflowValue): void
  /**
   * Where the last put appended (tree/modify.ts), so that the next put of a larger key skips the
   * descent; undefined when unknown. Owned by treePut and treeDelete.
   */
  putHint?: PutHint | undefined
}

/**
 * What a bucket's writer reports to the write transaction that owns it (WriteTx): TreeWriter.adopt
 * and TreeWriter.onLoad, as methods of the transaction's class.
 */
export interface WriterOwner {
  /** TreeWriter.adopt. */
  adopt(node: Node): boolean
  /** TreeWriter.onLoad. */
  nodeLoaded(node: Node): void
}

/** The parts of a TreeWriter that newTreeWriter takes (every one optional but the page size and pager). */
export interface TreeWriterParts {
  readonly pageSize: number
  readonly pager: Pager
  readonly gen?: number | undefined
  readonly path?: PutPath | undefined
  /** Told of adoptions and loads; absent: the writer adopts nothing and counts nothing. */
  readonly owner?: WriterOwner | undefined
  /** Where the overflow values a put or delete replaces go (TreeWriter.freeOverflow); absent: nowhere. */
  readonly freed?: OverflowValue[] | undefined
  readonly values?: InPlaceValues<Node> | undefined
}

/**
 * A TreeWriter of one class, whoever makes it: a bucket's writer (WriteTx.writerFor) and the
 * catalog's at a checkpoint (tx/commit.ts) then share one hidden class. When the catalog's writer
 * was an object of three fields, the first checkpoint handed the put path a second class of writer,
 * and V8 threw away the code it had optimized for the first (treePut, materializeRoot, the append:
 * `--trace-deopt`, "wrong map"; BENCHMARK.md, round s21).
 *
 * Its callbacks are its class's methods, which call the owner's: no closure per writer. A closure
 * made per transaction (`adopt: (node) => this.adopt(node)`) was a function that V8 could embed in
 * the code it optimized for the put path when the call had met only that one, and that code was
 * thrown away when the closure was collected, once its database closed ("weak objects":
 * materializeRoot, treeDelete; test/integration/shapes.test.ts). A method is one function for the
 * life of the process.
 */
class OwnedTreeWriter implements TreeWriter {
  readonly pageSize: number
  readonly pager: Pager
  readonly gen: number
  readonly path: PutPath
  readonly values: InPlaceValues<Node> | undefined
  readonly #owner: WriterOwner | undefined
  readonly #freed: OverflowValue[] | undefined
  putHint: PutHint | undefined = undefined

  constructor(parts: TreeWriterParts) {
    this.pageSize = parts.pageSize
    this.pager = parts.pager
    this.gen = parts.gen ?? 0
    this.path = parts.path ?? new PutPath()
    this.values = parts.values
    this.#owner = parts.owner
    this.#freed = parts.freed
  }

  adopt(node: Node): boolean {
    return this.#owner !== undefined && this.#owner.adopt(node)
  }

  onLoad(node: Node): void {
    if (this.#owner !== undefined) this.#owner.nodeLoaded(node)
  }

  freeOverflow(value: OverflowValue): void {
    if (this.#freed !== undefined) this.#freed.push(value)
  }
}

/** A TreeWriter (OwnedTreeWriter). */
export function newTreeWriter(parts: TreeWriterParts): TreeWriter {
  return new OwnedTreeWriter(parts)
}

/**
 * The leaf a put just appended to, its path from the root (nodes of this writer's generation) and
 * the key range it covers: [low, high), null for unbounded. Valid while the tree's shape is
 * unchanged: a split or a delete clears it, and a root other than `root` ignores it.
 */
export interface PutHint {
  readonly root: Node
  readonly leaf: Node
  readonly path: Node[]
  readonly index: number[]
  readonly low: Uint8Array | null
  readonly high: Uint8Array | null
  /**
   * Puts in a row since the hint last took one that it did not (tree/modify.ts, HINT_MISSES):
   * past the limit the puts no longer check it. It still names where the last append went (the
   * leaves written ahead, tx/early-pages.ts, read it either way).
   */
  misses: number
}

/** What spilling a tree at commit needs: page allocation, freeing, and a place to put written pages. */
export interface SpillContext {
  readonly pageSize: number
  readonly txid: number
  /** Allocates `count` consecutive pages; returns the first id. */
  allocate(count: number): number
  /** Marks `count` pages from `pgid` as freed by this commit. */
  free(pgid: number, count: number): void
  /**
   * A page-sized buffer for a new page, NOT zeroed (an allocation of its own, store/page-slab.ts
   * ownPage, that may hold old bytes): the encoder writes every byte of it, the unused middle
   * included (encodeNode's fill).
   */
  newPage(): Buffer
  /** Queues sealed pages starting at `pgid` for writing; `tree` for a branch or leaf page. */
  write(pgid: number, pages: Buffer[], tree: boolean): void
}

export type { PageRef }

// base/shapes.ts: each write transaction's writers have their own (its hit a TreeHit).
keepShapes('tree/tree-context', [new PutPath()])
