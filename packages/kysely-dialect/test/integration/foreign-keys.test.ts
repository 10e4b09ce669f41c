import { expect } from 'chai'
import { BTreeDialect } from '../../src/index.js'
import { expectCheck, rejection, useTempDir, VERSIONS, type AnyDB } from './support.js'

async function shop(db: AnyDB): Promise<void> {
  await db.schema
    .createTable('person')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('name', 'text')
    .execute()
  await db.schema
    .createTable('pet')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('owner_id', 'integer', (c) => c.references('person.id').onDelete('cascade'))
    .execute()
  await db.schema.createIndex('pet_owner').on('pet').column('owner_id').execute()
  await db
    .insertInto('person')
    .values([
      { id: 1, name: 'a' },
      { id: 2, name: 'b' },
    ])
    .execute()
  await db
    .insertInto('pet')
    .values([
      { id: 10, owner_id: 1 },
      { id: 11, owner_id: 1 },
      { id: 12, owner_id: 2 },
    ])
    .execute()
}

async function code(p: Promise<unknown>): Promise<string | undefined> {
  return (await rejection(p)).code
}

for (const version of VERSIONS) {
  const { sql } = version
  describe(`integration (${version.name}): foreign keys`, () => {
    const t = useTempDir(version)

    it('are enforced by default: a missing parent fails, a cascade deletes, and both survive a reopen', async () => {
      let db = t.open()
      await shop(db)
      expect(await code(db.insertInto('pet').values({ id: 13, owner_id: 9 }).execute())).to.equal(
        'BTREE_SQL_FOREIGN_KEY_VIOLATION',
      )
      await db.destroy()
      db = t.open()
      expect(await code(db.insertInto('pet').values({ id: 13, owner_id: 9 }).execute())).to.equal(
        'BTREE_SQL_FOREIGN_KEY_VIOLATION',
      )
      await db.deleteFrom('person').where('id', '=', 1).execute()
      expect(await db.selectFrom('pet').select('id').orderBy('id').execute()).to.deep.equal([{ id: 12 }])
      expect((await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(db)).rows).to.deep.equal([
        { foreign_keys: 1 },
      ])
      await expectCheck(db)
    })

    it('`foreignKeys: false` keeps them as metadata, as SQLite without the pragma', async () => {
      const db = t.open({ foreignKeys: false })
      await shop(db)
      await db.insertInto('pet').values({ id: 13, owner_id: 9 }).execute()
      await db.deleteFrom('person').where('id', '=', 1).execute()
      expect(await db.selectFrom('pet').select('id').orderBy('id').execute()).to.deep.equal([
        { id: 10 },
        { id: 11 },
        { id: 12 },
        { id: 13 },
      ])
      expect((await sql`pragma foreign_keys`.execute(db)).rows).to.deep.equal([{ foreign_keys: 0 }])
      // The pragma turns them on for this dialect instance.
      await sql`pragma foreign_keys = on`.execute(db)
      expect(await code(db.insertInto('pet').values({ id: 14, owner_id: 9 }).execute())).to.equal(
        'BTREE_SQL_FOREIGN_KEY_VIOLATION',
      )
    })

    it('pragma foreign_keys inside a transaction changes nothing; a failed statement leaves the transaction going', async () => {
      const db = t.open()
      await shop(db)
      await db.transaction().execute(async (trx) => {
        await sql`pragma foreign_keys = off`.execute(trx)
        expect((await sql`pragma foreign_keys`.execute(trx)).rows).to.deep.equal([{ foreign_keys: 1 }])
        expect(await code(trx.insertInto('pet').values({ id: 13, owner_id: 9 }).execute())).to.equal(
          'BTREE_SQL_FOREIGN_KEY_VIOLATION',
        )
        await trx.insertInto('pet').values({ id: 13, owner_id: 2 }).execute()
      })
      expect(await db.selectFrom('pet').select('id').orderBy('id').execute()).to.have.length(4)
    })

    it('a deferred key fails the commit; Kysely then rolls the transaction back', async () => {
      const db = t.open()
      await shop(db)
      await db.schema
        .createTable('vet_visit')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('pet_id', 'integer')
        .addForeignKeyConstraint('visit_pet', ['pet_id'], 'pet', ['id'], (fk) => fk.deferrable().initiallyDeferred())
        .execute()
      const failed = await code(
        db.transaction().execute(async (trx) => {
          await trx.insertInto('vet_visit').values({ id: 1, pet_id: 99 }).execute()
        }),
      )
      expect(failed).to.equal('BTREE_SQL_FOREIGN_KEY_VIOLATION')
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('vet_visit').values({ id: 2, pet_id: 99 }).execute()
        await trx.insertInto('pet').values({ id: 99, owner_id: 2 }).execute()
      })
      expect(await db.selectFrom('vet_visit').select('id').execute()).to.deep.equal([{ id: 2 }])
      await expectCheck(db)
    })

    it('a key that no unique index serves is BTREE_SQL_INVALID_SCHEMA when written; a bad option is a type error', async () => {
      const db = t.open()
      await db.schema.createTable('a').addColumn('x', 'integer').execute()
      await db.schema
        .createTable('b')
        .addColumn('y', 'integer', (c) => c.references('a.x'))
        .execute()
      const e = await rejection(db.insertInto('b').values({ y: 1 }).execute())
      expect(e.code).to.equal('BTREE_SQL_INVALID_SCHEMA')
      expect(e.message).to.equal('foreign key mismatch - "b" referencing "a"')
      expect(() => new BTreeDialect({ path: t.path('bad.db'), foreignKeys: 'yes' as unknown as boolean }))
        .to.throw(TypeError, '`foreignKeys` must be a boolean')
        .with.property('code', 'BTREE_INVALID_ARGUMENT')
    })
  })
}
