import type { OperationNode } from 'kysely'
import type { ExecContext, StatementResult, WriteContext } from './context.js'
import { runAlterTable } from './alter-table.js'
import { withContext } from './current-context.js'
import { runWriteStatement } from './write-statement.js'
import { runCreateIndex, runDropIndex } from './create-index.js'
import { runCreateTable } from './create-table.js'
import { prepareDelete, runDelete } from './delete.js'
import { runDropTable } from './drop-table.js'
import { prepareInsert, runInsert } from './insert.js'
import { dispatch, type AnyNode, type NodeKind } from '../expression/nodes.js'
import type { SqlValue } from '../encoding/values.js'
import { prepareSelectStatement, runSelect } from './select.js'
import { prepareUpdate, runUpdate } from './update.js'
import { runCreateView, runDropView } from './create-view.js'
import { runCreateTrigger, runDropTrigger, setTriggerRunners } from './triggers.js'
import { runReindex } from './reindex.js'

/**
 * A statement kind: whether it reads only (runs on a snapshot) and how it runs. `values` are the
 * parameters of a cached statement (statement-cache.ts).
 */
export type StatementHandler =
  | {
      readonly readOnly: true
      readonly schema: false
      readonly run: (node: AnyNode, ctx: ExecContext, values?: readonly SqlValue[]) => StatementResult
    }
  | {
      readonly readOnly: false
      /** The statement changes the schema (the session then reloads its catalog). */
      readonly schema: boolean
      /** ANALYZE (or `pragma optimize`): its first run counts as a schema change (catalog/schema-version.ts). */
      readonly analyzes?: boolean
      readonly run: (node: AnyNode, ctx: WriteContext, values?: readonly SqlValue[]) => StatementResult
    }

// Subqueries find the statement's context through withContext (current-context.ts).
const read = (run: (node: AnyNode, ctx: ExecContext) => StatementResult): StatementHandler => ({
  readOnly: true,
  schema: false,
  run: (n, c) => withContext(c, () => run(n, c), true),
})
const write = (run: (node: AnyNode, ctx: WriteContext) => StatementResult, schema = false): StatementHandler => ({
  readOnly: false,
  schema,
  // Foreign keys, triggers' conflict actions and RAISE(FAIL) (write-statement.ts).
  run: (n, c) => withContext(c, () => runWriteStatement(c, n, () => run(n, c))),
})
const ddl = (run: (node: AnyNode, ctx: WriteContext) => StatementResult): StatementHandler => write(run, true)
const no = undefined

/**
 * The root node kinds a connection executes. Every kind is listed: a kind mapped to `undefined`
 * was decided unsupported (BTREE_SQL_UNSUPPORTED naming it), and a kind added to Kysely fails to
 * compile here until it is decided. RawNode (transaction commands) is handled by the connection.
 */
const STATEMENTS: Record<NodeKind, StatementHandler | undefined> = {
  SelectQueryNode: read(runSelect),
  InsertQueryNode: write(runInsert),
  UpdateQueryNode: write(runUpdate),
  DeleteQueryNode: write(runDelete),
  CreateTableNode: ddl(runCreateTable),
  DropTableNode: ddl(runDropTable),
  CreateIndexNode: ddl(runCreateIndex),
  DropIndexNode: ddl(runDropIndex),
  AlterTableNode: ddl(runAlterTable),
  // Part 2 or never: views, schemas, types, merge, and nodes that are never a statement's root.
  MergeQueryNode: no,
  CreateViewNode: ddl(runCreateView),
  DropViewNode: ddl(runDropView),
  RefreshMaterializedViewNode: no,
  CreateSchemaNode: no,
  DropSchemaNode: no,
  CreateTypeNode: no,
  DropTypeNode: no,
  RawNode: no,
  IdentifierNode: no,
  SchemableIdentifierNode: no,
  SelectionNode: no,
  ReferenceNode: no,
  ColumnNode: no,
  TableNode: no,
  AliasNode: no,
  FromNode: no,
  SelectAllNode: no,
  AndNode: no,
  OrNode: no,
  ParensNode: no,
  ValueNode: no,
  ValueListNode: no,
  PrimitiveValueListNode: no,
  JoinNode: no,
  OperatorNode: no,
  WhereNode: no,
  ReturningNode: no,
  ColumnDefinitionNode: no,
  AddColumnNode: no,
  DataTypeNode: no,
  OrderByNode: no,
  OrderByItemNode: no,
  GroupByNode: no,
  GroupByItemNode: no,
  ColumnUpdateNode: no,
  LimitNode: no,
  OffsetNode: no,
  OnConflictNode: no,
  OnDuplicateKeyNode: no,
  ListNode: no,
  ReferencesNode: no,
  PrimaryKeyConstraintNode: no,
  UniqueConstraintNode: no,
  CheckConstraintNode: no,
  ForeignKeyConstraintNode: no,
  WithNode: no,
  CommonTableExpressionNode: no,
  HavingNode: no,
  ModifyColumnNode: no,
  DropColumnNode: no,
  RenameColumnNode: no,
  AlterColumnNode: no,
  AddConstraintNode: no,
  DropConstraintNode: no,
  GeneratedNode: no,
  DefaultValueNode: no,
  OnNode: no,
  ValuesNode: no,
  CommonTableExpressionNameNode: no,
  SelectModifierNode: no,
  ExplainNode: no,
  DefaultInsertValueNode: no,
  AggregateFunctionNode: no,
  OverNode: no,
  PartitionByNode: no,
  PartitionByItemNode: no,
  SetOperationNode: no,
  BinaryOperationNode: no,
  UnaryOperationNode: no,
  UsingNode: no,
  FunctionNode: no,
  CaseNode: no,
  WhenNode: no,
  JSONReferenceNode: no,
  JSONPathNode: no,
  JSONPathLegNode: no,
  JSONOperatorChainNode: no,
  TupleNode: no,
  MatchedNode: no,
  AddIndexNode: no,
  CastNode: no,
  FetchNode: no,
  TopNode: no,
  OutputNode: no,
  OrActionNode: no,
  CollateNode: no,
  RenameConstraintNode: no,
}

/** Raw statements Kysely has no node for (the parser's own kinds, sql/statement-parser.ts). */
const RAW_STATEMENTS: Record<string, StatementHandler> = {
  CreateTriggerNode: ddl(runCreateTrigger),
  DropTriggerNode: ddl(runDropTrigger),
  ReindexNode: write(runReindex),
}

export function statementHandler(node: OperationNode): StatementHandler {
  return RAW_STATEMENTS[node.kind] ?? dispatch(STATEMENTS, node, 'as a statement')
}

// A trigger's statements run inside the statement that fired it: no context or key processing of their own.
setTriggerRunners({
  InsertQueryNode: prepareInsert,
  UpdateQueryNode: prepareUpdate,
  DeleteQueryNode: prepareDelete,
  SelectQueryNode: prepareSelectStatement,
})
