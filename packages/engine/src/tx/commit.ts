import { encodeBucketRecord } from '../page/bucket-record.js'
import { BTreeError, ioError } from '../base/errors.js'
import type { FileHandle } from '../io/file-handle.js'
import { forEachChild } from '../page/branch-page.js'
import { type ReclaimEntry, encodeFreeList, freelistPageCount, reclaimEntryPages } from '../page/freelist-page.js'
import { PageType, pageType, txid32 } from '../page/layout.js'
import { forEachRun } from '../page/page-runs.js'
import { type Meta, type PageRef, encodeMeta } from '../page/meta-page.js'
import { overflowPageCount } from '../page/overflow-page.js'
import type { SearchIndex } from '../page/search-index.js'
import type { FreeList } from '../freelist/freelist.js'
import { ownPage } from '../store/page-slab.js'
import type { Pager } from '../store/pager.js'
import { treeDelete, treePut } from '../tree/modify.js'
import { type Child, Node } from '../tree/node.js'
import { rebalance } from '../tree/rebalance.js'
import { spill } from '../tree/spill.js'
import { type SpillContext, newTreeWriter } from '../tree/tree-context.js'
import type { EarlyHandoff } from './early-pages.js'
import type { WriteTx } from './write-tx.js'

const encoder = new TextEncoder()

/** The durable state (db/committer.ts) a commit reads and, on success, the committer replaces. */
export interface CommitState {
  readonly file: FileHandle
  readonly pager: Pager
  readonly freelist: FreeList
  /** Subtrees of dropped buckets not yet reclaimed (FORMAT.md §7). */
  readonly reclaim: readonly ReclaimEntry[]
  /** The slot holding the newest durable meta; a commit writes the other one (FORMAT.md §8). */
  readonly durableSlot: 0 | 1
  readonly durableTxid: number
  /** Pages of dropped buckets to give back per commit. */
  readonly reclaimPerCommit: number
}

export interface CommitOutcome {
  meta: Meta
  slot: 0 | 1
  reclaim: ReclaimEntry[]
  /** Tree pages written, to be cached once the commit is published. */
  written: Map<number, Buffer>
  /** Search indexes built ahead for some of them (leaves written ahead): the cache keeps these. */
  indexes: Map<number, SearchIndex>
  /** Other pages written (overflow, free list): stale cache entries for them must go. */
  overwritten: number[]
}

/**
 * Writes transaction `tx` as commit `txid`. The steps, and the crash points between them:
 *
 *  1. spillBuckets: rebalance and spill every changed bucket, then the catalog: each node goes to a
 *     newly allocated page; the pages it replaces are freed into pending[txid]. (Memory only.) A
 *     checkpoint's leaves written ahead (`early`, tx/early-pages.ts) are already pages, on disk
 *     unsynced: its trees name them, and step 4b's sync covers them.
 *  2. reclaimDropped: free up to `reclaimPerCommit` pages of dropped buckets. (Memory only.)
 *  3. writeFreeList: encode the free list (free + pending, and the reclaim list) into a fresh run.
 *     (Memory only.)
 *  4. writeRuns: every new page and the meta, the meta to the slot that does not hold the newest durable
 *     meta, with one `writev` per run of consecutive pages, all in flight together.
 *     Crash here: any subset of these writes may reach the disk, torn or whole. The meta records
 *     `durableTxid` = the previous durable commit, so open verifies every page this commit wrote
 *     before using it and otherwise falls back to the durable meta in the other slot, which names
 *     none of these pages (FORMAT.md §8).
 *  5. durability 'full': one fdatasync. When it returns the commit survives power loss. There is no
 *     second sync: open's verification, not write ordering, guards the meta (FORMAT.md §8).
 *
 * A checkpoint (`checkpoint` true, FORMAT.md §11) orders its writes instead: 4a. the pages,
 * 4b. fdatasync, 4c. writeCheckpointMeta: the meta with `durableTxid` = its own txid, 4d. fdatasync. Open trusts such a
 * meta without verification, so a page damaged after the sync is reported as corruption when read
 * rather than making open fall back to the previous checkpoint, whose journal records the caller
 * is about to discard. Crash before 4d completes: the old meta (the journal still holds every
 * record) or a torn new meta that fails its checksum, which open skips the same way.
 *
 * On any failure nothing in memory changes: the caller restores the free list (FreeList.abort).
 */
export async function writeCommit(
  st: CommitState,
  tx: WriteTx,
  txid: number,
  durable: boolean,
  checkpoint = false,
  early?: EarlyHandoff,
): Promise<CommitOutcome> {
  const out = new CommitPages(st, txid)
  if (early !== undefined) {
    // Leaves written ahead (tx/early-pages.ts): cached like this commit's pages; those no longer
    // in the state are freed by it (pending: never named by a meta, but simplest kept with the rest).
    for (const p of early.written()) {
      out.written.set(p.pgid, p.page)
      out.indexes.set(p.pgid, p.index)
    }
    for (const pgid of early.unused()) out.free(pgid, 1)
  }
  const catalog = await spillBuckets(out, st.pager, tx, checkpoint)
  const reclaim = reclaimDropped(out, st, tx)
  const list = writeFreeList(out, st.freelist, tx.base, reclaim)
  const meta: Meta = {
    txid,
    pageSize: out.pageSize,
    catalog,
    freelist: { pgid: list.pgid, txid: txid32(txid) },
    freelistPages: list.pages,
    highWater: st.freelist.highWater,
    durableTxid: checkpoint ? txid : st.durableTxid,
  }
  const slot: 0 | 1 = st.durableSlot === 0 ? 1 : 0
  const metaRun: [number, Buffer[]] = [slot, [encodeMeta(meta, slot)]]
  try {
    if (checkpoint) {
      await writeRuns(st.file, out.runs, out.pageSize)
      await st.file.sync()
      await writeCheckpointMeta(st.file, metaRun, out.pageSize, txid)
    } else {
      out.runs.push(metaRun)
      await writeRuns(st.file, out.runs, out.pageSize)
      if (durable) await st.file.sync()
    }
  } catch (err) {
    if (err instanceof MetaInDoubtError) throw err
    throw ioError(`commit ${txid}`, err)
  }
  return { meta, slot, reclaim, written: out.written, indexes: out.indexes, overwritten: out.overwritten }
}

/** A commit's state and its pages, never written: what base/shapes.ts keeps of this module's. */
export function commitShapes(st: CommitState): object[] {
  return [st, new CommitPages(st, 0)]
}

/** The pages one commit writes, and the spill context that allocates, frees and queues them. */
class CommitPages implements SpillContext {
  readonly pageSize: number
  readonly txid: number
  readonly #freelist: FreeList
  /** Runs of sealed pages by first page id, written in id order (writeRuns). */
  readonly runs: Array<[number, Buffer[]]> = []
  /** Tree pages written, to be cached once the commit is published. */
  readonly written = new Map<number, Buffer>()
  /** Search indexes of leaves written ahead (CommitOutcome.indexes). */
  readonly indexes = new Map<number, SearchIndex>()
  /** Other pages written (overflow, free list): stale cache entries for them must go. */
  readonly overwritten: number[] = []
  constructor(st: CommitState, txid: number) {
    this.pageSize = st.pager.pageSize
    this.txid = txid
    this.#freelist = st.freelist
  }

  /**
   * A new tree page, not zeroed (encodeNode writes every byte), an allocation of its own: it goes
   * to the page cache, which keeps and drops pages one at a time (store/page-slab.ts; 16-page slabs
   * here held ~1.4x what the cache counted after a random fill's seventh checkpoint).
   */
  newPage(): Buffer {
    return ownPage(this.pageSize)
  }

  allocate(count: number): number {
    return this.#freelist.allocate(count)
  }

  free(pgid: number, count: number): void {
    this.#freelist.free(this.txid, pgid, count)
  }

  readonly freePage = (pgid: number): void => this.free(pgid, 1)

  write(pgid: number, pages: Buffer[], tree: boolean): void {
    this.runs.push([pgid, pages])
    if (tree) this.written.set(pgid, pages[0]!)
    else for (let i = 0; i < pages.length; i++) this.overwritten.push(pgid + i)
  }
}

/**
 * Step 1: every changed bucket, then the catalog that records their roots, rebalanced and spilled
 * to new pages. Returns the catalog's new root.
 */
async function spillBuckets(out: CommitPages, pager: Pager, tx: WriteTx, paced: boolean): Promise<PageRef> {
  const pageSize = out.pageSize
  const catalogWriter = newTreeWriter({ pageSize, pager })
  let catalog: Child = tx.base.catalog
  const names = [...tx.overlay.keys()].sort()
  for (const name of names) {
    const s = tx.overlay.get(name)!
    if (s === null) {
      catalog = treeDelete(catalogWriter, catalog, encoder.encode(name)).root
      continue
    }
    if (!s.dirty) continue
    const balanced = rebalance(tx.writerFor(s), s.root, out.freePage)
    const root = paced ? await spillPaced(out, balanced) : spill(out, balanced)
    for (const v of s.freed) out.free(v.pgid, overflowPageCount(pageSize, v.length))
    catalog = treePut(
      catalogWriter,
      catalog,
      s.nameKey,
      encodeBucketRecord({ root, count: s.count, mayOverflow: s.mayOverflow }),
    ).root
  }
  return spill(out, rebalance(catalogWriter, catalog, out.freePage))
}

/** Leaves a paced spill writes between two turns of the event loop (~5 ms of encoding here). */
const PACE_LEAVES = 256

/**
 * spill() for a checkpoint, which may write thousands of pages while commits go on (FORMAT.md §11):
 * the leaves first, yielding to the event loop every PACE_LEAVES of them, so that the commits and
 * readers waiting on the loop are not held for the whole spill; then the branches over them. The
 * same pages as spill(), allocated in another order.
 */
async function spillPaced(out: CommitPages, root: Child): Promise<PageRef> {
  if (!(root instanceof Node)) return root
  let leaves = 0
  const parents: Node[] = []
  const collect = (n: Node): void => {
    if (n.leaf) return
    parents.push(n)
    for (const kid of n.kids) if (kid instanceof Node) collect(kid)
  }
  collect(root)
  for (const parent of parents) {
    for (let i = 0; i < parent.kids.length; i++) {
      const kid = parent.kids[i]!
      if (!(kid instanceof Node) || !kid.leaf) continue
      parent.kids[i] = spill(out, kid)
      if (++leaves % PACE_LEAVES === 0) await new Promise((resolve) => setImmediate(resolve))
    }
  }
  return spill(out, root)
}

/**
 * Step 2: reclaim dropped trees, depth first, a bounded number of pages per commit. Trees this
 * commit drops wait for the next one, so a drop costs what an empty commit does. Returns the
 * reclaim list the new free list records.
 */
function reclaimDropped(out: CommitPages, st: CommitState, tx: WriteTx): ReclaimEntry[] {
  const reclaim = [...st.reclaim]
  reclaimPages(st.pager, reclaim, st.reclaimPerCommit, out)
  reclaim.push(...tx.dropped)
  return reclaim
}

/** Step 3: the free list, written as free + pending, to a fresh run (FORMAT.md §7). */
function writeFreeList(
  out: CommitPages,
  freelist: FreeList,
  base: Meta,
  reclaim: ReclaimEntry[],
): { pgid: number; pages: number } {
  const pageSize = out.pageSize
  if (base.freelist.pgid !== 0) out.free(base.freelist.pgid, base.freelistPages)
  const pages = freelistPageCount(pageSize, freelist.freeCount + freelist.pendingCount, reclaim.length)
  const pgid = freelist.allocate(pages)
  out.write(pgid, encodeFreeList({ free: freelist.freeAndPending(), reclaim }, pgid, out.txid, pageSize, pages), false)
  return { pgid, pages }
}

/**
 * A checkpoint's meta failed to reach the disk and the slot could not be restored either: the
 * meta may be on disk, naming pages that the free list in memory holds as free. The caller must
 * write nothing more until the database is reopened (FORMAT.md §11).
 */
export class MetaInDoubtError extends BTreeError {
  constructor(message: string, cause: unknown) {
    super('BTREE_IO', message, { cause })
    this.name = 'BTreeError'
  }
}

/**
 * Steps 4c-4d of a checkpoint. A meta that names itself durable is trusted by open without
 * verification, so one whose write or sync failed must not stay on disk: a later commit reuses the
 * pages it names (the free list is restored on failure). The slot's previous bytes are written back
 * and synced; if that fails too, MetaInDoubtError.
 */
async function writeCheckpointMeta(
  file: FileHandle,
  metaRun: [number, Buffer[]],
  pageSize: number,
  txid: number,
): Promise<void> {
  const [slot] = metaRun
  const before = Buffer.alloc(pageSize)
  file.readSync(before, 0, pageSize, slot * pageSize)
  try {
    await writeRuns(file, [metaRun], pageSize)
    await file.sync()
  } catch (err) {
    try {
      await file.writev([before], slot * pageSize)
      await file.sync()
    } catch (undo) {
      throw new MetaInDoubtError(
        `checkpoint ${txid}: its meta could not be written (${(err as Error).message}) nor undone (${(undo as Error).message}); reopen the database`,
        err,
      )
    }
    throw err
  }
}

/**
 * Pops reclaim entries, freeing up to `budget` pages. A dropped tree is walked a bounded step per
 * commit, depth first, its stack being the reclaim list the free list records (FORMAT.md §7): a
 * page read pushes its children and runs (the references page-runs.ts and branch-page.ts decode,
 * as for every walker) and is freed.
 */
function reclaimPages(pager: Pager, reclaim: ReclaimEntry[], budget: number, ctx: SpillContext): void {
  let freed = 0
  while (reclaim.length > 0 && freed < budget) {
    const e = reclaim.pop()!
    if (e.kind === 'run' || (e.kind === 'subtree' && e.height === 0)) {
      const pages = reclaimEntryPages(e)
      ctx.free(e.pgid, pages)
      freed += pages
      continue
    }
    let page: Buffer
    try {
      page = pager.treePage(e.pgid, e.txid)
    } catch {
      // A dropped tree that cannot be read: give back the page itself; its children stay unused
      // (check() reports them as unreachable) rather than blocking every later commit.
      ctx.free(e.pgid, 1)
      freed++
      continue
    }
    const leaf = pageType(page) === PageType.leaf
    if (!leaf) {
      forEachChild(page, (pgid, txid) =>
        reclaim.push(
          e.kind === 'page' ? { kind: 'page', pgid, txid } : { kind: 'subtree', pgid, txid, height: e.height - 1 },
        ),
      )
    }
    // Value runs, and the runs of out-of-line keys, separators included (FORMAT.md §10).
    forEachRun(page, leaf, (pgid, txid, length) =>
      reclaim.push({ kind: 'run', pgid, txid, pages: overflowPageCount(pager.pageSize, length) }),
    )
    ctx.free(e.pgid, 1)
    freed++
  }
}

/** A run at least this large is written on the thread pool; smaller ones synchronously. */
const ASYNC_RUN_BYTES = 256 * 1024
/** Synchronous writes yield to the event loop at least this often (ms). */
const SLICE_MS = 2

/**
 * Writes page runs sorted by id, one writev per run of consecutive pages. A random-order commit
 * writes hundreds of scattered single pages; through the thread pool each costs ~30-80 µs of
 * main-thread time, synchronously ~6 µs (measured here: 1,000 scattered 4 KiB writes, 29-81 ms
 * against 6-13 ms). So small runs are written synchronously in slices of at most SLICE_MS, between
 * which readers are served, and large runs (big values) on the thread pool.
 */
async function writeRuns(file: FileHandle, runs: Array<[number, Buffer[]]>, pageSize: number): Promise<void> {
  runs.sort((a, b) => a[0] - b[0])
  const pending: Array<Promise<void>> = []
  let sliceStart = performance.now()
  let i = 0
  try {
    while (i < runs.length) {
      const start = runs[i]![0]
      const bufs: Buffer[] = [...runs[i]![1]]
      let next = start + runs[i]![1].length
      i++
      while (i < runs.length && runs[i]![0] === next) {
        bufs.push(...runs[i]![1])
        next += runs[i]![1].length
        i++
      }
      coalesce(bufs)
      if ((next - start) * pageSize >= ASYNC_RUN_BYTES) {
        pending.push(file.writev(bufs, start * pageSize))
        continue
      }
      file.writevSync(bufs, start * pageSize)
      if (performance.now() - sliceStart > SLICE_MS) {
        await new Promise<void>((resolve) => setImmediate(resolve))
        sliceStart = performance.now()
      }
    }
  } catch (error) {
    // Never leave a write running behind the caller's back, whatever failed first.
    await Promise.allSettled(pending)
    throw error
  }
  for (const r of await Promise.allSettled(pending)) if (r.status === 'rejected') throw r.reason
}

/** Joins neighbouring buffers that are adjacent views of one allocation (a slab, an overflow run). */
function coalesce(bufs: Buffer[]): void {
  let w = 0
  for (let r = 1; r < bufs.length; r++) {
    const prev = bufs[w]!
    const cur = bufs[r]!
    if (cur.buffer === prev.buffer && cur.byteOffset === prev.byteOffset + prev.length) {
      bufs[w] = Buffer.from(prev.buffer, prev.byteOffset, prev.length + cur.length)
    } else {
      bufs[++w] = cur
    }
  }
  bufs.length = Math.min(bufs.length, w + 1)
}
