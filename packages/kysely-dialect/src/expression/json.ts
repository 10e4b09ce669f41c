import { BTreeSqlError } from '../errors.js'
import type { AnyNode } from './nodes.js'
import {
  formatReal,
  integer,
  integerPrefix,
  isInteger,
  numberOf,
  real,
  toText,
  type SqlValue,
} from '../encoding/values.js'
import {
  decodeJsonb,
  encodeJsonb,
  labelNode,
  overwriteFit,
  rawTextNode,
  requireJsonb,
  type JsonbText,
} from './jsonb.js'

/**
 * SQLite's JSON functions over JSON held as text (json1, lang_jsonfunc.html): json_extract, `->`,
 * `->>`, json, json_array, json_object, json_type, json_valid, json_array_length, json_quote,
 * json_set / json_insert / json_replace / json_remove, json_patch, json_group_array / _object. Parsing keeps each number's and
 * string's source text, so that output text holds them exactly as they were written (`1.50` stays
 * `1.50`), as SQLite does.
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

function serialize(j: Json): string {
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

function lookup(root: Json, legs: readonly Leg[]): Json | undefined {
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

/** json_extract(X, P...): one path gives the SQL value, several a JSON array of them. */
export function jsonExtract(args: readonly SqlValue[]): SqlValue {
  const root = parse(args[0]!)
  if (root === null) return null
  if (args.length === 2) {
    const path = pathText(args[1]!)
    if (path === null) return null
    const j = lookup(root, parsePath(path))
    return j === undefined ? null : sqlOf(j)
  }
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
function jsonElement(v: SqlValue, json: JsonArg): string {
  const j = asJson(v, json)
  return j === undefined ? toJsonText(v) : serialize(j)
}

/** The JSON a subtyped text holds (JsonArg), or undefined for a value taken as a SQL value. */
function asJson(v: SqlValue, json: JsonArg): Json | undefined {
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

/** A member with another value, its label as it was. */
function withValue(entry: [string, string, Json, JsonString?], value: Json): [string, string, Json, JsonString?] {
  return entry[3] === undefined ? [entry[0], entry[1], value] : [entry[0], entry[1], value, entry[3]]
}

/** A marker: remove the value at the path (json_remove). */
const REMOVE: unique symbol = Symbol('remove')
type Edit = (current: Json | undefined) => Json | undefined | typeof REMOVE

/**
 * The document with `edit` applied at the path: the value there (undefined when missing) becomes
 * what `edit` returns (undefined: unchanged). With `create`, missing object members on the way
 * are made, and an array index one past the end (`[#]`) appends, as json_set / json_insert do.
 */
function editAt(
  j: Json | undefined,
  legs: readonly Leg[],
  i: number,
  edit: Edit,
  create: boolean,
): Json | undefined | typeof REMOVE {
  if (i === legs.length) return edit(j)
  const leg = legs[i]!
  if (j === undefined) {
    // A missing member becomes an object for a key, an array for `[0]` or `[#]`.
    if (!create) return undefined
    if ('key' in leg) j = { t: 'object', entries: [] }
    else if (leg.index === 0) j = { t: 'array', items: [] }
    else return undefined
  }
  if ('key' in leg) {
    if (j.t !== 'object') return undefined
    const at = j.entries.findIndex(([k]) => k === leg.key)
    const r = editAt(at < 0 ? undefined : j.entries[at]![2], legs, i + 1, edit, create)
    if (r === undefined) return undefined
    const entries = [...j.entries]
    if (r === REMOVE) entries.splice(at, 1)
    // A label the edit makes goes in as it is, as a value does (TEXTRAW in SQLite's JSONB).
    else if (at < 0) entries.push([leg.key, JSON.stringify(leg.key), r, labelNode(leg.key, leg.written)])
    else entries[at] = withValue(entries[at]!, r)
    return { t: 'object', entries }
  }
  if (j.t !== 'array') return undefined
  const at = leg.fromEnd ? j.items.length - leg.index : leg.index
  if (at < 0 || at > j.items.length || (at === j.items.length && !create)) return undefined
  const r = editAt(j.items[at], legs, i + 1, edit, create)
  if (r === undefined) return undefined
  const items = [...j.items]
  if (r === REMOVE) items.splice(at, 1)
  else items[at] = r
  return { t: 'array', items }
}

type EditMode = 'set' | 'insert' | 'replace'

/** json_set / json_insert / json_replace(X, P1, V1, P2, V2, ...): each pair in turn. */
function jsonEdit(mode: EditMode): (args: readonly SqlValue[], json?: readonly JsonArg[]) => Json | null {
  return (args, json) => {
    if (args.length % 2 !== 1)
      throw new BTreeSqlError('BTREE_SQL_FUNCTION_ERROR', `json_${mode}() needs an odd number of arguments`)
    let root = parse(args[0]!)
    if (root === null) return null
    for (let i = 1; i < args.length; i += 2) {
      const path = pathText(args[i]!)
      if (path === null) return null
      const value = args[i + 1]!
      // A SQL text goes in as it is (SQLite's JSONB keeps it as TEXTRAW); JSON text, JSONB and numbers as JSON.
      const v =
        asJson(value, json?.[i + 1] ?? false) ??
        (typeof value === 'string' ? rawTextNode(value) : parse(jsonElement(value, false))!)
      // A value put where one was takes its bytes when a little smaller (jsonb.ts: overwriteFit).
      const edit: Edit = (current) =>
        mode === 'insert'
          ? current === undefined
            ? v
            : undefined
          : current === undefined
            ? mode === 'set'
              ? v
              : undefined
            : overwriteFit(current, v)
      const r = editAt(root, parsePath(path), 0, edit, mode !== 'replace')
      if (r !== undefined && r !== REMOVE) root = r
    }
    return root
  }
}

/** json_remove(X, P...): the document without those parts; removing `$` leaves null. */
function jsonRemove(args: readonly SqlValue[]): Json | null {
  let root: Json | null = parse(args[0]!)
  if (root === null) return null
  for (const p of args.slice(1)) {
    const path = pathText(p)
    if (path === null) return null
    const legs = parsePath(path)
    if (legs.length === 0) return null
    const r = editAt(root, legs, 0, (current) => (current === undefined ? undefined : REMOVE), false)
    if (r !== undefined && r !== REMOVE) root = r
  }
  return root
}

/** json_patch(T, P): RFC 7396 merge patch; a value put where one was takes its bytes when it can (overwriteFit). */
function mergePatch(target: Json, patch: Json): Json {
  if (patch.t !== 'object') return overwriteFit(target, patch)
  const entries = target.t === 'object' ? [...target.entries] : []
  for (const [key, raw, value, label] of patch.entries) {
    const at = entries.findIndex(([k]) => k === key)
    if (value.t === 'null') {
      if (at >= 0) entries.splice(at, 1)
    } else if (at >= 0) entries[at] = withValue(entries[at]!, mergePatch(entries[at]![2], value))
    else {
      const merged = mergePatch({ t: 'null' }, value)
      entries.push(label === undefined ? [key, raw, merged] : [key, raw, merged, label])
    }
  }
  return { t: 'object', entries }
}

/** A function's document as JSON text (the json_ functions) or as JSONB (the jsonb_ ones). */
function asText(j: Json | null): SqlValue {
  return j === null ? null : serialize(j)
}

function asBlob(j: Json | null): SqlValue {
  return j === null ? null : encodeJsonb(j)
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

/** json_patch(T, P) as a document. */
function jsonPatch([t, p]: readonly SqlValue[]): Json | null {
  const target = parse(t!)
  const patch = parse(p!)
  return target === null || patch === null ? null : mergePatch(target, patch)
}

/**
 * jsonb_extract(X, P...): as json_extract, but an array or object found (and the array of several
 * paths' values) as JSONB.
 */
function jsonbExtract(args: readonly SqlValue[]): SqlValue {
  const root = parse(args[0]!)
  if (root === null) return null
  if (args.length === 2) {
    const path = pathText(args[1]!)
    if (path === null) return null
    const j = lookup(root, parsePath(path))
    if (j === undefined) return null
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

const jsonSet = jsonEdit('set')
const jsonInsert = jsonEdit('insert')
const jsonReplace = jsonEdit('replace')

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
  json_set: {
    arity: [1, Number.MAX_SAFE_INTEGER],
    call: (a: readonly SqlValue[], j?: readonly JsonArg[]) => asText(jsonSet(a, j)),
  },
  jsonb_set: {
    arity: [1, Number.MAX_SAFE_INTEGER],
    call: (a: readonly SqlValue[], j?: readonly JsonArg[]) => asBlob(jsonSet(a, j)),
  },
  json_insert: {
    arity: [1, Number.MAX_SAFE_INTEGER],
    call: (a: readonly SqlValue[], j?: readonly JsonArg[]) => asText(jsonInsert(a, j)),
  },
  jsonb_insert: {
    arity: [1, Number.MAX_SAFE_INTEGER],
    call: (a: readonly SqlValue[], j?: readonly JsonArg[]) => asBlob(jsonInsert(a, j)),
  },
  json_replace: {
    arity: [1, Number.MAX_SAFE_INTEGER],
    call: (a: readonly SqlValue[], j?: readonly JsonArg[]) => asText(jsonReplace(a, j)),
  },
  jsonb_replace: {
    arity: [1, Number.MAX_SAFE_INTEGER],
    call: (a: readonly SqlValue[], j?: readonly JsonArg[]) => asBlob(jsonReplace(a, j)),
  },
  json_remove: { arity: [1, Number.MAX_SAFE_INTEGER], call: (a: readonly SqlValue[]) => asText(jsonRemove(a)) },
  jsonb_remove: { arity: [1, Number.MAX_SAFE_INTEGER], call: (a: readonly SqlValue[]) => asBlob(jsonRemove(a)) },
  json_patch: { arity: [2, 2], call: (a: readonly SqlValue[]) => asText(jsonPatch(a)) },
  jsonb_patch: { arity: [2, 2], call: (a: readonly SqlValue[]) => asBlob(jsonPatch(a)) },
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

/** The path text of Kysely's JSONPathNode (`eb.ref('c', '->>$').key('a').at(0)` is `$.a[0]`). */
export function jsonPathText(legs: readonly { type: string; value: string | number }[]): string {
  let path = '$'
  for (const leg of legs) path += leg.type === 'ArrayLocation' ? `[${String(leg.value)}]` : `."${String(leg.value)}"`
  return path
}
