import { BTreeSqlError } from '../errors.js'
import type { Json, JsonString } from './json.js'

/**
 * SQLite's JSONB (jsonb.html, 3.45+): JSON as a blob of nodes, each a header (its type in the low
 * four bits; its payload's size in the high four when up to 11, else 12, 13, 14 or 15 there and
 * the size in the next 1, 2, 4 or 8 bytes, big-endian) then the payload: a number's or a string's
 * text, or a container's children (an object's labels before their values).
 *
 * The bytes are SQLite's: a document made from text has the smallest headers, numbers and strings
 * as written (TEXT, or TEXTJ when a string holds an escape), a SQL text an edit puts in is TEXTRAW,
 * a label an edit makes TEXTRAW (TEXT5 when its path wrote an escape). A blob read keeps each
 * node's bytes (a string's type and payload, a header larger than needed: `hdr`), so what an edit
 * leaves alone is written back as it was, as SQLite edits the blob in place. And an edit that
 * puts a value 1 to 8 bytes smaller than the one it replaces widens the new value's header to fill
 * the old one's bytes, as SQLite's jsonBlobOverwrite does (overwriteFit).
 */
export const TEXT = 7
export const TEXTJ = 8
export const TEXT5 = 9
export const TEXTRAW = 10
const NULL = 0
const TRUE = 1
const FALSE = 2
const INT = 3
const INT5 = 4
const FLOAT = 5
const FLOAT5 = 6
const ARRAY = 11
const OBJECT = 12

/** A string node's JSONB form: its type (TEXT, TEXTJ, TEXT5 or TEXTRAW) and payload. */
export interface JsonbText {
  readonly type: number
  readonly payload: string
}

/** The header bytes a payload of `n` bytes needs at least. */
function minimalHeader(n: number): number {
  return n <= 11 ? 1 : n <= 0xff ? 2 : n <= 0xffff ? 3 : n <= 0xffffffff ? 5 : 9
}

/** The header bytes a node is written with: its own (`hdr`, read from a blob or widened by an edit) when that fits. */
function headerBytes(j: Json, n: number): number {
  const need = minimalHeader(n)
  return j.hdr !== undefined && j.hdr > need ? j.hdr : need
}

/** The high nibble of a header's first byte, by the header's size in bytes (2, 3, 5 or 9). */
const SIZE_NIBBLE: Readonly<Record<number, number>> = { 2: 0xc0, 3: 0xd0, 5: 0xe0, 9: 0xf0 }

function header(type: number, size: number, bytes: number): Buffer {
  if (bytes === 1) return Buffer.from([(size << 4) | type])
  const b = Buffer.alloc(bytes)
  b[0] = SIZE_NIBBLE[bytes]! | type
  let s = size
  for (let i = bytes - 1; i >= 1; i--) {
    b[i] = s % 256
    s = Math.floor(s / 256)
  }
  return b
}

/** A string node's type and payload as written. */
export function textForm(s: JsonString): JsonbText {
  if (s.jsonb !== undefined) return s.jsonb
  if (s.text !== undefined) return { type: TEXTRAW, payload: s.text }
  const inner = s.raw.slice(1, -1)
  return { type: inner.includes('\\') ? TEXTJ : TEXT, payload: inner }
}

/** A node's type and payload bytes (a container's children encoded). */
function typeAndPayload(j: Json): [number, Buffer] {
  switch (j.t) {
    case 'null':
      return [NULL, EMPTY]
    case 'true':
      return [TRUE, EMPTY]
    case 'false':
      return [FALSE, EMPTY]
    case 'number':
      return [j.jsonbType ?? (/^-?\d+$/.test(j.raw) ? INT : FLOAT), Buffer.from(j.raw, 'latin1')]
    case 'string': {
      const f = textForm(j)
      return [f.type, Buffer.from(f.payload, 'utf8')]
    }
    case 'array':
      return [ARRAY, Buffer.concat(j.items.map(encodeJsonb))]
    case 'object':
      return [
        OBJECT,
        Buffer.concat(
          j.entries.flatMap(([, raw, v, label]) => [encodeJsonb(label ?? { t: 'string', raw }), encodeJsonb(v)]),
        ),
      ]
  }
}

const EMPTY = Buffer.alloc(0)

/** The JSONB bytes of a document. */
export function encodeJsonb(j: Json): Buffer {
  const [type, payload] = typeAndPayload(j)
  return Buffer.concat([header(type, payload.length, headerBytes(j, payload.length)), payload])
}

const sizes = new WeakMap<Json, number>()

/** The bytes a node takes in its document's JSONB (json_each / json_tree's ids are offsets into it). */
export function jsonbSize(j: Json): number {
  let n = sizes.get(j)
  if (n === undefined) {
    const p = payloadSize(j)
    n = headerBytes(j, p) + p
    sizes.set(j, n)
  }
  return n
}

/** A node's header bytes, as its document's JSONB writes it. */
export function jsonbHeaderSize(j: Json): number {
  return headerBytes(j, payloadSize(j))
}

function payloadSize(j: Json): number {
  switch (j.t) {
    case 'null':
    case 'true':
    case 'false':
      return 0
    case 'number':
      return j.raw.length
    case 'string':
      return Buffer.byteLength(textForm(j).payload, 'utf8')
    case 'array':
      return j.items.reduce((sum, item) => sum + jsonbSize(item), 0)
    case 'object':
      return j.entries.reduce(
        (sum, [, raw, v, label]) => sum + jsonbSize(label ?? { t: 'string', raw }) + jsonbSize(v),
        0,
      )
  }
}

/**
 * The value an edit puts in place of `old`: `v`, its header widened to fill `old`'s bytes when it
 * is 1 to 8 bytes smaller and SQLite's jsonBlobOverwrite can widen it so (a header of 1 byte grows
 * by 1, 2, 4 or 8; of 2 by 1, 3 or 7; of 3 by 2 or 6; of 5 by 4; null, true and false not at all).
 */
const WIDENINGS: Readonly<Record<number, readonly number[]>> = { 1: [1, 2, 4, 8], 2: [1, 3, 7], 3: [2, 6], 5: [4] }

export function overwriteFit(old: Json, v: Json): Json {
  const d = jsonbSize(old) - jsonbSize(v)
  if (d < 1 || d > 8 || v.t === 'null' || v.t === 'true' || v.t === 'false') return v
  const h = jsonbHeaderSize(v)
  if (!(WIDENINGS[h] ?? []).includes(d)) return v
  return { ...v, hdr: h + d } as Json
}

function malformed(): BTreeSqlError {
  return new BTreeSqlError('BTREE_SQL_FUNCTION_ERROR', 'malformed JSON')
}

const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /["\\\u0000-\u001f]/
// eslint-disable-next-line no-control-regex
const JSON_STRING_BODY = /^(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*$/
const utf8 = new TextDecoder('utf-8', { fatal: true })

/** The document a JSONB blob holds, or undefined when the bytes are not JSONB as SQLite writes it. */
export function decodeJsonb(b: Uint8Array): Json | undefined {
  try {
    const [j, end] = read(b, 0, 0)
    return end === b.length ? j : undefined
  } catch (e) {
    if (e === INVALID) return undefined
    throw e
  }
}

/** The document a JSONB blob holds; malformed JSON (SQLite's error) when it is not JSONB. */
export function requireJsonb(b: Uint8Array): Json {
  const j = decodeJsonb(b)
  if (j === undefined) throw malformed()
  return j
}

const INVALID = Symbol('invalid JSONB')

function read(b: Uint8Array, at: number, depth: number): [Json, number] {
  if (depth > 1000 || at >= b.length) throw INVALID
  const type = b[at]! & 0x0f
  const x = b[at]! >> 4
  let size: number
  let bytes: number
  if (x <= 11) {
    size = x
    bytes = 1
  } else {
    bytes = x === 12 ? 2 : x === 13 ? 3 : x === 14 ? 5 : 9
    if (at + bytes > b.length) throw INVALID
    size = 0
    for (let i = 1; i < bytes; i++) size = size * 256 + b[at + i]!
  }
  const start = at + bytes
  const end = start + size
  if (end > b.length) throw INVALID
  const hdr = bytes > minimalHeader(size) ? { hdr: bytes } : {}
  const payload = (): string => {
    try {
      return utf8.decode(b.subarray(start, end))
    } catch {
      throw INVALID
    }
  }
  switch (type) {
    case NULL:
    case TRUE:
    case FALSE:
      if (size !== 0) throw INVALID
      return [{ t: type === NULL ? 'null' : type === TRUE ? 'true' : 'false', ...hdr }, end]
    case INT:
    case FLOAT: {
      const raw = payload()
      if (!JSON_NUMBER.test(raw) || (type === INT && !/^-?\d+$/.test(raw))) throw INVALID
      // A FLOAT whose text reads as an integer stays a FLOAT when written back.
      const jsonbType = type === FLOAT && /^-?\d+$/.test(raw) ? { jsonbType: FLOAT } : {}
      return [{ t: 'number', raw, ...jsonbType, ...hdr }, end]
    }
    case TEXT: {
      const text = payload()
      if (NEEDS_ESCAPE.test(text)) throw INVALID
      return [{ t: 'string', raw: `"${text}"`, jsonb: { type, payload: text }, ...hdr }, end]
    }
    case TEXTJ: {
      const text = payload()
      if (!JSON_STRING_BODY.test(text)) throw INVALID
      return [{ t: 'string', raw: `"${text}"`, jsonb: { type, payload: text }, ...hdr }, end]
    }
    case TEXT5: {
      const text = payload()
      return [{ t: 'string', raw: `"${json5Body(text)}"`, jsonb: { type, payload: text }, ...hdr }, end]
    }
    case TEXTRAW: {
      const text = payload()
      return [{ t: 'string', raw: JSON.stringify(text), jsonb: { type, payload: text }, ...hdr }, end]
    }
    case ARRAY: {
      const items: Json[] = []
      let p = start
      while (p < end) {
        const [item, next] = read(b, p, depth + 1)
        items.push(item)
        p = next
      }
      if (p !== end) throw INVALID
      return [{ t: 'array', items, ...hdr }, end]
    }
    case OBJECT: {
      const entries: [string, string, Json, JsonString?][] = []
      let p = start
      while (p < end) {
        const [label, afterLabel] = read(b, p, depth + 1)
        if (label.t !== 'string' || afterLabel >= end) throw INVALID
        const [value, next] = read(b, afterLabel, depth + 1)
        entries.push([JSON.parse(label.raw) as string, label.raw, value, label])
        p = next
      }
      if (p !== end) throw INVALID
      return [{ t: 'object', entries, ...hdr }, end]
    }
    case INT5:
    case FLOAT5:
    default:
      throw INVALID
  }
}

/**
 * A TEXT5 payload (JSON5 escapes) as the body of a JSON string: JSON's escapes kept as written,
 * JSON5's own made JSON's (`\x41` as \u0041, `\'` as ', `\v` and `\0` as \u escapes, an escaped
 * line break dropped), a bare `"` or control character escaped.
 */
function json5Body(s: string): string {
  let out = ''
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!
    if (c === '"') out += '\\"'
    else if (c < ' ') out += `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`
    else if (c !== '\\') out += c
    else {
      const e = s[++i]
      if (e === undefined) throw INVALID
      if ('"\\/bfnrt'.includes(e)) out += `\\${e}`
      else if (e === 'u') {
        out += `\\u${s.slice(i + 1, i + 5)}`
        i += 4
      } else if (e === 'x') {
        out += `\\u00${s.slice(i + 1, i + 3)}`
        i += 2
      } else if (e === "'") out += "'"
      else if (e === 'v') out += '\\u000b'
      else if (e === '0') out += '\\u0000'
      else if (e === '\r' && s[i + 1] === '\n') i++
      else if (e === '\n' || e === '\r' || e === '\u2028' || e === '\u2029') continue
      else out += e
    }
  }
  if (!JSON_STRING_BODY.test(out)) throw INVALID
  return out
}

/** A string node for a SQL text put into a document as it is (json_set's values, created labels): TEXTRAW. */
export function rawTextNode(text: string): JsonString {
  return { t: 'string', raw: JSON.stringify(text), text }
}

/**
 * The label an edit makes for a path's key: TEXTRAW, or TEXT5 holding the path's own text when
 * that wrote an escape (`$."x\"y"`), as SQLite's edits make them.
 */
export function labelNode(key: string, written: string | undefined): JsonString {
  if (written === undefined) return rawTextNode(key)
  return { t: 'string', raw: JSON.stringify(key), jsonb: { type: TEXT5, payload: written } }
}
