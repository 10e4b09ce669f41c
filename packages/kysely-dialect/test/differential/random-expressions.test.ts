import { expect } from 'chai'
import type { AliasableExpression, ExpressionBuilder } from 'kysely'
import { runOn, withBoth } from '../helpers/differential.js'
import { kysely028Api, kysely029Api, type KyselyApi } from '../helpers/kysely-versions.js'
import { prng } from '../helpers/random-queries.js'

/**
 * Random scalar expressions, evaluated by `selectNoFrom` on both sides: arithmetic, concatenation,
 * negation and comparisons over parameters of every storage class, nested with explicit
 * parentheses. This is where value semantics live: numeric conversion of text and blobs, integer
 * versus real arithmetic, overflow into reals, the text form of reals (`1.0e+20`), comparison
 * results as 0/1/null. KYSELY_DIFF_SEED replays; KYSELY_DIFF_EXPRESSIONS sets the count.
 */
const seed = Number(process.env['KYSELY_DIFF_SEED'] ?? Math.floor(Math.random() * 2 ** 31))
const expressionCount = Number(process.env['KYSELY_DIFF_EXPRESSIONS'] ?? 400)
const perQuery = 20

type Random = () => number

type Expr =
  | { kind: 'value'; value: unknown }
  | { kind: 'literal'; value: number }
  | { kind: 'binary'; op: '+' | '-' | '*' | '/' | '%' | '||'; left: Expr; right: Expr }
  | { kind: 'compare'; op: '=' | '<>' | '<' | '<=' | '>' | '>=' | 'is' | 'is not'; left: Expr; right: Expr }
  | { kind: 'neg'; operand: Expr }
  | { kind: 'like'; not: boolean; operand: Expr; pattern: string }
  | { kind: 'between'; operand: Expr; low: Expr; high: Expr }

function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T
}

const values: readonly unknown[] = [
  null,
  0,
  1,
  -1,
  7,
  2,
  3,
  100,
  2 ** 31,
  2 ** 40,
  9007199254740993n,
  9223372036854775807n,
  -9223372036854775808n,
  0.1,
  0.5,
  -2.5,
  1e20,
  1.5e-7,
  1 / 3,
  123456789.125,
  '',
  'abc',
  '12',
  ' 12 ',
  '12abc',
  '3.5',
  '1e3',
  '-0',
  '0x10',
  'A',
  'a',
  Buffer.from('12'),
  Buffer.from([]),
  Buffer.from([0, 255]),
]

function randomExpr(random: Random, depth: number): Expr {
  const r = random()
  if (depth === 0 || r < 0.3) {
    return random() < 0.2
      ? { kind: 'literal', value: pick(random, [0, 1, 2, 3, 10, -4]) }
      : { kind: 'value', value: pick(random, values) }
  }
  if (r < 0.75) {
    return {
      kind: 'binary',
      op: pick(random, ['+', '-', '*', '/', '%', '||'] as const),
      left: randomExpr(random, depth - 1),
      right: randomExpr(random, depth - 1),
    }
  }
  if (r < 0.8) {
    // Never a bare blob on the left: better-sqlite3's SQLite never lets like match a blob and
    // sql.js's does (SQLITE_LIKE_DOESNT_MATCH_BLOBS).
    let operand = randomExpr(random, depth - 1)
    while (operand.kind === 'value' && Buffer.isBuffer(operand.value)) operand = randomExpr(random, depth - 1)
    const pattern = pick(random, ['%', '1%', '%2', '_', '__', 'a%', 'A_C', '%.%', '-%', '', '%e%', '1_'])
    return { kind: 'like', not: random() < 0.3, operand, pattern }
  }
  if (r < 0.84) {
    return {
      kind: 'between',
      operand: randomExpr(random, depth - 1),
      low: randomExpr(random, depth - 1),
      high: randomExpr(random, depth - 1),
    }
  }
  if (r < 0.92) {
    return {
      kind: 'compare',
      op: pick(random, ['=', '<>', '<', '<=', '>', '>=', 'is', 'is not'] as const),
      left: randomExpr(random, depth - 1),
      right: randomExpr(random, depth - 1),
    }
  }
  return { kind: 'neg', operand: randomExpr(random, depth - 1) }
}

function uses(expr: Expr, test: (node: Expr) => boolean): boolean {
  if (test(expr)) return true
  switch (expr.kind) {
    case 'binary':
    case 'compare':
      return uses(expr.left, test) || uses(expr.right, test)
    case 'neg':
    case 'like':
      return uses(expr.operand, test)
    case 'between':
      return uses(expr.operand, test) || uses(expr.low, test) || uses(expr.high, test)
    default:
      return false
  }
}

/**
 * Open FAILING.md entries the expression run steps around (each held by a named case in
 * regressions.test.ts); KYSELY_DIFF_KNOWN_GAPS=include runs them anyway.
 */
// H1, H3, H4, H5 and I1 stood here until kysely 432e62b fixed them; H5 again until kysely-fixes;
// H2 (`||` and `like`, which read a real's text form) until round s35 (FAILING.md).
const knownGaps: readonly { id: string; test: (node: Expr) => boolean }[] = []
const skipped = new Map<string, number>()

function gapOf(expr: Expr): string | undefined {
  if (process.env['KYSELY_DIFF_KNOWN_GAPS'] === 'include') return undefined
  return knownGaps.find((gap) => uses(expr, gap.test))?.id
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Eb = ExpressionBuilder<any, never>

/** Every compound node is parenthesized, so the tree means the same to SQLite and to the dialect. */
function build(eb: Eb, expr: Expr): AliasableExpression<unknown> {
  switch (expr.kind) {
    case 'value':
      return eb.val(expr.value)
    case 'literal':
      return eb.lit(expr.value)
    case 'binary':
      return eb.parens(build(eb, expr.left), expr.op, build(eb, expr.right))
    case 'compare':
      return eb.parens(build(eb, expr.left), expr.op, build(eb, expr.right))
    case 'neg':
      return eb.neg(eb.parens(build(eb, expr.operand), '+', eb.lit(0)))
    case 'like':
      return eb.parens(build(eb, expr.operand), expr.not ? 'not like' : 'like', expr.pattern)
    case 'between':
      return eb.parens(eb.between(build(eb, expr.operand), build(eb, expr.low), build(eb, expr.high)))
  }
}

function show(expr: Expr): string {
  switch (expr.kind) {
    case 'value':
      return Buffer.isBuffer(expr.value)
        ? `x'${expr.value.toString('hex')}'`
        : typeof expr.value === 'bigint'
          ? `${expr.value}n`
          : JSON.stringify(expr.value)
    case 'literal':
      return String(expr.value)
    case 'binary':
    case 'compare':
      return `(${show(expr.left)} ${expr.op} ${show(expr.right)})`
    case 'neg':
      return `-(${show(expr.operand)} + 0)`
    case 'like':
      return `(${show(expr.operand)} ${expr.not ? 'not like' : 'like'} ${JSON.stringify(expr.pattern)})`
    case 'between':
      return `(${show(expr.operand)} between ${show(expr.low)} and ${show(expr.high)})`
  }
}

export async function compareRandomExpressions(api: KyselyApi, seed: number, count: number): Promise<string[]> {
  const random = prng(seed)
  const exprs = Array.from({ length: count }, () => randomExpr(random, 3)).filter((expr) => {
    const gap = gapOf(expr)
    if (gap !== undefined) skipped.set(gap, (skipped.get(gap) ?? 0) + 1)
    return gap === undefined
  })
  return withBoth(api, async (oracle, subject) => {
    const differences: string[] = []
    for (let start = 0; start < exprs.length; start += perQuery) {
      const batch = exprs.slice(start, start + perQuery)
      // One expression per column; a batch that differs is narrowed down to its expressions.
      const plain = (db: typeof oracle.db) =>
        db.selectNoFrom((eb) => batch.map((expr, i) => build(eb, expr).as(`e${start + i}`)))
      const [expected] = await runOn(oracle, api, plain)
      const [actual] = await runOn(subject, api, plain)
      if (JSON.stringify(expected?.outcome) === JSON.stringify(actual?.outcome)) continue
      for (const [i, expr] of batch.entries()) {
        const one = (db: typeof oracle.db) => db.selectNoFrom((eb) => [build(eb, expr).as('e')])
        const [e] = await runOn(oracle, api, one)
        const [a] = await runOn(subject, api, one)
        if (JSON.stringify(e?.outcome) !== JSON.stringify(a?.outcome)) {
          differences.push(
            `seed ${seed}, expression ${start + i}: ${show(expr)}\n` +
              `  sqlite: ${JSON.stringify(e?.outcome)}${e?.detail ? ` (${e.detail})` : ''}\n` +
              `  btree:  ${JSON.stringify(a?.outcome)}${a?.detail ? ` (${a.detail})` : ''}`,
          )
        }
      }
    }
    return differences
  })
}

describe('differential: random scalar expressions', () => {
  before(() => {
    console.log(`    random expression seed: ${seed} (KYSELY_DIFF_SEED=${seed} to replay)`)
  })

  after(() => {
    if (skipped.size === 0) return
    const counts = [...skipped].map(([id, n]) => `${id}: ${n}`).join(', ')
    console.log(
      `    left out for known differences (FAILING.md; KYSELY_DIFF_KNOWN_GAPS=include to run them): ${counts}`,
    )
  })

  it(`${expressionCount} random expressions over values of every storage class (${kysely028Api.label})`, async () => {
    const differences = await compareRandomExpressions(kysely028Api, seed, expressionCount)
    expect(differences.length, differences.slice(0, 6).join('\n')).to.equal(0)
  })

  it(`${Math.ceil(expressionCount / 4)} random expressions (${kysely029Api.label})`, async () => {
    const differences = await compareRandomExpressions(kysely029Api, seed + 1, Math.ceil(expressionCount / 4))
    expect(differences.length, differences.slice(0, 6).join('\n')).to.equal(0)
  })
})
