import type { AbstractLevel } from 'abstract-level'
import { copy } from './bytes.js'

/**
 * What a database's default encoding does to the data `put()` and `del()` may hand the store
 * directly: `bytes` (`buffer`, `view`: a Uint8Array goes on as the same bytes) or `utf8` (a string
 * goes on as itself, stored as its UTF-8 bytes).
 */
export type PlainFormat = 'bytes' | 'utf8'

type AnyLevel = AbstractLevel<string | Buffer | Uint8Array, unknown, unknown>

/** `encoding`'s PlainFormat on `db`, or undefined when it transcodes (json, hex, ...). */
export function plainFormat(db: object, encoding: unknown): PlainFormat | undefined {
  const level = db as AnyLevel
  if (encoding === level.keyEncoding('buffer') || encoding === level.keyEncoding('view')) return 'bytes'
  if (encoding === level.keyEncoding('utf8')) return 'utf8'
  return undefined
}

/**
 * The bytes abstract-level's encoding in `format` would hand `_put` for `data`, as a copy of the
 * store's own (the write is applied when its commit's group runs, after the call returned, and a
 * caller may reuse its buffer meanwhile). Undefined when `data` is of another type: then
 * abstract-level encodes (or rejects) it. O(bytes).
 */
export function plainBytes(data: unknown, format: PlainFormat | undefined): Uint8Array | undefined {
  if (format === 'bytes') return data instanceof Uint8Array ? copy(data) : undefined
  if (format === 'utf8') return typeof data === 'string' ? Buffer.from(data, 'utf8') : undefined
  return undefined
}
