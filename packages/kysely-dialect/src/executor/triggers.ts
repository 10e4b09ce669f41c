import type { OperationNode } from 'kysely'
import {
  checkObjectName,
  type Catalog,
  type ColumnDef,
  findColumn,
  nextId,
  saveTriggers,
  type TableDef,
  type TriggerDef,
} from '../catalog/catalog.js'
import { nodeOf, storedNode, tableNameOf } from '../catalog/stored-node.js'
import { BTreeSqlError } from '../errors.js'
import type { SqlValue } from '../encoding/values.js'
import { truth } from '../encoding/values.js'
import { applyAffinity } from '../catalog/affinity.js'
import { compileExpr } from '../expression/expression.js'
import type { AnyNode } from '../expression/nodes.js'
import { enterTriggerProgram, leaveTriggerProgram, RaiseIgnore, raiseActionOf } from '../expression/raise.js'
import { EMPTY_SCOPE, ROWID_NAMES, rowidColumn } from '../expression/scope.js'
import type { Expr } from '../expression/expression.js'
import { compileWithParameters, guardHolds, guardOf, Parameters } from '../expression/parameters.js'
import { markRollback } from './conflict-actions.js'
import type { PreparedStatement, StatementResult, WriteContext } from './context.js'
import { allFit, collectSubqueryFits, currentContext, type PlanFits } from './current-context.js'
import { withStatementRun } from '../expression/subquery-hook.js'
import { readBucket, rowView, type StoredRow } from './table-store.js'
import type { RowView } from '../encoding/rows.js'

/**
 * Triggers (lang_createtrigger.html): `create trigger` and `drop trigger` as raw SQL, and the
 * firing of BEFORE and AFTER row triggers on INSERT, UPDATE [OF columns] and DELETE around each row
 * a statement writes (foreign-keys.ts's insertChecked, updateChecked and deleteChecked, and
 * insert-conflict.ts's insertUnder, call beforeRow and fireRow), foreign key actions' row changes
 * included, and of a view's INSTEAD OF triggers for the rows a write to it would write
 * (view-writes.ts calls fireRow). As in SQLite with `recursive_triggers` off (its default): a
 * table's triggers fire newest first, a trigger does not fire while it is already running, the
 * trigger's statements are part of the statement that fired it (its changes are undone with it;
 * they count in total_changes(), not in changes()), NEW and OLD name the row's values (NEW of a
 * BEFORE trigger with the columns' affinity, and -1 for an integer primary key not yet assigned),
 * and last_insert_rowid() is restored when the trigger ends. RAISE(IGNORE) drops the row (in a
 * BEFORE or INSTEAD OF trigger) and ends the trigger; RAISE(ABORT) fails the statement, RAISE(FAIL)
 * too but keeps the rows it changed before, RAISE(ROLLBACK) ends the transaction.
 */

/**
 * The compilers of the statements a trigger can hold (insert, update, delete, select), by root
 * kind, as statement.ts prepares them (set there: no import cycle).
 */
export type TriggerRunners = Record<
  'InsertQueryNode' | 'UpdateQueryNode' | 'DeleteQueryNode' | 'SelectQueryNode',
  (node: AnyNode, ctx: WriteContext) => PreparedStatement<WriteContext>
>

let runners: TriggerRunners | undefined

export function setTriggerRunners(r: TriggerRunners): void {
  runners = r
}

const NONE: StatementResult = { rows: [], changes: 0, reader: false }

/** `create trigger ...` (the parser's CreateTriggerNode): checked against the schema and stored. */
export function runCreateTrigger(node: AnyNode, ctx: WriteContext): StatementResult {
  const name = node.name as string
  checkObjectName(name)
  const timing = node.timing as string
  const tableName = node.table as string
  const existing = ctx.catalog.trigger(name)
  if (existing !== undefined) {
    if (node.ifNotExists === true) return NONE
    throw new BTreeSqlError('BTREE_SQL_TRIGGER_EXISTS', `trigger ${name} already exists`)
  }
  // BEFORE and AFTER triggers are a table's, INSTEAD OF triggers a view's (view-writes.ts).
  const table = ctx.catalog.table(tableName) ?? ctx.catalog.view(tableName)
  if (table === undefined) throw new BTreeSqlError('BTREE_SQL_NO_SUCH_TABLE', `no such table: main.${tableName}`)
  const onView = ctx.catalog.table(tableName) === undefined
  if (onView !== (timing === 'instead of'))
    throw new BTreeSqlError(
      'BTREE_SQL_UNSUPPORTED',
      onView
        ? `cannot create ${timing.toUpperCase()} trigger on view: main.${tableName}`
        : `cannot create INSTEAD OF trigger on table: main.${tableName}`,
    )
  const columns = node.columns as string[] | undefined
  const def: TriggerDef = {
    name,
    table: table.name,
    timing: timing as TriggerDef['timing'],
    event: node.event as TriggerDef['event'],
    ...(columns === undefined ? {} : { columns }),
    ...(node.when === undefined ? {} : { when: storedNode(node.when) }),
    body: (node.body as AnyNode[]).map((b) => storedNode(b)),
    sql: node.sql as string,
    seq: nextId(ctx.tx),
    ...(node.temporary === true ? { temporary: true } : {}),
  }
  saveTriggers(ctx.tx, ctx.catalog.withTrigger(def), [def])
  return NONE
}

/** `drop trigger [if exists] t`. */
export function runDropTrigger(node: AnyNode, ctx: WriteContext): StatementResult {
  const name = node.name as string
  const trigger = ctx.catalog.trigger(name)
  if (trigger === undefined) {
    if (node.ifExists === true) return NONE
    throw new BTreeSqlError('BTREE_SQL_NO_SUCH_TRIGGER', `no such trigger: ${name}`)
  }
  saveTriggers(ctx.tx, ctx.catalog.withoutTriggers([trigger.name]), [], [trigger])
  return NONE
}

/**
 * The conflict action (`insert or replace | ignore | fail | rollback`) of the statement whose row
 * fired the running trigger, when it named one: as in SQLite, it overrides the action of every
 * insert in the trigger's statements (an `insert or ignore` in a trigger fired by an `insert or
 * replace` replaces), and passes on to the triggers those fire.
 */
let outerAction: string | undefined

/** Runs `run` (a statement) with its conflict action as the one its triggers' statements take. */
export function withConflictActionOf<T>(node: AnyNode, run: () => T): T {
  const previous = outerAction
  outerAction = actionOf(node) ?? previous
  try {
    return run()
  } finally {
    outerAction = previous
  }
}

/** An insert's or update's OR action as the parser and Kysely write it (`replace into` too); undefined for none. */
function actionOf(node: AnyNode): string | undefined {
  if (node.kind !== 'InsertQueryNode' && node.kind !== 'UpdateQueryNode') return undefined
  if (node.replace === true) return 'replace'
  if (node.ignore === true) return 'ignore'
  const action = (node.orAction as AnyNode | undefined)?.action
  return typeof action === 'string' ? action.toLowerCase() : undefined
}

/**
 * A trigger's insert or update under the outer statement's action (an insert with an upsert clause
 * of its own keeps it; an `update ... from` keeps its own, which is none).
 */
function underOuterAction(statement: AnyNode): AnyNode {
  if (outerAction === undefined) return statement
  if (
    statement.kind === 'InsertQueryNode'
      ? statement.onConflict !== undefined
      : statement.kind !== 'UpdateQueryNode' || statement.from !== undefined
  )
    return statement
  const { replace: _r, ignore: _i, ...rest } = statement
  return { ...rest, orAction: { kind: 'OrActionNode', action: outerAction } } as unknown as AnyNode
}

/** Triggers that are running: with recursive_triggers off, none of them fires again meanwhile. */
const active = new Set<TriggerDef>()
/** Set while DROP TABLE deletes a table's rows (foreign keys): that delete fires no trigger, as in SQLite. */
let suppressed = 0

export function withoutTriggers<T>(run: () => T): T {
  suppressed++
  try {
    return run()
  } finally {
    suppressed--
  }
}

/**
 * The row a trigger reads as NEW or OLD: its values by slot, then (at `table.nextSlot`) the rowid of
 * a table whose rowid no column holds (scope.ts: rowidColumn), which `new.rowid` / `old.rowid`
 * read (rowidSlotColumn). OLD's comes from the caller (storedValues); NEW's is set here.
 */
type RowValues = readonly SqlValue[]

/** A stored row as a trigger reads it as OLD (RowValues): with its hidden rowid, where it has one. */
export function storedValues(table: TableDef, row: RowView): SqlValue[] {
  const values = row.all(table.nextSlot)
  if (rowidColumn(table) !== undefined) values[table.nextSlot] = row.rowid()
  return values
}

/** The width of a trigger program's NEW (and OLD) values: every slot, then the hidden rowid's. */
function rowWidth(table: TableDef): number {
  return table.nextSlot + 1
}

/** NEW with its rowid (RowValues) for a table with a hidden rowid; the values as they are otherwise. */
function withRowid(table: TableDef, values: RowValues, rowid: SqlValue | undefined): RowValues {
  if (rowid === undefined || rowidColumn(table) === undefined) return values
  const out = values.slice(0, table.nextSlot)
  out[table.nextSlot] = rowid
  return out
}

/**
 * Fires the BEFORE triggers of `event` on `table` for one row; false when one of them raised
 * IGNORE (the row is then left as it is). `assigned`: an update's SET slots (UPDATE OF).
 */
export function beforeRow(
  table: TableDef,
  event: TriggerDef['event'],
  oldRow: RowValues | undefined,
  newRow: RowValues | undefined,
  assigned?: ReadonlySet<number>,
  rowid?: SqlValue,
): boolean {
  const list = listFor(table, 'before', event)
  if (list.length === 0) return true
  const next = newRow === undefined ? undefined : newBefore(table, event, newRow, rowid ?? oldRow?.[table.nextSlot])
  return fire(table, list, oldRow, next, assigned)
}

/**
 * NEW as a BEFORE trigger sees it: the columns' affinity applied (SQLite applies it before the
 * triggers run), and an insert's rowid not yet assigned -1 (an integer primary key's or a hidden
 * one's, `rowid` the one an insert lists), as in SQLite.
 */
function newBefore(
  table: TableDef,
  event: TriggerDef['event'],
  values: RowValues,
  rowid: SqlValue | undefined,
): SqlValue[] {
  const out = values.slice(0, table.nextSlot)
  for (const c of table.columns) out[c.slot] = applyAffinity(out[c.slot] ?? null, c.affinity)
  if (event === 'insert' && table.keying === 'rowid' && table.rowidColumn !== undefined) {
    const slot = findColumn(table, table.rowidColumn)!.slot
    if (out[slot] === null) out[slot] = -1
  }
  if (rowidColumn(table) !== undefined) out[table.nextSlot] = rowid ?? (event === 'insert' ? -1 : null)
  return out
}

/**
 * Fires the AFTER triggers of `event` on `table` for one row written, or a view's INSTEAD OF
 * triggers (its columns as `table`, view-writes.ts) for one row a write to it would write
 * (RAISE(IGNORE) in one ends the row's triggers).
 */
export function fireRow(
  table: TableDef,
  timing: 'after' | 'instead of',
  event: TriggerDef['event'],
  oldRow: RowValues | undefined,
  newRow: RowValues | undefined,
  assigned?: ReadonlySet<number>,
  rowid?: SqlValue,
): void {
  const list = listFor(table, timing, event)
  if (list.length === 0) return
  // NEW's hidden rowid: an insert's as it went in, an update's the row's (as OLD's).
  const next = newRow === undefined ? undefined : withRowid(table, newRow, rowid ?? oldRow?.[table.nextSlot])
  fire(table, list, oldRow, next, assigned)
}

/** Whether a row write of `event` on `table` may fire a trigger now (before its rows are gathered). */
export function mayFire(table: TableDef, event: TriggerDef['event']): boolean {
  return listFor(table, 'before', event).length > 0 || listFor(table, 'after', event).length > 0
}

function listFor(table: TableDef, timing: TriggerDef['timing'], event: TriggerDef['event']): readonly TriggerDef[] {
  if (suppressed > 0) return NO_TRIGGERS
  const catalog = currentContext().catalog
  // Most schemas have none: one field read per row written.
  return catalog.hasTriggers ? catalog.triggersFor(table, timing, event) : NO_TRIGGERS
}

const NO_TRIGGERS: readonly TriggerDef[] = []

/** The row stored under `row`'s key now (undefined once deleted), for a statement whose triggers may write. */
export function rowNow(tx: WriteContext['tx'], table: TableDef, row: StoredRow): StoredRow | undefined {
  const bytes = readBucket(tx, table)?.get(row.key)
  return bytes === undefined ? undefined : { key: row.key, row: rowView(table, bytes, row.key) }
}

function fire(
  table: TableDef,
  list: readonly TriggerDef[],
  oldRow: RowValues | undefined,
  newRow: RowValues | undefined,
  assigned: ReadonlySet<number> | undefined,
): boolean {
  const ctx = currentContext() as WriteContext
  for (const trigger of list) {
    if (active.has(trigger)) continue
    if (trigger.columns !== undefined && assigned !== undefined && !namesAssigned(table, trigger.columns, assigned))
      continue
    if (!runProgram(ctx, table, trigger, oldRow, newRow) && trigger.timing !== 'after') return false
  }
  return true
}

/** UPDATE OF: whether the SET list names one of the columns (a name the table lacks names none). */
function namesAssigned(table: TableDef, columns: readonly string[], assigned: ReadonlySet<number>): boolean {
  return columns.some((c) => {
    const col = findColumn(table, c)
    return col !== undefined && assigned.has(col.slot)
  })
}

/** Runs one trigger's WHEN and statements for a row; false when RAISE(IGNORE) ended it. */
function runProgram(
  ctx: WriteContext,
  table: TableDef,
  trigger: TriggerDef,
  oldRow: RowValues | undefined,
  newRow: RowValues | undefined,
): boolean {
  const program = programOf(trigger, table)
  const values = program.values
  const width = rowWidth(table)
  for (let i = 0; i < width; i++) {
    values[i] = newRow?.[i] ?? null
    values[width + i] = oldRow?.[i] ?? null
  }
  const lastInsertRowid = ctx.session.lastInsertRowid
  active.add(trigger)
  enterTriggerProgram()
  try {
    if (program.when !== undefined) {
      if (truth(evalCompiled(ctx, program.when)) !== true) return true
    }
    for (const step of program.body) {
      // The statement under the outer statement's OR action (a compiled form holds for one action).
      const statement = underOuterAction(step.tree)
      const result = withConflictActionOf(statement, () => runCompiled(ctx, step, statement))
      // A trigger's own changes count in total_changes() (not in changes()), as in SQLite.
      ctx.session.totalChanges += result.changes
    }
    return true
  } catch (err) {
    if (err instanceof RaiseIgnore) return false
    const action = raiseActionOf(err)
    if (action === 'rollback') markRollback(err)
    throw err
  } finally {
    leaveTriggerProgram()
    active.delete(trigger)
    ctx.session.lastInsertRowid = lastInsertRowid
  }
}

/**
 * A trigger's condition or statement, compiled once (SQLite's trigger program) with each `new.x`
 * and `old.x` a parameter read from the program's values (its value node in `tree`, slot in
 * `parameters`), and again only when the schema, the outer statement's OR action, a value the
 * compilation read or the fit of its plan or of its subqueries' plans changes (as
 * statement-cache.ts does). Each run is a statement run of its own (subquery-hook.ts): an
 * uncorrelated subquery's rows are read again for each row the trigger fires for.
 */
interface Step {
  /** The stored tree with a placeholder value node for each `new.x` and `old.x` (slots in `parameters`). */
  readonly tree: AnyNode
  readonly parameters: Parameters
  current?: {
    readonly catalog: Catalog
    readonly action: string | undefined
    readonly guard: readonly (readonly [number, SqlValue])[]
    readonly statement: PreparedStatement<WriteContext> | undefined
    readonly expr: Expr | undefined
    /** Its subqueries' plans' checks (collectSubqueryFits). */
    readonly subqueries: readonly PlanFits[]
  }
}

interface Program {
  /** The table definition the parameters' slots were laid out for. */
  readonly table: TableDef
  /** NEW's values by slot, then OLD's: the parameters every step reads. */
  readonly values: SqlValue[]
  readonly when: Step | undefined
  readonly body: Step[]
}

const programs = new WeakMap<TriggerDef, Program>()

function programOf(trigger: TriggerDef, table: TableDef): Program {
  let program = programs.get(trigger)
  if (program === undefined || program.table !== table) {
    const values = new Array<SqlValue>(2 * rowWidth(table)).fill(null)
    program = {
      table,
      values,
      when: trigger.when === undefined ? undefined : stepOf(trigger.when, table, trigger.event, values),
      body: trigger.body.map((stored) => stepOf(stored, table, trigger.event, values)),
    }
    programs.set(trigger, program)
  }
  return program
}

function stepOf(stored: unknown, table: TableDef, event: TriggerDef['event'], values: SqlValue[]): Step {
  const slots = new Map<OperationNode, number>()
  const tree = placeholders(nodeOf(stored), table, event, slots) as AnyNode
  const parameters = new Parameters(slots)
  parameters.values = values
  return { tree, parameters }
}

/** Compilations of trigger steps in this process (tests read it: a program compiled once runs without compiling). */
export const triggerCounts = { compiled: 0 }

/** The step's compiled form for the running statement, compiled afresh when it no longer holds. */
function currentOf(
  ctx: WriteContext,
  step: Step,
  compile: () => Pick<NonNullable<Step['current']>, 'statement' | 'expr'>,
) {
  const c = step.current
  const values = step.parameters.values
  if (
    c !== undefined &&
    c.catalog === ctx.catalog &&
    c.action === outerAction &&
    guardHolds(c.guard, values) &&
    (c.statement === undefined || c.statement.fits(ctx.tx)) &&
    allFit(c.subqueries, ctx.tx)
  )
    return c
  step.current = undefined
  step.parameters.baked.clear()
  triggerCounts.compiled++
  const subqueries: PlanFits[] = []
  const made = collectSubqueryFits(subqueries, () => compileWithParameters(step.parameters, compile))
  const next = {
    catalog: ctx.catalog,
    action: outerAction,
    guard: guardOf(step.parameters, values),
    subqueries,
    ...made,
  }
  step.current = next
  return next
}

function evalCompiled(ctx: WriteContext, step: Step): SqlValue {
  const expr = currentOf(ctx, step, () => ({
    statement: undefined,
    expr: compileExpr(step.tree as OperationNode, EMPTY_SCOPE),
  })).expr!
  return withStatementRun(() => expr.eval([]))
}

function runCompiled(ctx: WriteContext, step: Step, tree: AnyNode): StatementResult {
  const statement = currentOf(ctx, step, () => ({ statement: prepareOf(tree)(tree, ctx), expr: undefined })).statement!
  return withStatementRun(() => statement.execute(ctx))
}

/** The compiler of a trigger's statement (the parser gives only the four kinds). */
function prepareOf(tree: AnyNode): TriggerRunners[keyof TriggerRunners] {
  return runners![tree.kind as keyof TriggerRunners]
}

/**
 * A copy of a stored statement or condition with each `new.x` and `old.x` replaced by `replace`'s
 * node for the column (a reference to a column the table lacks, or to a row the event has not,
 * is SQLite's error).
 */
function mapRowReferences(
  tree: unknown,
  table: TableDef,
  event: TriggerDef['event'],
  replace: (isNew: boolean, column: ColumnDef) => unknown,
): unknown {
  if (typeof tree !== 'object' || tree === null) return tree
  if (Array.isArray(tree)) return tree.map((t) => mapRowReferences(t, table, event, replace))
  const n = tree as AnyNode
  const ref = rowReference(n)
  if (ref !== undefined) {
    const isNew = ref.qualifier === 'new'
    const has = isNew ? event !== 'delete' : event !== 'insert'
    const col = has && ref.column !== undefined ? columnOf(table, ref.column) : undefined
    if (col === undefined)
      throw new BTreeSqlError('BTREE_SQL_NO_SUCH_COLUMN', `no such column: ${ref.qualifier}.${ref.column ?? '*'}`)
    return replace(isNew, col)
  }
  if (n.kind === 'ValueNode') return n
  const out: Record<string, unknown> = {}
  for (const k of Object.keys(n)) out[k] = mapRowReferences(n[k], table, event, replace)
  // `select new.x` (an insert ... select's rows, a validation select): the value keeps the name
  // the reference gave its result column, as SQLite's does (`x`).
  const selected = n.kind === 'SelectionNode' ? rowReference(n.selection as AnyNode)?.column : undefined
  if (selected !== undefined)
    out.selection = { kind: 'AliasNode', node: out.selection, alias: { kind: 'IdentifierNode', name: selected } }
  return out
}

/** `n` as a `new.x` or `old.x` reference (its column undefined for `new.*`), else undefined. */
function rowReference(n: AnyNode): { qualifier: 'new' | 'old'; column: string | undefined } | undefined {
  if (n.kind !== 'ReferenceNode' || n.table === undefined) return undefined
  const qualifier = tableNameOf(n.table as AnyNode)?.toLowerCase()
  if (qualifier !== 'new' && qualifier !== 'old') return undefined
  const column = ((n.column as AnyNode).column as AnyNode | undefined)?.name
  return { qualifier, column: typeof column === 'string' ? column : undefined }
}

/** A stored tree with a parameter (its value node in `slots`) for each `new.x` and `old.x`: NEW's slots first, then OLD's. */
function placeholders(
  tree: unknown,
  table: TableDef,
  event: TriggerDef['event'],
  slots: Map<OperationNode, number>,
): unknown {
  return mapRowReferences(tree, table, event, (isNew, column) => {
    // The column's declared collation rides on the node (expression.ts: value).
    const node = {
      kind: 'ValueNode',
      value: null,
      columnCollation: column.collation ?? 'binary',
    } as unknown as OperationNode
    slots.set(node, (isNew ? 0 : rowWidth(table)) + column.slot)
    return node
  })
}

/**
 * A column by name, or by `rowid`, `oid` or `_rowid_` the integer primary key, else the hidden
 * rowid the trigger's values hold after the slots (RowValues).
 */
function columnOf(table: TableDef, name: string): ReturnType<typeof findColumn> {
  const col = findColumn(table, name)
  if (col !== undefined) return col
  const lower = name.toLowerCase()
  if ((lower === 'rowid' || lower === 'oid' || lower === '_rowid_') && table.rowidColumn !== undefined)
    return findColumn(table, table.rowidColumn)
  if (ROWID_NAMES.has(lower) && rowidColumn(table) !== undefined) return rowidSlotColumn(table)
  return undefined
}

/** The hidden rowid as a trigger reads it: the slot after the table's (RowValues). */
function rowidSlotColumn(table: TableDef): ColumnDef {
  return { name: 'rowid', slot: table.nextSlot, type: '', affinity: 'integer', notNull: false }
}
