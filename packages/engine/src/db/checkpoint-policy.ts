import os from 'node:os'
import v8 from 'node:v8'

const MiB = 1024 * 1024

/**
 * The default `journalStream`: a durable commit's record is written ahead in steps of 16 KiB, the
 * first after 4 KiB (RecordBuilder.streamTo). A bare loop of 200 commits of ~122 KB records after
 * ~0.5 ms of CPU each (an ascending fill's): 850–940 µs a commit written and synced at its end,
 * 610–675 µs in steps of ~15 KB, each followed by a writeback on the thread pool (its final sync
 * 50–90 µs against 320–390). Through the engine (medians of alternating rounds, issue 9): an
 * ascending fill of 200,000 keys in commits of 1,000, 193–259 ms unstreamed, 145–172 in steps of
 * 16 KiB, 177–184 in steps of 8 KiB and 189–190 of 4 KiB (more writes, each a thread-pool call);
 * 20,000 single-put updates 64 in flight (~8 KB records), 176–226 ms unstreamed or in steps of
 * 8–16 KiB (no write before the commit), 50–59 ms in steps of 3–4 KiB, 67–68 ms with 16 KiB steps
 * whose first write comes at 4 KiB.
 */
export const JOURNAL_STREAM = 16 * 1024

/**
 * FORMAT.md §11, when a checkpoint runs: once the journal passes `journalSize` bytes, or once the
 * estimated memory of the commits since the last checkpoint passes `dirtySize`. Each checkpoint
 * rewrites every leaf those commits touched, so the further apart checkpoints are, the more puts
 * each leaf write absorbs. A random fill touches most leaves between two checkpoints once the
 * tree outgrows what those commits change: a 5,000,000-key random fill (16-byte keys, 100-byte
 * values, ~170,000 leaves) with 256 MiB of journal checkpointed at 2,150,000 keys and then decoded a
 * leaf per put for the rest of the fill: 7.92 bytes written per user byte, 0.43x lmdb-js.
 */

/**
 * The default `journalSize`: a sixteenth of the machine's memory, 256 MiB to 1 GiB. The journal's
 * records stay in memory until the checkpoint (the in-memory tree's values are views of them),
 * so this also bounds that memory, and it is the most a replay reads at open after a crash (about
 * 8,000,000 puts of 116 bytes at 1 GiB). WiredTiger's own default checkpoints every 2 GB of log.
 */
export function defaultJournalSize(totalMemory: number = os.totalmem()): number {
  return Math.min(1024 * MiB, Math.max(256 * MiB, Math.floor(totalMemory / 16)))
}

/**
 * The default `dirtySize`: the cache's size (at least 4 MiB), so that the commits since the last
 * checkpoint may hold about as much as the tree's pages do. A random fill dirties every leaf of
 * the tree between two checkpoints once the tree outgrows what the commits between them change, so
 * a bound below the tree's size makes every checkpoint after that rewrite most of the tree: a
 * 5,000,000-key random fill (16-byte keys, 100-byte values; a ~900 MiB tree) with the bound at half
 * the cache (1 GiB here) checkpointed at ~3,400,000 keys and every ~600,000 puts after: 7.9 bytes
 * written per user byte, 2.4x the CPU of the fill without them (a 1,000,000-key model of it, the
 * bounds a fifth: 34.9 against 14.6 s) and a higher peak RSS (1,589 against 1,069 MiB), each
 * checkpoint's pages joining the cache beside the copies the next commits make. The heap's share
 * of that memory has a bound of its own (heapBound): a packed leaf's page is not on V8's heap.
 */
export function defaultDirtySize(cacheLimit: number): number {
  return Math.max(cacheLimit, 4 * MiB)
}

/**
 * The bound of the heap bytes the commits since the last checkpoint hold (dirtyHeapBytes): a
 * quarter of V8's heap limit, so that the in-memory trees leave the application its heap.
 */
export function heapBound(heapLimit: number = v8.getHeapStatistics().heap_size_limit): number {
  return Math.floor(heapLimit / 4)
}

/**
 * Heap bytes an op of the commits since the checkpoint holds, about: a put's key (a view object of
 * its journal record's bytes), its slot in the leaf's arrays and its key window, and its share of
 * the branches above (a random fill of 2,000,000 keys into a new file grew the heap by ~160 bytes
 * a put, garbage included; its bytes are in the journal, counted by `journalSize`). A put into a
 * packed leaf copies its bytes into the leaf's page (PACKED_FACTOR) and holds ~30 heap bytes: the
 * bound is the decoded form's.
 */
export const OP_BYTES = 128

/**
 * Memory a page decoded into a node of the ordinary form holds, in pages: its bytes (the node's
 * base, shared with the cache until evicted) and its entries' key views and slots on the heap (a
 * 2,000,000-key random fill held ~850 MiB of nodes for ~340 MiB of decoded pages).
 */
export const PAGE_FACTOR = 2.5

/**
 * Memory a packed leaf holds, in pages: the page of its own that its first edit takes (tree/node.ts,
 * packedPage; the page it was loaded from is the cache's), its node on the heap, and the copies
 * that later commits' edits made and the garbage collector has not yet freed. Measured after a
 * garbage collection: a 1,000,000-key random fill into a new file (~45,000 packed leaves) held
 * 181 MiB of array buffers and 30 MiB of heap before its checkpoint (1.15 pages a leaf, the ops'
 * heap included); 400,000 random overwrites into that tree, checkpointed, ~220 MiB (1.2).
 */
export const PACKED_FACTOR = 1.2

/** What the memory `dirtySize` bounds is estimated from (tx/dirty-state.ts, DirtyState). */
export interface DirtyCounts {
  /** Pages decoded into nodes of the ordinary form since the checkpoint. */
  readonly pages: number
  /** Packed leaves loaded or split off since the checkpoint. */
  readonly packed: number
  /** Ops recorded since the checkpoint. */
  readonly ops: number
}

/**
 * The memory `dirtySize` bounds: each page decoded into a node since the checkpoint (PAGE_FACTOR;
 * the checkpoint writes it anew), each packed leaf loaded or split off since (PACKED_FACTOR: its
 * own page), and each op recorded since (OP_BYTES).
 */
export function dirtyBytes(d: DirtyCounts, pageSize: number): number {
  return dirtyHeapBytes(d, pageSize) + d.packed * PACKED_FACTOR * pageSize
}

/**
 * The part of dirtyBytes on V8's heap: the decoded nodes and the ops (a packed leaf's page is an
 * array buffer, outside the heap limit).
 */
export function dirtyHeapBytes(d: DirtyCounts, pageSize: number): number {
  return d.pages * PAGE_FACTOR * pageSize + d.ops * OP_BYTES
}

/** Whether the commits since the last checkpoint hold more than `dirtySize`, or their heap share more than `heap`. */
export function overDirtyBounds(d: DirtyCounts, pageSize: number, dirtySize: number, heap: number): boolean {
  return dirtyBytes(d, pageSize) > dirtySize || dirtyHeapBytes(d, pageSize) > heap
}
