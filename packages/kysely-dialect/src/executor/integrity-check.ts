import type { CheckResult, ReadTransaction } from 'btree-store'
import { indexBucket, schemaTableOf, tableBucket, type Catalog } from '../catalog/catalog.js'
import { BTreeSqlError } from '../errors.js'
import type { Pragma } from '../pragma.js'

type CheckPragma = Extract<Pragma, { name: 'integrity_check' | 'quick_check' }>

/**
 * `pragma integrity_check` and `quick_check`, `[(N)]` or `[(t)]`: `[{ integrity_check: 'ok' }]`
 * (the column is the pragma's name) when the file is sound, else a row per problem, at most N
 * (100 by default).
 *
 * The problems are the engine's `check()` errors (every page read from disk and verified:
 * checksums, page ids, key order, free and reachable pages, the journal; each message names its
 * page), whatever table is named: the engine checks the whole file, which holds every table. Then
 * for integrity_check, not quick_check (as SQLite, whose quick check skips indexes), SQLite's
 * `wrong # of entries in index <name>` for an index whose entry count is not its table's row count
 * (a partial index: more entries than rows), of table t only when one is named; counts are O(1)
 * per bucket, and an entry's contents are not compared with its row.
 *
 * What the engine's open skipped (`warnings`: a journal tail failing its checksum after a crash,
 * a newest commit of pages that did not verify) follows as rows `warning: <message>`, after `ok`
 * when there is no error: the file is sound without the skipped commit (SQLite's check of a WAL
 * whose torn tail it ignored says `ok`), and an app that reads the first row sees `ok`, but the
 * loss of a commit written before a crash is not hidden. `t` must be a table or view (or SQLite's
 * `sqlite_schema`), else BTREE_SQL_NO_SUCH_TABLE as SQLite's "no such table". O(pages).
 */
export function integrityCheck(
  check: () => CheckResult,
  tx: ReadTransaction,
  catalog: Catalog,
  p: CheckPragma,
): Record<string, unknown>[] {
  const named = p.table
  if (
    named !== undefined &&
    catalog.table(named) === undefined &&
    catalog.view(named) === undefined &&
    (schemaTableOf(named) ?? 'sequence') === 'sequence'
  )
    throw new BTreeSqlError('BTREE_SQL_NO_SUCH_TABLE', `no such table: ${named}`)
  const result = check()
  const errors = result.errors.map((e) => e.message)
  if (p.name === 'integrity_check') errors.push(...indexCountProblems(tx, catalog, named))
  const warnings = result.warnings.map((w) => `warning: ${w.message}`)
  const messages =
    errors.length === 0 ? ['ok', ...warnings.slice(0, p.limit)] : [...errors, ...warnings].slice(0, p.limit)
  return messages.map((m) => ({ [p.name]: m }))
}

/** An index holds an entry per row of its table (per row its condition holds, for a partial one). */
function indexCountProblems(tx: ReadTransaction, catalog: Catalog, named: string | undefined): string[] {
  const problems: string[] = []
  for (const table of catalog.tables()) {
    if (named !== undefined && table.name.toLowerCase() !== named.toLowerCase()) continue
    const rows = tx.bucket(tableBucket(table))?.size ?? 0
    for (const index of table.indexes) {
      const entries = tx.bucket(indexBucket(index))?.size ?? 0
      if (index.where === undefined ? entries !== rows : entries > rows)
        problems.push(`wrong # of entries in index ${index.name}`)
    }
  }
  return problems
}
