import { expect } from 'chai'
import { spawnSync } from 'node:child_process'
import { DummyDriver, Kysely, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler, sql } from 'kysely'
import type { AnyNode } from '../../../src/expression/nodes.js'
import { closureMatcher, shapeMatcher } from '../../../src/executor/statement-shape.js'

interface DB {
  t: { id: number; a: number | null; s: string }
}

/** Kysely's trees without a database: nothing here executes. */
const db = new Kysely<DB>({
  dialect: {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (k) => new SqliteIntrospector(k),
    createQueryCompiler: () => new SqliteQueryCompiler(),
  },
})

/** Statements in families: two of one family differ in their values alone, two of different families in shape. */
const FAMILIES: readonly (readonly { toOperationNode(): unknown }[])[] = [
  [db.selectFrom('t').selectAll(), db.selectFrom('t').selectAll()],
  [db.selectFrom('t').selectAll().where('id', '=', 1), db.selectFrom('t').selectAll().where('id', '=', 2)],
  [db.selectFrom('t').selectAll().where('id', '>', 1), db.selectFrom('t').selectAll().where('id', '>', 7)],
  [db.selectFrom('t').select('a').where('id', '=', 1), db.selectFrom('t').select('a').where('id', '=', 3)],
  [db.selectFrom('t').selectAll().where('id', 'in', [1, 2]), db.selectFrom('t').selectAll().where('id', 'in', [5, 6])],
  [db.selectFrom('t').selectAll().where('id', 'in', [1, 2, 3])],
  [db.selectFrom('t').selectAll().limit(10), db.selectFrom('t').selectAll().limit(20)],
  [db.selectFrom('t').selectAll().where(sql.lit(1), '=', 1)],
  [db.selectFrom('t').selectAll().where(sql.lit(2), '=', 1)],
  [db.selectFrom('t').selectAll().where(sql.lit('1'), '=', 'x')],
  [
    db
      .selectFrom('t')
      .select((eb) => ['a', eb.fn.countAll().as('n'), eb.fn.sum('id').as('s')])
      .groupBy('a'),
    db
      .selectFrom('t')
      .select((eb) => ['a', eb.fn.countAll().as('n'), eb.fn.sum('id').as('s')])
      .groupBy('a'),
  ],
  [
    db
      .selectFrom('t')
      .select((eb) => ['a', eb.fn.countAll().as('n'), eb.fn.sum('a').as('s')])
      .groupBy('a'),
  ],
  [db.insertInto('t').values({ id: 1, a: 2, s: 'x' }), db.insertInto('t').values({ id: 9, a: null, s: 'yy' })],
  [db.insertInto('t').values({ id: 1, a: 2, s: 'x' }).returning('id')],
  [db.insertInto('t').values({ id: 1, s: 'x' })],
  [
    db.insertInto('t').values([
      { id: 1, a: 2, s: 'x' },
      { id: 2, a: 3, s: 'y' },
    ]),
    db.insertInto('t').values([
      { id: 5, a: 6, s: 'z' },
      { id: 7, a: 8, s: 'w' },
    ]),
  ],
  [db.updateTable('t').set({ a: 1 }).where('id', '=', 1), db.updateTable('t').set({ a: 5 }).where('id', '=', 4)],
  [db.updateTable('t').set({ a: 1 })],
  [db.deleteFrom('t').where('id', '=', 1), db.deleteFrom('t').where('id', '=', 2)],
]

/** A long multi-row insert: past the size a matcher is generated for. */
const long = (from: number) =>
  db.insertInto('t').values(Array.from({ length: 200 }, (_, i) => ({ id: from + i, a: i, s: `r${i}` })))

function tree(q: { toOperationNode(): unknown }): AnyNode {
  return q.toOperationNode() as AnyNode
}

describe('executor/statement-shape', () => {
  it('a generated matcher accepts the trees of its shape alone, collecting their values as the closures do', () => {
    const all = FAMILIES.flatMap((family, f) => family.map((q) => ({ f, node: tree(q) })))
    for (const shape of all) {
      const generated = shapeMatcher(shape.node)
      const closures = closureMatcher(shape.node)
      for (const other of all) {
        const got: unknown[] = []
        const want: unknown[] = []
        const matched = generated(other.node, got)
        expect(matched, `family ${shape.f} against ${other.f}`).to.equal(shape.f === other.f)
        expect(closures(other.node, want)).to.equal(matched)
        if (matched) expect(got).to.deep.equal(want)
      }
    }
  })

  it('collects the values of a match in the order of the tree', () => {
    const match = shapeMatcher(tree(db.insertInto('t').values({ id: 1, a: 2, s: 'x' })))
    const values: unknown[] = []
    expect(match(tree(db.insertInto('t').values({ id: 7, a: null, s: 'q' })), values)).to.equal(true)
    expect(values).to.deep.equal([7, null, 'q'])
  })

  it("keys are counted only on nodes of kinds with optional properties: a closed kind's foreign property is no clause", () => {
    const shape = tree(db.insertInto('t').values({ id: 1, a: 2, s: 'x' }))
    const other = tree(db.insertInto('t').values({ id: 3, a: 4, s: 'y' }))
    const columns = other.columns as readonly AnyNode[]
    const into = other.into as AnyNode
    const table = into.table as AnyNode
    // ColumnNode's and TableNode's properties are all required: anything else is read by nobody.
    const foreign = {
      ...other,
      into: { ...into, extra: true },
      columns: [{ ...columns[0]!, extra: 1 }, ...columns.slice(1)],
    } as AnyNode
    // SchemableIdentifierNode's `schema` is optional: with it the statement names another table.
    const withSchema = {
      ...other,
      into: { ...into, table: { ...table, schema: { kind: 'IdentifierNode', name: 's' } } },
    }
    // A statement node's clause is an optional property too.
    const withClause = { ...other, ignore: true } as AnyNode
    for (const match of [shapeMatcher(shape), closureMatcher(shape)]) {
      const values: unknown[] = []
      expect(match(foreign, values)).to.equal(true)
      expect(values).to.deep.equal([3, 4, 'y'])
      expect(match(withSchema as AnyNode, [])).to.equal(false)
      expect(match(withClause, [])).to.equal(false)
    }
  })

  it("a multi-row insert's rows match by one loop: its code stays small, with the same answers as the closures", () => {
    const shape = tree(long(0))
    const match = shapeMatcher(shape)
    expect(match.toString().split('\n').length, 'lines').to.be.below(100)
    for (const other of [long(1000), long(0)]) {
      const values: unknown[] = []
      const want: unknown[] = []
      expect(match(tree(other), values)).to.equal(true)
      expect(closureMatcher(shape)(tree(other), want)).to.equal(true)
      expect(values).to.have.length(600)
      expect(values).to.deep.equal(want)
    }
    expect(match(tree(long(1000)), []), 'same rows, other values').to.equal(true)
    expect(match(tree(db.insertInto('t').values({ id: 1, a: 2, s: 'x' })), [])).to.equal(false)
    // One row of another shape (an expression for a value) is no match, wherever it is.
    for (const at of [0, 100, 199]) {
      const rows = Array.from({ length: 200 }, (_, i) => ({ id: i, a: i, s: i === at ? sql<string>`'q'` : `r${i}` }))
      expect(match(tree(db.insertInto('t').values(rows)), []), `row ${at}`).to.equal(false)
    }
  })

  it('multi-row inserts of any row count share one code; each matcher holds to its own count', () => {
    const rows = (count: number, from = 0) =>
      tree(db.insertInto('t').values(Array.from({ length: count }, (_, i) => ({ id: from + i, a: i, s: `r${i}` }))))
    const seven = shapeMatcher(rows(7))
    const hundred = shapeMatcher(rows(100))
    expect(seven.toString()).to.equal(hundred.toString())
    const values: unknown[] = []
    expect(seven(rows(7, 50), values)).to.equal(true)
    expect(values).to.deep.equal(Array.from({ length: 7 }, (_, i) => [50 + i, i, `r${i}`]).flat())
    expect(hundred(rows(100, 9), [])).to.equal(true)
    for (const count of [6, 8, 99, 101]) {
      expect(seven(rows(count), []), `seven against ${count}`).to.equal(count === 7)
      expect(hundred(rows(count), []), `hundred against ${count}`).to.equal(false)
    }
    expect(seven(rows(100), [])).to.equal(false)
    expect(hundred(rows(7), [])).to.equal(false)
  })

  it('rows of mixed shapes are matched one by one, as the closures match them', () => {
    const mixed = (k: number) =>
      db
        .insertInto('t')
        .values(Array.from({ length: 6 }, (_, i) => ({ id: k + i, a: i, s: i === 3 ? sql<string>`'q'` : `r${i}` })))
    const shape = tree(mixed(0))
    const match = shapeMatcher(shape)
    const values: unknown[] = []
    const want: unknown[] = []
    expect(match(tree(mixed(50)), values)).to.equal(true)
    expect(closureMatcher(shape)(tree(mixed(50)), want)).to.equal(true)
    expect(values).to.deep.equal(want)
    expect(match(tree(long(0)), [])).to.equal(false)
  })

  it('a wide select keeps its generated matcher up to the size 400 nodes allowed before; a wider one takes closures', () => {
    const wide = (columns: number, id: number) =>
      tree(
        db
          .selectFrom('t')
          .select(Array.from({ length: columns }, (_, i) => `c${i}` as 'a'))
          .where('id', '=', id),
      )
    const sixty = shapeMatcher(wide(60, 1))
    expect(sixty.name).to.equal('match')
    const values: unknown[] = []
    expect(sixty(wide(60, 9), values)).to.equal(true)
    expect(values).to.deep.equal([9])
    expect(sixty(wide(59, 9), [])).to.equal(false)
    const wider = shapeMatcher(wide(150, 1))
    expect(wider.name).to.not.equal('match')
    expect(wider(wide(150, 4), [])).to.equal(true)
  })

  it('trees past the generated size match through closures, with the same answers', () => {
    const huge = (from: number) =>
      db.insertInto('t').values(Array.from({ length: 6000 }, (_, i) => ({ id: from + i, a: i, s: `r${i}` })))
    const match = shapeMatcher(tree(huge(0)))
    expect(match.name).to.not.equal('match')
    const values: unknown[] = []
    expect(match(tree(huge(1000)), values)).to.equal(true)
    expect(values).to.have.length(18000)
    expect(values.slice(0, 3)).to.deep.equal([1000, 0, 'r0'])
    expect(match(tree(long(0)), [])).to.equal(false)
  })

  it('a process that forbids code generation runs statements through the closures', () => {
    // --disallow-code-generation-from-strings makes `new Function` throw an EvalError.
    const index = JSON.stringify(new URL('../../../src/index.js', import.meta.url).href)
    const r = spawnSync(
      process.execPath,
      [
        '--disallow-code-generation-from-strings',
        '--input-type=module',
        '-e',
        `
        import { Kysely } from 'kysely'
        import { BTreeDialect } from ${index}
        import fs from 'node:fs'
        import os from 'node:os'
        import path from 'node:path'
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kysely-nogen-'))
        const db = new Kysely({ dialect: new BTreeDialect({ path: path.join(dir, 'a.db') }) })
        try {
          await db.schema.createTable('t').addColumn('id', 'integer', (c) => c.primaryKey()).addColumn('s', 'text').execute()
          for (let i = 1; i <= 3; i++) await db.insertInto('t').values({ id: i, s: 'v' + i }).execute()
          const rows = await db.selectFrom('t').selectAll().where('id', '>=', 2).orderBy('id').execute()
          console.log(JSON.stringify(rows))
        } finally {
          await db.destroy()
          fs.rmSync(dir, { recursive: true, force: true })
        }
      `,
      ],
      { encoding: 'utf8', cwd: new URL('.', import.meta.url) },
    )
    expect(r.stdout.trim(), r.stderr).to.equal('[{"id":2,"s":"v2"},{"id":3,"s":"v3"}]')
  })
})
