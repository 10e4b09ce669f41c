/**
 * What the SIGKILL test's child writes (bindings-crash-child.ts) and the test expects to find:
 * round n of writes, one atomic commit each, through either binding.
 */
import { Kysely } from 'kysely'
import { BTreeDialect } from 'kysely-btree'

/** Entries of a Level round: [sublevel name ('' for the root), key, value]. */
export function levelRound(n: number): [string, string, string][] {
  const out: [string, string, string][] = []
  for (let j = 0; j < 8; j++) {
    out.push(['', `r${n}-${j}`, `value ${n} ${j} `.padEnd(60 + j * 10, '#')])
    out.push(['s', `${n}-${j}`, `sub ${n} ${j}`])
  }
  return out
}

export const ROWS_PER_ROUND = 5

export interface ChildDB {
  items: { id: number; round: number; body: string | null }
  rounds: { id: number; count: number }
}

/** The rows a Kysely round inserts: ids n * ROWS_PER_ROUND on. */
export function roundRows(n: number): ChildDB['items'][] {
  return Array.from({ length: ROWS_PER_ROUND }, (_, j) => ({
    id: n * ROWS_PER_ROUND + j,
    round: n,
    body: `round ${n} row ${j}`.padEnd(80, '.'),
  }))
}

export function openDialect(file: string): Kysely<ChildDB> {
  return new Kysely<ChildDB>({ dialect: new BTreeDialect({ path: file }) })
}
