import { BTreeSqlError, unsupported } from '../errors.js'
import { ExpressionParser, identifier, isStar, node, reference, tableNode } from './expression-parser.js'
import { lex, type AnyNode } from './lexer.js'

/**
 * Whole raw statements (`sql\`select ...\`.execute(db)`) parsed into the operation nodes Kysely's
 * builder would make for them: select (joins, group by, having, compound, order by, limit),
 * insert (values, select, or replace / or ignore), update and delete, each with returning.
 * Anything else is BTREE_SQL_UNSUPPORTED with the text.
 */
/** Words that end a column's type name: the column constraints. */
const COLUMN_CONSTRAINTS = new Set([
  'primary',
  'unique',
  'default',
  'check',
  'constraint',
  'references',
  'generated',
  'collate',
  'as',
])

/** The algorithms a constraint's ON CONFLICT clause may name. */
const CONFLICT_RESOLUTIONS = new Set(['rollback', 'abort', 'fail', 'ignore', 'replace'])

/** Statements whose text is kept: what they make or change is listed with its text in sqlite_schema. */
const SCHEMA_STATEMENTS = new Set(['CreateTableNode', 'CreateIndexNode', 'CreateViewNode', 'AlterTableNode'])

class StatementParser extends ExpressionParser {
  /** Subqueries in from without an alias so far (subquerySource). */
  #unnamed = 0

  statement(): AnyNode {
    const start = this.peek().at
    let result: AnyNode
    if (this.isSelectStart()) result = this.select()
    else if (this.isWord('insert') || this.isWord('replace')) result = this.insert()
    else if (this.isWord('update')) result = this.update()
    else if (this.isWord('delete')) result = this.delete()
    else if (this.acceptWord('create')) result = this.create()
    else if (this.acceptWord('drop')) result = this.drop()
    else if (this.acceptWord('alter', 'table')) result = this.alter()
    // `reindex [name]` (executor/reindex.ts).
    else if (this.acceptWord('reindex'))
      result = node('ReindexNode', this.peek().t === 'name' ? { name: this.tableName() } : {})
    else
      return this.fail(
        'only select, insert, update, delete, create table / index / view / trigger, alter table, drop and reindex are executed as raw SQL',
      )
    const end = this.tokens[this.at - 1]!.end
    this.acceptOp(';')
    if (this.peek().t !== 'end') this.fail('expected the end of the statement')
    // Schema statements keep their text, which SQLite keeps in sqlite_schema (sql/schema-text.ts).
    if (SCHEMA_STATEMENTS.has(result.kind)) return { ...result, sql: this.lexed.text.slice(start, end) }
    return result
  }

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
  private valuesSelect(arms: AnyNode[]): AnyNode {
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
  private valueRows(): AnyNode[][] {
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
  private commonTables(): AnyNode[] {
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
  private columnList(): AnyNode[] {
    this.expectOp('(')
    const columns: AnyNode[] = []
    do columns.push(node('ColumnNode', { column: identifier(this.name()) }))
    while (this.acceptOp(','))
    this.expectOp(')')
    return columns
  }

  /**
   * A PRIMARY KEY or UNIQUE constraint's columns, each with SQLite's optional `asc` / `desc`
   * (the order its index keeps, which changes no result: lookups read either way); a `collate`
   * there is not done.
   */
  private keyColumnList(): AnyNode[] {
    this.expectOp('(')
    const columns: AnyNode[] = []
    do {
      columns.push(node('ColumnNode', { column: identifier(this.name()) }))
      if (this.isWord('collate')) this.fail('a COLLATE in a PRIMARY KEY or UNIQUE constraint is not supported')
      if (!this.acceptWord('asc')) this.acceptWord('desc')
    } while (this.acceptOp(','))
    this.expectOp(')')
    return columns
  }

  /** `col = expr, ...` of an update or an upsert; `(a, b) = (x, y)` or `= (select x, y ...)` too. */
  private assignments(): AnyNode[] {
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
  private rowAssignment(columns: readonly AnyNode[], value: AnyNode): AnyNode[] {
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

  /** `on conflict [(columns) [where ...]] do nothing | do update set ... [where ...]`. */
  private onConflict(): AnyNode {
    this.expectWord('conflict')
    const fields: Record<string, unknown> = {}
    if (this.isOp('(')) {
      fields['columns'] = this.columnList()
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

  private selectCore(): AnyNode {
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
  private namedWindows<T>(windows: ReadonlyMap<string, AnyNode>, tree: T): T {
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
  private resultColumns(): AnyNode[] {
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
  private subquerySource(select: AnyNode): AnyNode {
    const aliased = this.alias(select)
    if (aliased !== select) return aliased
    return node('AliasNode', { node: select, alias: identifier(`(subquery-${++this.#unnamed})`) })
  }

  private alias(source: AnyNode): AnyNode {
    if (this.isWord('indexed') && this.isWord('by', 1)) return source
    if (this.acceptWord('as') || this.isName())
      return node('AliasNode', { node: source, alias: identifier(this.name()) })
    return source
  }

  private source(): AnyNode {
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
  private indexHint(): void {
    if (this.acceptWord('not', 'indexed')) return
    if (this.acceptWord('indexed', 'by')) this.name()
  }

  /** A table's name, `main.` allowed before it (SQLite's only schema here). */
  private tableName(): string {
    const name = this.name()
    if (!this.acceptOp('.')) return name
    if (name.toLowerCase() !== 'main') this.fail(`unknown database ${name}`)
    return this.name()
  }

  private sources(): { froms: AnyNode[]; joins: AnyNode[] } {
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
  private orderBy(selections: readonly AnyNode[], keyword = true): AnyNode | undefined {
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

  private limit(): Record<string, AnyNode> {
    if (!this.acceptWord('limit')) return {}
    const first = this.expression()
    if (this.acceptWord('offset'))
      return { limit: node('LimitNode', { limit: first }), offset: node('OffsetNode', { offset: this.expression() }) }
    if (this.acceptOp(','))
      return { limit: node('LimitNode', { limit: this.expression() }), offset: node('OffsetNode', { offset: first }) }
    return { limit: node('LimitNode', { limit: first }) }
  }

  private returning(fields: Record<string, unknown>): void {
    if (this.acceptWord('returning')) fields['returning'] = node('ReturningNode', { selections: this.resultColumns() })
  }

  private orAction(fields: Record<string, unknown>): void {
    if (!this.acceptWord('or')) return
    // OR ABORT is kept: it overrides the constraints' own ON CONFLICT clauses (executor/constraint-conflicts.ts).
    fields['orAction'] = node('OrActionNode', { action: this.name().toLowerCase() })
  }

  private insert(): AnyNode {
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

  private update(): AnyNode {
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

  private delete(): AnyNode {
    this.expectWord('delete')
    this.expectWord('from')
    const fields: Record<string, unknown> = { from: node('FromNode', { froms: [this.source()] }) }
    if (this.acceptWord('where')) fields['where'] = node('WhereNode', { where: this.expression() })
    this.returning(fields)
    return node('DeleteQueryNode', fields)
  }

  /** `create [unique] index ...`, `create table ...`, `create view ...` or `create trigger ...`. */
  private create(): AnyNode {
    if (this.isWord('trigger') || ((this.isWord('temp') || this.isWord('temporary')) && this.isWord('trigger', 1))) {
      if (!this.acceptWord('trigger')) this.fail('temporary triggers are not supported')
      return this.trigger()
    }
    // `create temp table`, `create temp view`.
    const temporary = this.acceptWord('temp') || this.acceptWord('temporary')
    if (this.acceptWord('view')) {
      // `create [temp] view [if not exists] v [(columns)] as select ...` (executor/create-view.ts).
      const ifNotExists = this.acceptWord('if', 'not', 'exists')
      // SQLite's own message for `create temp view main.v`.
      if (temporary && this.isOp('.', 1)) this.fail('temporary table name must be unqualified')
      const name = node('SchemableIdentifierNode', { identifier: identifier(this.tableName()) })
      const columns = this.isOp('(') ? this.columnList() : undefined
      this.expectWord('as')
      return node('CreateViewNode', {
        name,
        as: this.select(),
        ...(columns === undefined ? {} : { columns }),
        ...(ifNotExists ? { ifNotExists } : {}),
        ...(temporary ? { temporary } : {}),
      })
    }
    const unique = !temporary && this.acceptWord('unique')
    if (!temporary && this.acceptWord('index')) {
      const ifNotExists = this.acceptWord('if', 'not', 'exists')
      const name = identifier(this.tableName())
      this.expectWord('on')
      const table = tableNode(this.name())
      this.expectOp('(')
      // Each part a column or an expression (an expression index: executor/create-index.ts).
      const columns: AnyNode[] = []
      do {
        const part = this.expression()
        // A direction, as Kysely's `column('a desc')` gives it: lookups read either way (create-index.ts).
        const direction = this.acceptWord('desc') ? 'desc' : this.acceptWord('asc') ? 'asc' : undefined
        columns.push(
          direction === undefined
            ? part
            : node('OrderByItemNode', {
                orderBy: part,
                direction: node('RawNode', { sqlFragments: [direction], parameters: [] }),
              }),
        )
      } while (this.acceptOp(','))
      this.expectOp(')')
      // A partial index's condition.
      const where = this.acceptWord('where') ? node('WhereNode', { where: this.expression() }) : undefined
      return node('CreateIndexNode', {
        name,
        table,
        columns,
        ...(unique ? { unique } : {}),
        ...(ifNotExists ? { ifNotExists } : {}),
        ...(where === undefined ? {} : { where }),
      })
    }
    if (unique) this.fail('expected index')
    this.expectWord('table')
    const ifNotExists = this.acceptWord('if', 'not', 'exists')
    const table = tableNode(this.tableName())
    // `create table t as select ...` (executor/create-table-as.ts), as Kysely's createTable(t).as(query).
    if (this.acceptWord('as'))
      return node('CreateTableNode', {
        table,
        selectQuery: this.select(),
        ...(ifNotExists ? { ifNotExists } : {}),
        ...(temporary ? { temporary } : {}),
      })
    this.expectOp('(')
    const columns: AnyNode[] = []
    const constraints: AnyNode[] = []
    do {
      const name = this.acceptWord('constraint') ? this.name() : undefined
      if (this.acceptWord('primary', 'key'))
        constraints.push(node('PrimaryKeyConstraintNode', this.withConflict({ columns: this.keyColumnList() })))
      else if (this.acceptWord('unique'))
        constraints.push(node('UniqueConstraintNode', this.withConflict({ columns: this.keyColumnList() })))
      else if (this.acceptWord('check')) {
        constraints.push(this.check(name))
        // SQLite's grammar takes a conflict clause after a table's CHECK, and ignores it.
        this.conflictClause({}, 'ignored')
      } else if (this.acceptWord('foreign', 'key')) {
        const fkColumns = this.columnList()
        this.expectWord('references')
        const { onDelete, onUpdate, deferrable, initiallyDeferred, ...references } = this.references()
        constraints.push(
          node('ForeignKeyConstraintNode', {
            columns: fkColumns,
            references: node('ReferencesNode', references),
            ...(onDelete === undefined ? {} : { onDelete }),
            ...(onUpdate === undefined ? {} : { onUpdate }),
            ...(deferrable === undefined ? {} : { deferrable }),
            ...(initiallyDeferred === undefined ? {} : { initiallyDeferred }),
            ...(name === undefined ? {} : { name: identifier(name) }),
          }),
        )
      } else columns.push(this.columnDefinition())
    } while (this.acceptOp(','))
    this.expectOp(')')
    // Table options, kept as Kysely's modifyEnd(sql`strict, without rowid`) keeps them (table-options.ts).
    const options: string[] = []
    if (this.peek().t === 'name')
      do {
        if (this.acceptWord('strict')) options.push('strict')
        else if (this.acceptWord('without', 'rowid')) options.push('without rowid')
        else this.fail('expected STRICT or WITHOUT ROWID')
      } while (this.acceptOp(','))
    return node('CreateTableNode', {
      table,
      columns,
      ...(options.length > 0
        ? { endModifiers: [node('RawNode', { sqlFragments: [options.join(', ')], parameters: [] })] }
        : {}),
      ...(constraints.length > 0 ? { constraints } : {}),
      ...(temporary ? { temporary } : {}),
      ...(ifNotExists ? { ifNotExists } : {}),
    })
  }

  /**
   * A constraint's `on conflict rollback | abort | fail | ignore | replace` (lang_conflict.html),
   * as `fields[field]` (Kysely's nodes have no field for it: executor/create-table.ts reads these).
   * SQLite takes it after PRIMARY KEY, NOT NULL, NULL and UNIQUE (a column's CHECK refuses it, a
   * table's ignores it).
   */
  private conflictClause(fields: Record<string, unknown>, field: string): void {
    if (!this.acceptWord('on', 'conflict')) return
    const action = this.name().toLowerCase()
    if (!CONFLICT_RESOLUTIONS.has(action)) this.fail('expected ROLLBACK, ABORT, FAIL, IGNORE or REPLACE')
    fields[field] = action
  }

  /** A table constraint's fields with its conflict clause, if written, as `onConflict`. */
  private withConflict(fields: Record<string, unknown>): Record<string, unknown> {
    this.conflictClause(fields, 'onConflict')
    return fields
  }

  /** `check (expr)`: its expression, its text as written (SQLite's message quotes it), its name. */
  private check(name: string | undefined): AnyNode {
    const start = this.peek().at
    const expression = this.parenthesised()
    const end = this.tokens[this.at - 1]!.end
    return node('CheckConstraintNode', {
      expression,
      text: this.lexed.text
        .slice(start, end)
        .replace(/^\(\s*/, '')
        .replace(/\s*\)$/, ''),
      ...(name === undefined ? {} : { name: identifier(name) }),
    })
  }

  private parenthesised(): AnyNode {
    this.expectOp('(')
    const e = this.expression()
    this.expectOp(')')
    return e
  }

  /** `name [type] [primary key [autoincrement] | not null | null | unique | default ... | check (...)]...` */
  private columnDefinition(): AnyNode {
    const fields: Record<string, unknown> = { column: node('ColumnNode', { column: identifier(this.name()) }) }
    const words: string[] = []
    while (this.isName() && !COLUMN_CONSTRAINTS.has((this.peek() as { v: string }).v.toLowerCase()))
      words.push(this.name())
    let type = words.join(' ')
    if (this.acceptOp('(')) {
      const sizes: string[] = []
      do sizes.push(this.lexed.text.slice(this.peek().at, this.next().end))
      while (this.acceptOp(','))
      this.expectOp(')')
      type += `(${sizes.join(', ')})`
    }
    fields['dataType'] = node('DataTypeNode', { dataType: type })
    for (;;) {
      if (this.acceptWord('constraint')) this.name()
      if (this.acceptWord('primary', 'key')) {
        fields['primaryKey'] = true
        // SQLite's quirk: an INTEGER PRIMARY KEY DESC is not the rowid (create-table.ts).
        if (this.acceptWord('desc')) fields['primaryKeyDesc'] = true
        else this.acceptWord('asc')
        this.conflictClause(fields, 'primaryKeyConflict')
        if (this.acceptWord('autoincrement')) fields['autoIncrement'] = true
      } else if (this.acceptWord('not', 'null')) {
        fields['notNull'] = true
        this.conflictClause(fields, 'notNullConflict')
      } else if (this.acceptWord('null')) this.conflictClause({}, 'ignored')
      else if (this.acceptWord('unique')) {
        fields['unique'] = true
        this.conflictClause(fields, 'uniqueConflict')
      } else if (this.acceptWord('default')) {
        const start = this.peek().at
        const value = this.isOp('(') ? this.parenthesised() : this.defaultValue()
        // The text as written, which SQLite's `pragma table_info` reports (executor/schema-pragmas.ts).
        const text = this.lexed.text.slice(start, this.tokens[this.at - 1]!.end)
        fields['defaultTo'] = node('DefaultValueNode', { defaultValue: value, text })
      } else if (this.acceptWord('check')) fields['check'] = this.check(undefined)
      else if (this.isWord('generated') || this.isWord('as')) {
        // `generated always as (expr) [stored | virtual]`, or its short form `as (expr)` (gencol.html).
        if (this.acceptWord('generated')) this.expectWord('always')
        this.expectWord('as')
        this.expectOp('(')
        const expression = this.expression()
        this.expectOp(')')
        const stored = this.acceptWord('stored')
        if (!stored) this.acceptWord('virtual')
        fields['generated'] = node('GeneratedNode', { always: true, expression, stored })
      } else if (this.acceptWord('references')) fields['references'] = this.references()
      else if (this.acceptWord('collate')) {
        // Kept as Kysely's modifyEnd(sql`collate nocase`) keeps it (executor/column-definition.ts).
        const name = this.next()
        if (name.t !== 'name' && name.t !== 'string') this.fail('expected a collation name')
        const modifiers = (fields['endModifiers'] ??= []) as AnyNode[]
        modifiers.push(node('RawNode', { sqlFragments: [`collate ${name.v}`], parameters: [] }))
      } else return node('ColumnDefinitionNode', fields)
    }
  }

  /**
   * The rest of `references t [(columns)]` with its clauses in any order: `on delete | on update`
   * and an action, `match` and a name (read and ignored, as SQLite does), `[not] deferrable
   * [initially deferred | initially immediate]` (foreignkeys.html). A ReferencesNode's fields, with
   * `deferrable` and `initiallyDeferred` beside them (Kysely keeps those on the table constraint).
   */
  private references(): AnyNode {
    const table = tableNode(this.name())
    const columns = this.isOp('(') ? this.columnList() : []
    const fields: Record<string, unknown> = { table, columns }
    for (;;) {
      if (this.acceptWord('on')) {
        const which = this.acceptWord('delete') ? 'onDelete' : (this.expectWord('update'), 'onUpdate')
        let action: string
        if (this.acceptWord('set', 'null')) action = 'set null'
        else if (this.acceptWord('set', 'default')) action = 'set default'
        else if (this.acceptWord('cascade')) action = 'cascade'
        else if (this.acceptWord('restrict')) action = 'restrict'
        else if (this.acceptWord('no', 'action')) action = 'no action'
        else return this.fail('expected SET NULL, SET DEFAULT, CASCADE, RESTRICT or NO ACTION')
        fields[which] = action
      } else if (this.acceptWord('match')) this.name()
      else if (this.acceptWord('not', 'deferrable')) {
        fields['deferrable'] = false
        this.initially(fields)
      } else if (this.acceptWord('deferrable')) {
        fields['deferrable'] = true
        this.initially(fields)
      } else return node('ReferencesNode', fields)
    }
  }

  private initially(fields: Record<string, unknown>): void {
    if (!this.acceptWord('initially')) return
    if (this.acceptWord('deferred')) fields['initiallyDeferred'] = true
    else {
      this.expectWord('immediate')
      fields['initiallyDeferred'] = false
    }
  }

  /** A default without parentheses: a literal, a signed number, or a CURRENT_* keyword. */
  private defaultValue(): AnyNode {
    const t = this.peek()
    if (t.t === 'op' && (t.v === '-' || t.v === '+')) {
      this.at++
      const n = this.primaryLiteral()
      return t.v === '-'
        ? node('UnaryOperationNode', { operator: node('OperatorNode', { operator: '-' }), operand: n })
        : n
    }
    return this.primaryLiteral()
  }

  private primaryLiteral(): AnyNode {
    const e = this.expression(Number.MAX_SAFE_INTEGER)
    if (e.kind !== 'ValueNode' && e.kind !== 'RawNode' && e.kind !== 'CastNode') this.fail('expected a literal default')
    return e
  }

  /** `drop table [if exists] t` or `drop index [if exists] i`. */
  /**
   * `alter table t rename to u | rename [column] a to b | add [column] <definition> | drop
   * [column] c`, as Kysely's alterTable builds them (executor/alter-table.ts).
   */
  private alter(): AnyNode {
    const table = tableNode(this.tableName())
    if (this.acceptWord('rename')) {
      if (this.acceptWord('to')) return node('AlterTableNode', { table, renameTo: tableNode(this.name()) })
      this.acceptWord('column')
      const column = node('ColumnNode', { column: identifier(this.name()) })
      this.expectWord('to')
      const renameTo = node('ColumnNode', { column: identifier(this.name()) })
      return node('AlterTableNode', { table, columnAlterations: [node('RenameColumnNode', { column, renameTo })] })
    }
    if (this.acceptWord('add')) {
      this.acceptWord('column')
      const column = this.columnDefinition()
      return node('AlterTableNode', { table, columnAlterations: [node('AddColumnNode', { column })] })
    }
    this.expectWord('drop')
    this.acceptWord('column')
    const column = node('ColumnNode', { column: identifier(this.name()) })
    return node('AlterTableNode', { table, columnAlterations: [node('DropColumnNode', { column })] })
  }

  private drop(): AnyNode {
    if (this.acceptWord('trigger')) {
      const ifExists = this.acceptWord('if', 'exists')
      return node('DropTriggerNode', { name: this.tableName(), ...(ifExists ? { ifExists } : {}) })
    }
    if (this.acceptWord('view')) {
      const ifExists = this.acceptWord('if', 'exists')
      const name = node('SchemableIdentifierNode', { identifier: identifier(this.tableName()) })
      return node('DropViewNode', { name, ...(ifExists ? { ifExists } : {}) })
    }
    if (this.acceptWord('table')) {
      const ifExists = this.acceptWord('if', 'exists')
      return node('DropTableNode', { table: tableNode(this.tableName()), ...(ifExists ? { ifExists } : {}) })
    }
    this.expectWord('index')
    const ifExists = this.acceptWord('if', 'exists')
    const name = node('SchemableIdentifierNode', { identifier: identifier(this.name()) })
    return node('DropIndexNode', { name, ...(ifExists ? { ifExists } : {}) })
  }

  /**
   * `create trigger [if not exists] t [before | after | instead of] delete | insert | update [of
   * columns] on table [for each row] [when expr] begin statement; ... end` (lang_createtrigger.html),
   * after `create trigger`: its parts, each body statement parsed as a raw statement of its own, and
   * the text (SQLite keeps it in sqlite_schema; executor/triggers.ts stores it).
   */
  private trigger(): AnyNode {
    const ifNotExists = this.acceptWord('if', 'not', 'exists')
    const name = this.tableName()
    let timing: 'before' | 'after' | 'instead of' = 'before'
    if (this.acceptWord('before')) timing = 'before'
    else if (this.acceptWord('after')) timing = 'after'
    else if (this.acceptWord('instead', 'of')) timing = 'instead of'
    let event: 'insert' | 'update' | 'delete'
    let columns: string[] | undefined
    if (this.acceptWord('insert')) event = 'insert'
    else if (this.acceptWord('delete')) event = 'delete'
    else if (this.acceptWord('update')) {
      event = 'update'
      if (this.acceptWord('of')) {
        columns = []
        do columns.push(this.name())
        while (this.acceptOp(','))
      }
    } else return this.fail('expected DELETE, INSERT or UPDATE')
    this.expectWord('on')
    const table = this.tableName()
    if (this.acceptWord('for')) {
      this.expectWord('each')
      if (this.acceptWord('statement')) this.fail("FOR EACH STATEMENT triggers are not supported (nor SQLite's)")
      this.expectWord('row')
    }
    const when = this.acceptWord('when') ? this.expression() : undefined
    this.expectWord('begin')
    const body: AnyNode[] = []
    do {
      let statement: AnyNode
      if (this.isSelectStart()) statement = this.select()
      else if (this.isWord('insert') || this.isWord('replace')) statement = this.insert()
      else if (this.isWord('update')) statement = this.update()
      else if (this.isWord('delete')) statement = this.delete()
      else return this.fail('expected SELECT, INSERT, UPDATE or DELETE in a trigger')
      body.push(statement)
      this.expectOp(';')
    } while (!this.isWord('end'))
    this.expectWord('end')
    const end = this.tokens[this.at - 1]!.end
    const start = this.tokens[0]!.at
    return node('CreateTriggerNode', {
      name,
      table,
      timing,
      event,
      ...(columns === undefined ? {} : { columns }),
      ...(when === undefined ? {} : { when }),
      body,
      sql: this.lexed.text.slice(start, end),
      ...(ifNotExists ? { ifNotExists } : {}),
    })
  }

  /** The whole text as a list of order by items (with directions) or group by items. */
  wholeItems(order: boolean): AnyNode[] {
    const items: AnyNode[] = []
    if (order) items.push(...(this.orderBy([], false)!.items as AnyNode[]))
    else
      do items.push(node('GroupByItemNode', { groupBy: this.expression() }))
      while (this.acceptOp(','))
    if (this.peek().t !== 'end') this.fail('expected the end of the list')
    return items
  }

  /** The whole text as one expression. */
  wholeExpression(): AnyNode {
    const e = this.expression()
    if (this.peek().t !== 'end') this.fail('expected the end of the expression')
    return e
  }
}

/** A raw fragment in an expression's place, parsed into the builder's expression nodes. */
export function parseRawExpression(raw: AnyNode): AnyNode {
  return new StatementParser(lex(raw)).wholeExpression()
}

/** A raw statement, parsed into the select / insert / update / delete node the builder would make. */
export function parseRawStatement(raw: AnyNode): AnyNode {
  const lexed = lex(raw)
  if (lexed.tokens.length === 1) throw unsupported('an empty raw statement')
  return new StatementParser(lexed).statement()
}

/** A raw order by or group by list, parsed into its items. */
export function parseRawItems(raw: AnyNode, order: boolean): AnyNode[] {
  return new StatementParser(lex(raw)).wholeItems(order)
}
