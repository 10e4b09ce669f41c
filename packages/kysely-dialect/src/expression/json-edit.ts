import { BTreeSqlError } from '../errors.js'
import type { SqlValue } from '../encoding/values.js'
import {
  asJson,
  jsonElement,
  parse,
  parsePath,
  pathText,
  type Json,
  type JsonArg,
  type JsonString,
  type Leg,
} from './json.js'
import { labelNode, overwriteFit, rawTextNode } from './jsonb.js'

/**
 * The edits of SQLite's JSON functions (json.ts parses and writes the documents): json_set,
 * json_insert and json_replace, json_remove, and json_patch's RFC 7396 merge. Each gives the
 * edited document, which json-functions.ts writes as JSON text or as JSONB (a value put where one
 * was takes its bytes when a little smaller: jsonb.ts overwriteFit).
 */
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
export function jsonEdit(mode: EditMode): (args: readonly SqlValue[], json?: readonly JsonArg[]) => Json | null {
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
export function jsonRemove(args: readonly SqlValue[]): Json | null {
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

/** json_patch(T, P) as a document. */
export function jsonPatch([t, p]: readonly SqlValue[]): Json | null {
  const target = parse(t!)
  const patch = parse(p!)
  return target === null || patch === null ? null : mergePatch(target, patch)
}
