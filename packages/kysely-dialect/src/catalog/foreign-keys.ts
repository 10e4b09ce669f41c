import { BTreeSqlError } from '../errors.js'
import type { Catalog, TableDef } from './catalog.js'

/** A name node of Kysely's as the catalog keeps it (JSON): a ColumnNode, a TableNode or their identifiers. */
interface NameNode {
  kind: string
  name?: string
  column?: NameNode
  table?: NameNode
  identifier?: NameNode
}

/** The name a stored name node gives (a table's without its schema: one file is SQLite's "main"). */
function nameOf(node: NameNode): string {
  if (node.name !== undefined) return node.name
  const inner = node.column ?? node.table ?? node.identifier
  if (inner === undefined) throw new BTreeSqlError('BTREE_SQL_CATALOG_CORRUPT', `a stored ${node.kind} without a name`)
  return nameOf(inner)
}

function columnNode(name: string): NameNode {
  return { kind: 'ColumnNode', column: { kind: 'IdentifierNode', name } }
}

/** What a foreign key does to the rows referring to a parent row that is deleted or whose key changes. */
export type ForeignKeyAction = 'no action' | 'restrict' | 'cascade' | 'set null' | 'set default'

/**
 * A foreign key as a table declares it (a column's `references`, or a table's `foreign key`
 * constraint, which the catalog keeps among the table's checks as Kysely's node).
 */
export interface ForeignKeyDef {
  readonly child: TableDef
  /** The child table's columns, in declaration order. */
  readonly columns: readonly string[]
  /** The parent table's name as written. */
  readonly parent: string
  /** The parent key's columns as written, each matching `columns` by position; undefined: the parent's primary key. */
  readonly parentColumns: readonly string[] | undefined
  readonly onDelete: ForeignKeyAction
  readonly onUpdate: ForeignKeyAction
  /** `deferrable initially deferred`: checked at the commit instead of at each statement's end. */
  readonly deferred: boolean
}

/** The foreign keys of a catalog, by child table and by parent name (lowercase). */
export interface ForeignKeySchema {
  readonly byChild: ReadonlyMap<TableDef, readonly ForeignKeyDef[]>
  readonly byParent: ReadonlyMap<string, readonly ForeignKeyDef[]>
}

interface StoredConstraint {
  kind: 'ForeignKeyConstraintNode'
  columns: NameNode[]
  references: { table: NameNode; columns: NameNode[]; onDelete?: string; onUpdate?: string }
  onDelete?: string
  onUpdate?: string
  deferrable?: boolean
  initiallyDeferred?: boolean
}

/** A stored table check that is a foreign key constraint (create-table.ts keeps them there), parsed. */
function storedConstraint(stored: string): StoredConstraint | undefined {
  if (!stored.includes('"ForeignKeyConstraintNode"')) return undefined
  const parsed = JSON.parse(stored) as { kind?: string }
  return parsed.kind === 'ForeignKeyConstraintNode' ? (parsed as StoredConstraint) : undefined
}

function action(a: string | undefined): ForeignKeyAction {
  return (a ?? 'no action') as ForeignKeyAction
}

/** The foreign keys `table` declares, columns' first, then its constraints', in declaration order. */
export function declaredForeignKeys(table: TableDef): ForeignKeyDef[] {
  const out: ForeignKeyDef[] = []
  for (const c of table.columns) {
    const r = c.references
    if (r === undefined) continue
    out.push({
      child: table,
      columns: [c.name],
      parent: r.table,
      parentColumns: r.columns.length === 0 ? undefined : r.columns,
      onDelete: action(r.onDelete),
      onUpdate: action(r.onUpdate),
      deferred: r.deferred === true,
    })
  }
  for (const stored of table.checks) {
    const k = storedConstraint(stored)
    if (k === undefined) continue
    const parentColumns = k.references.columns.map((c) => nameOf(c))
    out.push({
      child: table,
      columns: k.columns.map((c) => nameOf(c)),
      parent: nameOf(k.references.table),
      parentColumns: parentColumns.length === 0 ? undefined : parentColumns,
      onDelete: action(k.onDelete ?? k.references.onDelete),
      onUpdate: action(k.onUpdate ?? k.references.onUpdate),
      deferred: k.deferrable === true && k.initiallyDeferred === true,
    })
  }
  return out
}

const schemas = new WeakMap<Catalog, ForeignKeySchema>()

/** The catalog's foreign keys (a catalog never changes: read once). */
export function foreignKeySchema(catalog: Catalog): ForeignKeySchema {
  let schema = schemas.get(catalog)
  if (schema !== undefined) return schema
  const byChild = new Map<TableDef, ForeignKeyDef[]>()
  const byParent = new Map<string, ForeignKeyDef[]>()
  for (const table of catalog.tables()) {
    const keys = declaredForeignKeys(table)
    if (keys.length === 0) continue
    byChild.set(table, keys)
    for (const fk of keys) {
      const parent = fk.parent.toLowerCase()
      const list = byParent.get(parent)
      if (list === undefined) byParent.set(parent, [fk])
      else list.push(fk)
    }
  }
  schema = { byChild, byParent }
  schemas.set(catalog, schema)
  return schema
}

/**
 * Rewrites the foreign keys of `table` (in place: an alteration's copy) that refer to table
 * `parent`: renamed to `to` (ALTER TABLE RENAME, which SQLite carries into every table referring
 * to the renamed one), or, with `column`, that column of it renamed to `to` (RENAME COLUMN).
 * Whether anything changed.
 */
export function renameInForeignKeys(table: TableDef, parent: string, to: string, column?: string): boolean {
  const lower = parent.toLowerCase()
  let changed = false
  const renameColumn = (c: string): string => {
    if (c.toLowerCase() !== column!.toLowerCase()) return c
    changed = true
    return to
  }
  for (const c of table.columns) {
    const r = c.references
    if (r === undefined || r.table.toLowerCase() !== lower) continue
    if (column === undefined) {
      r.table = to
      changed = true
    } else r.columns = r.columns.map(renameColumn)
  }
  table.checks = table.checks.map((stored) => {
    const k = storedConstraint(stored)
    if (k === undefined || nameOf(k.references.table).toLowerCase() !== lower) return stored
    if (column === undefined) {
      k.references.table = {
        kind: 'TableNode',
        table: { kind: 'SchemableIdentifierNode', identifier: { kind: 'IdentifierNode', name: to } },
      }
      changed = true
    } else {
      k.references.columns = k.references.columns.map((c) => {
        const name = nameOf(c)
        const next = renameColumn(name)
        return next === name ? c : columnNode(next)
      })
    }
    return JSON.stringify(k)
  })
  return changed
}

/** Whether one of the table's `foreign key (...)` constraints names `column` among its own columns. */
export function foreignKeyConstraintNames(table: TableDef, column: string): boolean {
  const lower = column.toLowerCase()
  return table.checks.some((stored) => {
    const k = storedConstraint(stored)
    return k !== undefined && k.columns.some((c) => nameOf(c).toLowerCase() === lower)
  })
}

/** Renames a child column in the table's own foreign key constraints (RENAME COLUMN of the child). */
export function renameChildColumn(table: TableDef, from: string, to: string): void {
  table.checks = table.checks.map((stored) => {
    const k = storedConstraint(stored)
    if (k === undefined) return stored
    k.columns = k.columns.map((c) => (nameOf(c).toLowerCase() === from.toLowerCase() ? columnNode(to) : c))
    return JSON.stringify(k)
  })
}
