import { expect } from 'chai'
import { BTreeDialect } from '../../src/index.js'
import { expectCheck, rejection, useTempDir, VERSIONS } from './support.js'

for (const version of VERSIONS) {
  describe(`integration (${version.name}): errors and edges`, () => {
    const t = useTempDir(version)
    const { sql } = version

    it('a bad BTreeDialect config is a TypeError with code BTREE_INVALID_ARGUMENT', () => {
      for (const config of [undefined, null, {}, { path: 'a.db', database: {} }]) {
        let err: unknown
        try {
          new BTreeDialect(config as never)
        } catch (e) {
          err = e
        }
        expect(err, JSON.stringify(config)).to.be.instanceOf(TypeError)
        expect(err).to.have.property('code', 'BTREE_INVALID_ARGUMENT')
      }
    })

    it('schema errors SQLite raises too', async () => {
      const db = t.open()
      const twoKeys = db.schema
        .createTable('a')
        .addColumn('x', 'integer', (c) => c.primaryKey())
        .addColumn('y', 'integer')
        .addPrimaryKeyConstraint('pk', ['y'])
      expect((await rejection(twoKeys.execute())).code).to.equal('BTREE_SQL_INVALID_SCHEMA')
      expect(
        (
          await rejection(
            db.schema
              .createTable('a')
              .addColumn('x', 'text', (c) => c.primaryKey().autoIncrement())
              .execute(),
          )
        ).code,
      ).to.equal('BTREE_SQL_INVALID_SCHEMA')
      expect(
        (await rejection(db.schema.createTable('a').addColumn('x', 'integer').addColumn('X', 'text').execute())).code,
      ).to.equal('BTREE_SQL_COLUMN_EXISTS')
      await db.schema
        .createTable('a')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('u', 'text', (c) => c.unique())
        .execute()
      expect(
        (
          await rejection(
            db.schema
              .alterTable('a')
              .addColumn('k', 'integer', (c) => c.notNull())
              .execute(),
          )
        ).code,
      ).to.equal('BTREE_SQL_INVALID_SCHEMA')
      expect(
        (
          await rejection(
            db.schema
              .alterTable('a')
              .addColumn('k', 'integer', (c) => c.unique())
              .execute(),
          )
        ).code,
      ).to.equal('BTREE_SQL_INVALID_SCHEMA')
      expect((await rejection(db.schema.alterTable('a').dropColumn('u').execute())).code).to.equal(
        'BTREE_SQL_INVALID_SCHEMA',
      )
      expect((await rejection(db.schema.alterTable('a').renameColumn('u', 'id').execute())).code).to.equal(
        'BTREE_SQL_COLUMN_EXISTS',
      )
      expect((await rejection(db.schema.dropIndex('sqlite_autoindex_a_1').execute())).code).to.equal(
        'BTREE_SQL_INVALID_SCHEMA',
      )
      expect((await rejection(db.selectFrom('a').select('nope').execute())).code).to.equal('BTREE_SQL_NO_SUCH_COLUMN')
      expect(
        (
          await rejection(
            db
              .insertInto('a')
              .values({ nope: 1 } as never)
              .execute(),
          )
        ).code,
      ).to.equal('BTREE_SQL_NO_SUCH_COLUMN')
    })

    it('values: an integer primary key rejects non-integers; a Date is not bindable; bigints and blobs round-trip', async () => {
      const db = t.open()
      await db.schema
        .createTable('v')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('b', 'blob')
        .addColumn('big', 'integer')
        .execute()
      expect((await rejection(db.insertInto('v').values({ id: 'abc' }).execute())).code).to.equal(
        'BTREE_SQL_DATATYPE_MISMATCH',
      )
      expect((await rejection(db.insertInto('v').values({ id: 1.5 }).execute())).code).to.equal(
        'BTREE_SQL_DATATYPE_MISMATCH',
      )
      await db.insertInto('v').values({ id: 1 }).execute()
      expect((await rejection(db.updateTable('v').set({ id: null }).execute())).code).to.equal(
        'BTREE_SQL_DATATYPE_MISMATCH',
      )
      await db.deleteFrom('v').execute()
      expect((await rejection(db.insertInto('v').values({ id: 1, b: new Date() }).execute())).code).to.equal(
        'BTREE_SQL_INVALID_VALUE',
      )
      await db
        .insertInto('v')
        .values({ id: '7', b: Buffer.from([0, 1, 2]), big: 2n ** 60n })
        .execute()
      const row = await db.selectFrom('v').selectAll().executeTakeFirstOrThrow()
      expect(row).to.deep.equal({ id: 7, b: Buffer.from([0, 1, 2]), big: 2 ** 60 })
      expect(
        await db
          .selectFrom('v')
          .select('id')
          .where('big', '=', 2n ** 60n)
          .execute(),
      ).to.deep.equal([{ id: 7 }])
      // 64-bit keys that share a double (snowflake-style ids) stay distinct and ordered.
      await db.schema
        .createTable('s')
        .addColumn('id', 'bigint', (c) => c.primaryKey())
        .addColumn('v', 'text')
        .execute()
      await db
        .insertInto('s')
        .values([
          { id: 2n ** 60n + 1n, v: 'b' },
          { id: 2n ** 60n, v: 'a' },
        ])
        .execute()
      expect(await db.selectFrom('s').select('v').orderBy('id', 'desc').execute()).to.deep.equal([
        { v: 'b' },
        { v: 'a' },
      ])
      expect(
        await db
          .selectFrom('s')
          .select('v')
          .where('id', '=', 2n ** 60n + 1n)
          .execute(),
      ).to.deep.equal([{ v: 'b' }])
      expect(
        (
          await rejection(
            db
              .insertInto('s')
              .values({ id: 2n ** 60n + 1n })
              .execute(),
          )
        ).code,
      ).to.equal('BTREE_SQL_UNIQUE_VIOLATION')
      // The same for an integer primary key (the rowid), inserted and updated.
      await db.schema
        .createTable('r')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('v', 'text')
        .execute()
      await db
        .insertInto('r')
        .values([
          { id: 2n ** 60n + 1n, v: 'b' },
          { id: 2n ** 60n, v: 'a' },
        ])
        .execute()
      await db
        .updateTable('r')
        .set({ id: 2n ** 60n + 3n })
        .where('v', '=', 'a')
        .execute()
      expect(await db.selectFrom('r').select('v').orderBy('id').execute()).to.deep.equal([{ v: 'b' }, { v: 'a' }])
      expect(
        (
          await rejection(
            db
              .insertInto('r')
              .values({ id: 2n ** 60n + 3n })
              .execute(),
          )
        ).code,
      ).to.equal('BTREE_SQL_UNIQUE_VIOLATION')
      // New rowids follow the largest exactly: 2^60 + 4, then + 5.
      await db
        .insertInto('r')
        .values([{ v: 'c' }, { v: 'd' }])
        .execute()
      expect(
        await db
          .selectFrom('r')
          .select('v')
          .where('id', '=', 2n ** 60n + 5n)
          .execute(),
      ).to.deep.equal([{ v: 'd' }])
    })

    it('keys and indexed values of a few KiB work (the engine stores long keys out of line)', async () => {
      const db = t.open()
      await db.schema
        .createTable('k')
        .addColumn('k', 'text', (c) => c.primaryKey())
        .addColumn('v', 'text')
        .execute()
      await db.schema.createIndex('k_v').on('k').column('v').execute()
      const long = 'x'.repeat(2000)
      await db
        .insertInto('k')
        .values([
          { k: 'ok', v: 'y'.repeat(3000) },
          { k: long, v: 'y' },
          { k: long + 'a', v: 'z' },
        ])
        .execute()
      expect((await db.selectFrom('k').select('k').orderBy('k').execute()).map((r) => r.k.length)).to.deep.equal([
        2, 2000, 2001,
      ])
      expect(await db.selectFrom('k').select('v').where('k', '=', long).execute()).to.deep.equal([{ v: 'y' }])
      await expectCheck(db)
    })

    it('a key longer than the engine allows (64 KiB) fails with BTREE_KEY_TOO_LARGE and changes nothing', async () => {
      const db = t.open()
      await db.schema
        .createTable('k')
        .addColumn('k', 'text', (c) => c.primaryKey())
        .addColumn('v', 'text')
        .execute()
      await db.schema.createIndex('k_v').on('k').column('v').execute()
      const tooLong = 'x'.repeat(70_000)
      expect(
        (
          await rejection(
            db
              .insertInto('k')
              .values([
                { k: 'ok', v: 'x' },
                { k: tooLong, v: 'y' },
              ])
              .execute(),
          )
        ).code,
      ).to.equal('BTREE_KEY_TOO_LARGE')
      expect((await rejection(db.insertInto('k').values({ k: 'ok2', v: tooLong }).execute())).code).to.equal(
        'BTREE_KEY_TOO_LARGE',
      )
      expect(await db.selectFrom('k').selectAll().execute()).to.deep.equal([])
      await expectCheck(db)
    })

    it('CURRENT_TIMESTAMP defaults, a raw data type, selectNoFrom and streaming', async () => {
      const db = t.open()
      await db.schema
        .createTable('e')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('at', 'text', (c) => c.defaultTo(sql`CURRENT_TIMESTAMP`))
        .addColumn('kind', sql`varchar(8)`, (c) => c.defaultTo('x'))
        .execute()
      await db
        .insertInto('e')
        .values(Array.from({ length: 5 }, (_, i) => ({ id: i + 1, at: null, kind: 'k' })))
        .execute()
      await db.insertInto('e').values({ id: 6 }).execute()
      const last = await db.selectFrom('e').selectAll().where('id', '=', 6).executeTakeFirstOrThrow()
      expect(last.at).to.match(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/)
      expect(last.kind).to.equal('x')
      expect((await db.introspection.getTables())[0]!.columns.map((c) => c.dataType)).to.deep.equal([
        'INTEGER',
        'TEXT',
        'varchar(8)',
      ])
      expect(await db.selectNoFrom((eb) => [eb.val(1).as('one'), sql<string>`${'a'}`.as('a')]).execute()).to.deep.equal(
        [{ one: 1, a: 'a' }],
      )
      const seen: number[] = []
      for await (const row of db.selectFrom('e').select('id').orderBy('id').stream(2)) seen.push(row.id as number)
      expect(seen).to.deep.equal([1, 2, 3, 4, 5, 6])
    })

    it('raw transaction commands: out of place they are BTREE_SQL_TRANSACTION; other raw SQL is unsupported', async () => {
      const db = t.open()
      expect((await rejection(sql`commit`.execute(db))).code).to.equal('BTREE_SQL_TRANSACTION')
      expect((await rejection(sql`release x`.execute(db))).code).to.equal('BTREE_SQL_TRANSACTION')
      expect((await rejection(sql`rollback to x`.execute(db))).code).to.equal('BTREE_SQL_TRANSACTION')
      const raw = await rejection(sql`pragma max_page_count = 20000`.execute(db))
      expect(raw.code).to.equal('BTREE_SQL_UNSUPPORTED')
      await db.connection().execute(async (conn) => {
        await sql`begin`.execute(conn)
        expect((await rejection(sql`begin`.execute(conn))).code).to.equal('BTREE_SQL_TRANSACTION')
        await conn.schema.createTable('r').addColumn('x', 'integer').execute()
        await sql`rollback`.execute(conn)
      })
      expect(await db.introspection.getTables()).to.deep.equal([])
    })
  })
}

for (const version of VERSIONS) {
  describe(`integration (${version.name}): like on blobs and NULs`, () => {
    const t = useTempDir(version)

    it('like reads a blob as its text, as stock SQLite does, and text up to its first NUL', async () => {
      const db = t.open()
      await db.schema
        .createTable('l')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('b', 'blob')
        .execute()
      await db
        .insertInto('l')
        .values([
          { id: 1, b: Buffer.from('ab') },
          { id: 2, b: 'ab' },
          { id: 3, b: 'a\u0000b' },
          { id: 4, b: Buffer.from([0]) },
        ])
        .execute()
      expect(await db.selectFrom('l').select('id').where('b', 'like', 'a%').orderBy('id').execute()).to.deep.equal([
        { id: 1 },
        { id: 2 },
        { id: 3 },
      ])
      expect(await db.selectFrom('l').select('id').where('b', 'not like', 'a%').orderBy('id').execute()).to.deep.equal([
        { id: 4 },
      ])
      expect(await db.selectFrom('l').select('id').where('b', 'like', 'a').orderBy('id').execute()).to.deep.equal([
        { id: 3 },
      ])
      expect(await db.selectFrom('l').select('id').where('b', 'like', '').orderBy('id').execute()).to.deep.equal([
        { id: 4 },
      ])
    })
  })
}
