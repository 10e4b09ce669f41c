import type { Catalog, TableDef, TriggerDef } from '../catalog/catalog.js'
import { eachIn, firstIn, namesTable, renameTableIn, tableNameOf } from '../catalog/stored-node.js'
import { BTreeSqlError } from '../errors.js'
import type { AnyNode } from '../expression/nodes.js'
import { lex } from '../sql/lexer.js'
import { quoted } from '../sql/schema-text.js'
import { columnIdentifiers, renameColumnInStatements, renamePairedTokens } from './rename-column.js'

/*
 * What an ALTER TABLE does to triggers (executor/alter-table.ts): a renamed table or column
 * followed in their trees and texts as SQLite rewrites them, and SQLite's refusal to drop a column
 * a trigger reads as `new.x` / `old.x`.
 */

/** A RENAME COLUMN: the old name, the new one, and whether the ALTER quoted the new one (sql/schema-text.ts: alterations). */
export type Rename = readonly [from: string, to: string, quoted?: boolean]

/**
 * The triggers an ALTER TABLE changes, as SQLite rewrites them: those on the table follow its new
 * name, their UPDATE OF lists and `new.` / `old.` references its renamed columns; a renamed table's
 * name is rewritten wherever a trigger's statements name it, and in the statements of any trigger
 * that reads the table, references to its renamed columns (renameInBody).
 */
export function triggersAfterAlter(
  catalog: Catalog,
  original: TableDef,
  table: TableDef,
  renames: readonly Rename[],
): TriggerDef[] {
  const from = original.name.toLowerCase()
  const renamedTable = table.name !== original.name
  const out: TriggerDef[] = []
  for (const r of catalog.triggers()) {
    const on = r.table.toLowerCase() === from
    const reads = namesTable(r.body, from)
    if (!on && !(reads && (renamedTable || renames.length > 0))) continue
    const copy = structuredClone(r)
    // Its statements' references to a renamed column of the table, in the tree and the text.
    if (reads) for (const rename of renames) renameInBody(copy, catalog, original, rename)
    if (on) {
      copy.table = table.name
      for (const [a, b] of renames) {
        if (copy.columns !== undefined)
          copy.columns = copy.columns.map((c) => (c.toLowerCase() === a.toLowerCase() ? b : c))
        renameRowReference(copy.when, a, b)
        renameRowReference(copy.body, a, b)
      }
    }
    if (renamedTable) renameTableIn(copy.body, from, table.name)
    copy.sql = renameInText(copy.sql, on, renamedTable ? from : undefined, table.name, on ? renames : [])
    out.push(copy)
  }
  return out
}

/**
 * RENAME COLUMN in a trigger's statements (rename-column.ts: renameColumnInStatements) and in its
 * text: the name tokens of its WHEN clause and body that are the old name, but for `new.x` and
 * `old.x` (renameInText), are the column references of its trees in the same order (the parser
 * builds them in the order they are written); those whose reference the tree pass renamed are
 * rewritten as SQLite writes a renamed column. When the two do not pair up (a table, alias or
 * function of the same name), the text is left as written: the trees, which run, are renamed.
 */
function renameInBody(copy: TriggerDef, catalog: Catalog, table: TableDef, [from, to, alterQuoted]: Rename): void {
  const lower = from.toLowerCase()
  const ids = columnIdentifiers([copy.when, copy.body], lower, (n) => rowReference(n) !== undefined)
  const before = ids.map((id) => id['name'])
  if (!renameColumnInStatements(copy.body, catalog, table, from, to)) return
  copy.sql = renamePairedTokens(copy.sql, ids, before, lower, to, alterQuoted === true, (tokens) => {
    // The WHEN clause and the body: from the first WHEN or BEGIN after the trigger's ON.
    const on = tokens.findIndex((t) => t.t === 'name' && !t.quoted && t.v.toLowerCase() === 'on')
    return on < 0
      ? -1
      : tokens.findIndex(
          (t, i) => i > on && t.t === 'name' && !t.quoted && ['when', 'begin'].includes(t.v.toLowerCase()),
        )
  })
}

/**
 * A trigger's text with the renames an ALTER TABLE made in its tree made in it too, as SQLite
 * rewrites the text it keeps: the table's new name wherever a name token is the old one, and on
 * the trigger's own table (`on`) the renamed columns of its UPDATE OF list and `new.` / `old.`
 * references. Tokens are replaced from the last, so each one's position holds.
 */
function renameInText(
  sql: string,
  on: boolean,
  fromTable: string | undefined,
  toTable: string,
  renames: readonly Rename[],
): string {
  const tokens = lex({ kind: 'RawNode', sqlFragments: [sql], parameters: [] } as unknown as AnyNode).tokens
  const edits: { at: number; end: number; text: string }[] = []
  // SQLite's renameEditSql: a renamed table is written quoted; a renamed column quoted when the
  // ALTER quoted its new name or the replaced token was quoted, else bare.
  const renamedColumn = (t: { v: string; quoted: boolean }): string | undefined => {
    const r = renames.find(([a]) => a.toLowerCase() === t.v.toLowerCase())
    return r === undefined ? undefined : r[2] === true || t.quoted ? quoted(r[1]) : r[1]
  }
  let updateOf = false
  // The trigger's own name (after `trigger [if not exists]`) is no table's.
  let own = tokens.findIndex((t) => t.t === 'name' && !t.quoted && t.v.toLowerCase() === 'trigger') + 1
  while (['if', 'not', 'exists'].includes((tokens[own] as { v?: string } | undefined)?.v?.toLowerCase() ?? '')) own++
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!
    if (t.t !== 'name' || i === own) continue
    const lower = t.v.toLowerCase()
    // `update of a, b on t`: the list up to `on` (the trigger's header; the body comes after `begin`).
    if (
      !t.quoted &&
      lower === 'of' &&
      i > 0 &&
      tokens[i - 1]!.t === 'name' &&
      (tokens[i - 1] as { v: string }).v.toLowerCase() === 'update'
    ) {
      updateOf = true
      continue
    }
    if (!t.quoted && lower === 'on') updateOf = false
    if (on && updateOf) {
      const to = renamedColumn(t)
      if (to !== undefined) edits.push({ at: t.at, end: t.end, text: to })
      continue
    }
    const prev = tokens[i - 1]
    const qualifier = tokens[i - 2]
    if (
      on &&
      prev?.t === 'op' &&
      prev.v === '.' &&
      qualifier?.t === 'name' &&
      !qualifier.quoted &&
      (qualifier.v.toLowerCase() === 'new' || qualifier.v.toLowerCase() === 'old')
    ) {
      const to = renamedColumn(t)
      if (to !== undefined) edits.push({ at: t.at, end: t.end, text: to })
      continue
    }
    if (fromTable !== undefined && lower === fromTable) edits.push({ at: t.at, end: t.end, text: quoted(toTable) })
  }
  let out = sql
  for (const e of edits.reverse()) out = out.slice(0, e.at) + e.text + out.slice(e.end)
  return out
}

/**
 * DROP COLUMN of a column a trigger on the table reads as `new.x` or `old.x`: SQLite's error (it
 * reads the schema again after the drop, and names the first such reference), and the column
 * stays. One only in an UPDATE OF list is dropped, as in SQLite (the trigger then never fires).
 */
export function checkDropColumn(catalog: Catalog, table: TableDef, column: string): void {
  const lower = column.toLowerCase()
  for (const r of catalog.triggersOn(table.name)) {
    const found = rowColumnIn(r.when, lower) ?? rowColumnIn(r.body, lower)
    if (found !== undefined)
      throw new BTreeSqlError(
        'BTREE_SQL_INVALID_SCHEMA',
        `error in trigger ${r.name} after drop column: no such column: ${found}`,
      )
  }
}

/** The first `new.x` or `old.x` in a stored tree naming column `lower`, as written. */
function rowColumnIn(tree: unknown, lower: string): string | undefined {
  return firstIn(tree, (n) => {
    const row = rowReference(n)
    return row !== undefined && row.column.toLowerCase() === lower ? `${row.qualifier}.${row.column}` : undefined
  })
}

/** A ReferenceNode's `new.x` or `old.x`: the qualifier and the column's identifier, as written. */
function rowReference(
  n: Record<string, unknown>,
): { qualifier: string; column: string; id: Record<string, unknown> } | undefined {
  if (n['kind'] !== 'ReferenceNode' || n['table'] === undefined) return undefined
  const qualifier = tableNameOf(n['table'] as AnyNode)
  const id = (n['column'] as Record<string, unknown>)['column'] as Record<string, unknown> | undefined
  if (qualifier === undefined || !/^(new|old)$/i.test(qualifier) || typeof id?.['name'] !== 'string') return undefined
  return { qualifier, column: id['name'], id }
}

/** `new.a` / `old.a` renamed to `new.b` / `old.b` in a stored tree, in place. */
function renameRowReference(tree: unknown, a: string, b: string): void {
  eachIn(tree, (n) => {
    const row = rowReference(n)
    if (row !== undefined && row.column.toLowerCase() === a.toLowerCase()) row.id['name'] = b
    return n['kind'] !== 'ReferenceNode'
  })
}
