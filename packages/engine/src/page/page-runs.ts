import {
  BRANCH_ENTRY_HEADER,
  HEADER_SIZE,
  LEAF_ENTRY_HEADER,
  LONG_KEY_FLAG,
  OVERFLOW_FLAG,
  SLOT_SIZE,
  pageCount,
  u16,
  u32,
} from './layout.js'

/**
 * Every overflow run a branch or leaf page references (FORMAT.md §4, §5, §10): its values' and its
 * out-of-line keys'. For the walkers that free (reclaim) or verify (open) what a page owns.
 */
export function forEachRun(
  page: Uint8Array,
  leaf: boolean,
  fn: (pgid: number, txid: number, length: number) => void,
): void {
  const n = pageCount(page)
  for (let i = leaf ? 0 : 1; i < n; i++) {
    const off = u16(page, HEADER_SIZE + SLOT_SIZE * i)
    const field = u16(page, leaf ? off : off + 8)
    const start = off + (leaf ? LEAF_ENTRY_HEADER : BRANCH_ENTRY_HEADER)
    if (field >= LONG_KEY_FLAG) fn(u32(page, start + 4), u32(page, start + 8), u32(page, start))
    if (!leaf) continue
    const word = u32(page, off + 2)
    if (word >= OVERFLOW_FLAG) {
      const v = start + (field & 0x7fff)
      fn(u32(page, v), u32(page, v + 4), word - OVERFLOW_FLAG)
    }
  }
}
