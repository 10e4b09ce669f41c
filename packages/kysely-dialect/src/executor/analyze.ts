import type { ReadTransaction } from 'btree-store'
import {
  indexBucket,
  loadCatalog,
  saveCatalog,
  type Catalog,
  type IndexDef,
  type TableDef,
} from '../catalog/catalog.js'
import { componentEnd } from '../encoding/key-components.js'
import type { StatementResult, WriteContext } from './context.js'
import type { StatementHandler } from './statement.js'

/**
 * For k = 1..columns, the average number of entries sharing their first k components: one pass over
 * the index, comparing each entry's components with the previous entry's. O(entries).
 */
export function indexRowsPerKey(tx: ReadTransaction, index: IndexDef): number[] {
  const width = index.expressions?.length ?? index.columns.length
  const distinct = new Array<number>(width).fill(0)
  const bucket = tx.bucket(indexBucket(index))
  if (bucket === undefined || bucket.size === 0) return distinct.map(() => 1)
  let previous: Uint8Array | undefined
  let entries = 0
  const c = bucket.cursor()
  for (let ok = c.first(); ok; ok = c.next()) {
    const key = c.key!
    entries++
    // The first component (from the left) where the entry differs from the previous one.
    let at = 0
    let k = 0
    if (previous !== undefined) {
      for (; k < width; k++) {
        const end = componentEnd(key, at)
        if (end > previous.length || !sameBytes(key, previous, at, end)) break
        at = end
      }
    }
    for (let i = k; i < width; i++) distinct[i]!++
    previous = key.slice()
  }
  return distinct.map((d) => Math.round((entries / Math.max(1, d)) * 100) / 100)
}

function sameBytes(a: Uint8Array, b: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (a[i] !== b[i]) return false
  return true
}

/**
 * `analyze(db)`: refreshes the statistics the planner reads beyond the row counts the engine keeps
 * exact, as SQLite's ANALYZE does: each index's rows per distinct prefix. One catalog change.
 */
export function runAnalyze(ctx: WriteContext, only?: string): StatementResult {
  let catalog: Catalog = ctx.catalog
  const changed: TableDef[] = []
  const tables = only === undefined ? catalog.tables() : [catalog.requireTable(only)]
  for (const original of tables) {
    if (original.indexes.length === 0) continue
    const table: TableDef = structuredClone(original)
    for (const index of table.indexes) index.rowsPerKey = indexRowsPerKey(ctx.tx, index)
    catalog = catalog.withTable(table)
    changed.push(table)
  }
  if (changed.length > 0) saveCatalog(ctx.tx, catalog, changed)
  return { rows: [], changes: 0, reader: false }
}

/**
 * Raw `analyze [t]` (every table, or t's indexes) and `pragma optimize` (the tables with an index
 * that has no statistics yet: SQLite's optimize analyzes the tables its planner would gain on),
 * run as a schema statement of the connection (connection.ts).
 */
export function analyzeHandler(p: {
  readonly name: 'analyze' | 'optimize'
  readonly table: string | undefined
}): StatementHandler {
  return {
    readOnly: false,
    schema: true,
    analyzes: true,
    run: (_, ctx) => {
      if (p.name === 'analyze') return runAnalyze(ctx, p.table)
      const stale = ctx.catalog.tables().filter((t) => t.indexes.some((i) => i.rowsPerKey === undefined))
      let result: StatementResult = { rows: [], changes: 0, reader: false }
      for (const t of stale) result = runAnalyze({ ...ctx, catalog: loadCatalog(ctx.tx) }, t.name)
      return result
    },
  }
}
