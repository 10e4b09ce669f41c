import { expect } from 'chai'
import { rejection, useTempDir, VERSIONS, type AnyDB } from './support.js'

async function people(db: AnyDB): Promise<void> {
  await db.schema
    .createTable('person')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('name', 'varchar(50)', (c) => c.notNull())
    .addColumn('age', 'integer')
    .addColumn('email', 'text', (c) => c.unique())
    .addColumn('score', 'real', (c) => c.defaultTo(1.5))
    .execute()
  await db
    .insertInto('person')
    .values([
      { name: 'Ann', age: 30, email: 'ann@x' },
      { name: 'bob', age: null, email: 'bob@x' },
      { name: 'Cid', age: 25, email: null },
      { name: 'dee', age: 41, email: 'dee@x' },
      { name: 'Eve', age: 25, email: null },
    ])
    .execute()
}

for (const version of VERSIONS) {
  describe(`integration (${version.name}): single-table statements`, () => {
    const t = useTempDir(version)

    it('where with and/or/not, comparisons, in, like, between, is null', async () => {
      const db = t.open()
      await people(db)
      const names = async (q: { execute(): Promise<{ name: string }[]> }) => (await q.execute()).map((r) => r.name)
      const base = () => db.selectFrom('person').select('name').orderBy('id')
      expect(await names(base().where('age', '=', 25))).to.deep.equal(['Cid', 'Eve'])
      expect(await names(base().where('age', '<>', 25))).to.deep.equal(['Ann', 'dee'])
      expect(await names(base().where('age', '!=', 25))).to.deep.equal(['Ann', 'dee'])
      expect(await names(base().where('age', '>=', 30))).to.deep.equal(['Ann', 'dee'])
      expect(await names(base().where('age', '<', 30))).to.deep.equal(['Cid', 'Eve'])
      expect(await names(base().where('age', '<=', 30))).to.deep.equal(['Ann', 'Cid', 'Eve'])
      expect(await names(base().where('age', 'in', [25, 41]))).to.deep.equal(['Cid', 'dee', 'Eve'])
      expect(await names(base().where('age', 'not in', [25, 41]))).to.deep.equal(['Ann'])
      expect(await names(base().where('name', 'like', 'b%'))).to.deep.equal(['bob'])
      expect(await names(base().where('name', 'like', '_E_'))).to.deep.equal(['dee'])
      expect(await names(base().where('name', 'not like', '%e%'))).to.deep.equal(['Ann', 'bob', 'Cid'])
      expect(await names(base().where((eb) => eb.between('age', 26, 41)))).to.deep.equal(['Ann', 'dee'])
      expect(await names(base().where('age', 'is', null))).to.deep.equal(['bob'])
      expect(await names(base().where('email', 'is not', null))).to.deep.equal(['Ann', 'bob', 'dee'])
      expect(
        await names(
          base().where((eb) => eb.or([eb('age', '=', 30), eb.and([eb('age', '=', 25), eb('name', '=', 'Eve')])])),
        ),
      ).to.deep.equal(['Ann', 'Eve'])
      expect(await names(base().where((eb) => eb.not(eb('age', '>', 26))))).to.deep.equal(['Cid', 'Eve'])
      expect(await names(base().where((eb) => eb.and([])))).to.have.length(5)
      expect(await names(base().where((eb) => eb.or([])))).to.deep.equal([])
    })

    it('order by several columns and directions, nulls first ascending, limit and offset', async () => {
      const db = t.open()
      await people(db)
      const rows = await db
        .selectFrom('person')
        .select(['name', 'age'])
        .orderBy('age', 'desc')
        .orderBy('name')
        .execute()
      expect(rows.map((r) => r.name)).to.deep.equal(['dee', 'Ann', 'Cid', 'Eve', 'bob'])
      const asc = await db
        .selectFrom('person')
        .select('name')
        .orderBy('age')
        .orderBy('name', 'desc')
        .limit(3)
        .offset(1)
        .execute()
      expect(asc.map((r) => r.name)).to.deep.equal(['Eve', 'Cid', 'Ann'])
      const byText = await db.selectFrom('person').select('name').orderBy('name').execute()
      expect(byText.map((r) => r.name)).to.deep.equal(['Ann', 'Cid', 'Eve', 'bob', 'dee'])
      const alias = await db.selectFrom('person').select('age as years').orderBy('years', 'desc').limit(1).execute()
      expect(alias).to.deep.equal([{ years: 41 }])
    })

    it('insert with returning, defaults, and insertId / numAffectedRows as SQLite reports them', async () => {
      const db = t.open()
      await people(db)
      const r = await db
        .insertInto('person')
        .values({ name: 'Fay' })
        .returning(['id', 'score', 'age'])
        .executeTakeFirstOrThrow()
      expect(r).to.deep.equal({ id: 6, score: 1.5, age: null })
      const res = await db.insertInto('person').values({ id: 100, name: 'Gus' }).executeTakeFirst()
      expect(res.insertId).to.equal(100n)
      expect(res.numInsertedOrUpdatedRows).to.equal(1n)
      const next = await db.insertInto('person').values({ name: 'Hal' }).executeTakeFirst()
      expect(next.insertId).to.equal(101n)
      const upd = await db.updateTable('person').set({ age: 1 }).where('id', '>', 99).executeTakeFirst()
      expect(upd.numUpdatedRows).to.equal(2n)
      const del = await db.deleteFrom('person').where('id', '>', 99).executeTakeFirst()
      expect(del.numDeletedRows).to.equal(2n)
    })

    it('update with expressions and returning; delete with returning', async () => {
      const db = t.open()
      await people(db)
      const updated = await db
        .updateTable('person')
        .set((eb) => ({ age: eb('age', '+', 1), name: eb('name', '||', '!') }))
        .where('age', '=', 25)
        .returning(['id', 'name', 'age'])
        .execute()
      expect(updated).to.deep.equal([
        { id: 3, name: 'Cid!', age: 26 },
        { id: 5, name: 'Eve!', age: 26 },
      ])
      const deleted = await db.deleteFrom('person').where('name', 'like', '%!').returning('name').execute()
      expect(deleted).to.deep.equal([{ name: 'Cid!' }, { name: 'Eve!' }])
      expect(await db.selectFrom('person').select('id').orderBy('id').execute()).to.deep.equal([
        { id: 1 },
        { id: 2 },
        { id: 4 },
      ])
    })

    it('integer division truncates; text and number affinity; booleans as 1/0', async () => {
      const db = t.open()
      await db.schema
        .createTable('v')
        .addColumn('i', 'integer')
        .addColumn('t', 'text')
        .addColumn('r', 'real')
        .addColumn('b', 'boolean')
        .execute()
      await db.insertInto('v').values({ i: '12', t: 12, r: 3, b: true }).execute()
      const row = await db
        .selectFrom('v')
        .select((eb) => ['i', 't', 'r', 'b', eb('i', '/', 5).as('q'), eb('r', '/', 2).as('rq')])
        .executeTakeFirstOrThrow()
      expect(row).to.deep.equal({ i: 12, t: '12', r: 3, b: 1, q: 2, rq: 1.5 })
      expect(await db.selectFrom('v').select('i').where('t', '=', 12).execute()).to.have.length(1)
      expect(await db.selectFrom('v').select('i').where('i', '=', '12').execute()).to.have.length(1)
    })

    it('constraints: unique, not null, primary key; a failing statement changes nothing', async () => {
      const db = t.open()
      await people(db)
      expect((await rejection(db.insertInto('person').values({ name: 'X', email: 'ann@x' }).execute())).code).to.equal(
        'BTREE_SQL_UNIQUE_VIOLATION',
      )
      expect((await rejection(db.insertInto('person').values({ id: 1, name: 'X' }).execute())).code).to.equal(
        'BTREE_SQL_UNIQUE_VIOLATION',
      )
      expect(
        (
          await rejection(
            db
              .insertInto('person')
              .values({ name: null } as never)
              .execute(),
          )
        ).code,
      ).to.equal('BTREE_SQL_NOT_NULL_VIOLATION')
      // The second row fails: the first must not stay.
      const err = await rejection(
        db
          .insertInto('person')
          .values([
            { name: 'New', email: 'new@x' },
            { name: 'Dup', email: 'new@x' },
          ])
          .execute(),
      )
      expect(err.code).to.equal('BTREE_SQL_UNIQUE_VIOLATION')
      expect(await db.selectFrom('person').select('id').where('name', '=', 'New').execute()).to.deep.equal([])
      expect(
        (await rejection(db.updateTable('person').set({ email: 'ann@x' }).where('id', '=', 2).execute())).code,
      ).to.equal('BTREE_SQL_UNIQUE_VIOLATION')
      expect(
        (await db.selectFrom('person').select('email').where('id', '=', 2).executeTakeFirstOrThrow()).email,
      ).to.equal('bob@x')
    })

    it('composite primary keys, text keys and unique multi-column indexes', async () => {
      const db = t.open()
      await db.schema
        .createTable('pet')
        .addColumn('owner', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('species', 'text')
        .addPrimaryKeyConstraint('pet_pk', ['owner', 'name'])
        .execute()
      const r = await db
        .insertInto('pet')
        .values([
          { owner: 'ann', name: 'rex', species: 'dog' },
          { owner: 'ann', name: 'tom', species: 'cat' },
          { owner: 'bob', name: 'rex', species: 'dog' },
        ])
        .executeTakeFirst()
      expect(r.insertId).to.equal(3n)
      expect((await rejection(db.insertInto('pet').values({ owner: 'ann', name: 'rex' }).execute())).code).to.equal(
        'BTREE_SQL_UNIQUE_VIOLATION',
      )
      expect(
        (
          await rejection(
            db.schema.createIndex('pet_species_name').on('pet').columns(['species', 'name']).unique().execute(),
          )
        ).code,
      ).to.equal('BTREE_SQL_UNIQUE_VIOLATION')
      await db.schema.createIndex('pet_owner_species').on('pet').columns(['owner', 'species']).unique().execute()
      expect(
        (await rejection(db.insertInto('pet').values({ owner: 'ann', name: 'max', species: 'dog' }).execute())).code,
      ).to.equal('BTREE_SQL_UNIQUE_VIOLATION')
      await db.insertInto('pet').values({ owner: 'ann', name: 'max', species: null }).execute()
      await db.insertInto('pet').values({ owner: 'ann', name: 'zed', species: null }).execute()
      const anns = await db
        .selectFrom('pet')
        .select('name')
        .where('owner', '=', 'ann')
        .orderBy('name', 'desc')
        .execute()
      expect(anns).to.deep.equal([{ name: 'zed' }, { name: 'tom' }, { name: 'rex' }, { name: 'max' }])
    })

    it('createIndex over existing duplicates fails cleanly; ifNotExists; dropIndex', async () => {
      const db = t.open()
      await people(db)
      expect(
        (await rejection(db.schema.createIndex('age_u').on('person').column('age').unique().execute())).code,
      ).to.equal('BTREE_SQL_UNIQUE_VIOLATION')
      await db.schema.createIndex('age_u').on('person').column('age').execute()
      await db.schema.createIndex('age_u').ifNotExists().on('person').column('age').execute()
      expect((await rejection(db.schema.createIndex('age_u').on('person').column('age').execute())).code).to.equal(
        'BTREE_SQL_INDEX_EXISTS',
      )
      await db.schema.dropIndex('age_u').execute()
      await db.schema.dropIndex('age_u').ifExists().execute()
      expect((await rejection(db.schema.dropIndex('age_u').execute())).code).to.equal('BTREE_SQL_NO_SUCH_INDEX')
      await db.schema.createIndex('age_u').on('person').column('age').execute()
      await db.schema.createIndex('name_desc').on('person').columns(['name desc', 'age asc']).execute()
      expect(await db.selectFrom('person').select('name').where('name', '=', 'dee').execute()).to.deep.equal([
        { name: 'dee' },
      ])
    })

    it('alterTable addColumn / dropColumn / renameColumn / renameTo without rewriting rows', async () => {
      const db = t.open()
      await people(db)
      await db.schema
        .alterTable('person')
        .addColumn('city', 'text', (c) => c.defaultTo('Oslo'))
        .execute()
      expect(await db.selectFrom('person').select(['id', 'city']).where('id', '=', 1).execute()).to.deep.equal([
        { id: 1, city: 'Oslo' },
      ])
      await db.schema.alterTable('person').dropColumn('age').execute()
      await db.schema.alterTable('person').renameColumn('name', 'full_name').execute()
      await db.schema.alterTable('person').renameTo('people').execute()
      const row = await db.selectFrom('people').selectAll().where('id', '=', 2).executeTakeFirstOrThrow()
      expect(row).to.deep.equal({ id: 2, full_name: 'bob', email: 'bob@x', score: 1.5, city: 'Oslo' })
      expect((await rejection(db.selectFrom('person').selectAll().execute())).code).to.equal('BTREE_SQL_NO_SUCH_TABLE')
      await db.insertInto('people').values({ full_name: 'Zed' }).execute()
      expect(
        (
          await db
            .selectFrom('people')
            .select(['full_name', 'city'])
            .where('full_name', '=', 'Zed')
            .executeTakeFirstOrThrow()
        ).city,
      ).to.equal('Oslo')
      expect((await rejection(db.schema.alterTable('people').dropColumn('id').execute())).code).to.equal(
        'BTREE_SQL_INVALID_SCHEMA',
      )
    })

    it('createTable ifNotExists, dropTable ifExists, errors for missing and existing tables', async () => {
      const db = t.open()
      await people(db)
      expect((await rejection(db.schema.createTable('person').addColumn('x', 'integer').execute())).code).to.equal(
        'BTREE_SQL_TABLE_EXISTS',
      )
      await db.schema.createTable('person').ifNotExists().addColumn('x', 'integer').execute()
      await db.schema.dropTable('person').execute()
      await db.schema.dropTable('person').ifExists().execute()
      expect((await rejection(db.schema.dropTable('person').execute())).code).to.equal('BTREE_SQL_NO_SUCH_TABLE')
      expect((await rejection(db.selectFrom('nope').selectAll().execute())).code).to.equal('BTREE_SQL_NO_SUCH_TABLE')
    })

    it('autoIncrement never reuses ids; a rowid table reuses the max + 1', async () => {
      const db = t.open()
      await db.schema
        .createTable('a')
        .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('v', 'text')
        .execute()
      await db.schema
        .createTable('b')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('v', 'text')
        .execute()
      for (const table of ['a', 'b'] as const) {
        await db
          .insertInto(table)
          .values([{ v: 'x' }, { v: 'y' }, { v: 'z' }])
          .execute()
        await db.deleteFrom(table).where('id', '=', 3).execute()
      }
      expect((await db.insertInto('a').values({ v: 'w' }).executeTakeFirst()).insertId).to.equal(4n)
      expect((await db.insertInto('b').values({ v: 'w' }).executeTakeFirst()).insertId).to.equal(3n)
    })

    it('operator chains follow SQL precedence, as SQLite reads the unparenthesized text Kysely compiles', async () => {
      const db = t.open()
      await people(db)
      // Kysely prints eb(eb('age', '-', 'id'), '*', 2) as "age" - "id" * ?, which SQLite reads as age - (id * 2).
      const row = await db
        .selectFrom('person')
        .select((eb) => [
          eb(eb('age', '-', eb.ref('id')), '*', 2).as('x'),
          eb(eb('age', '-', eb.ref('id')), '*', eb.parens(eb('id', '+', 0))).as('y'),
        ])
        .where('id', '=', 1)
        .executeTakeFirstOrThrow()
      expect(row).to.deep.equal({ x: 28, y: 29 })
      // A comparison over a chain: "age" - "id" > ? - "id" reads (age - id) > (20 - id).
      const ids = await db
        .selectFrom('person')
        .select('id')
        .where((eb) => eb(eb('age', '-', eb.ref('id')), '>', eb(eb.val(20), '-', eb.ref('id'))))
        .orderBy('id')
        .execute()
      expect(ids).to.deep.equal([{ id: 1 }, { id: 3 }, { id: 4 }, { id: 5 }])
    })

    it('unsupported constructs throw BTREE_SQL_UNSUPPORTED naming the node kind', async () => {
      const db = t.open()
      await people(db)
      // Part 2 runs joins and aggregates; a lateral join and a window function still name themselves.
      const join = await rejection(
        db
          .selectFrom('person')
          .innerJoinLateral(
            (eb) => eb.selectFrom('person as p2').selectAll().as('x'),
            (j) => j.onTrue(),
          )
          .selectAll()
          .execute(),
      )
      expect(join.code).to.equal('BTREE_SQL_UNSUPPORTED')
      expect(join.message).to.contain('JoinNode')
      // Raw statements of the simple grammar run; anything else is unsupported, quoting the text.
      const raw = await rejection(version.sql`pragma max_page_count`.execute(db))
      expect(raw.code).to.equal('BTREE_SQL_UNSUPPORTED')
      expect(raw.message).to.contain('pragma max_page_count')
      const create = await rejection(
        version.sql`create trigger tr instead of insert on person begin select 1; end`.execute(db),
      )
      expect(create.code).to.equal('BTREE_SQL_UNSUPPORTED')
      const glob = await rejection(
        db
          .selectFrom('person')
          .select(version.sql`name regexp 'J*'`.as('g'))
          .execute(),
      )
      expect(glob.code).to.equal('BTREE_SQL_UNSUPPORTED')
      expect(glob.message).to.contain('regexp')
      // A window function where SQLite allows none (its "misuse of window function").
      const fn = await rejection(
        db
          .selectFrom('person')
          .select('id')
          .where((eb) => eb(eb.fn.count('id').over(), '>', 1))
          .execute(),
      )
      expect(fn.code).to.equal('BTREE_SQL_UNSUPPORTED')
      expect(fn.message).to.contain('misuse of window function count()')
    })
  })
}
