import type { TableDef } from '../catalog/catalog.js'
import type { OperationNode } from 'kysely'
import { conjuncts, type AnyNode } from '../expression/nodes.js'
import { byPrecedence } from '../expression/precedence.js'
import type { Scope } from '../expression/scope.js'
import { chooseAccess, type AccessPath, type TableStats } from '../planner/access-path.js'
import { termsOf, type Term } from '../planner/terms.js'
import type { RowsOf } from './join.js'

/*
 * What the join planner knows of each source of a select (JoinSource), of each condition it places
 * (Conjunct), and the access paths it asks of them, remembered while a scope is planned
 * (withPlanMemo, termsFor, bestPath): shared by the join order (sqlite-order.ts) and the joins
 * themselves (join-order.ts).
 */

/** One source of a select as the join planner sees it. */
export interface JoinSource {
  readonly table: TableDef
  readonly as: string
  /** A derived table's rows; undefined for a stored table. */
  readonly derived: RowsOf | undefined
  /** How it joins the sources before it (`cross` for extra from tables); ignored for the first. */
  readonly join: AnyNode | undefined
  /**
   * Joined by an explicit `cross join` (not listed in `from`): read after every source written
   * before it (sqlite-order.ts: mayComeNext).
   */
  readonly fixed: boolean
  readonly stats: TableStats
  /** Slots the statement reads from it (for covering reads); undefined: all, or cannot tell. */
  readonly reads: ReadonlySet<number> | undefined
  /**
   * Slots the statement reads from a stored table joined to others (SQLite's colUsed), for the
   * order of an automatic index's rows (join-order.ts: automaticIndexOrder); undefined when it
   * cannot tell.
   */
  readonly columns?: ReadonlySet<number> | undefined
  /** The statement has no order by (access-path.ts: AccessRequest.unordered). */
  readonly unordered?: boolean
  /**
   * A table-valued function whose arguments read these sources of the select (`pragma_table_info(t.name)`):
   * read after them, its rows made again for each tuple of them (`derived` is given the tuple).
   */
  readonly after?: ReadonlySet<number>
}

/** The conjuncts of a join's `on` clause. */
export function onConjuncts(join: AnyNode | undefined): AnyNode[] {
  const on = (join?.on as AnyNode | undefined)?.on as OperationNode | undefined
  return on === undefined ? [] : conjuncts(byPrecedence(on))
}

/** A condition the join planner places at the first step that knows every source it reads. */
export interface Conjunct {
  readonly node: AnyNode
  /** From an inner join's on clause (it must run before any later outer join), or the where clause. */
  readonly on: boolean
  /** Own sources it reads (outer ones are always known); undefined when it cannot tell. */
  readonly sources: ReadonlySet<number> | undefined
  placed: boolean
  /**
   * Seen only by the join order, as SQLite's planner sees it (sqlite-order.ts): a comparison its
   * column equivalences imply, or the written form of a condition its constant propagation
   * rewrote (planner/equivalences.ts). It lets a read seek a key or index and filters no rows.
   */
  readonly implied?: boolean
  /** Implied for this source's reads alone (planner/equivalences.ts: ImpliedComparison). */
  readonly seeks?: number
  /** The on clause of a left join, which alone bounds that source's read (sqlite-order.ts). */
  readonly outerOn?: boolean
}

/** Rows of a derived table, which has no statistics. */
export const DERIVED_ROWS = 1000

/**
 * Runs `plan` with a memo of the terms and paths asked of `scope`'s sources (termsFor, bestPath):
 * planning a join asks the same questions many times.
 */
export function withPlanMemo<T>(scope: Scope, plan: () => T): T {
  memos.set(scope, { terms: new Map(), paths: [] })
  try {
    return plan()
  } finally {
    memos.delete(scope)
  }
}

/**
 * Terms by conjunct and source, and paths chosen by source, of the scopes being planned. Plain
 * maps dropped when planJoins returns: WeakMaps keyed by each statement's nodes cost their
 * ephemeron upkeep in every garbage collection.
 */
interface PlanMemo {
  readonly terms: Map<AnyNode, Map<number, Term[]>>
  readonly paths: ChosenPath[][]
}
const memos = new Map<Scope, PlanMemo>()

export function termsFor(conds: readonly AnyNode[], s: number, scope: Scope): Term[] {
  const memo = memos.get(scope)
  const out: Term[] = []
  for (const c of conds) {
    if (memo === undefined) {
      out.push(...termsOf(c, s, scope))
      continue
    }
    let bySource = memo.terms.get(c)
    if (bySource === undefined) memo.terms.set(c, (bySource = new Map()))
    let terms = bySource.get(s)
    if (terms === undefined) bySource.set(s, (terms = termsOf(c, s, scope)))
    out.push(...terms)
  }
  return out
}

/** A path chosen for a source: the conditions it was chosen with and the sources then known. */
interface ChosenPath {
  readonly conds: readonly AnyNode[]
  readonly known: string
  readonly path: AccessPath
}

/** A source's cheapest path using the conditions whose other sources are `known`. */
export function bestPath(
  src: JoinSource,
  s: number,
  conds: readonly AnyNode[],
  scope: Scope,
  known: (source: number) => boolean,
  /** Whether an `or` of keyed disjuncts may be read as SQLite's MULTI-INDEX OR (access-path.ts: orPath). */
  orBranches = false,
): AccessPath {
  let mask = `${src.stats.rows}:${orBranches ? 'or:' : ''}`
  for (let i = 0; i < scope.sources.length; i++) mask += known(i) ? '1' : '0'
  // Planning asks again and again, with few distinct questions.
  const chosen = memos.get(scope)?.paths
  const bySource = chosen === undefined ? [] : (chosen[s] ??= [])
  for (const c of bySource) if (c.known === mask && sameNodes(c.conds, conds)) return c.path
  const path = chooseAccess({
    table: src.table,
    source: s,
    stats: src.stats,
    terms: termsFor(conds, s, scope),
    known,
    order: [],
    stopAfter: undefined,
    reads: src.reads,
    ...(src.unordered === true ? { unordered: true } : {}),
    conds,
    scope,
    ...(orBranches ? { orBranches: true } : {}),
  })
  bySource.push({ conds: conds.slice(), known: mask, path })
  return path
}

function sameNodes(a: readonly AnyNode[], b: readonly AnyNode[]): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

export function rowsOfSource(src: JoinSource): number {
  return src.derived === undefined ? src.stats.rows : DERIVED_ROWS
}
