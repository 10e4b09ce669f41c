import { expect } from 'chai'
import { analyze, BTreeAdapter, BTreeDialect, explain } from '../../src/index.js'
import { expectCheck, rejection, useTempDir, VERSIONS, type AnyDB } from './support.js'

/** A statement is compiled on the second run of its SQL text and reused from the third on. */
const RUNS = 4

async function table(db: AnyDB): Promise<void> {
  await db.schema
    .createTable('t')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('a', 'integer')
    .addColumn('s', 'text')
    .execute()
  await db
    .insertInto('t')
    .values(Array.from({ length: 40 }, (_, i) => ({ id: i + 1, a: i % 4, s: `${'abc'[i % 3]}${i}` })))
    .execute()
}

/** The ids of table(), whose row id i + 1 has s = 'abc'[i % 3] + i, whose s passes `test`. */
function matching(test: (s: string) => boolean): number[] {
  return Array.from({ length: 40 }, (_, i) => i)
    .filter((i) => test(`${'abc'[i % 3]}${i}`))
    .map((i) => i + 1)
}

/** A cached `s like ?` (sorted ids) with a prefix, another prefix in other case, then no prefix. */
async function expectLikeRecompiles(like: (pattern: string) => Promise<number[]>): Promise<void> {
  for (let i = 0; i < RUNS; i++) expect(await like('a1%')).to.deep.equal(matching((s) => s.startsWith('a1')))
  expect(await like('B%')).to.deep.equal(matching((s) => s.startsWith('b')))
  expect(await like('%9')).to.deep.equal(matching((s) => s.endsWith('9')))
}

async function lastPlan(db: AnyDB) {
  const session = await (db.getExecutor().adapter as BTreeAdapter).driver.session()
  return session.lastPlan
}

/** Compilations of the statements the connection's cache holds so far (statement-cache.ts: counts). */
async function compilations(db: AnyDB): Promise<number> {
  const session = await (db.getExecutor().adapter as BTreeAdapter).driver.session()
  return session.statements.counts.compiled
}

for (const version of VERSIONS) {
  describe(`integration (${version.name}): statements cached by shape`, () => {
    const t = useTempDir(version)

    it('runs the same text with new values each time', async () => {
      const db = t.open()
      await table(db)
      for (let i = 1; i <= 10; i++) {
        const r = await db
          .updateTable('t')
          .set({ a: i * 100 })
          .where('id', '=', i)
          .executeTakeFirst()
        expect(Number(r.numUpdatedRows)).to.equal(1)
      }
      for (let i = 1; i <= 10; i++) {
        expect(await db.selectFrom('t').select(['id', 'a']).where('id', '=', i).execute()).to.deep.equal([
          { id: i, a: i * 100 },
        ])
      }
      for (let i = 1; i <= 5; i++) {
        const r = await db.deleteFrom('t').where('id', '=', i).executeTakeFirst()
        expect(Number(r.numDeletedRows)).to.equal(1)
      }
      for (let i = 0; i < 5; i++)
        await db
          .insertInto('t')
          .values({ id: 100 + i, a: i, s: `n${i}` })
          .execute()
      expect(await db.selectFrom('t').select('id').where('id', '>=', 100).execute()).to.have.length(5)
      expect(await db.selectFrom('t').select('id').where('id', '<=', 5).execute()).to.deep.equal([])
      await expectCheck(db)
    })

    it('statements that differ only outside their values are told apart (keys, lists, immediate values, returning)', async () => {
      const db = t.open()
      await table(db)
      const { sql } = version
      // Run alternately, each shape several times: a shape that matched another's would answer for it.
      for (let i = 0; i < RUNS; i++) {
        // The first has no where at all: only the count of keys tells the second apart.
        expect(await db.selectFrom('t').select('id').orderBy('id').execute()).to.have.length.above(2)
        expect(await db.selectFrom('t').select('id').where('id', '<', 3).orderBy('id').execute()).to.have.length(2)
        expect(await db.selectFrom('t').select('id').where('id', '=', 3).execute()).to.deep.equal([{ id: 3 }])
        expect(await db.selectFrom('t').select('id').where('id', '=', 3).where('a', '=', 0).execute()).to.deep.equal([])
        expect(await db.selectFrom('t').select('id').where('id', '<', 3).execute()).to.deep.equal([
          { id: 1 },
          { id: 2 },
        ])
        expect(await db.selectFrom('t').select(['id', 's']).where('id', '=', 3).execute()).to.deep.equal([
          { id: 3, s: 'c2' },
        ])
        expect(await db.selectFrom('t').select('id').where('id', 'in', [1, 2]).orderBy('id').execute()).to.have.length(
          2,
        )
        expect(
          await db.selectFrom('t').select('id').where('id', 'in', [1, 2, 3]).orderBy('id').execute(),
        ).to.have.length(3)
        expect(
          await db
            .selectFrom('t')
            .select(sql<number>`${sql.lit(i)}`.as('v'))
            .where('id', '=', 1)
            .execute(),
        ).to.deep.equal([{ v: i }])
        expect(
          await db
            .selectFrom('t')
            .select(sql<number>`${i}`.as('v'))
            .where('id', '=', 1)
            .execute(),
        ).to.deep.equal([{ v: i }])
        const returned = await db
          .insertInto('t')
          .values({ id: 100 + i, a: i, s: 'r' })
          .returning('id')
          .execute()
        expect(returned).to.deep.equal([{ id: 100 + i }])
        const plain = await db
          .insertInto('t')
          .values({ id: 200 + i, a: i, s: 'p' })
          .execute()
        expect(plain).to.have.length(1)
        expect(Number(plain[0]!.insertId)).to.equal(200 + i)
        await db
          .insertInto('t')
          .values({ id: 300 + i, s: 'n' })
          .execute()
        expect(
          await db
            .selectFrom('t')
            .select(['a', 's'])
            .where('id', '=', 300 + i)
            .execute(),
        ).to.deep.equal([{ a: null, s: 'n' }])
      }
      await expectCheck(db)
    })

    it("a statement Kysely's SQLite compiler rejects fails every time, though its text is compiled only when read", async () => {
      const db = t.open()
      await table(db)
      const compiled = db.selectFrom('t').select('id').where('id', '=', 2).compile()
      expect(compiled.sql).to.equal('select "id" from "t" where "id" = ?')
      expect(compiled.parameters).to.deep.equal([2])
      expect(JSON.parse(JSON.stringify(compiled))).to.include({ sql: compiled.sql })
      expect((await db.executeQuery(compiled)).rows).to.deep.equal([{ id: 2 }])
      const joined = () =>
        db.updateTable('t').innerJoin('t as o', 'o.id', 't.id').set({ a: 5 }).where('t.id', '=', 1).execute()
      for (let i = 0; i < RUNS; i++) expect((await rejection(joined())).message).to.match(/Joins in an update query/)
      expect(await db.selectFrom('t').select('a').where('id', '=', 1).execute()).to.deep.equal([{ a: 0 }])
    })

    it('compiles again after the table is dropped and created with other columns', async () => {
      const db = t.open()
      await table(db)
      const q = (id: number) => db.selectFrom('t').selectAll().where('id', '=', id)
      for (let i = 0; i < RUNS; i++) expect(await q(i + 1).execute()).to.have.length(1)
      await db.schema.dropTable('t').execute()
      await db.schema
        .createTable('t')
        .addColumn('s', 'text')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('a', 'integer')
        .execute()
      await db.insertInto('t').values({ id: 2, a: 7, s: 'x' }).execute()
      expect(await q(2).execute()).to.deep.equal([{ s: 'x', id: 2, a: 7 }])
      await expectCheck(db)
    })

    it('compiles again after alterTable adds and drops columns, inside a transaction and after its rollback', async () => {
      const db = t.open()
      await table(db)
      const q = () => db.selectFrom('t').selectAll().where('id', '=', 2)
      for (let i = 0; i < RUNS; i++) expect(await q().execute()).to.deep.equal([{ id: 2, a: 1, s: 'b1' }])
      await db.schema
        .alterTable('t')
        .addColumn('extra', 'integer', (c) => c.defaultTo(7))
        .execute()
      expect(await q().execute()).to.deep.equal([{ id: 2, a: 1, s: 'b1', extra: 7 }])
      await db.schema.alterTable('t').dropColumn('a').execute()
      expect(await q().execute()).to.deep.equal([{ id: 2, s: 'b1', extra: 7 }])
      await db
        .transaction()
        .execute(async (trx) => {
          await trx.schema.alterTable('t').dropColumn('extra').execute()
          for (let i = 0; i < RUNS; i++)
            expect(await trx.selectFrom('t').selectAll().where('id', '=', 2).execute()).to.deep.equal([
              { id: 2, s: 'b1' },
            ])
          throw new Error('roll back')
        })
        .catch((err: Error) => expect(err.message).to.equal('roll back'))
      expect(await q().execute()).to.deep.equal([{ id: 2, s: 'b1', extra: 7 }])
      await expectCheck(db)
    })

    it('a cached update keeps an index created after it was compiled', async () => {
      const db = t.open()
      await table(db)
      const set = (id: number, a: number) => db.updateTable('t').set({ a }).where('id', '=', id).execute()
      for (let i = 0; i < RUNS; i++) await set(i + 1, 50 + i)
      await db.schema.createIndex('t_a').on('t').column('a').execute()
      await set(1, 42)
      expect(await db.selectFrom('t').select('id').where('a', '=', 42).execute()).to.deep.equal([{ id: 1 }])
      expect(await db.selectFrom('t').select('id').where('a', '=', 50).execute()).to.deep.equal([])
      await expectCheck(db)
    })

    it('plans again after analyze()', async () => {
      const db = t.open()
      await db.schema
        .createTable('f')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('flag', 'integer')
        .execute()
      await db.schema.createIndex('f_flag').on('f').column('flag').execute()
      await db
        .insertInto('f')
        .values(Array.from({ length: 100 }, (_, i) => ({ id: i + 1, flag: i % 2 })))
        .execute()
      const q = (flag: number) => db.selectFrom('f').selectAll().where('flag', '=', flag)
      for (let i = 0; i < RUNS; i++) expect(await q(1).execute()).to.have.length(50)
      // Without statistics an equality is guessed at ~10 rows; analyze() says 50.
      expect((await lastPlan(db))?.scan).to.include({ access: 'index', estimatedRows: 10 })
      await analyze(db)
      expect(await q(0).execute()).to.have.length(50)
      expect((await lastPlan(db))?.scan.estimatedRows).to.equal(50)
    })

    it("sees another connection's schema change on the same database", async () => {
      const first = t.open()
      await table(first)
      const engine = (first.getExecutor().adapter as BTreeAdapter).driver.database!
      const second: AnyDB = new version.Kysely({ dialect: new BTreeDialect({ database: engine }) })
      const q = () => first.selectFrom('t').selectAll().where('id', '=', 3)
      for (let i = 0; i < RUNS; i++) expect(await q().execute()).to.deep.equal([{ id: 3, a: 2, s: 'c2' }])
      await second.schema.alterTable('t').renameTo('old_t').execute()
      await second.schema.createTable('t').addColumn('s', 'text').addColumn('id', 'integer').execute()
      await second.insertInto('t').values({ s: 'y', id: 3 }).execute()
      // Kysely's selectAll reads the new table's columns: the cached statement is compiled again.
      expect(await q().execute()).to.deep.equal([{ s: 'y', id: 3 }])
      await second.destroy()
      await expectCheck(first)
    })

    it('raw fragments with values are cached too: parsed once, their values bound per run', async () => {
      const db = t.open()
      await table(db)
      await db.schema.createIndex('t_s').on('t').column('s').execute()
      const { sql } = version
      const byLower = async (s: string) =>
        (
          await db
            .selectFrom('t')
            .select('id')
            .where(sql<boolean>`upper(s) = ${s} or a * ${2} = ${s.length}`)
            .orderBy('id')
            .execute()
        ).map((r) => r.id)
      for (const s of ['A0', 'A0', 'B1', 'C2', 'A0', 'XY']) {
        const want = matching((x) => x.toUpperCase() === s)
        for (let i = 0; i < 40; i++) if ((i % 4) * 2 === s.length && !want.includes(i + 1)) want.push(i + 1)
        expect(await byLower(s)).to.deep.equal(want.sort((x, y) => x - y))
      }
      // A pattern in raw text is read while planning (a like head seeks t_s): it compiles again.
      await expectLikeRecompiles(async (p) =>
        (
          await db
            .selectFrom('t')
            .select('id')
            .where(sql<boolean>`s like ${p}`)
            .orderBy('id')
            .execute()
        ).map((r) => r.id),
      )
      // A select in raw text is a subquery: run afresh each time, with its values.
      for (const n of [1, 1, 2, 3, 2])
        expect(
          await db
            .selectFrom('t')
            .select('id')
            .where(sql<boolean>`id in (select id from t where a = ${n} and id < 10)`)
            .orderBy('id')
            .execute(),
        ).to.deep.equal(
          matching(() => true)
            .filter((id) => (id - 1) % 4 === n && id < 10)
            .map((id) => ({ id })),
        )
      await expectCheck(db)
    })

    it('statements in raw text are cached by their text: parsed and compiled once, their values bound per run', async () => {
      const db = t.open()
      await table(db)
      const { sql } = version
      const before = await compilations(db)
      for (let k = 1; k <= RUNS + 2; k++) {
        const rows = (await sql<{ id: number; a: number }>`select id, a from t where id = ${k}`.execute(db)).rows
        expect(rows, `select ${k}`).to.deep.equal([{ id: k, a: (k - 1) % 4 }])
      }
      for (let k = 1; k <= RUNS + 2; k++) {
        const r = await sql`update t set a = ${100 + k} where id = ${k} or id = ${k + 20}`.execute(db)
        expect(Number(r.numAffectedRows), `update ${k}`).to.equal(2)
      }
      for (let k = 1; k <= RUNS + 2; k++) {
        const r = await sql`insert into t (id, a, s) values (${100 + k}, ${k}, ${`r${k}`}) returning id, s`.execute(db)
        expect(r.rows).to.deep.equal([{ id: 100 + k, s: `r${k}` }])
      }
      // Once each: the select, the update and the insert.
      expect((await compilations(db)) - before).to.equal(3)
      expect(
        await db.selectFrom('t').select(['id', 'a']).where('id', 'in', [1, 21, 6, 26, 7]).orderBy('id').execute(),
      ).to.deep.equal([
        { id: 1, a: 101 },
        { id: 6, a: 106 },
        { id: 7, a: (7 - 1) % 4 },
        { id: 21, a: 101 },
        { id: 26, a: 106 },
      ])
      // Not cached, and refused every time as when it was not: text the parser refuses, and a write
      // while query_only is on.
      for (let i = 0; i < RUNS; i++)
        expect((await rejection(sql`select id frm t where id = ${i}`.execute(db))).code).to.equal(
          'BTREE_SQL_UNSUPPORTED',
        )
      await sql`pragma query_only = on`.execute(db)
      for (let k = 1; k <= 2; k++)
        expect(
          (await rejection(sql`update t set a = ${k} where id = ${k} or id = ${k + 20}`.execute(db))).code,
        ).to.equal('BTREE_SQL_READONLY')
      await sql`pragma query_only = off`.execute(db)
      await expectCheck(db)
    })

    it('upserts are cached: their values, the update and its where bound per run', async () => {
      const db = t.open()
      await table(db)
      const { sql } = version
      await db.schema.createIndex('t_s_live').on('t').column('s').unique().where(sql.ref('a'), '=', 0).execute()
      // Key target: one row per id, a counter bumped once per run after the first, unless over 99.
      const upsert = (id: number, s: string) =>
        db
          .insertInto('t')
          .values({ id, a: 1, s })
          .onConflict((oc) =>
            oc
              .column('id')
              .doUpdateSet((eb) => ({ a: eb('t.a', '+', 1), s: eb.ref('excluded.s') }))
              .where('t.a', '<', 100),
          )
          .execute()
      for (let run = 0; run < 6; run++) for (const id of [3, 50, 51]) await upsert(id, `r${run}-${id}`)
      const rows = await db
        .selectFrom('t')
        .select(['id', 'a', 's'])
        .where('id', 'in', [3, 50, 51])
        .orderBy('id')
        .execute()
      // Row 3 existed (a = 2): bumped six times; 50 and 51 were inserted with a = 1, then bumped five times.
      expect(rows).to.deep.equal([
        { id: 3, a: 8, s: 'r5-3' },
        { id: 50, a: 6, s: 'r5-50' },
        { id: 51, a: 6, s: 'r5-51' },
      ])
      // A partial unique index as the target, with its condition: the row with a = 0 and that s.
      const live = (id: number, s: string, a: number) =>
        db
          .insertInto('t')
          .values({ id, a, s })
          .onConflict((oc) =>
            oc
              .column('s')
              .where('a', '=', 0)
              .doUpdateSet({ id: id + 1000 }),
          )
          .execute()
      for (const [id, s, a] of [
        [60, 'p', 0],
        [61, 'p', 0],
        [62, 'p', 1],
        [63, 'q', 0],
        [64, 'p', 0],
      ] as const)
        await live(id, s, a)
      expect(
        await db.selectFrom('t').select(['id', 'a', 's']).where('id', '>=', 60).orderBy('id').execute(),
      ).to.deep.equal([
        { id: 62, a: 1, s: 'p' },
        { id: 63, a: 0, s: 'q' },
        { id: 1064, a: 0, s: 'p' },
      ])
      await expectCheck(db)
    })

    it('values the compilation read (like patterns, limits, in lists) compile again when they change', async () => {
      const db = t.open()
      await table(db)
      await db.schema.createIndex('t_s').on('t').column('s').execute()
      const like = async (p: string) =>
        (await db.selectFrom('t').select('id').where('s', 'like', p).orderBy('id').execute()).map((r) => r.id)
      await expectLikeRecompiles(like)
      const limit = async (n: number) => (await db.selectFrom('t').select('id').orderBy('id').limit(n).execute()).length
      for (const n of [3, 3, 3, 7, 1, 0]) expect(await limit(n)).to.equal(n)
      const list = async (ids: number[]) =>
        (await db.selectFrom('t').select('id').where('id', 'in', ids).orderBy('id').execute()).map((r) => r.id)
      for (let i = 0; i < RUNS; i++) expect(await list([4, 2])).to.deep.equal([2, 4])
      expect(await list([9, 1])).to.deep.equal([1, 9])
      const isNull = async (v: number | null) =>
        (await db.selectFrom('t').select('id').where('a', 'is', v).execute()).length
      await db.updateTable('t').set({ a: null }).where('id', '<=', 3).execute()
      for (let i = 0; i < RUNS; i++) expect(await isNull(null)).to.equal(3)
      expect(await isNull(1)).to.equal(9)
      await expectCheck(db)
    })

    it('a cached select plans again when the table grows', async () => {
      const db = t.open()
      await table(db)
      await db.schema.createIndex('t_a').on('t').column('a').execute()
      const q = () => db.selectFrom('t').select('id').where('a', '>', 1)
      for (let i = 0; i < RUNS; i++) expect(await q().execute()).to.have.length(20)
      await db
        .insertInto('t')
        .values(Array.from({ length: 10 }, (_, i) => ({ id: 1000 + i, a: 9, s: 'z' })))
        .execute()
      expect(await q().execute()).to.have.length(30)
      // The estimate follows the row count, as a fresh plan's does.
      const fresh = (await explain(db, q())).scan.estimatedRows
      expect((await lastPlan(db))?.scan.estimatedRows).to.equal(fresh)
    })

    async function joined(db: AnyDB, rows: number): Promise<void> {
      await table(db)
      await db.schema
        .createTable('u')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('tid', 'integer')
        .addColumn('note', 'text')
        .execute()
      await db.schema.createIndex('u_tid').on('u').column('tid').execute()
      await db
        .insertInto('u')
        .values(Array.from({ length: rows }, (_, i) => ({ id: i + 1, tid: (i % 40) + 1, note: `n${i % 5}` })))
        .execute()
    }

    const planShape = (p: Awaited<ReturnType<typeof lastPlan>>) => ({ scan: p?.scan, joins: p?.joins })

    it('a cached join runs with new values each time and describes its plan with them', async () => {
      const db = t.open()
      await joined(db, 80)
      const q = (a: number, note: string) =>
        db
          .selectFrom('t')
          .innerJoin('u', 'u.tid', 't.id')
          .select(['t.id', 'u.id as uid'])
          .where('t.a', '=', a)
          .where('u.note', '=', note)
          .orderBy('u.id')
      const expected = (a: number, note: string) =>
        Array.from({ length: 80 }, (_, i) => ({ id: (i % 40) + 1, uid: i + 1 })).filter(
          (r) => (r.id - 1) % 4 === a && `n${(r.uid - 1) % 5}` === note,
        )
      for (let i = 0; i < 2 * RUNS; i++) {
        const [a, note] = [i % 4, `n${i % 5}`]
        expect(await q(a, note).execute()).to.deep.equal(expected(a, note))
      }
      // A text equality reads its value per run: a number, then a string with a lone surrogate, then text again.
      expect(await q(1, 5 as unknown as string).execute()).to.deep.equal([])
      expect(await q(1, 'n\uD800').execute()).to.deep.equal([])
      expect(await q(1, 'n1').execute()).to.deep.equal(expected(1, 'n1'))
      const text = async (v: string) =>
        (await db.selectFrom('t').select('id').where('s', '=', v).execute()).map((r) => r.id)
      for (const [v, id] of [
        ['a0', 1],
        ['b1', 2],
        ['c38', 39],
        ['a0', 1],
      ] as const)
        expect(await text(v)).to.deep.equal([id])
      const point = (id: number) =>
        db.selectFrom('t').innerJoin('u', 'u.tid', 't.id').select('u.id').where('t.id', '=', id).orderBy('u.id')
      for (let id = 1; id <= RUNS; id++) {
        expect(await point(id).execute()).to.deep.equal([{ id }, { id: id + 40 }])
        // The plan shows this run's key, not the one the statement was compiled with.
        expect(planShape(await lastPlan(db))).to.deep.equal(planShape(await explain(db, point(id))))
      }
      await expectCheck(db)
    })

    it('a cached join plans again when a table grows (estimates and strategies follow row counts)', async () => {
      const db = t.open()
      await joined(db, 10)
      const q = () =>
        db.selectFrom('t').innerJoin('u', 'u.note', 't.s').select(['t.id', 'u.id as uid']).where('t.a', '>', 0)
      for (let i = 0; i < RUNS; i++) expect(await q().execute()).to.deep.equal([])
      const before = planShape(await lastPlan(db))
      await db
        .insertInto('t')
        .values(Array.from({ length: 200 }, (_, i) => ({ id: 1000 + i, a: 1, s: `z${i}` })))
        .execute()
      await db.insertInto('u').values({ id: 1000, tid: 1, note: 'b1' }).execute()
      expect(await q().execute()).to.deep.equal([{ id: 2, uid: 1000 }])
      const fresh = planShape(await explain(db, q()))
      expect(fresh).to.not.deep.equal(before)
      expect(planShape(await lastPlan(db))).to.deep.equal(fresh)
      await expectCheck(db)
    })

    it("a cached join sees another connection's rows and plans again for them", async () => {
      const first = t.open()
      await joined(first, 10)
      const engine = (first.getExecutor().adapter as BTreeAdapter).driver.database!
      const second: AnyDB = new version.Kysely({ dialect: new BTreeDialect({ database: engine }) })
      const q = () =>
        first.selectFrom('u').innerJoin('t', 't.a', 'u.tid').select(['u.id', 't.id as tid']).where('u.note', '=', 'x')
      for (let i = 0; i < RUNS; i++) expect(await q().execute()).to.deep.equal([])
      await second.insertInto('u').values({ id: 500, tid: 3, note: 'x' }).execute()
      expect(await q().orderBy('t.id').execute()).to.have.length(10)
      expect((await q().execute()).map((r) => r.tid).sort((x, y) => x - y)).to.deep.equal(
        Array.from({ length: 10 }, (_, i) => i * 4 + 4),
      )
      expect(planShape(await lastPlan(first))).to.deep.equal(planShape(await explain(first, q())))
      await second.destroy()
      await expectCheck(first)
    })

    it('cached joins and groupings recompile for values their planning read (like heads, is null, limits, in lists)', async () => {
      const db = t.open()
      await joined(db, 40)
      await db.schema.createIndex('t_s').on('t').column('s').execute()
      const like = async (p: string) =>
        (
          await db
            .selectFrom('t')
            .innerJoin('u', 'u.tid', 't.id')
            .select('t.id')
            .where('t.s', 'like', p)
            .orderBy('t.id')
            .execute()
        ).map((r) => r.id)
      await expectLikeRecompiles(like)
      const isNull = async (v: number | null) =>
        (await db.selectFrom('t').innerJoin('u', 'u.tid', 't.id').select('u.id').where('t.a', 'is', v).execute()).length
      await db.updateTable('t').set({ a: null }).where('id', '<=', 3).execute()
      for (let i = 0; i < RUNS; i++) expect(await isNull(null)).to.equal(3)
      expect(await isNull(1)).to.equal(9)
      const list = async (ids: number[]) =>
        (
          await db
            .selectFrom('u')
            .innerJoin('t', 't.id', 'u.tid')
            .select('u.id')
            .where('t.id', 'in', ids)
            .orderBy('u.id')
            .execute()
        ).map((r) => r.id)
      for (let i = 0; i < RUNS; i++) expect(await list([4, 2])).to.deep.equal([2, 4])
      expect(await list([9, 1])).to.deep.equal([1, 9])
      const groups = async (min: number, n: number) =>
        await db
          .selectFrom('t')
          .innerJoin('u', 'u.tid', 't.id')
          .select(['t.a', (eb) => eb.fn.countAll<number>().as('c')])
          .where('t.id', '>', min)
          .groupBy('t.a')
          .having((eb) => eb.fn.countAll(), '>', 0)
          .orderBy('t.a')
          .limit(n)
          .execute()
      for (let i = 0; i < RUNS; i++) expect(await groups(36, 9)).to.deep.equal([0, 1, 2, 3].map((a) => ({ a, c: 1 })))
      expect(await groups(32, 2)).to.deep.equal([
        { a: 0, c: 2 },
        { a: 1, c: 2 },
      ])
      await expectCheck(db)
    })

    it('a cached statement with subqueries reads the rows of each run: uncorrelated ones again, in and across transactions', async () => {
      const db = t.open()
      await joined(db, 40)
      // exists, in (select ...) and a scalar subquery, uncorrelated: their rows are kept for one
      // run only, so a write between runs shows.
      const q = (min: number) =>
        db
          .selectFrom('t')
          .select([
            't.id',
            (eb) =>
              eb
                .selectFrom('u')
                .select((e) => e.fn.countAll<number>().as('c'))
                .as('n'),
          ])
          .where((eb) =>
            eb.and([
              eb.exists(eb.selectFrom('u').select('u.id').where('u.note', '=', 'hot')),
              eb('t.id', 'in', eb.selectFrom('u').select('u.tid').where('u.id', '>', min)),
            ]),
          )
          .orderBy('t.id')
          .execute()
      const want = async () => {
        const notes = await db.selectFrom('u').select(['id', 'tid', 'note']).execute()
        return (min: number) => {
          if (!notes.some((n) => n.note === 'hot')) return []
          const ids = [...new Set(notes.filter((n) => n.id > min).map((n) => n.tid))].sort((a, b) => a - b)
          return ids.map((id) => ({ id, n: notes.length }))
        }
      }
      for (let i = 0; i < RUNS; i++) expect(await q(30)).to.deep.equal([])
      await db.updateTable('u').set({ note: 'hot' }).where('id', '=', 3).execute()
      for (let i = 0; i < RUNS; i++) expect(await q(30)).to.deep.equal((await want())(30))
      expect(await q(35)).to.deep.equal((await want())(35))
      await db.transaction().execute(async (tx) => {
        await tx.insertInto('u').values({ id: 500, tid: 7, note: 'x' }).execute()
        const rows = await tx
          .selectFrom('t')
          .select('t.id')
          .where((eb) => eb('t.id', 'in', eb.selectFrom('u').select('u.tid').where('u.id', '>', 35)))
          .orderBy('t.id')
          .execute()
        for (let i = 0; i < RUNS; i++) {
          expect(rows.map((r) => r.id)).to.include(7)
          await tx
            .deleteFrom('u')
            .where('id', '=', 500 + i)
            .execute()
          await tx
            .insertInto('u')
            .values({ id: 501 + i, tid: 8 + i, note: 'x' })
            .execute()
          const again = await tx
            .selectFrom('t')
            .select('t.id')
            .where((eb) => eb('t.id', 'in', eb.selectFrom('u').select('u.tid').where('u.id', '>', 35)))
            .orderBy('t.id')
            .execute()
          expect(again.map((r) => r.id)).to.include(8 + i)
          expect(again.map((r) => r.id)).to.not.include(7 + i === 7 ? 7 : 7 + i)
        }
      })
      await db.deleteFrom('u').where('note', '=', 'hot').execute()
      for (let i = 0; i < RUNS; i++) expect(await q(30)).to.deep.equal([])
      await expectCheck(db)
    })

    it("a cached statement with a correlated subquery, and writes whose where holds one, bind each run's values", async () => {
      const db = t.open()
      await joined(db, 80)
      const count = (note: string, min: number) =>
        db
          .selectFrom('t')
          .select('t.id')
          .where((eb) =>
            eb.exists(eb.selectFrom('u').select('u.id').whereRef('u.tid', '=', 't.id').where('u.note', '=', note)),
          )
          .where('t.id', '>', min)
          .execute()
      for (const [note, min] of [
        ['n1', 0],
        ['n1', 0],
        ['n1', 0],
        ['n2', 10],
        ['n9', 0],
        ['n0', 39],
      ] as const) {
        const ids = new Set<number>()
        for (let i = 0; i < 80; i++) if (`n${i % 5}` === note && (i % 40) + 1 > min) ids.add((i % 40) + 1)
        expect((await count(note, min)).map((r) => r.id).sort((a, b) => a - b)).to.deep.equal(
          [...ids].sort((a, b) => a - b),
        )
      }
      // A cached update and delete with subqueries in their where clauses.
      for (let i = 0; i < RUNS; i++) {
        await db
          .updateTable('t')
          .set({ a: 100 + i })
          .where((eb) =>
            eb(
              't.id',
              'in',
              eb
                .selectFrom('u')
                .select('u.tid')
                .where('u.id', '=', i + 1),
            ),
          )
          .execute()
        expect(
          await db
            .selectFrom('t')
            .select('a')
            .where('id', '=', i + 1)
            .executeTakeFirstOrThrow(),
        ).to.deep.equal({
          a: 100 + i,
        })
      }
      for (let i = 0; i < RUNS; i++) {
        await db
          .deleteFrom('u')
          .where((eb) =>
            eb.exists(
              eb
                .selectFrom('t')
                .select('t.id')
                .whereRef('t.id', '=', 'u.tid')
                .where('t.a', '=', 100 + i),
            ),
          )
          .execute()
        expect(
          await db
            .selectFrom('u')
            .select('id')
            .where('tid', '=', i + 1)
            .execute(),
        ).to.deep.equal([])
      }
      await expectCheck(db)
    })

    it('derived tables, common table expressions and compounds compile once; each run binds its values and reads its rows', async () => {
      const db = t.open()
      await table(db)
      const { sql } = version
      const ids = (rows: readonly { id?: unknown; p?: unknown }[]) => rows.map((r) => Number(r.id ?? r.p))
      // Row id k of table() has a = (k - 1) % 4.
      const shapes: [
        string,
        (k: number) => Promise<readonly { id?: unknown; p?: unknown }[]>,
        (k: number) => number[],
      ][] = [
        [
          'common table expression',
          (k) =>
            db
              .with('x', (qb) => qb.selectFrom('t').select(['id', 'a']).where('id', '=', k))
              .selectFrom('x')
              .select('id')
              .where('a', '=', (k - 1) % 4)
              .execute(),
          (k) => [k],
        ],
        [
          'common table expression with a column list',
          (k) =>
            db
              .with('x(p, q)', (qb) => qb.selectFrom('t').select(['id', 'a']).where('id', '=', k) as never)
              .selectFrom('x')
              .selectAll()
              .execute(),
          (k) => [k],
        ],
        [
          'derived table',
          (k) =>
            db
              .selectFrom((qb) => qb.selectFrom('t').select(['id', 's']).where('id', '>', k).as('d'))
              .select('d.id')
              .where('d.id', '<', k + 3)
              .orderBy('d.id')
              .execute(),
          (k) => [k + 1, k + 2],
        ],
        [
          'union',
          (k) =>
            db
              .selectFrom('t')
              .select('id')
              .where('id', '=', k)
              .union(
                db
                  .selectFrom('t')
                  .select('id')
                  .where('id', '=', k + 10),
              )
              .orderBy('id')
              .execute(),
          (k) => [k, k + 10],
        ],
      ]
      shapes.push([
        'recursive common table expression with raw fragments',
        (k) =>
          db
            .withRecursive('r(id)', (qb) =>
              qb.selectNoFrom(sql<number>`${k}`.as('id')).unionAll((q) =>
                q
                  .selectFrom('r')
                  .select(sql<number>`id + 1`.as('id'))
                  .where('id', '<', k + 2),
              ),
            )
            .selectFrom('r')
            .selectAll()
            .execute(),
        (k) => [k, k + 1, k + 2],
      ])
      for (const [name, run, expected] of shapes) {
        const before = await compilations(db)
        for (let k = 1; k <= RUNS + 2; k++) expect(ids(await run(k)), `${name}, run ${k}`).to.deep.equal(expected(k))
        // Compiled at its second run, reused from the third (a spread of a prepared select's plan
        // once read its seek's value there, which then guarded the statement: compiled at every run).
        expect((await compilations(db)) - before, name).to.equal(1)
      }
      // INSERT ... SELECT: its select prepared once with it, its rows read (and values bound) per run.
      await db.schema
        .createTable('copy')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('a', 'integer')
        .execute()
      const copied = await compilations(db)
      for (let k = 1; k <= RUNS + 2; k++) {
        const r = await db
          .insertInto('copy')
          .columns(['id', 'a'])
          .expression((eb) =>
            eb
              .selectFrom('t')
              .select((e) => [e('id', '+', 100 * k).as('id'), 'a'])
              .where('id', '<=', k),
          )
          .executeTakeFirst()
        expect(Number(r.numInsertedOrUpdatedRows), `insert ... select ${k}`).to.equal(k)
      }
      expect((await compilations(db)) - copied, 'insert ... select').to.equal(1)
      expect((await db.selectFrom('copy').select('id').orderBy('id').execute()).map((r) => r.id)).to.deep.equal(
        Array.from({ length: RUNS + 2 }, (_, j) =>
          Array.from({ length: j + 1 }, (_, i) => 100 * (j + 1) + i + 1),
        ).flat(),
      )
      // A select written in raw text is not cached (the raw fragments beside a builder's select are).
      const before = await compilations(db)
      for (let k = 1; k <= RUNS; k++)
        expect(
          ids(
            await db
              .selectFrom('t')
              .select('id')
              .where(sql<boolean>`id = (select max(id) from t where a = ${k % 4})`)
              .execute(),
          ),
        ).to.deep.equal([
          Math.max(...Array.from({ length: 40 }, (_, i) => i + 1).filter((id) => (id - 1) % 4 === k % 4)),
        ])
      expect((await compilations(db)) - before, 'a select in raw text').to.equal(0)
      // A write between runs: the rows each run reads are that run's.
      await db.insertInto('t').values({ id: 41, a: 0, s: 'n41' }).execute()
      expect(ids(await shapes[3]![1](31))).to.deep.equal([31, 41])
      expect(ids(await shapes[2]![1](39))).to.deep.equal([40, 41])
      await expectCheck(db)
    })

    it('a cached statement plans again when a table its subquery reads grows', async () => {
      const db = t.open()
      await joined(db, 8)
      const q = () =>
        db
          .selectFrom('t')
          .select('t.id')
          .where((eb) => eb('t.id', 'in', eb.selectFrom('u').select('u.tid').where('u.note', '=', 'n1')))
          .orderBy('t.id')
      for (let i = 0; i < RUNS; i++) expect((await q().execute()).map((r) => r.id)).to.deep.equal([2, 7])
      await db
        .insertInto('u')
        .values(
          Array.from({ length: 300 }, (_, i) => ({ id: 100 + i, tid: (i % 40) + 1, note: i % 2 === 0 ? 'n1' : 'z' })),
        )
        .execute()
      const ids = [...new Set([2, 7, ...Array.from({ length: 150 }, (_, i) => ((i * 2) % 40) + 1)])].sort(
        (a, b) => a - b,
      )
      expect((await q().execute()).map((r) => r.id)).to.deep.equal(ids)
      // The plan the cache runs is the one a fresh compilation makes for these row counts.
      expect(JSON.stringify(await explain(db, q()))).to.equal(JSON.stringify(await explain(db, q())))
      await expectCheck(db)
    })
  })
}
