import type { OperationNode } from 'kysely'
import type { TableDef } from '../catalog/catalog.js'
import { nodeOf, storedNode } from '../catalog/stored-node.js'
import { truth, type SqlValue } from '../encoding/values.js'
import { BTreeSqlError } from '../errors.js'
import { compileExpr, type Expr } from '../expression/expression.js'
import type { AnyNode } from '../expression/nodes.js'
import { byPrecedence } from '../expression/precedence.js'
import { ArrayRow, Scope, type RowLike } from '../expression/scope.js'

/**
 * CHECK constraints, enforced as SQLite enforces them (always: only foreign keys wait for a
 * pragma): each one's expression is evaluated over a row about to be written, after NOT NULL and
 * before uniqueness, and a row for which one is false (not null: unknown passes) is refused with
 * `BTREE_SQL_CHECK_VIOLATION`, "CHECK constraint failed: " and the constraint's name, or its text.
 *
 * The catalog keeps each as a string (a column's `check`, a table's `checks`): the JSON of a
 * stored check (`{ kind: 'StoredCheck', expression, text?, name? }`, storedNode's tags), or, as
 * written before checks were enforced, the JSON of the expression alone. A table's `checks` also
 * keeps its foreign keys (kind ForeignKeyConstraintNode), which are metadata only.
 */
export function storedCheck(check: AnyNode): string {
  const expression = check.expression as AnyNode
  const name = (check.name as AnyNode | undefined)?.name as string | undefined
  const text = (check.text as string | undefined) ?? rawText(expression)
  return JSON.stringify(
    storedNode({
      kind: 'StoredCheck',
      expression,
      ...(text === undefined ? {} : { text }),
      ...(name === undefined ? {} : { name }),
    }),
  )
}

/** A check's text when it was written as raw SQL without values (`sql\`y > 0\``). */
function rawText(expression: AnyNode): string | undefined {
  if (expression.kind !== 'RawNode') return undefined
  const fragments = expression.sqlFragments as readonly string[]
  return fragments.length === 1 ? fragments[0]!.trim() : undefined
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
    const parsed = nodeOf(JSON.parse(stored)) as Record<string, unknown>
    if (parsed['kind'] === 'ForeignKeyConstraintNode') return
    const isStored = parsed['kind'] === 'StoredCheck'
    const expression = (isStored ? parsed['expression'] : parsed) as AnyNode
    const label = isStored ? ((parsed['name'] ?? parsed['text']) as string | undefined) : rawText(expression)
    out.push({ expr: compileExpr(byPrecedence(expression as OperationNode), scope), label: label ?? 'check' })
  }
  for (const c of table.columns) if (c.check !== undefined) add(c.check)
  for (const c of table.checks) add(c)
  checks = out
  compiled.set(table, checks)
  return checks
}

/** Refuses a row (values by slot, affinity applied) for which a check of `table` is false. */
export function checkConstraints(table: TableDef, values: readonly SqlValue[] | RowLike): void {
  if (table.checks.length === 0 && !table.columns.some((c) => c.check !== undefined)) return
  const checks = checksOf(table)
  if (checks.length === 0) return
  const t = [Array.isArray(values) ? new ArrayRow(values as SqlValue[]) : (values as RowLike)]
  for (const c of checks) {
    if (truth(c.expr.eval(t)) === false)
      throw new BTreeSqlError('BTREE_SQL_CHECK_VIOLATION', `CHECK constraint failed: ${c.label}`)
  }
}
