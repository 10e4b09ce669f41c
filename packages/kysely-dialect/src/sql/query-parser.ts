import { BTreeSqlError } from '../errors.js'
import { ExpressionParser, identifier, isStar, node, reference, tableNode } from './expression-parser.js'
import type { AnyNode } from './lexer.js'

/**
 * Queries in raw SQL (statement-parser.ts reads the whole statement): select (joins, group by,
 * having, windows, compound, order by, limit), insert (values, select, or replace / or ignore,
 * upserts), update (from, row-value assignments) and delete, each with returning, parsed into
 * the operation nodes Kysely's builder would make for them.
 */
export abstract class QueryParser extends ExpressionParser {
  /** Subqueries in from without an alias so far (subquerySource). */
  #unnamed = 0

  protected select(): AnyNode {
    if (this.acceptWord('with')) {
      const recursive = this.acceptWord('recursive')
      const expressions = this.commonTables()
      const withNode = node('WithNode', recursive ? { expressions, recursive } : { expressions })
      // `with ... insert | update | delete` (the executor's withCommonTables).
      if (this.isWord('insert') || this.isWord('replace')) return { ...this.insert(), with: withNode }
      if (this.isWord('update')) return { ...this.update(), with: withNode }
      if (this.isWord('delete')) return { ...this.delete(), with: withNode }
      return { ...this.select(), with: withNode }
    }
    const setOperations: AnyNode[] = []
    let lastIsValues = this.isWord('values')
    const core = lastIsValues ? this.valuesSelect(setOperations) : this.selectCore()
    for (;;) {
      let operator: string
      if (this.acceptWord('union')) operator = 'union'
      else if (this.acceptWord('intersect')) operator = 'intersect'
      else if (this.acceptWord('except')) operator = 'except'
      else break
      const all = this.acceptWord('all')
      let expression: AnyNode
      lastIsValues = this.isWord('values')
      if (lastIsValues) {
        // A VALUES arm of one row is a select; of several, its own compound, which the flat chain
        // read left to right here would not keep.
        const more: AnyNode[] = []
        expression = this.valuesSelect(more)
        if (more.length > 0) this.fail('a VALUES of several rows after a compound operator is not supported')
      } else expression = this.selectCore()
      setOperations.push(node('SetOperationNode', { operator, expression, all }))
    }
    // In SQLite's grammar ORDER BY and LIMIT belong to a SELECT: after a VALUES they are an error.
    if (lastIsValues && (this.isWord('order') || this.isWord('limit')))
      this.fail('ORDER BY or LIMIT after VALUES (a syntax error in SQLite)')
    const orderBy = this.orderBy(core.selections as readonly AnyNode[])
    const limits = this.limit()
    // Named windows (the core's `window` clause) resolved in its selections and the order by.
    const windows = core.windows as ReadonlyMap<string, AnyNode> | undefined
    if (windows !== undefined) {
      delete core.windows
      core.selections = this.namedWindows(windows, core.selections)
    }
    return {
      ...core,
      ...(setOperations.length > 0 ? { setOperations } : {}),
      ...(orderBy === undefined
        ? {}
        : { orderBy: windows === undefined ? orderBy : this.namedWindows(windows, orderBy) }),
      ...limits,
    }
  }

  /**
   * `values (a, b), (c, d), ...` as a select (SQLite's VALUES clause): its first row as the core,
   * columns named column1, column2, ..., and each further row a `union all` arm pushed on `arms`,
   * which is what SQLite makes of it (leading a chain, read left to right, the rows keep their
   * order and duplicates). Rows of different sizes are SQLite's error.
   */
  protected valuesSelect(arms: AnyNode[]): AnyNode {
    this.expectWord('values')
    const rows = this.valueRows()
    const width = rows[0]!.length
    if (rows.some((r) => r.length !== width))
      throw new BTreeSqlError('BTREE_SQL_UNSUPPORTED', 'all VALUES must have the same number of terms')
    const selectOf = (row: readonly AnyNode[]): AnyNode =>
      node('SelectQueryNode', {
        selections: row.map((e, i) =>
          node('SelectionNode', { selection: node('AliasNode', { node: e, alias: identifier(`column${i + 1}`) }) }),
        ),
      })
    for (const row of rows.slice(1))
      arms.push(node('SetOperationNode', { operator: 'union', expression: selectOf(row), all: true }))
    return selectOf(rows[0]!)
  }

  /** The rows after VALUES: `(a, b), (c, d), ...`, each its expressions. */
  protected valueRows(): AnyNode[][] {
    const rows: AnyNode[][] = []
    do {
      this.expectOp('(')
      const values: AnyNode[] = []
      do values.push(this.expression())
      while (this.acceptOp(','))
      this.expectOp(')')
      rows.push(values)
    } while (this.acceptOp(','))
    return rows
  }

  /** `name [(columns)] as [not] [materialized] (select ...)`, comma separated. */
  protected commonTables(): AnyNode[] {
    const out: AnyNode[] = []
    do {
      const table = tableNode(this.name())
      const columns = this.isOp('(') ? this.columnList() : undefined
      this.expectWord('as')
      if (!this.acceptWord('not', 'materialized')) this.acceptWord('materialized')
      this.expectOp('(')
      const expression = this.select()
      this.expectOp(')')
      const name = node('CommonTableExpressionNameNode', columns === undefined ? { table } : { table, columns })
      out.push(node('CommonTableExpressionNode', { name, expression }))
    } while (this.acceptOp(','))
    return out
  }

  /** `(a, b, ...)`: column names. */
  protected columnList(): AnyNode[] {
    this.expectOp('(')
    const columns: AnyNode[] = []
    do columns.push(node('ColumnNode', { column: identifier(this.name()) }))
    while (this.acceptOp(','))
    this.expectOp(')')
    return columns
  }

  /** A column name, then an optional `collate name`: a CollateNode around the column when written. */
  protected collatedColumn(): AnyNode {
    const column = node('ColumnNode', { column: identifier(this.name()) })
    if (!this.acceptWord('collate')) return column
    const name = this.next()
    if (name.t !== 'name' && name.t !== 'string') this.fail('expected a collation name')
    return node('CollateNode', { collation: node('IdentifierNode', { name: name.v }), operand: column })
  }

  /**
   * A PRIMARY KEY or UNIQUE constraint's columns, each with SQLite's optional `collate` (a
   * CollateNode around the column: executor/create-table.ts) and `asc` / `desc` (the order its
   * index keeps, which changes no result: lookups read either way; `desc` marks the node
   * `descending`, which `pragma index_xinfo` reports).
   */
  protected keyColumnList(): AnyNode[] {
    this.expectOp('(')
    const columns: AnyNode[] = []
    do {
      let column = this.collatedColumn()
      if (!this.acceptWord('asc') && this.acceptWord('desc')) column = { ...column, descending: true }
      columns.push(column)
    } while (this.acceptOp(','))
    this.expectOp(')')
    return columns
  }

  /** `col = expr, ...` of an update or an upsert; `(a, b) = (x, y)` or `= (select x, y ...)` too. */
  protected assignments(): AnyNode[] {
    const updates: AnyNode[] = []
    do {
      if (this.isOp('(')) {
        const columns = this.columnList()
        this.expectOp('=')
        updates.push(...this.rowAssignment(columns, this.expression()))
        continue
      }
      const column = node('ColumnNode', { column: identifier(this.name()) })
      this.expectOp('=')
      updates.push(node('ColumnUpdateNode', { column, value: this.expression() }))
    } while (this.acceptOp(','))
    return updates
  }

  /**
   * SQLite's row-value assignment (lang_update.html): each column its place in a row value, or
   * the column of that place in a subquery's first row, the subquery then read once per column
   * (a select list of its own columns, neither compound nor distinct nor ordered by position, so
   * that each column's select finds the same first row). A count that differs is SQLite's
   * "2 columns assigned 3 values".
   */
  protected rowAssignment(columns: readonly AnyNode[], value: AnyNode): AnyNode[] {
    let row = value
    while (row.kind === 'ParensNode') row = row.node as AnyNode
    const assign = (values: readonly AnyNode[]): AnyNode[] => {
      if (values.length !== columns.length) this.fail(`${columns.length} columns assigned ${values.length} values`)
      return columns.map((column, i) => node('ColumnUpdateNode', { column, value: values[i]! }))
    }
    if (columns.length === 1 && row.kind !== 'TupleNode') return assign([value])
    if (row.kind === 'TupleNode') return assign(row.values as AnyNode[])
    if (row.kind !== 'SelectQueryNode') return this.fail('row value misused')
    const selections = (row.selections ?? []) as readonly AnyNode[]
    const byPosition = ((row.orderBy as AnyNode | undefined)?.items ?? []) as readonly AnyNode[]
    if (
      selections.some((sel) => isStar(sel.selection as AnyNode)) ||
      row.setOperations !== undefined ||
      row.frontModifiers !== undefined ||
      byPosition.some((item) => (item.orderBy as AnyNode).kind === 'ValueNode')
    )
      this.fail('a row value assignment from a compound, distinct, * or positionally ordered select is not supported')
    return assign(selections.map((sel) => ({ ...row, selections: [sel] })))
  }

  /**
   * An upsert target's `(a, b collate nocase, lower(c), ...)`: columns, each maybe with the
   * COLLATE of the index it names (a CollateNode around it), or expressions an expression index
   * holds (executor/insert-conflict.ts matches them), and a direction, which SQLite's grammar
   * allows there and ignores.
   */
  protected conflictTargetColumns(): AnyNode[] {
    this.expectOp('(')
    const columns: AnyNode[] = []
    do {
      const bare =
        this.peek().t === 'name' &&
        (this.isOp(',', 1) ||
          this.isOp(')', 1) ||
          this.isWord('collate', 1) ||
          this.isWord('asc', 1) ||
          this.isWord('desc', 1))
      const column = bare ? this.collatedColumn() : this.expression()
      if (!this.acceptWord('asc')) this.acceptWord('desc')
      columns.push(column)
    } while (this.acceptOp(','))
    this.expectOp(')')
    return columns
  }

  /** `on conflict [(columns) [where ...]] do nothing | do update set ... [where ...]`. */
  protected onConflict(): AnyNode {
    this.expectWord('conflict')
    const fields: Record<string, unknown> = {}
    if (this.isOp('(')) {
      fields['columns'] = this.conflictTargetColumns()
      // The target's where names a partial unique index (executor/insert-conflict.ts).
      if (this.acceptWord('where')) fields['indexWhere'] = node('WhereNode', { where: this.expression() })
    }
    this.expectWord('do')
    if (this.acceptWord('nothing')) fields['doNothing'] = true
    else {
      this.expectWord('update')
      this.expectWord('set')
      fields['updates'] = this.assignments()
      if (this.acceptWord('where')) fields['updateWhere'] = node('WhereNode', { where: this.expression() })
    }
    return node('OnConflictNode', fields)
  }

  protected selectCore(): AnyNode {
    this.expectWord('select')
    const distinct = this.acceptWord('distinct')
    if (!distinct) this.acceptWord('all')
    const selections = this.resultColumns()
    const fields: Record<string, unknown> = { selections }
    if (distinct) fields['frontModifiers'] = [node('SelectModifierNode', { modifier: 'Distinct' })]
    if (this.acceptWord('from')) {
      const { froms, joins } = this.sources()
      fields['from'] = node('FromNode', { froms })
      if (joins.length > 0) fields['joins'] = joins
    }
    if (this.acceptWord('where')) fields['where'] = node('WhereNode', { where: this.expression() })
    if (this.acceptWord('group', 'by')) {
      const items: AnyNode[] = []
      do items.push(node('GroupByItemNode', { groupBy: this.expression() }))
      while (this.acceptOp(','))
      fields['groupBy'] = node('GroupByNode', { items })
    }
    if (this.acceptWord('having')) fields['having'] = node('HavingNode', { having: this.expression() })
    if (this.acceptWord('window')) {
      // `window w as (...), ...`: each later one may build on an earlier one.
      const windows = new Map<string, AnyNode>()
      do {
        const name = this.name()
        this.expectWord('as')
        windows.set(name.toLowerCase(), this.namedWindows(windows, this.window()))
      } while (this.acceptOp(','))
      fields['windows'] = windows
    }
    return node('SelectQueryNode', fields)
  }

  /**
   * `tree` with every window that names one of `windows` replaced by the definition it builds on
   * (SQLite's rules: it may add an order by or a frame the named one lacks, never a partition by).
   */
  protected namedWindows<T>(windows: ReadonlyMap<string, AnyNode>, tree: T): T {
    if (typeof tree !== 'object' || tree === null) return tree
    if (Array.isArray(tree)) return tree.map((t) => this.namedWindows(windows, t) as unknown) as T
    const n = tree as unknown as AnyNode
    // A subquery's windows are its own (its select() resolved them).
    if (n.kind === 'SelectQueryNode') return tree
    const out: Record<string, unknown> = {}
    for (const k of Object.keys(n)) out[k] = this.namedWindows(windows, n[k])
    if (n.kind === 'OverNode' && typeof n.windowName === 'string') {
      const base = windows.get(n.windowName.toLowerCase())
      if (base === undefined) this.fail(`no such window: ${n.windowName}`)
      if (out['partitionBy'] !== undefined) this.fail(`cannot override PARTITION clause of window ${n.windowName}`)
      if (out['orderBy'] !== undefined && base.orderBy !== undefined)
        this.fail(`cannot override ORDER BY clause of window ${n.windowName}`)
      if (base.frame !== undefined && Object.keys(out).length > 2)
        this.fail(`cannot override frame specification of window ${n.windowName}`)
      const { windowName: _named, ...own } = out
      return { ...base, ...own, kind: 'OverNode' } as T
    }
    return out as T
  }

  /** Result columns; an expression without alias is named by its text, as SQLite names it. */
  protected resultColumns(): AnyNode[] {
    const out: AnyNode[] = []
    do {
      if (this.acceptOp('*')) {
        out.push(node('SelectionNode', { selection: node('SelectAllNode', {}) }))
        continue
      }
      const start = this.peek().at
      const expr = this.expression()
      const end = this.tokens[this.at - 1]!.end
      let alias: string | undefined
      if (this.acceptWord('as')) alias = this.name()
      else if (this.isName()) alias = this.name()
      else if (expr.kind !== 'ReferenceNode') alias = this.lexed.text.slice(start, end)
      const selection = alias === undefined ? expr : node('AliasNode', { node: expr, alias: identifier(alias) })
      out.push(node('SelectionNode', { selection }))
    } while (this.acceptOp(','))
    return out
  }

  /**
   * A subquery in from, with its alias; SQLite lets it go without one (`select count(*) from
   * (select ...)`), and so does this parser, naming it `(subquery-n)`, which no written name can
   * be (its columns are read unqualified).
   */
  protected subquerySource(select: AnyNode): AnyNode {
    const aliased = this.alias(select)
    if (aliased !== select) return aliased
    return node('AliasNode', { node: select, alias: identifier(`(subquery-${++this.#unnamed})`) })
  }

  protected alias(source: AnyNode): AnyNode {
    if (this.isWord('indexed') && this.isWord('by', 1)) return source
    if (this.acceptWord('as') || this.isName())
      return node('AliasNode', { node: source, alias: identifier(this.name()) })
    return source
  }

  protected source(): AnyNode {
    const t = this.peek()
    if (t.t === 'node' && t.node.kind === 'SelectQueryNode') {
      this.at++
      return this.subquerySource(t.node)
    }
    if (this.acceptOp('(')) {
      if (!this.isSelectStart()) this.fail('a parenthesised join is not supported')
      const s = this.select()
      this.expectOp(')')
      return this.subquerySource(s)
    }
    const name = this.tableName()
    if (this.acceptOp('(')) {
      // A table-valued function (json_each: executor/select-general.ts tableFunction).
      const args: AnyNode[] = []
      if (!this.isOp(')')) {
        do args.push(this.expression())
        while (this.acceptOp(','))
      }
      this.expectOp(')')
      return this.alias(node('FunctionNode', { func: name, arguments: args }))
    }
    const table = this.alias(tableNode(name))
    this.indexHint()
    return table
  }

  /**
   * A table's `indexed by name` or `not indexed` (lang_indexedby.html): SQLite's orders to its
   * planner, read and ignored here, where the planner chooses alone (an unknown index name is not
   * SQLite's error here).
   */
  protected indexHint(): void {
    if (this.acceptWord('not', 'indexed')) return
    if (this.acceptWord('indexed', 'by')) this.name()
  }

  /** A table's name, `main.` allowed before it (SQLite's only schema here). */
  protected tableName(): string {
    const name = this.name()
    if (!this.acceptOp('.')) return name
    if (name.toLowerCase() !== 'main') this.fail(`unknown database ${name}`)
    return this.name()
  }

  protected sources(): { froms: AnyNode[]; joins: AnyNode[] } {
    const froms = [this.source()]
    const joins: AnyNode[] = []
    for (;;) {
      if (this.acceptOp(',')) {
        if (joins.length > 0) this.fail('a comma after a join is not supported')
        froms.push(this.source())
        continue
      }
      // `natural`: a USING of every column name both sides have (executor/using-joins.ts).
      const natural = this.acceptWord('natural')
      let joinType: string | undefined
      if (this.acceptWord('cross', 'join')) joinType = natural ? 'InnerJoin' : 'CrossJoin'
      else if (this.acceptWord('inner', 'join') || this.acceptWord('join')) joinType = 'InnerJoin'
      else if (this.acceptWord('left', 'outer', 'join') || this.acceptWord('left', 'join')) joinType = 'LeftJoin'
      else if (this.acceptWord('right', 'outer', 'join') || this.acceptWord('right', 'join')) joinType = 'RightJoin'
      else if (this.acceptWord('full', 'outer', 'join') || this.acceptWord('full', 'join')) joinType = 'FullJoin'
      if (joinType === undefined) {
        if (natural) this.fail('expected join')
        return { froms, joins }
      }
      const table = this.source()
      // SQLite makes a RIGHT or FULL join's USING column the coalesce of both sides: not done.
      if ((natural || this.isWord('using')) && (joinType === 'RightJoin' || joinType === 'FullJoin'))
        this.fail(
          `${natural ? 'NATURAL' : 'USING'} in a ${joinType === 'RightJoin' ? 'RIGHT' : 'FULL'} join is not supported`,
        )
      if (natural) {
        joins.push(node('JoinNode', { joinType, table, natural: true }))
        continue
      }
      if (this.acceptWord('using')) {
        // The columns, resolved and turned into an on clause once the tables are known (using-joins.ts).
        this.expectOp('(')
        const using: AnyNode[] = []
        do using.push(identifier(this.name()))
        while (this.acceptOp(','))
        this.expectOp(')')
        joins.push(node('JoinNode', { joinType, table, using }))
        continue
      }
      if (this.acceptWord('on')) {
        const on = node('OnNode', { on: this.expression() })
        joins.push(node('JoinNode', { joinType, table, on }))
      } else {
        // `a join b` without on is an inner join that SQLite may reorder; `cross join` fixes the
        // order; an outer join without on pairs every row (`left join json_each(t.tags) j`).
        joins.push(node('JoinNode', { joinType, table }))
      }
    }
  }

  /** Order by terms; an integer term is a result column's position, as SQLite reads it. */
  protected orderBy(selections: readonly AnyNode[], keyword = true): AnyNode | undefined {
    if (keyword && !this.acceptWord('order', 'by')) return undefined
    const items: AnyNode[] = []
    do {
      let orderBy = this.expression()
      if (keyword && orderBy.kind === 'ValueNode' && typeof orderBy.value === 'number') {
        // A position names the result column's expression here, where the planner can read it (an
        // index's order); past a `*`, or out of range, it is left for the executor, which counts
        // the columns `*` gives (query-parts.ts: resultPosition).
        const before = selections.slice(0, orderBy.value)
        const selection = selections[orderBy.value - 1]?.selection as AnyNode | undefined
        const star = before.some((s) => isStar(s.selection as AnyNode))
        if (selection !== undefined && orderBy.value >= 1 && !star)
          orderBy = selection.kind === 'AliasNode' ? reference((selection.alias as AnyNode).name as string) : selection
      }
      items.push(this.orderItem(orderBy))
    } while (this.acceptOp(','))
    return node('OrderByNode', { items })
  }

  protected limit(): Record<string, AnyNode> {
    if (!this.acceptWord('limit')) return {}
    const first = this.expression()
    if (this.acceptWord('offset'))
      return { limit: node('LimitNode', { limit: first }), offset: node('OffsetNode', { offset: this.expression() }) }
    if (this.acceptOp(','))
      return { limit: node('LimitNode', { limit: this.expression() }), offset: node('OffsetNode', { offset: first }) }
    return { limit: node('LimitNode', { limit: first }) }
  }

  protected returning(fields: Record<string, unknown>): void {
    if (this.acceptWord('returning')) fields['returning'] = node('ReturningNode', { selections: this.resultColumns() })
  }

  protected orAction(fields: Record<string, unknown>): void {
    if (!this.acceptWord('or')) return
    // OR ABORT is kept: it overrides the constraints' own ON CONFLICT clauses (executor/constraint-conflicts.ts).
    fields['orAction'] = node('OrActionNode', { action: this.name().toLowerCase() })
  }

  protected insert(): AnyNode {
    const fields: Record<string, unknown> = {}
    if (this.acceptWord('replace')) fields['replace'] = true
    else {
      this.expectWord('insert')
      this.orAction(fields)
    }
    this.expectWord('into')
    fields['into'] = tableNode(this.tableName())
    if (this.isOp('(')) fields['columns'] = this.columnList()
    if (this.acceptWord('default', 'values')) fields['defaultValues'] = true
    else if (this.acceptWord('values')) {
      const rows = this.valueRows().map((values) => node('ValueListNode', { values }))
      fields['values'] = node('ValuesNode', { values: rows })
    } else if (this.isWord('select')) fields['values'] = this.select()
    else this.fail('expected values or select')
    if (this.acceptWord('on')) fields['onConflict'] = this.onConflict()
    this.returning(fields)
    return node('InsertQueryNode', fields)
  }

  protected update(): AnyNode {
    this.expectWord('update')
    const fields: Record<string, unknown> = {}
    this.orAction(fields)
    fields['table'] = this.source()
    this.expectWord('set')
    fields['updates'] = this.assignments()
    if (this.acceptWord('from')) {
      const { froms, joins } = this.sources()
      fields['from'] = node('FromNode', { froms })
      if (joins.length > 0) fields['joins'] = joins
    }
    if (this.acceptWord('where')) fields['where'] = node('WhereNode', { where: this.expression() })
    this.returning(fields)
    return node('UpdateQueryNode', fields)
  }

  protected delete(): AnyNode {
    this.expectWord('delete')
    this.expectWord('from')
    const fields: Record<string, unknown> = { from: node('FromNode', { froms: [this.source()] }) }
    if (this.acceptWord('where')) fields['where'] = node('WhereNode', { where: this.expression() })
    this.returning(fields)
    return node('DeleteQueryNode', fields)
  }
}
