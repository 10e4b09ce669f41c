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
  /**
   * `peer`: the outer sources are these sources' peers rather than an enclosing query's (UPDATE
   * FROM's target beside its from clause), so a bare name both have is ambiguous, as in SQLite.
   */
  constructor(
    sources: readonly Source[],
    readonly link: OuterLink | undefined,
    readonly peer = false,
  ) {
    super(sources)
  }

  override resolve(column: string, table?: string): ResolvedColumn {
    try {
      const inner = super.resolve(column, table)
      if (this.peer && this.link !== undefined && table === undefined && resolves(this.link.outer, column))
        throw new BTreeSqlError('BTREE_SQL_NO_SUCH_COLUMN', `ambiguous column name: ${column}`)
      return inner
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

function resolves(scope: Scope, column: string): boolean {
  try {
    scope.resolve(column)
    return true
  } catch {
    return false
  }
}
