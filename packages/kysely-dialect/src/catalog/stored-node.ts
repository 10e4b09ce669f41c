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

/** Whether a stored condition's tree names column `name` (its ColumnNodes, any case). */
export function namesColumn(tree: unknown, name: string): boolean {
  if (typeof tree !== 'object' || tree === null) return false
  if (Array.isArray(tree)) return tree.some((t) => namesColumn(t, name))
  const n = tree as Record<string, unknown>
  if (n['kind'] === 'ColumnNode')
    return ((n['column'] as Record<string, unknown>)['name'] as string).toLowerCase() === name.toLowerCase()
  return Object.keys(n).some((k) => namesColumn(n[k], name))
}

/** Renames column `from` to `to` in a stored condition's tree, in place (it is the table's copy). */
export function renameIn(tree: unknown, from: string, to: string): void {
  if (typeof tree !== 'object' || tree === null) return
  if (Array.isArray(tree)) return tree.forEach((t) => renameIn(t, from, to))
  const n = tree as Record<string, unknown>
  if (n['kind'] === 'ColumnNode') {
    const id = n['column'] as Record<string, unknown>
    if (typeof id['name'] === 'string' && id['name'].toLowerCase() === from.toLowerCase()) id['name'] = to
    return
  }
  for (const k of Object.keys(n)) renameIn(n[k], from, to)
}
