import { expect } from 'chai'
import type { OperationNode } from 'kysely'
import { kyselyApis, type KyselyApi } from './kysely-versions.js'
import { canonResult, describeError, errorKind, type ErrorKind } from './outcome.js'
import { openOracle, openSubject, type Db, type Side, type SubjectOpening } from './sides.js'

/**
 * The differential harness: a case builds the same schema and rows in a fresh SQLite database
 * (Kysely's own `SqliteDialect` over sql.js) and a fresh btree-store file (`BTreeDialect`), runs the
 * same query builder code on both, and requires equal outcomes.
 *
 * A case's `run` returns what to compare:
 * - a query builder (anything with `execute()` and `toOperationNode()`): the harness executes it;
 *   rows are compared in order when it is a select with `order by`, as a multiset otherwise;
 *   `InsertResult`/`UpdateResult`/`DeleteResult` are compared field by field (insertId,
 *   numInsertedOrUpdatedRows, numUpdatedRows, numDeletedRows);
 * - an array of builders: steps executed in order, each compared, an error in one not stopping the
 *   next (so a failed statement can be followed by a select proving it changed nothing);
 * - any other value (from an async `run` that executed things itself): compared as is, in order.
 * An error is compared by kind: a SQLite unique or not-null constraint error must be
 * BTREE_SQL_UNIQUE_VIOLATION / BTREE_SQL_NOT_NULL_VIOLATION on our side, "no such table" must be
 * BTREE_SQL_NO_SUCH_TABLE; any other SQLite error only requires ours to throw too.
 */

export type Setup = (db: Db, api: KyselyApi) => Promise<unknown>

export interface Executable {
  execute(): Promise<unknown>
  toOperationNode(): OperationNode
  compile(): { readonly sql: string }
}

export type RunResult = Executable | readonly Executable[] | unknown
export type Run = (db: Db, api: KyselyApi) => RunResult | Promise<RunResult>

export interface CaseOptions {
  /** Force order-sensitive (true) or multiset (false) comparison of the rows. */
  readonly ordered?: boolean
}

/** One compared step: what it returned (canonical) or the kind of error it raised. */
export type StepOutcome = { readonly result: string[] | string } | { readonly error: ErrorKind }

interface StepReport {
  readonly sql: string
  readonly outcome: StepOutcome
  readonly detail: string
}

function isExecutable(value: unknown): value is Executable {
  const candidate = value as Partial<Executable> | null
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.execute === 'function' &&
    typeof candidate.toOperationNode === 'function'
  )
}

function isOrdered(api: KyselyApi, node: OperationNode, options: CaseOptions): boolean {
  if (options.ordered !== undefined) return options.ordered
  return api.SelectQueryNode.is(node) && node.orderBy !== undefined && node.orderBy.items.length > 0
}

async function executeStep(api: KyselyApi, step: Executable, options: CaseOptions): Promise<StepReport> {
  const sql = step.compile().sql
  const ordered = isOrdered(api, step.toOperationNode(), options)
  try {
    const result = await step.execute()
    return { sql, outcome: { result: canonResult(result, ordered) }, detail: '' }
  } catch (error) {
    return { sql, outcome: { error: errorKind(error) }, detail: describeError(error) }
  }
}

/** Runs a case's `run` on one side and reports every step. */
export async function runOn(side: Side, api: KyselyApi, run: Run, options: CaseOptions = {}): Promise<StepReport[]> {
  let returned: RunResult
  try {
    returned = await run(side.db, api)
  } catch (error) {
    return [{ sql: '(run)', outcome: { error: errorKind(error) }, detail: describeError(error) }]
  }
  if (isExecutable(returned)) return [await executeStep(api, returned, options)]
  if (Array.isArray(returned) && returned.length > 0 && returned.every(isExecutable)) {
    const reports: StepReport[] = []
    for (const step of returned) reports.push(await executeStep(api, step, options))
    return reports
  }
  return [{ sql: '(value)', outcome: { result: canonResult(returned, options.ordered ?? true) }, detail: '' }]
}

function explain(oracle: readonly StepReport[], subject: readonly StepReport[]): string {
  const lines: string[] = []
  const count = Math.max(oracle.length, subject.length)
  for (let i = 0; i < count; i++) {
    const o = oracle[i]
    const s = subject[i]
    lines.push(`step ${i + 1}: ${o?.sql ?? s?.sql ?? ''}`)
    lines.push(`  sqlite: ${JSON.stringify(o?.outcome)}${o?.detail ? ` (${o.detail})` : ''}`)
    lines.push(`  btree:  ${JSON.stringify(s?.outcome)}${s?.detail ? ` (${s.detail})` : ''}`)
  }
  return lines.join('\n')
}

/** Requires the two sides' step outcomes to match; throws an assertion error that shows both. */
export function assertSameOutcomes(oracle: readonly StepReport[], subject: readonly StepReport[]): void {
  expect(
    subject.map((r) => r.outcome),
    `btree-store differs from SQLite\n${explain(oracle, subject)}\n`,
  ).to.deep.equal(oracle.map((r) => r.outcome))
}

async function setUp(side: Side, api: KyselyApi, setup: Setup | undefined): Promise<void> {
  if (setup === undefined) return
  try {
    await setup(side.db, api)
  } catch (error) {
    throw new Error(`setup failed on ${side.name}: ${describeError(error)}`, { cause: error })
  }
}

/** Both databases for one case, closed (and the btree file checked) whatever happens. */
export async function withBoth<T>(
  api: KyselyApi,
  body: (oracle: Side, subject: Side) => Promise<T>,
  opening: SubjectOpening = 'database',
): Promise<T> {
  const oracle = await openOracle(api)
  let subject: Side | undefined
  let outcome: { value: T } | { error: unknown }
  try {
    subject = await openSubject(api, opening)
    outcome = { value: await body(oracle, subject) }
  } catch (error) {
    outcome = { error }
  }
  await oracle.close()
  if (subject !== undefined) {
    try {
      await subject.close()
    } catch (error) {
      if ('value' in outcome) outcome = { error }
    }
  }
  if ('error' in outcome) throw outcome.error
  return outcome.value
}

/** Runs one case on both sides and compares. */
export async function compareCase(
  api: KyselyApi,
  setup: Setup | undefined,
  run: Run,
  options: CaseOptions = {},
): Promise<void> {
  await withBoth(api, async (oracle, subject) => {
    await setUp(oracle, api, setup)
    const expected = await runOn(oracle, api, run, options)
    await setUp(subject, api, setup)
    const actual = await runOn(subject, api, run, options)
    if (process.env['KYSELY_DIFF_PRINT'] === '1') console.log(explain(expected, actual))
    assertSameOutcomes(expected, actual)
  })
}

let currentApi: KyselyApi | undefined

/**
 * A describe block per Kysely version, holding the same cases; `both` registers a case with the
 * version whose block is being defined.
 */
export function diffSuite(title: string, body: () => void, apis: readonly KyselyApi[] = kyselyApis): void {
  for (const api of apis) {
    describe(`${title} (${api.label})`, () => {
      const previous = currentApi
      currentApi = api
      try {
        body()
      } finally {
        currentApi = previous
      }
    })
  }
}

function registeringApi(): KyselyApi {
  if (currentApi === undefined) throw new Error('both() must be called inside a diffSuite() body')
  return currentApi
}

/** A differential case: `setup` builds the schema and rows on each side, `run` is compared. */
export function both(name: string, setup: Setup | undefined, run: Run, options: CaseOptions = {}): void {
  const api = registeringApi()
  it(name, () => compareCase(api, setup, run, options))
}

/** A differential case kept registered but skipped; the reason points at FAILING.md. */
both.skip = function skip(name: string, _setup: Setup | undefined, _run: Run, _options: CaseOptions = {}): void {
  registeringApi()
  it.skip(name)
}

/**
 * Runs whole raw statements one after another and gives each one's rows, or, when it throws,
 * `{ error }`: the message (`'message'`, where SQLite's and the dialect's are the same) or only
 * that it failed (`'failed'`). For cases that compare a script of raw statements.
 */
export async function rawOutcomes(
  db: Db,
  sql: KyselyApi['sql'],
  texts: readonly string[],
  errors: 'message' | 'failed' | 'throw' = 'throw',
  /** Each statement's text and its insertId beside its rows (for cases about last_insert_rowid). */
  withInsertIds = false,
): Promise<unknown[]> {
  const out: unknown[] = []
  for (const text of texts) {
    try {
      const r = await sql.raw(text).execute(db)
      out.push(withInsertIds ? [text, r.rows, r.insertId?.toString()] : r.rows)
    } catch (e) {
      if (errors === 'throw') throw e
      out.push({ error: errors === 'message' ? (e as Error).message : 'failed' })
    }
  }
  return out
}
