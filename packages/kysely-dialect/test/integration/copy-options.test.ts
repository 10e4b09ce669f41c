import { expect } from 'chai'
import { Kysely, MysqlDialect, SqliteDialect, type ExpressionBuilder } from 'kysely'
import { copyDatabase, type CopyProgress } from '../../src/index.js'
import { createShop, dumpTable, fillShop, SHOP_TABLES } from '../helpers/copy-fixture.js'
import { SqlJsSqliteDatabase } from '../helpers/sqljs-database.js'
import { expectCheck, rejection, useTempDir, VERSIONS, type AnyDB } from './support.js'

/** An argument error: the class a caller may test, and the engine's stable code for it. */
function expectInvalid(err: unknown, type: typeof TypeError | typeof RangeError): void {
  expect(err).to.be.instanceOf(type)
  expect(err).to.have.property('code', 'BTREE_INVALID_ARGUMENT')
}

/** copyDatabase's options and errors, between two btree-store files (fast, and exact). */
for (const version of VERSIONS) {
  describe(`copyDatabase options and errors (${version.name})`, () => {
    const tmp = useTempDir(version)

    async function shop(): Promise<AnyDB> {
      const source = tmp.open({ durability: 'none' })
      await createShop(source)
      await fillShop(source, 7, { users: 12, orders: 40 })
      return source
    }

    const count = async (db: AnyDB, table: string): Promise<number> =>
      Number(
        (
          await db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      )

    it('refuses a target that has one of the tables (BTREE_SQL_COPY_TARGET_EXISTS) and writes nothing', async () => {
      const source = await shop()
      const copy = tmp.open({ durability: 'none' }, 'copy.db')
      await copy.schema.createTable('orders').addColumn('x', 'text').execute()
      const err = await rejection(copyDatabase(source, copy))
      expect(err.code).to.equal('BTREE_SQL_COPY_TARGET_EXISTS')
      expect(err.message).to.contain('orders')
      expect((await copy.introspection.getTables()).map((t) => t.name)).to.deep.equal(['orders'])
      await expectCheck(copy)
    })

    it("ifTableExists 'replace' drops and recreates; 'append' adds the rows to the existing tables", async () => {
      const source = await shop()
      const copy = tmp.open({ durability: 'none' }, 'copy.db')
      await copy.schema.createTable('orders').addColumn('x', 'text').execute()
      await copyDatabase(source, copy, { ifTableExists: 'replace', tables: ['orders', 'users'] })
      const orders = SHOP_TABLES.find((t) => t.name === 'orders')!
      expect(await dumpTable(copy, orders)).to.deep.equal(await dumpTable(source, orders))
      // Append the same events twice: the table has no key, so both copies stay.
      await copyDatabase(source, copy, { tables: ['events'] })
      await copyDatabase(source, copy, { tables: ['events'], ifTableExists: 'append' })
      expect(await count(copy, 'events')).to.equal(2 * (await count(source, 'events')))
      // Appending rows whose keys are there already fails with the target's error as the cause.
      const err = await rejection(copyDatabase(source, copy, { tables: ['users'], ifTableExists: 'append' }))
      expect(err.code).to.equal('BTREE_SQL_COPY_FAILED')
      expect((err.cause as { code?: string }).code).to.equal('BTREE_SQL_UNIQUE_VIOLATION')
      await expectCheck(copy)
    })

    it('copies the tables asked for, in that order, and rejects unknown ones (BTREE_SQL_NO_SUCH_TABLE)', async () => {
      const source = await shop()
      const copy = tmp.open({ durability: 'none' }, 'copy.db')
      const result = await copyDatabase(source, copy, { tables: ['users', 'items'] })
      expect(result.tables.map((t) => t.name)).to.deep.equal(['users', 'items'])
      expect(result.rows).to.equal((await count(source, 'users')) + (await count(source, 'items')))
      expect((await rejection(copyDatabase(source, copy, { tables: ['nope'] }))).code).to.equal(
        'BTREE_SQL_NO_SUCH_TABLE',
      )
      expectInvalid(await rejection(copyDatabase(source, copy, { tables: ['users', 'users'] })), RangeError)
    })

    it('copies from a file opened readOnly, as the README shows', async () => {
      const writer = await shop()
      await writer.destroy()
      const source = tmp.open({ readOnly: true })
      const copy = tmp.open({ durability: 'none' }, 'copy.db')
      const result = await copyDatabase(source, copy, { batchSize: 2000 })
      expect(result.rows).to.be.greaterThan(100)
      for (const table of SHOP_TABLES)
        expect(await dumpTable(copy, table)).to.deep.equal(await dumpTable(source, table))
      await expectCheck(copy)
    })

    it('checks its arguments: a source that is not btree-store (TypeError), a bad batchSize (RangeError), code BTREE_INVALID_ARGUMENT', async () => {
      const source = await shop()
      const sqlite = new version.Kysely({
        dialect: new SqliteDialect({ database: await SqlJsSqliteDatabase.create() }),
      })
      try {
        expectInvalid(await rejection(copyDatabase(sqlite, source)), TypeError)
        for (const batchSize of [0, -1, 1.5, Number.NaN])
          expectInvalid(await rejection(copyDatabase(source, sqlite, { batchSize })), RangeError)
        const ifTableExists = 'merge' as 'error'
        expectInvalid(await rejection(copyDatabase(source, sqlite, { ifTableExists })), RangeError)
      } finally {
        await sqlite.destroy()
      }
    })

    it('refuses a MySQL target (BTREE_SQL_UNSUPPORTED), recognised by the SQL its compiler writes, before connecting', async () => {
      const source = await shop()
      const pool = (): never => {
        throw new Error('no connection expected')
      }
      const mysql: AnyDB = new Kysely({ dialect: new MysqlDialect({ pool }) })
      expect((await rejection(copyDatabase(source, mysql))).code).to.equal('BTREE_SQL_UNSUPPORTED')
    })

    it('reports progress per batch and stops on abort (BTREE_SQL_COPY_ABORTED), keeping committed batches', async () => {
      const source = await shop()
      const copy = tmp.open({ durability: 'none' }, 'copy.db')
      const controller = new AbortController()
      const seen: CopyProgress[] = []
      const err = await rejection(
        copyDatabase(source, copy, {
          batchSize: 5,
          tables: ['orders'],
          signal: controller.signal,
          onProgress: (p) => {
            seen.push(p)
            if (p.tableRowsCopied === 15) controller.abort(new Error('enough'))
          },
        }),
      )
      expect(err.code).to.equal('BTREE_SQL_COPY_ABORTED')
      expect((err.cause as Error).message).to.equal('enough')
      expect(seen.map((p) => p.tableRowsCopied)).to.deep.equal([5, 10, 15])
      expect(seen[0]!.tableRows).to.equal(40)
      // Three batches of five committed, in key order.
      const ids = await copy.selectFrom('orders').select('id').orderBy('id').execute()
      const first = await source.selectFrom('orders').select('id').orderBy('id').limit(15).execute()
      expect(ids).to.deep.equal(first)
      // An already aborted signal stops before anything is written.
      const again = await rejection(copyDatabase(source, tmp.open({}, 'other.db'), { signal: controller.signal }))
      expect(again.code).to.equal('BTREE_SQL_COPY_ABORTED')
      await expectCheck(copy)
    })

    it('copies one snapshot: writes to the source during the copy are not in it', async () => {
      const source = await shop()
      const copy = tmp.open({ durability: 'none' }, 'copy.db')
      const before = await count(source, 'orders')
      let written = false
      await copyDatabase(source, copy, {
        batchSize: 4,
        tables: ['orders'],
        onProgress: async () => {
          if (written) return
          written = true
          await source.deleteFrom('orders').where('id', '<', 1100).execute()
          await source.insertInto('orders').values({ id: 99_999, total: 1 }).execute()
        },
      })
      expect(await count(copy, 'orders')).to.equal(before)
      expect(await copy.selectFrom('orders').select('id').where('id', '=', 99_999).execute()).to.deep.equal([])
      await expectCheck(copy)
      await expectCheck(source)
    })

    it('carries what SQLite distinguishes: a whole real in an untyped column, a real default, empty tables', async () => {
      const source = tmp.open({ durability: 'none' })
      await source.schema
        .createTable('odd')
        .addColumn('k', 'text', (c) => c.primaryKey())
        .addColumn('v', version.sql``)
        .addColumn('b', 'blob')
        .addColumn('r', 'real', (c) => c.defaultTo(2))
        .execute()
      await source.schema
        .createTable('empty')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .execute()
      await source
        .insertInto('odd')
        .values([
          { k: 'blob', v: Buffer.from([0, 1]), b: Buffer.from([1, 2, 3]) },
          { k: 'real', v: (eb: ExpressionBuilder<unknown, never>) => eb.cast(eb.val(2), 'real') },
          { k: 'int', v: 2 },
          { k: 'text', v: '2' },
        ])
        .execute()
      await source.insertInto('odd').values({ k: 'defaults' }).execute()
      const sqlite: AnyDB = new version.Kysely({
        dialect: new SqliteDialect({ database: await SqlJsSqliteDatabase.create() }),
      })
      try {
        const result = await copyDatabase(source, sqlite)
        expect(result.tables).to.deep.equal([
          { name: 'empty', rows: 0 },
          { name: 'odd', rows: 5 },
        ])
        const read = (db: AnyDB) =>
          db
            .selectFrom('odd')
            .select((eb) => ['k', eb.fn('typeof', ['v']).as('tv'), 'b', eb.fn('typeof', ['r']).as('tr')])
            .orderBy('k')
            .execute()
        expect(await read(sqlite)).to.deep.equal(await read(source))
        await sqlite.insertInto('odd').values({ k: 'later' }).execute()
        await source.insertInto('odd').values({ k: 'later' }).execute()
        expect(await read(sqlite)).to.deep.equal(await read(source))
      } finally {
        await sqlite.destroy()
      }
    })
  })
}
