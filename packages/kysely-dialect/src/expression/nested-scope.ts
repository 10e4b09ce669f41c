import { BTreeSqlError } from '../errors.js'
import { Scope, type ResolvedColumn, type Source } from './scope.js'

/** A subquery's link to the query around it; `used` turns true when a name resolves outside. */
export class OuterLink {
  used = false
  constructor(readonly outer: Scope) {}
}

/**
 * The scope of a subquery: its own sources first, then (for names none of them has) the scopes
 * around it. The tuple a nested query evaluates on is its own rows followed by the outer tuple,
 * so an outer column's source index is shifted past the inner sources.
 */
export class NestedScope extends Scope {
  constructor(
    sources: readonly Source[],
    readonly link: OuterLink | undefined,
  ) {
    super(sources)
  }

  override resolve(column: string, table?: string): ResolvedColumn {
    try {
      return super.resolve(column, table)
    } catch (error) {
      if (
        this.link === undefined ||
        !(error instanceof BTreeSqlError) ||
        error.code !== 'BTREE_SQL_NO_SUCH_COLUMN' ||
        error.message.startsWith('ambiguous')
      )
        throw error
      const r = this.link.outer.resolve(column, table)
      this.link.used = true
      return { source: this.sources.length + r.source, column: r.column }
    }
  }
}
