import type { Encoding } from './bytes.js'

/**
 * The dump format: JSON lines. The first line is a header naming the encoding of keys and values;
 * then, per bucket, a line `{"bucket": name}` (so that empty buckets survive a round trip) followed
 * by its entries `{"bucket": name, "key": ..., "value": ...}` in key order. A key or value that
 * cannot be written in the chosen encoding (invalid UTF-8 under --utf8) is `{"hex": ...}` instead.
 */
export const DUMP_FORMAT = 'btree-store-dump'
export const DUMP_VERSION = 1

export interface DumpHeader {
  format: typeof DUMP_FORMAT
  version: number
  encoding: Encoding
}

export function dumpHeader(encoding: Encoding): DumpHeader {
  return { format: DUMP_FORMAT, version: DUMP_VERSION, encoding }
}

/** Whether a parsed line is a header (any line carrying `format`). */
export function isHeader(line: Record<string, unknown>): boolean {
  return 'format' in line
}
