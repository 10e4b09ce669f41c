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

/**
 * SQLite's JSON functions over JSON held as text (json1, lang_jsonfunc.html): json_extract, `->`,
 * `->>`, json, json_array, json_object, json_type, json_valid, json_array_length, json_quote,
 * json_set / json_insert / json_replace / json_remove, json_patch, json_group_array / _object. Parsing keeps each number's and
 * string's source text, so that output text holds them exactly as they were written (`1.50` stays
 * `1.50`), as SQLite does.
 */
type Json =
  | { readonly t: 'null' | 'true' | 'false' }
  | { readonly t: 'number'; readonly raw: string }
  | { readonly t: 'string'; readonly raw: string }
  | { readonly t: 'array'; readonly items: Json[] }
  | { readonly t: 'object'; readonly entries: [string, string, Json][] }

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

/** The JSON a value holds: text parsed; a number read as its text; null for SQL null. */
function parse(v: SqlValue): Json | null {
  if (v === null) return null
  if (v instanceof Uint8Array) throw malformed()
  const p = new Parser(toText(v)!)
  const j = p.value(0)
  p.skip()
  if (p.at !== p.s.length) throw malformed()
  return j
}

function isValid(v: SqlValue): boolean {
  try {
    return parse(v) !== null
  } catch {
    return false
  }
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
function sqlOf(j: Json): SqlValue {
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

type Leg = { key: string } | { index: number; fromEnd: boolean }

function badPath(path: string): BTreeSqlError {
  return new BTreeSqlError('BTREE_SQL_FUNCTION_ERROR', `bad JSON path: '${path}'`)
}

/** A path: `$`, then `.key`, `."key"`, `[N]` or `[#-N]` legs. */
function parsePath(path: string): Leg[] {
  if (path[0] !== '$') throw badPath(path)
  const legs: Leg[] = []
  let i = 1
  while (i < path.length) {
    if (path[i] === '.') {
      i++
      if (path[i] === '"') {
        const close = path.indexOf('"', i + 1)
        if (close < 0) throw badPath(path)
        legs.push({ key: path.slice(i + 1, close) })
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

function pathText(p: SqlValue): string | null {
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

/** A SQL value as JSON (json_array, json_object): text as a JSON string, blobs rejected. */
function toJsonText(v: SqlValue): string {
  if (v === null) return 'null'
  if (v instanceof Uint8Array) throw new BTreeSqlError('BTREE_SQL_FUNCTION_ERROR', 'JSON cannot hold BLOB values')
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
function jsonElement(v: SqlValue, json: boolean): string {
  if (json && typeof v === 'string') {
    const j = parse(v)
    return j === null ? 'null' : serialize(j)
  }
  return toJsonText(v)
}

const JSON_RESULTS = new Set(['json', 'json_array', 'json_object', 'json_group_array', 'json_group_object'])

/**
 * Whether an argument's node gives JSON-subtyped text, decided from the tree as SQLite decides it
 * from the value's subtype: a call of a JSON function or a `->`. (Subtypes do not survive a
 * subquery's columns in SQLite either.)
 */
export function isJsonNode(node: AnyNode): boolean {
  switch (node.kind) {
    case 'FunctionNode':
    case 'AggregateFunctionNode':
      return JSON_RESULTS.has(String(node.func).toLowerCase())
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

/** json_group_array(x): the group's values as a JSON array ('[]' for none). */
export class JsonArrayAccumulator {
  readonly #items: string[] = []
  constructor(readonly json: boolean) {}
  step([v]: readonly SqlValue[]): void {
    this.#items.push(jsonElement(v ?? null, this.json))
  }
  final(): SqlValue {
    return `[${this.#items.join(',')}]`
  }
}

/** json_group_object(label, value): the group's pairs as a JSON object ('{}' for none). */
export class JsonObjectAccumulator {
  readonly #parts: string[] = []
  constructor(readonly json: boolean) {}
  step([k, v]: readonly SqlValue[]): void {
    if (k === null || k === undefined) return
    this.#parts.push(`${JSON.stringify(toText(k))}:${jsonElement(v ?? null, this.json)}`)
  }
  final(): SqlValue {
    return `{${this.#parts.join(',')}}`
  }
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
    else if (at < 0) entries.push([leg.key, JSON.stringify(leg.key), r])
    else entries[at] = [leg.key, entries[at]![1], r]
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
function jsonEdit(mode: EditMode): (args: readonly SqlValue[], json?: readonly boolean[]) => SqlValue {
  return (args, json) => {
    if (args.length % 2 !== 1)
      throw new BTreeSqlError('BTREE_SQL_FUNCTION_ERROR', `json_${mode}() needs an odd number of arguments`)
    let root = parse(args[0]!)
    if (root === null) return null
    for (let i = 1; i < args.length; i += 2) {
      const path = pathText(args[i]!)
      if (path === null) return null
      const v = parse(jsonElement(args[i + 1]!, json?.[i + 1] === true))!
      const edit: Edit = (current) =>
        mode === 'set'
          ? v
          : mode === 'insert'
            ? current === undefined
              ? v
              : undefined
            : current === undefined
              ? undefined
              : v
      const r = editAt(root, parsePath(path), 0, edit, mode !== 'replace')
      if (r !== undefined && r !== REMOVE) root = r
    }
    return serialize(root)
  }
}

/** json_remove(X, P...): the document without those parts; removing `$` leaves null. */
function jsonRemove(args: readonly SqlValue[]): SqlValue {
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
  return serialize(root)
}

/** json_patch(T, P): RFC 7396 merge patch. */
function mergePatch(target: Json, patch: Json): Json {
  if (patch.t !== 'object') return patch
  const entries = target.t === 'object' ? [...target.entries] : []
  for (const [key, raw, value] of patch.entries) {
    const at = entries.findIndex(([k]) => k === key)
    if (value.t === 'null') {
      if (at >= 0) entries.splice(at, 1)
    } else if (at >= 0) entries[at] = [key, entries[at]![1], mergePatch(entries[at]![2], value)]
    else entries.push([key, raw, mergePatch({ t: 'null' }, value)])
  }
  return { t: 'object', entries }
}

export const JSON_FUNCTIONS = {
  json_extract: { arity: [2, Number.MAX_SAFE_INTEGER], call: jsonExtract },
  json: {
    arity: [1, 1],
    call: ([x]: readonly SqlValue[]) => {
      const j = parse(x!)
      return j === null ? null : serialize(j)
    },
  },
  json_valid: {
    arity: [1, 1],
    call: ([x]: readonly SqlValue[]) => (x === null ? null : isValid(x!) ? 1 : 0),
  },
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
  json_array: {
    arity: [0, Number.MAX_SAFE_INTEGER],
    call: (args: readonly SqlValue[], json?: readonly boolean[]) =>
      `[${args.map((a, i) => jsonElement(a, json?.[i] === true)).join(',')}]`,
  },
  json_object: {
    arity: [0, Number.MAX_SAFE_INTEGER],
    call: (args: readonly SqlValue[], json?: readonly boolean[]) => {
      if (args.length % 2 !== 0)
        throw new BTreeSqlError('BTREE_SQL_FUNCTION_ERROR', 'json_object() requires an even number of arguments')
      const parts: string[] = []
      for (let i = 0; i < args.length; i += 2) {
        const k = args[i]!
        if (typeof k !== 'string')
          throw new BTreeSqlError('BTREE_SQL_FUNCTION_ERROR', 'json_object() labels must be TEXT')
        parts.push(`${JSON.stringify(k)}:${jsonElement(args[i + 1]!, json?.[i + 1] === true)}`)
      }
      return `{${parts.join(',')}}`
    },
  },
  json_set: { arity: [1, Number.MAX_SAFE_INTEGER], call: jsonEdit('set') },
  json_insert: { arity: [1, Number.MAX_SAFE_INTEGER], call: jsonEdit('insert') },
  json_replace: { arity: [1, Number.MAX_SAFE_INTEGER], call: jsonEdit('replace') },
  json_remove: { arity: [1, Number.MAX_SAFE_INTEGER], call: jsonRemove },
  json_patch: {
    arity: [2, 2],
    call: ([t, p]: readonly SqlValue[]) => {
      const target = parse(t!)
      const patch = parse(p!)
      return target === null || patch === null ? null : serialize(mergePatch(target, patch))
    },
  },
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
    call: ([x]: readonly SqlValue[], json?: readonly boolean[]) => jsonElement(x!, json?.[0] === true),
  },
} as const

/** json_type's name of a JSON value. */
function typeName(j: Json): string {
  if (j.t === 'number') return /^-?\d+$/.test(j.raw) ? 'integer' : 'real'
  return j.t === 'string' ? 'text' : j.t
}

/** The columns of json_each's and json_tree's rows, in order (SQLite's, without the hidden `json` and `root`). */
export const JSON_EACH_COLUMNS = ['key', 'value', 'type', 'atom', 'id', 'parent', 'fullkey', 'path'] as const

/*
 * SQLite (3.45+) turns JSON text into JSONB before json_each / json_tree walk it, and their `id` and
 * `parent` are byte offsets into that JSONB: an array element's or a root's offset is its value's,
 * an object member's is its label's. The JSONB of parsed text is fixed by the parse tree (each
 * node a minimal header, then its payload: a number's or string's source text, a container's
 * children, each member's label before its value; whitespace dropped), so the offsets are computed
 * here without building it.
 */

/** The bytes of a JSONB header before a payload of `n` bytes (SQLite writes the smallest). */
function headerSize(n: number): number {
  return n <= 11 ? 1 : n <= 0xff ? 2 : n <= 0xffff ? 3 : 5
}

/** The bytes of a string's payload: its source text between the quotes, escapes kept, as UTF-8. */
function stringPayload(raw: string): number {
  return Buffer.byteLength(raw, 'utf8') - 2
}

/** Payload sizes of a document's nodes, each computed once. */
class JsonbSizes {
  readonly #payloads = new Map<Json, number>()

  payload(j: Json): number {
    let n = this.#payloads.get(j)
    if (n !== undefined) return n
    switch (j.t) {
      case 'null':
      case 'true':
      case 'false':
        n = 0
        break
      case 'number':
        n = j.raw.length
        break
      case 'string':
        n = stringPayload(j.raw)
        break
      case 'array':
        n = j.items.reduce((sum, item) => sum + this.size(item), 0)
        break
      case 'object':
        n = j.entries.reduce((sum, [, raw, v]) => sum + this.labelSize(raw) + this.size(v), 0)
        break
    }
    this.#payloads.set(j, n)
    return n
  }

  size(j: Json): number {
    const n = this.payload(j)
    return headerSize(n) + n
  }

  labelSize(raw: string): number {
    const n = stringPayload(raw)
    return headerSize(n) + n
  }
}

/** An element as json_each / json_tree walk it: its key, value, id and where its value starts. */
interface Element {
  readonly key: SqlValue
  readonly j: Json
  readonly id: number
  readonly valueAt: number
  /** Its leg in a fullkey: `[i]`, `.name`, or `."label"` (the label's source text). */
  readonly leg: string
}

/** The elements of an array or the members of an object, in document order; none for others. */
function childrenOf(parent: Element, sizes: JsonbSizes): Element[] {
  const j = parent.j
  let at = parent.valueAt + headerSize(sizes.payload(j))
  const out: Element[] = []
  if (j.t === 'array') {
    j.items.forEach((item, i) => {
      out.push({ key: i, j: item, id: at, valueAt: at, leg: `[${i}]` })
      at += sizes.size(item)
    })
  } else if (j.t === 'object') {
    for (const [key, raw, v] of j.entries) {
      const valueAt = at + sizes.labelSize(raw)
      // SQLite quotes a label unless it is an ASCII letter then ASCII letters and digits.
      const leg = /^"[A-Za-z][A-Za-z0-9]*"$/.test(raw) ? `.${raw.slice(1, -1)}` : `.${raw}`
      out.push({ key, j: v, id: at, valueAt, leg })
      at = valueAt + sizes.size(v)
    }
  }
  return out
}

/** The element a path's legs find (the first member of a repeated label), as `lookup` finds it. */
function locate(root: Json, legs: readonly Leg[], sizes: JsonbSizes): Element | undefined {
  let el: Element | undefined = { key: null, j: root, id: 0, valueAt: 0, leg: '' }
  for (const leg of legs) {
    if (el === undefined) return undefined
    const children = childrenOf(el, sizes)
    if ('key' in leg) el = el.j.t === 'object' ? children.find((c) => c.key === leg.key) : undefined
    else if (el.j.t !== 'array') return undefined
    else {
      const i = leg.fromEnd ? children.length - leg.index : leg.index
      el = i >= 0 ? children[i] : undefined
    }
  }
  return el
}

/** The parsed document, its sizes, the path text and the element at it; undefined: no rows. */
function walkStart(
  x: SqlValue,
  p: SqlValue | undefined,
): { root: Json; sizes: JsonbSizes; path: string; at: Element } | undefined {
  const root = parse(x)
  if (root === null) return undefined
  const path = p === undefined ? '$' : pathText(p)
  if (path === null) return undefined
  const sizes = new JsonbSizes()
  const at = locate(root, parsePath(path), sizes)
  return at === undefined ? undefined : { root, sizes, path, at }
}

function eachRow(e: Element, parent: number | null, fullkey: string, path: string, key = e.key): SqlValue[] {
  const container = e.j.t === 'array' || e.j.t === 'object'
  return [key, sqlOf(e.j), typeName(e.j), container ? null : sqlOf(e.j), e.id, parent, fullkey, path]
}

/**
 * json_each(X [, P]): a row per element of the array or member of the object at path P (default
 * `$`), or one row for a value that is neither: key (index or label; null for that one value),
 * value (as json_extract gives it), type (json_type's), atom (the value of a non-container), id
 * (SQLite's JSONB offset, above), parent (null), fullkey (the element's path, P then its leg) and
 * path (P). No rows for null or a path that finds nothing; malformed JSON is
 * BTREE_SQL_FUNCTION_ERROR, as in SQLite.
 */
export function jsonEachRows(x: SqlValue, p: SqlValue | undefined): SqlValue[][] {
  const start = walkStart(x, p)
  if (start === undefined) return []
  const { sizes, path, at } = start
  if (at.j.t !== 'array' && at.j.t !== 'object') return [eachRow(at, null, path, path, null)]
  return childrenOf(at, sizes).map((c) => eachRow(c, null, path + c.leg, path))
}

/**
 * json_tree(X [, P]): json_each's columns for the value at P itself, then each element below it,
 * depth first in document order; `parent` is the id of the container holding it (null for the
 * first row) and `path` that container's fullkey. The first row's key and path come from P's
 * text as SQLite takes them (rootKeyAndPath).
 */
export function jsonTreeRows(x: SqlValue, p: SqlValue | undefined): SqlValue[][] {
  const start = walkStart(x, p)
  if (start === undefined) return []
  const { root, sizes, path, at } = start
  const first = rootKeyAndPath(path, at, root, sizes)
  const rows = [eachRow(at, null, path, first.path, first.key)]
  const walk = (parent: Element, fullkey: string): void => {
    for (const c of childrenOf(parent, sizes)) {
      rows.push(eachRow(c, parent.id, fullkey + c.leg, fullkey))
      walk(c, fullkey + c.leg)
    }
  }
  walk(at, path)
  return rows
}

/**
 * The key and path of json_tree's first row, as SQLite's jsonEachPathLength finds them: P is cut
 * at the last `.` or `[` whose prefix finds a container the element is the first child of (else
 * after `$`); the path is the part before the cut, the key is read from the part after it (an
 * index's leading digits, a label unquoted), so `$.a.b` whose `b` is not `a`'s first member gives
 * key 'a.b' and path '$', and `$[#-1]` gives key 0, as SQLite does.
 */
function rootKeyAndPath(path: string, at: Element, root: Json, sizes: JsonbSizes): { key: SqlValue; path: string } {
  if (path.length < 2) return { key: null, path }
  let n = path.length
  while (n > 1) {
    n--
    if (path[n] !== '.' && path[n] !== '[') continue
    let legs: Leg[]
    try {
      legs = parsePath(path.slice(0, n))
    } catch {
      continue
    }
    const container = locate(root, legs, sizes)
    if (container !== undefined && container.valueAt + headerSize(sizes.payload(container.j)) === at.id) break
  }
  const rest = path.slice(n)
  const key =
    rest[0] === '[' ? integer(integerPrefix(rest.slice(1))) : rest[1] === '"' ? rest.slice(2, -1) : rest.slice(1)
  return { key, path: path.slice(0, n) }
}

/** The path text of Kysely's JSONPathNode (`eb.ref('c', '->>$').key('a').at(0)` is `$.a[0]`). */
export function jsonPathText(legs: readonly { type: string; value: string | number }[]): string {
  let path = '$'
  for (const leg of legs) path += leg.type === 'ArrayLocation' ? `[${String(leg.value)}]` : `."${String(leg.value)}"`
  return path
}
