import { Real } from '../encoding/values.js'
import type { ViewDef } from './catalog.js'

/**
 * Operation-node trees kept in the catalog (a view's select, a partial index's where) as JSON:
 * bytes, big integers, dates and boxed reals (a literal `2.0`, encoding/values.ts Real), which JSON
 * has no form of, tagged ({ $bytes: base64 }, { $bigint: digits }, { $date: ISO text }, { $real:
 * its number as text }) and read back as they were.
 */
export function storedNode(node: unknown): unknown {
  return JSON.parse(JSON.stringify(node, tagValues)) as unknown
}

/** A node tree as storedNode kept it. */
export function nodeOf(stored: unknown): unknown {
  return JSON.parse(JSON.stringify(stored), untagValues) as unknown
}

/** A view's select as a node tree again (cached per definition: catalogs are cached, so are views). */
export function viewSelect(view: ViewDef): unknown {
  let node = revived.get(view)
  if (node === undefined) {
    node = nodeOf(view.select)
    revived.set(view, node)
  }
  return node
}

const revived = new WeakMap<ViewDef, unknown>()

/** JSON.stringify's replacer: bytes, big integers, dates and reals, which JSON has no form of, tagged. */
function tagValues(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const raw = this[key]
  if (raw instanceof Uint8Array)
    return { $bytes: Buffer.from(raw.buffer, raw.byteOffset, raw.length).toString('base64') }
  if (typeof raw === 'bigint') return { $bigint: raw.toString() }
  if (raw instanceof Date) return { $date: raw.toISOString() }
  // As text: a real may be infinite, or -0, which JSON's numbers cannot hold.
  if (raw instanceof Real) return { $real: Object.is(raw.value, -0) ? '-0' : String(raw.value) }
  return value
}

/** JSON.parse's reviver: tagValues undone. */
function untagValues(_key: string, value: unknown): unknown {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const v = value as Record<string, unknown>
    if (typeof v['$bytes'] === 'string' && Object.keys(v).length === 1)
      return new Uint8Array(Buffer.from(v['$bytes'], 'base64'))
    if (typeof v['$bigint'] === 'string' && Object.keys(v).length === 1) return BigInt(v['$bigint'])
    if (typeof v['$date'] === 'string' && Object.keys(v).length === 1) return new Date(v['$date'])
    if (typeof v['$real'] === 'string' && Object.keys(v).length === 1) return new Real(Number(v['$real']))
  }
  return value
}

/** What firstIn's `visit` returns to go on past a node without looking below it. */
export const PAST = Symbol('past')

type TreeNode = Record<string, unknown>

/**
 * The first value `visit` gives for a node of an operation-node tree, depth first in field order
 * (the order the text was written in, for the trees the parser makes); `visit` returns undefined
 * to go on below the node, PAST to go on past it.
 */
export function firstIn<T>(tree: unknown, visit: (n: TreeNode) => T | typeof PAST | undefined): T | undefined {
  if (typeof tree !== 'object' || tree === null) return undefined
  if (Array.isArray(tree)) {
    for (const t of tree) {
      const found = firstIn(t, visit)
      if (found !== undefined) return found
    }
    return undefined
  }
  const n = tree as TreeNode
  const seen = visit(n)
  if (seen === PAST) return undefined
  if (seen !== undefined) return seen
  for (const k of Object.keys(n)) {
    const found = firstIn(n[k], visit)
    if (found !== undefined) return found
  }
  return undefined
}

/** Calls `visit` on every node of a tree (to edit it in place), depth first; not below a node for which it returns false. */
export function eachIn(tree: unknown, visit: (n: TreeNode) => boolean | void): void {
  if (typeof tree !== 'object' || tree === null) return
  if (Array.isArray(tree)) return tree.forEach((t) => eachIn(t, visit))
  const n = tree as TreeNode
  if (visit(n) === false) return
  for (const k of Object.keys(n)) eachIn(n[k], visit)
}

/** Whether a stored condition's tree names column `name` (its ColumnNodes, any case). */
export function namesColumn(tree: unknown, name: string): boolean {
  const lower = name.toLowerCase()
  return (
    firstIn(tree, (n) =>
      n['kind'] !== 'ColumnNode'
        ? undefined
        : ((n['column'] as TreeNode)['name'] as string).toLowerCase() === lower || PAST,
    ) === true
  )
}

/** Renames column `from` to `to` in a stored condition's tree, in place (it is the table's copy). */
export function renameIn(tree: unknown, from: string, to: string): void {
  const lower = from.toLowerCase()
  eachIn(tree, (n) => {
    if (n['kind'] !== 'ColumnNode') return true
    const id = n['column'] as TreeNode
    if (typeof id['name'] === 'string' && id['name'].toLowerCase() === lower) id['name'] = to
    return false
  })
}

/** A TableNode's name (the identifier it names), if it is one. */
export function tableNameOf(t: { readonly [key: string]: unknown }): string | undefined {
  const id = (
    (t['table'] as Record<string, unknown> | undefined)?.['identifier'] as Record<string, unknown> | undefined
  )?.['name']
  return typeof id === 'string' ? id : undefined
}

/** Whether a stored tree names table `lower` (a TableNode: a source, a qualifier, a write's target). */
export function namesTable(tree: unknown, lower: string): boolean {
  return (
    firstIn(tree, (n) => (n['kind'] !== 'TableNode' ? undefined : tableNameOf(n)?.toLowerCase() === lower || PAST)) ===
    true
  )
}

/** Table `lower` renamed `to` in a stored tree, in place (every TableNode naming it). */
export function renameTableIn(tree: unknown, lower: string, to: string): void {
  eachIn(tree, (n) => {
    if (n['kind'] !== 'TableNode') return true
    if (tableNameOf(n)?.toLowerCase() === lower)
      ((n['table'] as Record<string, unknown>)['identifier'] as Record<string, unknown>)['name'] = to
    return false
  })
}
