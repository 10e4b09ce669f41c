import { DEFAULT_MIGRATION_LOCK_TABLE, DEFAULT_MIGRATION_TABLE, type DatabaseIntrospector, type DatabaseMetadata, type DatabaseMetadataOptions, type Kysely, type SchemaMetadata, type TableMetadata } from 'kysely'
import type { TableDef } from './catalog/catalog.js'
import { compareText } from './encoding/values.js'
import type { BTreeAdapter } from './adapter.js'

/** Column metadata of 0.29 includes `isForeign` on tables; 0.28 ignores the extra field. */
type TableInfo = TableMetadata & { readonly isForeign: boolean }

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
    const internal = new Set([DEFAULT_MIGRATION_TABLE, DEFAULT_MIGRATION_LOCK_TABLE])
    return session
      .catalog()
      .tables()
      .filter((t) => options.withInternalKyselyTables || !internal.has(t.name))
      .sort((a, b) => compareText(a.name, b.name))
      .map(tableMetadata)
  }

  /** Kysely 0.28's introspector method (0.29 removed it). */
  async getMetadata(options?: DatabaseMetadataOptions): Promise<DatabaseMetadata> {
    return { tables: await this.getTables(options) }
  }
}

function tableMetadata(t: TableDef): TableInfo {
  return {
    name: t.name,
    isView: false,
    isForeign: false,
    columns: t.columns.map((c) => ({
      name: c.name,
      dataType: c.type,
      isNullable: !c.notNull,
      // As SQLite's introspector: the autoincrement column, else a one-column INTEGER primary key.
      isAutoIncrementing: t.rowidColumn === c.name,
      hasDefaultValue: c.default !== undefined && !(c.default.kind === 'value' && c.default.value === null),
      comment: undefined,
    })),
  }
}
