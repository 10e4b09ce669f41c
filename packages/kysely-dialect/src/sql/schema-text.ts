import { SqliteQueryCompiler, createQueryId, type RootOperationNode } from 'kysely'
import { lex, type AnyNode, type Token } from './lexer.js'

/**
 * The text of schema objects as SQLite keeps it in `sqlite_schema` (executor/schema-table.ts reads
 * it): made from the statement that created the object, and edited by ALTER TABLE as SQLite's
 * alter.c edits it (an added column's definition inserted, a dropped one cut out, renamed names
 * replaced token by token). Comments are not kept: the lexer drops them.
 */

const COMPILER = new SqliteQueryCompiler()

/** A token as the lexer reads text (tokens carry their place in `text`, which is the input less its comments). */
function tokensOf(sql: string): { text: string; tokens: Token[] } {
  return lex({ kind: 'RawNode', sqlFragments: [sql], parameters: [] } as unknown as AnyNode)
}

/**
 * The text a statement was written as: raw SQL's own (the statement parser keeps it in `sql`),
 * else what Kysely's SQLite compiler writes for the builder's node, with any parameter written as
 * its literal (SQLite takes none in a schema statement; Kysely writes defaults as literals).
 */
export function statementText(node: AnyNode): string {
  if (typeof node['sql'] === 'string') return node['sql']
  const compiled = COMPILER.compileQuery(node as RootOperationNode, createQueryId())
  const parameters = compiled.parameters
  if (parameters.length === 0) return compiled.sql
  let out = ''
  let next = 0
  let quote: string | undefined
  for (const c of compiled.sql) {
    if (quote !== undefined) {
      if (c === quote) quote = undefined
      out += c
    } else if (c === "'" || c === '"' || c === '`') {
      quote = c
      out += c
    } else if (c === '?' && next < parameters.length) out += literal(parameters[next++])
    else out += c
  }
  return out
}

function literal(v: unknown): string {
  if (v === null || v === undefined) return 'NULL'
  if (typeof v === 'string') return `'${v.replace(/'/g, "''")}'`
  if (typeof v === 'boolean') return v ? '1' : '0'
  if (v instanceof Uint8Array) return `X'${Buffer.from(v).toString('hex').toUpperCase()}'`
  return String(v as number | bigint)
}

/** A name as SQLite's identPut writes it in text it makes: bare when plain, else double-quoted. */
export function identifierText(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !KEYWORDS.has(name.toLowerCase()) ? name : quoted(name)
}

/** A name double-quoted, as SQLite's rename writes every name it replaces (`"%w"`). */
export function quoted(name: string): string {
  return `"${name.replace(/"/g, '""')}"`
}

/** Words identPut quotes (sqlite3KeywordCode): the ones a column or table name plausibly is. */
const KEYWORDS = new Set(
  (
    'abort action add after all alter always analyze and as asc attach autoincrement before begin between by ' +
    'cascade case cast check collate column commit conflict constraint create cross current current_date ' +
    'current_time current_timestamp database default deferrable deferred delete desc detach distinct do drop ' +
    'each else end escape except exclude exclusive exists explain fail filter first following for foreign from ' +
    'full generated glob group groups having if ignore immediate in index indexed initially inner insert instead ' +
    'intersect into is isnull join key last left like limit match materialized natural no not nothing notnull ' +
    'null nulls of offset on or order others outer over partition plan pragma preceding primary query raise ' +
    'range recursive references regexp reindex release rename replace restrict returning right rollback row ' +
    'rows savepoint select set table temp temporary then ties to transaction trigger unbounded union unique ' +
    'update using vacuum values view virtual when where window with without'
  ).split(' '),
)

const isWord = (t: Token | undefined, ...words: string[]): boolean =>
  t !== undefined && t.t === 'name' && !t.quoted && words.includes(t.v.toLowerCase())
const isOp = (t: Token | undefined, op: string): boolean => t !== undefined && t.t === 'op' && t.v === op

/** The index of the token naming the object a `create ...` statement makes: after its kind's word and `if not exists`, the table part of `main.t`. */
function nameToken(tokens: readonly Token[], kind: string): number {
  let i = tokens.findIndex((t) => isWord(t, kind))
  if (i < 0) return -1
  i++
  if (isWord(tokens[i], 'if') && isWord(tokens[i + 1], 'not') && isWord(tokens[i + 2], 'exists')) i += 3
  if (isOp(tokens[i + 1], '.')) i += 2
  return i
}

/** The last token of a statement, a closing `;` left out. */
function lastToken(tokens: readonly Token[]): Token | undefined {
  let i = tokens.length - 1
  while (i >= 0 && (tokens[i]!.t === 'end' || isOp(tokens[i], ';'))) i--
  return tokens[i]
}

/**
 * SQLite's text of an object it made from `text` (a `create table | index | view | trigger`
 * statement): `CREATE TABLE ` (`INDEX`, `UNIQUE INDEX`, `VIEW`, `TRIGGER`) and the statement from
 * the object's name to its last token (sqlite3EndTable, sqlite3CreateIndex, sqlite3FinishTrigger),
 * so `temp` and `if not exists` drop out. Undefined when the text is not such a statement.
 */
export function schemaText(
  text: string,
  kind: 'table' | 'index' | 'view' | 'trigger',
  unique = false,
): string | undefined {
  const { text: t, tokens } = tokensOf(text)
  const at = nameToken(tokens, kind)
  const last = lastToken(tokens)
  if (at < 0 || tokens[at] === undefined || tokens[at]!.t === 'end' || last === undefined) return undefined
  const head = kind === 'index' && unique ? 'UNIQUE INDEX' : kind.toUpperCase()
  return `CREATE ${head} ${t.slice(tokens[at]!.at, last.end)}`
}

/**
 * The text SQLite makes for `create table ... as select` (createTableStmt): the name, then each
 * column's name and its type from its affinity, on one line when short, else one per line.
 */
export function createTableAsText(name: string, columns: readonly { name: string; type: string }[]): string {
  let n = 0
  for (const c of columns) n += identifierText(c.name).length + 5
  n += identifierText(name).length
  const [sep, sep2, end] = n < 50 ? ['', ',', ')'] : ['\n  ', ',\n  ', '\n)']
  const parts = columns.map((c) => identifierText(c.name) + (c.type === '' ? '' : ` ${c.type}`))
  return `CREATE TABLE ${identifierText(name)}(${sep}${parts.join(sep2)}${end}`
}

/** A table's column definitions in its CREATE text: each one's first and end token, and where table constraints begin (SQLite's addColOffset). */
function columnSpans(tokens: readonly Token[]): {
  columns: { name: string; first: number; last: number }[]
  constraintsAt: number
} {
  const at = nameToken(tokens, 'table')
  let i = at + 1
  while (i < tokens.length && !isOp(tokens[i], '(')) i++
  const columns: { name: string; first: number; last: number }[] = []
  let depth = 0
  let start = i + 1
  for (i = i + 1; i < tokens.length; i++) {
    const t = tokens[i]!
    if (isOp(t, '(')) depth++
    else if (isOp(t, ')') && depth > 0) depth--
    else if (depth === 0 && (isOp(t, ',') || isOp(t, ')'))) {
      const first = tokens[start]!
      if (isWord(first, 'constraint', 'primary', 'unique', 'check', 'foreign'))
        return { columns, constraintsAt: tokens[start - 1]!.at }
      columns.push({ name: first.t === 'name' ? first.v : '', first: start, last: i - 1 })
      if (isOp(t, ')')) return { columns, constraintsAt: t.at }
      start = i + 1
    }
  }
  return { columns, constraintsAt: -1 }
}

/**
 * ADD COLUMN: `, <definition>` inserted after the last column definition, before any table
 * constraint (sqlite3AlterFinishAddColumn at addColOffset); `definition` as written in the ALTER
 * statement, from the column's name on, trailing `;` and spaces left out.
 */
export function addColumnText(tableSql: string, definition: string): string {
  const { text, tokens } = tokensOf(tableSql)
  const { constraintsAt } = columnSpans(tokens)
  if (constraintsAt < 0) return tableSql
  return `${text.slice(0, constraintsAt)}, ${definition.replace(/[\s;]+$/, '')}${text.slice(constraintsAt)}`
}

/**
 * DROP COLUMN: the column's definition cut out as sqlite_drop_column cuts it: from its name to the
 * next column's name, or, the last column, from the comma before it to where the table
 * constraints begin.
 */
export function dropColumnText(tableSql: string, column: string): string {
  const { text, tokens } = tokensOf(tableSql)
  const { columns, constraintsAt } = columnSpans(tokens)
  const k = columns.findIndex((c) => c.name.toLowerCase() === column.toLowerCase())
  if (k < 0 || constraintsAt < 0) return tableSql
  const from = tokens[columns[k]!.first]!.at
  if (k < columns.length - 1) return text.slice(0, from) + text.slice(tokens[columns[k + 1]!.first]!.at)
  const comma = text.lastIndexOf(',', from)
  return text.slice(0, comma < 0 ? from : comma) + text.slice(constraintsAt)
}

/**
 * The definitions an ALTER TABLE's text adds, renames or drops, in order: for `add`, the column's
 * definition as written; for `rename`, whether its new name was quoted (SQLite then quotes it
 * wherever it replaces the old one).
 */
export function alterations(
  alterText: string,
): ({ kind: 'add'; definition: string } | { kind: 'rename'; quoted: boolean } | { kind: 'other' })[] {
  const { text, tokens } = tokensOf(alterText)
  let i = tokens.findIndex((t) => isWord(t, 'table')) + 1
  if (isOp(tokens[i + 1], '.')) i += 2
  i++
  const out: ({ kind: 'add'; definition: string } | { kind: 'rename'; quoted: boolean } | { kind: 'other' })[] = []
  let depth = 0
  let start = i
  for (; i < tokens.length; i++) {
    const t = tokens[i]!
    if (isOp(t, '(')) depth++
    else if (isOp(t, ')')) depth--
    else if (depth === 0 && (isOp(t, ',') || isOp(t, ';') || t.t === 'end')) {
      const first = tokens[start]
      if (isWord(first, 'add')) {
        const from = isWord(tokens[start + 1], 'column') ? start + 2 : start + 1
        out.push({ kind: 'add', definition: text.slice(tokens[from]!.at, tokens[i - 1]!.end) })
      } else if (isWord(first, 'rename') && !isWord(tokens[start + 1], 'to')) {
        const name = tokens[i - 1]!
        out.push({ kind: 'rename', quoted: name.t === 'name' && name.quoted })
      } else out.push({ kind: 'other' })
      if (!isOp(t, ',')) break
      start = i + 1
    }
  }
  return out
}

interface Edit {
  at: number
  end: number
  text: string
}

function applyEdits(text: string, edits: Edit[]): string {
  let out = text
  for (const e of edits.sort((a, b) => b.at - a.at)) out = out.slice(0, e.at) + e.text + out.slice(e.end)
  return out
}

/**
 * RENAME TO in a text that names the table: each name token that is the old name (a table's own
 * name, the table of an index's ON, a REFERENCES target; in a view or trigger, every such name but
 * the object's own, `own` its name token's kind word) written `"new"`, as SQLite's
 * sqlite_rename_table writes them. In a table's text only its name and REFERENCES targets change.
 */
export function renameTableText(sql: string, from: string, to: string, scope: 'table' | 'index' | 'body'): string {
  const { text, tokens } = tokensOf(sql)
  const lower = from.toLowerCase()
  const edits: Edit[] = []
  const kind = scope === 'table' ? 'table' : scope === 'index' ? 'index' : undefined
  const own =
    kind === undefined ? nameToken(tokens, isWord(tokens[1], 'view') ? 'view' : 'trigger') : nameToken(tokens, kind)
  tokens.forEach((t, i) => {
    if (t.t !== 'name' || t.v.toLowerCase() !== lower) return
    const target =
      scope === 'body'
        ? i !== own
        : scope === 'table'
          ? i === own || isWord(tokens[i - 1], 'references')
          : isWord(tokens[i - 1], 'on')
    if (target) edits.push({ at: t.at, end: t.end, text: quoted(to) })
  })
  return applyEdits(text, edits)
}

/**
 * RENAME COLUMN in a text: each name token that is the old column's name where it names a column
 * of the renamed table. `scope`: `table` (the table's own text: all but its name and the
 * REFERENCES clauses of other tables), `index` (an index on it: all but the index's and table's
 * names), `child` (another table's text: the column lists of its REFERENCES to the table).
 * Written quoted when the ALTER quoted the new name or the token was quoted, else bare
 * (renameEditSql). Views and triggers: executor/rename-column.ts renamePairedTokens.
 */
export function renameColumnText(
  sql: string,
  table: string,
  from: string,
  to: string,
  alterQuoted: boolean,
  scope: 'table' | 'index' | 'child',
): string {
  const { text, tokens } = tokensOf(sql)
  const lower = from.toLowerCase()
  const tableLower = table.toLowerCase()
  const edits: Edit[] = []
  const own = scope === 'table' ? nameToken(tokens, 'table') : scope === 'index' ? nameToken(tokens, 'index') : -1
  // REFERENCES clauses: the parent's name and its column list (refTable: the parent of the list being read).
  let refTable: string | undefined
  let depth = 0
  let listDepth = -1
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!
    if (isOp(t, '(')) {
      depth++
      if (refTable !== undefined && listDepth < 0 && isWord(tokens[i - 2], 'references')) listDepth = depth
      continue
    }
    if (isOp(t, ')')) {
      if (depth === listDepth) {
        listDepth = -1
        refTable = undefined
      }
      depth--
      continue
    }
    if (t.t !== 'name') continue
    if (isWord(tokens[i - 1], 'references')) {
      refTable = t.v.toLowerCase()
      if (!isOp(tokens[i + 1], '(')) refTable = undefined
      continue
    }
    if (i === own || t.v.toLowerCase() !== lower) continue
    if (scope === 'index' && isWord(tokens[i - 1], 'on')) continue
    const inReferences = listDepth >= 0
    const target =
      scope === 'child'
        ? inReferences && refTable === tableLower
        : scope === 'table'
          ? !inReferences || refTable === tableLower
          : !inReferences
    if (target) edits.push({ at: t.at, end: t.end, text: alterQuoted || t.quoted ? quoted(to) : to })
  }
  return applyEdits(text, edits)
}
