import os from 'node:os'
import v8 from 'node:v8'

const MiB = 1024 * 1024

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
 * The default `dirtySize`: a quarter of V8's heap limit, and at most half the cache (at least
 * 4 MiB), so that the in-memory tree (heap) and the checkpoint's pages (the cache they go to) both
 * fit what the process was given.
 */
export function defaultDirtySize(
  cacheLimit: number,
  heapLimit: number = v8.getHeapStatistics().heap_size_limit,
): number {
  return Math.min(Math.floor(heapLimit / 4), Math.max(Math.floor(cacheLimit / 2), 4 * MiB))
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
 * packedPage; the page it was loaded from is the cache's), and the copies that later commits'
 * edits made and the garbage collector has not yet freed. A 1,000,000-key random fill into a new
 * file (~46,000 packed leaves) held ~240 MiB of array buffers and ~30 MiB of heap past the dataset
 * before its checkpoint: ~1.3 pages a leaf with 128 bytes an op counted besides.
 */
export const PACKED_FACTOR = 1.5

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
  return (d.pages * PAGE_FACTOR + d.packed * PACKED_FACTOR) * pageSize + d.ops * OP_BYTES
}
