import type { AnyNode } from '../expression/nodes.js'

/**
 * The shape of a statement: its operation-node tree with the values abstracted. Two trees of one
 * shape differ only in the values of their value nodes (and of primitive value lists), so one
 * compiled statement serves both (statement-cache.ts). Kysely builds new nodes for every query, so
 * shapes are compared by walking the trees, which costs less than the SQL text Kysely's compiler
 * would build and a map would hash.
 *
 * Both walks below visit a node's properties in the order of the first tree's keys and arrays in
 * index order, so the n-th value a matcher collects is the n-th slot `parameterize` made.
 */

/**
 * Whether a tree has a shape, pushing its values onto `values` in slot order (on a mismatch,
 * `values` holds a part of them).
 */
export type ShapeMatcher = (n: unknown, values: unknown[]) => boolean

/**
 * The matcher of `shape`'s shape: made once per shape, so that a match reads only the tree's
 * properties (each node's keys and checks are known up front).
 */
export function shapeMatcher(shape: AnyNode): ShapeMatcher {
  const kind = shape.kind
  switch (kind) {
    case 'ValueNode': {
      if (shape.immediate !== true) {
        return (n, values) => {
          if (!isKind(n, kind) || n.immediate === true) return false
          values.push(n.value)
          return true
        }
      }
      const value = shape.value
      const keys = keyCount(shape)
      return (n) => isKind(n, kind) && n.immediate === true && Object.is(n.value, value) && keyCount(n) === keys
    }
    case 'PrimitiveValueListNode': {
      const length = (shape.values as readonly unknown[]).length
      return (n, values) => {
        if (!isKind(n, kind)) return false
        const items = n.values as readonly unknown[]
        if (items.length !== length) return false
        for (let i = 0; i < length; i++) values.push(items[i])
        return true
      }
    }
  }
  const keys: string[] = []
  const checks: ShapeMatcher[] = []
  for (const key in shape) {
    if (key === 'kind') continue
    keys.push(key)
    checks.push(propertyMatcher(shape[key]))
  }
  const count = keys.length + 1
  return (n, values) => {
    if (!isKind(n, kind)) return false
    for (let i = 0; i < keys.length; i++) if (!checks[i]!(n[keys[i]!], values)) return false
    return keyCount(n) === count
  }
}

function propertyMatcher(v: unknown): ShapeMatcher {
  if (isNode(v)) return shapeMatcher(v)
  if (!Array.isArray(v)) return (w) => w === v
  const items = v.map(propertyMatcher)
  const length = items.length
  return (w, values) => {
    if (!Array.isArray(w) || w.length !== length) return false
    for (let i = 0; i < length; i++) if (!items[i]!(w[i], values)) return false
    return true
  }
}

function isKind(n: unknown, kind: unknown): n is AnyNode {
  return typeof n === 'object' && n !== null && (n as AnyNode).kind === kind
}

function keyCount(n: object): number {
  let keys = 0
  for (const _ in n) keys++
  return keys
}

/**
 * A copy of the statement whose value nodes (and the items of primitive value lists) are new value
 * nodes, collected in `slots` in the order a matcher collects values; unchanged subtrees are
 * shared. Undefined for a subquery, or raw SQL with values in it (they compile against the running
 * statement).
 */
export function parameterize(n: AnyNode, slots: AnyNode[], root = true): AnyNode | undefined {
  switch (n.kind) {
    case 'SelectQueryNode':
      if (!root) return undefined
      break
    case 'RawNode':
      return (n.parameters as readonly unknown[]).length > 0 ? undefined : n
    case 'ValueNode':
      return n.immediate === true ? n : slot(slots)
    case 'PrimitiveValueListNode':
      return { kind: 'ValueListNode', values: (n.values as readonly unknown[]).map(() => slot(slots)) }
  }
  let copy: Record<string, unknown> | undefined
  for (const key in n) {
    const v = n[key]
    if (typeof v !== 'object' || v === null) continue
    let r: unknown = v
    if (Array.isArray(v)) {
      let items: unknown[] | undefined
      for (let i = 0; i < v.length; i++) {
        const item = v[i] as unknown
        if (!isNode(item)) continue
        const c = parameterize(item, slots, false)
        if (c === undefined) return undefined
        if (c !== item) (items ??= [...v])[i] = c
      }
      if (items !== undefined) r = items
    } else if (isNode(v)) {
      const c = parameterize(v, slots, false)
      if (c === undefined) return undefined
      r = c
    }
    if (r !== v) (copy ??= { ...n })[key] = r
  }
  return (copy ?? n) as AnyNode
}

function isNode(v: unknown): v is AnyNode {
  return typeof v === 'object' && v !== null && typeof (v as AnyNode).kind === 'string'
}

function slot(slots: AnyNode[]): AnyNode {
  const node: AnyNode = { kind: 'ValueNode', value: { parameter: slots.length } }
  slots.push(node)
  return node
}
