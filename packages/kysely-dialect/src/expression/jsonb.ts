import { BTreeSqlError } from '../errors.js'
import type { Json } from './json.js'

/**
 * SQLite's JSONB (jsonb.html, 3.45+): JSON as a blob of nodes, each a header (its type in the low
 * four bits; its payload's size in the high four when up to 11, else 12, 13 or 14 there and the
 * size in the next 1, 2 or 4 bytes, big-endian) then the payload: a number's or a string's text,
 * or a container's children (an object's labels before their values). SQLite writes the smallest
 * header, a number as it was written, a string as it was written between its quotes (TEXT, or
 * TEXTJ when it holds an escape), and a text value that a json_set-like edit or a created label
 * puts in as it is (TEXTRAW: escaped when rendered). This module writes those bytes, and reads
 * back the ones SQLite writes; the JSON5 kinds (INT5, FLOAT5, TEXT5) are read as malformed.
 */
const NULL = 0
const TRUE = 1
const FALSE = 2
const INT = 3
const INT5 = 4
const FLOAT = 5
const FLOAT5 = 6
const TEXT = 7
const TEXTJ = 8
const TEXT5 = 9
const TEXTRAW = 10
const ARRAY = 11
const OBJECT = 12

/** A string node's raw JSON text, and for TEXTRAW its text as given (json.ts: `text`). */
type JsonString = Extract<Json, { t: 'string' }>

function header(type: number, size: number): Buffer {
  if (size <= 11) return Buffer.from([(size << 4) | type])
  if (size <= 0xff) return Buffer.from([0xc0 | type, size])
  if (size <= 0xffff) return Buffer.from([0xd0 | type, size >> 8, size & 0xff])
  const b = Buffer.alloc(5)
  b[0] = 0xe0 | type
  b.writeUInt32BE(size, 1)
  return b
}

function node(type: number, payload: Buffer): Buffer {
  return Buffer.concat([header(type, payload.length), payload])
}

/** A string's node: TEXTRAW for a text put in as it is, else its source text between the quotes. */
function stringNode(raw: string, text: string | undefined): Buffer {
  if (text !== undefined) return node(TEXTRAW, Buffer.from(text, 'utf8'))
  const inner = raw.slice(1, -1)
  return node(inner.includes('\\') ? TEXTJ : TEXT, Buffer.from(inner, 'utf8'))
}

/** The JSONB bytes of a document. */
export function encodeJsonb(j: Json): Buffer {
  switch (j.t) {
    case 'null':
      return Buffer.from([NULL])
    case 'true':
      return Buffer.from([TRUE])
    case 'false':
      return Buffer.from([FALSE])
    case 'number':
      return node(/^-?\d+$/.test(j.raw) ? INT : FLOAT, Buffer.from(j.raw, 'latin1'))
    case 'string':
      return stringNode(j.raw, j.text)
    case 'array':
      return node(ARRAY, Buffer.concat(j.items.map(encodeJsonb)))
    case 'object':
      return node(
        OBJECT,
        Buffer.concat(j.entries.flatMap(([, raw, v, text]) => [stringNode(raw, text), encodeJsonb(v)])),
      )
  }
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
  let start: number
  if (x <= 11) {
    size = x
    start = at + 1
  } else if (x === 12) {
    size = byteAt(b, at + 1)
    start = at + 2
  } else if (x === 13) {
    size = (byteAt(b, at + 1) << 8) | byteAt(b, at + 2)
    start = at + 3
  } else if (x === 14) {
    if (at + 5 > b.length) throw INVALID
    size = Buffer.from(b.buffer, b.byteOffset, b.byteLength).readUInt32BE(at + 1)
    start = at + 5
  } else throw INVALID
  const end = start + size
  if (end > b.length) throw INVALID
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
      return [{ t: type === NULL ? 'null' : type === TRUE ? 'true' : 'false' }, end]
    case INT:
    case FLOAT: {
      const raw = payload()
      if (!JSON_NUMBER.test(raw) || (type === INT && !/^-?\d+$/.test(raw))) throw INVALID
      return [{ t: 'number', raw }, end]
    }
    case TEXT: {
      const text = payload()
      if (NEEDS_ESCAPE.test(text)) throw INVALID
      return [{ t: 'string', raw: `"${text}"` }, end]
    }
    case TEXTJ: {
      const text = payload()
      if (!JSON_STRING_BODY.test(text)) throw INVALID
      return [{ t: 'string', raw: `"${text}"` }, end]
    }
    case TEXTRAW: {
      const text = payload()
      return [{ t: 'string', raw: JSON.stringify(text), text }, end]
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
      return [{ t: 'array', items }, end]
    }
    case OBJECT: {
      const entries: [string, string, Json, string?][] = []
      let p = start
      while (p < end) {
        const [label, afterLabel] = read(b, p, depth + 1)
        if (label.t !== 'string' || afterLabel >= end) throw INVALID
        const [value, next] = read(b, afterLabel, depth + 1)
        const key = label.text ?? (JSON.parse(label.raw) as string)
        entries.push(label.text === undefined ? [key, label.raw, value] : [key, label.raw, value, label.text])
        p = next
      }
      if (p !== end) throw INVALID
      return [{ t: 'object', entries }, end]
    }
    case INT5:
    case FLOAT5:
    case TEXT5:
    default:
      throw INVALID
  }
}

function byteAt(b: Uint8Array, i: number): number {
  if (i >= b.length) throw INVALID
  return b[i]!
}

/** A string node for a SQL text put into a document as it is (json_set's values, created labels): TEXTRAW. */
export function rawTextNode(text: string): JsonString {
  return { t: 'string', raw: JSON.stringify(text), text }
}
