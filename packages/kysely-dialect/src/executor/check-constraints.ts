import type { OperationNode } from 'kysely'
import type { ColumnDef, TableDef } from '../catalog/catalog.js'
import { namesColumn, nodeOf, renameIn, storedNode } from '../catalog/stored-node.js'
import { resolveRaw } from '../sql/resolve-raw.js'
import { lex, type AnyNode as LexNode, type Token } from '../sql/lexer.js'
import { truth, type SqlValue } from '../encoding/values.js'
import { BTreeSqlError } from '../errors.js'
import { compileExpr, type Expr } from '../expression/expression.js'
import { rawText, type AnyNode } from '../expression/nodes.js'
import { byPrecedence } from '../expression/precedence.js'
import { ArrayRow, Scope, type RowLike } from '../expression/scope.js'

/**
 * CHECK constraints, enforced as SQLite enforces them (always, where foreign keys follow a
 * pragma): each one's expression is evaluated over a row about to be written, after NOT NULL and
 * before uniqueness, and a row for which one is false (not null: unknown passes) is refused with
 * `BTREE_SQL_CHECK_VIOLATION`, "CHECK constraint failed: " and the constraint's name, or its text.
 *
 * The catalog keeps each as a string (a column's `check`, a table's `checks`): the JSON of a
 * stored check (`{ kind: 'StoredCheck', expression, text?, name? }`, storedNode's tags), or, as
 * written before checks were enforced, the JSON of the expression alone. A table's `checks` also
 * keeps its foreign keys too (kind ForeignKeyConstraintNode: catalog/foreign-keys.ts).
 */
export function storedCheck(check: AnyNode): string {
  const written = check.expression as AnyNode
  const name = (check.name as AnyNode | undefined)?.name as string | undefined
  const text = (check.text as string | undefined) ?? checkText(written)
  // Raw SQL read into nodes now, so that a rename or a drop of a column finds it (alter-table.ts).
  return JSON.stringify(
    storedNode({
      kind: 'StoredCheck',
      expression: resolveRaw(written),
      ...(text === undefined ? {} : { text }),
      ...(name === undefined ? {} : { name }),
    }),
  )
}

/** A check's text when it was written as raw SQL (`sql\`y > 0\``). */
function checkText(expression: AnyNode): string | undefined {
  return expression.kind === 'RawNode' ? rawText(expression)?.trim() : undefined
}

/** A check as the catalog keeps it (storedCheck), its tree still tagged (storedNode). */
interface StoredCheck {
  kind: 'StoredCheck'
  expression: unknown
  text?: string
  name?: string
}

/** A stored check read (one kept as its expression alone made a StoredCheck); undefined for a foreign key. */
function readCheck(stored: string): StoredCheck | undefined {
  const parsed = JSON.parse(stored) as Record<string, unknown>
  if (parsed['kind'] === 'ForeignKeyConstraintNode') return undefined
  if (parsed['kind'] === 'StoredCheck') return parsed as unknown as StoredCheck
  const written = nodeOf(parsed) as AnyNode
  const text = checkText(written)
  return {
    kind: 'StoredCheck',
    expression: storedNode(resolveRaw(written)),
    ...(text === undefined ? {} : { text }),
  }
}

/**
 * Renames column `from` to `to` in the table's checks (in place: the table is the alteration's
 * copy): in their trees, and in their text where it names the column, as SQLite rewrites a
 * renamed column in its CREATE TABLE text.
 */
export function renameInChecks(table: TableDef, from: string, to: string): void {
  const rename = (stored: string): string => {
    const check = readCheck(stored)
    if (check === undefined) return stored
    renameIn(check.expression, from, to)
    if (check.text !== undefined) check.text = renameInText(check.text, from, to)
    return JSON.stringify(check)
  }
  for (const c of table.columns) if (c.check !== undefined) c.check = rename(c.check)
  table.checks = table.checks.map(rename)
}

/** Whether a check of the table's, or of a column other than `column`, reads `column`. */
export function checkNames(table: TableDef, column: ColumnDef): boolean {
  const names = (stored: string): boolean => {
    const check = readCheck(stored)
    return check !== undefined && namesColumn(check.expression, column.name)
  }
  return table.checks.some(names) || table.columns.some((c) => c !== column && c.check !== undefined && names(c.check))
}

/**
 * `text` with every name token `from` (bare or quoted, any case) written `to`, read by the raw SQL
 * lexer (so string literals, numbers like `1e5` and comments stay as they are); the text as it was
 * where the lexer refuses it.
 */
function renameInText(text: string, from: string, to: string): string {
  let tokens: readonly Token[]
  try {
    tokens = lex({ kind: 'RawNode', sqlFragments: [text], parameters: [] } as unknown as LexNode).tokens
  } catch {
    return text
  }
  const lower = from.toLowerCase()
  const written = /^[A-Za-z_][\w$]*$/.test(to) ? to : `"${to.replaceAll('"', '""')}"`
  let out = ''
  let at = 0
  for (const t of tokens) {
    if (t.t !== 'name' || t.v.toLowerCase() !== lower) continue
    out += text.slice(at, t.at) + (t.quoted ? `"${to.replaceAll('"', '""')}"` : written)
    at = t.end
  }
  return out + text.slice(at)
}

interface CompiledCheck {
  readonly expr: Expr
  readonly label: string
}

/** A table's checks, compiled once per definition (definitions are replaced, not edited). */
const compiled = new WeakMap<TableDef, readonly CompiledCheck[]>()

function checksOf(table: TableDef): readonly CompiledCheck[] {
  let checks = compiled.get(table)
  if (checks !== undefined) return checks
  const scope = new Scope([{ table, name: table.name }])
  const out: CompiledCheck[] = []
  const add = (stored: string): void => {
    const check = readCheck(stored)
    if (check === undefined) return
    const expression = nodeOf(check.expression) as AnyNode
    const label = check.name ?? check.text ?? 'check'
    out.push({ expr: compileExpr(byPrecedence(expression as OperationNode), scope), label })
  }
  for (const c of table.columns) if (c.check !== undefined) add(c.check)
  for (const c of table.checks) add(c)
  checks = out
  compiled.set(table, checks)
  return checks
}

/**
 * Compiles a new or altered table's checks, so that one naming a column the table lacks, or
 * using what this dialect cannot evaluate, fails the schema statement rather than every write.
 */
export function validateChecks(table: TableDef): void {
  checksOf(table)
}

/** Refuses a row (values by slot, affinity applied) for which a check of `table` is false. */
export function checkConstraints(table: TableDef, values: readonly SqlValue[] | RowLike): void {
  const checks = compiled.get(table) ?? checksOf(table)
  if (checks.length === 0) return
  const t = [Array.isArray(values) ? new ArrayRow(values as SqlValue[]) : (values as RowLike)]
  for (const c of checks) {
    if (truth(c.expr.eval(t)) === false)
      throw new BTreeSqlError('BTREE_SQL_CHECK_VIOLATION', `CHECK constraint failed: ${c.label}`)
  }
}
