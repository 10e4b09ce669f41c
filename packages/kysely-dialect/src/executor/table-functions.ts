import type { ReadTransaction } from 'btree-store'
import { loadCatalog, type Catalog } from '../catalog/catalog.js'
import { BTreeSqlError } from '../errors.js'
import { toText, type SqlValue } from '../encoding/values.js'
import { JSON_EACH_COLUMNS, jsonEachRows, jsonTreeRows } from '../expression/json-table.js'
import { foreignKeyList } from './foreign-key-pragmas.js'
import { indexInfo, indexList, indexXinfo, tableInfo, tableList, tableXinfo } from './schema-pragmas.js'

/**
 * The table-valued functions a from clause reads (select-general.ts: tableFunction): SQLite's
 * `json_each` and `json_tree`, and the pragmas it offers as functions (`pragma_table_info('t')`,
 * as SQLite names the table-valued form of each pragma that lists something), each row as the
 * pragma gives it.
 */
export interface TableFunction {
  readonly columns: readonly string[]
  readonly minArgs: number
  readonly maxArgs: number
  /** Its rows for the arguments' values, as `tx` sees the schema and data. */
  rows(tx: ReadTransaction, args: readonly SqlValue[]): SqlValue[][]
}

const JSON_EACH: TableFunction = {
  columns: JSON_EACH_COLUMNS,
  minArgs: 1,
  maxArgs: 2,
  rows: (_tx, args) => jsonEachRows(args[0]!, args[1]),
}

const JSON_TREE: TableFunction = {
  columns: JSON_EACH_COLUMNS,
  minArgs: 1,
  maxArgs: 2,
  rows: (_tx, args) => jsonTreeRows(args[0]!, args[1]),
}

/**
 * A pragma as a function: its argument (a table or index name, as text; null lists nothing) and
 * an optional schema, `main` (`temp` for table_list), as SQLite's hidden `arg` and `schema` columns.
 */
function pragmaFunction(
  columns: readonly string[],
  list: (catalog: Catalog, arg: string | undefined, schema: 'main' | 'temp' | undefined) => Record<string, unknown>[],
  argOptional = false,
): TableFunction {
  return {
    columns,
    minArgs: argOptional ? 0 : 1,
    maxArgs: 2,
    rows: (tx, args) => {
      const arg = args[0] === undefined ? undefined : (toText(args[0]) ?? undefined)
      if (arg === undefined && !argOptional) return []
      const schema = args[1] === undefined ? undefined : toText(args[1])?.toLowerCase()
      if (schema !== undefined && schema !== 'main' && schema !== 'temp')
        throw new BTreeSqlError('BTREE_SQL_NO_SUCH_TABLE', `unknown database ${schema}`)
      return list(loadCatalog(tx), arg, schema).map((row) => columns.map((c) => (row[c] ?? null) as SqlValue))
    },
  }
}

const TABLE_INFO = ['cid', 'name', 'type', 'notnull', 'dflt_value', 'pk']

const FUNCTIONS: Record<string, TableFunction> = {
  json_each: JSON_EACH,
  json_tree: JSON_TREE,
  pragma_table_info: pragmaFunction(TABLE_INFO, (c, t) => tableInfo(c, t)),
  pragma_table_xinfo: pragmaFunction([...TABLE_INFO, 'hidden'], (c, t) => tableXinfo(c, t)),
  pragma_index_list: pragmaFunction(['seq', 'name', 'unique', 'origin', 'partial'], (c, t) => indexList(c, t)),
  pragma_index_info: pragmaFunction(['seqno', 'cid', 'name'], (c, i) => indexInfo(c, i)),
  pragma_index_xinfo: pragmaFunction(['seqno', 'cid', 'name', 'desc', 'coll', 'key'], (c, i) => indexXinfo(c, i)),
  pragma_foreign_key_list: pragmaFunction(
    ['id', 'seq', 'table', 'from', 'to', 'on_update', 'on_delete', 'match'],
    (c, t) => (t === undefined ? [] : foreignKeyList(c, t)),
  ),
  pragma_table_list: pragmaFunction(
    ['schema', 'name', 'type', 'ncol', 'wr', 'strict'],
    (c, t, schema) => tableList(c, t, schema),
    true,
  ),
}

/** The table-valued function of a name (case-insensitively), if this dialect has it. */
export function tableFunctionOf(name: string): TableFunction | undefined {
  return FUNCTIONS[name.toLowerCase()]
}
