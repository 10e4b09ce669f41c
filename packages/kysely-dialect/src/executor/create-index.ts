import type { OperationNode } from 'kysely'
import {
  checkObjectName,
  indexBucket,
  nextId,
  requireColumn,
  saveCatalog,
  type IndexDef,
  type TableDef,
} from '../catalog/catalog.js'
import { BTreeSqlError, unsupported } from '../errors.js'
import type { StatementResult, WriteContext } from './context.js'
import { dropBucket } from './drop-table.js'
import { nameOf, rawText, type AnyNode } from '../expression/nodes.js'
import { notIndexable } from '../expression/determinism.js'
import { rejectParts } from './query-parts.js'
import { buildIndex } from './table-store.js'
import { storedNode } from '../catalog/stored-node.js'
import { resolveRaw } from '../sql/resolve-raw.js'
import { compileExpr } from '../expression/expression.js'
import { byPrecedence } from '../expression/precedence.js'
import { Scope } from '../expression/scope.js'
import { schemaText, statementText } from '../sql/schema-text.js'

const NONE: StatementResult = { rows: [], changes: 0, reader: false }

/** An index part's column name, or undefined when the part is an expression. */
function indexColumn(node: AnyNode): string | undefined {
  if (node.kind === 'ColumnNode') return nameOf(node)
  // `column('a desc')`: the direction changes nothing for lookups, which read either way.
  if (node.kind === 'OrderByItemNode') return indexColumn(node.orderBy as AnyNode)
  if (node.kind === 'ReferenceNode' && node.table === undefined) return nameOf(node.column as OperationNode)
  return undefined
}

/** Builds the index over the existing rows; a duplicate under `unique` fails the statement cleanly. */
export function runCreateIndex(node: AnyNode, ctx: WriteContext): StatementResult {
  rejectParts(node, ['using', 'nullsNotDistinct'])
  const name = nameOf(node.name as OperationNode)
  checkObjectName(name)
  if (
    ctx.catalog.tableOfIndex(name) !== undefined ||
    ctx.catalog.table(name) !== undefined ||
    ctx.catalog.view(name) !== undefined
  ) {
    if (node.ifNotExists === true) return NONE
    throw new BTreeSqlError('BTREE_SQL_INDEX_EXISTS', `index ${name} already exists`)
  }
  if (node.table === undefined) throw unsupported('an index without a table')
  const original = ctx.catalog.requireTable(nameOf(node.table as OperationNode))
  const table: TableDef = structuredClone(original)
  const parts = (node.columns ?? []) as readonly AnyNode[]
  if (parts.length === 0) throw unsupported('an index without columns')
  const named = parts.map(indexColumn)
  const scope = new Scope([{ table, name: table.name }])
  let columns: string[] = []
  let expressions: unknown[] | undefined
  if (named.every((c) => c !== undefined)) columns = named.map((c) => requireColumn(table, c!).name)
  else {
    // An expression index: every part kept as an expression, a column part as its ColumnNode.
    expressions = parts.map((part, i) => {
      const column = named[i]
      if (column !== undefined)
        return { kind: 'ColumnNode', column: { kind: 'IdentifierNode', name: requireColumn(table, column).name } }
      const resolved = resolveRaw(part.kind === 'OrderByItemNode' ? (part.orderBy as AnyNode) : part)
      const why = notIndexable(resolved, 'index expressions')
      if (why !== undefined) throw new BTreeSqlError('BTREE_SQL_UNSUPPORTED', why)
      // Compiled once now, so that a column it cannot name fails here, as in SQLite.
      compileExpr(byPrecedence(resolved), scope)
      return storedNode(resolved)
    })
  }
  const index: IndexDef = {
    id: nextId(ctx.tx),
    name,
    columns,
    unique: node.unique === true,
    origin: 'index',
    ...(expressions === undefined ? {} : { expressions }),
  }
  const written = (node.where as AnyNode | undefined)?.where as AnyNode | undefined
  // Raw SQL in it read into nodes first (the statement's pre-pass leaves DDL alone).
  const where = written === undefined ? undefined : resolveRaw(written)
  if (where !== undefined) {
    const why = notIndexable(where, 'partial index WHERE clauses')
    if (why !== undefined) throw new BTreeSqlError('BTREE_SQL_UNSUPPORTED', why)
    compileExpr(byPrecedence(where), scope)
    index.where = storedNode(where)
  }
  const text = schemaText(statementText(node), 'index', index.unique)
  if (text !== undefined) index.sql = text
  const descending = parts.map(
    (part) => part.kind === 'OrderByItemNode' && /^desc$/i.test(rawText(part.direction as AnyNode)?.trim() ?? ''),
  )
  if (descending.some((d) => d)) index.descending = descending
  table.indexes.push(index)
  buildIndex(ctx.tx, table, index)
  saveCatalog(ctx.tx, ctx.catalog.withTable(table), [table])
  return NONE
}

export function runDropIndex(node: AnyNode, ctx: WriteContext): StatementResult {
  rejectParts(node, ['cascade'])
  const name = nameOf(node.name as OperationNode)
  const owner = ctx.catalog.tableOfIndex(name)
  if (owner === undefined) {
    if (node.ifExists === true) return NONE
    throw new BTreeSqlError('BTREE_SQL_NO_SUCH_INDEX', `no such index: ${name}`)
  }
  const index = owner.indexes.find((i) => i.name.toLowerCase() === name.toLowerCase())!
  if (index.origin !== 'index')
    throw new BTreeSqlError(
      'BTREE_SQL_INVALID_SCHEMA',
      `index associated with UNIQUE or PRIMARY KEY constraint cannot be dropped`,
    )
  const table: TableDef = structuredClone(owner)
  table.indexes = table.indexes.filter((i) => i.id !== index.id)
  dropBucket(ctx, indexBucket(index))
  saveCatalog(ctx.tx, ctx.catalog.withTable(table), [table])
  return NONE
}
