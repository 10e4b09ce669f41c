import type { OperationNode } from 'kysely'
import type { AnyNode } from './lexer.js'
import { parseRawExpression, parseRawItems } from './statement-parser.js'

/**
 * Fields holding raw SQL that is not an expression: an order direction (`desc`), a cast's type,
 * select modifiers, comments at the ends of a statement. They stay raw for their readers.
 */
export const RAW_TEXT_FIELDS: ReadonlySet<string> = new Set([
  'direction',
  'dataType',
  'rawModifier',
  'frontModifiers',
  'endModifiers',
  'explain',
])

/**
 * The statement with every raw `sql` fragment in an expression's place replaced by the expression
 * it parses to (expression-parser.ts), so the planner, aggregate detection and evaluation see the
 * same tree the builder would have built. Unchanged subtrees are shared, not copied.
 */
export function resolveRaw<T extends OperationNode>(root: T): T {
  // Most statements hold no raw SQL: a read-only walk answers that before anything is copied.
  return hasRaw(root as unknown as AnyNode) ? (resolve(root as unknown as AnyNode) as unknown as T) : root
}

/** Kinds that never hold another node. */
const LEAVES = new Set(['IdentifierNode', 'ValueNode', 'OperatorNode', 'PrimitiveValueListNode', 'SelectAllNode'])

function isNode(v: unknown): v is AnyNode {
  return typeof v === 'object' && v !== null && typeof (v as AnyNode).kind === 'string'
}

function hasRaw(n: AnyNode): boolean {
  if (n.kind === 'RawNode') return true
  if (LEAVES.has(n.kind)) return false
  for (const key in n) {
    if (RAW_TEXT_FIELDS.has(key)) continue
    const v = n[key]
    if (Array.isArray(v)) {
      for (const item of v) if (isNode(item) && hasRaw(item)) return true
    } else if (isNode(v) && hasRaw(v)) return true
  }
  return false
}

function resolve(n: AnyNode): AnyNode {
  if (n.kind === 'RawNode') {
    // A wrapper (sql.ref, sql.val, sql.table, `${x}`) is its node, as the builder's would be; an
    // identifier alone (sql.id) is read as the column it names.
    const child = isWrapper(n) ? ((n.parameters as readonly AnyNode[])[0] as AnyNode) : undefined
    if (child !== undefined && child.kind !== 'IdentifierNode' && child.kind !== 'RawNode') return resolve(child)
    return parseRawExpression(resolveParameters(n))
  }
  if (n.kind === 'OrderByNode' || n.kind === 'GroupByNode') n = expandRawItems(n)
  let copy: Record<string, unknown> | undefined
  for (const key in n) {
    if (RAW_TEXT_FIELDS.has(key)) continue
    const v = n[key]
    if (typeof v !== 'object' || v === null) continue
    let r: unknown = v
    if (Array.isArray(v)) r = resolveArray(v)
    else if (typeof (v as AnyNode).kind === 'string') r = resolve(v as AnyNode)
    if (r !== v) {
      copy ??= { ...n }
      copy[key] = r
    }
  }
  return copy === undefined ? n : (copy as AnyNode)
}

function resolveArray(items: readonly unknown[]): readonly unknown[] {
  let copy: unknown[] | undefined
  for (let i = 0; i < items.length; i++) {
    const v = items[i]
    if (typeof v !== 'object' || v === null || typeof (v as AnyNode).kind !== 'string') continue
    const r = resolve(v as AnyNode)
    if (r !== v) {
      copy ??= [...items]
      copy[i] = r
    }
  }
  return copy ?? items
}

/** A raw node that only wraps one node (sql.ref, sql.val, `${x}`): no list to expand. */
function isWrapper(raw: AnyNode): boolean {
  const params = raw.parameters as readonly unknown[]
  return params.length === 1 && (raw.sqlFragments as readonly string[]).every((f) => f.trim() === '')
}

/**
 * The raw node with the raw fragments inside its parameters resolved (a subquery passed in may hold
 * some); nested raw nodes stay raw, their text being read inline with this one's.
 */
function resolveParameters(n: AnyNode): AnyNode {
  const params = n.parameters as readonly AnyNode[]
  let copy: AnyNode[] | undefined
  for (let i = 0; i < params.length; i++) {
    const p = params[i]!
    const r = p.kind === 'RawNode' ? resolveParameters(p) : resolve(p)
    if (r !== p) {
      copy ??= [...params]
      copy[i] = r
    }
  }
  return copy === undefined ? n : ({ ...n, parameters: copy } as AnyNode)
}

/** `orderBy(sql\`a desc, b\`)` and `groupBy(sql\`a, b\`)`: one raw item holding a list becomes its items. */
function expandRawItems(n: AnyNode): AnyNode {
  const items = n.items as readonly AnyNode[]
  const field = n.kind === 'OrderByNode' ? 'orderBy' : 'groupBy'
  if (!items.some((item) => (item[field] as AnyNode).kind === 'RawNode' && item['direction'] === undefined)) return n
  const expanded = items.flatMap((item) => {
    const raw = item[field] as AnyNode
    if (raw.kind !== 'RawNode' || item['direction'] !== undefined || isWrapper(raw)) return [item]
    return parseRawItems(resolveParameters(raw), n.kind === 'OrderByNode')
  })
  return { ...n, items: expanded } as AnyNode
}
