import * as kysely028 from 'kysely'
import * as kysely029 from 'kysely-0.29'

/**
 * One installed Kysely, seen through 0.28's types. The differential cases are written once against
 * 0.28's builder types and run on both versions; the 0.29 module is cast, which holds because the
 * cases use only API the two share (the builders, `sql`, `SqliteDialect`).
 */
export interface KyselyApi {
  readonly label: string
  readonly Kysely: typeof kysely028.Kysely
  readonly SqliteDialect: typeof kysely028.SqliteDialect
  readonly sql: typeof kysely028.sql
  readonly SelectQueryNode: typeof kysely028.SelectQueryNode
  readonly SqliteIntrospector: typeof kysely028.SqliteIntrospector
}

export const kysely028Api: KyselyApi = {
  label: 'kysely 0.28',
  Kysely: kysely028.Kysely,
  SqliteDialect: kysely028.SqliteDialect,
  sql: kysely028.sql,
  SelectQueryNode: kysely028.SelectQueryNode,
  SqliteIntrospector: kysely028.SqliteIntrospector,
}

export const kysely029Api: KyselyApi = {
  label: 'kysely 0.29',
  Kysely: kysely029.Kysely as unknown as typeof kysely028.Kysely,
  SqliteDialect: kysely029.SqliteDialect as unknown as typeof kysely028.SqliteDialect,
  sql: kysely029.sql as unknown as typeof kysely028.sql,
  SelectQueryNode: kysely029.SelectQueryNode as unknown as typeof kysely028.SelectQueryNode,
  SqliteIntrospector: kysely029.SqliteIntrospector as unknown as typeof kysely028.SqliteIntrospector,
}

export const kyselyApis: readonly KyselyApi[] = [kysely028Api, kysely029Api]
