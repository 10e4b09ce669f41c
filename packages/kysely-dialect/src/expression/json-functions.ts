import { BTreeSqlError } from '../errors.js'
import { integerPrefix, numberOf, type SqlValue } from '../encoding/values.js'
import {
  asBlob,
  asText,
  extractOne,
  jsonElement,
  jsonExtract,
  lookup,
  parse,
  parsePath,
  pathText,
  sqlOf,
  type Json,
  type JsonArg,
} from './json.js'
import { jsonEdit, jsonPatch, jsonRemove } from './json-edit.js'
import { decodeJsonb, encodeJsonb } from './jsonb.js'

/**
 * SQLite's scalar JSON functions by name (functions.ts takes them in): the json_ ones, which give
 * JSON text, and their jsonb_ twins (SQLite 3.45+), which give the same document as JSONB.
 */
/** Whether text is RFC 8259 JSON (json_valid's flag 1). */
function isValid(v: SqlValue): boolean {
  if (v instanceof Uint8Array) return false
  try {
    return parse(v) !== null
  } catch {
    return false
  }
}

/**
 * json_valid(X, FLAGS) (SQLite 3.45+): 1 text that is RFC 8259 JSON, 2 JSON5 text, 4 and 8 a blob
 * that is JSONB (read as SQLite writes it, either way). JSON5 is not read here: text that is not
 * RFC 8259 JSON under flag 2 is BTREE_SQL_UNSUPPORTED rather than a guess.
 */
function jsonValid(args: readonly SqlValue[]): SqlValue {
  const x = args[0]!
  let flags = 1
  if (args.length === 2) {
    // sqlite3_value_int64: a real truncated, a text's integer prefix, a blob or null 0.
    const f = args[1]!
    flags =
      typeof f === 'string'
        ? Number(integerPrefix(f))
        : f === null || f instanceof Uint8Array
          ? 0
          : Math.trunc(numberOf(f))
    if (!(flags >= 1 && flags <= 15))
      throw new BTreeSqlError('BTREE_SQL_FUNCTION_ERROR', 'FLAGS parameter to json_valid() must be between 1 and 15')
  }
  if (x === null) return null
  if (x instanceof Uint8Array) return (flags & 12) !== 0 && decodeJsonb(x) !== undefined ? 1 : 0
  if ((flags & 3) === 0) return 0
  if (isValid(x)) return 1
  if ((flags & 2) !== 0)
    throw new BTreeSqlError(
      'BTREE_SQL_UNSUPPORTED',
      'not supported by kysely-btree: json_valid() of JSON5 text (flag 2)',
    )
  return 0
}

/** The jsonb_ twin of a json_ function whose result is JSON text: that document as JSONB. */
function binary(
  call: (args: readonly SqlValue[], json?: readonly JsonArg[]) => SqlValue,
): (args: readonly SqlValue[], json?: readonly JsonArg[]) => SqlValue {
  return (args, json) => {
    const text = call(args, json)
    return text === null ? null : asBlob(parse(text))
  }
}

/**
 * jsonb_extract(X, P...): as json_extract, but an array or object found (and the array of several
 * paths' values) as JSONB.
 */
function jsonbExtract(args: readonly SqlValue[]): SqlValue {
  if (args.length === 2) {
    const j = extractOne(args[0]!, args[1]!)
    if (j === undefined || j === null) return null
    return j.t === 'array' || j.t === 'object' ? encodeJsonb(j) : sqlOf(j)
  }
  const text = jsonExtract(args)
  return text === null ? null : asBlob(parse(text))
}

const jsonArray = (args: readonly SqlValue[], json?: readonly JsonArg[]): SqlValue =>
  `[${args.map((a, i) => jsonElement(a, json?.[i] ?? false)).join(',')}]`

function jsonObject(args: readonly SqlValue[], json?: readonly JsonArg[]): SqlValue {
  if (args.length % 2 !== 0)
    throw new BTreeSqlError('BTREE_SQL_FUNCTION_ERROR', 'json_object() requires an even number of arguments')
  const parts: string[] = []
  for (let i = 0; i < args.length; i += 2) {
    const k = args[i]!
    if (typeof k !== 'string') throw new BTreeSqlError('BTREE_SQL_FUNCTION_ERROR', 'json_object() labels must be TEXT')
    parts.push(`${JSON.stringify(k)}:${jsonElement(args[i + 1]!, json?.[i + 1] ?? false)}`)
  }
  return `{${parts.join(',')}}`
}

type Arity = readonly [number, number]
type DocumentCall = (args: readonly SqlValue[], json?: readonly JsonArg[]) => Json | null

/** `json_<name>` (the document as JSON text) and `jsonb_<name>` (as JSONB) over one edit. */
function twins(
  name: string,
  arity: Arity,
  edit: DocumentCall,
): Record<string, { arity: Arity; call: (args: readonly SqlValue[], json?: readonly JsonArg[]) => SqlValue }> {
  return {
    [`json_${name}`]: { arity, call: (a, j) => asText(edit(a, j)) },
    [`jsonb_${name}`]: { arity, call: (a, j) => asBlob(edit(a, j)) },
  }
}

export const JSON_FUNCTIONS = {
  json_extract: { arity: [2, Number.MAX_SAFE_INTEGER], call: jsonExtract },
  jsonb_extract: { arity: [2, Number.MAX_SAFE_INTEGER], call: jsonbExtract },
  json: { arity: [1, 1], call: ([x]: readonly SqlValue[]) => asText(parse(x!)) },
  jsonb: { arity: [1, 1], call: ([x]: readonly SqlValue[]) => asBlob(parse(x!)) },
  json_valid: { arity: [1, 2], call: jsonValid },
  json_type: {
    arity: [1, 2],
    call: (args: readonly SqlValue[]) => {
      const root = parse(args[0]!)
      if (root === null) return null
      let j: Json | undefined = root
      if (args.length === 2) {
        const path = pathText(args[1]!)
        if (path === null) return null
        j = lookup(root, parsePath(path))
      }
      if (j === undefined) return null
      if (j.t === 'number') return /^-?\d+$/.test(j.raw) ? 'integer' : 'real'
      return j.t === 'string' ? 'text' : j.t
    },
  },
  json_array: { arity: [0, Number.MAX_SAFE_INTEGER], call: jsonArray },
  jsonb_array: { arity: [0, Number.MAX_SAFE_INTEGER], call: binary(jsonArray) },
  json_object: { arity: [0, Number.MAX_SAFE_INTEGER], call: jsonObject },
  jsonb_object: { arity: [0, Number.MAX_SAFE_INTEGER], call: binary(jsonObject) },
  ...twins('set', [1, Number.MAX_SAFE_INTEGER], jsonEdit('set')),
  ...twins('insert', [1, Number.MAX_SAFE_INTEGER], jsonEdit('insert')),
  ...twins('replace', [1, Number.MAX_SAFE_INTEGER], jsonEdit('replace')),
  ...twins('remove', [1, Number.MAX_SAFE_INTEGER], jsonRemove),
  ...twins('patch', [2, 2], jsonPatch),
  json_array_length: {
    arity: [1, 2],
    call: (args: readonly SqlValue[]) => {
      const root = parse(args[0]!)
      if (root === null) return null
      const path = args.length === 2 ? pathText(args[1]!) : '$'
      if (path === null) return null
      const j = lookup(root, parsePath(path))
      return j === undefined ? null : j.t === 'array' ? j.items.length : 0
    },
  },
  json_quote: {
    arity: [1, 1],
    call: ([x]: readonly SqlValue[], json?: readonly JsonArg[]) => jsonElement(x!, json?.[0] ?? false),
  },
} as const
