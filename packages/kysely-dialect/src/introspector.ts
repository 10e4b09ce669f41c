import type { DatabaseIntrospector, DatabaseMetadataOptions, Kysely, SchemaMetadata, TableMetadata } from 'kysely'
import type { TableDef, ViewDef } from './catalog/catalog.js'
import { reportedType } from './catalog/affinity.js'
import { compareText } from './encoding/values.js'
import type { BTreeAdapter } from './adapter.js'

/** Table metadata: 0.29 requires `isForeign`; 0.28 ignores the extra field. */
type TableInfo = TableMetadata & { readonly isForeign: boolean }

/**
 * Kysely's migration tables. Named here rather than imported: 0.29 moved its constants to
 * 'kysely/migration', and a named import that one version lacks would fail to link.
 */
const MIGRATION_TABLES = new Set(['kysely_migration', 'kysely_migration_lock'])

/**
 * Reads the catalog directly (no queries): tables in name order, columns in definition order,
 * with what SQLite's introspector reports (declared type, nullability, default, auto-increment).
 */
export class BTreeIntrospector implements DatabaseIntrospector {
  readonly #db: Kysely<unknown>

  constructor(db: Kysely<unknown>) {
    this.#db = db
  }

  async getSchemas(): Promise<SchemaMetadata[]> {
    return []
  }

  async getTables(options: DatabaseMetadataOptions = { withInternalKyselyTables: false }): Promise<TableInfo[]> {
    const adapter = this.#db.getExecutor().adapter as BTreeAdapter
    const session = await adapter.driver.session()
    return (
      session
        .catalog()
        .tables()
        // A temporary table (or view) is the connection's, outside the schema SQLite's introspection reads.
        .filter((t) => t.temporary !== true && (options.withInternalKyselyTables || !MIGRATION_TABLES.has(t.name)))
        .map(tableMetadata)
        .concat(
          session
            .catalog()
            .views()
            .filter((v) => v.temporary !== true)
            .map(viewMetadata),
        )
        .sort((a, b) => compareText(a.name, b.name))
    )
  }

  /** Kysely 0.28's introspector method (0.29 removed it). */
  async getMetadata(options?: DatabaseMetadataOptions): Promise<{ tables: TableInfo[] }> {
    return { tables: await this.getTables(options) }
  }
}

/** A view as SQLite's introspector reports one: its columns' declared types, nullable, no defaults. */
function viewMetadata(v: ViewDef): TableInfo {
  return {
    name: v.name,
    isView: true,
    isForeign: false,
    columns: v.columns.map((c) => ({
      name: c.name,
      dataType: reportedType(c.type),
      isNullable: true,
      isAutoIncrementing: false,
      hasDefaultValue: false,
      comment: undefined,
    })),
  }
}

function tableMetadata(t: TableDef): TableInfo {
  return {
    name: t.name,
    isView: false,
    isForeign: false,
    // Generated columns are hidden from SQLite's pragma table_info, which its introspector reads.
    columns: t.columns
      .filter((c) => c.generated === undefined)
      .map((c) => ({
        name: c.name,
        dataType: reportedType(c.type),
        isNullable: !c.notNull,
        // As SQLite's introspector: the autoincrement column, else a one-column INTEGER primary key.
        isAutoIncrementing: t.rowidColumn === c.name,
        hasDefaultValue: c.default !== undefined && !(c.default.kind === 'value' && c.default.value === null),
        comment: undefined,
      })),
  }
}
