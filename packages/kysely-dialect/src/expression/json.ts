import { BTreeSqlError } from '../errors.js'
import type { AnyNode } from './nodes.js'
import { formatReal, integer, isInteger, numberOf, real, toText, type SqlValue } from '../encoding/values.js'

/**
 * SQLite's JSON functions over JSON held as text (json1, lang_jsonfunc.html): json_extract, `->`,
 * `->>`, json, json_array, json_object, json_type, json_valid, json_array_length, json_quote,
 * json_set / json_insert / json_replace / json_remove, json_patch, json_group_array / _object. Parsing keeps each number's and
 * string's source text, so that output text holds them exactly as they were written (`1.50` stays
 * `1.50`), as SQLite does.
 */
export type Json =
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
export function parse(v: SqlValue): Json | null {
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

export type Leg = { key: string } | { index: number; fromEnd: boolean }

function badPath(path: string): BTreeSqlError {
  return new BTreeSqlError('BTREE_SQL_FUNCTION_ERROR', `bad JSON path: '${path}'`)
}

/** A path: `$`, then `.key`, `."key"`, `[N]` or `[#-N]` legs. */
export function parsePath(path: string): Leg[] {
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

/** The path text of Kysely's JSONPathNode (`eb.ref('c', '->>$').key('a').at(0)` is `$.a[0]`). */
export function jsonPathText(legs: readonly { type: string; value: string | number }[]): string {
  let path = '$'
  for (const leg of legs) path += leg.type === 'ArrayLocation' ? `[${String(leg.value)}]` : `."${String(leg.value)}"`
  return path
}
