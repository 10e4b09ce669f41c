import { BTreeError } from '../base/errors.js'
import type { Pager } from '../store/pager.js'
import { type CursorSource, TreeCursor } from '../tree/cursor.js'
import { type Child, Node, OverflowValue } from '../tree/node.js'
import { TreeHit, pageTreeFind, pageTreeGetCopy, pageTreeGetView, treeGet } from '../tree/search.js'
import type { RangeOptions, ReadBucket } from '../base/types.js'
import { assertBytes } from '../base/validate.js'
import { rangeEntries } from './range.js'

/** What a bucket needs from its transaction. */
export interface BucketHost {
  readonly pager: Pager
  /** Throws BTREE_TX_CLOSED / BTREE_CLOSED when the transaction can no longer be used. */
  assertOpen(): void
}

/**
 * A tree that does not change while a cursor reads it (a snapshot's bucket, the catalog), as the
 * cursor sees it (TreeCursor's CursorSource). A class, not an object of closures made per cursor:
 * a cursor's optimized `next` could embed the one cursor's closures it had met, which V8 holds
 * weakly, and was thrown away once that cursor was collected ("reason: weak objects", between two
 * bursts of scans; base/shapes.ts keeps the classes' maps).
 */
export class FixedTreeSource implements CursorSource {
  readonly pager: Pager
  readonly readOnly: boolean
  readonly #root: Child
  /** What tells that the tree can no longer be read (the snapshot is closed), if anything. */
  readonly #host: BucketHost | null

  constructor(pager: Pager, root: Child, host: BucketHost | null, readOnly: boolean) {
    this.pager = pager
    this.#root = root
    this.#host = host
    this.readOnly = readOnly
  }

  root(): Child {
    return this.#root
  }

  version(): number {
    return 0
  }

  assertOpen(): void {
    if (this.#host !== null) this.#host.assertOpen()
  }
}

/**
 * Where each lookup through a read bucket lands: read right after the search, before anything else
 * can search, so one serves every bucket (a bucket per `db.view` allocated one per get).
 */
const LOOKUP = new TreeHit()

/** A bucket in a read-only snapshot: every read goes straight to (cached) pages. */
export class ReadBucketImpl implements ReadBucket {
  readonly name: string
  readonly #host: BucketHost
  /** The root page, or the in-memory tree of commits not yet checkpointed (FORMAT.md §11). */
  readonly #root: Child
  readonly #count: number

  constructor(host: BucketHost, name: string, root: Child, count: number) {
    this.#host = host
    this.name = name
    this.#root = root
    this.#count = count
  }

  get size(): number {
    return this.#count
  }

  /** O(log n) page visits; the result is a copy. */
  get(key: Uint8Array): Buffer | undefined {
    assertBytes(key, 'key')
    this.#host.assertOpen()
    const root = this.#root
    if (!(root instanceof Node)) return pageTreeGetCopy(this.#host.pager, root, key, LOOKUP)
    const v = treeGet(this.#host.pager, root, key)
    if (v === undefined) return undefined
    if (v instanceof OverflowValue) return this.#host.pager.readOverflow(v.pgid, v.txid, v.length)
    return Buffer.from(v)
  }

  /**
   * O(log n) page visits; the value where it lies (ReadBucket.getView). A snapshot's pages and
   * packed leaves are never modified while it is open (store/page-cache.ts, WriteTx.adopt).
   */
  getView(key: Uint8Array): Uint8Array | undefined {
    assertBytes(key, 'key')
    this.#host.assertOpen()
    const root = this.#root
    if (!(root instanceof Node)) return pageTreeGetView(this.#host.pager, root, key, LOOKUP)
    const v = treeGet(this.#host.pager, root, key)
    if (v instanceof OverflowValue) return this.#host.pager.readOverflow(v.pgid, v.txid, v.length)
    return v
  }

  has(key: Uint8Array): boolean {
    assertBytes(key, 'key')
    this.#host.assertOpen()
    const root = this.#root
    if (root instanceof Node) return treeGet(this.#host.pager, root, key) !== undefined
    return pageTreeFind(this.#host.pager, root, key, LOOKUP)
  }

  cursor(): TreeCursor {
    this.#host.assertOpen()
    return new TreeCursor(new FixedTreeSource(this.#host.pager, this.#root, this.#host, true))
  }

  /** Not in ReadBucket's type: a coded error for JavaScript callers, not "is not a function". */
  put(): never {
    throw new BTreeError('BTREE_TX_READONLY', 'a bucket of a read snapshot cannot write')
  }

  delete(): never {
    throw new BTreeError('BTREE_TX_READONLY', 'a bucket of a read snapshot cannot write')
  }

  entries(options?: RangeOptions): IterableIterator<[Buffer, Buffer]> {
    return rangeEntries(this.cursor(), options)
  }
}
