import type { AnyNode } from '../expression/nodes.js'
import { RAW_TEXT_FIELDS } from '../sql/resolve-raw.js'

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
 * properties (each node's keys and checks are known up front). A tree whose generated code stays
 * under GENERATED_LINES lines gets a function generated for it (generatedMatcher: a multi-row
 * insert's rows are one loop); a larger one, or one of more than GENERATED_NODES nodes, the
 * closures of closureMatcher, which cost nothing to compile.
 */
export function shapeMatcher(shape: AnyNode): ShapeMatcher {
  if (nodeCount(shape, GENERATED_NODES) > GENERATED_NODES || !codeGeneration) return closureMatcher(shape)
  try {
    return generatedMatcher(shape) ?? closureMatcher(shape)
  } catch (err) {
    // A process run with --disallow-code-generation-from-strings (or a policy that forbids it)
    // refuses `new Function`: the closures match the same trees.
    if (!(err instanceof EvalError)) throw err
    codeGeneration = false
    return closureMatcher(shape)
  }
}

/** Whether `new Function` is allowed here (cleared by the first EvalError). */
let codeGeneration = true

/** The largest tree a matcher is generated for (a one-row insert has 16 nodes, a group-by ~40, a 1,000-row insert ~1,020). */
const GENERATED_NODES = 5000

/**
 * The longest code generated for a matcher (a one-row insert's is ~40 lines, a 100-row insert's
 * ~60, the bench's join ~240, a select of 60 columns ~950): about what the 400 nodes generated
 * before the loops could make, so that wide statements keep their generated matchers.
 */
const GENERATED_LINES = 1200

/** The nodes of a tree, counted up to just past `limit`. */
function nodeCount(v: unknown, limit: number): number {
  if (Array.isArray(v)) {
    let n = 0
    for (const item of v) if ((n += nodeCount(item, limit - n)) > limit) break
    return n
  }
  if (!isNode(v)) return 0
  let n = 1
  for (const key in v) if (key !== 'kind' && (n += nodeCount(v[key], limit - n)) > limit) break
  return n
}

/**
 * The matcher of a shape as one generated function: the same checks, in the same order, as
 * closureMatcher's, with each property read by its name. The closures read properties by a key
 * held in a variable and count keys in one shared function, so every read and every count met
 * trees of all kinds (megamorphic: a lookup each); here each read and each `for in` is a site of
 * its own that meets one kind of node. A one-row insert's match went from ~0.9 to ~0.4 µs, a
 * point select's from ~0.7 to ~0.2 µs (micro-benchmark, the bench's statements). Only property
 * names (as JSON string literals) and counts enter the code; values are compared as constants.
 *
 * An array whose items all make the same code (a multi-row insert's rows) is matched by a loop
 * over that code, not by a copy of it per item: 100 rows unrolled made a function of ~1,000 lines
 * that TurboFan took ~300 ms of a helper thread to compile, for every database the process opened
 * (2026-12-04, `--trace-opt`). Such an array's length is a constant too, so the code of a
 * multi-row insert is the same for any row count. The code's text is the key of a process-wide
 * cache of the functions made from it (FACTORIES), so that the sessions of every database, and the
 * shapes of one code, share one function and its optimized code; only the constants differ.
 */
function generatedMatcher(shape: AnyNode): ShapeMatcher | undefined {
  const out = new MatcherCode(0, 0)
  out.node(shape, 'n')
  if (out.lines.length > GENERATED_LINES) return undefined
  const body = `let k = 0\n${out.lines.join('\n')}\nreturn true`
  let make = FACTORIES.get(body)
  if (make === undefined) {
    if (FACTORIES.size >= FACTORY_LIMIT) FACTORIES.clear()
    make = new Function('c', `return function match(n, values) {\n${body}\n}`) as MatcherFactory
    FACTORIES.set(body, make)
  }
  return make(out.constants)
}

type MatcherFactory = (c: readonly unknown[]) => ShapeMatcher

/**
 * Generated matchers' factories by their code, for the whole process (generatedMatcher). Each
 * entry keeps its code twice (the key, and the function's source), up to GENERATED_LINES lines:
 * as many as one session's statement cache holds shapes (statement-cache.ts), then cleared.
 */
const FACTORIES = new Map<string, MatcherFactory>()
const FACTORY_LIMIT = 256

/** The fewest items an array needs before its items are matched by a loop (when they make the same code). */
const LOOP_ITEMS = 4

/**
 * The lines of a generated matcher: `constants` are read as `c[i]` from index `constantBase`,
 * variables are named from `nameBase` on (a loop's body is made by a MatcherCode of its own).
 */
class MatcherCode {
  readonly lines: string[] = []
  readonly constants: unknown[] = []
  names: number

  constructor(
    readonly constantBase: number,
    nameBase: number,
  ) {
    this.names = nameBase
  }

  constant(v: unknown): string {
    return `c[${this.constantBase + this.constants.push(v) - 1}]`
  }

  keysOf(x: string, count: number): void {
    this.lines.push(`k = 0`, `for (const _ in ${x}) k++`, `if (k !== ${count}) return false`)
  }

  node(s: AnyNode, x: string): void {
    const lines = this.lines
    lines.push(`if (typeof ${x} !== 'object' || ${x} === null || ${x}.kind !== ${JSON.stringify(s.kind)}) return false`)
    if (s.kind === 'ValueNode') {
      if (s.immediate !== true) {
        lines.push(`if (${x}.immediate === true) return false`, `values.push(${x}.value)`)
        return
      }
      lines.push(`if (${x}.immediate !== true || !Object.is(${x}.value, ${this.constant(s.value)})) return false`)
      this.keysOf(x, keyCount(s))
      return
    }
    if (s.kind === 'PrimitiveValueListNode') {
      const items = `v${this.names++}`
      const length = (s.values as readonly unknown[]).length
      lines.push(`const ${items} = ${x}.values`, `if (${items}.length !== ${length}) return false`)
      // A row's values one push each (a loop cost ~0.1 µs of a one-row insert's match); a long list in a loop.
      if (length <= 16) for (let i = 0; i < length; i++) lines.push(`values.push(${items}[${i}])`)
      else lines.push(`for (let i = 0; i < ${length}; i++) values.push(${items}[i])`)
      return
    }
    let count = 1
    for (const key in s) {
      if (key === 'kind') continue
      count++
      const v = `v${this.names++}`
      lines.push(`const ${v} = ${x}[${JSON.stringify(key)}]`)
      this.property(s[key], v)
    }
    if (!closedShape(s, count)) this.keysOf(x, count)
  }

  property(p: unknown, v: string): void {
    if (isNode(p)) return this.node(p, v)
    if (!Array.isArray(p)) {
      this.lines.push(`if (${v} !== ${this.constant(p)}) return false`)
      return
    }
    if (p.length >= LOOP_ITEMS && this.#loop(p, v)) return
    this.lines.push(`if (!Array.isArray(${v}) || ${v}.length !== ${p.length}) return false`)
    for (let i = 0; i < p.length; i++) {
      const item = `v${this.names++}`
      this.lines.push(`const ${item} = ${v}[${i}]`)
      this.property(p[i], item)
    }
  }

  /**
   * Matches the array `v` against `p` by one loop over its items, when every item of `p` makes the
   * same code; false otherwise (nothing emitted). The length is a constant, not part of the code:
   * multi-row inserts of any row count into one table share one function and its optimized code.
   */
  #loop(p: readonly unknown[], v: string): boolean {
    const index = `i${this.names}`
    const item = `v${this.names + 1}`
    // The items' constants follow the length's.
    const base = this.constantBase + this.constants.length + 1
    const make = (x: unknown): MatcherCode => {
      const code = new MatcherCode(base, this.names + 2)
      code.property(x, item)
      return code
    }
    const first = make(p[0])
    for (let i = 1; i < p.length; i++) if (!sameCode(first, make(p[i]))) return false
    this.lines.push(`if (!Array.isArray(${v}) || ${v}.length !== ${this.constant(p.length)}) return false`)
    this.names = first.names
    this.constants.push(...first.constants)
    this.lines.push(`for (let ${index} = 0; ${index} < ${v}.length; ${index}++) {`, `const ${item} = ${v}[${index}]`)
    this.lines.push(...first.lines, '}')
    return true
  }
}

/** Whether two MatcherCodes read the same properties and compare the same constants. */
function sameCode(a: MatcherCode, b: MatcherCode): boolean {
  if (a.lines.length !== b.lines.length || a.constants.length !== b.constants.length) return false
  for (let i = 0; i < a.lines.length; i++) if (a.lines[i] !== b.lines[i]) return false
  for (let i = 0; i < a.constants.length; i++) if (!Object.is(a.constants[i], b.constants[i])) return false
  return true
}

/** The matcher of a shape as closures, one per node and property (shapeMatcher's choice for large trees). */
export function closureMatcher(shape: AnyNode): ShapeMatcher {
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
  const counted = !closedShape(shape, count)
  return (n, values) => {
    if (!isKind(n, kind)) return false
    for (let i = 0; i < keys.length; i++) if (!checks[i]!(n[keys[i]!], values)) return false
    return !counted || keyCount(n) === count
  }
}

/**
 * Node kinds whose properties are all required, in Kysely 0.28 and 0.29 alike, and how many they
 * are (`kind` included). A tree's node of such a kind that has them all (a matcher compares each)
 * can only differ from the shape's by properties that no Kysely version this package supports
 * defines for the kind: neither Kysely's compiler nor this package reads them, so they cannot
 * change the statement, and a matcher need not count the node's keys. Counting them (a `for in`
 * a node) was ~0.3 of a one-row insert's ~0.9 µs match (12 of its 16 nodes are of these kinds).
 * Kinds with optional properties (SchemableIdentifierNode's `schema`, ReferenceNode's `table`,
 * ValueNode's `immediate`, the statements' clauses) are counted: an extra one there is a clause.
 */
const CLOSED_KINDS: ReadonlyMap<string, number> = new Map([
  ['IdentifierNode', 2],
  ['ColumnNode', 2],
  ['TableNode', 2],
  ['ValuesNode', 2],
  ['AliasNode', 3],
  ['SelectionNode', 2],
  ['SelectAllNode', 1],
  ['WhereNode', 2],
  ['BinaryOperationNode', 4],
  ['UnaryOperationNode', 3],
  ['OperatorNode', 2],
  ['AndNode', 3],
  ['OrNode', 3],
  ['ParensNode', 2],
  ['FromNode', 2],
  ['GroupByNode', 2],
  ['GroupByItemNode', 2],
  ['OrderByNode', 2],
  ['LimitNode', 2],
  ['OffsetNode', 2],
  ['ColumnUpdateNode', 3],
  ['ReturningNode', 2],
])

/** Whether a shape's node of `count` keys is of a closed kind with all its properties (CLOSED_KINDS). */
function closedShape(shape: AnyNode, count: number): boolean {
  return CLOSED_KINDS.get(shape.kind) === count
}

function propertyMatcher(v: unknown): ShapeMatcher {
  if (isNode(v)) return closureMatcher(v)
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
 * shared. A raw fragment in an expression's place keeps its text, its values becoming slots too
 * (the cache parses it once, over the slots: statement-cache.ts). A select nested anywhere (a
 * subquery in an expression, a derived table, a common table expression's body, a compound's arm,
 * INSERT ... SELECT's rows) is parameterized with its statement: each is prepared once with it, as
 * a PreparedSelect whose rows are read at every run and whose plan's check joins the statement's. Undefined for a value in raw SQL that is read as text, not as an expression (an
 * order direction, a cast's type: RAW_TEXT_FIELDS).
 */
export function parameterize(n: AnyNode, slots: AnyNode[], expression = true): AnyNode | undefined {
  switch (n.kind) {
    case 'RawNode':
      if ((n.parameters as readonly unknown[]).length === 0) return n
      if (!expression) return undefined
      break
    case 'ValueNode':
      return n.immediate === true ? n : slot(slots)
    case 'PrimitiveValueListNode':
      return { kind: 'ValueListNode', values: (n.values as readonly unknown[]).map(() => slot(slots)) }
  }
  let copy: Record<string, unknown> | undefined
  for (const key in n) {
    const v = n[key]
    if (typeof v !== 'object' || v === null) continue
    const inExpression = expression && !RAW_TEXT_FIELDS.has(key)
    let r: unknown = v
    if (Array.isArray(v)) {
      let items: unknown[] | undefined
      for (let i = 0; i < v.length; i++) {
        const item = v[i] as unknown
        if (!isNode(item)) continue
        const c = parameterize(item, slots, inExpression)
        if (c === undefined) return undefined
        if (c !== item) (items ??= [...v])[i] = c
      }
      if (items !== undefined) r = items
    } else if (isNode(v)) {
      const c = parameterize(v, slots, inExpression)
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

/** The selects below a statement's root (subqueries, derived tables, common tables, compounds' arms). */
export function nestedSelects(n: AnyNode, root = true): number {
  let count = !root && n.kind === 'SelectQueryNode' ? 1 : 0
  for (const key in n) {
    const v = n[key]
    if (Array.isArray(v)) {
      for (const item of v) if (isNode(item)) count += nestedSelects(item, false)
    } else if (isNode(v)) count += nestedSelects(v, false)
  }
  return count
}
