import type { OperationNode } from 'kysely'
import { unsupported } from '../errors.js'

/** Node fields read by name (the same shape as expression/nodes.ts's, which sits above this layer). */
export type AnyNode = OperationNode & Record<string, unknown>

/**
 * The tokens of a RawNode's text. A `${param}` between fragments is one `node` token (a value, a
 * reference, a subquery...); identifiers passed as nodes (`sql.id`, `sql.table`) become `name`
 * tokens and nested raw nodes (`sql.raw`, `sql.join`, `sql\`...\``) are read inline, as Kysely's
 * compiler prints them inline.
 */
export type Token =
  | { readonly t: 'name'; readonly v: string; readonly quoted: boolean; readonly at: number; readonly end: number }
  | { readonly t: 'number'; readonly v: string; readonly at: number; readonly end: number }
  | { readonly t: 'string'; readonly v: string; readonly at: number; readonly end: number }
  | { readonly t: 'blob'; readonly v: Uint8Array; readonly at: number; readonly end: number }
  | { readonly t: 'op'; readonly v: string; readonly at: number; readonly end: number }
  | { readonly t: 'node'; readonly node: AnyNode; readonly at: number; readonly end: number }
  | { readonly t: 'end'; readonly at: number; readonly end: number }

/** Longest first, so that `->>` wins over `->` and `<=` over `<`. */
const OPERATORS = [
  '->>',
  '||',
  '->',
  '<<',
  '>>',
  '<=',
  '>=',
  '==',
  '!=',
  '<>',
  '*',
  '/',
  '%',
  '+',
  '-',
  '&',
  '|',
  '<',
  '>',
  '=',
  '(',
  ')',
  ',',
  '.',
  ';',
  '~',
]

const IDENT_START = /[A-Za-z_\u0080-\uffff]/
const IDENT_PART = /[A-Za-z0-9_$\u0080-\uffff]/

/** The text SQLite sees, and its tokens: `text` prints each node as Kysely compiles a parameter (`?`). */
export interface Lexed {
  readonly text: string
  readonly tokens: Token[]
}

class Lexer {
  text = ''
  readonly tokens: Token[] = []

  raw(node: AnyNode): void {
    const fragments = node.sqlFragments as readonly string[]
    const params = node.parameters as readonly OperationNode[]
    for (let i = 0; i < fragments.length; i++) {
      this.fragment(fragments[i]!)
      if (i < params.length) this.param(params[i] as AnyNode)
    }
  }

  param(node: AnyNode): void {
    switch (node.kind) {
      case 'RawNode':
        return this.raw(node)
      case 'IdentifierNode':
        return this.name(node.name as string)
      case 'TableNode': {
        const id = node.table as AnyNode
        if (id.schema !== undefined) {
          this.name(((id.schema as AnyNode).name as string) ?? '')
          this.push({ t: 'op', v: '.' }, '.')
        }
        return this.name((id.identifier as AnyNode).name as string)
      }
      default:
        return this.push({ t: 'node', node }, '?')
    }
  }

  name(v: string): void {
    this.push({ t: 'name', v, quoted: true }, `"${v.replace(/"/g, '""')}"`)
  }

  push(token: DistributiveOmit<Token, 'at' | 'end'>, text: string): void {
    const at = this.text.length
    this.text += text
    this.tokens.push({ ...token, at, end: this.text.length } as Token)
  }

  fragment(s: string): void {
    let i = 0
    const n = s.length
    while (i < n) {
      const c = s[i]!
      if (/\s/.test(c)) {
        this.text += c
        i++
        continue
      }
      if (c === '-' && s[i + 1] === '-') {
        const nl = s.indexOf('\n', i)
        i = nl < 0 ? n : nl
        continue
      }
      if (c === '/' && s[i + 1] === '*') {
        const close = s.indexOf('*/', i + 2)
        i = close < 0 ? n : close + 2
        continue
      }
      const start = i
      if (c === "'") {
        let v = ''
        i++
        for (;;) {
          if (i >= n) throw unsupported(`raw SQL with an unterminated string (${s})`)
          if (s[i] === "'") {
            if (s[i + 1] === "'") {
              v += "'"
              i += 2
              continue
            }
            i++
            break
          }
          v += s[i++]
        }
        this.push({ t: 'string', v }, s.slice(start, i))
        continue
      }
      if ((c === 'x' || c === 'X') && s[i + 1] === "'") {
        const close = s.indexOf("'", i + 2)
        const hex = close < 0 ? '' : s.slice(i + 2, close)
        if (close < 0 || hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex))
          throw unsupported(`raw SQL with a malformed blob literal (${s})`)
        i = close + 1
        this.push({ t: 'blob', v: Uint8Array.from(Buffer.from(hex, 'hex')) }, s.slice(start, i))
        continue
      }
      if (c === '"' || c === '`' || c === '[') {
        const closer = c === '[' ? ']' : c
        let v = ''
        i++
        for (;;) {
          if (i >= n) throw unsupported(`raw SQL with an unterminated identifier (${s})`)
          if (s[i] === closer) {
            if (closer !== ']' && s[i + 1] === closer) {
              v += closer
              i += 2
              continue
            }
            i++
            break
          }
          v += s[i++]
        }
        this.push({ t: 'name', v, quoted: true }, s.slice(start, i))
        continue
      }
      if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(s[i + 1] ?? ''))) {
        const m = /^(0[xX][0-9a-fA-F]+|(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?)/.exec(s.slice(i))!
        i += m[0].length
        if (i < n && IDENT_PART.test(s[i]!)) throw unsupported(`raw SQL with a malformed number (${s})`)
        this.push({ t: 'number', v: m[0] }, m[0])
        continue
      }
      if (IDENT_START.test(c)) {
        while (i < n && IDENT_PART.test(s[i]!)) i++
        const word = s.slice(start, i)
        this.push({ t: 'name', v: word, quoted: false }, word)
        continue
      }
      const op = OPERATORS.find((o) => s.startsWith(o, i))
      if (op === undefined) throw unsupported(`raw SQL with the character ${c} (${s})`)
      i += op.length
      this.push({ t: 'op', v: op }, op)
    }
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never

/** The tokens of a RawNode, ending with an `end` token. */
export function lex(node: AnyNode): Lexed {
  const lexer = new Lexer()
  lexer.raw(node)
  const at = lexer.text.length
  lexer.tokens.push({ t: 'end', at, end: at })
  return { text: lexer.text, tokens: lexer.tokens }
}
