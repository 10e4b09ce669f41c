import type { Catalog, TableDef } from '../catalog/catalog.js'
import { tableNameOf } from '../catalog/stored-node.js'
import { lex, type AnyNode, type Token } from '../sql/lexer.js'
import { quoted as quotedName } from '../sql/schema-text.js'

type TreeNode = Record<string, unknown>

/** A source of a select as the rename pass sees it: its name there, and its columns when known. */
interface Source {
  readonly name: string
  /** The renamed table (read under this name). */
  readonly target: boolean
  /** Lower-cased column names; undefined for a derived table, a view or a common table. */
  readonly columns: ReadonlySet<string> | undefined
}

/**
 * Column `from` of table `table` renamed `to` in a stored select tree (a view's), in place, as
 * SQLite's ALTER TABLE RENAME COLUMN rewrites a view's text: a reference qualified with a name the
 * table is read under there (its name or its alias), and an unqualified one that the innermost
 * select with a source of that column name resolves to the table. Subqueries see the selects
 * around them; a derived table's, a view's or a common table's columns are their own names.
 * Returns whether anything was renamed.
 */
export function renameColumnInSelect(
  tree: unknown,
  catalog: Catalog,
  table: TableDef,
  from: string,
  to: string,
): boolean {
  return renameColumnInStatements([tree], catalog, table, from, to)
}

/**
 * Column `from` of `table` renamed `to` in a trigger's statements (insert, update, delete, select
 * trees), in place, as SQLite rewrites a trigger's text: an UPDATE's or INSERT's target column
 * of the table, an upsert's conflict target and SET columns, and every reference that resolves to
 * the table's column (`excluded.x` too), as in renameColumnInSelect. `new.x` and `old.x` are the
 * trigger's own table's (triggers.ts). Returns whether anything was renamed.
 */
export function renameColumnInStatements(
  statements: readonly unknown[],
  catalog: Catalog,
  table: TableDef,
  from: string,
  to: string,
): boolean {
  const pass = new RenamePass(catalog, table.name.toLowerCase(), from.toLowerCase(), to)
  for (const s of statements) pass.statement(s as TreeNode)
  return pass.renamed
}

class RenamePass {
  renamed = false

  constructor(
    readonly catalog: Catalog,
    readonly table: string,
    readonly from: string,
    readonly to: string,
  ) {}

  /** A statement: a select (a view's), or an insert, update or delete of a trigger's body. */
  statement(n: TreeNode): void {
    if (n['kind'] === 'SelectQueryNode') return this.select(n, [])
    const ctes = new Set<string>()
    for (const cte of ((n['with'] as TreeNode | undefined)?.['expressions'] ?? []) as TreeNode[]) {
      const query = cte['expression'] as TreeNode | undefined
      if (query !== undefined) this.select(query, [], ctes)
      const name = (cte['name'] as TreeNode | undefined)?.['table'] as TreeNode | undefined
      const id = name === undefined ? undefined : tableNameOf(name)
      if (id !== undefined) ctes.add(id.toLowerCase())
    }
    switch (n['kind']) {
      case 'UpdateQueryNode': {
        const target = this.source(n['table'] as TreeNode, [], ctes)
        const others = [
          ...(((n['from'] as TreeNode | undefined)?.['froms'] ?? []) as TreeNode[]),
          ...((n['joins'] ?? []) as TreeNode[]).map((j) => j['table'] as TreeNode),
        ].map((item) => this.source(item, [], ctes))
        const scopes = [[target, ...others]]
        for (const u of (n['updates'] ?? []) as TreeNode[]) {
          this.target(u['column'] as TreeNode, target)
          this.expression(u['value'], scopes, ctes)
        }
        for (const j of (n['joins'] ?? []) as TreeNode[]) this.expression(j['on'], scopes, ctes)
        this.expression(n['where'], scopes, ctes)
        this.expression(n['returning'], scopes, ctes)
        return
      }
      case 'DeleteQueryNode': {
        const froms = ((n['from'] as TreeNode | undefined)?.['froms'] ?? []) as TreeNode[]
        const scopes = [froms.map((f) => this.source(f, [], ctes))]
        this.expression(n['where'], scopes, ctes)
        this.expression(n['returning'], scopes, ctes)
        return
      }
      case 'InsertQueryNode': {
        const target = this.source(n['into'] as TreeNode, [], ctes)
        for (const c of (n['columns'] ?? []) as TreeNode[]) this.target(c, target)
        const values = n['values'] as TreeNode | undefined
        if (values?.['kind'] === 'SelectQueryNode') this.select(values, [], ctes)
        else this.expression(values, [[]], ctes)
        const conflict = n['onConflict'] as TreeNode | undefined
        if (conflict !== undefined) {
          const scopes = [[target, { ...target, name: 'excluded' }]]
          for (const c of (conflict['columns'] ?? []) as TreeNode[]) this.target(c, target)
          this.expression(conflict['indexWhere'], [[target]], ctes)
          for (const u of (conflict['updates'] ?? []) as TreeNode[]) {
            this.target(u['column'] as TreeNode, target)
            this.expression(u['value'], scopes, ctes)
          }
          this.expression(conflict['updateWhere'], scopes, ctes)
        }
        this.expression(n['returning'], [[target]], ctes)
        return
      }
    }
  }

  /** A column the statement writes (`set x = ...`, `insert into t (x)`): renamed when its table is the renamed one. */
  target(column: TreeNode, target: Source): void {
    const id = column['column'] as TreeNode | undefined
    const name = id?.['name']
    if (target.target && typeof name === 'string' && name.toLowerCase() === this.from) this.rename(id!)
  }

  /** A select (or a compound's arm) with the scopes around it. */
  select(n: TreeNode, outer: readonly (readonly Source[])[], ctes: ReadonlySet<string> = new Set()): void {
    const names = new Set(ctes)
    for (const cte of ((n['with'] as TreeNode | undefined)?.['expressions'] ?? []) as TreeNode[]) {
      const query = cte['expression'] as TreeNode | undefined
      if (query !== undefined) this.select(query, outer, names)
      // CommonTableExpressionNameNode: its table is the name.
      const table = (cte['name'] as TreeNode | undefined)?.['table'] as TreeNode | undefined
      const id = table === undefined ? undefined : tableNameOf(table)
      if (id !== undefined) names.add(id.toLowerCase())
    }
    const sources: Source[] = []
    const items = [
      ...(((n['from'] as TreeNode | undefined)?.['froms'] ?? []) as TreeNode[]),
      ...((n['joins'] ?? []) as TreeNode[]).map((j) => j['table'] as TreeNode),
    ]
    for (const item of items) sources.push(this.source(item, outer, names))
    const scopes = [...outer, sources]
    for (const key of Object.keys(n)) {
      if (key === 'from' || key === 'with' || key === 'kind') continue
      if (key === 'joins') {
        for (const j of (n['joins'] ?? []) as TreeNode[]) this.expression(j['on'], scopes, names)
        continue
      }
      if (key === 'setOperations') {
        for (const op of (n['setOperations'] ?? []) as TreeNode[])
          this.select(op['expression'] as TreeNode, outer, names)
        continue
      }
      this.expression(n[key], scopes, names)
    }
  }

  source(item: TreeNode, outer: readonly (readonly Source[])[], ctes: ReadonlySet<string>): Source {
    if (item['kind'] === 'AliasNode') {
      const inner = item['node'] as TreeNode
      const alias = ((item['alias'] as TreeNode)['name'] as string | undefined) ?? ''
      if (inner['kind'] === 'TableNode') return { ...this.tableSource(inner, ctes), name: alias.toLowerCase() }
      // A derived table: its own select, its own column names.
      if (inner['kind'] === 'SelectQueryNode') this.select(inner, outer, ctes)
      return { name: alias.toLowerCase(), target: false, columns: undefined }
    }
    if (item['kind'] === 'TableNode') return this.tableSource(item, ctes)
    return { name: '', target: false, columns: undefined }
  }

  tableSource(node: TreeNode, ctes: ReadonlySet<string>): Source {
    const name = (tableNameOf(node) ?? '').toLowerCase()
    if (ctes.has(name)) return { name, target: false, columns: undefined }
    const def = this.catalog.table(name)
    if (def === undefined) return { name, target: false, columns: undefined }
    return {
      name,
      target: name === this.table,
      columns: new Set(def.columns.map((c) => c.name.toLowerCase())),
    }
  }

  /** Any part of a select: column references renamed, subqueries walked with the scopes around them. */
  expression(node: unknown, scopes: readonly (readonly Source[])[], ctes: ReadonlySet<string>): void {
    if (typeof node !== 'object' || node === null) return
    if (Array.isArray(node)) {
      for (const item of node) this.expression(item, scopes, ctes)
      return
    }
    const n = node as TreeNode
    if (n['kind'] === 'SelectQueryNode') return this.select(n, scopes, ctes)
    if (n['kind'] === 'ReferenceNode') {
      const column = n['column'] as TreeNode
      if (column['kind'] !== 'ColumnNode') return
      const qualifier = n['table'] === undefined ? undefined : tableNameOf(n['table'] as TreeNode)?.toLowerCase()
      this.column(column, qualifier, scopes)
      return
    }
    if (n['kind'] === 'ColumnNode') return this.column(n, undefined, scopes)
    for (const key of Object.keys(n)) if (key !== 'kind') this.expression(n[key], scopes, ctes)
  }

  /** A column reference: renamed when it reads the renamed column of the renamed table. */
  column(node: TreeNode, qualifier: string | undefined, scopes: readonly (readonly Source[])[]): void {
    const id = node['column'] as TreeNode
    const name = id['name']
    if (typeof name !== 'string' || name.toLowerCase() !== this.from) return
    for (let i = scopes.length - 1; i >= 0; i--) {
      const scope = scopes[i]!
      if (qualifier !== undefined) {
        const source = scope.find((s) => s.name === qualifier)
        if (source === undefined) continue
        if (source.target) this.rename(id)
        return
      }
      // The innermost select with a source that has the column reads it (a source whose columns
      // are unknown may hold it too: then the reference is left as written).
      const having = scope.filter((s) => s.columns === undefined || s.columns.has(this.from))
      if (having.length === 0) continue
      if (having.length === 1 && having[0]!.target) this.rename(id)
      return
    }
  }

  rename(id: TreeNode): void {
    id['name'] = this.to
    this.renamed = true
  }
}

/**
 * The identifiers of the column references named `lower` in trees, in the order the text has them
 * (the parser builds fields in the order they are written; a statement's WITH comes first), but
 * those below a node `skip` picks (a trigger's `new.x` / `old.x`).
 */
export function columnIdentifiers(
  trees: unknown,
  lower: string,
  skip: (n: TreeNode) => boolean = () => false,
): TreeNode[] {
  const out: TreeNode[] = []
  const visit = (node: unknown): void => {
    if (typeof node !== 'object' || node === null) return
    if (Array.isArray(node)) {
      for (const n of node) visit(n)
      return
    }
    const n = node as TreeNode
    if (skip(n)) return
    if (n['kind'] === 'ColumnNode') {
      const id = n['column'] as TreeNode | undefined
      if (typeof id?.['name'] === 'string' && id['name'].toLowerCase() === lower) out.push(id)
      return
    }
    if ('with' in n) visit(n['with'])
    for (const key of Object.keys(n)) if (key !== 'with') visit(n[key])
  }
  visit(trees)
  return out
}

/**
 * A text with the column references a rename pass renamed written anew, as SQLite writes a
 * renamed column (quoted when the ALTER quoted the new name or the token was): the name tokens
 * that are the old name, from the token `start` finds on, but those qualified by `new.` / `old.`
 * and those after AS (an alias, a type), paired in order with `ids` (the references of a tree
 * parsed from this text, `before` their names before the pass). When they do not pair up (a table
 * or function of the column's name), the text is returned as it was.
 */
export function renamePairedTokens(
  sql: string,
  ids: readonly TreeNode[],
  before: readonly unknown[],
  lower: string,
  to: string,
  quoted: boolean,
  start: (tokens: readonly Token[]) => number,
): string {
  const lexed = lex({ kind: 'RawNode', sqlFragments: [sql], parameters: [] } as unknown as AnyNode)
  const tokens = lexed.tokens
  const from = start(tokens)
  if (from < 0) return sql
  const word = (t: Token | undefined, ...words: string[]): boolean =>
    t !== undefined && t.t === 'name' && !t.quoted && words.includes(t.v.toLowerCase())
  const found = tokens.filter((t, i) => {
    if (i < from || t.t !== 'name' || t.v.toLowerCase() !== lower) return false
    if (word(tokens[i - 1], 'as')) return false
    const dot = tokens[i - 1]
    return !(dot?.t === 'op' && dot.v === '.' && word(tokens[i - 2], 'new', 'old'))
  })
  if (found.length !== ids.length) return sql
  let text = lexed.text
  for (let k = found.length - 1; k >= 0; k--) {
    if (ids[k]!['name'] === before[k]) continue
    const t = found[k]!
    const written = quoted || (t.t === 'name' && t.quoted) ? quotedName(to) : to
    text = text.slice(0, t.at) + written + text.slice(t.end)
  }
  return text
}
