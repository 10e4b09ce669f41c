import { branchEntrySize } from './branch-page.js'
import { HEADER_SIZE, PageType, SLOT_SIZE, pageCount, pageType } from './layout.js'
import { leafEntrySize } from './leaf-page.js'

/** Bytes of a branch or leaf page holding its header, slots and entries (the rest is free). */
export function pageBytesUsed(page: Uint8Array): number {
  const n = pageCount(page)
  const leaf = pageType(page) === PageType.leaf
  let used = HEADER_SIZE + SLOT_SIZE * n
  for (let i = 0; i < n; i++) used += leaf ? leafEntrySize(page, i) : branchEntrySize(page, i)
  return used
}
