import { BTreeSqlError } from '../errors.js'
import type { AnyNode } from './nodes.js'
import type { Expr } from './expression.js'
import type { ColumnDef } from '../catalog/catalog.js'
import { formatReal, integer, isInteger, numberOf, real, toText, type SqlValue } from '../encoding/values.js'
import { decodeJsonb, encodeJsonb, requireJsonb, type JsonbText } from './jsonb.js'

/**
 * JSON documents as SQLite's JSON functions (json1, lang_jsonfunc.html) read and write them: text
 * parsed, a blob read as JSONB (jsonb.ts), paths, json_extract and `->` / `->>`, the JSON subtype
 * of arguments, and json_group_array / _object. The other functions are in json-functions.ts, the
 * edits in json-edit.ts. Parsing keeps each number's and string's source text, so that output
 * text holds them exactly as they were written (`1.50` stays `1.50`), as SQLite does.
 */
export type Json = (
  | { readonly t: 'null' | 'true' | 'false' }
  /** `jsonbType`: FLOAT for a JSONB FLOAT whose text reads as an integer (written back so). */
  | { readonly t: 'number'; readonly raw: string; readonly jsonbType?: number }
  | JsonString
  | { readonly t: 'array'; readonly items: Json[] }
  /** Members: key, the label's raw JSON text, value, and the label's node when it has a JSONB form of its own. */
  | { readonly t: 'object'; readonly entries: [string, string, Json, JsonString?][] }
) & {
  /** The header bytes of the node's JSONB when larger than needed (read from a blob, or widened by an edit: jsonb.ts). */
  readonly hdr?: number
}

/**
 * A string: `raw` is its JSON text, quotes and escapes as written. `text`: a SQL text put in as it
 * is (a json_set value), which SQLite's JSONB keeps unescaped (TEXTRAW). `jsonb`: its JSONB type
 * and payload exactly, for one read from a blob or made by an edit (jsonb.ts).
 */
export type JsonString = {
  readonly t: 'string'
  readonly raw: string
  readonly text?: string
  readonly jsonb?: JsonbText
  readonly hdr?: number
}

function malformed(): BTreeSqlError {
  return new BTreeSqlError('BTREE_SQL_FUNCTION_ERROR', 'malformed JSON')
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y
// JSON strings exclude raw control characters (U+0000 to U+001F), as RFC 8259 does.
// eslint-disable-next-line no-control-regex
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y

class Parser {
  at = 0
  constructor(readonly s: string) {}

  skip(): void {
    while (this.at < this.s.length && ' \t\n\r'.includes(this.s[this.at]!)) this.at++
  }

  value(depth: number): Json {
    if (depth > 1000) throw malformed()
    this.skip()
    const c = this.s[this.at]
    if (c === '{') {
      this.at++
      const entries: [string, string, Json][] = []
      this.skip()
      if (this.s[this.at] === '}') {
        this.at++
        return { t: 'object', entries }
      }
      for (;;) {
        this.skip()
        const raw = this.match(STRING)
        this.skip()
        if (this.s[this.at++] !== ':') throw malformed()
        entries.push([JSON.parse(raw) as string, raw, this.value(depth + 1)])
        this.skip()
        const sep = this.s[this.at++]
        if (sep === '}') return { t: 'object', entries }
        if (sep !== ',') throw malformed()
      }
    }
    if (c === '[') {
      this.at++
      const items: Json[] = []
      this.skip()
      if (this.s[this.at] === ']') {
        this.at++
        return { t: 'array', items }
      }
      for (;;) {
        items.push(this.value(depth + 1))
        this.skip()
        const sep = this.s[this.at++]
        if (sep === ']') return { t: 'array', items }
        if (sep !== ',') throw malformed()
      }
    }
    if (c === '"') return { t: 'string', raw: this.match(STRING) }
    for (const word of ['null', 'true', 'false'] as const) {
      if (this.s.startsWith(word, this.at)) {
        this.at += word.length
        return { t: word }
      }
    }
    return { t: 'number', raw: this.match(NUMBER) }
  }

  match(re: RegExp): string {
    re.lastIndex = this.at
    const m = re.exec(this.s)
    if (m === null) throw malformed()
    this.at += m[0].length
    return m[0]
  }
}

/**
 * The JSON a value holds: text parsed; a number read as its text; a blob read as JSONB (jsonb.ts;
 * malformed JSON when it is none); null for SQL null.
 */
export function parse(v: SqlValue): Json | null {
  if (v === null) return null
  if (v instanceof Uint8Array) return requireJsonb(v)
  const p = new Parser(toText(v)!)
  const j = p.value(0)
  p.skip()
  if (p.at !== p.s.length) throw malformed()
  return j
}

export function serialize(j: Json): string {
  switch (j.t) {
    case 'null':
    case 'true':
    case 'false':
      return j.t
    case 'number':
    case 'string':
      return j.raw
    case 'array':
      return `[${j.items.map(serialize).join(',')}]`
    case 'object':
      return `{${j.entries.map(([, raw, v]) => `${raw}:${serialize(v)}`).join(',')}}`
  }
}

/** A JSON value as a SQL value (json_extract, `->>`): strings unquoted, numbers as numbers, containers as text. */
export function sqlOf(j: Json): SqlValue {
  switch (j.t) {
    case 'null':
      return null
    case 'true':
      return 1
    case 'false':
      return 0
    case 'number': {
      if (/^-?\d+$/.test(j.raw)) {
        const n = BigInt(j.raw)
        if (n >= -(2n ** 63n) && n < 2n ** 63n) return integer(n)
      }
      return real(Number(j.raw))
    }
    case 'string':
      return JSON.parse(j.raw) as string
    default:
      return serialize(j)
  }
}

/** A path's leg: an object key (`written`: a quoted key's text when it holds an escape), or an array index. */
export type Leg = { key: string; written?: string } | { index: number; fromEnd: boolean }

function badPath(path: string): BTreeSqlError {
  return new BTreeSqlError('BTREE_SQL_FUNCTION_ERROR', `bad JSON path: '${path}'`)
}

/** A path: `$`, then `.key`, `."key"` (JSON escapes in it read as such), `[N]` or `[#-N]` legs. */
export function parsePath(path: string): Leg[] {
  if (path[0] !== '$') throw badPath(path)
  const legs: Leg[] = []
  let i = 1
  while (i < path.length) {
    if (path[i] === '.') {
      i++
      if (path[i] === '"') {
        let close = i + 1
        while (close < path.length && path[close] !== '"') close += path[close] === '\\' ? 2 : 1
        if (close >= path.length) throw badPath(path)
        const written = path.slice(i + 1, close)
        if (!written.includes('\\')) legs.push({ key: written })
        else {
          let key: string
          try {
            key = JSON.parse(`"${written}"`) as string
          } catch {
            throw badPath(path)
          }
          legs.push({ key, written })
        }
        i = close + 1
      } else {
        let j = i
        while (j < path.length && path[j] !== '.' && path[j] !== '[') j++
        if (j === i) throw badPath(path)
        legs.push({ key: path.slice(i, j) })
        i = j
      }
    } else if (path[i] === '[') {
      const m = /^\[(#-)?(\d+)\]|^\[(#)\]/.exec(path.slice(i))
      if (m === null) throw badPath(path)
      legs.push(m[3] !== undefined ? { index: 0, fromEnd: true } : { index: Number(m[2]), fromEnd: m[1] !== undefined })
      i += m[0].length
    } else {
      throw badPath(path)
    }
  }
  return legs
}

export function lookup(root: Json, legs: readonly Leg[]): Json | undefined {
  let j: Json | undefined = root
  for (const leg of legs) {
    if (j === undefined) return undefined
    if ('key' in leg) {
      if (j.t !== 'object') return undefined
      j = j.entries.find(([k]) => k === leg.key)?.[2]
    } else {
      if (j.t !== 'array') return undefined
      const i = leg.fromEnd ? j.items.length - leg.index : leg.index
      j = i >= 0 ? j.items[i] : undefined
    }
  }
  return j
}

export function pathText(p: SqlValue): string | null {
  if (p === null) return null
  return toText(p)
}

/**
 * The part of a document one path names (json_extract's and jsonb_extract's one-path form):
 * undefined when it is missing, null when the document or the path is null.
 */
export function extractOne(doc: SqlValue, p: SqlValue): Json | null | undefined {
  const root = parse(doc)
  if (root === null) return null
  const path = pathText(p)
  return path === null ? null : lookup(root, parsePath(path))
}

/** json_extract(X, P...): one path gives the SQL value, several a JSON array of them. */
export function jsonExtract(args: readonly SqlValue[]): SqlValue {
  if (args.length === 2) {
    const j = extractOne(args[0]!, args[1]!)
    return j === undefined || j === null ? null : sqlOf(j)
  }
  const root = parse(args[0]!)
  if (root === null) return null
  const out: string[] = []
  for (const p of args.slice(1)) {
    const path = pathText(p)
    if (path === null) return null
    out.push(serialize(lookup(root, parsePath(path)) ?? { t: 'null' }))
  }
  return `[${out.join(',')}]`
}

/** The path the right side of `->` / `->>` names: a path, an array index, or an object label. */
function arrowPath(right: SqlValue): Leg[] | null {
  if (right === null) return null
  if (isInteger(right)) {
    const n = numberOf(right)
    return [n < 0 ? { index: -n, fromEnd: true } : { index: n, fromEnd: false }]
  }
  const text = toText(right)!
  if (text.startsWith('$')) return parsePath(text)
  return [{ key: text }]
}

/** `X -> P` (JSON text of the part, strings quoted) and `X ->> P` (its SQL value). */
export function jsonArrow(op: '->' | '->>', left: SqlValue, right: SqlValue): SqlValue {
  const root = parse(left)
  if (root === null) return null
  const legs = arrowPath(right)
  if (legs === null) return null
  const j = lookup(root, legs)
  if (j === undefined) return null
  return op === '->' ? serialize(j) : sqlOf(j)
}

/** A SQL value as JSON (json_array, json_object): text as a JSON string, a blob as the JSONB it holds (else refused). */
function toJsonText(v: SqlValue): string {
  if (v === null) return 'null'
  if (v instanceof Uint8Array) {
    const j = decodeJsonb(v)
    if (j === undefined) throw new BTreeSqlError('BTREE_SQL_FUNCTION_ERROR', 'JSON cannot hold BLOB values')
    return serialize(j)
  }
  if (typeof v === 'string') return JSON.stringify(v)
  if (isInteger(v)) return String(v)
  const n = numberOf(v)
  if (!Number.isFinite(n)) return Number.isNaN(n) ? 'null' : n > 0 ? '9.0e+999' : '-9.0e+999'
  return formatReal(n)
}

/**
 * A value as an element of a JSON array or object. Text that came straight from a JSON function
 * (`json_object(...)`, `x -> 'a'`: SQLite's JSON subtype) is embedded as JSON, other text quoted.
 */
export function jsonElement(v: SqlValue, json: JsonArg): string {
  const j = asJson(v, json)
  return j === undefined ? toJsonText(v) : serialize(j)
}

/** The JSON a subtyped text holds (JsonArg), or undefined for a value taken as a SQL value. */
export function asJson(v: SqlValue, json: JsonArg): Json | undefined {
  if (json === false || typeof v !== 'string') return undefined
  if (json === 'container') {
    if (!/^[[{]/.test(v)) return undefined
    try {
      return parse(v)!
    } catch {
      return undefined
    }
  }
  return parse(v) ?? undefined
}

const JSON_RESULTS = new Set([
  'json',
  'json_array',
  'json_object',
  'json_group_array',
  'json_group_object',
  'json_set',
  'json_insert',
  'json_replace',
  'json_remove',
  'json_patch',
  'json_quote',
])

/**
 * Whether an argument gives JSON-subtyped text (true), or does when its value is an array or an
 * object (`container`: json_extract of one path, which SQLite subtypes only then; here told from
 * the text, so that an extracted string whose text is itself an array or object reads as JSON).
 */
export type JsonArg = boolean | 'container'

/**
 * The `value` columns of json_each and json_tree sources (executor/select-general.ts marks them):
 * SQLite gives an array or object there the JSON subtype, which json_array and the like embed.
 */
const JSON_VALUE_COLUMNS = new WeakSet<ColumnDef>()

export function markJsonValueColumn(column: ColumnDef | undefined): void {
  if (column !== undefined) JSON_VALUE_COLUMNS.add(column)
}

/**
 * An argument's JsonArg: its node's (isJsonNode), else `container` for a json_each / json_tree
 * `value` column read directly (its compiled `expr`).
 */
export function jsonArgOf(node: AnyNode, expr: Expr | undefined): JsonArg {
  const j = isJsonNode(node)
  if (j !== false) return j
  return expr?.column !== undefined && JSON_VALUE_COLUMNS.has(expr.column.column) ? 'container' : false
}

/**
 * Whether an argument's node gives JSON-subtyped text, decided from the tree as SQLite decides it
 * from the value's subtype: a call of a JSON function or a `->`. (Subtypes do not survive a
 * subquery's columns in SQLite either.)
 */
export function isJsonNode(node: AnyNode): JsonArg {
  switch (node.kind) {
    case 'FunctionNode':
    case 'AggregateFunctionNode': {
      const name = String(node.func).toLowerCase()
      if (name === 'json_extract') return ((node.arguments as unknown[] | undefined)?.length ?? 0) > 2 || 'container'
      return JSON_RESULTS.has(name)
    }
    case 'BinaryOperationNode':
      return (node.operator as AnyNode).operator === '->'
    case 'JSONReferenceNode': {
      const t = node.traversal as AnyNode
      const op = (t.kind === 'JSONPathNode' ? (t.inOperator as AnyNode | undefined) : (t.operator as AnyNode))?.operator
      return op === undefined || String(op).replace('$', '') === '->'
    }
    case 'ParensNode':
    case 'AliasNode':
      return isJsonNode(node.node as AnyNode)
    default:
      return false
  }
}

/** A function's document as JSON text (the json_ functions) or as JSONB (the jsonb_ ones). */
export function asText(j: Json | null): SqlValue {
  return j === null ? null : serialize(j)
}

export function asBlob(j: Json | null): SqlValue {
  return j === null ? null : encodeJsonb(j)
}

/** json_group_array(x): the group's values as a JSON array ('[]' for none); as JSONB for jsonb_group_array. */
export class JsonArrayAccumulator {
  readonly #items: string[] = []
  constructor(
    readonly json: JsonArg,
    readonly binary = false,
  ) {}
  step([v]: readonly SqlValue[]): void {
    this.#items.push(jsonElement(v ?? null, this.json))
  }
  final(): SqlValue {
    const text = `[${this.#items.join(',')}]`
    return this.binary ? asBlob(parse(text)) : text
  }
}

/** json_group_object(label, value): the group's pairs as a JSON object ('{}' for none); as JSONB for jsonb_group_object. */
export class JsonObjectAccumulator {
  readonly #parts: string[] = []
  constructor(
    readonly json: JsonArg,
    readonly binary = false,
  ) {}
  step([k, v]: readonly SqlValue[]): void {
    if (k === null || k === undefined) return
    this.#parts.push(`${JSON.stringify(toText(k))}:${jsonElement(v ?? null, this.json)}`)
  }
  final(): SqlValue {
    const text = `{${this.#parts.join(',')}}`
    return this.binary ? asBlob(parse(text)) : text
  }
}

/** The path text of Kysely's JSONPathNode (`eb.ref('c', '->>$').key('a').at(0)` is `$.a[0]`). */
export function jsonPathText(legs: readonly { type: string; value: string | number }[]): string {
  let path = '$'
  for (const leg of legs) path += leg.type === 'ArrayLocation' ? `[${String(leg.value)}]` : `."${String(leg.value)}"`
  return path
}
