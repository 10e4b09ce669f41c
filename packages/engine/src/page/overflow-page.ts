import { sealPage } from './checksum.js'
import { HEADER_SIZE, PageType, overflowPayload, writeHeader } from './layout.js'

/**
 * FORMAT.md §6: a value too large to stay inline lives in a run of consecutive overflow pages,
 * each with its own header and checksum; the payloads, concatenated, are the value.
 */

export function overflowPageCount(pageSize: number, length: number): number {
  return Math.ceil(length / overflowPayload(pageSize))
}

/**
 * Encodes `value` as sealed pages starting at `pgid`: views into one buffer, so that a large value
 * costs one allocation and one write, not one per page.
 */
export function encodeOverflow(value: Uint8Array, pgid: number, txid: number, pageSize: number): Buffer[] {
  const payload = overflowPayload(pageSize)
  const n = overflowPageCount(pageSize, value.length)
  const run = Buffer.alloc(n * pageSize)
  const pages: Buffer[] = []
  for (let i = 0; i < n; i++) {
    const page = run.subarray(i * pageSize, (i + 1) * pageSize)
    writeHeader(page, pgid + i, txid, PageType.overflow, 0)
    page.set(value.subarray(i * payload, (i + 1) * payload), HEADER_SIZE)
    sealPage(page)
    pages.push(page)
  }
  return pages
}
