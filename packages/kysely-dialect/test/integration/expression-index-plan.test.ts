import { expect } from 'chai'
import { explain } from '../../src/index.js'
import { expectCheck, useTempDir, VERSIONS, type AnyDB, type KyselyVersion } from './support.js'

interface User {
  id: number
  email: string | null
  name: string
  score: number | null
}

/** 300 users: emails in mixed case (every tenth null), names over 30 values, scores over 0..49. */
const USERS: User[] = Array.from({ length: 300 }, (_, i) => ({
  id: i + 1,
  email: i % 10 === 9 ? null : i % 2 === 0 ? `User${i}@X.org` : `user${i}@x.ORG`,
  name: `n${i % 30}`,
  score: i % 7 === 6 ? null : i % 50,
}))

async function setup(db: AnyDB, sql: KyselyVersion['sql']): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('email', 'text')
    .addColumn('name', 'text')
    .addColumn('score', 'integer')
    .execute()
  await db.insertInto('users').values(USERS).execute()
  await db.schema
    .createIndex('email_ci')
    .on('users')
    .expression(sql`lower(email)`)
    .unique()
    .execute()
  await db.schema
    .createIndex('name_double')
    .on('users')
    .column('name')
    .expression(sql`score * 2`)
    .execute()
}

const ids = (rows: readonly { id: number }[]): number[] => rows.map((r) => r.id)

for (const version of VERSIONS) {
  const { sql } = version
  describe(`integration (${version.name}): expression indexes in plans`, () => {
    const t = useTempDir(version)

    it('an equality on the indexed expression seeks the index', async () => {
      const db = t.open()
      await setup(db, sql)
      const q = db
        .selectFrom('users')
        .select(['id', 'email'])
        .where(sql`lower(email)`, '=', 'user42@x.org')
      const plan = await explain(db, q)
      expect(plan.scan).to.include({ access: 'index', index: 'email_ci', seek: 'equality', estimatedRows: 1 })
      expect(plan.scan.keyColumns).to.deep.equal(['expression 1'])
      expect(await q.execute()).to.deep.equal([{ id: 43, email: 'User42@X.org' }])
      // Written with the builder's function helper, with the column qualified, the same index.
      const viaFn = db
        .selectFrom('users')
        .select('id')
        .where((eb) => eb(eb.fn('LOWER', ['users.email']), '=', 'user43@x.org'))
      expect((await explain(db, viaFn)).scan.index).to.equal('email_ci')
      expect(ids(await viaFn.execute())).to.deep.equal([44])
      await expectCheck(db)
    })

    it('a column part, then a range on an expression part; in lists; the same text with other values', async () => {
      const db = t.open()
      await setup(db, sql)
      const q = (low: number) =>
        db
          .selectFrom('users')
          .select('id')
          .where('name', '=', 'n4')
          .where(sql`score * 2`, '>=', low)
          .orderBy('id')
      const plan = await explain(db, q(40))
      expect(plan.scan).to.include({ access: 'index', index: 'name_double', seek: 'range' })
      expect(plan.scan.keyColumns).to.deep.equal(['name', 'expression 2'])
      for (const low of [40, 40, 0, 90, 40]) {
        const want = USERS.filter((u) => u.name === 'n4' && u.score !== null && u.score * 2 >= low).map((u) => u.id)
        expect(ids(await q(low).execute())).to.deep.equal(want)
      }
      // A value inside the expression is part of what the index holds: `score * k` is the index's
      // expression for k = 2 only, and a statement cached with 2 must not seek it for 7 (built, not
      // raw, so that the statement cache takes it).
      const scaled = (k: number) =>
        db
          .selectFrom('users')
          .select('id')
          .where('name', '=', 'n4')
          .where((eb) => eb(eb('score', '*', k), '=', 28))
          .orderBy('id')
      expect((await explain(db, scaled(2))).scan.keyColumns).to.deep.equal(['name', 'expression 2'])
      expect((await explain(db, scaled(3))).scan.keyColumns).to.deep.equal(['name'])
      for (const k of [2, 2, 7, 2, 7]) {
        const want = USERS.filter((u) => u.name === 'n4' && u.score !== null && u.score * k === 28).map((u) => u.id)
        expect(want.length).to.be.greaterThan(0)
        expect(ids(await scaled(k).execute())).to.deep.equal(want)
      }
      const list = db
        .selectFrom('users')
        .select('id')
        .where(sql`lower(email)`, 'in', ['user1@x.org', 'nobody', 'user2@x.org'])
        .orderBy('id')
      expect((await explain(db, list)).scan).to.include({ index: 'email_ci', seek: 'in' })
      expect(ids(await list.execute())).to.deep.equal([2, 3])
    })

    it('another expression, another value inside it, or a column compared never reads it', async () => {
      const db = t.open()
      await setup(db, sql)
      const plans = await Promise.all([
        explain(
          db,
          db
            .selectFrom('users')
            .select('id')
            .where(sql`upper(email)`, '=', 'USER4@X.ORG'),
        ),
        explain(db, db.selectFrom('users').select('id').where('email', '=', 'user4@x.org')),
        explain(
          db,
          db
            .selectFrom('users')
            .select('id')
            .where('name', '=', 'n4')
            .where(sql`score * 3`, '>', 3),
        ),
        explain(
          db,
          db
            .selectFrom('users')
            .select('id')
            .where(sql`lower(name)`, '=', sql`lower(email)`),
        ),
      ])
      expect(plans[0]!.scan.index).to.equal(undefined)
      expect(plans[1]!.scan.index).to.equal(undefined)
      // name alone is a prefix of name_double: the index may serve it, never with the `* 3` range.
      expect(plans[2]!.scan.keyColumns).to.deep.equal(['name'])
      expect(plans[3]!.scan.index).to.equal(undefined)
      expect(
        ids(
          await db
            .selectFrom('users')
            .select('id')
            .where('name', '=', 'n4')
            .where(sql`score * 3`, '>', 3)
            .orderBy('id')
            .execute(),
        ),
      ).to.deep.equal(
        USERS.filter((u) => u.name === 'n4' && u.score !== null && u.score * 3 > 3)
          .map((u) => u.id)
          .sort((a, b) => a - b),
      )
    })

    it('an order by on the indexed expression reads the index in order and stops at the limit', async () => {
      const db = t.open()
      await setup(db, sql)
      const lowered = USERS.map((u) => ({ id: u.id, key: u.email?.toLowerCase() ?? null }))
      // Nulls first ascending, as the index holds them and SQLite orders them; ties by primary key.
      const order = (desc: boolean) => (a: (typeof lowered)[0], b: (typeof lowered)[0]) => {
        const sign = desc ? -1 : 1
        if (a.key === b.key) return sign * (a.id - b.id)
        if (a.key === null) return -sign
        if (b.key === null) return sign
        return sign * (a.key < b.key ? -1 : 1)
      }
      for (const desc of [false, true]) {
        const q = db
          .selectFrom('users')
          .select('id')
          .orderBy(sql`lower(email)`, desc ? 'desc' : 'asc')
          .orderBy('id', desc ? 'desc' : 'asc')
          .limit(12)
        const plan = await explain(db, q)
        expect(plan.scan).to.include({ index: 'email_ci', orderByKey: true, reverse: desc, stopAfter: 12 })
        expect(plan.sort).to.equal(false)
        expect(ids(await q.execute())).to.deep.equal(
          [...lowered]
            .sort(order(desc))
            .slice(0, 12)
            .map((u) => u.id),
        )
      }
      // After an equality on the column part, the expression part orders the rest.
      const q = db
        .selectFrom('users')
        .select('id')
        .where('name', '=', 'n7')
        .orderBy(sql`score * 2`)
        .limit(3)
      const plan = await explain(db, q)
      expect(plan.scan).to.include({ index: 'name_double', orderByKey: true })
      expect(plan.sort).to.equal(false)
      const want = USERS.filter((u) => u.name === 'n7')
        .sort((a, b) =>
          a.score === b.score ? a.id - b.id : a.score === null ? -1 : b.score === null ? 1 : a.score - b.score,
        )
        .slice(0, 3)
        .map((u) => u.id)
      expect(ids(await q.execute())).to.deep.equal(want)
    })

    it('a join on the indexed expression looks each outer row up through the index', async () => {
      const db = t.open()
      await setup(db, sql)
      await db.schema
        .createTable('logins')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('who', 'text')
        .execute()
      const logins = Array.from({ length: 12 }, (_, i) => ({
        id: i + 1,
        who: i % 5 === 4 ? 'nobody' : `USER${i * 23}@x.org`,
      }))
      await db.insertInto('logins').values(logins).execute()
      const q = db
        .selectFrom('logins as l')
        .innerJoin('users as u', (j) => j.on((eb) => eb(eb.fn('lower', ['u.email']), '=', eb.fn('lower', ['l.who']))))
        .select(['l.id as login', 'u.id as user'])
        .orderBy('l.id')
      const plan = await explain(db, q)
      expect(plan.joins).to.deep.equal([
        {
          table: 'users',
          as: 'u',
          type: 'inner',
          strategy: 'index-lookup',
          keyColumns: ['expression 1'],
          index: 'email_ci',
          covering: false,
        },
      ])
      const want = logins.flatMap((l) =>
        USERS.filter((u) => u.email !== null && u.email.toLowerCase() === l.who.toLowerCase()).map((u) => ({
          login: l.id,
          user: u.id,
        })),
      )
      expect(want.length).to.be.greaterThan(5)
      expect(await q.execute()).to.deep.equal(want)
    })

    it('a real literal in the expression is that real: `score * 2.0` is not `score * 2`', async () => {
      const db = t.open()
      await setup(db, sql)
      await db.schema
        .createIndex('score_real')
        .on('users')
        .expression(sql`score * 2.0`)
        .execute()
      const real = db
        .selectFrom('users')
        .select('id')
        .where(sql`score * 2.0`, '=', 28)
        .orderBy('id')
      const integer = db
        .selectFrom('users')
        .select('id')
        .where(sql`score * 2`, '=', 28)
        .orderBy('id')
      expect((await explain(db, real)).scan.index).to.equal('score_real')
      expect((await explain(db, integer)).scan.index).to.equal(undefined)
      const want = USERS.filter((u) => u.score === 14).map((u) => u.id)
      expect(ids(await real.execute())).to.deep.equal(want)
      expect(ids(await integer.execute())).to.deep.equal(want)
    })

    it('updates and deletes through an expression index, and `is null` on the expression', async () => {
      const db = t.open()
      await setup(db, sql)
      const update = db
        .updateTable('users')
        .set({ email: 'renamed@x.org' })
        .where(sql`lower(email)`, '=', 'user10@x.org')
      expect((await explain(db, update)).scan.index).to.equal('email_ci')
      expect(Number((await update.executeTakeFirstOrThrow()).numUpdatedRows)).to.equal(1)
      expect(
        ids(
          await db
            .selectFrom('users')
            .select('id')
            .where(sql`lower(email)`, '=', 'renamed@x.org')
            .execute(),
        ),
      ).to.deep.equal([11])
      expect(
        await db
          .selectFrom('users')
          .select('id')
          .where(sql`lower(email)`, '=', 'user10@x.org')
          .execute(),
      ).to.deep.equal([])
      const nulls = db
        .selectFrom('users')
        .select('id')
        .where(sql`lower(email)`, 'is', null)
        .orderBy('id')
      expect((await explain(db, nulls)).scan).to.include({ index: 'email_ci', seek: 'is-null' })
      expect(ids(await nulls.execute())).to.deep.equal(USERS.filter((u) => u.email === null).map((u) => u.id))
      const removed = await db
        .deleteFrom('users')
        .where(sql`lower(email)`, 'is', null)
        .executeTakeFirstOrThrow()
      expect(Number(removed.numDeletedRows)).to.equal(30)
      await expectCheck(db)
    })
  })
}
