import { unsupported } from '../errors.js'
import { identifier, node, tableNode } from './expression-parser.js'
import { QueryParser } from './query-parser.js'
import { lex, type AnyNode } from './lexer.js'

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

/**
 * Whole raw statements (`sql\`select ...\`.execute(db)`) parsed into the operation nodes Kysely's
 * builder would make for them: the queries (query-parser.ts) and the schema statements, create
 * table / index / view / trigger, alter table, drop and reindex, whose text is kept for
 * sqlite_schema. Anything else is BTREE_SQL_UNSUPPORTED with the text.
 */
class StatementParser extends QueryParser {
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

  /** `create [unique] index ...`, `create table ...`, `create view ...` or `create trigger ...`. */
  private create(): AnyNode {
    if (this.isWord('trigger') || ((this.isWord('temp') || this.isWord('temporary')) && this.isWord('trigger', 1))) {
      // `create temp trigger`: the connection's own (executor/triggers.ts).
      const temporary = !this.acceptWord('trigger')
      if (temporary) {
        this.at++
        this.expectWord('trigger')
      }
      const created = this.trigger()
      return temporary ? { ...created, temporary: true } : created
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
