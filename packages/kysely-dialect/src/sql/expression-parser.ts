import { unsupported } from '../errors.js'
import { Real, textToReal } from '../encoding/values.js'
import { markGrouped } from './grouped.js'
import type { AnyNode, Lexed, Token } from './lexer.js'

/**
 * A recursive-descent parser of SQLite expressions into the node trees Kysely's builder makes
 * (BinaryOperationNode, FunctionNode, AggregateFunctionNode, CaseNode, CastNode, ReferenceNode,
 * ValueNode...), so that a raw `sql` fragment and the builder's expression compile, aggregate and
 * plan alike. Precedence is SQLite's (lang_expr.html#operators); explicit parentheses stay as
 * ParensNode, which is what Kysely's compiler would print for them.
 */

export function node(kind: string, fields: Record<string, unknown>): AnyNode {
  return { kind, ...fields } as unknown as AnyNode
}

/** `*` or `t.*` in a select list: as many result columns as the tables have. */
export function isStar(selection: AnyNode): boolean {
  return (
    selection.kind === 'SelectAllNode' ||
    (selection.kind === 'ReferenceNode' && (selection.column as AnyNode).kind === 'SelectAllNode')
  )
}

export function identifier(name: string): AnyNode {
  return node('IdentifierNode', { name })
}

export function tableNode(name: string): AnyNode {
  return node('TableNode', { table: node('SchemableIdentifierNode', { identifier: identifier(name) }) })
}

export function reference(column: string | AnyNode, table?: string): AnyNode {
  const col = typeof column === 'string' ? node('ColumnNode', { column: identifier(column) }) : column
  return node('ReferenceNode', table === undefined ? { column: col } : { column: col, table: tableNode(table) })
}

/** Operator nodes come out marked as grouped: the text was read with SQLite's precedence. */
function binary(left: AnyNode, op: string, right: AnyNode): AnyNode {
  if (op === 'and' || op === 'or') return markGrouped(node(op === 'and' ? 'AndNode' : 'OrNode', { left, right }))
  return markGrouped(
    node('BinaryOperationNode', {
      leftOperand: left,
      operator: node('OperatorNode', { operator: op }),
      rightOperand: right,
    }),
  )
}

function unary(op: string, operand: AnyNode): AnyNode {
  return markGrouped(node('UnaryOperationNode', { operator: node('OperatorNode', { operator: op }), operand }))
}

/** The values of the TRUE and FALSE keywords (not of the literals 1 and 0), by node. */
const BOOLEAN_KEYWORDS = new WeakMap<AnyNode, boolean>()

function booleanKeyword(truth: boolean): AnyNode {
  const n = value(truth ? 1 : 0)
  BOOLEAN_KEYWORDS.set(n, truth)
  return n
}

/**
 * The operand of `is [not]` as SQLite's truth-test check sees it: its parser drops parentheses,
 * and resolve.c skips COLLATE (sqlite3ExprSkipCollateAndLikely, which skips likely() only once
 * resolved, later: `2 is unlikely(true)` is `2 is 1`). So `x is (true)` and
 * `x is not true collate nocase` are still truth tests.
 */
function unparenthesised(n: AnyNode): AnyNode {
  if (n.kind === 'ParensNode') return unparenthesised(n['node'] as AnyNode)
  if (n.kind === 'CollateNode') return unparenthesised(n['operand'] as AnyNode)
  return n
}

/**
 * `x is [not] true|false`: SQLite's truth tests (not `is 1`: 2 is true), as a case over the
 * condition, which is what they mean: `x is true` is 1 when x is true, 0 when false or null.
 */
function truthTest(subject: AnyNode, isTrue: boolean, not: boolean): AnyNode {
  const condition = isTrue ? subject : unary('not', subject)
  return node('CaseNode', {
    when: [node('WhenNode', { condition, result: value(not ? 0 : 1) })],
    else: value(not ? 1 : 0),
  })
}

export function value(v: unknown): AnyNode {
  return node('ValueNode', { value: v })
}

/** Words that end an expression or a name list; never taken as an alias without `as`. */
export const KEYWORDS = new Set(
  (
    'all and as asc between by case collate cross desc distinct else end escape except exists filter from ' +
    'full glob group having in inner intersect into is isnull join left like limit match natural not notnull ' +
    'null nulls offset on or order outer over regexp returning right select set then union using values when ' +
    'where window with'
  ).split(' '),
)

/**
 * The keywords above that SQLite's grammar lets stand for a name where the keyword could not be
 * read as one (parse.y `%fallback ID`): a column `by`, `desc`, `end`, `offset`, `left`... is read
 * where a name must come (a definition, a list of columns, after `t.` or `as`) and at the start
 * of an expression; an optional alias stays a keyword (`from t left join u`).
 */
export const FALLBACK_NAMES = new Set(
  (
    'asc by cross desc end filter full glob inner left like match natural nulls offset outer over regexp right ' +
    'window with'
  ).split(' '),
)

/** A word that cannot stand for a name unquoted. */
function reserved(word: string): boolean {
  const lower = word.toLowerCase()
  return KEYWORDS.has(lower) && !FALLBACK_NAMES.has(lower)
}

/**
 * Binary operators written with symbols (and `and` / `or`) by precedence, higher binding tighter,
 * as SQLite parses them; the comparison words (`is`, `in`, `like`, `between`...) sit at 4 with `=`.
 */
export const PRECEDENCE: Readonly<Record<string, number>> = {
  or: 1,
  and: 2,
  '=': 4,
  '==': 4,
  '!=': 4,
  '<>': 4,
  '<': 5,
  '<=': 5,
  '>': 5,
  '>=': 5,
  '&': 6,
  '|': 6,
  '<<': 6,
  '>>': 6,
  '+': 7,
  '-': 7,
  '*': 8,
  '/': 8,
  '%': 8,
  '||': 9,
  '->': 9,
  '->>': 9,
}
const NOT_LEVEL = 3
const EQUALITY = 4

const INT64_MAX = 9223372036854775807n

/** A value written in the SQL text: `immediate`, as Kysely marks `sql.lit` (query-parts.ts: resultPosition). */
function literal(v: unknown): AnyNode {
  return node('ValueNode', { value: v, immediate: true })
}

/** A numeric literal's value as SQLite reads it: an integer that fits 64 bits, else a real. */
function numberLiteral(text: string): AnyNode {
  if (/^0[xX]/.test(text)) {
    if (text.length > 18) throw unsupported(`hex literal too big: ${text}`)
    const n = BigInt.asIntN(64, BigInt(text))
    return literal(Number.isSafeInteger(Number(n)) ? Number(n) : n)
  }
  if (/^\d+$/.test(text)) {
    const n = BigInt(text)
    if (n <= INT64_MAX) return literal(n <= 9007199254740991n ? Number(n) : n)
  }
  // Read as SQLite reads a literal (sqlite3AtoF: up to 19 or 20 significant digits count).
  const r = textToReal(text)
  // A real literal stays a real (1.0, 1e3): a boxed Real, which fromJs would read as an integer.
  return literal(Number.isInteger(r) ? new Real(r) : r)
}

export abstract class ExpressionParser {
  protected at = 0

  constructor(protected readonly lexed: Lexed) {}

  /** A whole `select` (inside parentheses, after `in` or `exists`). */
  protected abstract select(): AnyNode

  protected get tokens(): Token[] {
    return this.lexed.tokens
  }

  protected peek(offset = 0): Token {
    return this.tokens[Math.min(this.at + offset, this.tokens.length - 1)]!
  }

  protected next(): Token {
    const t = this.peek()
    if (t.t !== 'end') this.at++
    return t
  }

  /** Whether the token at `offset` is the keyword (an unquoted name) `word`. */
  protected isWord(word: string, offset = 0): boolean {
    const t = this.peek(offset)
    return t.t === 'name' && !t.quoted && t.v.toLowerCase() === word
  }

  protected isOp(op: string, offset = 0): boolean {
    const t = this.peek(offset)
    return t.t === 'op' && t.v === op
  }

  protected acceptWord(...words: string[]): boolean {
    for (let i = 0; i < words.length; i++) if (!this.isWord(words[i]!, i)) return false
    this.at += words.length
    return true
  }

  protected acceptOp(op: string): boolean {
    if (!this.isOp(op)) return false
    this.at++
    return true
  }

  protected fail(what: string): never {
    const t = this.peek()
    const near = t.t === 'end' ? 'the end' : `"${this.lexed.text.slice(t.at, t.end)}"`
    throw unsupported(`raw SQL (${this.lexed.text.trim()}): ${what} near ${near}`)
  }

  protected expectWord(word: string): void {
    if (!this.acceptWord(word)) this.fail(`expected ${word}`)
  }

  protected expectOp(op: string): void {
    if (!this.acceptOp(op)) this.fail(`expected ${op}`)
  }

  /** A name: an identifier, quoted or not (an unquoted keyword is no name). */
  protected name(): string {
    const t = this.peek()
    if (t.t !== 'name' || (!t.quoted && reserved(t.v))) this.fail('expected a name')
    this.at++
    return t.v
  }

  protected isName(offset = 0): boolean {
    const t = this.peek(offset)
    return t.t === 'name' && (t.quoted || !KEYWORDS.has(t.v.toLowerCase()))
  }

  protected isSelectStart(offset = 0): boolean {
    return this.isWord('select', offset) || this.isWord('with', offset) || this.isWord('values', offset)
  }

  expression(min = 0): AnyNode {
    let left = this.prefix()
    for (;;) {
      const step = this.infix(left, min)
      if (step === undefined) return left
      left = step
    }
  }

  /** One infix or postfix operator applied to `left` if it binds at least as tight as `min`. */
  private infix(left: AnyNode, min: number): AnyNode | undefined {
    const t = this.peek()
    if (t.t === 'op' && PRECEDENCE[t.v] !== undefined) {
      const p = PRECEDENCE[t.v]!
      if (p < min) return undefined
      this.at++
      return binary(left, t.v === '==' ? '=' : t.v, this.expression(p + 1))
    }
    if (t.t !== 'name' || t.quoted) return undefined
    const word = t.v.toLowerCase()
    // COLLATE binds tighter than every binary operator and every prefix one (lang_expr.html):
    // `a || b collate nocase` is `a || (b collate nocase)`, `-x collate nocase` is `-(x collate nocase)`.
    if (word === 'collate') {
      this.at++
      const name = this.next()
      if (name.t !== 'name' && name.t !== 'string') this.fail('expected a collation name')
      // An expression-position CollateNode: Kysely's own only ever sits in an order by item.
      return node('CollateNode', { collation: node('IdentifierNode', { name: name.v }), operand: left })
    }
    if (word === 'or' || word === 'and') {
      const p = PRECEDENCE[word]!
      if (p < min) return undefined
      this.at++
      return binary(left, word, this.expression(p + 1))
    }
    if (EQUALITY < min) return undefined
    if (this.acceptWord('isnull')) return binary(left, 'is', value(null))
    if (this.acceptWord('notnull') || this.acceptWord('not', 'null')) return binary(left, 'is not', value(null))
    if (word === 'is') {
      this.at++
      const not = this.acceptWord('not')
      if (this.acceptWord('distinct', 'from')) return binary(left, not ? 'is' : 'is not', this.expression(EQUALITY + 1))
      const right = this.expression(EQUALITY + 1)
      const truth = BOOLEAN_KEYWORDS.get(unparenthesised(right))
      return truth === undefined ? binary(left, not ? 'is not' : 'is', right) : truthTest(left, truth, not)
    }
    const not = word === 'not' ? 1 : 0
    const op = this.peek(not)
    if (op.t !== 'name' || op.quoted) return undefined
    const name = op.v.toLowerCase()
    const prefix = not === 1 ? 'not ' : ''
    switch (name) {
      case 'in':
        this.at += 1 + not
        return binary(left, `${prefix}in`, this.inList())
      case 'like':
      case 'glob':
      case 'regexp':
      case 'match': {
        this.at += 1 + not
        const right = this.expression(EQUALITY + 1)
        if (this.acceptWord('escape')) {
          if (name !== 'like') this.fail(`ESCAPE after ${name.toUpperCase()}`)
          // SQLite's like(pattern, subject, escape) function is what LIKE ... ESCAPE calls.
          const call = node('FunctionNode', { func: 'like', arguments: [right, left, this.expression(EQUALITY + 1)] })
          return not === 1 ? unary('not', call) : call
        }
        return binary(left, `${prefix}${name}`, right)
      }
      case 'between': {
        this.at += 1 + not
        // The low bound runs to the first `and`; the high one binds as the comparison operators do.
        const lo = this.expression(NOT_LEVEL)
        this.expectWord('and')
        const hi = this.expression(EQUALITY + 1)
        return binary(left, `${prefix}between`, markGrouped(node('AndNode', { left: lo, right: hi })))
      }
      default:
        return undefined
    }
  }

  /** The right side of `in`: a parenthesised list or select, or a subquery passed as a parameter. */
  private inList(): AnyNode {
    const t = this.peek()
    if (t.t === 'node') {
      this.at++
      return t.node
    }
    this.expectOp('(')
    if (this.isSelectStart()) {
      const s = this.select()
      this.expectOp(')')
      return s
    }
    const values: AnyNode[] = []
    if (!this.isOp(')')) {
      do values.push(this.expression())
      while (this.acceptOp(','))
    }
    this.expectOp(')')
    return node('ValueListNode', { values })
  }

  private prefix(): AnyNode {
    const t = this.peek()
    if (t.t === 'op' && (t.v === '-' || t.v === '+' || t.v === '~')) {
      this.at++
      const next = this.peek()
      // -9223372036854775808 is the smallest integer, not the negation of a too-big one.
      if (t.v === '-' && next.t === 'number' && next.v === '9223372036854775808') {
        this.at++
        return value(-(2n ** 63n))
      }
      if (t.v === '-') {
        const folded = this.negatedRealLiteral()
        if (folded !== undefined) return folded
      }
      // A signed integer literal is one literal, as SQLite's sqlite3ExprIsInteger reads it: `order
      // by -1` is a position out of range, `order by +2` the second column.
      if ((t.v === '-' || t.v === '+') && next.t === 'number' && /^\d{1,15}$/.test(next.v)) {
        this.at++
        const n = Number(next.v)
        return literal(t.v === '-' && n !== 0 ? -n : n)
      }
      return unary(t.v, this.prefix())
    }
    if (this.isWord('not') && !this.isWord('exists', 1)) {
      this.at++
      return unary('not', this.expression(NOT_LEVEL))
    }
    return this.primary()
  }

  /**
   * After a unary minus: a real literal (`0.0`, `.5`, `1e3`), alone or in parentheses, read as the
   * negative literal, as SQLite codes a minus over a TK_FLOAT (expr.c: codeReal with negation): so
   * `-0.0` and `-(0.0)` are the real -0.0, where `-x` is `0 - x` (0.0 for a zero). Undefined when
   * something else follows.
   */
  private negatedRealLiteral(): AnyNode | undefined {
    let open = 0
    while (this.peek(open).t === 'op' && (this.peek(open) as { v: string }).v === '(') open++
    const number = this.peek(open)
    if (number.t !== 'number' || /^\d+$/.test(number.v) || /^0[xX]/.test(number.v)) return undefined
    for (let i = 1; i <= open; i++) {
      const close = this.peek(open + i)
      if (close.t !== 'op' || close.v !== ')') return undefined
    }
    this.at += 2 * open + 1
    const r = -Number(number.v)
    return literal(Number.isInteger(r) ? new Real(r) : r)
  }

  private primary(): AnyNode {
    const t = this.next()
    switch (t.t) {
      case 'number':
        return numberLiteral(t.v)
      case 'string':
        return value(t.v)
      case 'blob':
        return value(t.v)
      case 'node':
        return t.node
      case 'op':
        if (t.v === '(') {
          if (this.isSelectStart()) {
            const s = this.select()
            this.expectOp(')')
            return s
          }
          const inner = this.expression()
          if (this.acceptOp(',')) {
            // A row value (rowvalue.html), as Kysely's tuple() and refTuple() make it.
            const values = [inner]
            do values.push(this.expression())
            while (this.acceptOp(','))
            this.expectOp(')')
            return node('TupleNode', { values })
          }
          this.expectOp(')')
          return node('ParensNode', { node: inner })
        }
        if (t.v === '*') this.fail('* where an expression was expected')
        this.at--
        return this.fail('expected an expression')
      case 'name':
        return this.word(t)
      case 'end':
        return this.fail('expected an expression')
    }
  }

  private word(t: Extract<Token, { t: 'name' }>): AnyNode {
    const word = t.v.toLowerCase()
    if (!t.quoted) {
      switch (word) {
        case 'null':
          return value(null)
        case 'true':
        case 'false':
          return booleanKeyword(word === 'true')
        case 'current_timestamp':
        case 'current_date':
        case 'current_time':
          return node('RawNode', { sqlFragments: [word], parameters: [] })
        case 'case':
          return this.caseExpression()
        case 'cast':
          return this.cast()
        case 'exists': {
          this.expectOp('(')
          const s = this.select()
          this.expectOp(')')
          return unary('exists', s)
        }
        case 'not':
          // `not exists (...)`
          this.expectWord('exists')
          this.expectOp('(')
          return this.closeSubquery(unary('not exists', this.select()))
        case 'select':
          this.at--
          return this.fail('a select outside parentheses')
      }
      if (reserved(word) && !this.isOp('(')) {
        this.at--
        return this.fail('expected an expression')
      }
    }
    if (this.isOp('(') && !t.quoted) return this.call(t.v)
    if (this.acceptOp('.')) {
      if (this.acceptOp('*')) return reference(node('SelectAllNode', {}), t.v)
      const second = this.name()
      if (this.acceptOp('.')) {
        // schema.table.column: only SQLite's "main" schema exists.
        if (t.v.toLowerCase() !== 'main') this.fail(`unknown database ${t.v}`)
        return reference(this.name(), second)
      }
      return reference(second, t.v)
    }
    return reference(t.v)
  }

  private closeSubquery(n: AnyNode): AnyNode {
    this.expectOp(')')
    return n
  }

  private call(name: string): AnyNode {
    this.expectOp('(')
    let distinct = false
    const args: AnyNode[] = []
    if (this.acceptOp('*')) {
      args.push(node('SelectAllNode', {}))
    } else if (!this.isOp(')')) {
      distinct = this.acceptWord('distinct')
      if (!distinct) this.acceptWord('all')
      do args.push(this.expression())
      while (this.acceptOp(','))
    }
    // An aggregate's own order: `group_concat(x, ',' order by y desc)` (SQLite 3.44).
    let orderBy: AnyNode | undefined
    if (this.acceptWord('order', 'by')) {
      const items: AnyNode[] = []
      do items.push(this.orderItem(this.expression()))
      while (this.acceptOp(','))
      orderBy = node('OrderByNode', { items })
    }
    this.expectOp(')')
    // A plain call stays a FunctionNode, which the compiler (and aggregate detection) read as an
    // aggregate by its name and argument count, as SQLite does; `*`, distinct and filter need the
    // aggregate node.
    const aggregate = distinct || orderBy !== undefined || args.some((a) => a.kind === 'SelectAllNode')
    let filter: AnyNode | undefined
    if (this.acceptWord('filter')) {
      this.expectOp('(')
      this.expectWord('where')
      filter = node('WhereNode', { where: this.expression() })
      this.expectOp(')')
    }
    const over = this.acceptWord('over') ? this.window() : undefined
    if (!aggregate && filter === undefined && over === undefined)
      return node('FunctionNode', { func: name, arguments: args })
    return node('AggregateFunctionNode', {
      func: name,
      aggregated: args,
      ...(distinct ? { distinct: true } : {}),
      ...(filter === undefined ? {} : { filter }),
      ...(orderBy === undefined ? {} : { orderBy }),
      ...(over === undefined ? {} : { over }),
    })
  }

  /**
   * A window definition after `over`, as Kysely's OverNode: `(partition by ... order by ...
   * [frame])`; without a frame, SQLite's default. `over w` and `over (w order by ...)` name a
   * window of the select's `window` clause (`windowName`, resolved by the statement parser).
   */
  protected window(): AnyNode {
    // `over w`: a window the select's `window` clause names (query-parser.ts resolves it).
    if (!this.isOp('(')) return node('OverNode', { windowName: this.name() })
    this.expectOp('(')
    const parts: Record<string, unknown> = {}
    if (this.isName() && !['partition', 'order', 'rows', 'range', 'groups'].some((w) => this.isWord(w)))
      parts['windowName'] = this.name()
    if (this.acceptWord('partition', 'by')) {
      const items: AnyNode[] = []
      do items.push(node('PartitionByItemNode', { partitionBy: this.expression() }))
      while (this.acceptOp(','))
      parts['partitionBy'] = node('PartitionByNode', { items })
    }
    if (this.acceptWord('order', 'by')) {
      const items: AnyNode[] = []
      do items.push(this.orderItem(this.expression()))
      while (this.acceptOp(','))
      parts['orderBy'] = node('OrderByNode', { items })
    }
    const units = ['rows', 'range', 'groups'].find((w) => this.acceptWord(w))
    if (units !== undefined) parts['frame'] = this.frame(units)
    this.expectOp(')')
    return node('OverNode', parts)
  }

  /** An order by item: `orderBy`, then `asc` / `desc` and `nulls first` / `nulls last` when written. */
  protected orderItem(orderBy: AnyNode): AnyNode {
    const item: Record<string, unknown> = { orderBy }
    if (this.acceptWord('desc')) item['direction'] = node('RawNode', { sqlFragments: ['desc'], parameters: [] })
    else if (this.acceptWord('asc')) item['direction'] = node('RawNode', { sqlFragments: ['asc'], parameters: [] })
    if (this.acceptWord('nulls', 'first')) item['nulls'] = 'first'
    else if (this.acceptWord('nulls', 'last')) item['nulls'] = 'last'
    return node('OrderByItemNode', item)
  }

  /**
   * A frame after `rows`, `range` or `groups`: `between <bound> and <bound>`, or one start bound
   * (ending at the current row), then `exclude ...`. A node of this dialect's own (Kysely's
   * builder writes no frames): WindowFrameNode { units, start, end, exclude }, each bound a
   * WindowBoundNode { bound: 'unbounded-preceding' | 'preceding' | 'current' | 'following' |
   * 'unbounded-following', offset? }.
   */
  private frame(units: string): AnyNode {
    let start: AnyNode
    let end: AnyNode
    if (this.acceptWord('between')) {
      start = this.frameBound()
      this.expectWord('and')
      end = this.frameBound()
    } else {
      start = this.frameBound()
      end = node('WindowBoundNode', { bound: 'current' })
    }
    let exclude = 'no others'
    if (this.acceptWord('exclude')) {
      if (this.acceptWord('no', 'others')) exclude = 'no others'
      else if (this.acceptWord('current', 'row')) exclude = 'current row'
      else if (this.acceptWord('group')) exclude = 'group'
      else if (this.acceptWord('ties')) exclude = 'ties'
      else this.fail('expected no others, current row, group or ties')
    }
    return node('WindowFrameNode', { units, start, end, exclude })
  }

  private frameBound(): AnyNode {
    if (this.acceptWord('unbounded')) {
      if (this.acceptWord('preceding')) return node('WindowBoundNode', { bound: 'unbounded-preceding' })
      this.expectWord('following')
      return node('WindowBoundNode', { bound: 'unbounded-following' })
    }
    if (this.acceptWord('current', 'row')) return node('WindowBoundNode', { bound: 'current' })
    const offset = this.expression()
    if (this.acceptWord('preceding')) return node('WindowBoundNode', { bound: 'preceding', offset })
    this.expectWord('following')
    return node('WindowBoundNode', { bound: 'following', offset })
  }

  private caseExpression(): AnyNode {
    const subject = this.isWord('when') ? undefined : this.expression()
    const when: AnyNode[] = []
    while (this.acceptWord('when')) {
      const condition = this.expression()
      this.expectWord('then')
      when.push(node('WhenNode', { condition, result: this.expression() }))
    }
    if (when.length === 0) this.fail('expected when')
    const otherwise = this.acceptWord('else') ? this.expression() : undefined
    this.expectWord('end')
    return node('CaseNode', {
      ...(subject === undefined ? {} : { value: subject }),
      when,
      ...(otherwise === undefined ? {} : { else: otherwise }),
    })
  }

  private cast(): AnyNode {
    this.expectOp('(')
    const expression = this.expression()
    this.expectWord('as')
    const words: string[] = []
    while (this.peek().t === 'name' && !this.isOp(')')) words.push(this.name())
    let type = words.join(' ')
    if (this.acceptOp('(')) {
      const sizes: string[] = []
      do {
        const t = this.next()
        if (t.t !== 'number') this.fail('expected a size')
        sizes.push(t.v)
      } while (this.acceptOp(','))
      this.expectOp(')')
      type += `(${sizes.join(', ')})`
    }
    this.expectOp(')')
    return node('CastNode', { expression, dataType: node('DataTypeNode', { dataType: type }) })
  }
}
