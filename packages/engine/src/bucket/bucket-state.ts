import type { PageRef } from '../page/meta-page.js'
import type { Child, OverflowValue } from '../tree/node.js'

/**
 * A bucket as a write transaction sees it. Invariant: `freed` lists the on-disk overflow values this
 * transaction replaced or deleted in this bucket; they are freed at commit, or, if the bucket is
 * dropped, reclaimed with the tree they belong to (never both).
 */
export class BucketState {
  readonly name: string
  readonly nameKey: Uint8Array
  /** The root as committed when the transaction began, or null for a bucket it created. */
  readonly diskRoot: PageRef | null
  root: Child
  count: number
  readonly freed: OverflowValue[] = []
  dirty = false
  /** Whether the committed tree may hold overflow values (its record's flag). */
  readonly diskMayOverflow: boolean
  /** Invariant: false only if no value in the tree is an overflow value (sticky once set). */
  mayOverflow: boolean

  /**
   * A copy for the next write transaction of a state published by an earlier commit (the journal's
   * dirty state): the same tree, which the new transaction copies node by node as it changes it.
   */
  fork(): BucketState {
    const s = new BucketState(this.name, this.nameKey, this.diskRoot, this.root, this.count, this.diskMayOverflow)
    s.mayOverflow = this.mayOverflow
    s.dirty = this.dirty
    for (const id of this.freed) s.freed.push(id)
    return s
  }

  constructor(
    name: string,
    nameKey: Uint8Array,
    diskRoot: PageRef | null,
    root: Child,
    count: number,
    mayOverflow: boolean,
  ) {
    this.name = name
    this.nameKey = nameKey
    this.diskRoot = diskRoot
    this.root = root
    this.count = count
    this.diskMayOverflow = mayOverflow
    this.mayOverflow = mayOverflow
  }
}
