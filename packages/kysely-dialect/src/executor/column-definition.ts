import type { OperationNode } from 'kysely'
import { affinityOf } from '../catalog/affinity.js'
import type { ColumnDef, ColumnDefault, ConflictResolution } from '../catalog/catalog.js'
import { firstIn, storedNode } from '../catalog/stored-node.js'
import { storeValue } from '../catalog/stored-value.js'
import { BTreeSqlError, unsupported } from '../errors.js'
import { resolveRaw } from '../sql/resolve-raw.js'
import { declaredCollation } from '../expression/collation.js'
import { compileExpr } from '../expression/expression.js'
import { nameOf, rawChild, rawText, type AnyNode } from '../expression/nodes.js'
import { EMPTY_SCOPE } from '../expression/scope.js'
import { storedCheck } from './check-constraints.js'
import { storedGenerated } from './generated-columns.js'

/** A column definition read from its node, with the column-level constraints beside it. */
export interface ParsedColumn {
  def: ColumnDef
  primaryKey: boolean
  /** `primary key desc`: on an INTEGER column, SQLite's quirk makes it no rowid alias (create-table.ts). */
  primaryKeyDesc: boolean
  autoIncrement: boolean
  unique: boolean
  /** The column's `primary key on conflict ...` and `unique on conflict ...` (create-table.ts keeps them). */
  primaryKeyConflict?: ConflictResolution
  uniqueConflict?: ConflictResolution
}

const COLUMN_PARTS_LATER = ['frontModifiers', 'identity', 'unsigned', 'nullsNotDistinct', 'ifNotExists']

/** `collate name` (a name SQLite's identifiers allow, quoted or not), as a column's end modifier or type suffix. */
const COLLATE =
  /^(.*?)\s*\bcollate\s+(?:"((?:[^"]|"")+)"|'((?:[^']|'')+)'|`([^`]+)`|\[([^\]]+)\]|([A-Za-z_][\w$]*))\s*$/is

function collateName(m: RegExpExecArray): string {
  return (m[2]?.replace(/""/g, '"') ?? m[3]?.replace(/''/g, "'") ?? m[4] ?? m[5] ?? m[6])!
}

/** A column's constraints' own conflict clauses. */
interface ColumnConflicts {
  notNull?: ConflictResolution | undefined
  primaryKey?: ConflictResolution | undefined
  unique?: ConflictResolution | undefined
}

/** `on conflict <algorithm>` leading a column's end modifier, and what follows it. */
const ON_CONFLICT = /^\s*on\s+conflict\s+(rollback|abort|fail|ignore|replace)\b\s*(.*)$/is

/**
 * Kysely's modifyEnd(sql`on conflict replace`) (no builder method writes the clause): compiled
 * after the column's last constraint, which it then qualifies as SQLite reads it. Kysely writes
 * NOT NULL, UNIQUE, PRIMARY KEY, AUTOINCREMENT, REFERENCES and CHECK in that order: the clause
 * belongs to the last of the first three, unless one of the last three comes after it (SQLite's
 * syntax error).
 */
function endConflict(node: AnyNode, action: ConflictResolution): ColumnConflicts {
  if (node.autoIncrement !== true && node.references === undefined && node.check === undefined) {
    if (node.primaryKey === true) return { primaryKey: action }
    if (node.unique === true) return { unique: action }
    if (node.notNull === true) return { notNull: action }
  }
  throw new BTreeSqlError(
    'BTREE_SQL_UNSUPPORTED',
    'near "on": syntax error (an ON CONFLICT clause after no constraint that takes one)',
  )
}

function conflictOf(value: unknown): ConflictResolution | undefined {
  return typeof value === 'string' ? (value as ConflictResolution) : undefined
}

export function parseColumn(node: AnyNode, slot: number): ParsedColumn {
  for (const part of COLUMN_PARTS_LATER) {
    const v = node[part]
    if (v === undefined || v === false || (Array.isArray(v) && v.length === 0)) continue
    throw unsupported(`${part} in a column definition`)
  }
  let type = dataType(node.dataType as AnyNode)
  // A collation in a raw type (`sql\`text collate nocase\``), or Kysely's
  // modifyEnd(sql`collate nocase`) (raw SQL's column constraint reads as that: statement-parser.ts).
  let collation: string | undefined
  const inType = COLLATE.exec(type)
  if (inType !== null) {
    type = inType[1]!
    collation = collateName(inType)
  }
  // Raw SQL's conflict clauses, each beside its constraint (statement-parser.ts).
  let conflicts: ColumnConflicts = {
    notNull: conflictOf(node.notNullConflict),
    primaryKey: conflictOf(node.primaryKeyConflict),
    unique: conflictOf(node.uniqueConflict),
  }
  const modifiers = (node.endModifiers ?? []) as readonly AnyNode[]
  for (let i = 0; i < modifiers.length; i++) {
    const modifier = modifiers[i]!
    let text =
      modifier.kind === 'RawNode' && (modifier.parameters as readonly unknown[]).length === 0
        ? rawText(modifier)
        : undefined
    const conflict = i === 0 && text !== undefined ? ON_CONFLICT.exec(text) : null
    if (conflict !== null) {
      conflicts = endConflict(node, conflict[1]!.toLowerCase() as ConflictResolution)
      text = conflict[2]!
      if (text === '') continue
    }
    const m = text === undefined ? null : COLLATE.exec(text)
    if (m === null || m[1] !== '') throw unsupported(`${text ?? modifier.kind} at the end of a column definition`)
    collation = collateName(m)
  }
  const def: ColumnDef = {
    name: nameOf(node.column as OperationNode),
    slot,
    type,
    affinity: affinityOf(type),
    notNull: node.notNull === true,
  }
  if (def.notNull && conflicts.notNull !== undefined) def.notNullConflict = conflicts.notNull
  // An unknown name is SQLite's error when the table is made ("no such collation sequence").
  const declared = collation === undefined ? undefined : declaredCollation(collation)
  if (declared !== undefined) def.collation = declared
  if (node.defaultTo !== undefined) {
    const written = node.defaultTo as AnyNode
    const value = written.defaultValue as AnyNode
    def.default = parseDefault(value, def.name)
    // As written: raw SQL's (statement-parser.ts), or a raw fragment's (`sql\`(datetime('now'))\``).
    // A boolean as Kysely writes it for SQLite (`true`), which a stored 1 would not tell.
    const text =
      typeof written.text === 'string'
        ? written.text
        : value.kind === 'RawNode'
          ? rawText(value)
          : typeof value.value === 'boolean'
            ? String(value.value)
            : undefined
    if (text !== undefined) def.default.text = text.trim()
  }
  const refs = node.references as AnyNode | undefined
  if (refs !== undefined) {
    def.references = {
      table: nameOf(refs.table as OperationNode),
      columns: (refs.columns as readonly OperationNode[]).map((c) => nameOf(c)),
      ...(refs.onDelete === undefined ? {} : { onDelete: refs.onDelete as string }),
      ...(refs.onUpdate === undefined ? {} : { onUpdate: refs.onUpdate as string }),
      // Raw SQL's `references p deferrable initially deferred` (statement-parser.ts).
      ...(refs.deferrable === true && refs.initiallyDeferred === true ? { deferred: true } : {}),
    }
  }
  if (node.check !== undefined) def.check = storedCheck(node.check as AnyNode)
  if (node.generated !== undefined) def.generated = storedGenerated(node.generated as AnyNode, def.name)
  return {
    def,
    primaryKey: node.primaryKey === true,
    primaryKeyDesc: node.primaryKeyDesc === true,
    autoIncrement: node.autoIncrement === true,
    unique: node.unique === true,
    ...(conflicts.primaryKey === undefined ? {} : { primaryKeyConflict: conflicts.primaryKey }),
    ...(conflicts.unique === undefined ? {} : { uniqueConflict: conflicts.unique }),
  }
}

function dataType(node: AnyNode): string {
  if (node.kind === 'DataTypeNode') return node.dataType as string
  if (node.kind === 'RawNode') {
    const text = rawText(node)
    if (text !== undefined && node.parameters !== undefined && (node.parameters as readonly unknown[]).length === 0)
      return text
  }
  throw unsupported(`${node.kind} as a column data type`)
}

function parseDefault(node: AnyNode, column: string): ColumnDefault {
  if (node.kind === 'RawNode') {
    const child = rawChild(node)
    if (child !== undefined) return parseDefault(child as AnyNode, column)
    const text = rawText(node)?.trim().toLowerCase()
    if (text === 'current_timestamp') return { kind: 'current', what: 'timestamp' }
    if (text === 'current_date') return { kind: 'current', what: 'date' }
    if (text === 'current_time') return { kind: 'current', what: 'time' }
  }
  // A column reference fails here ("no such column"), as SQLite refuses it ("not constant").
  const e = compileExpr(node, EMPTY_SCOPE)
  if (e.constant) return { kind: 'value', value: storeValue(e.eval([])) }
  // `default (datetime('now'))`, `default (random())`: evaluated for each row that takes it
  // (table-store.ts: defaultValue). A subquery is SQLite's "default value ... is not constant".
  const tree = resolveRaw(node)
  if (firstIn(tree, (n) => (n.kind === 'SelectQueryNode' ? true : undefined)) === true)
    throw new BTreeSqlError('BTREE_SQL_INVALID_SCHEMA', `default value of column [${column}] is not constant`)
  return { kind: 'expression', expression: storedNode(tree) }
}
