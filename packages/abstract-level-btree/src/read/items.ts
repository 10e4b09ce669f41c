import { concat, copy, utf8, type KeyFormat } from '../bytes.js'

/** What an iterator hands out per entry: abstract-level's three iterator kinds and their options. */
export const enum ItemKind {
  /** `[key, value]` */
  Entry,
  /** `[key, undefined]` (`iterator({ values: false })`) */
  EntryKeyOnly,
  /** `[undefined, value]` (`iterator({ keys: false })`) */
  EntryValueOnly,
  /** A key (`db.keys()`) */
  Key,
  /** A value (`db.values()`) */
  Value,
}

export type Item = string | Uint8Array | [string | Uint8Array | undefined, string | Uint8Array | undefined]

/**
 * The full key (`prefix` + the bucket's `key`, a page view) in `format`: text decoded straight from
 * the page, or a copy of the bytes that no later write or move can change.
 */
export function keyOut(
  prefix: Uint8Array,
  prefixText: string,
  key: Uint8Array,
  format: KeyFormat,
): string | Uint8Array {
  if (format === 'utf8') return prefixText.length === 0 ? utf8(key) : prefixText + utf8(key)
  return prefix.byteLength === 0 ? copy(key) : concat(prefix, key)
}

/** A value (a page view) in `format`, as a string or a copy. */
export function valueOut(value: Uint8Array, format: KeyFormat): string | Uint8Array {
  return format === 'utf8' ? utf8(value) : copy(value)
}
