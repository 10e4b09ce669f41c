import { expect } from 'chai'
import { assertSameOutcomes, runOn } from '../helpers/differential.js'
import { kysely028Api } from '../helpers/kysely-versions.js'
import { canonResult, canonValue, errorKind } from '../helpers/outcome.js'
import { openOracle } from '../helpers/sides.js'
import { backquoteIdentifiers, OracleError } from '../helpers/sqljs-database.js'

/** The harness itself: the comparison must be able to fail, and the oracle must be SQLite's answer. */
describe('differential harness', () => {
  it('tells apart values JavaScript would call equal', () => {
    expect(canonValue(1)).to.not.equal(canonValue('1'))
    expect(canonValue(1)).to.not.equal(canonValue(1n))
    expect(canonValue(Buffer.from([1]))).to.not.equal(canonValue(new Uint8Array([1])))
    expect(canonValue(null)).to.not.equal(canonValue(undefined))
    expect(canonValue({ a: 1, b: 2 })).to.not.equal(canonValue({ b: 2, a: 1 }))
  })

  it('compares ordered results in order and unordered ones as multisets', () => {
    const rows = [{ a: 2 }, { a: 1 }]
    expect(canonResult(rows, true)).to.not.deep.equal(canonResult([...rows].reverse(), true))
    expect(canonResult(rows, false)).to.deep.equal(canonResult([...rows].reverse(), false))
  })

  it('fails when the two sides differ in rows, counts or errors', () => {
    const report = (outcome: { result: string[] } | { error: 'unique' | 'other' }) => ({
      sql: 'q',
      outcome,
      detail: '',
    })
    expect(() => assertSameOutcomes([report({ result: ['{a: 1}'] })], [report({ result: ['{a: 2}'] })])).to.throw(
      /differs/,
    )
    expect(() => assertSameOutcomes([report({ error: 'unique' })], [report({ error: 'other' })])).to.throw(/differs/)
    expect(() => assertSameOutcomes([report({ result: [] })], [report({ result: [] })])).to.not.throw()
  })

  it('classifies constraint errors by code on our side and by message on SQLite', () => {
    expect(errorKind(Object.assign(new Error('x'), { code: 'BTREE_SQL_UNIQUE_VIOLATION' }))).to.equal('unique')
    expect(errorKind(Object.assign(new Error('x'), { code: 'BTREE_SQL_NOT_NULL_VIOLATION' }))).to.equal('not-null')
    expect(errorKind(new OracleError('UNIQUE constraint failed: t.a', 'SQLITE_CONSTRAINT_UNIQUE'))).to.equal('unique')
    expect(errorKind(new Error('NOT NULL constraint failed: t.a'))).to.equal('not-null')
    expect(errorKind(new Error('no such table: t'))).to.equal('no-such-table')
    expect(errorKind(Object.assign(new Error('x'), { code: 'BTREE_SQL_UNSUPPORTED' }))).to.equal('other')
  })

  it('rewrites double-quoted identifiers, leaving string literals alone', () => {
    expect(backquoteIdentifiers(`select "a""b", 'it''s "x"' from "t" where "c" = ?`)).to.equal(
      "select `a\"b`, 'it''s \"x\"' from `t` where `c` = ?",
    )
  })

  it('the oracle reports changes and insert ids as better-sqlite3 does', async () => {
    const oracle = await openOracle(kysely028Api)
    try {
      const db = oracle.db
      await db.schema
        .createTable('t')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('v', 'text')
        .execute()
      const inserted = await db
        .insertInto('t')
        .values([{ v: 'a' }, { v: 'b' }])
        .executeTakeFirstOrThrow()
      expect(inserted.insertId).to.equal(2n)
      expect(inserted.numInsertedOrUpdatedRows).to.equal(2n)
      // A statement that changes nothing reports 0, not the previous statement's count.
      const none = await db.updateTable('t').set({ v: 'z' }).where('id', '=', 99).executeTakeFirstOrThrow()
      expect(none.numUpdatedRows).to.equal(0n)
      const rows = await db.selectFrom('t').select(['id', 'v']).orderBy('id').execute()
      expect(rows).to.deep.equal([
        { id: 1, v: 'a' },
        { id: 2, v: 'b' },
      ])
      const blob = await db
        .insertInto('t')
        .values({ v: new Uint8Array([1, 2]) })
        .returning('v')
        .executeTakeFirstOrThrow()
      expect(Buffer.isBuffer(blob.v)).to.equal(true)
      // Integral numbers bind as INTEGER (see sqljs-database.ts): 7 / 2 truncates.
      const [division] = await runOn(oracle, kysely028Api, (d) =>
        d
          .selectFrom('t')
          .select((eb) => eb(eb.val(7), '/', 2).as('q'))
          .where('id', '=', 1),
      )
      expect(division?.outcome).to.deep.equal({ result: ['{q: 3}'] })
    } finally {
      await oracle.close()
    }
  })

  it('the oracle raises "no such column" for a double-quoted unknown name (SQLITE_DQS=0)', async () => {
    const oracle = await openOracle(kysely028Api)
    try {
      await oracle.db.schema.createTable('t').addColumn('a', 'integer').execute()
      await oracle.db.insertInto('t').values({ a: 1 }).execute()
      const [report] = await runOn(oracle, kysely028Api, (db) => db.selectFrom('t').select('nope'))
      expect(report?.detail).to.match(/no such column/)
    } finally {
      await oracle.close()
    }
  })
})
