import { integer, integerPrefix, type SqlValue } from '../encoding/values.js'
import { parse, parsePath, pathText, sqlOf, type Json, type JsonString, type Leg } from './json.js'
import { jsonbHeaderSize, jsonbSize } from './jsonb.js'

/**
 * SQLite's JSON table-valued functions, `json_each` and `json_tree` (json1.html#jeach), over JSON
 * held as text (json.ts parses it): their rows, as SQLite gives them.
 */

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
 * without building it.
 */

/**
 * The sizes come from jsonb.ts (jsonbSize, jsonbHeaderSize), which writes the same bytes: a
 * document read from a blob keeps its nodes' own headers and string forms there too.
 */
class JsonbSizes {
  size(j: Json): number {
    return jsonbSize(j)
  }

  header(j: Json): number {
    return jsonbHeaderSize(j)
  }

  labelSize(raw: string, label: JsonString | undefined): number {
    return jsonbSize(label ?? { t: 'string', raw })
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
  let at = parent.valueAt + sizes.header(j)
  const out: Element[] = []
  if (j.t === 'array') {
    j.items.forEach((item, i) => {
      out.push({ key: i, j: item, id: at, valueAt: at, leg: `[${i}]` })
      at += sizes.size(item)
    })
  } else if (j.t === 'object') {
    for (const [key, raw, v, label] of j.entries) {
      const valueAt = at + sizes.labelSize(raw, label)
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
    if (container !== undefined && container.valueAt + sizes.header(container.j) === at.id) break
  }
  const rest = path.slice(n)
  const key =
    rest[0] === '[' ? integer(integerPrefix(rest.slice(1))) : rest[1] === '"' ? rest.slice(2, -1) : rest.slice(1)
  return { key, path: path.slice(0, n) }
}
