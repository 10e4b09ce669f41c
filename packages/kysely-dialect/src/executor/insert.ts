import type { OperationNode } from 'kysely'
import { findColumn, type ColumnDef, type TableDef } from '../catalog/catalog.js'
import { applyAffinity } from '../catalog/affinity.js'
import { isGenerated, writableColumn } from './generated-columns.js'
import { BTreeSqlError, unsupported } from '../errors.js'
import { isInteger, numberOf, type SqlValue } from '../encoding/values.js'
import type { PreparedStatement, StatementResult, WriteContext } from './context.js'
import { nameOf, type AnyNode } from '../expression/nodes.js'
import { withCommonTables } from './compound-select.js'
import { project, rejectParts, returningProjections } from './query-parts.js'
import { ArrayRow, ROWID_NAMES, ROWID_SLOT, rowidColumn, Scope, type Tuple } from '../expression/scope.js'
import { defaultValue, inSavepoint, type InsertOutcome } from './table-store.js'
import { conflictPolicy, insertUnder } from './insert-conflict.js'
import { isConflict, markedAction, markRollback } from './conflict-actions.js'
import { prepareSelectedRows, valueExprs } from './insert-select.js'
import { prepareViewInsert, viewTarget } from './view-writes.js'

const INSERT_PARTS_LATER = ['onDuplicateKey', 'explain', 'endModifiers', 'top', 'output']

/** One row of a values list: a value per listed column (unlisted columns take their defaults). */
type RowInput = SqlValue[]

const NO_ROW: Tuple = []

export function runInsert(node: AnyNode, ctx: WriteContext): StatementResult {
  return prepareInsert(node, ctx).execute(ctx)
}

export function prepareInsert(node: AnyNode, ctx: WriteContext): PreparedStatement<WriteContext> {
  // `with ... insert`: its common tables in scope while it is prepared.
  if (node.with !== undefined) return withCommonTables(node, ctx, (n) => prepareInsert(n, ctx))
  rejectParts(node, INSERT_PARTS_LATER)
  // A view, through its INSTEAD OF triggers.
  const view = viewTarget(ctx, node.into as OperationNode)
  if (view !== undefined) return prepareViewInsert(node, ctx, view)
  const table = ctx.catalog.requireTable(nameOf(node.into as OperationNode))
  const listed: ColumnDef[] =
    node.columns === undefined
      ? node.defaultValues === true
        ? []
        : table.columns.filter((c) => !isGenerated(c))
      : (node.columns as readonly OperationNode[]).map((c) => insertColumn(table, nameOf(c)))
  if (new Set(listed).size !== listed.length)
    throw new BTreeSqlError('BTREE_SQL_NO_SUCH_COLUMN', `a column is listed twice in the insert into ${table.name}`)
  const values = node.values as AnyNode | undefined
  if (node.defaultValues !== true && values === undefined) throw unsupported('an insert without values')
  // insert ... select reads its rows when it runs; a values list is compiled here, evaluated there.
  const selected = node.defaultValues !== true && values!.kind === 'SelectQueryNode'
  const exprs = node.defaultValues === true ? [[]] : selected ? [] : valueExprs(values!, listed.length)
  // A listed rowid (rowidColumn) goes one past the table's slots, taken off before the row goes in.
  const givesRowid = listed.some((c) => c.slot === ROWID_SLOT)
  const slots = listed.map((c) => (c.slot === ROWID_SLOT ? table.nextSlot : c.slot))
  const unlisted = table.columns.filter((c) => !listed.includes(c))
  const blank = new Array<SqlValue>(table.nextSlot + (givesRowid ? 1 : 0)).fill(null)
  // Every row is evaluated before the first goes in (a value may read the table), straight into
  // its values by slot.
  const selection = selected ? prepareSelectedRows(values!, ctx, listed.length) : undefined
  const rowsOf = (ctx: WriteContext): SqlValue[][] => {
    if (selection !== undefined)
      return selection.execute(ctx.tx, []).map((input) => fullRow(blank, slots, unlisted, input))
    const rows = new Array<SqlValue[]>(exprs.length)
    for (let r = 0; r < exprs.length; r++) {
      const row = exprs[r]!
      const full = emptyRow(blank, unlisted)
      for (let i = 0; i < row.length; i++) full[slots[i]!] = row[i]!.eval(NO_ROW)
      rows[r] = full
    }
    return rows
  }
  const scope = new Scope([{ table, name: table.name }])
  const returning = node.returning === undefined ? undefined : returningProjections(node.returning as AnyNode, scope)
  const policy = conflictPolicy(node, table)
  // `own`: each failure's action is its constraint's clause, marked on its error (constraint-conflicts.ts).
  const action = conflictAction(node) ?? (policy?.own === undefined ? undefined : 'own')
  const execute = (ctx: WriteContext): StatementResult => {
    // insert ... select reads its rows here, at each run: read while the statement compiled, a
    // cached one's values would be read as it compiles, guarding it (it then compiled at every run).
    const rows = rowsOf(ctx)
    const out: Record<string, unknown>[] = []
    let lastRowid: number | undefined
    let changes = 0
    let failure: unknown
    for (const values of rows) {
      let outcome: InsertOutcome | undefined
      const rowid = givesRowid ? givenRowid(values.pop()!) : undefined
      if (action === undefined) outcome = insertUnder(ctx.tx, table, values, policy, rowid)
      else {
        // Each row whole or not at all: OR FAIL keeps the rows before the one that fails.
        try {
          outcome = inSavepoint(ctx.tx, () => insertUnder(ctx.tx, table, values, policy, rowid))
        } catch (error) {
          if (!isConflict(error)) throw error
          const act = action === 'own' ? markedAction(error) : action
          if (act === 'rollback') throw markRollback(error)
          if (act !== 'fail') throw error
          failure = error
          break
        }
      }
      if (outcome === undefined) continue
      changes++
      // An upsert's update (rowid NaN) is no insert: last_insert_rowid stays.
      // A WITHOUT ROWID table has none to report: last_insert_rowid() stays as it was.
      if (!Number.isNaN(outcome.rowid) && table.withoutRowid !== true) lastRowid = outcome.rowid
      if (returning !== undefined)
        out.push(
          project(returning, [new ArrayRow(outcome.values, Number.isNaN(outcome.rowid) ? undefined : outcome.rowid)]),
        )
    }
    if (lastRowid !== undefined) ctx.session.lastInsertRowid = lastRowid
    return failure === undefined
      ? { rows: out, changes, reader: returning !== undefined }
      : { rows: out, changes, reader: returning !== undefined, failure }
  }
  return { fits: selection?.fits ?? ALWAYS, execute }
}

const ALWAYS = (): boolean => true

/**
 * A listed column: a real one, else by `rowid`, `oid` or `_rowid_` the INTEGER PRIMARY KEY, or
 * the rowid pseudo-column of a table whose rowid no column holds (a WITHOUT ROWID table has none).
 */
function insertColumn(table: TableDef, name: string): ColumnDef {
  if (findColumn(table, name) === undefined && ROWID_NAMES.has(name.toLowerCase())) {
    if (table.keying === 'rowid' && table.rowidColumn !== undefined)
      return writableColumn(table, table.rowidColumn, 'INSERT')
    const pseudo = rowidColumn(table)
    if (pseudo !== undefined) return pseudo
  }
  return writableColumn(table, name, 'INSERT')
}

/** A listed rowid's value as SQLite takes it (MustBeInt): null is a new one, a value no integer a mismatch. */
function givenRowid(v: SqlValue): number | bigint | undefined {
  if (v === null) return undefined
  const rowid = applyAffinity(v, 'integer')
  if (!isInteger(rowid)) throw new BTreeSqlError('BTREE_SQL_DATATYPE_MISMATCH', 'datatype mismatch')
  return typeof rowid === 'bigint' ? rowid : numberOf(rowid)
}

/** An insert's `orAbort()`, `orFail()` or `orRollback()` (conflict-actions.ts); undefined for the others. */
function conflictAction(node: AnyNode): 'fail' | 'rollback' | undefined {
  const action = ((node.orAction as AnyNode | undefined)?.action as string | undefined)?.toLowerCase()
  return action === 'fail' || action === 'rollback' ? action : undefined
}

/**
 * A row of the table's width holding the defaults of the columns the insert leaves out, nulls
 * elsewhere: a copy of `blank` (the table's width of nulls; a copy costs less than a fill).
 */
function emptyRow(blank: readonly SqlValue[], unlisted: readonly ColumnDef[]): SqlValue[] {
  const values = blank.slice()
  for (let i = 0; i < unlisted.length; i++) values[unlisted[i]!.slot] = defaultValue(unlisted[i]!)
  return values
}

function fullRow(
  blank: readonly SqlValue[],
  slots: readonly number[],
  unlisted: readonly ColumnDef[],
  input: RowInput,
): SqlValue[] {
  const values = emptyRow(blank, unlisted)
  for (let i = 0; i < slots.length; i++) values[slots[i]!] = input[i]!
  return values
}
